/**
 * The emulated Cloudflare Queue that receives the emulator's Email Sending events, and its HTTP pull
 * consumer API (test/fixtures/providers/cloudflare/QUEUES-PULL.md), for the one demo queue
 * (`SANDBOX_CLOUDFLARE.eventsQueueId`).
 *
 * - **Publishing.** Every accepted `send`/`send_raw` publishes one event per recipient, in the documented
 *   shape (`events/email-sending-events.json`): `message.delivered` for a delivered recipient,
 *   `message.deferred` (terminal: false) for a queued one and `message.bounced` (hard) for a permanent
 *   bounce, with the send's `message_id` byte for byte, angle brackets included (§5, [3p S8]). The body is
 *   base64 of the event's compact JSON with `CF-Content-Type: json`, as the docs describe (§2).
 * - **Pull** (§2) leases up to `batch_size` visible messages (default 5, at most 100) for
 *   `visibility_timeout_ms` (default 30 s, at most 12 h), oldest first; each delivery counts an attempt
 *   (the first is 1) and gets a new lease id. A lease that runs out without an ack makes the message
 *   visible again.
 * - **Ack** (§3) deletes the messages of `acks` and makes those of `retries` visible after `delay_seconds`
 *   (0 by default, the consumer's `retry_delay`). A late ack, with a lease that has run out, still
 *   deletes the message (§3: "accepted without error, even after re-leasing elsewhere"); a lease of a
 *   message already gone is reported in `warnings` (lease id → message; what triggers a warning live is
 *   undocumented). A retry with a lease that is no longer the message's current one is ignored, with a
 *   warning.
 * - **max_retries** (§3): a message whose delivery failed (lease ran out, or retried) when its attempts
 *   had reached 3, Cloudflare's default, is dropped from the queue (there is no dead letter queue here;
 *   tests see it in `deadLettered`).
 * - The pull and ack routes do not count against the 1200 requests per 5 minutes (§4: exempt since
 *   2025-04-17); mailgraph still counts them in its own budget (docs/decisions.md).
 */
import { createHash } from 'node:crypto';
import {
  QUEUE_ERROR_CODES,
  QUEUE_LIMITS,
  type QueueAckRequest,
  type QueueMessage,
} from '../upstream/cloudflare-queue-wire.js';
import { CloudflareApiError, type CloudflareErrorSpec } from './cloudflare-errors.js';
import type { CloudflareSentMessage } from './cloudflare-records.js';
import type { Random } from './random.js';

/** Errors of the queue routes (QUEUES-PULL.md §6; the statuses are our choice, none is documented). */
export const CLOUDFLARE_QUEUE_ERRORS = {
  /** A missing or wrong credential, or another account: the v4 gateway's generic error. */
  unauthenticated: { status: 401, code: 10000, message: 'Authentication error' },
  forbidden: { status: 403, code: 10000, message: 'Authentication error' },
  notFound: { status: 404, code: QUEUE_ERROR_CODES.queueNotFound, message: 'QueueNotFound' },
  malformedId: { status: 400, code: QUEUE_ERROR_CODES.queueIdMalformed, message: 'QueueIDMalformed' },
  invalidBody: {
    status: 400,
    code: QUEUE_ERROR_CODES.jsonRequestBodyInvalid,
    message: 'JSONRequestBodyInvalid',
  },
  malformedBody: {
    status: 400,
    code: QUEUE_ERROR_CODES.jsonRequestBodyMalformed,
    message: 'JSONRequestBodyMalformed',
  },
} as const satisfies Record<string, CloudflareErrorSpec>;

/** Cloudflare's default `max_retries` (§3). */
export const DEFAULT_MAX_RETRIES = 3;

export interface QueueRecord {
  id: string;
  body: string;
  metadata: Record<string, string>;
  timestampMs: number;
  attempts: number;
  /** The current lease, or null when the message is not leased. */
  leaseId: string | null;
  /** When the message is visible: after its lease runs out, or after a retry's delay. */
  visibleAt: number;
}

/** What tests see of a message still in the queue (or dropped from it). */
export interface QueueMessageView {
  id: string;
  /** The event the body carries. */
  event: unknown;
  attempts: number;
  leased: boolean;
}

export interface QueuePullAnswer {
  message_backlog_count: number;
  messages: Array<Required<Omit<QueueMessage, 'metadata'>> & { metadata: Record<string, string> }>;
  metadata: {
    metrics: { backlog_bytes: number; backlog_count: number; oldest_message_timestamp_ms: number };
  };
}

export interface QueueAckAnswer {
  ackCount: number;
  retryCount: number;
  warnings: Record<string, string>;
}

export class EmulatedQueue {
  private readonly messages: QueueRecord[] = [];
  /** Every lease ever handed out → its message id, so that a late ack still finds its message. */
  private readonly leases = new Map<string, string>();
  readonly deadLettered: QueueRecord[] = [];

  constructor(
    readonly id: string,
    private readonly now: () => number,
    private readonly random: Random,
    private readonly maxRetries = DEFAULT_MAX_RETRIES,
  ) {}

