/**
 * Prometheus metrics on `/metrics`: what mailgraph costs the providers (upstream calls by route and status,
 * their latency, and the failed ones by code), what it serves (GraphQL operations by type and outcome,
 * stale answers), and the process itself.
 */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Context } from './context.js';
import type { UpstreamCall } from './upstream/http.js';

export interface Metrics {
  registry: Registry;
  observeUpstream(call: UpstreamCall): void;
  plugin(): Plugin<Context>;
}

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
