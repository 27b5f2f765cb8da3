import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { graphql } from './gql/index.js';
import { type Stack, expectTypename, globalId, startStack } from './helpers/stack.js';

const Domains = graphql(`
  query Domains($addressId: ID!, $query: String) {
    customDomains(addressId: $addressId, first: 20, query: $query) {
      __typename
      ... on QueryCustomDomainsConnection { edges { node { id domainId domain authRegex domainTarget address { addressId } } } }
      ... on NotFoundError { resource resourceId }
      ... on ValidationError { issues { path } }
    }
  }
`);

const CreateDomain = graphql(`
  mutation CreateDomain($input: CreateCustomDomainInput!) {
    createCustomDomain(input: $input) {
      __typename
      ... on CustomDomainPayload { customDomain { id domainId domain authRegex } }
      ... on ValidationError { message refusedBy issues { path message } }
      ... on NotFoundError { resourceId }
    }
  }
`);

const DeleteDomain = graphql(`
  mutation DeleteDomain($id: ID!) {
    deleteCustomDomain(id: $id) {
      __typename
      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }
      ... on NotFoundError { resourceId }
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
    const connection = expectTypename(result.data?.customDomains, 'QueryCustomDomainsConnection');
    expect(connection.edges.map((edge) => edge.node.domainId)).toEqual(
      stack.sandbox.cloudmailin.customDomains(support).map((domain) => domain.id),
    );
    expect(connection.edges.every((edge) => edge.node.address?.addressId === support)).toBe(true);
    const first = connection.edges[0]?.node;
    const searched = await stack.gql(Domains, { addressId: support, query: first?.domain.slice(0, 5) });
    expect(
      expectTypename(searched.data?.customDomains, 'QueryCustomDomainsConnection').edges.map(
        (e) => e.node.domain,
      ),
    ).toContain(first?.domain);
    const node = await stack.gql(DomainNode, { id: first?.id ?? '' });
    expect(node.data?.node).toEqual({ __typename: 'CustomDomain', domain: first?.domain });
  });

  it('creates and deletes a domain (201, then 202 with the body)', async () => {
    const created = await stack.gql(CreateDomain, {
      input: {
        addressId: globalId('InboundAddress', support),
        domain: 'Inbound.Example.test',
        authRegex: 'allowed[0-9]*@inbound.example.test',
      },
    });
    const domain = expectTypename(created.data?.createCustomDomain, 'CustomDomainPayload').customDomain;
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
    expectTypename(again.data?.deleteCustomDomain, 'NotFoundError');
  });

  it('relays CloudMailin’s own 422 as a ValidationError from the provider', async () => {
    const existing = stack.sandbox.cloudmailin.customDomains(support)[0]?.domain ?? '';
    const result = await stack.gql(CreateDomain, { input: { addressId: support, domain: existing } });
    const error = expectTypename(result.data?.createCustomDomain, 'ValidationError');
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
      expect(
        expectTypename(result.data?.createCustomDomain, 'ValidationError').issues.map((i) => i.path),
      ).toContain(path);
    }
    const rawId = await stack.gql(DeleteDomain, { id: DEMO_CLOUDMAILIN.customDomainId });
    expect(expectTypename(rawId.data?.deleteCustomDomain, 'ValidationError').issues[0]?.path).toBe('id');
    expect(stack.sandbox.calls).toHaveLength(0);
  });
});