  /** Adds a message; `body` is sent as given (tests publish undecodable ones this way). */
  publish(body: string, metadata: Record<string, string> = { 'CF-Content-Type': 'json' }): string {
    const id = this.random.hex(32);
    const at = this.now();
    this.messages.push({ id, body, metadata, timestampMs: at, attempts: 0, leaseId: null, visibleAt: at });
    return id;
  }

  /** Publishes an event as the Email Sending subscription does: base64 of its compact JSON. */
  publishEvent(event: unknown): string {
    return this.publish(Buffer.from(JSON.stringify(event), 'utf8').toString('base64'));
  }

  pull(batchSize: number, visibilityTimeoutMs: number): QueuePullAnswer {
    const now = this.now();
    this.expireLeases(now);
    const batch = this.messages
      .filter((message) => message.leaseId === null && message.visibleAt <= now)
      .slice(0, batchSize);
    for (const message of batch) {
      message.attempts += 1;
      message.leaseId = this.newLease(message.id);
      message.visibleAt = now + visibilityTimeoutMs;
    }
    return {
      message_backlog_count: this.messages.length,
      messages: batch.map((message) => ({
        id: message.id,
        body: message.body,
        lease_id: message.leaseId as string,
        attempts: message.attempts,
        timestamp_ms: message.timestampMs,
        metadata: { ...message.metadata },
      })),
      metadata: { metrics: this.metrics() },
    };
  }

  ack(request: Required<QueueAckRequest>): QueueAckAnswer {
    const now = this.now();
    const warnings: Record<string, string> = {};
    let ackCount = 0;
    let retryCount = 0;
    for (const { lease_id: lease } of request.acks) {
      const index = this.indexOfLease(lease);
      if (index < 0) {
        warnings[lease] = 'no message holds this lease (already acknowledged, or unknown)';
        continue;
      }
      this.remove(index);
      ackCount += 1;
    }
    for (const { lease_id: lease, delay_seconds: delay = 0 } of request.retries) {
      const index = this.indexOfLease(lease);
      const message = this.messages[index];
      if (message === undefined || message.leaseId !== lease) {
        warnings[lease] = 'this lease is not the current lease of a message; the retry was ignored';
        continue;
      }
      retryCount += 1;
      message.leaseId = null;
      message.visibleAt = now + delay * 1000;
      if (message.attempts >= this.maxRetries) this.deadLetter(index);
    }
    return { ackCount, retryCount, warnings };
  }

  /** The messages in the queue, oldest first (leases that ran out are released first). */
  view(): QueueMessageView[] {
    this.expireLeases(this.now());
    return this.messages.map((message) => viewOf(message));
  }

  deadLetters(): QueueMessageView[] {
    return this.deadLettered.map((message) => viewOf(message));
  }

  private metrics(): QueuePullAnswer['metadata']['metrics'] {
    return {
      backlog_bytes: this.messages.reduce((sum, message) => sum + Buffer.byteLength(message.body), 0),
      backlog_count: this.messages.length,
      oldest_message_timestamp_ms: this.messages[0]?.timestampMs ?? 0,
    };
  }

  /** A lease that ran out is a failed delivery: the message is visible again, or dropped at max_retries. */
  private expireLeases(now: number): void {
    for (let index = this.messages.length - 1; index >= 0; index--) {
      const message = this.messages[index] as QueueRecord;
      if (message.leaseId === null || message.visibleAt > now) continue;
      message.leaseId = null;
      if (message.attempts >= this.maxRetries) this.deadLetter(index);
    }
  }

  private indexOfLease(lease: string): number {
    const id = this.leases.get(lease);
    return id === undefined ? -1 : this.messages.findIndex((message) => message.id === id);
  }

  private newLease(messageId: string): string {
    // Opaque, like the JWE-looking leases of the spec's examples.
    const lease = `${this.random.bytes(24).toString('base64url')}.${this.random.bytes(24).toString('base64url')}`;
    this.leases.set(lease, messageId);
    return lease;
  }

  private remove(index: number): QueueRecord {
    const [message] = this.messages.splice(index, 1) as [QueueRecord];
    for (const [lease, id] of this.leases) if (id === message.id) this.leases.delete(lease);
    return message;
  }

  private deadLetter(index: number): void {
    this.deadLettered.push(this.remove(index));
  }
}

