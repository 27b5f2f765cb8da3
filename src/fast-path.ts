/**
 * The fast path of `POST /graphql` for queries (issue 10): what can be answered without running the whole
 * GraphQL-over-HTTP pipeline again is answered here, by the HTTP front, after its checks (key, media types,
 * size) and before yoga.
 *
 * - **A cached answer** (src/response-cache.ts) is written as it is: the same key as the cache's plugin
 *   computes (client key, document, operation, variables), the same status, type and bytes as yoga would
 *   send, without building a Fetch `Request`, parsing or running a plugin.
 * - **Identical queries in flight share one execution.** A query whose client key, body, media type and
 *   origin are the same as one already being executed waits for that one's answer instead of executing
 *   again, as identical upstream GETs already share one call (src/upstream/cache.ts `InFlight`). The
 *   answer was computed while the request was waiting, so it is never older than executing it would give;
 *   with no cache at all (MAILGRAPH_CACHE_TTL_SECONDS=0) this is what keeps the GraphQL work per request
 *   small under load. Only queries: a mutation or a subscription always runs for itself.
 *
 * Anything else (another media type, GET, a body that is not a JSON object with a query, a document that
 * does not parse) goes to yoga unchanged, with the body already read handed over (`req.body`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type OperationTypeNode, getOperationAST, parse } from 'graphql';
import type { App } from './app.js';
import { jsonShapeRefusal } from './request-limits.js';
import type { GraphQLResponseCache } from './response-cache.js';

/** The Accept headers answered here, and the media type yoga answers each with. */
const MEDIA_TYPES = new Map<string, string>([
  ['', 'application/json'],
  ['*/*', 'application/json'],
  ['application/json', 'application/json'],
  ['application/graphql-response+json', 'application/graphql-response+json'],
  ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
  ['application/graphql-response+json,application/json', 'application/graphql-response+json'],
]);

/** Documents whose operation type was looked up; a small memo, like yoga's parser cache. */
const OPERATION_MEMO = 1000;
const MEMO_DOCUMENT_BYTES = 16 * 1024;
/** The most tokens a document may have: graphql-armor's limit in yoga (src/app.ts), and here. */
export const MAX_TOKENS = 3000;

interface Captured {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface FastPathOptions {
  app: App;
  cache: GraphQLResponseCache | null;
  /** Counts requests answered by joining an identical one in flight. */
  onShared?: () => void;
}

export class GraphQLFastPath {
  private readonly inflight = new Map<string, Promise<Captured>>();
  private readonly operations = new Map<string, OperationTypeNode | null>();
  /** Requests answered by joining an identical one in flight, and from the response cache. */
  readonly stats = { shared: 0, cached: 0 };

  constructor(private readonly options: FastPathOptions) {}

  /** Whether a request is the fast path's to answer (it then must be handed to `serve`). */
  accepts(req: IncomingMessage, path: string): boolean {
    return req.method === 'POST' && path === '/graphql' && MEDIA_TYPES.has(normalAccept(req));
  }

