/**
 * How the emulator pushes what the real providers would push to mailgraph's webhooks (CloudMailin's
 * outbound events today; simulated inbound mail uses the same poster): one target, set once mailgraph
 * listens (`Sandbox.setWebhookTarget`), Basic auth with mailgraph's webhook credentials, and retries as a
 * provider would retry.
 *
 * Decisions where the sources are silent (CloudMailin documents no retry policy for its events webhook):
 * - A POST that fails without an answer (refused connection, reset, timeout), or is answered 5xx, 408 or 429,
 *   is tried again after each of `retryDelaysMs` (default 1 s, 4 s, 16 s), then dropped with a log line.
 * - Any other 4xx is final at once (a wrong credential or a body mailgraph refuses will not improve), logged.
 * - The target is read at each attempt: without one nothing is posted (the real provider would have no URL).
 */
import { request } from 'undici';
import type { Scheduler } from './scheduler.js';

export interface WebhookTarget {
  /** mailgraph's origin, e.g. `http://127.0.0.1:4000`; each webhook appends its own path. */
  url: string;
  /** mailgraph's webhook credentials (Basic auth). */
  auth: { user: string; pass: string };
}

export interface WebhookBody {
  contentType: string;
  payload: string | Uint8Array;
  /** The value behind a JSON payload, kept for tests and logs. */
  json?: unknown;
}

export interface WebhookDelivery {
  path: string;
  body: WebhookBody;
  /** POSTs made for it, retries included. */
  attempts: number;
  /** The last answer's status; null when the last attempt got none. */
  status: number | null;
  outcome: 'acknowledged' | 'refused' | 'dropped';
  /** Scheduler time of the last attempt's end. */
  at: number;
}

export interface WebhookLogger {
  warn(fields: object, message: string): void;
}

export interface WebhookPosterOptions {
  scheduler: Scheduler;
  /** Waits before each retry; `[]` never retries. Default 1 s, 4 s, 16 s. */
  retryDelaysMs?: readonly number[];
  /** Deadline of one attempt. Default 10 s. */
  timeoutMs?: number;
  logger?: WebhookLogger;
}

export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Object.freeze([1_000, 4_000, 16_000]);

const RETRIED_STATUSES = new Set([408, 429]);

const consoleLogger: WebhookLogger = {
  warn: (fields, message) => console.warn(`mailgraph sandbox: ${message} ${JSON.stringify(fields)}`),
};

export class WebhookPoster {
  /** Every POST that has finished (acknowledged, refused, or dropped after its retries), in order. */
  readonly deliveries: WebhookDelivery[] = [];
  private current: WebhookTarget | null = null;
  private readonly scheduler: Scheduler;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly logger: WebhookLogger;
  private readonly scheduled = new Set<() => void>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private closed = false;

  constructor(options: WebhookPosterOptions) {
    this.scheduler = options.scheduler;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.logger = options.logger ?? consoleLogger;
  }

  get target(): WebhookTarget | null {
    return this.current;
  }

  setTarget(target: WebhookTarget | null): void {
    this.current = target === null ? null : { url: target.url.replace(/\/+$/, ''), auth: { ...target.auth } };
  }

  /** Posts `value` as JSON to `path` once the scheduler's clock reaches `time`. */
  postJsonAt(time: number, path: string, value: unknown): void {
    this.postAt(time, path, { contentType: 'application/json', payload: JSON.stringify(value), json: value });
  }

  /** Posts `body` to `path` once the scheduler's clock reaches `time` (now or in the past: soon). */
  postAt(time: number, path: string, body: WebhookBody): void {
    this.schedule(time, () => this.attempt(path, body, 1));
  }

  /** Resolves once no POST is in flight (retries scheduled for later do not count). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Cancels what is scheduled, aborts what is in flight, and posts nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of this.scheduled) cancel();
    this.scheduled.clear();
    for (const abort of this.aborts) abort.abort();
    await this.idle();
  }

  private schedule(time: number, task: () => void): void {
    if (this.closed) return;
    const cancel = this.scheduler.at(time, () => {
      this.scheduled.delete(cancel);
      if (!this.closed) task();
    });
    this.scheduled.add(cancel);
  }

  private attempt(path: string, body: WebhookBody, attempt: number): void {
    const target = this.current;
    if (target === null || this.closed) return;
    const run = this.send(target, path, body).then((status) => this.settle(path, body, attempt, status));
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
  }

  /** The answer's status, or the reason there was none. */
  private async send(target: WebhookTarget, path: string, body: WebhookBody): Promise<number | Error> {
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const credential = Buffer.from(`${target.auth.user}:${target.auth.pass}`).toString('base64');
      const response = await request(`${target.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': body.contentType, authorization: `Basic ${credential}` },
        body: body.payload,
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      await response.body.dump();
      return response.statusCode;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      this.aborts.delete(abort);
    }
  }

  private settle(path: string, body: WebhookBody, attempt: number, answer: number | Error): void {
    const status = typeof answer === 'number' ? answer : null;
    const record = (outcome: WebhookDelivery['outcome']) =>
      this.deliveries.push({ path, body, attempts: attempt, status, outcome, at: this.scheduler.now() });
    if (status !== null && status >= 200 && status < 300) {
      record('acknowledged');
      return;
    }
    if (this.closed) return;
    const fields = {
      path,
      attempts: attempt,
      status,
      ...(answer instanceof Error ? { cause: answer.message } : {}),
    };
    const retryable = status === null || status >= 500 || RETRIED_STATUSES.has(status);
    if (!retryable) {
      record('refused');
      this.logger.warn(fields, 'webhook POST refused; not retried');
      return;
    }
    const delay = this.retryDelaysMs[attempt - 1];
    if (delay === undefined) {
      record('dropped');
      this.logger.warn(fields, 'webhook POST dropped after its retries');
      return;
    }
    this.schedule(this.scheduler.now() + delay, () => this.attempt(path, body, attempt + 1));
  }
}
