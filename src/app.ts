/**
 * createApp(deps): the yoga instance with its schema, per-request context and the protections every public
 * GraphQL endpoint needs. GraphiQL (assets served from this process, no CDN) and the checks made before a
 * body is read (key, type, size) are the HTTP front's: src/http-server.ts.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, type ValidationContext } from 'graphql';
import {
  type Plugin,
  type YogaServerInstance,
  createYoga,
  maskError as defaultMaskError,
} from 'graphql-yoga';
import type { Config } from './config.js';
import { type Context, createContext, identify } from './context.js';
import { useCorsAllowList } from './cors.js';
import { MailgraphError } from './errors.js';
import type { InboundServices } from './events/inbound.js';
import type { EventLog } from './events/log.js';
import { MAX_TOKENS } from './fast-path.js';
import { type IdempotencyStore, MemoryIdempotencyStore } from './idempotency.js';
import type { Metrics } from './metrics.js';
import type { Providers } from './providers.js';
import { useQueryCost } from './query-cost.js';
import { useRequestShapeLimits } from './request-limits.js';
import { GraphQLResponseCache } from './response-cache.js';
import { extensionsOf } from './schema/errors.js';
import { schema } from './schema/index.js';
import { useSubscriptionLimits } from './subscriptions/plugin.js';
import { SubscriptionRegistry } from './subscriptions/registry.js';
import { STREAM_ENDPOINT, useGraphQLOverSSE } from './subscriptions/sse.js';
import { useTracing } from './tracing.js';
import { addObserver } from './upstream/observer.js';

export interface AppDeps {
  config: Config;
  providers: Providers;
  metrics?: Metrics;
  idempotency?: IdempotencyStore;
  /** The durable event log (webhooks write it, subscriptions follow it). */
  events: EventLog;
  /** Live subscriptions: limits and shutdown (src/subscriptions/registry.ts); one is made when absent. */
  subscriptions?: SubscriptionRegistry;
  /** Inbound mail's blob store and the sandbox's inbound simulation; neither when absent. */
  inbound?: InboundServices;
  logger?: {
    debug(...a: unknown[]): void;
    info(...a: unknown[]): void;
    warn(...a: unknown[]): void;
    error(...a: unknown[]): void;
  };
}

export type App = YogaServerInstance<Record<string, never>, Context>;

const registries = new WeakMap<App, SubscriptionRegistry>();
const responseCaches = new WeakMap<App, GraphQLResponseCache>();

/** The whole-answer cache of an app made by `createApp`, when it has one (src/response-cache.ts). */
export function responseCacheOf(app: App): GraphQLResponseCache | undefined {
  return responseCaches.get(app);
}

/**
 * The live subscriptions of an app made by `createApp`, on every transport: the HTTP front attaches the
 * WebSocket transport to them, and the shutdown ends them (`onStop`).
 */
export function subscriptionsOf(app: App): SubscriptionRegistry | undefined {
  return registries.get(app);
}

/** Expected failures of reads keep their message and get their code and details; anything else is masked. */
function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof MailgraphError && error instanceof GraphQLError) {
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: extensionsOf(original),
    });
  }
  return defaultMaskError(error, message, isDev);
}

/** Tells the client when part of the answer came from an expired cache entry because the rate budget was spent. */
function useUpstreamExtensions(): Plugin<Context> {
  return {
    onExecute({ args }) {
      const context = args.contextValue as Context;
      return {
        onExecuteDone({ result, setResult }) {
          if (!context.upstream?.stale || !('data' in result)) return;
          setResult({ ...result, extensions: { ...result.extensions, stale: true } });
        },
      };
    },
  };
}

/**
 * Armor throws out of validation by default, which yoga answers with 200; reported errors get the status
 * GraphQL over HTTP gives validation errors. Armor's messages start with "Syntax Error:", which they are not.
 */
const reportAsValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(
        new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
          nodes: error.nodes,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ),
  ],
};

export function createApp(deps: AppDeps): App {
  const idempotency = deps.idempotency ?? new MemoryIdempotencyStore();
  const subscriptions = deps.subscriptions ?? new SubscriptionRegistry(deps.config.subscriptions);
  // Whole answers, per client key, never older than the entity cache would give (src/response-cache.ts).
  // Off without an entity cache (TTL 0), and with Redis: another instance's invalidations are not seen here.
  const { config } = deps;
  const responseCache =
    config.upstream.cacheTtlSeconds > 0 && config.redisUrl === null
      ? new GraphQLResponseCache({
          ttlSeconds: config.upstream.cacheTtlSeconds,
          principalOf: (authorization) => identify(config, authorization)?.principal ?? null,
          // The entity cache's clock: "fresh until" is on that clock.
          now: deps.providers.shared.now,
          ...(deps.metrics ? { onLookup: (outcome) => deps.metrics?.observeResponseCache?.(outcome) } : {}),
        })
      : null;
  let events = deps.events;
  if (responseCache) {
    addObserver(deps.providers.shared, responseCache.upstreamObserver());
    events = responseCache.watch(deps.events).log;
  }
  const app: App = createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    batching: false,
    logging: deps.logger ?? false,
    context: ({ request }) =>
      createContext(
        {
          config: deps.config,
          providers: deps.providers,
          idempotency,
          events,
          ...(deps.inbound ? { inbound: deps.inbound } : {}),
        },
        request,
      ),
    maskedErrors: { maskError },
    // Served by the HTTP front, only where configured, compressed and cacheable (src/graphiql.ts).
    graphiql: false,
    // yoga's CORS reflects any origin with credentials: an explicit allow-list instead (src/cors.ts).
    cors: false,
    // Attachments travel base64 in JSON variables; the front refuses every other body type anyway.
    multipart: false,
    plugins: [
      // First, so that an operation another plugin refuses (cost, limits) still gets its span.
      useTracing(),
      useCorsAllowList(deps.config.http.corsOrigins),
      // A GET must carry a header no simple cross-site request can (POSTs are JSON only: preflighted).
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'apollo-require-preflight'] }),
      useRequestShapeLimits(),
      // graphql-sse's protocol on /graphql/stream (both modes); yoga's own SSE stays on /graphql.
      useGraphQLOverSSE({
        config: deps.config,
        registry: subscriptions,
        fetch: (url: string, init: RequestInit): Promise<Response> => Promise.resolve(app.fetch(url, init)),
      }),
      // Every transport's subscriptions: per-key and per-connection limits, and their end at shutdown.
      useSubscriptionLimits(subscriptions, STREAM_ENDPOINT),
      EnvelopArmorPlugin({
        maxDepth: { n: 10, ...reportAsValidationError },
        maxAliases: { n: 15, ...reportAsValidationError },
        maxDirectives: { n: 20, ...reportAsValidationError },
        maxTokens: { n: MAX_TOKENS },
        // The cost that matters here is upstream calls, with the variables known: see useQueryCost.
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: !deps.config.sandbox },
      }),
      useQueryCost({ limit: deps.config.queryCostLimit }),
      ...(responseCache ? responseCache.plugins() : []),
      useUpstreamExtensions(),
      ...(deps.metrics ? [deps.metrics.plugin()] : []),
    ],
  });
  registries.set(app, subscriptions);
  if (responseCache) responseCaches.set(app, responseCache);
  return app;
}
