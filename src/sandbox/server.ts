/**
 * The sandbox: one loopback HTTP server (node:http, so mailgraph's undici transport is exercised for
 * real) that mounts each provider emulator under its own path prefix and records every call. What the
 * providers push (CloudMailin's events webhook) it posts to the target mailgraph names once it listens
 * (`setWebhookTarget`), on its scheduler.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudflareEmulator } from './cloudflare.js';
import type { OutboundTimeline } from './cloudmailin-outbound.js';
import { CloudMailinEmulator } from './cloudmailin.js';
import type { AuthKind, ProviderEmulator, SandboxReply } from './http.js';
import { type Scheduler, dueOnlyScheduler, timerScheduler } from './scheduler.js';
import { type WebhookLogger, WebhookPoster, type WebhookTarget } from './webhook-poster.js';

export type { CloudflareEmulator } from './cloudflare.js';
export type { CloudMailinEmulator, InboundMail } from './cloudmailin.js';
export type { Scheduler } from './scheduler.js';
export type { WebhookDelivery, WebhookPoster, WebhookTarget } from './webhook-poster.js';

export interface SandboxOptions {
  /** Default '127.0.0.1' (loopback only). */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default true: enforce the documented limits. */
  rateLimits?: boolean;
  /** Default 5 (management API; POST /messages is not counted, NOTES §1.6). */
  cloudmailinRatePerMinute?: number;
  /** Default 1200 per 300 s (Cloudflare's documented API limit, per user). */
  cloudflareRequestsPerWindow?: number;
  /** Default 20: page size of every paginated list. */
  pageSize?: number;
  /** PRNG seed for demo data, default 1. */
  seed?: number;
  /**
   * PRNG seed for the ids handed out at run time (a send's message id, a created address's id). Default: the
   * demo seed, so that two sandboxes with the same seed and calls agree byte for byte. mailgraph's sandbox
   * mode gives a fresh one at every start: its event log outlives the emulator, and a send after a restart
   * must not reuse a message id whose earlier events the log still holds.
   */
  idSeed?: number;
  /** Clock in ms, default Date.now: created_at of new things, rate-limit windows, outbound event progress. */
  now?: () => number;
  /**
   * When webhook playback and its retries run, and on which clock (its `now` is the default clock). Default:
   * real timers; with a `now` of the test's but no scheduler, only what is due at once is posted, since
   * nothing says when that clock moves.
   */
  scheduler?: Scheduler;
  /** When a sent CloudMailin message's events happen, in ms after the send (default 0 / 400 / 800 ms, 60 s). */
  cloudmailinTimelineMs?: Partial<OutboundTimeline>;
  /** Waits before retrying a failed webhook POST (default 1 s, 4 s, 16 s; `[]` never retries). */
  webhookRetryDelaysMs?: readonly number[];
  /** Where a dropped or refused webhook POST is logged (default: stderr). */
  logger?: WebhookLogger;
}

export interface RecordedCall {
  method: string;
  /** The path as received, still percent-encoded, without the query string. */
  path: string;
  query: Record<string, string>;
  status: number;
  auth: AuthKind;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:4010 */
  url: string;
  /** `${url}/cloudmailin/api/v0.1`: mailgraph's CLOUDMAILIN_API_URL (the client appends /{accountID}/...). */
  cloudmailinUrl: string;
  /** Every request received, in order (429s and 404s included). */
  calls: RecordedCall[];
  resetCalls(): void;
  cloudmailin: CloudMailinEmulator;
  /** `${url}/cloudflare/client/v4`: mailgraph's CLOUDFLARE_API_URL (the client appends /accounts/… and /zones/…). */
  cloudflareUrl: string;
  cloudflare: CloudflareEmulator;
  /**
   * Where the emulator posts what the providers would push to mailgraph (the webhooks under `/webhooks/`):
   * mailgraph's origin and its webhook credentials, known once mailgraph listens; `null` stops posting.
   */
  setWebhookTarget(target: WebhookTarget | null): void;
  /** What was posted to the webhook target (`deliveries`), and `idle()` to wait for POSTs in flight. */
  webhooks: WebhookPoster;
  close(): Promise<void>;
}