  /** `cors`: the CORS headers yoga would add to this request's answer (src/cors.ts). */
  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    principal: string,
    limit: number,
    cors: Record<string, string>,
  ): Promise<void> {
    const body = await readBody(req, limit);
    if (body === null) {
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ errors: [{ message: `The request body exceeds ${limit} bytes.` }] }));
      return;
    }
    const mediaType = MEDIA_TYPES.get(normalAccept(req)) ?? 'application/json';
    // The same bytes from the same key, media type and origin as a query in flight: join it before any
    // parsing (only queries are ever in flight here, and that one passed every check this one would).
    const key = `${principal}\0${mediaType}\0${req.headers.origin ?? ''}\0${body.toString('latin1')}`;
    let shared = this.inflight.get(key);
    if (shared) {
      this.stats.shared += 1;
      this.options.onShared?.();
    } else {
      const params = paramsOf(body);
      const type = params ? this.operationType(params) : null;
      if (!params || type !== 'query') {
        await this.toYoga(req, res, body);
        return;
      }
      const { cache } = this.options;
      if (cache) {
        const answer = cache.lookup(cache.keyOf(params, principal));
        if (answer !== undefined) {
          this.stats.cached += 1;
          const bytes = Buffer.from(answer);
          res.writeHead(200, {
            'content-type': `${mediaType}; charset=utf-8`,
            'content-length': String(bytes.length),
            ...cors,
          });
          res.end(bytes);
          return;
        }
      }
      shared = this.execute(req, body).finally(() => this.inflight.delete(key));
      this.inflight.set(key, shared);
    }
    const captured = await shared;
    res.writeHead(captured.status, captured.headers);
    res.end(captured.body);
  }

  /** Runs the request through yoga as a Fetch request, keeping its answer for everyone waiting on it. */
  private async execute(req: IncomingMessage, body: Buffer): Promise<Captured> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/graphql'}`;
    const init: RequestInit = { method: 'POST', headers, body: body.toString('utf8') };
    const response = await Promise.resolve(this.options.app.fetch(url, init));
    const answer = Buffer.from(await response.arrayBuffer());
    const captured: Captured = { status: response.status, headers: {}, body: answer };
    response.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding') captured.headers[name] = value;
    });
    captured.headers['content-length'] = String(answer.length);
    return captured;
  }

  private async toYoga(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    // yoga (@whatwg-node/server) reads a body a front already read from `req.body`.
    (req as IncomingMessage & { body?: Buffer }).body = body;
    await this.options.app(req, res);
  }

  private operationType(params: Params): OperationTypeNode | null {
    const memoKey = `${params.operationName ?? ''}\0${params.query}`;
    const known = this.operations.get(memoKey);
    if (known !== undefined) return known;
    let type: OperationTypeNode | null = null;
    try {
      // The same token limit as graphql-armor's in yoga: a hostile document costs no more here than there.
      type =
        getOperationAST(parse(params.query, { maxTokens: MAX_TOKENS }), params.operationName ?? undefined)
          ?.operation ?? null;
    } catch {
      type = null;
    }
    // Only documents of a dashboard's size are remembered, so the memo stays small whatever is sent.
    if (memoKey.length <= MEMO_DOCUMENT_BYTES) {
      if (this.operations.size >= OPERATION_MEMO) this.operations.clear();
      this.operations.set(memoKey, type);
    }
    return type;
  }
}

function normalAccept(req: IncomingMessage): string {
  return (req.headers.accept ?? '').trim().toLowerCase();
}

/**
 * The body, or null when it is longer than `limit` (the front checked the declared length already). Stream
 * events rather than an async iterator: this runs for every request, and the iterator's promises cost more
 * than the body's one or two chunks. A client that leaves before the end rejects it.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        cleanup();
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    const onClose = () => {
      cleanup();
      reject(new Error('The client left before the request body ended.'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onClose);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onClose);
    req.on('close', onClose);
  });
}

/** The GraphQL-over-HTTP parameters, when the body is exactly what the fast path can key on. */
function paramsOf(body: Buffer): Params | null {
  const text = body.toString('utf8');
  // The request-shape limits yoga applies (src/request-limits.ts), first: a body nested too deep or too
  // big is yoga's to refuse, before anything here parses or keys it.
  if (jsonShapeRefusal(text) !== null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const { query, variables, operationName, extensions } = parsed as Record<string, unknown>;
  if (typeof query !== 'string' || extensions !== undefined) return null;
  if (
    variables !== undefined &&
    variables !== null &&
    (typeof variables !== 'object' || Array.isArray(variables))
  )
    return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  return {
    query,
    variables: (variables as Record<string, unknown> | null | undefined) ?? null,
    operationName: (operationName as string | null | undefined) ?? null,
  };
}
