/**
 * How the event logs hand new events to their live followers (issue 9's fan-out benchmark found the hot
 * path): a follower of one topic is handed the events of that topic only, not every event of the log to
 * filter, and the Redis log answers an append of new events without reading them back. Both logs (LMDB,
 * and Redis at TEST_REDIS_URL, default redis://127.0.0.1:6379). Counts, never timings.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LmdbEventLog } from '../../src/events/lmdb-log.js';
import { type EventLog, type NewEvent, type StoredEvent, follow } from '../../src/events/log.js';
import { RedisEventLog } from '../../src/events/redis-log.js';
import { TEST_REDIS_URL, dropPrefixes, testRedis } from '../helpers/redis.js';

const RETENTION_MS = 60 * 60 * 1000;
const dirs: string[] = [];
const prefixes: string[] = [];
const open: EventLog[] = [];

const factories: Array<[string, () => EventLog]> = [
  [
    'LMDB',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'mailgraph-fanout-'));
      dirs.push(dir);
      return new LmdbEventLog(dir, { retentionMs: RETENTION_MS });
    },
  ],
  [
    'Redis',
    () => {
      const prefix = `mailgraph-test:${randomUUID()}:`;
      prefixes.push(prefix);
      return new RedisEventLog({ url: TEST_REDIS_URL, prefix, retentionMs: RETENTION_MS });
    },
  ],
];

afterEach(async () => {
  for (const log of open.splice(0)) await log.close();
});
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await dropPrefixes(prefixes);
});

const event = (key: string, topics: string[]): NewEvent => ({
  dedupeKey: key,
  type: 'message_event',
  topics,
  occurredAt: null,
  payload: { key },
});

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The log, with a count of the events it hands to each listener. */
function countingDeliveries(log: EventLog): { log: EventLog; handed: () => number } {
  let handed = 0;
  const wrapped: EventLog = {
    append: (events) => log.append(events),
    read: (options) => log.read(options),
    compare: (a, b) => log.compare(a, b),
    ping: () => log.ping(),
    prune: () => log.prune(),
    close: () => log.close(),
    subscribe: (listener, options) =>
      log.subscribe((stored) => {
        handed += 1;
        listener(stored);
      }, options),
  };
  return { log: wrapped, handed: () => handed };
}

describe.each(factories)('fan-out of the %s event log', (_name, make) => {
  it('hands a topic subscriber the events of its topic only; without a topic, or with `all`, every event', async () => {
    const log = make();
    open.push(log);
    const ofA: string[] = [];
    const ofAll: string[] = [];
    const unfiltered: string[] = [];
    const unsubscribers = [
      log.subscribe((e) => ofA.push(e.dedupeKey), { topic: 'message:a' }),
      log.subscribe((e) => ofAll.push(e.dedupeKey), { topic: 'all' }),
      log.subscribe((e) => unfiltered.push(e.dedupeKey)),
    ];
    await log.append([
      event('1', ['message:a']),
      event('2', ['message:b']),
      event('3', ['message:a', 'provider:X']),
      event('4', ['message:c']),
    ]);
    await until(() => (unfiltered.length === 4 && ofAll.length === 4 ? true : undefined), 'live events');
    expect(ofA).toEqual(['1', '3']);
    expect(ofAll).toEqual(['1', '2', '3', '4']);
    expect(unfiltered).toEqual(['1', '2', '3', '4']);
    for (const unsubscribe of unsubscribers) unsubscribe();
    await log.append([event('5', ['message:a'])]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ofA).toEqual(['1', '3']);
  });

  it("follow() of one message's topic is handed that message's events, not every event of the log", async () => {
    const base = make();
    open.push(base);
    const { log, handed } = countingDeliveries(base);
    const controller = new AbortController();
    const got: string[] = [];
    const following = (async () => {
      for await (const e of follow(log, { topic: 'message:watched', signal: controller.signal })) {
        got.push(e.dedupeKey);
      }
    })();
    // Live only: wait until the follower has finished its (empty) replay and listens.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 10; i += 1) {
      await log.append(Array.from({ length: 10 }, (_, j) => event(`other-${i}-${j}`, [`message:m${j}`])));
    }
    await log.append([event('mine', ['message:watched'])]);
    await until(() => (got.length === 1 ? true : undefined), 'the watched event');
    controller.abort();
    await following;
    expect(got).toEqual(['mine']);
    expect(handed()).toBe(1);
  });

  it('follow() with a filter yields only the events it accepts, replayed page by page and live', async () => {
    const log = make();
    open.push(log);
    await log.append(['1', '2', '3', '4', '5'].map((key) => event(key, ['t'])));
    const controller = new AbortController();
    const got: string[] = [];
    const following = (async () => {
      for await (const e of follow(log, {
        topic: 't',
        batch: 2,
        signal: controller.signal,
        filter: (stored) => Number(stored.dedupeKey) % 2 === 1,
      })) {
        got.push(e.dedupeKey);
      }
    })();
    await until(() => (got.length === 3 ? true : undefined), 'the replay');
    await log.append([event('6', ['t']), event('7', ['t']), event('8', ['u']), event('9', ['t'])]);
    await until(() => (got.length === 5 ? true : undefined), 'the live events');
    controller.abort();
    await following;
    expect(got).toEqual(['1', '3', '5', '7', '9']);
  });
});

describe('the Redis event log', () => {
  it('answers an append of new events without reading them back from the stream', async () => {
    const prefix = `mailgraph-test:${randomUUID()}:`;
    prefixes.push(prefix);
    const log = new RedisEventLog({ url: TEST_REDIS_URL, prefix, retentionMs: RETENTION_MS });
    open.push(log);
    await log.ping();
    const monitor = await testRedis().monitor();
    const reads: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      const [command, key] = args;
      if (command && key?.startsWith(prefix) && /^(xrange|xrevrange|xread)$/i.test(command))
        reads.push(command);
    });
    try {
      const fresh = await log.append([event('n1', ['message:a']), event('n2', ['message:b'])]);
      expect(fresh.duplicates).toBe(0);
      expect(fresh.events.map((e) => [e.dedupeKey, e.topics, e.payload])).toEqual([
        ['n1', ['all', 'message:a'], { key: 'n1' }],
        ['n2', ['all', 'message:b'], { key: 'n2' }],
      ]);
      const stored: StoredEvent[] = await log.read({ limit: 10 });
      expect(stored.map((e) => e.position)).toEqual(fresh.events.map((e) => e.position));
      expect(stored.map((e) => e.receivedAt)).toEqual(fresh.events.map((e) => e.receivedAt));
      // A duplicate is answered with the event stored earlier: that one is read.
      const again = await log.append([event('n1', ['message:a']), event('n3', ['message:c'])]);
      expect(again.duplicates).toBe(1);
      expect(again.events[0]).toEqual(fresh.events[0]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      monitor.disconnect();
    }
    // None for the first append; one per event for the read (2); one for the duplicate of the second append.
    const ranges = reads.filter((command) => command.toLowerCase() === 'xrange');
    expect(ranges).toHaveLength(3);
  });
});
