/**
 * The upstream response cache, shared across requests and filed by credential scope. Entries outlive their
 * TTL by a grace period so that, when the rate budget is spent, an expired answer can still be served
 * (flagged stale) instead of an error. The interface is async because with REDIS_URL the cache is
 * Redis's (`RedisResponseCache` in redis-cache.ts), shared by every instance; `MemoryResponseCache` below
 * serves one process. One suite holds both (test/upstream/cache.test.ts).
 */

export interface CacheHit {
  /** Treat as read-only: the same object is handed to every reader. */
  value: unknown;
  /** false once the TTL has passed (the entry is then only good as a stale fallback). */
  fresh: boolean;
  /** When the entry stops being fresh (ms, the cache's clock). */
  expiresAt: number;
}

export interface ResponseCache {
  /** A fresh entry, or an expired one still within the grace period, or undefined. */
  get(scope: string, key: string): Promise<CacheHit | undefined>;
  /**
   * With `epoch`, stores only if the scope's invalidation epoch is still that one, checked atomically with
   * the write where the store is shared (a write on another instance between the check and the store
   * would otherwise leave the pre-write answer cached). In one process the caller's check suffices.
   */
  set(scope: string, key: string, value: unknown, ttlSeconds: number, epoch?: number): Promise<void>;
  /**
   * Drops every entry of `scope` whose key is `pathPrefix` or continues it at a boundary (`/`, `?`, `&`), so
   * `/addresses` covers `/addresses/x` and `/addresses?page=2` but not `/addresses_archive`.
   */
  invalidate(scope: string, pathPrefix: string): Promise<number>;
}

export interface MemoryCacheOptions {
  maxEntries?: number;
  /** How long past its TTL an entry may still be served as stale. */
  staleGraceMs?: number;
  now?: () => number;
}

interface Entry {
  scope: string;
  key: string;
  value: unknown;
  expiresAt: number;
}

export const DEFAULT_MAX_ENTRIES = 5000;
export const DEFAULT_STALE_GRACE_MS = 10 * 60_000;

export function isPathPrefix(key: string, prefix: string): boolean {
  if (!key.startsWith(prefix)) return false;
  const next = key.charAt(prefix.length);
  return next === '' || next === '/' || next === '?' || next === '&';
}

/** LRU by insertion order of a Map: a read moves the entry to the end; the first entry is the eldest. */
export class MemoryResponseCache implements ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly staleGraceMs: number;
  private readonly now: () => number;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.staleGraceMs = options.staleGraceMs ?? DEFAULT_STALE_GRACE_MS;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(scope: string, key: string): Promise<CacheHit | undefined> {
    const id = entryId(scope, key);
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now >= entry.expiresAt + this.staleGraceMs) {
      this.entries.delete(id);
      return undefined;
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    return { value: entry.value, fresh: now < entry.expiresAt, expiresAt: entry.expiresAt };
  }

  async set(scope: string, key: string, value: unknown, ttlSeconds: number): Promise<void> {
    // A TTL of 0 stores an already-expired entry: never served fresh, still a stale fallback.
    const id = entryId(scope, key);
    this.entries.delete(id);
    this.entries.set(id, { scope, key, value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const eldest = this.entries.keys().next();
      if (eldest.done) break;
      this.entries.delete(eldest.value);
    }
  }

  async invalidate(scope: string, pathPrefix: string): Promise<number> {
    let dropped = 0;
    for (const [id, entry] of this.entries) {
      if (entry.scope === scope && isPathPrefix(entry.key, pathPrefix)) {
        this.entries.delete(id);
        dropped++;
      }
    }
    return dropped;
  }
}

/**
 * Identical concurrent reads (same scope and key) share one upstream call. In-process by nature: with Redis
 * each instance still de-duplicates its own callers.
 */
export class InFlight {
  private readonly pending = new Map<string, { scope: string; key: string; promise: Promise<unknown> }>();

  get size(): number {
    return this.pending.size;
  }

  run<T>(scope: string, key: string, load: () => Promise<T>): Promise<T> {
    const id = entryId(scope, key);
    const existing = this.pending.get(id);
    if (existing !== undefined) return existing.promise as Promise<T>;
    // Deferred by a microtask so that the entry is registered before `load` can settle.
    const promise: Promise<T> = Promise.resolve()
      .then(load)
      .finally(() => {
        if (this.pending.get(id)?.promise === promise) this.pending.delete(id);
      });
    this.pending.set(id, { scope, key, promise });
    return promise;
  }

  /** After a mutation, later readers must not join a read that started before it. */
  forget(scope: string, pathPrefix: string): void {
    for (const [id, entry] of this.pending) {
      if (entry.scope === scope && isPathPrefix(entry.key, pathPrefix)) this.pending.delete(id);
    }
  }
}

function entryId(scope: string, key: string): string {
  // A scope is hex, so a newline can never occur inside it.
  return `${scope}\n${key}`;
}
