/**
 * The provider core: every rule about calling a provider that is not about one provider's endpoints, in
 * one place, so that a provider client is a catalogue of its endpoints and a shared (Redis) store only has
 * to implement the interfaces in `shared.ts`.
 *
 * - **Budget.** A call first takes a slot of its budget(s), waiting up to MAILGRAPH_RATE_LIMIT_WAIT_MS, or
 *   is refused with a RateLimitedError; each client key gets its fair share (rate-budget.ts). A 429 from the
 *   provider blocks the budget until its Retry-After, capped near the provider's window (retry-after.ts).
 * - **Read-through.** A fresh cache hit costs no call; identical concurrent reads share one load; the load
 *   fills the cache and primes single-object entries from lists; when the budget is spent an expired entry
 *   still in its grace period is served, flagged stale.
 * - **Writes** invalidate the reads they affect on success, and also after an ambiguous failure (timeout,
 *   network, 5xx), since the write may have happened. A read in flight across a write is not cached.
 */
import { RateLimitedError, UpstreamError, type UpstreamErrorCode, ValidationError } from '../errors.js';
import type { Provider } from '../errors.js';
import type { HttpTransport, QueryValue } from './http.js';
import type { BudgetLimit, CallBudget } from './rate-budget.js';
import { currentClaimant } from './request-scope.js';
import { MAX_RETRY_AFTER_SECONDS } from './retry-after.js';
import type { UpstreamShared } from './shared.js';

/** Failures after which a write may or may not have happened. */
export const AMBIGUOUS_FAILURES: ReadonlySet<UpstreamErrorCode> = new Set([
  'TIMEOUT',
  'NETWORK',
  'SERVER_ERROR',
]);

/** Priming single-object entries from a list stops here, so one long list cannot flush the whole cache. */
export const PRIME_LIMIT = 200;

/** A read's answer, and whether it came from an expired cache entry because the rate budget was spent. */
export class Fetched<T> {
  constructor(
    readonly data: T,
    readonly stale: boolean,
  ) {}
}

export type Query = ReadonlyArray<readonly [string, QueryValue]>;

/** What a list has learned about its provider's undocumented page size. */
export interface PageSizeMemory {
  longest(): number;
  saw(length: number): void;
}

/** A read's answer, and until when it is fresh (ms): what every reader sharing the load reports. */
interface Loaded<T> {
  fetched: Fetched<T>;
  freshUntil: number;
}

/** Single-object entries a response can fill: [path segments, value]. */
export type Primes = Array<readonly [string[], unknown]>;

export interface ReadSpec<T> {
  /** Credential scope of the cache and in-flight entries. */
  scope: string;
  segments: readonly string[];
  query?: Query;
  load: () => Promise<T>;
  /** Single-object entries this response fills (only for responses of the show endpoint's full shape). */
  primes?: (data: T) => Primes;
}

export interface WriteSpec<T> {
  scope: string;
  /** Path prefixes whose cached and in-flight reads the write makes outdated. */
  invalidates: string[];
  call: () => Promise<T>;
}

export interface ProviderCoreOptions {
  provider: Provider;
  /** The provider's name in messages, e.g. `CloudMailin`. */
  name: string;
  shared: UpstreamShared;
  transport: HttpTransport;
  ttlSeconds: number;
  rateWaitMs: number;
}

export class ProviderCore {
  readonly shared: UpstreamShared;
  readonly transport: HttpTransport;

  constructor(private readonly options: ProviderCoreOptions) {
    this.shared = options.shared;
    this.transport = options.transport;
  }

  /** The cache key of a path: the request path with its query, exactly as sent. */
  path(segments: readonly string[], query?: Query): string {
    return this.transport.path([...segments], query);
  }

  budget(scope: string, limit: BudgetLimit): CallBudget {
    return this.shared.budgets.forScope(scope, limit);
  }

  /**
   * Takes a slot of each budget in turn (each refused with its own reason), for the client key of the
   * current request, then calls. A RateLimitedError from the provider blocks the budget `penalized` picks
   * (the last one by default) until its Retry-After, never longer than the provider's documented window.
   */
  async budgeted<T>(
    budgets: ReadonlyArray<{ budget: CallBudget; refusal: string }>,
    call: () => Promise<T>,
    penalized: (error: RateLimitedError) => CallBudget | undefined = () =>
      budgets[budgets.length - 1]?.budget,
  ): Promise<T> {
    const claimant = currentClaimant();
    const observer = this.shared.observer;
    for (const { budget, refusal } of budgets) {
      const decision = await budget.acquire(this.options.rateWaitMs, claimant);
      if (decision.ok && decision.waitedMs > 0) {
        observer?.budget?.(this.options.provider, 'waited', decision.waitedMs);
      }
      if (!decision.ok) {
        observer?.budget?.(this.options.provider, 'refused', 0);
        const seconds = decision.retryAfterSeconds;
        const share = decision.fairShare;
        const reason =
          share === undefined
            ? refusal
            : `${refusal} for this API key: its fair share is ${share.share} calls per window while ${share.activeKeys} keys use the budget`;
        throw new RateLimitedError(
          `${this.options.name} ${reason}; retry in ${seconds} s`,
          this.options.provider,
          seconds,
        );
      }
    }
    try {
      return await call();
    } catch (error) {
      if (error instanceof RateLimitedError) {
        const cap = MAX_RETRY_AFTER_SECONDS[this.options.provider];
        penalized(error)?.penalize(Math.min(error.retryAfterSeconds, cap));
      }
      throw error;
    }
  }

