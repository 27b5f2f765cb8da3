/**
 * The webhook endpoints: authenticate (Basic, constant time, any of the configured credentials), read
 * the body with a streaming limit, turn it into events, store them in the log, and only then answer 2xx.
 * The status codes are what the providers act on: 401 bad credentials, 400 malformed, 413 oversized,
 * 415 not JSON; a 5xx whenever the events could not be stored, so that the provider retries. CloudMailin's
 * inbound mail (`/webhooks/cloudmailin/inbound`) comes as JSON (`json+n`) or multipart/form-data
 * (`multipart+n`, read by `readForm`); there a 4xx bounces the mail to its sender, a 5xx delays it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookCredential } from '../config.js';
import type { BlobStore } from './inbound-blobs.js';
import { readForm } from './inbound-form.js';
import {
  type DecodedInbound,
  type FormBody,
  inboundAddressOf,
  inboundEvent,
  inboundFromForm,
  inboundFromJson,
} from './inbound.js';
import type { EventLog, NewEvent, StoredEvent } from './log.js';
import { WebhookBodyError, cloudMailinEvents, cloudflareEvents } from './normalize.js';

/** Where provider events come in: the three webhooks, and Cloudflare's events queue (src/events/cloudflare-queue.ts). */
export type IntakeSource =
  | 'cloudmailin_events'
  | 'cloudmailin_inbound'
  | 'cloudflare_events'
  | 'cloudflare_queue';

/**
 * What became of a delivery. `stored` and `duplicate` are counted in events; the others in deliveries (a
 * POST, a queue message): refused for its credentials (401), its shape or type (400, 415; a queue message
 * that is no event), its size (413), or not stored (`failed`: 5xx, the provider retries).
 */
export type IntakeOutcome =
  | 'stored'
  | 'duplicate'
  | 'rejected_auth'
  | 'rejected_malformed'
  | 'rejected_size'
  | 'failed';

export interface WebhookDeps {
  log: EventLog;
  credentials: readonly WebhookCredential[];
  maxBytes: number;
  logger?: { warn(object: object, message: string): void; error(object: object, message: string): void };
  /** Where inbound mail's large parts go (src/events/inbound-blobs.ts); in the event itself when absent. */
  blobs?: BlobStore | null;
  /**
   * Called with what each accepted POST stored (metrics, cache freshness), before the 2xx; `events` are
   * the POST's events as stored (a redelivery's too). A failure here is logged, never answered.
   */
  onStored?: (
    provider: 'CLOUDMAILIN' | 'CLOUDFLARE',
    stored: number,
    duplicates: number,
    events: StoredEvent[],
  ) => void | Promise<void>;
  /** Told what became of each POST to a known webhook (metrics); must not throw. */
  onOutcome?: (source: IntakeSource, outcome: IntakeOutcome, count: number) => void;
}

type Parser = (body: unknown) => NewEvent[];

interface Route {
  provider: 'CLOUDMAILIN' | 'CLOUDFLARE';
  source: IntakeSource;
  /** A JSON body's events (WebhookBodyError: 400). */
  parse?: Parser;
  /** Inbound mail: JSON or multipart; decoded first (400), then its large parts stored (5xx). */
  inbound?: true;
}

const ROUTES: Record<string, Route> = {
  '/webhooks/cloudmailin/events': {
    provider: 'CLOUDMAILIN',
    source: 'cloudmailin_events',
    parse: cloudMailinEvents,
  },
  '/webhooks/cloudmailin/inbound': { provider: 'CLOUDMAILIN', source: 'cloudmailin_inbound', inbound: true },
  '/webhooks/cloudflare/events': {
    provider: 'CLOUDFLARE',
    source: 'cloudflare_events',
    parse: cloudflareEvents,
  },
};

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `authorization` is Basic with one of `credentials`; every credential is compared, in constant time. */
export function verifyBasicAuth(
  authorization: string | undefined,
  credentials: readonly WebhookCredential[],
): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(authorization ?? '');
  const presented = digest(match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : '\u0000');
  let ok = false;
  for (const { user, pass } of credentials) {
    // Hashing first makes the comparison independent of both lengths.
    if (timingSafeEqual(presented, digest(`${user}:${pass}`))) ok = true;
  }
  return ok;
}

