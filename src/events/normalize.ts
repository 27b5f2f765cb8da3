/**
 * What the providers post, turned into events for the log: checked (a malformed body is refused as a
 * whole, with every problem named, so the provider's retry does not store half of it), normalised to one
 * message-event shape for both providers, and given the dedupe key that makes a redelivery the same event.
 * Pure functions: no I/O.
 */
import { createHash } from 'node:crypto';
import type { NewEvent } from './log.js';

/** A webhook body mailgraph cannot use: answered 400, nothing stored. */
export class WebhookBodyError extends Error {
  constructor(readonly problems: string[]) {
    super(`The body was refused: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? '; …' : ''}`);
    this.name = 'WebhookBodyError';
  }
}

/** One delivery event of one recipient, whichever provider reported it. */
export interface MessageEventPayload {
  provider: 'CLOUDMAILIN' | 'CLOUDFLARE';
  messageId: string;
  recipient: string;
  /** mailgraph's kind (CloudMailin's vocabulary; Cloudflare's types are mapped onto it). */
  kind: string;
  /** The kind or type exactly as the provider sent it. */
  rawKind: string;
  timestamp: string | null;
  details: {
    agent?: string | null;
    reply_code?: string | null;
    delivery_status?: string | null;
    smtp_response?: string | null;
    remote_host?: string | null;
  } | null;
}

export const MAX_EVENTS_PER_POST = 1000;
const MAX_TEXT = 1000;

/** Cloudflare Email Sending event types, in CloudMailin's event vocabulary. */
const CLOUDFLARE_KINDS: Record<string, string> = {
  'cf.email.sending.message.delivered': 'delivery',
  'cf.email.sending.message.deferred': 'soft_bounce',
  'cf.email.sending.message.bounced': 'bounce',
  'cf.email.sending.message.failed': 'error',
  'cf.email.sending.message.rejected': 'suppressed',
  'cf.email.sending.message.complained': 'complaint',
};

/**
 * The topic of a message's events. A Message-ID is the same message with or without its angle brackets
 * (Cloudflare's send result and events carry them, QUEUES-PULL.md §5), so the topic drops them: a
 * subscriber may pass either form.
 */
export function messageTopic(messageId: string): string {
  return `message:${messageId.replace(/^<(.*)>$/, '$1')}`;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 32);
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown, max = MAX_TEXT): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.length === 0 || value.length > max) return null;
  // Control characters and line separators never reach a client.
  return /[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(value)
    ? value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ')
    : value;
}

function timeOf(value: unknown): { iso: string | null; ms: number | null } {
  if (typeof value !== 'string' || value.length > 64) return { iso: null, ms: null };
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? { iso: null, ms: null } : { iso: new Date(ms).toISOString(), ms };
}

/** `POST /webhooks/cloudmailin/events`: `{"events": [{kind, recipient, message_id, details?, timestamp?}]}`. */
export function cloudMailinEvents(body: unknown): NewEvent[] {
  if (!isObject(body) || !Array.isArray(body.events)) {
    throw new WebhookBodyError(['the body must be a JSON object with an "events" array']);
  }
  const raw = body.events as unknown[];
  if (raw.length > MAX_EVENTS_PER_POST) {
    throw new WebhookBodyError([`at most ${MAX_EVENTS_PER_POST} events per POST, got ${raw.length}`]);
  }
  const problems: string[] = [];
  const events: NewEvent[] = [];
  raw.forEach((item, i) => {
    if (!isObject(item)) {
      problems.push(`events.${i}: must be an object`);
      return;
    }
    const kind = text(item.kind, 64);
    const messageId = text(item.message_id, 200);
    const recipient = text(item.recipient, 320);
    if (!kind) problems.push(`events.${i}.kind: required, a string of at most 64 characters`);
    if (!messageId) problems.push(`events.${i}.message_id: required, a string of at most 200 characters`);
    if (!recipient) problems.push(`events.${i}.recipient: required, a string of at most 320 characters`);
    if (item.details !== undefined && item.details !== null && !isObject(item.details)) {
      problems.push(`events.${i}.details: must be an object`);
    }
    if (!kind || !messageId || !recipient) return;
    const details = isObject(item.details) ? item.details : null;
    const time = timeOf(item.timestamp);
    const payload: MessageEventPayload = {
      provider: 'CLOUDMAILIN',
      messageId,
      recipient: recipient.toLowerCase(),
      kind,
      rawKind: kind,
      timestamp: time.iso,
      details:
        details && Object.keys(details).length > 0
          ? {
              agent: text(details.agent),
              reply_code: text(details.reply_code, 16),
              delivery_status: text(details.delivery_status, 32),
              smtp_response: text(details.smtp_response),
              remote_host: text(details.remote_host, 255),
            }
          : null,
    };
    events.push({
      // CloudMailin gives events no id: the event itself is its identity, so a redelivery is a duplicate.
      dedupeKey: `cloudmailin:event:${hash([messageId, payload.recipient, kind, item.timestamp ?? null, details])}`,
      type: 'message_event',
      topics: [messageTopic(messageId), 'provider:CLOUDMAILIN'],
      occurredAt: time.ms,
      payload,
    });
  });
  if (problems.length > 0) throw new WebhookBodyError(problems);
  return events;
}

