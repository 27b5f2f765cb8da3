/**
 * The Cloudflare client's queue endpoints (`pullQueue`, `ackQueue`) against an undici MockAgent: what goes
 * on the wire (QUEUES-PULL.md §2-§3: path with the queue id, `batch_size` and `visibility_timeout_ms`, the
 * ack body, the Bearer token), that they are never cached and take the token's API budget, the checks
 * made before any call, and the error mapping (a queue's own throttle blocks the queue, the API limit's
 * 429 the whole API budget). The Email Sending OpenAPI slice has no queue routes, so the request bodies
 * are checked against the shapes QUEUES-PULL.md gives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  NotConfiguredError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../../src/errors.js';
import { ACCOUNT, BASE, TOKEN, cloudflareHarness as harness, ok } from './cloudflare-helpers.js';
import { closeHarnesses, header } from './helpers.js';

const QUEUE = '4f6b3c2a9e8d7c6b5a4f3e2d1c0b9a87';
const PULL = `${BASE}/accounts/${ACCOUNT}/queues/${QUEUE}/messages/pull`;
const ACK = `${BASE}/accounts/${ACCOUNT}/queues/${QUEUE}/messages/ack`;
const json = { headers: { 'content-type': 'application/json' } };

/** QUEUES-PULL.md §2: the pull body (`_ms`, never the prose's `visibility_timeout`). */
const pullBody = z
  .object({ batch_size: z.number().int().min(1).max(100), visibility_timeout_ms: z.number().int() })
  .partial()
  .strict();
/** §3: the ack body. */
const ackBody = z
  .object({
    acks: z.array(z.object({ lease_id: z.string() }).strict()),
    retries: z.array(z.object({ lease_id: z.string(), delay_seconds: z.number().int().optional() }).strict()),
  })
  .partial()
  .strict();

const MESSAGE = {
  id: 'b01b5594f784d0165c2985833f5660dd',
  timestamp_ms: 1780282137132,
  attempts: 1,
  lease_id: 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..Q8p21d7dceR6vUfwftONdQ',
  metadata: { 'CF-Content-Type': 'json' },
  body: 'eyJ0eXBlIjoiY2YuZW1haWwuc2VuZGluZy5tZXNzYWdlLmRlbGl2ZXJlZCJ9',
};
const batch = (messages: unknown[]) =>
  ok({
    message_backlog_count: messages.length,
    messages,
    metadata: { metrics: { backlog_bytes: 0, backlog_count: 0, oldest_message_timestamp_ms: 0 } },
  });
const failure = (code: number, message: string) => ({
  success: false,
  errors: [{ code, message }],
  messages: [],
  result: null,
});

afterEach(closeHarnesses);

