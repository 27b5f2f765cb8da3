/**
 * The response cache and the invalidation epochs: one suite for the in-memory stores and the Redis ones
 * (a real Redis at TEST_REDIS_URL, each test under its own key prefix), then what only the in-memory cache
 * does (its LRU bound), in-flight sharing and credential scopes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { InFlight, MemoryResponseCache, type ResponseCache, isPathPrefix } from '../../src/upstream/cache.js';
import { RedisEpochStore, RedisResponseCache } from '../../src/upstream/redis-cache.js';
import { credentialScope } from '../../src/upstream/scope.js';
import { type EpochStore, MemoryEpochStore } from '../../src/upstream/shared.js';
import { dropPrefixes, testPrefix, testRedis } from '../helpers/redis.js';

const redis = testRedis();
const prefixes: string[] = [];
afterAll(async () => {
  await dropPrefixes(prefixes);
  await redis.quit();
});

function redisPrefix(): string {
  const prefix = testPrefix();
  prefixes.push(prefix);
  return prefix;
}

type Stores = (now: () => number) => { cache: ResponseCache; epochs: EpochStore };

const implementations: Array<[string, Stores]> = [
  ['memory', (now) => ({ cache: new MemoryResponseCache({ now }), epochs: new MemoryEpochStore() })],
  [
    'Redis',
    (now) => {
      const prefix = redisPrefix();
      return {
        cache: new RedisResponseCache({ client: redis, prefix, now }),
        epochs: new RedisEpochStore({ client: redis, prefix }),
      };
    },
  ],
];

describe.each(implementations)('the %s response cache', (_name, make) => {
  function cache() {
    const clock = { now: 0 };
    return { c: make(() => clock.now).cache, clock };
  }

  it('is fresh within the TTL, stale after it for 10 minutes, then gone', async () => {
    const { c, clock } = cache();
    await c.set('s', '/k', 'v', 30);
    expect(await c.get('s', '/k')).toEqual({ value: 'v', fresh: true, expiresAt: 30_000 });
    clock.now = 29_999;
    expect(await c.get('s', '/k')).toMatchObject({ value: 'v', fresh: true });
    clock.now = 30_000;
    expect(await c.get('s', '/k')).toMatchObject({ value: 'v', fresh: false });
    clock.now = 30_000 + 599_999;
    expect(await c.get('s', '/k')).toMatchObject({ value: 'v', fresh: false });
    clock.now = 30_000 + 600_000;
    expect(await c.get('s', '/k')).toBeUndefined();
  });

  it('a TTL of 0 stores a stale-only entry', async () => {
    const { c } = cache();
    await c.set('s', '/k', 'v', 0);
    expect(await c.get('s', '/k')).toMatchObject({ value: 'v', fresh: false });
  });

  it('keeps JSON values as they were, and a later set replaces an entry', async () => {
    const { c } = cache();
    const value = { id: 'a', list: [1, 'two', null, { nested: true }], n: 1.5 };
    await c.set('s', '/k', value, 30);
    expect(await c.get('s', '/k')).toMatchObject({ value, fresh: true });
    await c.set('s', '/k', 'replaced', 30);
    expect(await c.get('s', '/k')).toMatchObject({ value: 'replaced', fresh: true });
  });

  it('separates scopes', async () => {
    const { c } = cache();
    await c.set('a', '/k', 'A', 30);
    await c.set('b', '/k', 'B', 30);
    expect(await c.get('a', '/k')).toMatchObject({ value: 'A' });
    expect(await c.get('b', '/k')).toMatchObject({ value: 'B' });
  });

  it('invalidates by path prefix at a boundary, in one scope only', async () => {
    const { c } = cache();
    for (const key of [
      '/a/addresses',
      '/a/addresses/x',
      '/a/addresses?page=2',
      '/a/addresses_old',
      '/a/domains',
    ]) {
      await c.set('s', key, key, 30);
    }
    await c.set('t', '/a/addresses', 'other scope', 30);
    expect(await c.invalidate('s', '/a/addresses')).toBe(3);
    expect(await c.get('s', '/a/addresses_old')).toBeDefined();
    expect(await c.get('s', '/a/domains')).toBeDefined();
    expect(await c.get('s', '/a/addresses/x')).toBeUndefined();
    expect(await c.get('t', '/a/addresses')).toMatchObject({ value: 'other scope' });
  });

  it('a query-prefix invalidation matches only that parameter value', async () => {
    const { c } = cache();
    await c.set('s', '/d?address_id=ab', 1, 30);
    await c.set('s', '/d?address_id=ab&page=2', 2, 30);
    await c.set('s', '/d?address_id=abc', 3, 30);
    expect(await c.invalidate('s', '/d?address_id=ab')).toBe(2);
    expect(await c.get('s', '/d?address_id=abc')).toMatchObject({ value: 3 });
  });

  it('epochs start at 0 and count the bumps of each scope', async () => {
    const { epochs } = make(() => 0);
    expect(await epochs.current('s')).toBe(0);
    await epochs.bump('s');
    await epochs.bump('s');
    expect(await epochs.current('s')).toBe(2);
    expect(await epochs.current('t')).toBe(0);
  });
});

describe('the Redis response cache across instances', () => {
  it('an entry set by one instance is read by another; an invalidation by either drops it for both', async () => {
    const prefix = redisPrefix();
    const other = testRedis();
    try {
      const one = new RedisResponseCache({ client: redis, prefix });
      const two = new RedisResponseCache({ client: other, prefix });
      await one.set('s', '/a/addresses', ['x'], 30);
      expect(await two.get('s', '/a/addresses')).toMatchObject({ value: ['x'], fresh: true });
      expect(await two.invalidate('s', '/a')).toBe(1);
      expect(await one.get('s', '/a/addresses')).toBeUndefined();
      const epochs = [
        new RedisEpochStore({ client: redis, prefix }),
        new RedisEpochStore({ client: other, prefix }),
      ];
      await epochs[0]?.bump('s');
      expect(await epochs[1]?.current('s')).toBe(1);
    } finally {
      await other.quit();
    }
  });

  it('does not store a read that started before another instance’s write (epoch checked with the store)', async () => {
    const prefix = redisPrefix();
    const cache = new RedisResponseCache({ client: redis, prefix });
    const epochs = new RedisEpochStore({ client: redis, prefix });
    const before = await epochs.current('s');
    // Another instance writes (and bumps the epoch) while this instance's read is in flight.
    await epochs.bump('s');
    await cache.set('s', '/a/addresses', ['outdated'], 30, before);
    expect(await cache.get('s', '/a/addresses')).toBeUndefined();
    await cache.set('s', '/a/addresses', ['current'], 30, await epochs.current('s'));
    expect(await cache.get('s', '/a/addresses')).toMatchObject({ value: ['current'], fresh: true });
  });

  it('Redis forgets an entry by itself once its stale grace has passed', async () => {
    const prefix = redisPrefix();
    const c = new RedisResponseCache({ client: redis, prefix, staleGraceMs: 0 });
    await c.set('s', '/k', 'v', 30);
    const ttl = await redis.pttl(`${prefix}cache:s:/k`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });
});

describe('MemoryResponseCache', () => {
  function cache(maxEntries = 5_000) {
    const clock = { now: 0 };
    return { c: new MemoryResponseCache({ maxEntries, now: () => clock.now }), clock };
  }

  it('drops an entry read after its grace period', async () => {
    const { c, clock } = cache();
    await c.set('s', '/k', 'v', 30);
    clock.now = 30_000 + 600_000;
    expect(await c.get('s', '/k')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const { c } = cache(3);
    await c.set('s', '/1', 1, 30);
    await c.set('s', '/2', 2, 30);
    await c.set('s', '/3', 3, 30);
    await c.get('s', '/1');
    await c.set('s', '/4', 4, 30);
    expect(c.size).toBe(3);
    expect(await c.get('s', '/2')).toBeUndefined();
    expect(await c.get('s', '/1')).toMatchObject({ value: 1 });
    expect(await c.get('s', '/4')).toMatchObject({ value: 4 });
  });

  it('isPathPrefix', () => {
    expect(isPathPrefix('/x', '/x')).toBe(true);
    expect(isPathPrefix('/x/1', '/x')).toBe(true);
    expect(isPathPrefix('/xy', '/x')).toBe(false);
    expect(isPathPrefix('/y', '/x')).toBe(false);
  });
});

describe('InFlight', () => {
  it('shares one load among concurrent callers and forgets it once settled', async () => {
    const flights = new InFlight();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return loads;
    };
    const results = await Promise.all([flights.run('s', '/k', load), flights.run('s', '/k', load)]);
    expect(results).toEqual([1, 1]);
    expect(flights.size).toBe(0);
    await flights.run('s', '/k', load);
    expect(loads).toBe(2);
  });

  it('a synchronous throw is still a rejection and is forgotten', async () => {
    const flights = new InFlight();
    await expect(
      flights.run('s', '/k', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(flights.size).toBe(0);
  });

  it('forget detaches pending loads so new callers start afresh', async () => {
    const flights = new InFlight();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const first = flights.run('s', '/a/x', load);
    flights.forget('s', '/a');
    await Promise.all([first, flights.run('s', '/a/x', load)]);
    expect(loads).toBe(2);
  });
});

describe('credentialScope', () => {
  const parts = {
    provider: 'CLOUDMAILIN' as const,
    baseUrl: 'https://x',
    accountId: 'acct',
    secrets: ['key'],
  };

  it('is 32 hex characters and stable', () => {
    expect(credentialScope(parts)).toMatch(/^[0-9a-f]{32}$/);
    expect(credentialScope(parts)).toBe(credentialScope({ ...parts }));
  });

  it('differs when any part differs, including ambiguous concatenations', () => {
    const base = credentialScope(parts);
    expect(credentialScope({ ...parts, secrets: ['key2'] })).not.toBe(base);
    expect(credentialScope({ ...parts, accountId: 'acct2' })).not.toBe(base);
    expect(credentialScope({ ...parts, baseUrl: 'https://y' })).not.toBe(base);
    expect(credentialScope({ ...parts, provider: 'CLOUDFLARE' })).not.toBe(base);
    expect(credentialScope({ ...parts, accountId: 'ac', secrets: ['ctkey'] })).not.toBe(
      credentialScope({ ...parts, accountId: 'act', secrets: ['key'] }),
    );
  });
});
