/**
 * The one HTTP transport under every provider client. It owns what every upstream call must get right:
 * an overall deadline, a response size cap, path segments that cannot escape their place, JSON in and out,
 * validation of what comes back, one bounded retry for idempotent reads, and a single hook that turns a
 * provider's error response into a typed error. Each attempt is reported once (`onCall`: metrics, readiness,
 * the failure log line) and, while tracing, is one CLIENT span (src/tracing.ts).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import type { ZodError, ZodType, ZodTypeDef } from 'zod';
import {
  MailgraphError,
  type Provider,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../errors.js';
import { endUpstreamSpan, startUpstreamSpan } from '../tracing.js';
import { countUpstreamCall } from './request-scope.js';
import { sanitizeUpstreamText } from './sanitize.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type ResponseHeaders = Record<string, string | string[] | undefined>;
export type QueryValue = string | number | null | undefined;

/** What the caller knows about the resource, so that a 404 can name it. */
export interface ErrorContext {
  resource?: string;
  id?: string;
  /**
   * Credentials this request carried, which an error message must never quote (a provider may echo one).
   * The transport fills it from the `Authorization` header it sent.
   */
  secrets?: readonly string[];
}

/** Turns a non-success response into the error to throw. `body` is parsed JSON, capped text, or null. */
export type MapError = (
  status: number,
  body: unknown,
  headers: ResponseHeaders,
  context: ErrorContext,
) => MailgraphError;

export interface UpstreamCall {
  provider: Provider;
  method: HttpMethod;
  /** The path below the origin, without the query string. */
  path: string;
  /** A low-cardinality template for metrics (e.g. `/addresses/{id}`); `path` when none was given. */
  route: string;
  /** null when no response arrived (network error, timeout). */
  status: number | null;
  durationMs: number;
  /** 1, or 2 for the retry of a read. */
  attempt: number;
  /** Why the attempt failed; absent when it succeeded. */
  failure?: UpstreamFailure;
}

/** A failed attempt, in words safe to log: never a credential, never a control character. */
export interface UpstreamFailure {
  /** The typed error's code: `TIMEOUT`, `NETWORK`, `SERVER_ERROR`, `RATE_LIMITED`, `NOT_FOUND`… */
  code: string;
  /** The provider's own error code, when its answer carried one (Cloudflare's `10004`…). */
  providerCode: string | null;
  /** The transport error (`UND_ERR_SOCKET: other side closed`) or the mapped error's message. */
  cause: string;
  /** Whether the transport tries again (a read after a network error or a 502/503/504). */
  retried: boolean;
  /** For a 429: the wait the provider asked for, as capped. */
  retryAfterSeconds?: number;
}

export interface HttpRequest<T> {
  method: HttpMethod;
  /** Path below the base URL, one entry per segment; each is percent-encoded on its own. */
  segments: readonly string[];
  query?: ReadonlyArray<readonly [string, QueryValue]>;
  /** Serialised as JSON. */
  body?: unknown;
  /** The full `Authorization` header value. */
  authorization?: string;
  schema: ZodType<T, ZodTypeDef, unknown>;
  /** Success statuses. 204 among them yields `data: null`. */
  expect: readonly number[];
  /**
   * Statuses outside `expect` whose body is still the resource when it matches `schema` (CloudMailin's
   * verify answers 422 with the domain). A body that does not match goes to `mapError` as usual.
   */
  resourceOnStatus?: readonly number[];
  route?: string;
  errorContext?: ErrorContext;
}

export interface HttpResult<T> {
  status: number;
  headers: ResponseHeaders;
  /** null only for a 204 the caller expected. */
  data: T | null;
}

export interface HttpTransportOptions {
  provider: Provider;
  /** Absolute http(s) URL; its path becomes the prefix of every request path. */
  baseUrl: string;
  timeoutMs: number;
  maxResponseBytes: number;
  mapError: MapError;
  dispatcher?: Dispatcher;
  userAgent?: string;
  onCall?: (call: UpstreamCall) => void;
  /** Injectable for tests: waits `ms` or rejects when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);
const MAX_ATTEMPTS_FOR_READS = 2;
/** Error bodies are only read for their message; a provider's HTML error page need not be kept whole. */
const ERROR_BODY_LIMIT = 64 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

let sharedAgent: Agent | undefined;

/** One keep-alive connection pool per process, shared by every client that is not given a dispatcher. */
export function defaultDispatcher(): Dispatcher {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 64 });
  return sharedAgent;
}

/**
 * Percent-encodes one path segment. `.` and `..` are refused outright: `encodeURIComponent` leaves them
 * as they are and every URL parser (and many servers) would resolve them, changing the path.
 */
export function encodePathSegment(segment: string): string {
  if (segment === '' || segment === '.' || segment === '..') {
    throw new ValidationError(`An id must not be empty, "." or ".."`, [{ path: '', message: 'invalid id' }]);
  }
  try {
    return encodeURIComponent(segment);
  } catch {
    // A lone UTF-16 surrogate cannot be encoded.
    throw new ValidationError('An id must be valid Unicode text', [{ path: '', message: 'invalid id' }]);
  }
}