function viewOf(message: QueueRecord): QueueMessageView {
  let event: unknown = null;
  try {
    event = JSON.parse(Buffer.from(message.body, 'base64').toString('utf8'));
  } catch {
    event = null;
  }
  return { id: message.id, event, attempts: message.attempts, leased: message.leaseId !== null };
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The validated body of a pull: `{}` is allowed; unknown fields (e.g. `visibility_timeout`) are ignored. */
export function validatePull(body: unknown): { batchSize: number; visibilityTimeoutMs: number } {
  const value = body === undefined ? {} : body;
  if (!isObject(value)) throw invalid('the body must be a JSON object');
  const batchSize = value.batch_size ?? QUEUE_LIMITS.defaultBatchSize;
  const visibility = value.visibility_timeout_ms ?? QUEUE_LIMITS.defaultVisibilityTimeoutMs;
  if (!isInteger(batchSize, 1, QUEUE_LIMITS.maxBatchSize)) {
    throw invalid(`batch_size must be an integer from 1 to ${QUEUE_LIMITS.maxBatchSize}`, '/batch_size');
  }
  if (!isInteger(visibility, 1, QUEUE_LIMITS.maxVisibilityTimeoutMs)) {
    throw invalid(
      `visibility_timeout_ms must be an integer from 1 to ${QUEUE_LIMITS.maxVisibilityTimeoutMs}`,
      '/visibility_timeout_ms',
    );
  }
  return { batchSize, visibilityTimeoutMs: visibility };
}

/** The validated body of an ack: both arrays optional, each item with a string `lease_id`. */
export function validateAck(body: unknown): Required<QueueAckRequest> {
  const value = body === undefined ? {} : body;
  if (!isObject(value)) throw invalid('the body must be a JSON object');
  const list = (name: 'acks' | 'retries'): Obj[] => {
    const items = value[name] ?? [];
    if (!Array.isArray(items)) throw invalid(`${name} must be an array`, `/${name}`);
    return items.map((item, i) => {
      if (!isObject(item) || typeof item.lease_id !== 'string' || item.lease_id === '') {
        throw invalid(`${name}[${i}] must be an object with a lease_id`, `/${name}/${i}/lease_id`);
      }
      return item;
    });
  };
  const acks = list('acks').map((item) => ({ lease_id: item.lease_id as string }));
  const retries = list('retries').map((item, i) => {
    const delay = item.delay_seconds;
    if (delay !== undefined && !isInteger(delay, 0, QUEUE_LIMITS.maxRetryDelaySeconds)) {
      throw invalid(
        `retries[${i}].delay_seconds must be an integer from 0 to ${QUEUE_LIMITS.maxRetryDelaySeconds}`,
        `/retries/${i}/delay_seconds`,
      );
    }
    return { lease_id: item.lease_id as string, ...(delay === undefined ? {} : { delay_seconds: delay }) };
  });
  return { acks, retries };
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function invalid(detail: string, pointer?: string): CloudflareApiError {
  return new CloudflareApiError(CLOUDFLARE_QUEUE_ERRORS.invalidBody, detail, pointer);
}

const hex32 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** A UUIDv7 (the docs' `eventId`): 48 bits of milliseconds, then random bits. */
export function uuidV7(ms: number, random: Random): string {
  const bytes = random.bytes(16);
  bytes.writeUIntBE(Math.max(0, Math.floor(ms)) % 2 ** 48, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const OUTCOMES = {
  delivered: {
    type: 'cf.email.sending.message.delivered',
    terminal: true,
    delivery: {
      status: 'delivered',
      smtpStatusCode: '250',
      smtpEnhancedStatusCode: '2.0.0',
      smtpResponse: '250 2.0.0 OK (sandbox)',
    },
    bounce: undefined,
  },
  queued: {
    type: 'cf.email.sending.message.deferred',
    terminal: false,
    delivery: {
      status: 'deferred',
      smtpStatusCode: '451',
      smtpEnhancedStatusCode: '4.2.0',
      smtpResponse: '451 4.2.0 Temporary mailbox error',
    },
    bounce: {
      type: 'soft',
      classification: 'temporary_failure',
      reason: '451 4.2.0 Temporary mailbox error',
    },
  },
  permanent_bounces: {
    type: 'cf.email.sending.message.bounced',
    terminal: true,
    delivery: {
      status: 'bounced',
      smtpStatusCode: '550',
      smtpEnhancedStatusCode: '5.1.1',
      smtpResponse: '550 5.1.1 User unknown',
    },
    bounce: { type: 'hard', classification: 'permanent_failure', reason: '550 5.1.1 User unknown' },
  },
} as const;

/**
 * The events of one accepted send, one per recipient, in the order of the send result (delivered, then
 * queued, then bounced), timed at the emulator's clock. The subscription id is one per sending domain, as
 * Cloudflare has one subscription per domain (§5).
 */
export function sendingEvents(sent: CloudflareSentMessage, at: number, random: Random): unknown[] {
  const events: unknown[] = [];
  for (const outcome of ['delivered', 'queued', 'permanent_bounces'] as const) {
    const shape = OUTCOMES[outcome];
    for (const recipient of sent.result[outcome]) {
      events.push({
        type: shape.type,
        source: { type: 'email.sending', zoneId: sent.zoneId, domain: sent.domain },
        payload: {
          eventId: uuidV7(at, random),
          messageId: sent.result.message_id,
          sender: sent.from,
          recipient,
          ...(sent.subject === null ? {} : { subject: sent.subject }),
          terminal: shape.terminal,
          delivery: { ...shape.delivery, provider: 'external_smtp', deliveryTimeMs: 42 },
          ...(shape.bounce === undefined ? {} : { bounce: { ...shape.bounce } }),
        },
        metadata: {
          accountId: sent.accountId,
          eventSubscriptionId: hex32(`email.sending:${sent.domain}`),
          eventSchemaVersion: 1,
          eventTimestamp: new Date(at).toISOString(),
        },
      });
    }
  }
  return events;
}
