/**
 * OpenTelemetry traces, off unless an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, read in src/config.ts). One span per GraphQL operation
 * (`useTracing`, an envelop plugin) and one CLIENT span per upstream call (`startUpstreamSpan`, used by the
 * transport in src/upstream/http.ts), its child.
 *
 * Off, tracing costs nothing: only `@opentelemetry/api` is loaded (a few kilobytes, no SDK), the plugin and
 * the transport check one variable and create no span, not even a no-op one. The SDK (a tracer provider, a
 * batch span processor and the OTLP/HTTP protobuf exporter) is imported dynamically by `startTracing`, only
 * when an endpoint is set, and flushed at shutdown. The SDK still reads the other standard variables it
 * knows itself (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`…), as the OpenTelemetry
 * specification says it should.
 *
 * `@envelop/opentelemetry` was not used: it imports the 1.x SDK at load time (so the SDK is loaded even
 * when tracing is off), registers a console exporter when given no provider, puts the whole document and
 * the errors' messages (which may quote addresses) in attributes, and wraps every execution in a context
 * switch whether or not anything is recorded.
 */
import { readFile } from 'node:fs/promises';
import {
  type Context,
  DiagLogLevel,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  context,
  diag,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type ExecutionResult, type GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TracingConfig } from './config.js';
import { MailgraphError, type Provider } from './errors.js';

/** The tracer while tracing runs; null when it is off (the one thing the hot paths check). */
let tracer: Tracer | null = null;

export interface Tracing {
  /** Exports the spans ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and stops tracing; nothing is recorded after it. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Another exporter than OTLP/HTTP to `tracesUrl` (tests use the SDK's in-memory one); turns tracing on. */
  exporter?: SpanExporter;
  /** Where the SDK's own errors go (a failed export, above all): they would be silent otherwise. */
  logger?: { error(fields: object, message: string): void };
}

/**
 * Starts tracing when `config` has an endpoint (or `options.exporter` is given), else returns null without
 * loading the SDK. Registers the tracer provider and an AsyncLocalStorage context manager globally, so that
 * an upstream call's span finds its operation's span as its parent.
 */
export async function startTracing(
  config: TracingConfig,
  options: TracingOptions = {},
): Promise<Tracing | null> {
  if (config.tracesUrl === null && options.exporter === undefined) return null;
  if (tracer !== null) throw new Error('tracing is already started');
  const [{ NodeTracerProvider, BatchSpanProcessor }, { defaultResource, resourceFromAttributes }, version] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/resources'),
      packageVersion(),
    ]);
  const exporter =
    options.exporter ??
    new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({
      url: config.tracesUrl as string,
    });
  const { logger } = options;
  if (logger) {
    diag.setLogger(
      {
        error: (message, ...args) => logger.error({ args: args.map(String) }, `opentelemetry: ${message}`),
        warn: () => {},
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.ERROR,
    );
  }
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': version }),
    ),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // No propagator: mailgraph sends no trace headers to the providers' APIs, which do not take part in traces.
  provider.register({ propagator: null });
  tracer = provider.getTracer('mailgraph', version);
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      tracer = null;
      try {
        await provider.shutdown();
      } finally {
        // Unregistered, so that tracing can start again in the same process (the tests do).
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
      }
    },
  };
}

