/**
 * The economy of a read, for any provider: fresh cache hit → no call; otherwise identical concurrent reads
 * share one load; the load (which takes rate budget) fills the cache; and when the budget is spent (ours or
 * the provider's 429) an expired entry still in its grace period is served, flagged stale.
 */
import { RateLimitedError, ValidationError } from './errors.js';
import type { HttpTransport } from './http.js';
import type { UpstreamShared } from './shared.js';

export interface Fetched<T> {
  data: T;
  /** Served from an expired cache entry because the rate budget was spent. */
  stale: boolean;
}

export interface ReadThroughOptions<T> {
  scope: string;
  /** The request path and query: everything that makes two reads the same read. */
  key: string;
  ttlSeconds: number;
  load: () => Promise<T>;
  /** Runs after a successful load, e.g. to prime the caches of single objects from a list. */
  afterLoad?: (data: T) => Promise<void>;
}

export async function readThrough<T>(
  shared: UpstreamShared,
  options: ReadThroughOptions<T>,
): Promise<Fetched<T>> {
  const { scope, key } = options;
  const hit = await shared.cache.get(scope, key);
  if (hit?.fresh) return { data: hit.value as T, stale: false };
  return shared.inflight.run(scope, key, async () => {
    const epoch = shared.epochs.get(scope) ?? 0;
    let data: T;
    try {
      data = await options.load();
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      const fallback = await shared.cache.get(scope, key);
      if (fallback === undefined) throw error;
      return { data: fallback.value as T, stale: true };
    }
    // A mutation in this scope while the read was in flight may have made `data` outdated.
    if ((shared.epochs.get(scope) ?? 0) === epoch) {
      await shared.cache.set(scope, key, data, options.ttlSeconds);
      await options.afterLoad?.(data);
    }
    return { data, stale: false };
  });
}

/** Forgets every cached and in-flight read of `scope` under `pathPrefix` (after a mutation). */
export async function invalidate(shared: UpstreamShared, scope: string, pathPrefix: string): Promise<void> {
  shared.epochs.set(scope, (shared.epochs.get(scope) ?? 0) + 1);
  shared.inflight.forget(scope, pathPrefix);
  await shared.cache.invalidate(scope, pathPrefix);
}

/**
 * Fills the cache entry of a single object that a list, a create or an update already returned, so that
 * the next read of it costs no call. Only for responses of the same full shape as the show endpoint.
 */
export async function prime(
  shared: UpstreamShared,
  transport: HttpTransport,
  ttlSeconds: number,
  scope: string,
  segments: string[],
  value: unknown,
): Promise<void> {
  let key: string;
  try {
    key = transport.path(segments);
  } catch (error) {
    // An id that cannot be a path segment cannot be asked for either; nothing to prime.
    if (error instanceof ValidationError) return;
    throw error;
  }
  await shared.cache.set(scope, key, value, ttlSeconds);
}
