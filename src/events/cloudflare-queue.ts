/**
 * The Cloudflare Email Sending events consumer. Cloudflare has no webhook: it publishes each recipient's
 * delivery events to a Cloudflare Queue, which mailgraph pulls over the Queues HTTP pull-consumer API
 * (test/fixtures/providers/cloudflare/QUEUES-PULL.md) when CLOUDFLARE_EVENTS_QUEUE_ID is set:
 *
 * - **Pull, store, then ack.** A pull leases up to `batchSize` messages for `visibilityTimeoutMs`. Their
 *   events go to the event log in one append (deduplicated by `payload.eventId`, so a redelivered message
 *   is stored once), and only once the append resolved are they acknowledged. When the append fails
 *   nothing is acknowledged: the leases run out and the queue delivers the messages again.
 * - **A lost ack** is not repeated: the messages come back after the visibility timeout, and their events
 *   are duplicates the log drops.
 * - **Poison messages** (a body that is no Email Sending event) must not come back forever: they are
 *   retried with a delay (`poisonRetryDelaySeconds`) until their `attempts` reach `poisonMaxAttempts`
 *   (3, Cloudflare's default `max_retries`), then acknowledged and logged at `warn` with the message id
 *   and the problem (never the body, which holds addresses).
 * - **Pacing.** An empty pull backs off (1 s, doubling to 30 s); a non-empty one resets that; a full batch
 *   is followed by another pull at once. A failed pull (network, timeout, 5xx, 429, a spent budget) is
 *   logged at `warn` and backs off the same way, or for the Retry-After of a 429 when that is longer; it
 *   never ends the loop. `wake()` (called after each accepted send) cuts an idle back-off short, so the
 *   events of a send just made are looked for at once.
 * - **Budget.** Every pull and ack goes through the Cloudflare client, so it takes the token's API budget
 *   (`rateLimits` shows it) and gets the client's error mapping; the consumer claims the budget as one
 *   more client key, so with several keys configured the fair shares keep it from starving them.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { MailgraphError, RateLimitedError, UpstreamError } from '../errors.js';
import type {
  QueueAckRequest,
  QueueAckResult,
  QueueMessage,
  QueuePullRequest,
  QueuePullResult,
} from '../upstream/cloudflare-queue-wire.js';
import { runInRequestScope } from '../upstream/request-scope.js';
import type { EventLog, NewEvent } from './log.js';
import { WebhookBodyError, cloudflareEvents } from './normalize.js';
import type { IntakeOutcome } from './webhooks.js';

/** What the consumer needs of the Cloudflare client (`CloudflareClient` has all of it). */
export interface CloudflareQueueClient {
  pullQueue(queueId: string, request: QueuePullRequest): Promise<QueuePullResult>;
  ackQueue(queueId: string, request: QueueAckRequest): Promise<QueueAckResult>;
  onSent?(listener: () => void): () => void;
}