async function packageVersion(): Promise<string> {
  // One level above both src/ and dist/.
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The trace id of the active span, for log lines; undefined when tracing is off or no span is active. */
export function currentTraceId(): string | undefined {
  if (tracer === null) return undefined;
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

export interface UpstreamSpanFacts {
  provider: Provider;
  method: string;
  /** The route template (`/addresses/{id}`); never a path with ids in it. */
  route: string | undefined;
  host: string;
  port: number | undefined;
  /** 1, or 2 for the retry of a read. */
  attempt: number;
}

/**
 * A CLIENT span for one upstream attempt, child of the active span (the operation's); null when tracing is
 * off. Only the method, the route template, the host and the provider: no URL, id, credential or body.
 */
export function startUpstreamSpan(facts: UpstreamSpanFacts): Span | null {
  if (tracer === null) return null;
  const { route } = facts;
  return tracer.startSpan(route === undefined ? facts.method : `${facts.method} ${route}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': facts.method,
      ...(route === undefined ? {} : { 'url.template': route }),
      'server.address': facts.host,
      ...(facts.port === undefined ? {} : { 'server.port': facts.port }),
      'mailgraph.provider': facts.provider,
      ...(facts.attempt > 1 ? { 'http.request.resend_count': facts.attempt - 1 } : {}),
    },
  });
}

/** Ends an upstream span with the answer's status, or with the failure's code (`TIMEOUT`, `SERVER_ERROR`…). */
export function endUpstreamSpan(span: Span, status: number | null, failureCode: string | undefined): void {
  if (status !== null) span.setAttribute('http.response.status_code', status);
  if (failureCode !== undefined) {
    span.setAttribute('error.type', failureCode);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failureCode });
  }
  span.end();
}

type OperationType = 'query' | 'mutation' | 'subscription';

/**
 * The operation's span, made the active span's parent for what runs under it, so that each upstream call's
 * span is its child. The error status names the errors' codes only: their messages may quote input.
 */
function startOperationSpan(
  active: Tracer,
  document: Parameters<typeof getOperationAST>[0],
  operationName: string | null | undefined,
): Span {
  const operation = getOperationAST(document, operationName);
  const type: OperationType = operation?.operation ?? 'query';
  const name = operation?.name?.value;
  return active.startSpan(`graphql.${type} ${name ?? 'anonymous'}`, {
    kind: SpanKind.SERVER,
    attributes: {
      'graphql.operation.type': type,
      ...(name === undefined ? {} : { 'graphql.operation.name': name }),
    },
  });
}

/**
 * An error's code as the failure log lines and `/metrics` name it: a typed failure's own code (`NOT_FOUND`,
 * `SERVER_ERROR`, `RATE_LIMITED`…), a GraphQL error's `extensions.code`, else `INTERNAL_SERVER_ERROR`. The
 * result is seen before yoga masks it, so the public `extensions.code` is not there yet.
 */
function codeOf(error: GraphQLError): string {
  const code = error.extensions?.code;
  if (typeof code === 'string') return code;
  return error.originalError instanceof MailgraphError ? error.originalError.code : 'INTERNAL_SERVER_ERROR';
}

function endOperationSpan(span: Span, result: ExecutionResult | null): void {
  const errors = result?.errors ?? [];
  if (errors.length > 0) {
    const codes = [...new Set(errors.map(codeOf))].sort();
    span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
  }
  span.end();
}

/**
 * Runs `work` with the operation's span active. Should it throw or reject (a bug: graphql-js reports
 * resolver failures in the result), the span ends there, since no result hook will run.
 */
function runWithin<T>(within: Context, span: Span, work: () => T): T {
  const failed = () => {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'INTERNAL_SERVER_ERROR' });
    span.end();
  };
  try {
    const outcome = context.with(within, work);
    if (outcome instanceof Promise) outcome.catch(failed);
    return outcome;
  } catch (error) {
    failed();
    throw error;
  }
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
}

/**
 * One span per GraphQL operation: a query or mutation from its execution's start to its result; a
 * subscription from its start until its stream is set up or refused (a live stream may last hours, and
 * its events make no upstream calls). Put it first among the plugins, so that an operation another plugin
 * refuses (cost, limits) still gets its span, with the error.
 */
export function useTracing(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (tracer === null) return;
      const span = startOperationSpan(tracer, args.document, args.operationName);
      const within = trace.setSpan(context.active(), span);
      setExecuteFn((executeArgs) => runWithin(within, span, () => executeFn(executeArgs)));
      return {
        onExecuteDone({ result }) {
          endOperationSpan(span, isExecutionResult(result) ? result : null);
        },
      };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      if (tracer === null) return;
      const span = startOperationSpan(tracer, args.document, args.operationName);
      const within = trace.setSpan(context.active(), span);
      setSubscribeFn((subscribeArgs) => runWithin(within, span, () => subscribeFn(subscribeArgs)));
      return {
        onSubscribeResult({ result }) {
          endOperationSpan(span, isExecutionResult(result) ? result : null);
        },
        onSubscribeError() {
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'INTERNAL_SERVER_ERROR' });
          span.end();
        },
      };
    },
  };
}