/**
 * A queue message's `body` as the event object it carries (QUEUES-PULL.md §2): by its metadata's
 * `CF-Content-Type`, plain text or JSON text, else (`json`, the default, and `bytes`) base64 of JSON,
 * though `json` bodies were also seen as plain JSON text, so that is tried first. A Worker receives the
 * body already decoded (an object), which is taken as it is. Null when it is none of these (`v8`, which
 * a pull consumer cannot decode, included).
 */
export function decodeQueueBody(body: unknown, metadata?: unknown): unknown {
  if (typeof body !== 'string') return body ?? null;
  const contentType = isObject(metadata) ? metadata['CF-Content-Type'] : undefined;
  if (contentType === 'v8') return null;
  const plain = safeJson(body);
  if (isObject(plain) && typeof plain.type === 'string') return plain;
  if (contentType === 'text') return plain;
  const compact = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length === 0) return null;
  return safeJson(Buffer.from(compact, 'base64').toString('utf8'));
}

/**
 * Cloudflare Email Sending events, as a Queue delivers them (`{type, source, payload, metadata}`), posted
 * one at a time, as an array, or as a pull batch (`{messages: [{body, metadata}]}`, with bodies as the
 * HTTP pull API gives them or already decoded as a Worker sees them), or the pull API's whole answer
 * (`{result: {messages}}`).
 */
export function cloudflareEvents(body: unknown): NewEvent[] {
  const batch = isObject(body) && isObject(body.result) ? body.result : body;
  const items: unknown[] = Array.isArray(batch)
    ? batch
    : isObject(batch) && Array.isArray(batch.messages)
      ? (batch.messages as unknown[]).map((message) =>
          isObject(message) ? decodeQueueBody(message.body, message.metadata) : message,
        )
      : [batch];
  if (items.length > MAX_EVENTS_PER_POST) {
    throw new WebhookBodyError([`at most ${MAX_EVENTS_PER_POST} events per POST, got ${items.length}`]);
  }
  const problems: string[] = [];
  const events: NewEvent[] = [];
  items.forEach((item, i) => {
    const parsed = typeof item === 'string' ? safeJson(item) : item;
    if (!isObject(parsed) || !isObject(parsed.payload)) {
      problems.push(`${i}: must be an event object with a "payload"`);
      return;
    }
    const type = text(parsed.type, 100);
    const p = parsed.payload;
    const eventId = text(p.eventId, 200);
    const messageId = text(p.messageId, 300);
    const recipient = text(p.recipient, 320);
    if (!type || !type.startsWith('cf.email.sending.'))
      problems.push(`${i}.type: must be a cf.email.sending.* type`);
    if (!eventId) problems.push(`${i}.payload.eventId: required`);
    if (!messageId) problems.push(`${i}.payload.messageId: required`);
    if (!recipient) problems.push(`${i}.payload.recipient: required`);
    if (!type || !eventId || !messageId || !recipient) return;
    const delivery = isObject(p.delivery) ? p.delivery : {};
    const metadata = isObject(parsed.metadata) ? parsed.metadata : {};
    const time = timeOf(metadata.eventTimestamp);
    // The Message-ID as Cloudflare sent it, which matches the send result's `message_id` byte for byte,
    // angle brackets included (QUEUES-PULL.md §5); the topic drops the brackets (`messageTopic`).
    const payload: MessageEventPayload = {
      provider: 'CLOUDFLARE',
      messageId,
      recipient: recipient.toLowerCase(),
      kind: CLOUDFLARE_KINDS[type] ?? 'other',
      rawKind: type,
      timestamp: time.iso,
      details: {
        agent: text(delivery.provider, 100),
        reply_code: text(delivery.smtpStatusCode, 16),
        delivery_status: text(delivery.smtpEnhancedStatusCode, 32),
        smtp_response: text(delivery.smtpResponse),
        remote_host: null,
      },
    };
    events.push({
      dedupeKey: `cloudflare:event:${eventId}`,
      type: 'message_event',
      topics: [messageTopic(messageId), 'provider:CLOUDFLARE'],
      occurredAt: time.ms,
      payload,
    });
  });
  if (problems.length > 0) throw new WebhookBodyError(problems);
  return events;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}