function answer(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Reads the body up to `maxBytes`. Past the limit the sender still gets its 413: the rest of the body is
 * read and dropped (for a bounded time) instead of resetting the connection under the sender's feet.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function drainThenClose(req: IncomingMessage): void {
  req.resume();
  const timer = setTimeout(() => req.destroy(), 5_000);
  timer.unref();
  req.on('end', () => clearTimeout(timer));
}

/** Handles a request under `/webhooks/`; answers 404 for an unknown webhook path. */
export async function handleWebhook(
  deps: WebhookDeps,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const route = ROUTES[path];
  if (!route) {
    answer(res, 404, { error: 'No such webhook.' });
    req.resume();
    return;
  }
  if (req.method !== 'POST') {
    answer(res, 405, { error: 'Webhooks take POST.' }, { allow: 'POST' });
    req.resume();
    return;
  }
  const outcome = (what: IntakeOutcome, count = 1) => deps.onOutcome?.(route.source, what, count);
  if (!verifyBasicAuth(req.headers.authorization, deps.credentials)) {
    outcome('rejected_auth');
    answer(
      res,
      401,
      { error: 'Missing or wrong credentials.' },
      { 'www-authenticate': 'Basic realm="mailgraph webhooks"' },
    );
    drainThenClose(req);
    return;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const multipart = route.inbound === true && type === 'multipart/form-data';
  if (type !== 'application/json' && !multipart) {
    const types = route.inbound ? 'application/json or multipart/form-data' : 'application/json';
    outcome('rejected_malformed');
    answer(res, 415, { error: `The body must be ${types}.` });
    drainThenClose(req);
    return;
  }
  let body: Buffer | FormBody | 'too-large';
  try {
    body = multipart ? await readForm(req, deps.maxBytes) : await readBody(req, deps.maxBytes);
  } catch (error) {
    outcome('rejected_malformed');
    answer(res, 400, {
      error: error instanceof WebhookBodyError ? error.message : 'The body could not be read.',
    });
    drainThenClose(req);
    return;
  }
  if (body === 'too-large') {
    outcome('rejected_size');
    answer(res, 413, { error: `The body exceeds ${deps.maxBytes} bytes.` }, { connection: 'close' });
    drainThenClose(req);
    return;
  }
  let events: NewEvent[];
  let mail: { decoded: DecodedInbound; addressId: string | null } | null = null;
  try {
    if (route.inbound) {
      const decoded = Buffer.isBuffer(body)
        ? inboundFromJson(JSON.parse(body.toString('utf8')))
        : inboundFromForm(body);
      const param = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('address');
      mail = { decoded, addressId: inboundAddressOf(param, decoded) };
      events = [];
    } else {
      events = (route.parse as Parser)(JSON.parse((body as Buffer).toString('utf8')));
    }
  } catch (error) {
    const message = error instanceof WebhookBodyError ? error.message : 'The body is not valid JSON.';
    outcome('rejected_malformed');
    answer(res, 400, {
      error: message,
      ...(error instanceof WebhookBodyError ? { problems: error.problems } : {}),
    });
    return;
  }
  try {
    // Large parts of inbound mail are stored before the event that names them.
    if (mail) events = [await inboundEvent(mail.decoded, { addressId: mail.addressId, blobs: deps.blobs })];
    const result = await deps.log.append(events);
    const stored = events.length - result.duplicates;
    outcome('stored', stored);
    outcome('duplicate', result.duplicates);
    try {
      await deps.onStored?.(route.provider, stored, result.duplicates, result.events);
    } catch (error) {
      deps.logger?.warn(
        { provider: route.provider, cause: error instanceof Error ? error.message : String(error) },
        'webhook onStored hook failed',
      );
    }
    answer(res, 200, {
      stored,
      duplicates: result.duplicates,
      // Where the mail is in the log (the sandbox's simulation reads it back from there).
      ...(mail ? { position: result.events[0]?.position ?? null } : {}),
    });
  } catch (error) {
    deps.logger?.error(
      { provider: route.provider, cause: error instanceof Error ? error.message : String(error) },
      'webhook events could not be stored',
    );
    // Not stored, so not acknowledged: the provider retries.
    outcome('failed');
    answer(res, 503, { error: 'The events could not be stored; retry later.' }, { 'retry-after': '30' });
  }
}
