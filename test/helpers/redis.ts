/**
 * The real Redis the tests use: TEST_REDIS_URL, default redis://127.0.0.1:6379 (`.ci/run` starts one when
 * nothing answers there). Each test takes its own key prefix and drops its keys afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh key prefix, e.g. `mailgraph-test:<uuid>:`. */
export function testPrefix(): string {
  return `mailgraph-test:${randomUUID()}:`;
}

export function testRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
}

/** Deletes every key under the prefixes. */
export async function dropPrefixes(prefixes: string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const redis = testRedis();
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    await redis.quit();
  }
}
