import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { graphql } from './gql/index.js';
import { type Stack, expectTypename, globalId, startStack } from './helpers/stack.js';

const Domains = graphql(`
  query Domains($addressId: ID!, $query: String) {
    customDomains(addressId: $addressId, first: 20, query: $query) {
      __typename
      edges { node { id domainId domain authRegex domainTarget address { addressId } } }
      nodes { domainId }
      pageInfo { hasNextPage }
    }
  }
`);

const CreateDomain = graphql(`
  mutation CreateDomain($input: CreateCustomDomainInput!) {
    createCustomDomain(input: $input) {
      __typename
      ... on CreateCustomDomainPayload { customDomain { id domainId domain authRegex } }
      ... on Error { code message }
      ... on ValidationError { refusedBy issues { path message code } }
      ... on NotFoundError { resource resourceId }
    }
  }
`);

const DeleteDomain = graphql(`
  mutation DeleteDomain($id: ID!) {
    deleteCustomDomain(id: $id) {
      __typename
      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }
      ... on Error { code message }
      ... on NotFoundError { resource resourceId }
      ... on ValidationError { issues { path } }
    }
  }
`);

const DomainNode = graphql(`
  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }
`);

const support = DEMO_CLOUDMAILIN.addressIds.support;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('custom domains', () => {
  it('lists an address’s domains as CloudMailin has them, and searches them', async () => {
    const result = await stack.gql(Domains, { addressId: support });
    expect(result.errors).toBeUndefined();
    const connection = expectTypename(result.data?.customDomains, 'CustomDomainConnection');
    expect(connection.edges.map((edge) => edge.node.domainId)).toEqual(
      stack.sandbox.cloudmailin.customDomains(support).map((domain) => domain.id),
    );
    expect(connection.nodes.map((node) => node.domainId)).toEqual(
      connection.edges.map((edge) => edge.node.domainId),
    );
    expect(connection.pageInfo.hasNextPage).toBe(false);
    expect(connection.edges.every((edge) => edge.node.address?.addressId === support)).toBe(true);
    const first = connection.edges[0]?.node;
    const searched = await stack.gql(Domains, { addressId: support, query: first?.domain.slice(0, 5) });
    expect(
      expectTypename(searched.data?.customDomains, 'CustomDomainConnection').edges.map((e) => e.node.domain),
    ).toContain(first?.domain);
    const node = await stack.gql(DomainNode, { id: first?.id ?? '' });
    expect(node.data?.node).toEqual({ __typename: 'CustomDomain', domain: first?.domain });
  });

  it('reports an unknown address as NOT_FOUND and a malformed one as VALIDATION_FAILED, with the list null', async () => {
    const unknown = await stack.gql(Domains, { addressId: 'ffffffffffffffffffff' });
    expect(unknown.data).toEqual({ customDomains: null });
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors?.[0]?.path).toEqual(['customDomains']);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      resource: 'InboundAddress',
      resourceId: 'ffffffffffffffffffff',
    });

    stack.sandbox.resetCalls();
    const hostile = await stack.gql(Domains, { addressId: '../../sending_domains' });
    expect(hostile.data).toEqual({ customDomains: null });
    expect(hostile.errors).toHaveLength(1);
    expect(hostile.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      refusedBy: 'MAILGRAPH',
    });
    const issues = hostile.errors?.[0]?.extensions?.issues as Array<{ path: string }>;
    expect(issues.map((issue) => issue.path)).toContain('addressId');
    expect(stack.sandbox.calls).toHaveLength(0);
  });

  it('creates and deletes a domain (201, then 202 with the body)', async () => {
    const created = await stack.gql(CreateDomain, {
      input: {
        addressId: globalId('InboundAddress', support),
        domain: 'Inbound.Example.test',
        authRegex: 'allowed[0-9]*@inbound.example.test',
      },
    });
    const domain = expectTypename(created.data?.createCustomDomain, 'CreateCustomDomainPayload').customDomain;
    expect(domain).toMatchObject({
      domain: 'inbound.example.test',
      authRegex: 'allowed[0-9]*@inbound.example.test',
    });
    expect(stack.sandbox.cloudmailin.customDomains(support).map((d) => d.id)).toContain(domain.domainId);

    const deleted = await stack.gql(DeleteDomain, { id: domain.id });
    expect(expectTypename(deleted.data?.deleteCustomDomain, 'DeleteCustomDomainPayload').deletedId).toBe(
      domain.id,
    );
    expect(stack.sandbox.cloudmailin.customDomains(support).map((d) => d.id)).not.toContain(domain.domainId);
    const again = await stack.gql(DeleteDomain, { id: domain.id });
    expect(expectTypename(again.data?.deleteCustomDomain, 'NotFoundError')).toMatchObject({
      code: 'NOT_FOUND',
      resource: 'CustomDomain',
    });
    const gone = await stack.gql(DomainNode, { id: domain.id });
    expect(gone.errors).toBeUndefined();
    expect(gone.data?.node).toBeNull();
  });

  it('relays CloudMailin’s own 422 as a ValidationError from the provider', async () => {
    const existing = stack.sandbox.cloudmailin.customDomains(support)[0]?.domain ?? '';
    const result = await stack.gql(CreateDomain, { input: { addressId: support, domain: existing } });
    const error = expectTypename(result.data?.createCustomDomain, 'ValidationError');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.refusedBy).toBe('CLOUDMAILIN');
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('refuses malformed input before any upstream call', async () => {
    stack.sandbox.resetCalls();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ addressId: support, domain: 'not a domain' }, 'input.domain'],
      [{ addressId: support, domain: `${'a'.repeat(64)}.com` }, 'input.domain'],
      [{ addressId: support, domain: 'example.com', authRegex: '([unclosed' }, 'input.authRegex'],
      [{ addressId: support, domain: 'example.com', authRegex: 'x'.repeat(501) }, 'input.authRegex'],
      [
        { addressId: support, domain: 'example.com', domainTarget: 'javascript:alert(1)' },
        'input.domainTarget',
      ],
      [{ addressId: '<script>', domain: 'example.com' }, 'input.addressId'],
    ];
    for (const [input, path] of cases) {
      const result = await stack.gql(CreateDomain, { input } as never);
      const error = expectTypename(result.data?.createCustomDomain, 'ValidationError');
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.refusedBy).toBe('MAILGRAPH');
      expect(error.issues.map((i) => i.path)).toContain(path);
    }
    const rawId = await stack.gql(DeleteDomain, { id: DEMO_CLOUDMAILIN.customDomainId });
    const rawIdError = expectTypename(rawId.data?.deleteCustomDomain, 'ValidationError');
    expect(rawIdError.code).toBe('VALIDATION_FAILED');
    expect(rawIdError.issues[0]?.path).toBe('id');
    expect(stack.sandbox.calls).toHaveLength(0);
  });
});
