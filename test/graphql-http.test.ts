import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { type Stack, globalId as globalIdOf, startStack } from './helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
  });
  const text = await response.text();
  let json: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } =
    {};
  try {
    json = JSON.parse(text);
  } catch {
    // some refusals are not GraphQL responses
  }
  return { status: response.status, json, text };
}

describe('GraphQL over HTTP: bad input gets a clear error', () => {
  it('answers a query over GET and refuses a mutation over GET', async () => {
    // A GET carries a header no simple cross-site request can (CSRF prevention: test/http-front.test.ts).
    const get = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toMatchObject({ data: { __typename: 'Query' } });
    const mutation = `mutation { deleteInboundAddress(id: "aaaa740b4c5c37b1aaaa") { __typename } }`;
    const refused = await fetch(`${stack.url}/graphql?query=${encodeURIComponent(mutation)}`, {
      headers: { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1' },
    });
    expect(refused.status).toBe(405);
    expect(stack.sandbox.cloudmailin.addresses().some((a) => a.id === 'aaaa740b4c5c37b1aaaa')).toBe(true);
  });

  it('refuses a syntax error, an unknown field and a wrongly typed variable with 400', async () => {
    const syntax = await post(JSON.stringify({ query: '{ inboundAddresses(first: 1 { __typename }' }));
    expect(syntax.status).toBe(400);
    expect(syntax.json.errors?.[0]?.message).toMatch(/Syntax Error/);
    const unknown = await post(JSON.stringify({ query: '{ nope }' }));
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors?.[0]?.message).toMatch(/nope/);
    const variable = await post(
      JSON.stringify({
        query: 'query($n: Int) { inboundAddresses(first: $n) { __typename } }',
        variables: { n: 'ten' },
      }),
    );
    expect(variable.status).toBe(400);
    expect(variable.json.errors?.[0]?.message).toMatch(/Int/);
  });

  it('refuses bodies that are not GraphQL requests', async () => {
    for (const body of [
      'not json',
      '[]',
      '{"query": 42}',
      '{}',
      'null',
      '{"query": "{ __typename }", "variables": "x"}',
    ]) {
      const result = await post(body);
      expect(result.status, body).toBeGreaterThanOrEqual(400);
      expect(result.status, body).toBeLessThan(500);
    }
  });

  it('refuses batched requests (one operation per request keeps the rate budget accountable)', async () => {
    const result = await post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(result.status).toBe(400);
  });

  it('refuses a body over the size limit with 413 and a body without length with 411, before parsing', async () => {
    const huge = await post(
      JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(17 * 1024 * 1024) } }),
    );
    expect(huge.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          `${stack.url}/graphql`,
          { method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('{"query":"{ __typename }"}');
        req.end();
      });
    });
    expect(chunked).toBe(411);
  });

  it('refuses queries that are too deep, too wide with aliases, or too long, with a code and no "Syntax Error"', async () => {
    let deep = 'subject';
    for (let i = 0; i < 4; i += 1) deep = `incomingStatuses(first: 1) { nodes { address { ${deep} } } }`;
    const depth = await post(JSON.stringify({ query: `{ inboundAddress(id: "x") { ${deep} } }` }));
    expect(depth.status).toBe(400);
    expect(depth.json.errors?.[0]?.message).toMatch(/^Query depth limit of 10 exceeded/);
    expect(depth.json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const aliases = Array.from(
      { length: 30 },
      (_, i) => `a${i}: inboundAddresses(first: 1) { __typename }`,
    ).join(' ');
    const wide = await post(JSON.stringify({ query: `{ ${aliases} }` }));
    expect(wide.status).toBe(400);
    expect(wide.json.errors?.[0]?.message).toMatch(/alias/i);
    expect(wide.json.errors?.[0]?.message).not.toMatch(/Syntax Error/);

    const tokens = await post(JSON.stringify({ query: `{ ${'__typename '.repeat(4000)} }` }));
    expect(tokens.status).toBe(400);
    expect(tokens.json.errors?.[0]?.message).toMatch(/token/i);
    expect(stack.sandbox.calls.length).toBe(0);
  });

  it('tells parse, validation and variable errors apart by code', async () => {
    const syntax = await post(JSON.stringify({ query: '{ inboundAddresses(first: 1 {' }));
    expect(syntax.json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknown = await post(JSON.stringify({ query: '{ nope }' }));
    expect(unknown.json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const variable = await post(
      JSON.stringify({
        query: 'query($n: Int) { inboundAddresses(first: $n) { __typename } }',
        variables: { n: 'ten' },
      }),
    );
    expect(variable.status).toBe(400);
    expect(variable.json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const backwards = await post(JSON.stringify({ query: '{ inboundAddresses(last: 2) { nodes { id } } }' }));
    expect(backwards.status).toBe(400);
    expect(backwards.json.errors?.[0]?.message).toMatch(/Unknown argument "last"/);
    const badId = await post(JSON.stringify({ query: '{ node(id: "%%%") { id } }' }));
    expect(badId.status).toBe(200);
    expect(badId.json.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
  });
});

describe('the query cost model', () => {
  const Dashboard = graphql(`
    query CostDashboard {
      inboundAddresses(first: 20) {
        nodes {
          id
          incomingStatuses(first: 20) { nodes { id subject address { id } } pageInfo { hasNextPage endCursor } }
          customDomains(first: 20) { nodes { domain } }
        }
      }
      outboundMessages(first: 20) { nodes { id recipients { email events { kind } } } }
    }
  `);

  it('lets the README dashboards through and reports what they may cost and what they did', async () => {
    const fresh = await startStack();
    try {
      const result = await fresh.gql(Dashboard);
      expect(result.errors).toBeUndefined();
      // 1 + 20 × (1 + 20 × 1 + 1) addresses with statuses, their addresses and domains, + 1 + 20 × 1 outbound.
      expect(result.extensions?.cost).toEqual({
        requested: 1 + 20 * (1 + 20 + 1) + 1 + 20,
        limit: 1000,
        upstreamCalls: fresh.sandbox.calls.length,
      });
      expect(fresh.sandbox.calls.length).toBeGreaterThan(0);
      const again = await fresh.gql(Dashboard);
      expect((again.extensions?.cost as { upstreamCalls: number }).upstreamCalls).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it('refuses an abusive query before any upstream call, with a code and the status GraphQL over HTTP prescribes', async () => {
    const query =
      '{ inboundAddresses(first: 100) { nodes { incomingStatuses(first: 100) { nodes { address { id } } } } } }';
    stack.sandbox.resetCalls();
    for (const [accept, status] of [
      ['application/graphql-response+json', 400],
      ['application/json', 200],
    ] as const) {
      const refused = await post(JSON.stringify({ query }), { accept });
      expect(refused.status, accept).toBe(status);
      const error = refused.json.errors?.[0];
      expect(error?.message).toMatch(
        /^This operation could cost up to 10101 upstream calls; the limit is 1000/,
      );
      expect(error?.extensions).toEqual({
        code: 'COST_LIMIT_EXCEEDED',
        cost: { requested: 10101, limit: 1000 },
      });
      expect(refused.json.data).toBeUndefined();
    }
    expect(stack.sandbox.calls).toHaveLength(0);
  });

  it('counts variables: `first` from a variable and each id of `nodes(ids:)`', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => globalIdOf('InboundAddress', `a${i}`));
    const nodes = await post(
      JSON.stringify({
        query:
          'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on InboundAddress { incomingStatuses(first: 20) { nodes { id } } } } }',
        variables: { ids },
      }),
    );
    // 60 lookups, each with one list of statuses: 60 × (1 + 1).
    expect((nodes.json as { extensions?: { cost?: unknown } }).extensions?.cost).toMatchObject({
      requested: 120,
      limit: 1000,
    });
    const tooMany = await post(
      JSON.stringify({
        query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
        variables: { ids: Array.from({ length: 101 }, (_, i) => globalIdOf('InboundAddress', `a${i}`)) },
      }),
    );
    expect(tooMany.json.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(tooMany.json.errors?.[0]?.message).toMatch(/At most 100 ids/);
    const byVariable = await post(
      JSON.stringify({
        query:
          'query($n: Int) { inboundAddresses(first: $n) { nodes { incomingStatuses(first: $n) { nodes { id } } } } }',
        variables: { n: 40 },
      }),
    );
    expect((byVariable.json as { extensions?: { cost?: unknown } }).extensions?.cost).toMatchObject({
      requested: 1 + 40 * 1,
    });
    const over = await post(
      JSON.stringify({
        query:
          'query($n: Int) { inboundAddresses(first: $n) { nodes { incomingStatuses(first: $n) { nodes { address { id } } } } } }',
        variables: { n: 40 },
      }),
    );
    // 1 + 40 × (1 + 40 × 1) = 1641: the same document is refused with larger variables.
    expect(over.json.errors?.[0]?.extensions?.cost).toEqual({ requested: 1641, limit: 1000 });
  });
});

describe('the rate budget, as a client sees it', () => {
  it('reports each provider’s remaining budget and when it refills, and spends none to do so', async () => {
    const limited = await startStack({ sandbox: { rateLimits: true } });
    try {
      const RateLimits = graphql(`
        query Budget { rateLimits { provider limit used remaining windowSeconds retryAfterSeconds nextCallAt resetAt } }
      `);
      const before = await limited.gql(RateLimits);
      const cloudmailin = before.data?.rateLimits.find((r) => r.provider === 'CLOUDMAILIN');
      expect(cloudmailin).toMatchObject({
        limit: 5,
        used: 0,
        remaining: 5,
        windowSeconds: 61,
        retryAfterSeconds: 0,
      });
      expect(before.data?.rateLimits.find((r) => r.provider === 'CLOUDFLARE')).toMatchObject({
        limit: 1200,
        remaining: 1200,
        windowSeconds: 301,
      });
      expect(limited.sandbox.calls).toHaveLength(0);
      await limited.gql(
        graphql(
          `query SpendTwo { inboundAddresses(first: 1) { nodes { id } } outboundMessages(first: 1) { nodes { id } } }`,
        ),
      );
      const spent = limited.sandbox.calls.length;
      expect(spent).toBe(2);
      const after = await limited.gql(RateLimits);
      const now = after.data?.rateLimits.find((r) => r.provider === 'CLOUDMAILIN');
      expect(now).toMatchObject({ used: 2, remaining: 3, retryAfterSeconds: 0 });
      const resetIn = Date.parse(String(now?.resetAt)) - Date.now();
      expect(resetIn).toBeGreaterThan(55_000);
      expect(resetIn).toBeLessThanOrEqual(61_000);
      expect(limited.sandbox.calls).toHaveLength(spent);
    } finally {
      await limited.close();
    }
  });
});

describe('GraphQL over HTTP: operability', () => {
  it('masks unexpected errors and never leaks stack traces', async () => {
    const result = await stack.gql(graphql(`query Masked { node(id: "%%%") { id } }`));
    expect(JSON.stringify(result)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('counts upstream calls and operations on /metrics (Prometheus text format)', async () => {
    const fresh = await startStack();
    try {
      await fresh.gql(
        graphql(`query MetricsProbe { sendingDomains(provider: CLOUDMAILIN, first: 2) { __typename } }`),
      );
      const response = await fetch(`${fresh.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      const calls = fresh.sandbox.calls.length;
      expect(text).toContain(
        `mailgraph_upstream_calls_total{provider="CLOUDMAILIN",method="GET",route="/sending_domains",status="200"} ${calls}`,
      );
      expect(text).toContain('mailgraph_graphql_operations_total{type="query",outcome="ok"} 1');
      expect(text).toMatch(/mailgraph_process_cpu_seconds_total/);
    } finally {
      await fresh.close();
    }
  });

  it('serves /health and /ready', async () => {
    expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    const ready = await fetch(`${stack.url}/ready`);
    expect(ready.status).toBe(200);
    // The per-provider report is tested in test/upstream-faults.test.ts.
    expect(await ready.json()).toMatchObject({ ready: true, providers: { cloudmailin: { status: 'up' } } });
  });
});

describe('client API keys and scopes', () => {
  let secured: Stack;
  beforeAll(async () => {
    secured = await startStack({
      env: {
        MAILGRAPH_API_KEYS:
          'reader-key-0123456789:read,sender-key-0123456789:send,admin-key-012345678901:read+send+manage',
      },
    });
  });
  afterAll(() => secured.close());

  const Read = graphql(`query ScopedRead { inboundAddresses(first: 1) { __typename } }`);
  const Manage = graphql(`
    mutation ScopedManage { createSendingDomain(provider: CLOUDMAILIN, domain: "scoped.example.test") { __typename } }
  `);

  it('requires a known key when keys are configured (401 with WWW-Authenticate)', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-key-0123456789',
      'Basic abc',
      'Bearer ',
      `Bearer ${'k'.repeat(600)}`,
    ]) {
      const response = await fetch(`${secured.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('lets each key do what its scopes allow, and nothing else', async () => {
    const reader = { authorization: 'Bearer reader-key-0123456789' };
    const admin = { authorization: 'Bearer admin-key-012345678901' };
    expect((await secured.gql(Read, undefined, reader)).data?.inboundAddresses?.__typename).toBe(
      'InboundAddressConnection',
    );
    const denied = await secured.gql(Manage, undefined, reader);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(secured.sandbox.cloudmailin.sendingDomains().some((d) => d.domain === 'scoped.example.test')).toBe(
      false,
    );
    const sender = await secured.gql(Read, undefined, { authorization: 'Bearer sender-key-0123456789' });
    expect(sender.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const allowed = await secured.gql(Manage, undefined, admin);
    expect(allowed.data?.createSendingDomain?.__typename).toBe('CreateSendingDomainPayload');
  });
});
