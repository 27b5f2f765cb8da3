/**
 * Everything the upstream layer shares across requests: the response cache, in-flight reads, rate budgets,
 * and what a client has learned about its credentials. Made once per process and handed to every client
 * (clients themselves may be made per request).
 */
import { DEFAULT_MAX_ENTRIES, InFlight, MemoryResponseCache, type ResponseCache } from './cache.js';
import { RateBudgets } from './rate-budget.js';

export interface UpstreamShared {
  cache: ResponseCache;
  budgets: RateBudgets;
  inflight: InFlight;
  /** Bumped by every invalidation of a scope, so a read that started before a mutation does not cache. */
  epochs: Map<string, number>;
  /** Which credential answered a call that accepts more than one (see the CloudMailin outbound reads). */
  credentialChoice: Map<string, string>;
  now: () => number;
}

export interface UpstreamSharedOptions {
  maxEntries?: number;
  now?: () => number;
  /** For tests: how a rate-budget wait passes (defaults to a real timer). */
  sleep?: (ms: number) => Promise<void>;
  /** A different cache (e.g. Redis); defaults to an in-memory one. */
  cache?: ResponseCache;
}

export function createUpstreamShared(options: UpstreamSharedOptions = {}): UpstreamShared {
  const now = options.now ?? Date.now;
  return {
    cache:
      options.cache ??
      new MemoryResponseCache({ maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES, now }),
    budgets: new RateBudgets({ now, sleep: options.sleep }),
    inflight: new InFlight(),
    epochs: new Map(),
    credentialChoice: new Map(),
    now,
  };
}
