/**
 * CORS for `/graphql` from an explicit allow-list (`MAILGRAPH_CORS_ORIGINS`). yoga's own CORS reflects any
 * origin and allows credentials; mailgraph authenticates with a bearer key, never a cookie, so it never
 * allows credentials, and an origin that is not listed gets no CORS header at all (the browser then keeps
 * the answer from the page). Same-origin pages (GraphiQL) need no CORS.
 */
import type { Plugin } from 'graphql-yoga';

/** PUT and DELETE are graphql-sse's single-connection mode (reserve a stream, stop an operation). */
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE';
/**
 * What a browser client sends: the key, the body's type, the answer's type, the CSRF-prevention header, and
 * graphql-sse's stream token (single-connection mode).
 */
const ALLOWED_HEADERS =
  'authorization, content-type, accept, x-graphql-yoga-csrf, apollo-require-preflight, x-graphql-event-stream-token';
const MAX_AGE_SECONDS = '600';

/** The CORS headers of an answer to a request from `origin` (null: none sent), given the allowed origins. */
export function corsHeaders(
  allowed: ReadonlySet<string>,
  origin: string | null,
  preflight: boolean,
): Record<string, string> {
  // The answer depends on Origin whenever there is an allow-list, whether or not this origin is on it.
  const headers: Record<string, string> = allowed.size > 0 ? { vary: 'Origin' } : {};
  if (origin === null || !allowed.has(origin)) return headers;
  headers['access-control-allow-origin'] = origin;
  if (preflight) {
    headers['access-control-allow-methods'] = ALLOWED_METHODS;
    headers['access-control-allow-headers'] = ALLOWED_HEADERS;
    headers['access-control-max-age'] = MAX_AGE_SECONDS;
  } else {
    headers['access-control-expose-headers'] = 'www-authenticate, x-graphql-event-stream-token, x-request-id';
  }
  return headers;
}

export function useCorsAllowList(origins: readonly string[]): Plugin {
  const allowed: ReadonlySet<string> = new Set(origins);
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'OPTIONS') return;
      endResponse(
        new fetchAPI.Response(null, {
          status: 204,
          // Safari waits for a body on a 204 without it.
          headers: { 'content-length': '0', ...corsHeaders(allowed, request.headers.get('origin'), true) },
        }),
      );
    },
    onResponse({ request, response }) {
      if (request.method === 'OPTIONS') return;
      for (const [name, value] of Object.entries(
        corsHeaders(allowed, request.headers.get('origin'), false),
      )) {
        if (name === 'vary') {
          const vary = response.headers.get('vary');
          response.headers.set('vary', vary ? `${vary}, ${value}` : value);
        } else {
          response.headers.set(name, value);
        }
      }
    },
  };
}
