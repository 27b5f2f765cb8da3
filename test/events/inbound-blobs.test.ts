/**
 * One suite for both blob stores of inbound mail (its attachment contents and long bodies): the embedded
 * LMDB store and the Redis one (TEST_REDIS_URL, as for the event log).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BLOB_RETENTION_MARGIN_MS,
  type BlobStore,
  LmdbBlobStore,
  RedisBlobStore,
  blobKey,
} from '../../src/events/inbound-blobs.js';
import { TEST_REDIS_URL, dropPrefixes, testPrefix, testRedis } from '../helpers/redis.js';

const RETENTION_MS = 60 * 60 * 1000;
const dirs: string[] = [];
const prefixes: string[] = [];

const factories: Array<
  [string, (clock: { offset: number }) => { store: BlobStore; reopen: () => BlobStore }]
> = [
  [
    'LMDB',
    (clock) => {
      const dir = mkdtempSync(join(tmpdir(), 'mailgraph-blobs-'));
      dirs.push(dir);
      const make = () =>
        new LmdbBlobStore(dir, { retentionMs: RETENTION_MS, now: () => Date.now() + clock.offset });
      return { store: make(), reopen: make };
    },
  ],
  [
    'Redis',
    () => {
      const prefix = testPrefix();
      prefixes.push(prefix);
      const make = () => new RedisBlobStore({ url: TEST_REDIS_URL, prefix, retentionMs: RETENTION_MS });
      return { store: make(), reopen: make };
    },
  ],
];

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await dropPrefixes(prefixes);
});

describe.each(factories)('%s blob store', (name, factory) => {
  it('stores contents under their SHA-256 and gives back the same bytes, after a reopen too', async () => {
    const { store, reopen } = factory({ offset: 0 });
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    big.write('binary \u0000\u00ff', 100);
    const small = Buffer.from('testfile');
    const keys = await store.put([big, small, small]);
    expect(keys).toEqual([blobKey(big), blobKey(small), blobKey(small)]);
    expect(keys[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await store.get(keys[0] as string))?.equals(big)).toBe(true);
    expect(await store.ping()).toBe(true);
    await store.close();
    const again = reopen();
    expect((await again.get(keys[1] as string))?.toString()).toBe('testfile');
    expect(await again.get(blobKey(Buffer.from('never stored')))).toBeNull();
    expect(await again.get('../../etc/passwd')).toBeNull();
    expect(await again.put([])).toEqual([]);
    await again.close();
  });

  it('drops contents once retention has passed, and storing again renews them', async () => {
    const clock = { offset: 0 };
    const { store } = factory(clock);
    const [kept, dropped] = await store.put([Buffer.from('kept'), Buffer.from('dropped')]);
    if (name === 'Redis') {
      // Redis expires them itself: the key carries the retention (plus the margin) as its TTL.
      const redis = testRedis();
      const ttl = await redis.pttl(`${prefixes[prefixes.length - 1]}blob:${dropped}`);
      await redis.quit();
      expect(ttl).toBeGreaterThan(RETENTION_MS);
      expect(ttl).toBeLessThanOrEqual(RETENTION_MS + BLOB_RETENTION_MARGIN_MS);
      expect(await store.prune()).toBe(0);
    } else {
      clock.offset = RETENTION_MS;
      await store.put([Buffer.from('kept')]);
      clock.offset = RETENTION_MS + BLOB_RETENTION_MARGIN_MS + 1000;
      expect(await store.prune()).toBe(1);
      expect(await store.get(dropped as string)).toBeNull();
      expect((await store.get(kept as string))?.toString()).toBe('kept');
    }
    await store.close();
  });
});
