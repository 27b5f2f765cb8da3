/**
 * The response cache and the invalidation epochs in Redis (REDIS_URL), shared by every instance: an answer
 * one instance read is served by the others without a call, and a write through any instance drops what
 * it affects for all of them.
 *
 * - An entry is one string key `{prefix}cache:{scope}:{path}` holding `{v: value, e: expiresAt}` (JSON),
 *   which Redis deletes by itself once the stale grace has passed too (`PX` = TTL + grace). There is no
 *   LRU bound: entries last at most TTL + grace (30 s + 10 min by default), so memory follows the rate of
 *   distinct reads, which the rate budgets bound.
 * - Each scope has an index `{prefix}cache-index:{scope}` (a sorted set of its paths, scored by when the
 *   entry goes), so that `invalidate` finds the paths under a prefix without SCAN; one script drops the
 *   entries and their index members at once.
 * - Epochs are one counter per scope, `{prefix}epoch:{scope}`.
 */
import type { Redis } from 'ioredis';
import { type CacheHit, DEFAULT_STALE_GRACE_MS, type ResponseCache } from './cache.js';
import { type RedisStoreOptions, type Script, defineScript } from './redis-client.js';
import type { EpochStore } from './shared.js';

/**
 * Stores an entry and indexes its path; drops index members whose entries are gone. With an expected
 * epoch (ARGV[6]), stores nothing if the scope's epoch (KEYS[3]) moved: a write happened meanwhile.
 */
const SET = `
if ARGV[6] ~= '' and tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[6]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1
`;

/** Drops every entry whose path is ARGV[2] or continues it at a boundary (see isPathPrefix). */
const INVALIDATE = `
local prefix = ARGV[2]
local n = #prefix
local dropped = 0
for _, path in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(path, 1, n) == prefix then
    local after = string.sub(path, n + 1, n + 1)
    if after == '' or after == '/' or after == '?' or after == '&' then
      dropped = dropped + redis.call('DEL', ARGV[1] .. path)
      redis.call('ZREM', KEYS[1], path)
    end
  end
end
return dropped
`;

interface Stored {
  v: unknown;
  /** When the entry stops being fresh (ms, the cache's clock). */
  e: number;
}

export interface RedisCacheOptions extends RedisStoreOptions {
  staleGraceMs?: number;
  now?: () => number;
}

export class RedisResponseCache implements ResponseCache {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly staleGraceMs: number;
  private readonly now: () => number;
  private readonly setScript: Script;
  private readonly invalidateScript: Script;

  constructor(options: RedisCacheOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.staleGraceMs = options.staleGraceMs ?? DEFAULT_STALE_GRACE_MS;
    this.now = options.now ?? Date.now;
    this.setScript = defineScript(this.client, 'mailgraphCacheSet', 3, SET);
    this.invalidateScript = defineScript(this.client, 'mailgraphCacheInvalidate', 1, INVALIDATE);
  }

  async get(scope: string, key: string): Promise<CacheHit | undefined> {
    const raw = await this.client.get(this.entryKey(scope, key));
    if (raw === null) return undefined;
    const stored = JSON.parse(raw) as Stored;
    const now = this.now();
    if (now >= stored.e + this.staleGraceMs) return undefined;
    return { value: stored.v, fresh: now < stored.e, expiresAt: stored.e };
  }

  async set(scope: string, key: string, value: unknown, ttlSeconds: number, epoch?: number): Promise<void> {
    const now = this.now();
    const expiresAt = now + ttlSeconds * 1000;
    const keepMs = ttlSeconds * 1000 + this.staleGraceMs;
    await this.setScript(
      this.entryKey(scope, key),
      this.indexKey(scope),
      // The epoch counter of RedisEpochStore (same prefix).
      `${this.prefix}epoch:${scope}`,
      JSON.stringify({ v: value, e: expiresAt } satisfies Stored),
      Math.max(1, keepMs),
      expiresAt + this.staleGraceMs,
      key,
      now,
      epoch === undefined ? '' : String(epoch),
    );
  }

  async invalidate(scope: string, pathPrefix: string): Promise<number> {
    return Number(await this.invalidateScript(this.indexKey(scope), this.entryKey(scope, ''), pathPrefix));
  }

  private entryKey(scope: string, key: string): string {
    // A scope is hex (or hex and a suffix without `:`), so `scope:` never runs into the path.
    return `${this.prefix}cache:${scope}:${key}`;
  }

  private indexKey(scope: string): string {
    return `${this.prefix}cache-index:${scope}`;
  }
}

/** One counter per scope; INCR is atomic, so every instance sees every bump. */
export class RedisEpochStore implements EpochStore {
  constructor(private readonly options: RedisStoreOptions) {}

  async current(scope: string): Promise<number> {
    return Number((await this.options.client.get(this.key(scope))) ?? 0);
  }

  async bump(scope: string): Promise<void> {
    await this.options.client.incr(this.key(scope));
  }

  private key(scope: string): string {
    return `${this.options.prefix}epoch:${scope}`;
  }
}
