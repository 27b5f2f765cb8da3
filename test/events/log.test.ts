/**
 * One suite for both event logs: the embedded LMDB log and the Redis Streams log (against a real Redis at
 * TEST_REDIS_URL, default redis://127.0.0.1:6379; `.ci/run` starts one when none answers).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { LmdbEventLog } from '../../src/events/lmdb-log.js';
import {
  CursorExpiredError,
  type EventLog,
  type NewEvent,
  type StoredEvent,
  follow,
} from '../../src/events/log.js';
import { RedisEventLog } from '../../src/events/redis-log.js';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RETENTION_MS = 60 * 60 * 1000;

interface Clock {
  offset: number;
}

type Factory = (clock: Clock) => { log: EventLog; reopen: () => EventLog };

const dirs: string[] = [];
const prefixes: string[] = [];

const factories: Array<[string, Factory]> = [
  [
    'LMDB',
    (clock) => {
      const dir = mkdtempSync(join(tmpdir(), 'mailgraph-log-'));
      dirs.push(dir);
      const make = () =>
        new LmdbEventLog(dir, { retentionMs: RETENTION_MS, now: () => Date.now() + clock.offset });
      return { log: make(), reopen: make };
    },
  ],
  [
    'Redis',
    (clock) => {
      const prefix = `mailgraph-test:${randomUUID()}:`;
      prefixes.push(prefix);
      const make = () =>
        new RedisEventLog({
          url: TEST_REDIS_URL,
          prefix,
          retentionMs: RETENTION_MS,
          now: () => Date.now() + clock.offset,
        });
      return { log: make(), reopen: make };
    },
  ],
];

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(TEST_REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

function event(id: string, topics: string[] = [], type: NewEvent['type'] = 'message_event'): NewEvent {
  return { dedupeKey: id, type, topics, occurredAt: null, payload: { id } };
}

async function until<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(factories)('%s event log', (_name, factory) => {
  const open: EventLog[] = [];
  const start = (clock: Clock = { offset: 0 }) => {
    const made = factory(clock);
    open.push(made.log);
    return {
      ...made,
      reopen: () => {
        const again = made.reopen();
        open.push(again);
        return again;
      },
    };
  };
  afterEach(async () => {
    for (const log of open.splice(0)) await log.close();
  });

  it('stores events in order and reads them back by position, topic and direction', async () => {
    const { log } = start();
    const { events } = await log.append([
      event('a', ['message:1']),
      event('b', ['message:2']),
      event('c', ['message:1']),
    ]);
    expect(events.map((e) => e.dedupeKey)).toEqual(['a', 'b', 'c']);
    const [a, b, c] = events as [StoredEvent, StoredEvent, StoredEvent];
    expect(log.compare(a.position, b.position)).toBeLessThan(0);
    expect(log.compare(c.position, b.position)).toBeGreaterThan(0);
    expect((await log.read({ limit: 10 })).map((e) => e.dedupeKey)).toEqual(['a', 'b', 'c']);
    expect((await log.read({ limit: 10, topic: 'message:1' })).map((e) => e.dedupeKey)).toEqual(['a', 'c']);
    expect((await log.read({ limit: 10, after: a.position })).map((e) => e.dedupeKey)).toEqual(['b', 'c']);
    expect((await log.read({ limit: 2, direction: 'backward' })).map((e) => e.dedupeKey)).toEqual(['c', 'b']);
    expect(
      (await log.read({ limit: 10, direction: 'backward', after: c.position, topic: 'message:1' })).map(
        (e) => e.dedupeKey,
      ),
    ).toEqual(['a']);
    expect(a.payload).toEqual({ id: 'a' });
    expect(a.topics).toEqual(['all', 'message:1']);
  });

  it('stores each event once, however often and however batched it is delivered', async () => {
    const { log } = start();
    const first = await log.append([event('x'), event('y'), event('x')]);
    expect(first.duplicates).toBe(1);
    expect(first.events[2]?.position).toBe(first.events[0]?.position);
    const again = await log.append([event('y'), event('z')]);
    expect(again.duplicates).toBe(1);
    expect(again.events[0]?.position).toBe(first.events[1]?.position);
    expect((await log.read({ limit: 10 })).map((e) => e.dedupeKey)).toEqual(['x', 'y', 'z']);
  });

  it('hands new events to subscribers, and follow() replays from a cursor then goes live, with none twice or lost', async () => {
    const { log } = start();
    const seen: string[] = [];
    const unsubscribe = log.subscribe((e) => seen.push(e.dedupeKey));
    const stored = await log.append([
      event('1', ['t']),
      event('2', ['t']),
      event('3', ['u']),
      event('4', ['t']),
    ]);
    await until(() => (seen.length === 4 ? true : undefined), 'live events');
    unsubscribe();
    expect(seen).toEqual(['1', '2', '3', '4']);

    const controller = new AbortController();
    const got: string[] = [];
    const done = (async () => {
      for await (const e of follow(log, {
        after: stored.events[0]?.position,
        topic: 't',
        signal: controller.signal,
        batch: 1,
      })) {
        got.push(e.dedupeKey);
        if (got.length === 2) await log.append([event('5', ['t']), event('6', ['u']), event('7', ['t'])]);
        if (got.length === 4) controller.abort();
      }
    })();
    await until(() => (got.length >= 4 ? true : undefined), 'followed events');
    controller.abort();
    await done;
    expect(got).toEqual(['2', '4', '5', '7']);
  });

  it('keeps what it stored across a restart, and positions keep growing', async () => {
    const { log, reopen } = start();
    const before = await log.append([event('p'), event('q')]);
    await log.close();
    open.splice(open.indexOf(log), 1);
    const again = reopen();
    expect((await again.read({ limit: 10 })).map((e) => e.dedupeKey)).toEqual(['p', 'q']);
    const after = await again.append([event('q'), event('r')]);
    expect(after.duplicates).toBe(1);
    expect(
      again.compare(after.events[1]?.position as string, before.events[1]?.position as string),
    ).toBeGreaterThan(0);
  });

  it('drops events past the retention window and refuses cursors older than what it kept', async () => {
    const clock = { offset: 0 };
    const { log } = start(clock);
    const old = await log.append([event('old-1', ['m']), event('old-2', ['m'])]);
    clock.offset = RETENTION_MS + 60_000;
    const kept = await log.append([event('new-1', ['m'])]);
    expect(await log.prune()).toBe(2);
    expect((await log.read({ limit: 10, topic: 'm' })).map((e) => e.dedupeKey)).toEqual(['new-1']);
    await expect(log.read({ limit: 10, after: old.events[0]?.position })).rejects.toBeInstanceOf(
      CursorExpiredError,
    );
    // The newest pruned position is still a valid place to resume from: nothing after it was lost.
    expect((await log.read({ limit: 10, after: old.events[1]?.position })).map((e) => e.dedupeKey)).toEqual([
      'new-1',
    ]);
    expect(await log.prune()).toBe(0);
    expect(kept.duplicates).toBe(0);
  });

  it('refuses a position that is not one of its own', async () => {
    const { log } = start();
    await expect(log.read({ limit: 1, after: 'not-a-position' })).rejects.toBeInstanceOf(ValidationError);
    expect(await log.ping()).toBe(true);
  });
});
