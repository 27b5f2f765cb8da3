/**
 * Everything the upstream layer shares across requests, made once per process and handed to every client.
 * Each part is an interface with an in-memory implementation (one instance) and a Redis one (several
 * instances, REDIS_URL: redis-cache.ts, redis-budget.ts): the response cache, the rate budgets and the
 * invalidation epochs. `createUpstreamShared` picks them, all from memory or all from Redis. In-flight
 * reads are promises of this process and stay local (each instance still de-duplicates its own callers);
 * the page sizes a client learns are hints that cost at most one extra call when a process does not know
 * them yet.
 */
import { DEFAULT_MAX_ENTRIES, InFlight, MemoryResponseCache, type ResponseCache } from './cache.js';
import type { UpstreamObserver } from './observer.js';
import { type BudgetStore, RateBudgets } from './rate-budget.js';
import { RedisBudgets } from './redis-budget.js';
import { RedisEpochStore, RedisResponseCache } from './redis-cache.js';
import type { RedisStoreOptions } from './redis-client.js';

/** Bumped by every invalidation of a scope, so that a read that started before a write is not cached. */
export interface EpochStore {
  current(scope: string): Promise<number>;
  bump(scope: string): Promise<void>;
}

export class MemoryEpochStore implements EpochStore {
  private readonly epochs = new Map<string, number>();

  async current(scope: string): Promise<number> {
    return this.epochs.get(scope) ?? 0;
  }

  async bump(scope: string): Promise<void> {
    this.epochs.set(scope, (this.epochs.get(scope) ?? 0) + 1);
  }
}

export interface UpstreamShared {
  cache: ResponseCache;
  budgets: BudgetStore;
  inflight: InFlight;
  epochs: EpochStore;
  /**
   * The longest page seen per credential scope and list route: providers that do not document their page
   * size end a list at the first page shorter than this.
   */
  pageSizes: Map<string, number>;
  now: () => number;
  /** Told of cache outcomes, budget waits, reads and invalidations (metrics, the GraphQL response cache). */
  observer?: UpstreamObserver;
}

export interface UpstreamSharedOptions {
  maxEntries?: number;
  now?: () => number;
  /** For tests: how a rate-budget wait passes (defaults to a real timer). */
  sleep?: (ms: number) => Promise<void>;
  /** A different cache; defaults to an in-memory one (or Redis's, with `redis`). */
  cache?: ResponseCache;
  /** Keep the cache, the budgets and the epochs in this Redis, shared with every instance using it. */
  redis?: RedisStoreOptions;
}

export function createUpstreamShared(options: UpstreamSharedOptions = {}): UpstreamShared {
  const now = options.now ?? Date.now;
  const { redis } = options;
  if (redis) {
    return {
      cache: options.cache ?? new RedisResponseCache({ ...redis, now }),
      // Redis's clock unless a test brings its own: one clock for every instance's window.
      budgets: new RedisBudgets({
        ...redis,
        ...(options.now ? { now: options.now } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      }),
      inflight: new InFlight(),
      epochs: new RedisEpochStore(redis),
      pageSizes: new Map(),
      now,
    };
  }
  return {
    cache:
      options.cache ??
      new MemoryResponseCache({ maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES, now }),
    budgets: new RateBudgets({ now, sleep: options.sleep }),
    inflight: new InFlight(),
    epochs: new MemoryEpochStore(),
    pageSizes: new Map(),
    now,
  };
}
