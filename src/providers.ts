/**
 * Builds the provider clients from the configuration: one place for the server, the tests and the bench.
 * Every upstream call they make is seen here once: counted (`onCall`, e.g. metrics), weighed for `/ready`,
 * and, when it failed for a reason an operator must know, logged at `warn`.
 *
 * `createStores` is the one place that picks where shared state lives: with REDIS_URL, Redis holds the
 * response cache, the invalidation epochs, the rate budgets and the idempotency keys, shared by every
 * instance; without it, the cache, budgets and epochs are in memory and the idempotency keys in LMDB under
 * MAILGRAPH_DATA_DIR. (The event log makes the same choice in src/events/index.ts.)
 */
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import type { Config } from './config.js';
import { LmdbIdempotencyStore } from './idempotency-lmdb.js';
import { RedisIdempotencyStore } from './idempotency-redis.js';
import type { IdempotencyStore } from './idempotency.js';
import { Readiness } from './readiness.js';
import { CloudflareClient } from './upstream/cloudflare.js';
import { CloudMailinClient } from './upstream/cloudmailin.js';
import { type Plain, type Staleness, plain } from './upstream/facade.js';
import type { UpstreamCall } from './upstream/http.js';
import { connectRedis, pingRedis } from './upstream/redis-client.js';
import { type UpstreamShared, createUpstreamShared } from './upstream/shared.js';

/** Where the state that outlives a request lives: see the file comment. */
export interface Stores {
  shared: UpstreamShared;
  idempotency: IdempotencyStore;
  /** What `/ready` checks, by name (`redis`, or the embedded `idempotency` store). */
  checks: Record<string, () => Promise<boolean>>;
  close(): Promise<void>;
}

export interface StoresOptions {
  /** For tests: one clock for the cache, the budgets and the keys' time to live. */
  now?: () => number;
}

export function createStores(
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'dataDir'>,
  options: StoresOptions = {},
): Stores {
  const clock = options.now ? { now: options.now } : {};
  if (config.redisUrl !== null) {
    const client = connectRedis(config.redisUrl);
    const redis = { client, prefix: config.redisPrefix };
    return {
      shared: createUpstreamShared({ ...clock, redis }),
      idempotency: new RedisIdempotencyStore(redis),
      checks: { redis: () => pingRedis(client) },
      close: async () => {
        await client.quit().catch(() => client.disconnect());
      },
    };
  }
  const idempotency = new LmdbIdempotencyStore(join(config.dataDir, 'idempotency'), clock);
  return {
    shared: createUpstreamShared(clock),
    idempotency,
    checks: { idempotency: () => idempotency.ping() },
    close: () => idempotency.close(),
  };
}

/** The provider clients, shared by every request (they hold no per-request state). */
export interface Providers {
  cloudmailin: CloudMailinClient;
  cloudflare: CloudflareClient;
  /** What `/ready` answers, from the outcome of the clients' calls. */
  readiness: Readiness;
  /** The entity cache, budgets and epochs both clients share; observers attach here (observer.ts). */
  shared: UpstreamShared;
}

/** What one request's resolvers and loaders call: the clients, answering plain data (see facade.ts). */
export interface RequestProviders {
  cloudmailin: Plain<CloudMailinClient>;
  cloudflare: Plain<CloudflareClient>;
}

export function forRequest(providers: Providers, staleness: Staleness): RequestProviders {
  return {
    cloudmailin: plain(providers.cloudmailin, staleness),
    cloudflare: plain(providers.cloudflare, staleness),
  };
}

/** The part of a logger (pino's, or the console) that upstream failures are written to. */
export interface UpstreamLogger {
  warn(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

export interface ProviderOptions {
  shared?: UpstreamShared;
  dispatcher?: Dispatcher;
  onCall?: (call: UpstreamCall) => void;
  logger?: UpstreamLogger;
  /** Checks of the stores `/ready` reports (see readiness.ts). */
  stores?: Record<string, () => Promise<boolean>>;
}

/**
 * Failures an operator must hear about: the provider did not answer, failed, refused mailgraph's
 * credentials, rate-limited it, or answered something unreadable. A refusal of the caller's input (400, 403,
 * 404, 409, 422) is the caller's business and is logged at `debug`.
 */
const WARN_CODES: ReadonlySet<string> = new Set([
  'TIMEOUT',
  'NETWORK',
  'SERVER_ERROR',
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'MALFORMED_RESPONSE',
  'RESPONSE_TOO_LARGE',
  'UNEXPECTED_STATUS',
  'UNKNOWN',
]);

/** One line per failed attempt: what, where and why, never a credential (the cause is sanitised upstream). */
export function logUpstreamFailure(logger: UpstreamLogger, call: UpstreamCall): void {
  const { failure } = call;
  if (failure === undefined) return;
  const fields = {
    provider: call.provider,
    method: call.method,
    route: call.route,
    status: call.status,
    code: failure.code,
    providerCode: failure.providerCode,
    cause: failure.cause,
    attempt: call.attempt,
    retried: failure.retried,
    durationMs: Math.round(call.durationMs),
    ...(failure.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: failure.retryAfterSeconds }),
  };
  if (WARN_CODES.has(failure.code)) logger.warn(fields, 'upstream call failed');
  else logger.debug?.(fields, 'upstream call refused the input');
}

export function createProviders(config: Config, options: ProviderOptions = {}): Providers {
  const shared = options.shared ?? createUpstreamShared();
  const readiness = new Readiness({
    config,
    now: shared.now,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.stores ? { stores: options.stores } : {}),
  });
  const { logger } = options;
  const onCall = (call: UpstreamCall) => {
    options.onCall?.(call);
    readiness.observe(call);
    if (logger) logUpstreamFailure(logger, call);
  };
  const common = {
    upstream: config.upstream,
    shared,
    onCall,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  };
  return {
    cloudmailin: new CloudMailinClient({ config: config.cloudmailin, ...common }),
    cloudflare: new CloudflareClient({ config: config.cloudflare, ...common }),
    readiness,
    shared,
  };
}
