/**
 * The HTTP front's fast path (src/fast-path.ts): a cached answer is written exactly as yoga would write it,
 * and identical queries of one client key in flight share one execution, while mutations and other keys
 * never share.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultUpstream, startFaultUpstream } from './helpers/fault-upstream.js';
import { type Stack, startStack } from './helpers/stack.js';

const READER_A = 'reader-a-0123456789abcdef';
const READER_B = 'reader-b-0123456789abcdef';
const SENDER = 'sender-0123456789abcdefgh';
const KEYS = `${READER_A}:read,${READER_B}:read,${SENDER}:send`;
const ORIGIN = 'https://app.example.com';
const QUERY = '{ inboundAddresses(first: 3) { nodes { id emailAddress nickname } } }';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

async function stackWith(
  env: Record<string, string>,
  slow?: (faults: FaultUpstream) => void,
): Promise<Stack> {
  let faults: FaultUpstream | undefined;
  const stack = await startStack({
    env: { MAILGRAPH_API_KEYS: KEYS, MAILGRAPH_CORS_ORIGINS: ORIGIN, ...env },
    ...(slow
      ? {
          cloudmailinUrl: async (url: string) => {
            faults = await startFaultUpstream(url);
            slow(faults);
            return faults.url;
          },
        }
      : {}),
  });
  open.push(stack);
  if (faults) open.push(faults);
  return stack;
}

async function post(stack: Stack, key: string, accept: string, body = JSON.stringify({ query: QUERY })) {
  const response = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, origin: ORIGIN, authorization: `Bearer ${key}` },
    body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    cors: response.headers.get('access-control-allow-origin'),
    vary: response.headers.get('vary'),
    body: await response.text(),
  };
}

async function metric(stack: Stack, name: string): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('the fast path', () => {
  it('writes a cached answer with the status, type, CORS headers and bytes yoga writes', async () => {
    const stack = await stackWith({});
    const executed = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${READER_A}` },
      body: JSON.stringify({ query: QUERY }),
    });
    // Kept, but answered as without a cache: no ETag or Last-Modified, nothing of the cache in the body.
    expect(executed.headers.get('etag')).toBeNull();
    expect(executed.headers.get('last-modified')).toBeNull();
    const executedBody = (await executed.json()) as { extensions: { cost: object } };
    expect(Object.keys(executedBody.extensions)).toEqual(['cost']);
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const fast = await post(stack, READER_A, accept);
      expect(JSON.parse(fast.body)).toEqual({
        ...executedBody,
        extensions: { cost: { ...executedBody.extensions.cost, upstreamCalls: 0 } },
      });
      // Not an Accept the fast path answers: the same hit goes through yoga's own response-cache lookup.
      const yoga = await post(stack, READER_A, `${accept}; charset=utf-8`);
      expect(fast).toEqual(yoga);
      expect(fast.status).toBe(200);
      expect(fast.type).toBe(`${accept}; charset=utf-8`);
      expect(fast.cors).toBe(ORIGIN);
    }
    expect(stack.upstreamCalls).toHaveLength(1);
    expect(stack.responseCache?.stats.hit).toBe(4);
  });

  it('hands what it cannot key on to yoga, which answers it exactly as without the fast path', async () => {
    const stack = await stackWith({});
    const bodies = [
      'not json',
      '[{"query":"{ __typename }"}]',
      '{"query":42}',
      JSON.stringify({ query: `{ ${'inboundAddresses { nodes { id } } '.repeat(400)} }` }),
      JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1 } } }),
      JSON.stringify({ query: '{ nope }' }),
      JSON.stringify({ query: '{ __typename }', variables: [1] }),
      // Nested far deeper than any request may: refused by the shape limits, never keyed or parsed here.
      `{"query":"{ __typename }","variables":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
    ];
    for (const body of bodies) {
      // GraphQL over HTTP's own media type: every refusal is a 4xx there.
      const fast = await post(stack, READER_A, 'application/graphql-response+json', body);
      const yoga = await post(stack, READER_A, 'application/graphql-response+json; charset=utf-8', body);
      expect(fast, body.slice(0, 80)).toEqual(yoga);
      // Everything but the request with `extensions` (which yoga runs) is refused, as a client error.
      if (!body.includes('extensions')) {
        expect(fast.status, body.slice(0, 80)).toBeGreaterThanOrEqual(400);
        expect(fast.status, body.slice(0, 80)).toBeLessThan(500);
      }
    }
    expect(stack.upstreamCalls).toHaveLength(0);
  });

  it('shares one execution among identical queries of one key in flight, with no cache at all', async () => {
    const stack = await stackWith({ MAILGRAPH_CACHE_TTL_SECONDS: '0' }, (faults) =>
      faults.on({ path: '/addresses' }, { kind: 'delay', ms: 300 }),
    );
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post(stack, READER_A, 'application/json')),
    );
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(JSON.parse(answers[0]?.body ?? '{}').data.inboundAddresses.nodes).toHaveLength(3);
    expect(stack.upstreamCalls).toHaveLength(1);
    expect(await metric(stack, 'mailgraph_graphql_shared_executions_total')).toBe(9);
    expect(await metric(stack, 'mailgraph_graphql_operations_total{')).toBe(1);

    // After the answer, the next one executes again: nothing is kept.
    await post(stack, READER_A, 'application/json');
    expect(stack.upstreamCalls).toHaveLength(2);
  });

  it('never shares between client keys, nor a mutation', async () => {
    const stack = await stackWith({ MAILGRAPH_CACHE_TTL_SECONDS: '0' }, (faults) => {
      faults.on({ path: '/addresses' }, { kind: 'delay', ms: 300 });
      faults.on({ method: 'POST', path: /\/messages$/ }, { kind: 'delay', ms: 300 });
    });
    await Promise.all([post(stack, READER_A, 'application/json'), post(stack, READER_B, 'application/json')]);
    expect(await metric(stack, 'mailgraph_graphql_shared_executions_total')).toBe(0);

    const send = JSON.stringify({
      query:
        'mutation { sendEmail(input: { provider: CLOUDMAILIN, from: { email: "a@example.com" }, to: [{ email: "b@example.net" }], subject: "s", text: "t" }) { __typename } }',
    });
    const sent = await Promise.all([
      post(stack, SENDER, 'application/json', send),
      post(stack, SENDER, 'application/json', send),
    ]);
    expect(sent.map((answer) => JSON.parse(answer.body).data.sendEmail.__typename)).toEqual([
      'SendEmailPayload',
      'SendEmailPayload',
    ]);
    expect(stack.upstreamCalls.filter((call) => call.method === 'POST')).toHaveLength(2);
    expect(await metric(stack, 'mailgraph_graphql_shared_executions_total')).toBe(0);
  });
});
