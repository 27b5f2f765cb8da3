/**
 * The idempotency stores, each held to the store contract (test/helpers/idempotency-contract.ts): in memory,
 * LMDB under the data directory (the default), and Redis (REDIS_URL; a real Redis at TEST_REDIS_URL). The
 * durable ones also keep their keys beyond one store object (durable-idempotency-contract.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LmdbIdempotencyStore } from '../src/idempotency-lmdb.js';
import { RedisIdempotencyStore } from '../src/idempotency-redis.js';
import {
  DurableIdempotencyStore,
  IdempotencyKeyInDoubtError,
  type IdempotencyRecords,
  type IdempotencyStore,
  MemoryIdempotencyStore,
} from '../src/idempotency.js';
import { describeDurableIdempotencyStore } from './helpers/durable-idempotency-contract.js';
import { DAY, describeIdempotencyStore, manualClock } from './helpers/idempotency-contract.js';
import { dropPrefixes, testPrefix, testRedis } from './helpers/redis.js';

const dirs: string[] = [];
const prefixes: string[] = [];
const redis = testRedis();
const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const store of open) await store.close().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await dropPrefixes(prefixes);
  await redis.quit();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mailgraph-idempotency-'));
  dirs.push(dir);
  return dir;
}

function prefix(): string {
  const value = testPrefix();
  prefixes.push(value);
  return value;
}

describeIdempotencyStore(
  'MemoryIdempotencyStore',
  (clock) => new MemoryIdempotencyStore(undefined, undefined, clock.now),
);

describeIdempotencyStore('LmdbIdempotencyStore', (clock) => {
  const store = new LmdbIdempotencyStore(tempDir(), { now: clock.now });
  open.push(store);
  return store;
});

describeIdempotencyStore(
  'RedisIdempotencyStore',
  () => new RedisIdempotencyStore({ client: redis, prefix: prefix() }),
);

describeDurableIdempotencyStore('LmdbIdempotencyStore', () => {
  const dir = tempDir();
  return {
    open: () => new LmdbIdempotencyStore(dir),
    concurrent: false,
    close: (store) => (store as LmdbIdempotencyStore).close(),
  };
});

describeDurableIdempotencyStore('RedisIdempotencyStore', () => {
  const shared = prefix();
  return {
    // Each store object is an instance with its own connection.
    open: () => new RedisIdempotencyStore({ client: testRedis(), prefix: shared, ownsClient: true }),
    concurrent: true,
    close: (store) => (store as RedisIdempotencyStore).close(),
  };
});

describe('MemoryIdempotencyStore', () => {
  it('forgets a key after its time to live, and the oldest keys first when full', async () => {
    const clock = manualClock();
    const store = new MemoryIdempotencyStore(DAY, 2, clock.now);
    let runs = 0;
    const work = async () => {
      runs += 1;
      return runs;
    };
    await store.run('p', 'old', 1, work);
    clock.advance(DAY);
    await expect(store.run('p', 'old', 1, work)).resolves.toEqual({ result: 2, replayed: false });
    await store.run('p', 'b', 1, work);
    await store.run('p', 'c', 1, work);
    // Full with two keys: the third pushed out the oldest ('old'), the others are still bound.
    await expect(store.run('p', 'c', 1, work)).resolves.toMatchObject({ replayed: true });
    await expect(store.run('p', 'old', 1, work)).resolves.toMatchObject({ replayed: false });
    expect(runs).toBe(5);
  });
});

describe('LmdbIdempotencyStore', () => {
  it('forgets a key after its time to live, and prunes the expired records', async () => {
    const clock = manualClock();
    const store = new LmdbIdempotencyStore(tempDir(), { now: clock.now });
    open.push(store);
    let runs = 0;
    const work = async () => {
      runs += 1;
      return runs;
    };
    await store.run('p', 'a', 1, work);
    await store.run('p', 'b', 1, work);
    clock.advance(DAY);
    await expect(store.run('p', 'a', 1, work)).resolves.toEqual({ result: 3, replayed: false });
    // 'b' has expired (pruned after that claim, or now); 'a' was bound again a moment ago.
    await store.lmdb.prune();
    expect(store.lmdb.size).toBe(1);
    await expect(store.run('p', 'a', 1, work)).resolves.toEqual({ result: 3, replayed: true });
    expect(runs).toBe(3);
  });
});

describe('RedisIdempotencyStore', () => {
  it('keeps a key for 24 hours in Redis', async () => {
    const keyPrefix = prefix();
    const store = new RedisIdempotencyStore({ client: redis, prefix: keyPrefix });
    await store.run('p', 'k', 1, async () => 'sent');
    const [key] = await redis.keys(`${keyPrefix}idempotency:*`);
    const ttl = await redis.pttl(key as string);
    expect(ttl).toBeGreaterThan(DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(DAY);
  });
});

describe('DurableIdempotencyStore', () => {
  /** Records that fail on demand, over an in-memory map. */
  function flaky(fail: { complete?: boolean; release?: boolean }): IdempotencyRecords {
    const rows = new Map<
      string,
      { state: 'pending' | 'done'; fingerprint: string; owner: string; value?: unknown }
    >();
    return {
      async claim(id, fingerprint, owner) {
        const row = rows.get(id);
        if (row) return { state: row.state, fingerprint: row.fingerprint, value: row.value };
        rows.set(id, { state: 'pending', fingerprint, owner });
        return null;
      },
      async complete(id, owner, value) {
        if (fail.complete) throw new Error('store down');
        const row = rows.get(id);
        if (row?.owner === owner) rows.set(id, { ...row, state: 'done', value });
      },
      async release(id, owner) {
        if (fail.release) throw new Error('store down');
        if (rows.get(id)?.owner === owner) rows.delete(id);
      },
      ping: async () => true,
      close: async () => {},
    };
  }

  it('when the store cannot record the answer, the caller still gets it and later attempts are in doubt', async () => {
    const store: IdempotencyStore = new DurableIdempotencyStore(flaky({ complete: true }));
    let runs = 0;
    const work = async () => {
      runs += 1;
      return 'sent';
    };
    await expect(store.run('p', 'k', 1, work)).resolves.toEqual({ result: 'sent', replayed: false });
    await expect(store.run('p', 'k', 1, work)).rejects.toBeInstanceOf(IdempotencyKeyInDoubtError);
    expect(runs).toBe(1);
  });

  it('when the store cannot release a key, the failure passes through and later attempts are in doubt', async () => {
    const store: IdempotencyStore = new DurableIdempotencyStore(flaky({ release: true }));
    await expect(
      store.run('p', 'k', 1, async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await expect(store.run('p', 'k', 1, async () => 'sent')).rejects.toBeInstanceOf(
      IdempotencyKeyInDoubtError,
    );
  });
});
