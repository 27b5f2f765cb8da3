/**
 * The node:http front of the app. Before yoga reads a byte of a GraphQL request it checks the API key, the
 * body's type (JSON only: nothing a form or a simple cross-site request can send) and its declared size,
 * which depends on the caller: the attachment-sized limit only for keys that may send. It serves GraphiQL
 * and the live mail activity page at `/` (when configured, compressed and cacheable), `/ready` and
 * `/metrics`, and hands everything else to yoga
 * (`/graphql`, `/graphql/stream`, `/health`). WebSocket upgrades on `/graphql` go to graphql-ws
 * (src/subscriptions/ws.ts: Origin checked, key at `connection_init`). `closeGracefully` stops it without
 * dropping requests in flight.
 *
 * Every request runs with its request id (src/request-context.ts), echoed in `x-request-id`, so that each log
 * line written while serving it names it.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createActivityPage, isActivityPagePath } from './activity-page.js';
import { type App, responseCacheOf, subscriptionsOf } from './app.js';
import type { Config } from './config.js';
import { UNAUTHENTICATED_MESSAGE, identify } from './context.js';
import { corsHeaders } from './cors.js';
import { type WebhookDeps, handleWebhook } from './events/webhooks.js';
import { GraphQLFastPath } from './fast-path.js';
import { createGraphiQLPage, wantsGraphiQL } from './graphiql.js';
import type { Metrics } from './metrics.js';
import { REQUEST_ID_HEADER, requestIdFrom, runWithRequestId } from './request-context.js';
import { STREAM_ENDPOINT } from './subscriptions/sse.js';
import { attachWebSocket } from './subscriptions/ws.js';

export interface HttpServerOptions {
  app: App;
  /** Body limits, API keys, allowed origins and whether GraphiQL is served come from here. */
  config: Config;
  /**
   * What `/ready` answers (src/readiness.ts): 200 when `ready`, else 503, with the whole report as JSON
   * (per-provider status). Without it, `/ready` says `{"ready": true}`.
   */
  ready?: () => Promise<{ ready: boolean }>;
  /**
   * Served on `/metrics` in the Prometheus text format; also told of the webhooks' outcomes and of the app's
   * live subscriptions.
   */
  metrics?: Metrics;
  /** The provider webhooks under `/webhooks/` (their own auth, limits and status codes). */
  webhooks?: WebhookDeps;
}

/** What `closeGracefully` needs to know of a server this module created. */
interface Lifecycle {
  closing: boolean;
  inFlight: Set<ServerResponse>;
}

const lifecycles = new WeakMap<Server, Lifecycle>();

const JSON_BODY = /^application\/json\s*(;|$)/i;

/** The media types yoga can answer in: JSON (both GraphQL over HTTP types), SSE and multipart. */
const ANSWER_TYPES = [
  'application/graphql-response+json',
  'application/json',
  'text/event-stream',
  'multipart/mixed',
];

/**
 * Whether yoga can answer in a type `accept` names, decided as yoga decides it (media ranges, UTF-8 only,
 * no header meaning any). yoga only finds out after executing the operation, and then answers 406 to a
 * request whose reads and sends already ran: this refuses it first.
 */
