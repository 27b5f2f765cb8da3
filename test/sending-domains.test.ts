import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { graphql } from './gql/index.js';
import { type GraphQLResponse, type Stack, expectTypename, globalId, startStack } from './helpers/stack.js';

const SendingDomains = graphql(`
  query SendingDomains($provider: EmailProvider, $query: String) {
    sendingDomains(provider: $provider, query: $query, first: 50) {
      edges {
        node {
          __typename
          id
          provider
          domain
          verified
          dnsRecords { type name value priority purpose verified }
          ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }
        }
      }
    }
  }
`);

const OneDomain = graphql(`
  query OneSendingDomain($id: ID!) {
    sendingDomain(id: $id) { __typename id domain verified }
  }
`);

const CreateDomain = graphql(`
  mutation CreateSendingDomain($domain: String!) {
    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {
      __typename
      ... on CreateSendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }
      ... on ValidationError { code message refusedBy issues { path code } }
    }
  }
`);

const Verify = graphql(`
  mutation VerifySendingDomain($id: ID!) {
    verifySendingDomain(id: $id) {
      __typename
      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }
      ... on NotFoundError { code resource resourceId }
    }
  }
`);

const Delete = graphql(`
  mutation DeleteSendingDomain($id: ID!) {
    deleteSendingDomain(id: $id) {
      __typename
      ... on DeleteSendingDomainPayload { deletedId domain { domain } }
      ... on NotFoundError { code resource resourceId }
    }
  }
`);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** A list read directly: the connection, with no error beside it. */
function connectionOf<T>(result: GraphQLResponse<{ sendingDomains?: T | null }>): T {
  expect(result.errors).toBeUndefined();
  const connection = result.data?.sendingDomains;
  if (!connection) throw new Error(`expected a connection, got ${JSON.stringify(result)}`);
  return connection;
}

