/**
 * What the provider core reports as it works, for whoever watches: the metrics (cache hits and misses,
 * rate-budget waits and refusals) and the GraphQL response cache (which entity-cache entries an answer was
 * built from, and which were invalidated). Every hook is optional and synchronous; a hook must not throw.
 */
import type { Provider } from '../errors.js';

/** `hit`: fresh entry, no call; `miss`: loaded from the provider; `stale`: expired entry served because the budget was spent. */
export type CacheOutcome = 'hit' | 'miss' | 'stale';

export interface UpstreamObserver {
  /** One read-through lookup and how it was answered. */
  cache?(provider: Provider, outcome: CacheOutcome): void;
  /** A call that had to wait for a rate-budget slot (`waitedMs` > 0), or was refused one. */
  budget?(provider: Provider, outcome: 'waited' | 'refused', waitedMs: number): void;
  /**
   * An answer (fresh or stale) came from the entry `key` of `scope`, good until `freshUntil` (epoch ms;
   * already past for a stale one). Called inside the request that read it.
   */
  read?(scope: string, key: string, freshUntil: number): void;
  /** Entries of `scope` under these path prefixes were dropped (a write, or an event that changed them). */
  invalidated?(scope: string, pathPrefixes: readonly string[]): void;
}

/** Adds `observer` to those `holder` already tells (each hook of each observer is called in turn). */
export function addObserver(holder: { observer?: UpstreamObserver }, observer: UpstreamObserver): void {
  const before = holder.observer;
  if (!before) {
    holder.observer = observer;
    return;
  }
  holder.observer = {
    cache: (provider, outcome) => {
      before.cache?.(provider, outcome);
      observer.cache?.(provider, outcome);
    },
    budget: (provider, outcome, waitedMs) => {
      before.budget?.(provider, outcome, waitedMs);
      observer.budget?.(provider, outcome, waitedMs);
    },
    read: (scope, key, freshUntil) => {
      before.read?.(scope, key, freshUntil);
      observer.read?.(scope, key, freshUntil);
    },
    invalidated: (scope, prefixes) => {
      before.invalidated?.(scope, prefixes);
      observer.invalidated?.(scope, prefixes);
    },
  };
}