describe('CloudflareClient queue endpoints', () => {
  it('pulls and acks with the documented bodies, never from the cache, each call on the API budget', async () => {
    const h = harness();
    h.pool.intercept({ path: PULL, method: 'POST' }).reply(200, batch([MESSAGE]), json);
    h.pool.intercept({ path: PULL, method: 'POST' }).reply(200, batch([]), json);
    h.pool
      .intercept({ path: ACK, method: 'POST' })
      .reply(200, ok({ ackCount: 1, retryCount: 1, warnings: {} }), json);
    const before = (await h.client.rateBudget())?.used ?? 0;

    const first = await h.client.pullQueue(QUEUE, { batch_size: 100, visibility_timeout_ms: 60_000 });
    expect(first).toEqual({ backlogCount: 1, messages: [MESSAGE] });
    // The same pull again is a new call: a pull changes the queue, so it is never cached.
    expect(await h.client.pullQueue(QUEUE, { batch_size: 100, visibility_timeout_ms: 60_000 })).toEqual({
      backlogCount: 0,
      messages: [],
    });
    expect(
      await h.client.ackQueue(QUEUE, {
        acks: [{ lease_id: MESSAGE.lease_id }],
        retries: [{ lease_id: 'other', delay_seconds: 60 }],
      }),
    ).toEqual({ ackCount: 1, retryCount: 1, warnings: {} });

    const history = h.history();
    expect(history.map((call) => [call.method, call.path])).toEqual([
      ['POST', PULL],
      ['POST', PULL],
      ['POST', ACK],
    ]);
    for (const call of history) {
      expect(header(call, 'authorization')).toBe(`Bearer ${TOKEN}`);
      expect(header(call, 'content-type')).toBe('application/json');
    }
    expect(pullBody.parse(JSON.parse(String(history[0]?.body)))).toEqual({
      batch_size: 100,
      visibility_timeout_ms: 60_000,
    });
    expect(ackBody.parse(JSON.parse(String(history[2]?.body)))).toEqual({
      acks: [{ lease_id: MESSAGE.lease_id }],
      retries: [{ lease_id: 'other', delay_seconds: 60 }],
    });
    expect(h.calls.map((call) => call.route)).toEqual([
      '/accounts/{account_id}/queues/{queue_id}/messages/pull',
      '/accounts/{account_id}/queues/{queue_id}/messages/pull',
      '/accounts/{account_id}/queues/{queue_id}/messages/ack',
    ]);
    expect((await h.client.rateBudget())?.used).toBe(before + 3);
  });

  it('takes an empty pull in any of its possible shapes', async () => {
    const h = harness();
    for (const result of [null, {}, { messages: null }, { message_backlog_count: 0 }]) {
      h.pool.intercept({ path: PULL, method: 'POST' }).reply(200, ok(result), json);
      expect((await h.client.pullQueue(QUEUE)).messages).toEqual([]);
    }
    // A pull without parameters sends `{}` (allowed, §2).
    expect(JSON.parse(String(h.history()[0]?.body))).toEqual({});
  });

  it('checks its input and configuration before any call', async () => {
    const h = harness();
    await expect(h.client.pullQueue('x'.repeat(33))).rejects.toBeInstanceOf(ValidationError);
    await expect(h.client.pullQueue('../x')).rejects.toBeInstanceOf(ValidationError);
    await expect(h.client.pullQueue(QUEUE, { batch_size: 101 })).rejects.toBeInstanceOf(ValidationError);
    await expect(h.client.pullQueue(QUEUE, { batch_size: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      h.client.pullQueue(QUEUE, { visibility_timeout_ms: 12 * 3_600_000 + 1 }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(h.client.ackQueue(QUEUE, { acks: [{ lease_id: '' }] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(h.makeClient({ accountId: null }).pullQueue(QUEUE)).rejects.toBeInstanceOf(
      NotConfiguredError,
    );
    await expect(h.makeClient({ apiToken: null }).ackQueue(QUEUE, {})).rejects.toBeInstanceOf(
      NotConfiguredError,
    );
    expect(h.history()).toHaveLength(0);
  });

  it('maps failures by status: 404 not found, 5xx server error (not retried), 429 rate limited', async () => {
    const h = harness();
    h.pool.intercept({ path: PULL, method: 'POST' }).reply(404, failure(10104, 'QueueNotFound'), json);
    h.pool.intercept({ path: PULL, method: 'POST' }).reply(503, failure(15000, 'UnknownInternalError'), json);
    const notFound = await h.client.pullQueue(QUEUE).catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ resource: 'CloudflareQueue', id: QUEUE, providerCode: '10104' });
    const server = await h.client.pullQueue(QUEUE).catch((error: unknown) => error);
    expect(server).toBeInstanceOf(UpstreamError);
    expect(server).toMatchObject({ code: 'SERVER_ERROR', status: 503, providerCode: '15000' });
    expect(h.history()).toHaveLength(2);
  });

  it('lets a queue’s own 429 block that queue only, and the API limit’s 429 every call', async () => {
    const h = harness({ upstream: { rateWaitMs: 0 } });
    h.pool
      .intercept({ path: PULL, method: 'POST' })
      .reply(429, failure(10250, 'QueueOverloaded'), { headers: { ...json.headers, 'retry-after': '20' } });
    const overloaded = await h.client.pullQueue(QUEUE).catch((error: unknown) => error);
    expect(overloaded).toBeInstanceOf(RateLimitedError);
    expect(overloaded).toMatchObject({ retryAfterSeconds: 20, providerCode: '10250' });
    // The queue waits; the rest of the API does not.
    await expect(h.client.pullQueue(QUEUE)).rejects.toBeInstanceOf(RateLimitedError);
    expect((await h.client.rateBudget())?.remaining).toBeGreaterThan(0);
    h.clock.now += 20_000;

    h.pool
      .intercept({ path: PULL, method: 'POST' })
      .reply(429, failure(10000, 'rate limited'), { headers: { ...json.headers, 'retry-after': '30' } });
    await expect(h.client.pullQueue(QUEUE)).rejects.toBeInstanceOf(RateLimitedError);
    expect((await h.client.rateBudget())?.remaining).toBe(0);
    expect(h.history()).toHaveLength(2);
  });
});
