import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { type Stack, expectTypename, startStack } from './helpers/stack.js';

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
    const get = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    const mutation = `mutation { deleteInboundAddress(id: "aaaa740b4c5c37b1aaaa") { __typename } }`;
    const refused = await fetch(`${stack.url}/graphql?query=${encodeURIComponent(mutation)}`, {
      headers: { accept: 'application/graphql-response+json' },
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

  it('refuses queries that are too deep, too wide with aliases, or too long', async () => {
    let deep = 'subject';
    for (let i = 0; i < 4; i += 1)
      deep = `incomingStatuses(first: 1) { edges { node { address { ${deep} } } } }`;
    const depth = await post(
      JSON.stringify({ query: `{ inboundAddress(id: "x") { ... on InboundAddress { ${deep} } } }` }),
    );
    expect(depth.status).toBe(400);
    expect(depth.json.errors?.[0]?.message).toMatch(/depth/i);

    let costly = '__typename';
    for (let i = 0; i < 3; i += 1)
      costly = `incomingStatuses(first: 100) { edges { node { address { ${costly} } } } }`;
    const cost = await post(
      JSON.stringify({ query: `{ a: inboundAddress(id: "x") { ... on InboundAddress { ${costly} } } }` }),
    );
    expect(cost.status).toBe(400);
    expect(cost.json.errors?.[0]?.message).toMatch(/cost/i);

    const aliases = Array.from(
      { length: 30 },
      (_, i) => `a${i}: inboundAddresses(first: 1) { __typename }`,
    ).join(' ');
    const wide = await post(JSON.stringify({ query: `{ ${aliases} }` }));
    expect(wide.status).toBe(400);
    expect(wide.json.errors?.[0]?.message).toMatch(/alias/i);

    const tokens = await post(JSON.stringify({ query: `{ ${'__typename '.repeat(4000)} }` }));
    expect(tokens.status).toBe(400);
    expect(tokens.json.errors?.[0]?.message).toMatch(/token/i);
    expect(stack.sandbox.calls.length).toBe(0);
  });

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
    expect(await ready.json()).toEqual({ ready: true });
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
    expectTypename(
      (await secured.gql(Read, undefined, reader)).data?.inboundAddresses,
      'QueryInboundAddressesConnection',
    );
    const denied = await secured.gql(Manage, undefined, reader);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(secured.sandbox.cloudmailin.sendingDomains().some((d) => d.domain === 'scoped.example.test')).toBe(
      false,
    );
    const sender = await secured.gql(Read, undefined, { authorization: 'Bearer sender-key-0123456789' });
    expect(sender.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const allowed = await secured.gql(Manage, undefined, admin);
    expect(allowed.data?.createSendingDomain?.__typename).toBe('SendingDomainPayload');
  });
});