export interface QueueConsumerLogger {
  warn(fields: object, message: string): void;
  info?(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

export interface CloudflareQueueConsumerOptions {
  client: CloudflareQueueClient;
  queueId: string;
  log: EventLog;
  logger?: QueueConsumerLogger;
  /** Messages per pull (1-100); default 100, so that a busy queue costs few calls. */
  batchSize?: number;
  /** How long a pulled message stays leased to this consumer; default 60 s. */
  visibilityTimeoutMs?: number;
  /** The first back-off after an empty pull or a failure; default 1 s. */
  minDelayMs?: number;
  /** The longest back-off; default 30 s. */
  maxDelayMs?: number;
  /** Deliveries of an undecodable message before it is acknowledged and logged; default 3. */
  poisonMaxAttempts?: number;
  /** The delay of a retried undecodable message; default 60 s. */
  poisonRetryDelaySeconds?: number;
  /** How many client keys are configured (the consumer claims the budget as one more). */
  clientKeys?: number;
  /** Waits `ms`, or rejects as soon as `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called with what each batch stored. */
  onStored?: (stored: number, duplicates: number) => void;
  /**
   * Told what became of each batch (metrics): events `stored` and `duplicate`; messages that are no event
   * (`rejected_malformed`, each time one is pulled) and messages whose events could not be stored (`failed`).
   */
  onOutcome?: (outcome: IntakeOutcome, count: number) => void;
}

/** What one pull came to; the loop picks the next wait from it. */
export type PollOutcome =
  | { kind: 'empty' }
  | {
      kind: 'batch';
      /** Messages pulled. */
      pulled: number;
      full: boolean;
      stored: number;
      duplicates: number;
      acked: number;
      retried: number;
      /** Whether the ack call failed (the messages come back after the visibility timeout). */
      ackFailed: boolean;
    }
  | { kind: 'failed'; stage: 'pull' | 'store'; error: unknown; retryAfterMs: number };

/** The principal the consumer's calls claim the budget for (never a client key). */
export const CONSUMER_PRINCIPAL = 'cloudflare-events-queue';

const DEFAULTS = {
  batchSize: 100,
  visibilityTimeoutMs: 60_000,
  minDelayMs: 1_000,
  maxDelayMs: 30_000,
  poisonMaxAttempts: 3,
  poisonRetryDelaySeconds: 60,
} as const;

/** One decoded message: its events, or why it has none. */
type Decoded =
  | { message: QueueMessage; leaseId: string; events: NewEvent[] }
  | { message: QueueMessage; leaseId: string; problem: string };

export class CloudflareQueueConsumer {
  private readonly options: Required<
    Omit<CloudflareQueueConsumerOptions, 'logger' | 'onStored' | 'onOutcome' | 'clientKeys' | 'sleep'>
  > &
    Pick<CloudflareQueueConsumerOptions, 'logger' | 'onStored' | 'onOutcome'>;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly clientKeys: number;
  private delayMs: number;
  private running: Promise<void> | null = null;
  private stopping = false;
  /** Aborts the current wait: on stop, or on wake during an idle back-off. */
  private waitController: AbortController | null = null;
  /** Whether the current wait is an idle back-off (wakeable), not a failure's. */
  private idle = false;
  /** A wake that came while a pull was in flight: the next idle wait is skipped. */
  private woken = false;
  /** Whether the last pull failed: a wake then changes nothing (the failure's back-off stands). */
  private failing = false;
  private unsubscribe: (() => void) | null = null;

  constructor(options: CloudflareQueueConsumerOptions) {
    this.options = {
      ...options,
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? DEFAULTS.visibilityTimeoutMs,
      minDelayMs: options.minDelayMs ?? DEFAULTS.minDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
      poisonMaxAttempts: options.poisonMaxAttempts ?? DEFAULTS.poisonMaxAttempts,
      poisonRetryDelaySeconds: options.poisonRetryDelaySeconds ?? DEFAULTS.poisonRetryDelaySeconds,
    };
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.clientKeys = options.clientKeys ?? 0;
    this.delayMs = this.options.minDelayMs;
  }

  /** Starts the pull loop in the background (once); `stop()` ends it. */
  start(): void {
    if (this.running !== null) return;
    this.stopping = false;
    this.unsubscribe = this.options.client.onSent?.(() => this.wake()) ?? null;
    this.running = this.loop();
  }

  /** Looks for new events soon: ends an idle back-off now (never the back-off of a failure). */
  wake(): void {
    if (this.failing) return;
    this.delayMs = this.options.minDelayMs;
    if (this.waitController === null) this.woken = true;
    else if (this.idle) this.waitController.abort();
  }

  /** Ends the loop after the pull in flight, if any, has been stored and acknowledged. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.waitController?.abort();
    await this.running;
    this.running = null;
  }

  /** One pull: store what it brought, then acknowledge it. Never throws. */
  async poll(): Promise<PollOutcome> {
    const { client, queueId, batchSize, visibilityTimeoutMs } = this.options;
    let pulled: QueuePullResult;
    try {
      pulled = await this.claiming(() =>
        client.pullQueue(queueId, { batch_size: batchSize, visibility_timeout_ms: visibilityTimeoutMs }),
      );
    } catch (error) {
      const retryAfterMs = error instanceof RateLimitedError ? error.retryAfterSeconds * 1000 : 0;
      this.options.logger?.warn(
        { provider: 'CLOUDFLARE', queueId, ...describe(error) },
        'cloudflare events queue: pull failed; backing off',
      );
      return { kind: 'failed', stage: 'pull', error, retryAfterMs };
    }
    if (pulled.messages.length === 0) return { kind: 'empty' };

    const decoded = pulled.messages.map((message) => this.decode(message));
    // A message without a lease id cannot be acknowledged, but its events are stored all the same.
    const events = decoded.flatMap((entry) => ('events' in entry ? entry.events : []));
    const usable = decoded.filter((entry) => entry.leaseId !== '');
    const { onOutcome } = this.options;
    const withEvents = decoded.filter((entry) => 'events' in entry).length;
    onOutcome?.('rejected_malformed', decoded.length - withEvents);
    let stored = 0;
    let duplicates = 0;
    if (events.length > 0) {
      try {
        const result = await this.options.log.append(events);
        duplicates = result.duplicates;
        stored = events.length - duplicates;
        this.options.onStored?.(stored, duplicates);
        onOutcome?.('stored', stored);
        onOutcome?.('duplicate', duplicates);
      } catch (error) {
        onOutcome?.('failed', withEvents);
        // Not stored, so not acknowledged: the leases run out and the queue delivers them again.
        this.options.logger?.warn(
          { provider: 'CLOUDFLARE', queueId, messages: pulled.messages.length, ...describe(error) },
          'cloudflare events queue: events could not be stored; nothing acknowledged',
        );
        return { kind: 'failed', stage: 'store', error, retryAfterMs: 0 };
      }
    }

    const acks: Array<{ lease_id: string }> = [];
    const retries: Array<{ lease_id: string; delay_seconds: number }> = [];
    for (const entry of usable) {
      if ('events' in entry) {
        acks.push({ lease_id: entry.leaseId });
        continue;
      }
      const attempts = entry.message.attempts ?? 1;
      const fields = {
        provider: 'CLOUDFLARE',
        queueId,
        messageId: entry.message.id ?? null,
        attempts,
        problem: entry.problem,
      };
      if (attempts >= this.options.poisonMaxAttempts) {
        this.options.logger?.warn(fields, 'cloudflare events queue: dropped a message that is no event');
        acks.push({ lease_id: entry.leaseId });
      } else {
        this.options.logger?.debug?.(fields, 'cloudflare events queue: retrying a message that is no event');
        retries.push({ lease_id: entry.leaseId, delay_seconds: this.options.poisonRetryDelaySeconds });
      }
    }
    let ackFailed = false;
    if (acks.length > 0 || retries.length > 0) {
      try {
        await this.claiming(() => client.ackQueue(queueId, { acks, retries }));
      } catch (error) {
        ackFailed = true;
        this.options.logger?.warn(
          { provider: 'CLOUDFLARE', queueId, acks: acks.length, retries: retries.length, ...describe(error) },
          'cloudflare events queue: ack failed; the messages come back after their visibility timeout',
        );
      }
    }
    return {
      kind: 'batch',
      pulled: pulled.messages.length,
      full: pulled.messages.length >= batchSize,
      stored,
      duplicates,
      acked: ackFailed ? 0 : acks.length,
      retried: ackFailed ? 0 : retries.length,
      ackFailed,
    };
  }

  private decode(message: QueueMessage): Decoded {
    const leaseId = typeof message.lease_id === 'string' ? message.lease_id : '';
    if (leaseId === '') {
      this.options.logger?.warn(
        { provider: 'CLOUDFLARE', queueId: this.options.queueId, messageId: message.id ?? null },
        'cloudflare events queue: a pulled message has no lease id; it cannot be acknowledged',
      );
    }
    try {
      // One message at a time, so that one bad message does not hold back the others of its batch.
      return { message, leaseId, events: cloudflareEvents({ messages: [message] }) };
    } catch (error) {
      const problem =
        error instanceof WebhookBodyError
          ? error.problems.join('; ')
          : error instanceof Error
            ? error.message
            : String(error);
      return { message, leaseId, problem };
    }
  }

  /** Runs a client call as the consumer's own claimant of the budget (see the file comment). */
  private claiming<T>(call: () => Promise<T>): Promise<T> {
    return runInRequestScope(
      { upstreamCalls: 0, principal: CONSUMER_PRINCIPAL, clientKeys: this.clientKeys + 1 },
      call,
    );
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let outcome: PollOutcome;
      try {
        outcome = await this.poll();
      } catch (error) {
        // poll() does not throw; should it ever, the loop still goes on.
        outcome = { kind: 'failed', stage: 'pull', error, retryAfterMs: 0 };
      }
      if (this.stopping) break;
      this.failing = outcome.kind === 'failed';
      const { wait, idle } = this.next(outcome);
      if (this.woken && idle) {
        this.woken = false;
        continue;
      }
      this.woken = false;
      if (wait > 0) await this.pause(wait, idle);
    }
  }

  /** The wait after `outcome`, and whether it is an idle back-off (which `wake` may cut short). */
  private next(outcome: PollOutcome): { wait: number; idle: boolean } {
    const { minDelayMs, maxDelayMs } = this.options;
    const backOff = () => {
      const wait = this.delayMs;
      this.delayMs = Math.min(this.delayMs * 2, maxDelayMs);
      return wait;
    };
    switch (outcome.kind) {
      case 'empty':
        return { wait: backOff(), idle: true };
      case 'batch':
        this.delayMs = minDelayMs;
        // A full batch: more are likely waiting. Otherwise the queue is probably drained for now.
        return { wait: outcome.full ? 0 : minDelayMs, idle: true };
      case 'failed':
        return { wait: Math.max(backOff(), outcome.retryAfterMs), idle: false };
    }
  }

  private async pause(ms: number, idle: boolean): Promise<void> {
    const controller = new AbortController();
    this.waitController = controller;
    this.idle = idle;
    try {
      await this.sleep(ms, controller.signal);
    } catch {
      // Aborted: stopped, or woken.
    } finally {
      this.waitController = null;
    }
  }
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof MailgraphError) {
    return {
      code: error.code,
      ...(error instanceof UpstreamError ? { status: error.status } : {}),
      providerCode: error.providerCode ?? null,
      ...(error instanceof RateLimitedError ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
      cause: error.message,
    };
  }
  return { cause: error instanceof Error ? error.message : String(error) };
}
