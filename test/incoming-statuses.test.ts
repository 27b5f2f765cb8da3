import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { outcomeOf } from '../src/schema/incoming-status.js';
import { graphql } from './gql/index.js';
import { type Stack, expectTypename, globalId, startStack } from './helpers/stack.js';

const Statuses = graphql(`
  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {
    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {
      __typename
      ... on QueryIncomingStatusesConnection {
        edges { cursor node { id statusId subject from to outcome httpStatus rawStatus tls receivedAt } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
      ... on ValidationError { message issues { path message } }
      ... on NotFoundError { message resource resourceId }
      ... on Error { message }
    }
  }
`);

const StatusNode = graphql(`
  query StatusNode($id: ID!) {
    node(id: $id) { __typename id ... on IncomingStatus { statusId subject address { addressId } } }
  }
`);

const support = DEMO_CLOUDMAILIN.addressIds.support;
let stack: Stack;

// Every read must reach the emulator, or a cached page would hide the new arrivals this file is about.
beforeAll(async () => {
  stack = await startStack({ env: { MAILGRAPH_CACHE_TTL_SECONDS: '0' } });
});
afterAll(() => stack.close());

async function page(addressId: string, first: number, after: string | null, query?: string) {
  const result = await stack.gql(Statuses, { addressId, first, after, query });
  return expectTypename(result.data?.incomingStatuses, 'QueryIncomingStatusesConnection');
}

describe('incomingStatuses', () => {
  it('lists newest first with the outcome decoded from the HTTP status', async () => {
    const connection = await page(support, 20, null);
    expect(connection.edges).toHaveLength(20);
    const upstream = stack.sandbox.cloudmailin.statuses(support).slice(0, 20);
    expect(connection.edges.map((edge) => edge.node.statusId)).toEqual(upstream.map((status) => status.id));
    for (const { node } of connection.edges) {
      const code = node.httpStatus;
      if (code !== null && code !== undefined && code >= 200 && code < 300)
        expect(node.outcome).toBe('DELIVERED');
      else if (code !== null && code !== undefined && code >= 400 && code < 500)
        expect(node.outcome).toBe('REJECTED');
      else expect(node.outcome).toBe('DELAYED');
    }
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.pageInfo.hasPreviousPage).toBe(false);
  });

  it('decodes every status CloudMailin can report', () => {
    expect(outcomeOf('200')).toBe('DELIVERED');
    expect(outcomeOf(201)).toBe('DELIVERED');
    expect(outcomeOf('404')).toBe('REJECTED');
    expect(outcomeOf('422')).toBe('REJECTED');
    expect(outcomeOf('500')).toBe('DELAYED');
    expect(outcomeOf('503')).toBe('DELAYED');
    expect(outcomeOf('client_timeout')).toBe('DELAYED');
    expect(outcomeOf('0')).toBe('DELAYED');
    expect(outcomeOf(null)).toBe('DELAYED');
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), (code) => {
        const expected =
          code < 300 && code >= 200 ? 'DELIVERED' : code >= 400 && code < 500 ? 'REJECTED' : 'DELAYED';
        return outcomeOf(String(code)) === expected;
      }),
    );
  });

  it('keeps cursors stable while new mail arrives between two page fetches: no duplicates, no gaps', async () => {
    const before = stack.sandbox.cloudmailin.statuses(support).map((status) => status.id);
    const seen: string[] = [];
    let after: string | null = null;
    let round = 0;
    // Pages of 7 over upstream pages of 20, with 1-25 new mails arriving before each fetch: new rows
    // push the cursor's row onto later upstream pages, which is what breaks page-number pagination.
    while (true) {
      const connection = await page(support, 7, after);
      for (const edge of connection.edges) seen.push(edge.node.statusId);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor ?? null;
      round += 1;
      for (let i = 0; i < ((round * 7) % 25) + 1; i += 1) {
        stack.sandbox.cloudmailin.receiveInbound(support, { subject: `arrived during paging ${round}.${i}` });
      }
    }
    expect(round).toBeGreaterThan(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(before);
  });

  it('resumes after a row that was removed with the rows strictly older than it', async () => {
    const connection = await page(DEMO_CLOUDMAILIN.addressIds.invoices, 5, null);
    const cursor = connection.pageInfo.endCursor ?? '';
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // A cursor naming a row the provider no longer has (same list, same time): what is older follows.
    const ghost = Buffer.from(JSON.stringify({ ...decoded, k: 'no-longer-there' })).toString('base64url');
    const next = await page(DEMO_CLOUDMAILIN.addressIds.invoices, 5, ghost);
    const upstream = stack.sandbox.cloudmailin.statuses(DEMO_CLOUDMAILIN.addressIds.invoices);
    expect(next.edges.map((edge) => edge.node.statusId)).toEqual(
      upstream.slice(5, 10).map((status) => status.id),
    );
  });

  it('filters with the query syntax', async () => {
    const connection = await page(support, 50, null, 'status_category:rejected');
    expect(connection.edges.length).toBeGreaterThan(0);
    for (const { node } of connection.edges) expect(node.outcome).toBe('REJECTED');
  });

  it('refuses bad arguments with a typed ValidationError and no upstream call', async () => {
    stack.sandbox.resetCalls();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ first: 5, after: 'not a cursor!' }, 'after'],
      [{ first: 5, after: 'eyJ4IjoxfQ' }, 'after'],
      [{ first: 5, after: 'A'.repeat(5000) }, 'after'],
      [{ first: 5, query: 'x'.repeat(501) }, 'query'],
      [{ first: 5, query: 'subject:\u0000' }, 'query'],
    ];
    for (const [args, path] of cases) {
      const result = await stack.gql(Statuses, { addressId: support, ...args } as never);
      const error = expectTypename(result.data?.incomingStatuses, 'ValidationError');
      expect(error.issues.map((issue) => issue.path)).toContain(path);
    }
    expect(stack.sandbox.calls).toHaveLength(0);
  });

  it('refuses a cursor issued for another list or other filters', async () => {
    const other = await page(DEMO_CLOUDMAILIN.addressIds.invoices, 2, null);
    const result = await stack.gql(Statuses, {
      addressId: support,
      first: 2,
      after: other.pageInfo.endCursor,
    });
    expect(expectTypename(result.data?.incomingStatuses, 'ValidationError').message).toMatch(/another list/);
    const filtered = await page(support, 2, null, 'status:200');
    const unfiltered = await stack.gql(Statuses, {
      addressId: support,
      first: 2,
      after: filtered.pageInfo.endCursor,
    });
    expect(expectTypename(unfiltered.data?.incomingStatuses, 'ValidationError').issues[0]?.path).toBe(
      'after',
    );
  });

  it('says NotFoundError for an unknown address, and accepts global or CloudMailin address ids', async () => {
    const unknown = await stack.gql(Statuses, { addressId: 'ffffffffffffffffffff', first: 1 });
    expect(expectTypename(unknown.data?.incomingStatuses, 'NotFoundError').resource).toBeTruthy();
    const byGlobal = await page(globalId('InboundAddress', support), 3, null);
    const byRaw = await page(support, 3, null);
    expect(byGlobal.edges.map((e) => e.node.statusId)).toEqual(byRaw.edges.map((e) => e.node.statusId));
  });

  it('resolves a status through node(id)', async () => {
    const connection = await page(support, 1, null);
    const edge = connection.edges[0];
    const result = await stack.gql(StatusNode, { id: edge?.node.id ?? '' });
    expect(result.data?.node).toMatchObject({
      __typename: 'IncomingStatus',
      statusId: edge?.node.statusId,
      address: { addressId: support },
    });
  });
});
