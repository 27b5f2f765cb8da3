/**
 * Prometheus metrics on `/metrics`: what mailgraph costs the providers (upstream calls by route and status,
 * their latency, and the failed ones by code), how it saves calls (upstream cache lookups, rate-budget waits
 * and refusals, the GraphQL response cache), what it serves (GraphQL operations by type and outcome, stale
 * answers), what it takes in (webhook and queue events by outcome), the live subscriptions, and the process
 * itself.
 *
 * Every label has a small fixed set of values (provider, outcome, kind, transport, method, route template,
 * status, code): never an id, a key, an address or a path with ids in it, so that the number of series
 * stays bounded whatever the traffic.
 */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Context } from './context.js';
import type { Provider } from './errors.js';
import type { IntakeOutcome, IntakeSource } from './events/webhooks.js';
import { type SubscriptionRegistry, TRANSPORTS } from './subscriptions/registry.js';
import type { UpstreamCall } from './upstream/http.js';
import type { CacheOutcome, UpstreamObserver } from './upstream/observer.js';

/** `hit`: answered from the response cache; `miss`: executed (and cached); `skip`: not cacheable. */
export type ResponseCacheOutcome = 'hit' | 'miss' | 'skip';

export interface Metrics {
  registry: Registry;
  observeUpstream(call: UpstreamCall): void;
  /** What the provider core reports: cache lookups, rate-budget waits and refusals (src/upstream/observer.ts). */
  upstreamObserver(): UpstreamObserver;
  /** One webhook or queue delivery's outcome: `count` events (stored, duplicate) or deliveries (the others). */
  observeIntake(source: IntakeSource, outcome: IntakeOutcome, count: number): void;
  observeResponseCache(outcome: ResponseCacheOutcome): void;
  /** A query answered by joining an identical one in flight (src/fast-path.ts). */
  observeSharedExecution(): void;
  /** Counts the live subscriptions of `registry` at each scrape (several registries add up). */
  trackSubscriptions(registry: SubscriptionRegistry): void;
  plugin(): Plugin<Context>;
}

