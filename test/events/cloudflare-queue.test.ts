/**
 * The Cloudflare events consumer (src/events/cloudflare-queue.ts): against the emulator's queue over real
 * HTTP, with the real Cloudflare client and an embedded event log, one pull at a time (`poll()`), so that
 * every assertion is about counts: events stored, acks made, redeliveries. The pacing of the loop is
 * checked on a virtual clock (the number of pulls and the waits between them), never on timings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SANDBOX_CLOUDFLARE as CF } from '../../src/demo-accounts.js';
import { UpstreamError } from '../../src/errors.js';
import {
  type CloudflareQueueClient,
  CloudflareQueueConsumer,
  type CloudflareQueueConsumerOptions,
} from '../../src/events/cloudflare-queue.js';
import { LmdbEventLog } from '../../src/events/lmdb-log.js';
import type { EventLog } from '../../src/events/log.js';
import type { MessageEventPayload } from '../../src/events/normalize.js';
import { DEMO_CLOUDFLARE } from '../../src/sandbox/cloudflare-demo.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import type { QueuePullResult } from '../../src/upstream/cloudflare-queue-wire.js';
import { CloudflareClient } from '../../src/upstream/cloudflare.js';
import { createUpstreamShared } from '../../src/upstream/shared.js';
import { ACCOUNT, BASE, cloudflareHarness, ok } from '../upstream/cloudflare-helpers.js';
import { baseUpstream, closeHarnesses } from '../upstream/helpers.js';

const QUEUE = CF.eventsQueueId;
const ACK_PATH = `/cloudflare/client/v4/accounts/${CF.accountId}/queues/${QUEUE}/messages/ack`;
const PULL_PATH = `/cloudflare/client/v4/accounts/${CF.accountId}/queues/${QUEUE}/messages/pull`;
const FROM = `news@${DEMO_CLOUDFLARE.subdomains.mail.name}`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await closeHarnesses();
});

function clock(start = Date.parse('2026-11-21T12:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function tempLog(): EventLog {
  const dir = mkdtempSync(join(tmpdir(), 'mailgraph-cfq-'));
  const log = new LmdbEventLog(dir, { retentionMs: 24 * 3_600_000 });
  cleanups.push(async () => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return log;
}

interface Setup {
  sb: Sandbox;
  time: ReturnType<typeof clock>;
  client: CloudflareClient;
  log: EventLog;
  warnings: Array<[object, string]>;
  consumer: (overrides?: Partial<CloudflareQueueConsumerOptions>) => CloudflareQueueConsumer;
  /** Calls the emulator received on the queue routes, as `pull` / `ack`. */
  queueCalls: () => string[];
}

async function setup(): Promise<Setup> {
  const time = clock();
  const sb = await startSandbox({ rateLimits: false, now: time.now });
  cleanups.push(() => sb.close());
  const client = new CloudflareClient({
    config: {
      apiUrl: sb.cloudflareUrl,
      apiToken: CF.apiToken,
      accountId: CF.accountId,
      zoneIds: [...CF.zoneIds],
    },
    upstream: baseUpstream,
    shared: createUpstreamShared({ now: time.now }),
  });
  const log = tempLog();
  const warnings: Array<[object, string]> = [];
  return {
    sb,
    time,
    client,
    log,
    warnings,
    consumer: (overrides = {}) =>
      new CloudflareQueueConsumer({
        client,
        queueId: QUEUE,
        log,
        logger: { warn: (fields, message) => void warnings.push([fields, message]) },
        ...overrides,
      }),
    queueCalls: () =>
      sb.calls.flatMap((call) =>
        call.path === PULL_PATH ? ['pull'] : call.path === ACK_PATH ? ['ack'] : [],
      ),
  };
}

const send = (client: CloudflareClient, to: string[]) =>
  client.send({ from: FROM, to, subject: 'Events', text: 'hello' });

async function storedEvents(log: EventLog) {
  return (await log.read({ limit: 1000 })).map((event) => event.payload as MessageEventPayload);
}

