/**
 * Subscriptions over WebSocket (graphql-ws's `graphql-transport-ws` protocol) on `/graphql`, attached to
 * mailgraph's node:http server with `ws`, following yoga's graphql-ws recipe: every operation runs through
 * `yoga.getEnveloped`, so the schema, the context factory and the envelop plugins (authorization scopes,
 * armor, error masking, the subscription limits) are those of every other request.
 *
 * - The upgrade is refused (403) when a browser's `Origin` is neither the page's own nor listed in
 *   MAILGRAPH_CORS_ORIGINS: a page on another site must not open a socket with the server's trust.
 * - The key comes in `connection_init`'s payload (`{ authorization: 'Bearer …' }`) or in the upgrade's
 *   `Authorization` header; an unknown one closes the socket with 4401. Each socket counts against its
 *   key's limit (1013 when it holds as many as it may).
 * - Only subscriptions run here; queries and mutations go to `POST /graphql`, whose body limits depend on
 *   the key's scopes. A message is at most MAILGRAPH_MAX_BODY_BYTES (1009 above it).
 * - At shutdown every socket closes with 1001 (going away), which ends its subscriptions.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
} from 'graphql';
import { CloseCode, type Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { App } from '../app.js';
import type { Config } from '../config.js';
import { identify } from '../context.js';
import { CONNECTION_KEY } from './plugin.js';
import type { SubscriptionRegistry } from './registry.js';

/** What a socket is known by once its `connection_init` is accepted. */
interface SocketState {
  authorization: string | null;
  release: () => void;
}

type Extra = {
  socket: WebSocket;
  request: IncomingMessage;
};

interface Roots {
  execute(args: ExecutionArgs): Promise<ExecutionResult> | ExecutionResult;
  subscribe(args: ExecutionArgs): unknown;
}

/** Whether a browser page at `origin` may open a socket to this server (same origin, or listed). */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: ReadonlySet<string>,
): boolean {
  // Clients other than browsers send no Origin; they present their key like any other client.
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && host !== undefined && url.host === host;
  } catch {
    return false;
  }
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(reason) + 1}\r\n\r\n${reason}\n`,
  );
}

export interface WebSocketOptions {
  app: App;
  config: Config;
  registry: SubscriptionRegistry;
  /** Whether the HTTP server is shutting down (upgrades are then refused with 503). */
  closing: () => boolean;
  path?: string;
}

export function attachWebSocket(server: Server, options: WebSocketOptions): void {
  const { app, config, registry, path = '/graphql' } = options;
  const allowed: ReadonlySet<string> = new Set(config.http.corsOrigins);
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.http.maxBodyBytes });
  const sockets = new WeakMap<WebSocket, SocketState>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== path) return refuseUpgrade(socket, 404, 'Not Found');
    if (options.closing() || registry.closing) return refuseUpgrade(socket, 503, 'Service Unavailable');
    if (!originAllowed(req.headers.origin, req.headers.host, allowed)) {
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  useServer<Record<string, unknown> | undefined, Extra>(
    {
      execute: (args) => (args.rootValue as Roots).execute(args),
      subscribe: (args) => (args.rootValue as Roots).subscribe(args) as never,
      onConnect(ctx: WsContext<Record<string, unknown> | undefined, Extra>) {
        const { socket, request } = ctx.extra;
        const fromParams = ctx.connectionParams?.authorization;
        const authorization =
          typeof fromParams === 'string' ? fromParams : (request.headers.authorization ?? null);
        const caller = identify(config, authorization);
        if (!caller) {
          socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        const release = registry.openConnection(caller.principal);
        if (!release) {
          socket.close(1013, 'Too many connections for this API key');
          return false;
        }
        sockets.set(socket, { authorization, release });
        return true;
      },
      onClose(ctx) {
        sockets.get(ctx.extra.socket)?.release();
      },
      async onSubscribe(ctx, _id, payload) {
        const state = sockets.get(ctx.extra.socket);
        const headers = new Headers();
        if (state?.authorization) headers.set('authorization', state.authorization);
        const request = new Request(`http://${ctx.extra.request.headers.host ?? 'localhost'}${path}`, {
          headers,
        });
        const enveloped = app.getEnveloped({
          request,
          params: payload,
          [CONNECTION_KEY]: ctx.extra.socket,
        } as never);
        let document: DocumentNode;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (operation && operation.operation !== 'subscription') {
          return [
            new GraphQLError(
              `Over WebSocket mailgraph runs subscriptions only: send a ${operation.operation} to POST /graphql.`,
              { extensions: { code: 'BAD_REQUEST' } },
            ),
          ];
        }
        const roots: Roots = { execute: enveloped.execute, subscribe: enveloped.subscribe };
        return {
          schema: enveloped.schema,
          document,
          contextValue: await enveloped.contextFactory(),
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          rootValue: roots,
        };
      },
    },
    wss,
  );

  // At shutdown: every socket goes away (1001), which ends its subscriptions; one that does not finish
  // the closing handshake in time is cut.
  registry.onStop(async () => {
    const closing = [...wss.clients].map(
      (client) =>
        new Promise<void>((resolve) => {
          if (client.readyState === client.CLOSED) return resolve();
          client.once('close', () => resolve());
          client.close(1001, 'Going away');
          setTimeout(() => client.terminate(), 2_000).unref();
        }),
    );
    await Promise.all(closing);
  });
}
