/**
 * GraphQL over SSE with graphql-sse's protocol on `/graphql/stream`, both of its modes: "distinct
 * connections" (one POST or GET with `Accept: text/event-stream` per operation) and "single connection"
 * (PUT reserves a stream token, GET opens the stream, POST adds operations to it, DELETE ends one). yoga's
 * own SSE on `/graphql` is the distinct-connections mode too (what GraphiQL uses).
 *
 * graphql-sse's handler is mounted by `@graphql-yoga/plugin-graphql-sse`, which runs each operation through
 * yoga's `getEnveloped`: the same schema, context factory and envelop plugins as every other request. This
 * plugin adds what mailgraph needs around it:
 * - stream tokens from `crypto.randomUUID` (graphql-sse's default uses Math.random), bound to the API key
 *   that reserved them: another key cannot attach operations to a stream or read it;
 * - each reserved stream counts against its key's limit, and a reservation never opened expires;
 * - a GET that runs an operation needs the CSRF header, as on `/graphql`; a POST body gets the same
 *   nesting and size-of-values bounds as on `/graphql` (src/request-limits.ts);
 * - at shutdown, a single-connection stream ends once the `complete` of each of its operations is sent.
 * The HTTP front (src/http-server.ts) has already checked the key, `Accept`, the body's type and size.
 */
import { randomUUID } from 'node:crypto';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { UNAUTHENTICATED_MESSAGE, identify } from '../context.js';
import { jsonShapeRefusal } from '../request-limits.js';
import { STREAM_TOKEN_HEADER } from './plugin.js';
import type { SubscriptionRegistry } from './registry.js';

/** Where graphql-sse's protocol is served. */
export const STREAM_ENDPOINT = '/graphql/stream';

/** How long a reserved stream token waits for its GET before it is given back (ms). */
const RESERVATION_MS = 30_000;

const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'];
const DISPOSE_HEADER = 'x-mailgraph-dispose';

type HandlerResponse = readonly [
  string | null,
  { status: number; statusText: string; headers?: Record<string, string> },
];

function refusal(status: number, statusText: string, message: string, code: string): HandlerResponse {
  return [
    JSON.stringify({ errors: [{ message, extensions: { code } }] }),
    { status, statusText, headers: { 'content-type': 'application/json; charset=utf-8' } },
  ];
}

function tokenOf(request: {
  url: string;
  headers: { get(name: string): string | null | undefined };
}): string | null {
  return (
    request.headers.get(STREAM_TOKEN_HEADER) ??
    new URL(request.url, 'http://localhost').searchParams.get('token')
  );
}

interface Reservation {
  principal: string;
  release: () => void;
  opened: boolean;
  timer: NodeJS.Timeout;
}

/**
 * A single-connection stream that can be ended at shutdown once the `complete` events of its operations
 * have passed through (graphql-sse sends one per operation, then keeps the stream open).
 */
function closable(body: ReadableStream<Uint8Array>): {
  stream: ReadableStream<Uint8Array>;
  close(expectedCompletes: number): Promise<void>;
  ended: Promise<void>;
} {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let awaiting: number | null = null;
  let finished = false;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;
  let markEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    markEnded = resolve;
  });
  const finish = () => {
    if (finished) return;
    finished = true;
    try {
      controllerRef?.close();
    } catch {
      // Already closed or errored by the consumer.
    }
    void reader.cancel().catch(() => {});
    markEnded();
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller;
    },
    async pull(controller) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (finished) return;
      if (done) {
        finish();
        return;
      }
      controller.enqueue(value);
      if (awaiting !== null) {
        awaiting -= decoder.decode(value, { stream: true }).split('event: complete').length - 1;
        if (awaiting <= 0) finish();
      }
    },
    cancel() {
      finish();
    },
  });
  return {
    stream,
    ended,
    close(expectedCompletes) {
      awaiting = expectedCompletes;
      if (expectedCompletes <= 0) finish();
      return ended;
    },
  };
}

export interface GraphQLOverSSEOptions {
  config: Config;
  registry: SubscriptionRegistry;
  /** The app's own fetch (through its plugins), to have graphql-sse drop a stream never opened. */
  fetch: (url: string, init: RequestInit) => Promise<Response> | Response;
}