export function buildQuery(query: ReadonlyArray<readonly [string, QueryValue]> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of query ?? []) {
    if (value !== null && value !== undefined) params.append(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function describeZodError(error: ZodError): string {
  // Path, code and types only: zod's own messages may quote received values, which may be huge or private.
  const parts = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length === 0 ? '(root)' : issue.path.join('.');
    const detail =
      issue.code === 'invalid_type' ? ` (expected ${issue.expected}, got ${issue.received})` : '';
    return `${where}: ${issue.code}${detail}`;
  });
  const more = error.issues.length > 3 ? `; and ${error.issues.length - 3} more` : '';
  return parts.join('; ') + more;
}

interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  /** null when the body exceeded the limit for an error response. */
  bytes: Buffer | null;
}

export class HttpTransport {
  readonly provider: Provider;
  private readonly origin: string;
  private readonly host: string;
  private readonly port: number | undefined;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly userAgent: string;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: HttpTransportOptions) {
    const base = new URL(options.baseUrl);
    this.provider = options.provider;
    this.origin = base.origin;
    this.host = base.hostname;
    this.port = base.port === '' ? undefined : Number(base.port);
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.dispatcher = options.dispatcher ?? defaultDispatcher();
    this.userAgent = options.userAgent ?? 'mailgraph/0.1';
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.random = options.random ?? Math.random;
  }

  /** The path (and query) below the origin; also the cache key of a GET. */
  path(segments: readonly string[], query?: ReadonlyArray<readonly [string, QueryValue]>): string {
    return `${this.basePath}/${segments.map(encodePathSegment).join('/')}${buildQuery(query)}`;
  }

  /**
   * Sends the request (a read once more after a network error or a 502/503/504, within the same deadline)
   * and reports every attempt to `onCall`, with why it failed when it did.
   */
  async request<T>(request: HttpRequest<T>): Promise<HttpResult<T>> {
    const fullPath = this.path(request.segments, request.query);
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const maxAttempts = request.method === 'GET' ? MAX_ATTEMPTS_FOR_READS : 1;
    for (let attempt = 1; ; attempt++) {
      const canRetry = attempt < maxAttempts;
      const started = performance.now();
      const span = startUpstreamSpan({
        provider: this.provider,
        method: request.method,
        route: request.route,
        host: this.host,
        port: this.port,
        attempt,
      });
      const report = (status: number | null, error: unknown, retried: boolean) => {
        const failure = this.report(request, fullPath, attempt, started, status, error, retried);
        if (span !== null) endUpstreamSpan(span, status, failure?.code);
      };
      let response: RawResponse;
      try {
        response = await this.attempt(request, fullPath, deadline);
      } catch (error) {
        const retried = canRetry && error instanceof UpstreamError && error.code === 'NETWORK';
        report(error instanceof UpstreamError ? error.status : null, error, retried);
        if (retried) {
          await this.backoff(deadline);
          continue;
        }
        throw error;
      }
      if (canRetry && RETRYABLE_STATUSES.has(response.status)) {
        report(response.status, this.mapped(request, response), true);
        await this.backoff(deadline);
        continue;
      }
      let result: HttpResult<T>;
      try {
        result = this.interpret(request, response);
      } catch (error) {
        report(response.status, error, false);
        throw error;
      }
      report(response.status, null, false);
      return result;
    }
  }

  private report(
    request: HttpRequest<unknown>,
    fullPath: string,
    attempt: number,
    started: number,
    status: number | null,
    error: unknown,
    retried: boolean,
  ): UpstreamFailure | undefined {
    const path = fullPath.split('?')[0] ?? fullPath;
    const failure =
      error === null ? undefined : describeFailure(error, retried, secretsOf(request.authorization));
    this.options.onCall?.({
      provider: this.provider,
      method: request.method,
      path,
      route: request.route ?? path,
      status,
      durationMs: performance.now() - started,
      attempt,
      ...(failure === undefined ? {} : { failure }),
    });
    return failure;
  }

  private async attempt(
    request: HttpRequest<unknown>,
    fullPath: string,
    deadline: AbortSignal,
  ): Promise<RawResponse> {
    try {
      const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
      if (request.authorization !== undefined) headers.authorization = request.authorization;
      let body: string | undefined;
      if (request.body !== undefined) {
        body = JSON.stringify(request.body);
        headers['content-type'] = 'application/json';
      }
      const response = await this.dispatcher.request({
        origin: this.origin,
        path: fullPath,
        method: request.method,
        headers,
        body,
        signal: deadline,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const status = response.statusCode;
      const success = request.expect.includes(status) || (request.resourceOnStatus ?? []).includes(status);
      const limit = success
        ? this.options.maxResponseBytes
        : Math.min(this.options.maxResponseBytes, ERROR_BODY_LIMIT);
      const bytes = await readCapped(response.body, response.headers, limit);
      if (bytes === null && success) {
        throw this.error(`${this.provider} response exceeded ${limit} bytes`, status, 'RESPONSE_TOO_LARGE');
      }
      return { status, headers: response.headers, bytes };
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw this.transportError(error, deadline);
    } finally {
      countUpstreamCall();
    }
  }

  /** The error a response maps to, without throwing it (for a response the transport will retry). */
  private mapped(request: HttpRequest<unknown>, response: RawResponse): MailgraphError {
    return this.options.mapError(response.status, parseErrorBody(response.bytes), response.headers, {
      ...request.errorContext,
      secrets: secretsOf(request.authorization),
    });
  }

  private interpret<T>(request: HttpRequest<T>, response: RawResponse): HttpResult<T> {
    const { status, headers, bytes } = response;
    if (request.expect.includes(status)) {
      if (status === 204) return { status, headers, data: null };
      return { status, headers, data: this.validate(request.schema, parseJson(bytes), status) };
    }
    const body = parseErrorBody(bytes);
    if ((request.resourceOnStatus ?? []).includes(status)) {
      const parsed = request.schema.safeParse(body);
      if (parsed.success) return { status, headers, data: parsed.data };
    }
    throw this.options.mapError(status, body, headers, {
      ...request.errorContext,
      secrets: secretsOf(request.authorization),
    });
  }

  private validate<T>(
    schema: ZodType<T, ZodTypeDef, unknown>,
    json: { value: unknown } | null,
    status: number,
  ): T {
    if (json === null) {
      throw this.error(
        `${this.provider} answered ${status} with a body that is not JSON`,
        status,
        'MALFORMED_RESPONSE',
      );
    }
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) {
      const reason = describeZodError(parsed.error);
      throw this.error(
        `${this.provider} response has an unexpected shape: ${reason}`,
        status,
        'MALFORMED_RESPONSE',
      );
    }
    return parsed.data;
  }

  private async backoff(deadline: AbortSignal): Promise<void> {
    // Small and jittered so that many instances retrying the same blip do not arrive together.
    const ms = 50 + Math.floor(this.random() * 100);
    try {
      await this.sleep(ms, deadline);
    } catch (error) {
      throw this.transportError(error, deadline);
    }
  }

  private transportError(error: unknown, deadline: AbortSignal): UpstreamError {
    const code = (error as { code?: unknown } | null)?.code;
    const timedOut = deadline.aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code));
    const wrapped = timedOut
      ? this.error(`${this.provider} did not answer within ${this.options.timeoutMs} ms`, null, 'TIMEOUT')
      : this.error(`${this.provider} could not be reached`, null, 'NETWORK');
    // Kept for logs only; it never reaches a client.
    wrapped.cause = error;
    return wrapped;
  }

  private error(message: string, status: number | null, code: UpstreamError['code']): UpstreamError {
    return new UpstreamError(message, this.provider, status, code);
  }
}