describe('sending domains', () => {
  it('lists CloudMailin sending domains with uniform DNS records and verification state', async () => {
    const connection = connectionOf(await stack.gql(SendingDomains, { provider: 'CLOUDMAILIN' }));
    const upstream = stack.sandbox.cloudmailin.sendingDomains();
    expect(connection.edges.map((edge) => edge.node.domain)).toEqual(upstream.map((d) => d.domain));
    for (const { node } of connection.edges) {
      const wire = upstream.find((d) => d.domain === node.domain);
      expect(node.__typename).toBe('CloudMailinSendingDomain');
      expect(node.provider).toBe('CLOUDMAILIN');
      expect(node.dnsRecords).toEqual([
        {
          type: 'TXT',
          name: wire?.dkim_domain,
          value: wire?.dkim_public_record,
          priority: null,
          purpose: 'DKIM',
          verified: wire?.dkim_verified ?? null,
        },
        {
          type: 'CNAME',
          name: wire?.mta_domain,
          value: wire?.required_cname,
          priority: null,
          purpose: 'RETURN_PATH',
          verified: wire?.return_path_verified ?? null,
        },
      ]);
      expect(node.verified).toBe(
        Boolean(wire?.dkim_verified && wire.return_path_verified && wire.spf_verified),
      );
    }
    // Without a provider, CloudMailin's domains come first, then Cloudflare's.
    const all = connectionOf(await stack.gql(SendingDomains, {}));
    expect(all.edges.slice(0, connection.edges.length)).toEqual(connection.edges);
    expect(
      all.edges.slice(connection.edges.length).every((edge) => edge.node.provider === 'CLOUDFLARE'),
    ).toBe(true);
  });

  it('fetches one by global or CloudMailin id; a missing one is null without an error', async () => {
    const id = DEMO_CLOUDMAILIN.sendingDomainIds.verified;
    for (const given of [id, globalId('CloudMailinSendingDomain', id)]) {
      const raw = await stack.gql(OneDomain, { id: given });
      expect(raw.errors).toBeUndefined();
      expect(raw.data?.sendingDomain).toMatchObject({
        __typename: 'CloudMailinSendingDomain',
        id: globalId('CloudMailinSendingDomain', id),
        verified: true,
      });
    }
    const missing = await stack.gql(OneDomain, { id: 'ffffffffffffffff' });
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ sendingDomain: null });
  });

  it('refuses an id of another type as one VALIDATION_FAILED error, the field null', async () => {
    const result = await stack.gql(OneDomain, { id: globalId('InboundAddress', 'abc') });
    expect(result.data?.sendingDomain).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.path).toEqual(['sendingDomain']);
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      refusedBy: 'MAILGRAPH',
      issues: [{ path: 'id', code: 'INVALID' }],
    });
  });

  it('creates a domain, fails then passes verification, and deletes it', async () => {
    const created = await stack.gql(CreateDomain, { domain: 'Send.Example.test' });
    const domain = expectTypename(created.data?.createSendingDomain, 'CreateSendingDomainPayload').domain;
    expect(domain.domain).toBe('send.example.test');
    expect(domain.dnsRecords?.map((r) => r.purpose)).toEqual(['DKIM', 'RETURN_PATH']);

    const first = await stack.gql(Verify, { id: domain.id });
    const failed = expectTypename(first.data?.verifySendingDomain, 'VerifySendingDomainPayload');
    expect(failed.verified).toBe(false);
    expect(failed.domain.verified).toBe(false);
    const second = await stack.gql(Verify, { id: domain.id });
    const passed = expectTypename(second.data?.verifySendingDomain, 'VerifySendingDomainPayload');
    expect(passed.verified).toBe(true);
    expect(passed.domain.dnsRecords?.every((r) => r.verified)).toBe(true);

    const listed = connectionOf(await stack.gql(SendingDomains, { query: 'send.example.test' }));
    expect(listed.edges.map((e) => e.node.domain)).toEqual(['send.example.test']);
    expect(listed.edges[0]?.node.verified).toBe(true);

    const deleted = await stack.gql(Delete, { id: domain.id });
    expect(expectTypename(deleted.data?.deleteSendingDomain, 'DeleteSendingDomainPayload').deletedId).toBe(
      domain.id,
    );
    const gone = await stack.gql(Verify, { id: domain.id });
    expect(expectTypename(gone.data?.verifySendingDomain, 'NotFoundError')).toMatchObject({
      code: 'NOT_FOUND',
      resource: 'CloudMailinSendingDomain',
    });
    const deletedAgain = await stack.gql(Delete, { id: domain.id });
    expect(expectTypename(deletedAgain.data?.deleteSendingDomain, 'NotFoundError')).toMatchObject({
      code: 'NOT_FOUND',
      resource: 'CloudMailinSendingDomain',
    });
    const lookup = await stack.gql(OneDomain, { id: domain.id });
    expect(lookup.errors).toBeUndefined();
    expect(lookup.data?.sendingDomain).toBeNull();
  });

  it('refuses a malformed domain before calling CloudMailin, and relays CloudMailin’s 422 for a duplicate', async () => {
    stack.sandbox.resetCalls();
    for (const bad of [
      '',
      'no spaces.com x',
      '-leading.example.com',
      'a'.repeat(300),
      'example',
      'exa_mple.com',
      'xn--\u0000.com',
    ]) {
      const result = await stack.gql(CreateDomain, { domain: bad });
      const error = expectTypename(result.data?.createSendingDomain, 'ValidationError');
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', refusedBy: 'MAILGRAPH' });
      expect(error.issues[0]).toMatchObject({ path: 'domain', code: 'INVALID' });
    }
    expect(stack.sandbox.calls).toHaveLength(0);
    const duplicate = await stack.gql(CreateDomain, { domain: 'example.com' });
    expect(expectTypename(duplicate.data?.createSendingDomain, 'ValidationError')).toMatchObject({
      code: 'VALIDATION_FAILED',
      refusedBy: 'CLOUDMAILIN',
    });
  });
});
