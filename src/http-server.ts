/**
 * The node:http front of the app: request size limits before yoga reads a byte, `/ready`, and
 * everything else handed to yoga (`/graphql`, GraphiQL, `/health`).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { App } from './app.js';
import type { Metrics } from './metrics.js';

/** A 10 MB message plus base64 overhead and the rest of the GraphQL document. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export interface HttpServerOptions {
  app: App;
  /** Resolves true when everything the app depends on answers. */
  ready?: () => Promise<boolean>;
  maxRequestBytes?: number;
  /** Served on `/metrics` in the Prometheus text format. */
  metrics?: Metrics;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function createHttpServer(options: HttpServerOptions): Server {
  const limit = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/ready') {
      const ok = options.ready ? await options.ready().catch(() => false) : true;
      sendJson(res, ok ? 200 : 503, { ready: ok });
      return;
    }
    if (path === '/metrics' && options.metrics) {
      const { registry } = options.metrics;
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      const declared = req.headers['content-length'];
      if (declared === undefined) {
        sendJson(res, 411, { errors: [{ message: 'A request body needs a Content-Length header.' }] });
        return;
      }
      if (!/^\d+$/.test(declared) || Number(declared) > limit) {
        sendJson(res, 413, { errors: [{ message: `The request body exceeds ${limit} bytes.` }] });
        req.resume();
        return;
      }
    }
    options.app(req, res);
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 5_000;
  return server;
}
