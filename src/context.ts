/**
 * The per-request context: who is asking (scopes), the provider clients, this request's loaders, and
 * what the upstream layer has to say about the answer (stale data).
 */
import { GraphQLError } from 'graphql';
import type { Config, Scope } from './config.js';
import type { InboundServices } from './events/inbound.js';
import type { EventLog } from './events/log.js';
import type { IdempotencyStore } from './idempotency.js';
import { type Loaders, createLoaders } from './loaders.js';
import { type Providers, type RequestProviders, forRequest } from './providers.js';
import type { Staleness } from './upstream/facade.js';

export interface Context extends RequestProviders {
  config: Config;
  loaders: Loaders;
  scopes: ReadonlySet<Scope>;
  /** Identifies the caller for per-client state such as idempotency keys. */
  principal: string;
  idempotency: IdempotencyStore;
  /** The durable event log the webhooks fill and the subscriptions follow. */
  events: EventLog;
  /** Inbound mail's blob store, and the sandbox's inbound simulation (src/events/inbound.ts). */
  inbound: InboundServices;
  /** Whether any answer of this request came from an expired cache entry (reported as `extensions.stale`). */
  upstream: Staleness;
}

export interface ContextDeps {
  config: Config;
  providers: Providers;
  idempotency: IdempotencyStore;
  events: EventLog;
  inbound?: InboundServices;
}

const ALL: ReadonlySet<Scope> = new Set<Scope>(['read', 'send', 'manage']);

export interface Caller {
  scopes: ReadonlySet<Scope>;
  /** Identifies the caller for per-client state such as idempotency keys. */
  principal: string;
}

export const UNAUTHENTICATED_MESSAGE = 'Missing or unknown API key: send Authorization: Bearer <key>.';

/** The caller named by `Authorization: Bearer <key>`, or null when the key is missing or unknown. */
export function identify(config: Config, authorization: string | null | undefined): Caller | null {
  if (config.apiKeys.size === 0) {
    // Sandbox mode without configured keys: everyone may do everything, on demo data.
    return { scopes: ALL, principal: 'sandbox' };
  }
  const match = authorization ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization) : null;
  const scopes = match ? config.apiKeys.get(match[1] as string) : undefined;
  if (!match || !scopes) return null;
  return { scopes, principal: `key:${[...config.apiKeys.keys()].indexOf(match[1] as string)}` };
}

/**
 * Resolves the caller from `Authorization: Bearer <key>`; throws a 401 GraphQL error when it is wrong.
 * The HTTP front (src/http-server.ts) has already refused such a request before reading its body; this is
 * the same check where the context is built, so that no other way in skips it.
 */
export function authenticate(config: Config, authorization: string | null): Caller {
  const caller = identify(config, authorization);
  if (!caller) {
    throw new GraphQLError(UNAUTHENTICATED_MESSAGE, {
      extensions: {
        code: 'UNAUTHENTICATED',
        http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
      },
    });
  }
  return caller;
}

export function createContext(deps: ContextDeps, request: Request): Context {
  const { scopes, principal } = authenticate(deps.config, request.headers.get('authorization'));
  const upstream: Staleness = { stale: false };
  const providers = forRequest(deps.providers, upstream);
  return {
    config: deps.config,
    ...providers,
    loaders: createLoaders(providers, deps.events),
    scopes,
    principal,
    idempotency: deps.idempotency,
    events: deps.events,
    inbound: deps.inbound ?? { blobs: null, simulator: null },
    upstream,
  };
}