export function useGraphQLOverSSE(options: GraphQLOverSSEOptions): Plugin {
  const { config, registry } = options;
  const reservations = new Map<string, Reservation>();
  /** Marks mailgraph's own request that disposes of an expired reservation's stream. */
  const disposeSecret = randomUUID();

  /** Gives back a reservation that was never opened, and has graphql-sse drop its stream. */
  const expire = (token: string) => {
    const reservation = reservations.get(token);
    if (!reservation || reservation.opened) return;
    reservations.delete(token);
    reservation.release();
    // graphql-sse keeps a reserved stream until it is opened and closed: open it, and close it at once.
    void (async () => {
      const response = await options.fetch(`http://localhost${STREAM_ENDPOINT}`, {
        method: 'GET',
        headers: {
          accept: 'text/event-stream',
          [STREAM_TOKEN_HEADER]: token,
          [DISPOSE_HEADER]: disposeSecret,
        },
      });
      await response.body?.cancel();
    })().catch(() => {});
  };

  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        useGraphQLSSE({
          endpoint: STREAM_ENDPOINT,
          authenticate(req) {
            const token = tokenOf(req);
            if (token && req.headers.get(DISPOSE_HEADER) === disposeSecret) return token;
            const caller = identify(config, req.headers.get('authorization'));
            if (!caller) return refusal(401, 'Unauthorized', UNAUTHENTICATED_MESSAGE, 'UNAUTHENTICATED');
            if (req.method === 'PUT') {
              if (registry.closing) {
                return refusal(503, 'Service Unavailable', 'The server is shutting down.', 'BAD_REQUEST');
              }
              const release = registry.openConnection(caller.principal);
              if (!release) {
                return refusal(
                  429,
                  'Too Many Requests',
                  'This API key already holds as many streams as it may (MAILGRAPH_SUBSCRIPTIONS_PER_KEY).',
                  'TOO_MANY_SUBSCRIPTIONS',
                );
              }
              const fresh = randomUUID();
              const timer = setTimeout(() => expire(fresh), RESERVATION_MS);
              timer.unref();
              reservations.set(fresh, { principal: caller.principal, release, opened: false, timer });
              return fresh;
            }
            // No token: the distinct-connections mode.
            if (!token) return undefined;
            const reservation = reservations.get(token);
            // Another key's token is answered as an unknown one.
            if (!reservation || reservation.principal !== caller.principal) {
              return refusal(404, 'Not Found', 'Stream not found.', 'BAD_REQUEST');
            }
            return token;
          },
          onConnect(req) {
            const token = tokenOf(req);
            const reservation = token ? reservations.get(token) : undefined;
            if (!token || !reservation || reservation.opened) return;
            reservation.opened = true;
            clearTimeout(reservation.timer);
            const close = () => {
              reservations.delete(token);
              reservation.release();
            };
            if (req.raw.signal.aborted) close();
            else req.raw.signal.addEventListener('abort', close, { once: true });
          },
        }),
      );
    },
    async onRequest({ request, url, endResponse, setRequest, fetchAPI }) {
      if (url.pathname !== STREAM_ENDPOINT) return;
      const json = (status: number, message: string, code: string) =>
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
            status,
            headers: { 'content-type': 'application/json; charset=utf-8' },
          }),
        );
      if (
        request.method === 'GET' &&
        !tokenOf(request) &&
        !CSRF_HEADERS.some((h) => request.headers.has(h))
      ) {
        json(403, 'Required CSRF header(s) not present', 'BAD_REQUEST');
        return;
      }
      if (request.method === 'POST') {
        const text = await request.text();
        const refused = jsonShapeRefusal(text);
        if (refused) {
          json(400, refused, 'BAD_REQUEST');
          return;
        }
        setRequest(
          new fetchAPI.Request(request.url, {
            method: 'POST',
            headers: request.headers,
            body: text,
            signal: request.signal,
          }),
        );
      }
    },
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || !response.body || response.status !== 200) return;
      if (new URL(request.url).pathname !== STREAM_ENDPOINT) return;
      const token = tokenOf(request);
      if (!token || !reservations.has(token)) return;
      const handle = closable(response.body);
      const unregister = registry.onStop(() => handle.close(registry.liveOn(`graphql-sse:${token}`)));
      void handle.ended.then(unregister);
      setResponse(
        new fetchAPI.Response(handle.stream, { status: response.status, headers: response.headers }),
      );
    },
  };
}