/** The credentials an `Authorization` header carries: the header value, and the token or Basic password. */
export function secretsOf(authorization: string | undefined): string[] {
  if (authorization === undefined) return [];
  const secrets = [authorization];
  const [scheme, credential] = authorization.split(/\s+/, 2);
  if (credential !== undefined && credential !== '') {
    secrets.push(credential);
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      secrets.push(decoded);
      if (colon >= 0) secrets.push(decoded.slice(colon + 1));
    }
  }
  // Longest first, so that a token inside the header value is not left half-replaced.
  return secrets.sort((a, b) => b.length - a.length);
}

const MAX_CAUSE_LENGTH = 300;

function describeFailure(error: unknown, retried: boolean, secrets: readonly string[]): UpstreamFailure {
  const clean = (text: string) => sanitizeUpstreamText(text, secrets, MAX_CAUSE_LENGTH);
  if (!(error instanceof MailgraphError)) {
    return { code: 'UNKNOWN', providerCode: null, cause: clean(String(error)), retried };
  }
  const inner = error.cause as { code?: unknown; message?: unknown } | undefined;
  const transport =
    inner !== undefined && inner !== null
      ? [inner.code, inner.message].filter((part) => typeof part === 'string' && part !== '').join(': ')
      : '';
  return {
    code: error.code,
    providerCode: error.providerCode,
    cause: clean(transport === '' ? error.message : `${error.message} (${transport})`),
    retried,
    ...(error instanceof RateLimitedError ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  };
}

/** Reads the whole body, or returns null (and stops the download) once it grows beyond `limit` bytes. */
async function readCapped(body: Dispatcher.ResponseData['body'], headers: ResponseHeaders, limit: number) {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      return null;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer | null): { value: unknown } | null {
  if (bytes === null || bytes.length === 0) return null;
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return null;
  }
}

/** Parsed JSON when possible, else the text cut short (for the mapper to ignore or quote sparingly). */
function parseErrorBody(bytes: Buffer | null): unknown {
  const json = parseJson(bytes);
  if (json !== null) return json.value;
  if (bytes === null || bytes.length === 0) return null;
  return bytes.toString('utf8', 0, Math.min(bytes.length, 500));
}