const PROVIDERS: readonly Provider[] = ['CLOUDMAILIN', 'CLOUDFLARE'];
const CACHE_OUTCOMES: readonly CacheOutcome[] = ['hit', 'miss', 'stale'];
const INTAKE_SOURCES: readonly IntakeSource[] = [
  'cloudmailin_events',
  'cloudmailin_inbound',
  'cloudflare_events',
  'cloudflare_queue',
];
const INTAKE_OUTCOMES: readonly IntakeOutcome[] = [
  'stored',
  'duplicate',
  'rejected_auth',
  'rejected_malformed',
  'rejected_size',
  'failed',
];
const RESPONSE_CACHE_OUTCOMES: readonly ResponseCacheOutcome[] = ['hit', 'miss', 'skip'];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mailgraph_' });
  const upstreamCalls = new Counter({
    name: 'mailgraph_upstream_calls_total',
    help: 'Calls made to a provider API, by provider, method, route template and HTTP status (0: no answer).',
    labelNames: ['provider', 'method', 'route', 'status'] as const,
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'mailgraph_upstream_call_duration_seconds',
    help: 'Duration of calls to a provider API.',
    labelNames: ['provider', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstreamFailures = new Counter({
    name: 'mailgraph_upstream_failures_total',
    help: 'Failed calls to a provider API, by provider, route template and code (TIMEOUT, NETWORK, SERVER_ERROR, RATE_LIMITED, NOT_FOUND…).',
    labelNames: ['provider', 'route', 'code'] as const,
    registers: [registry],
  });
  const operations = new Counter({
    name: 'mailgraph_graphql_operations_total',
    help: 'GraphQL operations executed, by operation type and whether the response carried errors.',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const staleAnswers = new Counter({
    name: 'mailgraph_stale_answers_total',
    help: 'Responses that included expired cached data because the rate budget was spent.',
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: 'mailgraph_upstream_cache_lookups_total',
    help: 'Reads of provider data through the shared cache, by provider and outcome (hit: fresh, no call; miss: called the provider or joined a call in flight; stale: expired entry served because the rate budget was spent).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [registry],
  });
  const budgetWaits = new Counter({
    name: 'mailgraph_rate_budget_waits_total',
    help: "Upstream calls that waited for a slot of mailgraph's own rate budget before going out.",
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const budgetWaitSeconds = new Histogram({
    name: 'mailgraph_rate_budget_wait_seconds',
    help: 'How long the upstream calls that waited for a rate-budget slot waited.',
    labelNames: ['provider'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  const budgetRefusals = new Counter({
    name: 'mailgraph_rate_budget_refusals_total',
    help: "Upstream calls refused because the rate budget (or the API key's fair share of it) was spent; answered stale or RATE_LIMITED.",
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const intake = new Counter({
    name: 'mailgraph_webhook_events_total',
    help: 'Provider events taken in, by source and outcome: stored and duplicate count events; rejected_auth, rejected_malformed, rejected_size and failed (not stored: the provider retries) count deliveries, a webhook POST or a queue message.',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  const responseCache = new Counter({
    name: 'mailgraph_response_cache_lookups_total',
    help: 'GraphQL responses looked up in the response cache, by outcome (hit, miss, skip: not cacheable).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const sharedExecutions = new Counter({
    name: 'mailgraph_graphql_shared_executions_total',
    help: 'Queries answered by joining an identical query of the same client key already being executed.',
    registers: [registry],
  });
  const watched = new Set<SubscriptionRegistry>();
  new Gauge({
    name: 'mailgraph_live_subscriptions',
    help: 'Live GraphQL subscriptions, by transport (sse: yoga on /graphql; graphql-sse: /graphql/stream; ws: graphql-ws).',
    labelNames: ['transport'] as const,
    registers: [registry],
    collect() {
      const totals = { sse: 0, 'graphql-sse': 0, ws: 0 };
      for (const subscriptions of watched) {
        const live = subscriptions.liveByTransport();
        for (const transport of TRANSPORTS) totals[transport] += live[transport];
      }
      for (const transport of TRANSPORTS) this.set({ transport }, totals[transport]);
    },
  });
  // Every series exists from the start at 0, so that a rate over the first event is right and dashboards
  // show "none yet" instead of "no data".
  for (const provider of PROVIDERS) {
    for (const outcome of CACHE_OUTCOMES) cacheLookups.inc({ provider, outcome }, 0);
    budgetWaits.inc({ provider }, 0);
    budgetRefusals.inc({ provider }, 0);
  }
  for (const source of INTAKE_SOURCES) {
    for (const outcome of INTAKE_OUTCOMES) intake.inc({ source, outcome }, 0);
  }
  for (const outcome of RESPONSE_CACHE_OUTCOMES) responseCache.inc({ outcome }, 0);

  const observer: UpstreamObserver = {
    cache(provider, outcome) {
      cacheLookups.inc({ provider, outcome });
    },
    budget(provider, outcome, waitedMs) {
      if (outcome === 'refused') {
        budgetRefusals.inc({ provider });
        return;
      }
      budgetWaits.inc({ provider });
      budgetWaitSeconds.observe({ provider }, waitedMs / 1000);
    },
  };

  return {
    registry,
    observeUpstream(call) {
      const labels = {
        provider: call.provider,
        method: call.method,
        route: call.route,
        status: String(call.status ?? 0),
      };
      upstreamCalls.inc(labels);
      upstreamSeconds.observe({ provider: call.provider, route: call.route }, call.durationMs / 1000);
      if (call.failure) {
        upstreamFailures.inc({ provider: call.provider, route: call.route, code: call.failure.code });
      }
    },
    upstreamObserver: () => observer,
    observeIntake(source, outcome, count) {
      if (count > 0) intake.inc({ source, outcome }, count);
    },
    observeResponseCache(outcome) {
      responseCache.inc({ outcome });
    },
    observeSharedExecution() {
      sharedExecutions.inc();
    },
    trackSubscriptions(subscriptions) {
      watched.add(subscriptions);
    },
    plugin() {
      return {
        onExecute({ args }) {
          const definition = getOperationAST(args.document, args.operationName);
          const operation = definition?.operation ?? 'unknown';
          return {
            onExecuteDone({ result }) {
              if (!('data' in result)) return;
              operations.inc({ type: operation, outcome: result.errors?.length ? 'error' : 'ok' });
              if ((args.contextValue as Context).upstream?.stale) staleAnswers.inc();
            },
          };
        },
      };
    },
  };
}
