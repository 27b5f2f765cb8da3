/**
 * The transport against real misbehaving sockets (test/helpers/fault-upstream.ts): each fault becomes its
 * typed error, and every failed attempt is reported to `onCall` with a code and a cause that are safe to
 * log (issue 8 item 9): never the credential the request carried, never a control character.
 */
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mapCloudMailinError } from '../../src/upstream/cloudmailin-errors.js';
import { HttpTransport, type UpstreamCall } from '../../src/upstream/http.js';
import {
  type Fault,
  type FaultUpstream,
  rateLimited,
  serverError,
  startFaultUpstream,
} from '../helpers/fault-upstream.js';

const TOKEN = 'secret-token-0123456789';
const item = z.object({ id: z.string() });

let faults: FaultUpstream;
let agent: Agent;
let calls: UpstreamCall[];

beforeAll(async () => {
  faults = await startFaultUpstream();
  agent = new Agent({ keepAliveTimeout: 1_000 });
});

afterAll(async () => {
  await agent.close();
  await faults.close();
});

afterEach(() => {
  faults.clear();
  faults.hits.length = 0;
});

function transport(timeoutMs = 300) {
  calls = [];
  return new HttpTransport({
    provider: 'CLOUDMAILIN',
    baseUrl: `${faults.url}/api`,
    timeoutMs,
    maxResponseBytes: 4_096,
    dispatcher: agent,
    onCall: (call) => calls.push(call),
    mapError: (status, body, headers, context) => mapCloudMailinError(status, body, headers, context),
    sleep: async () => {},
  });
}

function get(t: HttpTransport, method: 'GET' | 'POST' = 'GET') {
  return t.request({
    method,
    segments: ['things', 'a1'],
    schema: item,
    expect: [200],
    route: '/things/{id}',
    authorization: `Bearer ${TOKEN}`,
  });
}

describe('each fault is its typed error, and each failed attempt is reported', () => {
  const cases: Array<[string, Fault, string, number]> = [
    ['an answer slower than the deadline', { kind: 'delay', ms: 2_000 }, 'TIMEOUT', 1],
    ['a server that never answers', { kind: 'hang' }, 'TIMEOUT', 1],
    ['a body dripped a byte at a time', { kind: 'drip', body: '{"id":"a1"}', everyMs: 100 }, 'TIMEOUT', 1],
    ['a connection reset (a read is retried once)', { kind: 'reset' }, 'NETWORK', 2],
    ['a body cut short', { kind: 'truncate', body: '{"id":"a1","pad":"xxxxxxxx"}', keep: 5 }, 'NETWORK', 2],
    ['garbage bytes', { kind: 'garbage' }, 'MALFORMED_RESPONSE', 1],
    ['a huge body', { kind: 'huge', bytes: 1_000_000 }, 'RESPONSE_TOO_LARGE', 1],
    [
      'a huge declared body',
      { kind: 'huge', bytes: 1_000_000, declareLength: true },
      'RESPONSE_TOO_LARGE',
      1,
    ],
    ['a 503 (a read is retried once)', serverError(503), 'SERVER_ERROR', 2],
    ['a 500', serverError(500), 'SERVER_ERROR', 1],
    ['a 429 with an absurd Retry-After', rateLimited('99999999'), 'RATE_LIMITED', 1],
  ];

  it.each(cases)('%s', async (_name, fault, code, attempts) => {
    faults.on({ path: '/things/' }, fault);
    const t = transport();
    const error = await get(t).catch((e: unknown) => e);
    expect(error).toMatchObject({ code, provider: 'CLOUDMAILIN' });
    expect(faults.hits).toHaveLength(attempts);
    expect(calls).toHaveLength(attempts);
    for (const call of calls) {
      expect(call.route).toBe('/things/{id}');
      expect(call.failure).toMatchObject({ code, cause: expect.any(String) });
      expect(call.failure?.cause).not.toMatch(/[\u0000-\u001f]/);
      expect(JSON.stringify(call)).not.toContain(TOKEN);
    }
    expect(calls.at(-1)?.failure?.retried).toBe(false);
    if (code === 'RATE_LIMITED') expect(calls[0]?.failure?.retryAfterSeconds).toBe(60);
  });

  it('a send (POST) is never retried, whatever the fault', async () => {
    for (const fault of [{ kind: 'reset' } as Fault, serverError(503)]) {
      faults.clear();
      faults.hits.length = 0;
      faults.on({ method: 'POST', path: '/things/' }, fault);
      await expect(get(transport(), 'POST')).rejects.toBeDefined();
      expect(faults.hits).toHaveLength(1);
    }
  });

  it('a credential the upstream echoes in its error text is not in the report, nor the answer', async () => {
    faults.on(
      { path: '/things/' },
      { kind: 'respond', status: 422, body: { status: 422, error: `bad token ${TOKEN}\u001b[2J\r\nX: y` } },
    );
    const error = (await get(transport()).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('bad token **** [2J X: y');
    expect(calls[0]?.failure).toMatchObject({ code: 'VALIDATION_FAILED', cause: 'bad token **** [2J X: y' });
  });

  it('rules apply a given number of times, then requests pass (here: 404 without a target)', async () => {
    faults.on({ path: '/things/' }, serverError(502), { times: 1 });
    const error = await get(transport()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
    expect(faults.hits.map((hit) => hit.fault)).toEqual(['respond', 'pass']);
    expect(calls.map((call) => call.failure?.code)).toEqual(['SERVER_ERROR', 'NOT_FOUND']);
  });
});
