/**
 * Builds the provider clients from the configuration: one place for the server, the tests and the bench.
 * Every upstream call they make is seen here once: counted (`onCall`, e.g. metrics), weighed for `/ready`,
 * and, when it failed for a reason an operator must know, logged at `warn`.
 */
import type { Dispatcher } from 'undici';
import type { Config } from './config.js';
import { Readiness } from './readiness.js';
import { CloudflareClient } from './upstream/cloudflare.js';
import { CloudMailinClient } from './upstream/cloudmailin.js';
import { type Plain, type Staleness, plain } from './upstream/facade.js';
import type { UpstreamCall } from './upstream/http.js';
import { type UpstreamShared, createUpstreamShared } from './upstream/shared.js';

/** The provider clients, shared by every request (they hold no per-request state). */
export interface Providers {
  cloudmailin: CloudMailinClient;
  cloudflare: CloudflareClient;
  /** What `/ready` answers, from the outcome of the clients' calls. */
  readiness: Readiness;
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
  };
}