function acceptable(accept: string | undefined): boolean {
  for (const entry of (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',')) {
    const [range = '', ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [type, subtype] = range.split('/');
    if (
      ANSWER_TYPES.some((answer) => {
        const [answerType, answerSubtype] = answer.split('/');
        return (type === '*' || type === answerType) && (subtype === '*' || subtype === answerSubtype);
      })
    )
      return true;
  }
  return false;
}

function isGraphQLPath(path: string): boolean {
  return path === '/graphql' || path.startsWith('/graphql/');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function createHttpServer(options: HttpServerOptions): Server {
  const { app, config } = options;
  const allowedOrigins: ReadonlySet<string> = new Set(config.http.corsOrigins);
  const graphiql = config.http.graphiql ? createGraphiQLPage() : null;
  const activityPage = createActivityPage({
    enabled: config.http.activityPage,
    sandbox: config.sandbox,
    keyRequired: config.apiKeys.size > 0,
  });
  const lifecycle: Lifecycle = { closing: false, inFlight: new Set() };
  const { metrics } = options;
  const fastPath = new GraphQLFastPath({
    app,
    cache: responseCacheOf(app) ?? null,
    ...(metrics ? { onShared: () => metrics.observeSharedExecution() } : {}),
  });
  const webhooks: WebhookDeps | undefined =
    options.webhooks && metrics
      ? {
          ...options.webhooks,
          onOutcome: (source, outcome, count) => {
            options.webhooks?.onOutcome?.(source, outcome, count);
            metrics.observeIntake(source, outcome, count);
          },
        }
      : options.webhooks;

  /** A GraphQL error answered before yoga: in the media type the client asked for, with CORS for listed origins. */
  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    message: string,
    extra: { code?: string; headers?: Record<string, string> } = {},
  ): void => {
    const type = (req.headers.accept ?? '').includes('application/graphql-response+json')
      ? 'application/graphql-response+json'
      : 'application/json';
    res.writeHead(status, {
      'content-type': `${type}; charset=utf-8`,
      ...corsHeaders(allowedOrigins, req.headers.origin ?? null, false),
      ...extra.headers,
    });
    res.end(
      JSON.stringify({ errors: [{ message, ...(extra.code ? { extensions: { code: extra.code } } : {}) }] }),
    );
    // The body is never read: let it drain (no parsing, no buffering) so that the answer reaches the client.
    req.resume();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/ready') {
      const report = options.ready ? await options.ready().catch(() => ({ ready: false })) : { ready: true };
      res.setHeader('cache-control', 'no-store');
      sendJson(res, report.ready ? 200 : 503, report);
      return;
    }
    if (path === '/metrics' && metrics) {
      const { registry } = metrics;
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    if (path.startsWith('/webhooks/') && webhooks) {
      await handleWebhook(webhooks, path, req, res);
      return;
    }
    // The live mail activity page: `/` and its `/assets/` (or a 404 saying which setting serves it).
    if (isActivityPagePath(path)) {
      await activityPage(req, res, path);
      return;
    }
    const graphql = isGraphQLPath(path);
    if (graphql && wantsGraphiQL(req)) {
      if (graphiql) {
        await graphiql(req, res);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('GraphiQL is not served here (MAILGRAPH_GRAPHIQL=true serves it).\n');
      }
      return;
    }
    let limit = config.http.maxSendBodyBytes;
    let principal: string | null = null;
    // Preflights carry no key (browsers never send one there) and no body: yoga answers them with CORS.
    if (graphql && req.method !== 'OPTIONS') {
      const caller = identify(config, req.headers.authorization);
      if (!caller) {
        refuse(req, res, 401, UNAUTHENTICATED_MESSAGE, {
          code: 'UNAUTHENTICATED',
          headers: { 'www-authenticate': 'Bearer' },
        });
        return;
      }
      principal = caller.principal;
      // Only a send carries attachments; every other request fits the small limit (the stream endpoint
      // carries subscriptions only).
      limit =
        caller.scopes.has('send') && path !== STREAM_ENDPOINT
          ? config.http.maxSendBodyBytes
          : config.http.maxBodyBytes;
      if (!acceptable(req.headers.accept)) {
        refuse(req, res, 406, `The answer can only be one of ${ANSWER_TYPES.join(', ')}.`, {
          code: 'BAD_REQUEST',
        });
        return;
      }
      if (req.method === 'POST' && !JSON_BODY.test(req.headers['content-type'] ?? '')) {
        refuse(req, res, 415, 'A GraphQL request body must be application/json.', { code: 'BAD_REQUEST' });
        return;
      }
    }
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      const declared = req.headers['content-length'];
      if (declared === undefined) {
        refuse(req, res, 411, 'A request body needs a Content-Length header.');
        return;
      }
      if (!/^\d+$/.test(declared) || Number(declared) > limit) {
        refuse(req, res, 413, `The request body exceeds ${limit} bytes.`);
        return;
      }
    }
    // Cached answers and identical queries in flight, before yoga (src/fast-path.ts).
    if (principal !== null && fastPath.accepts(req, path)) {
      await fastPath.serve(
        req,
        res,
        principal,
        limit,
        corsHeaders(allowedOrigins, req.headers.origin ?? null, false),
      );
      return;
    }
    await app(req, res);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    lifecycle.inFlight.add(res);
    res.on('close', () => lifecycle.inFlight.delete(res));
    // An answer whose headers went out before the shutdown kept its connection alive: close it once idle.
    res.on('finish', () => {
      if (lifecycle.closing) setImmediate(() => server.closeIdleConnections());
    });
    // While shutting down, every answer closes its connection, so that none is kept alive past the drain.
    if (lifecycle.closing) res.setHeader('connection', 'close');
    runWithRequestId(requestId, () => handle(req, res)).catch(() => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { errors: [{ message: 'Unexpected error.' }] });
    });
  });
  lifecycles.set(server, lifecycle);
  // Subscriptions over WebSocket (graphql-ws) on /graphql, for apps made by createApp.
  const subscriptions = subscriptionsOf(app);
  if (subscriptions) {
    metrics?.trackSubscriptions(subscriptions);
    attachWebSocket(server, { app, config, registry: subscriptions, closing: () => lifecycle.closing });
  }
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

export interface CloseOutcome {
  /** Whether every request in flight finished within the grace period. */
  drained: boolean;
  /** Requests still unanswered when the grace period ran out (their connections were closed). */
  cut: number;
}

/**
 * Stops accepting connections at once, lets the requests in flight finish for up to `graceMs`, closes
 * their connections as they finish (and idle keep-alive ones at once), then closes whatever is left.
 */
export function closeGracefully(server: Server, graceMs: number): Promise<CloseOutcome> {
  const lifecycle = lifecycles.get(server);
  if (lifecycle) {
    lifecycle.closing = true;
    for (const res of lifecycle.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
  }
  return new Promise((resolve) => {
    let cut = 0;
    const timer = setTimeout(() => {
      cut = lifecycle ? [...lifecycle.inFlight].filter((res) => !res.writableFinished).length : 0;
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve({ drained: cut === 0, cut });
    });
    server.closeIdleConnections();
  });
}