describe('CloudflareQueueConsumer against the emulated queue', () => {
  it('stores the events of a send once, then acknowledges them, and the queue is empty', async () => {
    const { client, log, consumer, sb, queueCalls } = await setup();
    const sent = await send(client, ['a@example.org', 'b@defer.example.org', 'c@bounce.example.org']);
    const outcome = await consumer().poll();
    expect(outcome).toEqual({
      kind: 'batch',
      pulled: 3,
      full: false,
      stored: 3,
      duplicates: 0,
      acked: 3,
      retried: 0,
      ackFailed: false,
    });
    expect(queueCalls()).toEqual(['pull', 'ack']);
    expect(sb.cloudflare.queue().view()).toEqual([]);
    const events = await storedEvents(log);
    expect(events.map((event) => [event.recipient, event.kind, event.messageId])).toEqual([
      ['a@example.org', 'delivery', sent.message_id],
      ['b@defer.example.org', 'soft_bounce', sent.message_id],
      ['c@bounce.example.org', 'bounce', sent.message_id],
    ]);
    expect(await consumer().poll()).toEqual({ kind: 'empty' });
  });

  it('stores a message whose ack was lost once: it comes back after the visibility timeout, as a duplicate', async () => {
    const { client, log, consumer, sb, time, queueCalls } = await setup();
    let lost = 0;
    const flaky: CloudflareQueueClient = {
      pullQueue: (queueId, request) => client.pullQueue(queueId, request),
      ackQueue: async (queueId, request) => {
        if (lost === 0) {
          lost += 1;
          throw new UpstreamError('Cloudflare could not be reached', 'CLOUDFLARE', null, 'NETWORK');
        }
        return client.ackQueue(queueId, request);
      },
    };
    const worker = consumer({ client: flaky, visibilityTimeoutMs: 60_000 });
    await send(client, ['a@example.org', 'b@example.org']);
    expect(await worker.poll()).toMatchObject({ kind: 'batch', stored: 2, ackFailed: true, acked: 0 });
    // Still leased: nothing to pull until the lease runs out.
    expect(await worker.poll()).toEqual({ kind: 'empty' });
    time.advance(60_000);
    expect(await worker.poll()).toMatchObject({
      kind: 'batch',
      pulled: 2,
      stored: 0,
      duplicates: 2,
      acked: 2,
    });
    expect(await storedEvents(log)).toHaveLength(2);
    expect(sb.cloudflare.queue().view()).toEqual([]);
    expect(queueCalls()).toEqual(['pull', 'pull', 'pull', 'ack']);
  });

  it('never acknowledges before the append resolved, and nothing at all when it failed', async () => {
    const { client, log, consumer, sb, time, queueCalls, warnings } = await setup();
    let release: () => void = () => {};
    let appends = 0;
    const gated: EventLog = {
      ...log,
      append: async (events) => {
        appends += 1;
        if (appends === 1) throw new Error('disk full');
        if (appends === 2) {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        }
        return log.append(events);
      },
    };
    const worker = consumer({ log: gated, visibilityTimeoutMs: 30_000 });
    await send(client, ['a@example.org', 'b@example.org', 'c@example.org']);

    // The log fails: nothing acknowledged, the messages stay leased, a warning says so.
    expect(await worker.poll()).toMatchObject({ kind: 'failed', stage: 'store' });
    expect(queueCalls()).toEqual(['pull']);
    expect(
      sb.cloudflare
        .queue()
        .view()
        .map((m) => [m.leased, m.attempts]),
    ).toEqual([
      [true, 1],
      [true, 1],
      [true, 1],
    ]);
    expect(warnings.map(([, message]) => message)).toEqual([
      'cloudflare events queue: events could not be stored; nothing acknowledged',
    ]);

    // Redelivered after the timeout; while the append is pending, no ack goes out.
    time.advance(30_000);
    const polling = worker.poll();
    await vi.waitFor(() => expect(appends).toBe(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queueCalls()).toEqual(['pull', 'pull']);
    release();
    expect(await polling).toMatchObject({ kind: 'batch', pulled: 3, stored: 3, acked: 3 });
    expect(queueCalls()).toEqual(['pull', 'pull', 'ack']);
    expect(await storedEvents(log)).toHaveLength(3);
    expect(sb.cloudflare.queue().view()).toEqual([]);
  });

  it('retries a message that is no event with a delay, then acknowledges it at the 3rd attempt and warns', async () => {
    const { client, log, consumer, sb, time, warnings } = await setup();
    const worker = consumer({ poisonRetryDelaySeconds: 60 });
    const poison = sb.cloudflare.queue().publish('eyJub3QiOiJhbiBldmVudCJ9');
    await send(client, ['a@example.org']);

    expect(await worker.poll()).toMatchObject({ kind: 'batch', pulled: 2, stored: 1, acked: 1, retried: 1 });
    expect(await worker.poll()).toEqual({ kind: 'empty' });
    time.advance(60_000);
    expect(await worker.poll()).toMatchObject({ kind: 'batch', pulled: 1, stored: 0, acked: 0, retried: 1 });
    expect(warnings).toEqual([]);
    time.advance(60_000);
    expect(await worker.poll()).toMatchObject({ kind: 'batch', pulled: 1, stored: 0, acked: 1, retried: 0 });
    expect(warnings).toEqual([
      [
        expect.objectContaining({
          messageId: poison,
          attempts: 3,
          problem: expect.stringContaining('payload'),
        }),
        'cloudflare events queue: dropped a message that is no event',
      ],
    ]);
    expect(sb.cloudflare.queue().view()).toEqual([]);
    expect(sb.cloudflare.queue().deadLetters()).toEqual([]);
    expect(await storedEvents(log)).toHaveLength(1);
  });

  it('decodes a body sent as plain JSON text as well as base64 (both seen, QUEUES-PULL.md §2)', async () => {
    const { client, log, consumer, sb } = await setup();
    await send(client, ['a@example.org']);
    const [published] = sb.cloudflare.queue().view();
    // The same event again, as plain JSON text: one more message, the same eventId, stored once.
    sb.cloudflare.queue().publish(JSON.stringify(published?.event));
    expect(await consumer().poll()).toMatchObject({ pulled: 2, stored: 1, duplicates: 1, acked: 2 });
    expect(await storedEvents(log)).toHaveLength(1);
  });

  it('counts every pull and ack against the token’s API budget', async () => {
    const { client, consumer } = await setup();
    const before = (await client.rateBudget())?.used ?? 0;
    await send(client, ['a@example.org']);
    const worker = consumer();
    await worker.poll();
    await worker.poll();
    // One send, two pulls, one ack.
    expect((await client.rateBudget())?.used).toBe(before + 4);
  });
});

/** A client whose pulls answer from `script`, one entry per pull (then empty), on a virtual clock. */
function scripted(script: Array<QueuePullResult | Error> = []) {
  const pulls: number[] = [];
  const virtual = { now: 0 };
  const client: CloudflareQueueClient = {
    pullQueue: async () => {
      pulls.push(virtual.now);
      const next = script.shift();
      if (next instanceof Error) throw next;
      return next ?? { backlogCount: 0, messages: [] };
    },
    ackQueue: async () => ({ ackCount: 0, retryCount: 0, warnings: null }),
  };
  return { client, pulls, virtual };
}

/** Runs the loop until the virtual clock reaches `untilMs`; returns the waits it asked for. */
async function runFor(
  untilMs: number,
  options: Omit<CloudflareQueueConsumerOptions, 'sleep' | 'queueId'> & { virtual: { now: number } },
) {
  const sleeps: number[] = [];
  let stopped: Promise<void> | undefined;
  const consumer = new CloudflareQueueConsumer({
    ...options,
    queueId: QUEUE,
    sleep: async (ms) => {
      sleeps.push(ms);
      options.virtual.now += ms;
      if (options.virtual.now >= untilMs) stopped ??= consumer.stop();
    },
  });
  consumer.start();
  await vi.waitFor(() => expect(stopped).toBeDefined());
  await stopped;
  return sleeps;
}

const message = (id: string) => ({
  id,
  lease_id: `lease-${id}`,
  attempts: 1,
  body: JSON.stringify({
    type: 'cf.email.sending.message.delivered',
    payload: { eventId: `event-${id}`, messageId: '<m@x>', recipient: 'a@example.org' },
  }),
});

describe('CloudflareQueueConsumer pacing (virtual clock)', () => {
  it('backs off on an empty queue: 1 s doubling to 30 s, so 8 pulls in 2 minutes', async () => {
    const { client, pulls, virtual } = scripted();
    const sleeps = await runFor(120_000, { client, log: tempLog(), virtual });
    expect(pulls).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000, 61_000, 91_000]);
    expect(sleeps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('pulls again at once after a full batch, and resets the back-off after a non-empty pull', async () => {
    const full = { backlogCount: 5, messages: [message('1'), message('2')] };
    const partial = { backlogCount: 1, messages: [message('3')] };
    const empty = { backlogCount: 0, messages: [] };
    const { client, pulls, virtual } = scripted([empty, empty, full, full, partial]);
    const log = tempLog();
    const sleeps = await runFor(10_000, { client, log, virtual, batchSize: 2 });
    // empty (1 s), empty (2 s), full (none), full (none), partial (1 s, reset), then empty again from 1 s.
    expect(sleeps).toEqual([1_000, 2_000, 1_000, 1_000, 2_000, 4_000]);
    expect(pulls).toEqual([0, 1_000, 3_000, 3_000, 3_000, 4_000, 5_000, 7_000]);
    expect(await log.read({ limit: 10 })).toHaveLength(3);
  });

  it('backs off on failing pulls (5xx, network, 429 for its Retry-After), logs each at warn, and goes on', async () => {
    const h = cloudflareHarness({ upstream: { rateWaitMs: 0 } });
    const path = `${BASE}/accounts/${ACCOUNT}/queues/${QUEUE}/messages/pull`;
    const failure = (code: number) => ({
      success: false,
      errors: [{ code, message: 'x' }],
      messages: [],
      result: null,
    });
    const json = { 'content-type': 'application/json' };
    h.pool.intercept({ path, method: 'POST' }).reply(503, failure(15000), { headers: json });
    h.pool.intercept({ path, method: 'POST' }).replyWithError(new Error('socket hang up'));
    h.pool
      .intercept({ path, method: 'POST' })
      .reply(429, failure(10250), { headers: { ...json, 'retry-after': '20' } });
    h.pool.intercept({ path, method: 'POST' }).reply(200, ok({ messages: [] }), { headers: json });
    const warnings: string[] = [];
    const virtual = { now: 0 };
    const sleeps = await runFor(31_000, {
      client: {
        pullQueue: (queueId, request) => h.client.pullQueue(queueId, request),
        ackQueue: (queueId, request) => h.client.ackQueue(queueId, request),
      },
      log: tempLog(),
      logger: { warn: (fields) => void warnings.push(String((fields as { code?: string }).code)) },
      virtual: {
        get now() {
          return virtual.now;
        },
        set now(value: number) {
          // The client's budget runs on the harness clock: move it with the consumer's.
          h.clock.now += value - virtual.now;
          virtual.now = value;
        },
      },
    });
    expect(warnings).toEqual(['SERVER_ERROR', 'NETWORK', 'RATE_LIMITED']);
    // 1 s, 2 s, then the 429's 20 s (longer than 4 s), then the empty pull's 8 s (the back-off went on
    // doubling: only a non-empty pull resets it).
    expect(sleeps).toEqual([1_000, 2_000, 20_000, 8_000]);
    expect(h.history()).toHaveLength(4);
  });

  it('wakes from an idle back-off (after a send), never from a failure’s', async () => {
    const { client, pulls } = scripted([new UpstreamError('down', 'CLOUDFLARE', 503, 'SERVER_ERROR')]);
    const waits: Array<{ ms: number; signal: AbortSignal; end: () => void }> = [];
    const consumer = new CloudflareQueueConsumer({
      client,
      queueId: QUEUE,
      log: tempLog(),
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          waits.push({ ms, signal, end: resolve });
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
    });
    consumer.start();
    cleanups.push(() => consumer.stop());
    await vi.waitFor(() => expect(waits).toHaveLength(1));
    // The failure's back-off: a wake does not cut it short.
    consumer.wake();
    expect(waits[0]?.signal.aborted).toBe(false);
    expect(pulls).toHaveLength(1);
    waits[0]?.end();
    await vi.waitFor(() => expect(waits).toHaveLength(2));
    // An empty pull's back-off (doubled from the failure's): a wake ends it, and the next pull comes at once.
    expect(waits[1]?.ms).toBe(2_000);
    consumer.wake();
    await vi.waitFor(() => expect(pulls).toHaveLength(3));
    await vi.waitFor(() => expect(waits).toHaveLength(3));
    expect(waits[2]?.ms).toBe(1_000);
  });
});