  async read<T>(spec: ReadSpec<T>): Promise<Fetched<T>> {
    const { shared } = this;
    const { scope } = spec;
    const { provider } = this.options;
    const observer = shared.observer;
    const key = this.path(spec.segments, spec.query);
    const hit = await shared.cache.get(scope, key);
    if (hit?.fresh) {
      observer?.cache?.(provider, 'hit');
      observer?.read?.(scope, key, hit.expiresAt);
      return new Fetched(hit.value as T, false);
    }
    const loaded = await shared.inflight.run(scope, key, async (): Promise<Loaded<T>> => {
      const epoch = await shared.epochs.current(scope);
      let data: T;
      try {
        data = await spec.load();
      } catch (error) {
        if (!(error instanceof RateLimitedError)) throw error;
        const fallback = await shared.cache.get(scope, key);
        if (fallback === undefined) throw error;
        return { fetched: new Fetched(fallback.value as T, true), freshUntil: fallback.expiresAt };
      }
      // A write in this scope while the read was in flight may have made `data` outdated: then it is
      // neither cached nor good for longer than this request.
      let freshUntil = shared.now();
      if ((await shared.epochs.current(scope)) === epoch) {
        freshUntil += this.options.ttlSeconds * 1000;
        await shared.cache.set(scope, key, data, this.options.ttlSeconds, epoch);
        for (const [segments, value] of spec.primes?.(data).slice(0, PRIME_LIMIT) ?? []) {
          await this.prime(scope, segments, value);
        }
      }
      return { fetched: new Fetched(data, false), freshUntil };
    });
    // Reported in each reader's own request, including those that joined a load already in flight.
    observer?.cache?.(provider, loaded.fetched.stale ? 'stale' : 'miss');
    observer?.read?.(scope, key, loaded.freshUntil);
    return loaded.fetched;
  }

  /** Runs a write; on success, or when it is unknown whether it happened, forgets what it affects. */
  async write<T>(spec: WriteSpec<T>): Promise<T> {
    try {
      const result = await spec.call();
      await this.invalidate(spec.scope, spec.invalidates);
      return result;
    } catch (error) {
      if (error instanceof UpstreamError && AMBIGUOUS_FAILURES.has(error.code)) {
        await this.invalidate(spec.scope, spec.invalidates);
      }
      throw error;
    }
  }

  async invalidate(scope: string, pathPrefixes: string[]): Promise<void> {
    await this.shared.epochs.bump(scope);
    for (const prefix of pathPrefixes) {
      this.shared.inflight.forget(scope, prefix);
      await this.shared.cache.invalidate(scope, prefix);
    }
    this.shared.observer?.invalidated?.(scope, pathPrefixes);
  }

  /**
   * What answers built from these entries show has changed although the entries stay good (a message sent
   * through this process is laid on top of the cached first list page): observers drop such answers.
   */
  changed(scope: string, pathPrefixes: string[]): void {
    this.shared.observer?.invalidated?.(scope, pathPrefixes);
  }

  /**
   * Fills the cache entry of a single object that a list, a create or an update already returned, so that
   * the next read of it costs no call. Only for responses of the same full shape as the show endpoint.
   */
  async prime(scope: string, segments: string[], value: unknown): Promise<void> {
    let key: string;
    try {
      key = this.path(segments);
    } catch (error) {
      // An id that cannot be a path segment cannot be asked for either; nothing to prime.
      if (error instanceof ValidationError) return;
      throw error;
    }
    await this.shared.cache.set(scope, key, value, this.options.ttlSeconds);
  }

  /** What the cache knows of a path (fresh or stale), e.g. to answer a delete that returned no body. */
  async known(scope: string, key: string): Promise<unknown> {
    return (await this.shared.cache.get(scope, key))?.value;
  }

  /** The longest page seen of a list route, kept per credential scope (one tenant's size is not another's). */
  pageSizeMemory(scope: string, route: string): PageSizeMemory {
    const sizes = this.shared.pageSizes;
    const key = `${scope}\n${route}`;
    return {
      longest: () => sizes.get(key) ?? 0,
      saw: (length) => {
        if (length > (sizes.get(key) ?? 0)) sizes.set(key, length);
      },
    };
  }

  /** A 2xx without a body (204) where the call needs one. */
  required<T>(data: T | null): T {
    if (data === null) {
      throw new UpstreamError(
        `${this.options.name} answered without a body`,
        this.options.provider,
        204,
        'MALFORMED_RESPONSE',
      );
    }
    return data;
  }
}
