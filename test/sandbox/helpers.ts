import { request as httpRequest } from 'node:http';
import { afterEach, expect } from 'vitest';
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN } from '../../src/sandbox/accounts.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/server.js';
import { envelopeSchema } from '../../src/upstream/cloudflare-wire.js';

export const CM = SANDBOX_CLOUDMAILIN;
export const CF = SANDBOX_CLOUDFLARE;
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The keys each object has in the seed (`000_f4f25a1e2223f55e.txt`), plus what NOTES documents. */
export const SEED_KEYS = {
  address: ['attachments', 'id', 'nickname', 'target', 'target_format'],
  incomingStatus: ['created_at', 'from', 'id', 'md5', 'message_id', 'status', 'subject', 'tls', 'to'],
  // The seed drops `domain_target` only because its example is empty; the spec lists it.
  customDomain: ['auth_regex', 'domain', 'domain_target', 'id'],
  sentMessage: ['cc', 'from', 'id', 'subject', 'tags', 'test_mode', 'to'],
  outboundMessage: [
    'cc',
    'created_at',
    'from',
    'id',
    'message_id',
    'recipients',
    'subject',
    'tags',
    'test_mode',
    'to',
  ],
  listRecipient: ['email', 'last_event'],
  showRecipient: ['email', 'events', 'last_event'],
  event: ['details', 'kind', 'timestamp'],
  eventDetails: ['agent', 'delivery_status', 'remote_host', 'reply_code', 'smtp_response'],
  sendingDomain: [
    'dkim_domain',
    'dkim_public_record',
    'dkim_selector',
    'dkim_verified',
    'domain',
    'id',
    'mta_domain',
    'required_cname',
    'return_path_verified',
    'spf_verified',
  ],
  error: ['error', 'status'],
};

export function keysOf(value: unknown): string[] {
  return Object.keys(value as object).sort();
}

/** A clock tests move by hand. */
export function fakeClock(start = Date.parse('2026-11-21T12:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

const open: Sandbox[] = [];

/** Rate limits off unless a test asks, so tests that are not about them can make any number of calls. */
export async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const started = await startSandbox({ rateLimits: false, ...options });
  open.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read into arbitrary JSON
  body: any;
}

export interface RequestOptions {
  /** Sent as JSON unless `raw` is given. */
  json?: unknown;
  raw?: string;
  /** Bearer token; `null` sends no Authorization header. Default: the account's API key or token. */
  token?: string | null;
  headers?: Record<string, string>;
}

export interface CallOptions extends RequestOptions {
  /** `{accountID}` path segment. Default: the management account id. */
  account?: string;
}

/** One fetch, its body parsed as JSON (`undefined` when empty). */
async function request(
  url: string,
  method: string,
  defaultToken: string,
  options: RequestOptions,
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? defaultToken : options.token;
  if (token !== null && headers.authorization === undefined) headers.authorization = `Bearer ${token}`;
  let body: string | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** One request to `{cloudmailinUrl}/{account}{path}`. */
export function cm(sb: Sandbox, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const url = `${sb.cloudmailinUrl}/${options.account ?? CM.accountId}${path}`;
  return request(url, method, CM.apiKey, options);
}

/** One request to `{cloudflareUrl}{path}`, `path` being below `/client/v4`. Default token: the API token. */
export function cf(sb: Sandbox, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  return request(`${sb.cloudflareUrl}${path}`, method, CF.apiToken, options);
}

/** A Cloudflare v4 error envelope with exactly one error, `error`. */
export function expectCfError(reply: Reply, error: { status: number; code: number; message: string }) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(error.status);
  expect(keysOf(reply.body)).toEqual(['errors', 'messages', 'result', 'success']);
  const envelope = envelopeSchema.parse(reply.body);
  expect(envelope).toMatchObject({ success: false, result: null });
  expect(envelope.errors.map(({ code, message }) => ({ code, message }))).toEqual([
    { code: error.code, message: error.message },
  ]);
}

/**
 * The `result` of a Cloudflare v4 success envelope, after checking the envelope itself; a `collection` also
 * carries `result_info` for its one page.
 */
export function cfSuccess(reply: Reply, collection = false): unknown {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  const keys = ['errors', 'messages', 'result', 'success'];
  expect(keysOf(reply.body)).toEqual(collection ? [...keys, 'result_info'].sort() : keys);
  const envelope = envelopeSchema.parse(reply.body);
  expect(envelope).toMatchObject({ success: true, errors: [], messages: [] });
  if (collection) {
    const count = (envelope.result as unknown[]).length;
    expect(envelope.result_info).toEqual({
      page: 1,
      per_page: Math.max(20, count),
      count,
      total_count: count,
      total_pages: count === 0 ? 0 : 1,
    });
  }
  return envelope.result;
}

/** `POST /messages` as the outbound account. */
export function send(sb: Sandbox, message: unknown, options: CallOptions = {}): Promise<Reply> {
  return cm(sb, 'POST', '/messages', {
    token: CM.smtpToken,
    account: CM.smtpUsername,
    json: message,
    ...options,
  });
}

/** Every page of a paginated list, until the empty page. */
export async function allPages(sb: Sandbox, path: string, options: CallOptions = {}): Promise<unknown[][]> {
  const pages: unknown[][] = [];
  const separator = path.includes('?') ? '&' : '?';
  for (let page = 1; page < 100; page++) {
    const reply = await cm(sb, 'GET', `${path}${separator}page=${page}`, options);
    if (reply.status !== 200) throw new Error(`page ${page}: ${reply.status} ${JSON.stringify(reply.body)}`);
    pages.push(reply.body);
    if (reply.body.length === 0) return pages;
  }
  throw new Error('no empty page');
}

export interface RawRequest {
  method: string;
  /** Goes on the wire verbatim (fetch would resolve `..` and `%2e%2e` first). */
  path: string;
  headers: Record<string, string>;
  /** Written one after the other, so that the body goes chunked, without Content-Length. */
  chunks?: string[];
}

/** One request through node:http to the sandbox, its body parsed as JSON. */
export function rawRequest(sb: Sandbox, { method, path, headers, chunks = [] }: RawRequest): Promise<Reply> {
  const url = new URL(sb.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const received: Buffer[] = [];
      res.on('data', (chunk: Buffer) => received.push(chunk));
      res.on('end', () => {
        const replyHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (typeof value === 'string') replyHeaders.set(name, value);
        resolve({
          status: res.statusCode ?? 0,
          headers: replyHeaders,
          body: JSON.parse(Buffer.concat(received).toString('utf8')),
        });
      });
    });
    req.on('error', reject);
    for (const chunk of chunks.slice(0, -1)) req.write(chunk);
    req.end(chunks.at(-1));
  });
}

/** A GET whose path goes on the wire verbatim. */
export function rawGet(sb: Sandbox, path: string, token: string = CM.apiKey): Promise<Reply> {
  return rawRequest(sb, { method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
}