/** Above the 10 MB message limit, so an over-limit message is a 422 from validation, not a 413. */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;
/** Past this a client is not sending an email: stop reading and drop the connection. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? options.scheduler?.now ?? Date.now;
  const scheduler =
    options.scheduler ?? (options.now === undefined ? timerScheduler() : dueOnlyScheduler(options.now));
  const rateLimits = options.rateLimits ?? true;
  const webhooks = new WebhookPoster({
    scheduler,
    ...(options.webhookRetryDelaysMs ? { retryDelaysMs: options.webhookRetryDelaysMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const cloudmailin = new CloudMailinEmulator({
    seed: options.seed ?? 1,
    ...(options.idSeed === undefined ? {} : { idSeed: options.idSeed }),
    now,
    pageSize: options.pageSize ?? 20,
    ratePerMinute: rateLimits ? (options.cloudmailinRatePerMinute ?? 5) : null,
    ...(options.cloudmailinTimelineMs ? { timeline: options.cloudmailinTimelineMs } : {}),
    webhooks,
  });
  const cloudflare = new CloudflareEmulator({
    seed: options.seed ?? 1,
    ...(options.idSeed === undefined ? {} : { idSeed: options.idSeed }),
    now,
    requestsPerWindow: rateLimits ? (options.cloudflareRequestsPerWindow ?? 1200) : null,
  });
  const providers: ProviderEmulator[] = [cloudmailin, cloudflare];
  const calls: RecordedCall[] = [];

  const server = createServer((request, response) => {
    serve(request, response, providers, calls).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    cloudmailinUrl: `${url}${cloudmailin.prefix}`,
    calls,
    resetCalls: () => {
      calls.length = 0;
    },
    cloudmailin,
    cloudflareUrl: `${url}${cloudflare.prefix}`,
    cloudflare,
    setWebhookTarget: (target) => webhooks.setTarget(target),
    webhooks,
    close: async () => {
      await webhooks.close();
      await closeServer(server);
    },
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  providers: ProviderEmulator[],
  calls: RecordedCall[],
): Promise<void> {
  const method = request.method ?? 'GET';
  const target = request.url ?? '/';
  const queryStart = target.indexOf('?');
  // Split the raw path ourselves: WHATWG URL parsing would resolve `..` and `%2e%2e` before we saw them.
  const path = queryStart < 0 ? target : target.slice(0, queryStart);
  const query = Object.fromEntries(new URLSearchParams(queryStart < 0 ? '' : target.slice(queryStart + 1)));
  const body = await readBody(request);
  if (body === 'dropped') return;

  const provider = providers.find((p) => path === p.prefix || path.startsWith(`${p.prefix}/`));
  let reply: SandboxReply;
  let auth: AuthKind = 'none';
  if (provider === undefined) {
    reply = { status: 404, body: { status: 404, error: 'Not Found' } };
  } else {
    auth = provider.classifyAuth(request.headers);
    const segments = decodeSegments(path.slice(provider.prefix.length));
    if (body === 'too-large') reply = provider.error(413);
    else if (segments === null) reply = provider.error(400, 'Malformed percent-encoding in the path');
    else {
      try {
        ({ reply, auth } = provider.handle({ method, segments, query, headers: request.headers, body }));
      } catch {
        reply = provider.error(500);
      }
    }
  }
  calls.push({ method, path, query, status: reply.status, auth });
  const payload = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  response.end(payload);
}

/** `null` when a segment is not valid percent-encoding. */
function decodeSegments(path: string): string[] | null {
  const parts = path.split('/').slice(1);
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
}

/**
 * Reads the whole body, but keeps at most MAX_BODY_BYTES: the rest is drained (not buffered) so the
 * client gets a clean 413 rather than a reset connection mid-upload.
 */
async function readBody(request: IncomingMessage): Promise<Buffer | 'too-large' | 'dropped'> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) {
        request.destroy();
        return 'dropped';
      }
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
  } catch {
    return 'dropped';
  }
  return size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    // In-flight requests finish quickly (handlers are synchronous); anything still open after that is a stuck client.
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
  });
}
