import fc from 'fast-check';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { outcomeOf } from '../src/schema/incoming-status.js';
import { graphql } from './gql/index.js';
import { type GraphQLResponse, type Stack, expectTypename, globalId, startStack } from './helpers/stack.js';

const Statuses = graphql(`
  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {
    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {
      __typename
      edges {
        cursor
        node {
          id
          statusId
          subject
          from { address name formatted }
          to { address name formatted }
          outcome
          httpStatus
          rawStatus
          tls
          receivedAt
        }
      }
      nodes { statusId }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

const NestedStatuses = graphql(`
  query NestedStatuses($id: ID!, $first: Int, $after: String) {
    inboundAddress(id: $id) {
      incomingStatuses(first: $first, after: $after) {
        __typename
        edges { node { statusId } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

const ConnectionTypenames = graphql(`
  query ConnectionTypenames($addressId: ID!) {
    incomingStatuses(addressId: $addressId, first: 1) { __typename }
    inboundAddress(id: $addressId) { incomingStatuses(first: 1) { __typename } }
  }
`);

const StatusNode = graphql(`
  query StatusNode($id: ID!) {
    node(id: $id) { __typename id ... on IncomingStatus { statusId subject receivedAt address { addressId } } }
  }
`);

type ReadError = NonNullable<GraphQLResponse<unknown>['errors']>[number];

/** The one error of a read whose root field came back null; fails the test on anything else. */
function onlyError(result: GraphQLResponse<{ incomingStatuses?: unknown }>): ReadError {
  expect(result.data?.incomingStatuses).toBeNull();
  expect(result.errors).toHaveLength(1);
  const error = result.errors?.[0] as ReadError;
  expect(error.path).toEqual(['incomingStatuses']);
  return error;
}

function issuesOf(error: ReadError): Array<{ path: string; message: string; code: string }> {
  return (error.extensions?.issues ?? []) as Array<{ path: string; message: string; code: string }>;
}

const support = DEMO_CLOUDMAILIN.addressIds.support;
let stack: Stack;

// Every read must reach the emulator, or a cached page would hide the new arrivals this file is about.
beforeAll(async () => {
  stack = await startStack({ env: { MAILGRAPH_CACHE_TTL_SECONDS: '0' } });
});
afterAll(() => stack.close());

async function page(addressId: string, first: number, after: string | null, query?: string) {
  const result = await stack.gql(Statuses, { addressId, first, after, query });
  expect(result.errors).toBeUndefined();
  return expectTypename(result.data?.incomingStatuses, 'IncomingStatusConnection');
}

async function nestedPage(addressId: string, first: number, after: string | null) {
  const result = await stack.gql(NestedStatuses, { id: addressId, first, after });
  expect(result.errors).toBeUndefined();
  return expectTypename(result.data?.inboundAddress?.incomingStatuses, 'IncomingStatusConnection');
}

describe('incomingStatuses', () => {
  it('lists newest first with the outcome decoded from the HTTP status', async () => {
    const connection = await page(support, 20, null);
    expect(connection.edges).toHaveLength(20);
    const upstream = stack.sandbox.cloudmailin.statuses(support).slice(0, 20);
    expect(connection.edges.map((edge) => edge.node.statusId)).toEqual(upstream.map((status) => status.id));
    expect(connection.nodes.map((node) => node.statusId)).toEqual(upstream.map((status) => status.id));
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

  it('refuses bad arguments with VALIDATION_FAILED and its issues, and no upstream call', async () => {
    stack.sandbox.resetCalls();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ first: 5, after: 'not a cursor!' }, 'after'],
      [{ first: 5, after: 'eyJ4IjoxfQ' }, 'after'],
      [{ first: 5, after: 'A'.repeat(5000) }, 'after'],
      [{ first: 5, query: 'x'.repeat(501) }, 'query'],
      [{ first: 5, query: 'subject:\u0000' }, 'query'],
      [{ addressId: '../../sending_domains', first: 5 }, 'addressId'],
    ];
    for (const [args, path] of cases) {
      const result = await stack.gql(Statuses, { addressId: support, ...args } as never);
      const error = onlyError(result);
      expect(error.extensions).toMatchObject({ code: 'VALIDATION_FAILED', refusedBy: 'MAILGRAPH' });
      expect(issuesOf(error).map((issue) => issue.path)).toContain(path);
      for (const issue of issuesOf(error)) expect(issue.code).toBe('INVALID');
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
    const error = onlyError(result);
    expect(error.extensions?.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/another list/);
    const filtered = await page(support, 2, null, 'status:200');
    const unfiltered = await stack.gql(Statuses, {
      addressId: support,
      first: 2,
      after: filtered.pageInfo.endCursor,
    });
    const unfilteredError = onlyError(unfiltered);
    expect(unfilteredError.extensions?.code).toBe('VALIDATION_FAILED');
    expect(issuesOf(unfilteredError)[0]?.path).toBe('after');
  });

  it('says NOT_FOUND for an unknown address, and accepts global or CloudMailin address ids', async () => {
    const unknown = await stack.gql(Statuses, { addressId: 'ffffffffffffffffffff', first: 1 });
    expect(onlyError(unknown).extensions).toMatchObject({
      code: 'NOT_FOUND',
      resource: 'InboundAddress',
      resourceId: 'ffffffffffffffffffff',
    });
    const byGlobal = await page(globalId('InboundAddress', support), 3, null);
    const byRaw = await page(support, 3, null);
    expect(byGlobal.edges.map((e) => e.node.statusId)).toEqual(byRaw.edges.map((e) => e.node.statusId));
  });

  it('resolves a status through node(id)', async () => {
    const connection = await page(support, 1, null);
    const edge = connection.edges[0];
    const result = await stack.gql(StatusNode, { id: edge?.node.id ?? '' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.node).toMatchObject({
      __typename: 'IncomingStatus',
      statusId: edge?.node.statusId,
      address: { addressId: support },
    });
  });

  it('never ends on an empty page: paged by a divisor of its length, the last full page says hasNextPage false', async () => {
    // The demo support address has 40 statuses (two provider pages of 20); earlier tests may have added
    // mail, so top it up to the next multiple of 40 again.
    const divisible = 40;
    while (stack.sandbox.cloudmailin.statuses(support).length % divisible !== 0) {
      stack.sandbox.cloudmailin.receiveInbound(support, { subject: 'fills the list to a multiple of 40' });
    }
    const all = stack.sandbox.cloudmailin.statuses(support).map((status) => status.id);
    for (const first of [5, 8, 20, 40]) {
      const pages: string[][] = [];
      let after: string | null = null;
      for (;;) {
        const connection = await page(support, first, after);
        pages.push(connection.edges.map((edge) => edge.node.statusId));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor ?? null;
        expect(pages.length, `first: ${first}`).toBeLessThan(all.length / first);
      }
      expect(pages, `first: ${first}`).toHaveLength(all.length / first);
      for (const ids of pages) expect(ids, `first: ${first}`).toHaveLength(first);
      expect(pages.flat()).toEqual(all);
    }

    // The nested list pages the same way.
    const nested: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const connection = await nestedPage(support, 20, after);
      nested.push(connection.edges.map((edge) => edge.node.statusId));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor ?? null;
      expect(nested.length).toBeLessThan(all.length / 20);
    }
    expect(nested).toHaveLength(all.length / 20);
    expect(nested.flat()).toEqual(all);
  });

  it('finds a status deep in the longest list through node(id), with few upstream calls', async () => {
    // The demo address with the most statuses: invoices, 102 (the demo data has 40 to 120 per address).
    const longest = stack.sandbox.cloudmailin
      .addresses()
      .map((address) => ({ addressId: address.id, statuses: stack.sandbox.cloudmailin.statuses(address.id) }))
      .filter(({ addressId }) => addressId !== support && addressId !== DEMO_CLOUDMAILIN.addressIds.replies)
      .sort((a, b) => b.statuses.length - a.statuses.length)[0];
    expect(longest?.addressId).toBe(DEMO_CLOUDMAILIN.addressIds.invoices);
    const addressId = longest?.addressId ?? '';
    const target = longest?.statuses[101];
    expect(target).toBeDefined();
    const time = Date.parse(target?.created_at ?? '');
    const id = globalId('IncomingStatus', `${addressId}/${target?.id}/${time}`);

    // The id the list hands out is the one node(id) takes: address, status and receive time.
    const head = await page(addressId, 100, null);
    const rest = await page(addressId, 10, head.pageInfo.endCursor ?? null);
    expect(rest.edges[1]?.node.statusId).toBe(target?.id);
    expect(rest.edges[1]?.node.id).toBe(id);

    // A cold stack: every page the lookup reads is an upstream call.
    const fresh = await startStack();
    try {
      const before = fresh.upstreamCalls.length;
      const result = await fresh.gql(StatusNode, { id });
      expect(result.errors).toBeUndefined();
      expect(result.data?.node).toEqual({
        __typename: 'IncomingStatus',
        id,
        statusId: target?.id,
        subject: target?.subject,
        receivedAt: new Date(time).toISOString(),
        address: { addressId },
      });
      // Measured: 5 status pages (1, 2, 4, 8 galloping, then 6) and 1 for the address; without the time
      // in the id it would be 6 status pages in order, and far more for deeper rows.
      const calls = fresh.upstreamCalls.slice(before);
      expect(calls.filter((call) => call.route === '/incoming_statuses').length).toBeLessThanOrEqual(5);
      expect(calls.length).toBeLessThanOrEqual(6);

      // A row that is not where its time says: null, with no error (the pages read above may be cached).
      const ghostBefore = fresh.upstreamCalls.length;
      const ghost = await fresh.gql(StatusNode, {
        id: globalId('IncomingStatus', `${addressId}/no-such-status/${time}`),
      });
      expect(ghost.errors).toBeUndefined();
      expect(ghost.data?.node).toBeNull();
      expect(fresh.upstreamCalls.length - ghostBefore).toBeLessThanOrEqual(6);
    } finally {
      await fresh.close();
    }
  });

  it('names the root and the nested list alike: IncomingStatusConnection', async () => {
    const result = await stack.gql(ConnectionTypenames, { addressId: support });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      incomingStatuses: { __typename: 'IncomingStatusConnection' },
      inboundAddress: { incomingStatuses: { __typename: 'IncomingStatusConnection' } },
    });
  });

  it('gives from and to as structured addresses, and null for a bounce’s empty sender', async () => {
    const replies = DEMO_CLOUDMAILIN.addressIds.replies;
    const demo = await page(replies, 20, null);
    const upstream = stack.sandbox.cloudmailin.statuses(replies).slice(0, 20);
    expect(demo.edges.map(({ node }) => [node.from, node.to])).toEqual(
      upstream.map((status) => [
        { address: status.from, name: null, formatted: status.from },
        { address: status.to, name: null, formatted: status.to },
      ]),
    );

    stack.sandbox.cloudmailin.receiveInbound(replies, {
      from: 'alice@example.net',
      to: `${replies}@cloudmailin.net`,
      subject: 'structured addresses',
    });
    stack.sandbox.cloudmailin.receiveInbound(replies, {
      from: '<>',
      to: 'reply@reply.example.net',
      subject: 'Delivery Status Notification (Failure)',
    });
    const connection = await page(replies, 2, null);
    expect(connection.edges.map(({ node }) => ({ from: node.from, to: node.to }))).toEqual([
      {
        from: null,
        to: { address: 'reply@reply.example.net', name: null, formatted: 'reply@reply.example.net' },
      },
      {
        from: { address: 'alice@example.net', name: null, formatted: 'alice@example.net' },
        to: {
          address: `${replies}@cloudmailin.net`,
          name: null,
          formatted: `${replies}@cloudmailin.net`,
        },
      },
    ]);
  });

  it('offers forward pagination only: `last` and `before` are unknown arguments (400)', async () => {
    stack.sandbox.resetCalls();
    const documents = [
      ['last', `{ incomingStatuses(addressId: "${support}", last: 2) { edges { cursor } } }`],
      ['before', `{ incomingStatuses(addressId: "${support}", before: "x") { edges { cursor } } }`],
      ['last', `{ inboundAddress(id: "${support}") { incomingStatuses(last: 2) { edges { cursor } } } }`],
      [
        'before',
        `{ inboundAddress(id: "${support}") { incomingStatuses(before: "x") { edges { cursor } } } }`,
      ],
    ] as const;
    for (const [argument, source] of documents) {
      const result = await stack.gql(parse(source));
      expect(result.status, source).toBe(400);
      expect(result.data, source).toBeUndefined();
      expect(result.errors?.[0]?.extensions?.code, source).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.errors?.[0]?.message, source).toMatch(new RegExp(`Unknown argument "${argument}"`));
    }
    expect(stack.sandbox.calls).toHaveLength(0);
  });
});
