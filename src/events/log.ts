/**
 * The durable event log: every provider event (a CloudMailin delivery event, an inbound mail, a Cloudflare
 * Email Sending event) is stored here before its webhook is acknowledged, stored once however often it is
 * delivered, and read back in order by position. Two implementations share this interface and one test
 * suite: an embedded LMDB database under MAILGRAPH_DATA_DIR (`lmdb-log.ts`) and Redis Streams when
 * REDIS_URL is set (`redis-log.ts`), which is also how several instances see every event in order.
 *
 * Positions are opaque strings, ordered within one log (`compare`). A position older than the retention
 * window can no longer be replayed from: `read` refuses it with a CursorExpiredError.
 */
import { MailgraphError } from '../errors.js';

export type EventType = 'message_event' | 'inbound_email' | 'cloudflare_event';

export interface NewEvent {
  /** What makes two deliveries the same event (the provider's ids, or a hash of what identifies it). */
  dedupeKey: string;
  type: EventType;
  /** Keys the event is found by, e.g. `message:<id>`, `address:<id>`; every event is also under `all`. */
  topics: string[];
  /** The provider's time of the event (ms), when it says. */
  occurredAt: number | null;
  /** The normalised event, as JSON. */
  payload: unknown;
}

export interface StoredEvent extends NewEvent {
  /** The event's place in the log. */
  position: string;
  /** When mailgraph stored it (ms). */
  receivedAt: number;
}

export interface AppendResult {
  /** Each input event as stored: the new one, or the one stored earlier under the same dedupe key. */
  events: StoredEvent[];
  /** How many inputs were already stored. */
  duplicates: number;
}

export interface ReadOptions {
  /** Only events after this position (exclusive); from the oldest retained when absent. */
  after?: string | null;
  /** Only events under this topic; `all` when absent. */
  topic?: string;
  limit: number;
  /** `backward` reads newest first, before `after` when it is given. */
  direction?: 'forward' | 'backward';
}

export interface EventLog {
  /** Stores the events durably (resolves only once they would survive a crash), each at most once. */
  append(events: NewEvent[]): Promise<AppendResult>;
  read(options: ReadOptions): Promise<StoredEvent[]>;
  /**
   * Every event stored from now on, by any instance, in order (only those under `options.topic` when it is
   * given); returns the unsubscribe function.
   */
  subscribe(listener: (event: StoredEvent) => void, options?: SubscribeOptions): () => void;
  /** Orders two positions of this log. */
  compare(a: string, b: string): number;
  /** Whether the log is usable (for /ready). */
  ping(): Promise<boolean>;
  /** Drops events older than the retention window; returns how many. */
  prune(): Promise<number>;
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Only events under this topic; every event when absent or `all`. */
  topic?: string;
}

export interface EventLogOptions {
  /** How long events are kept (ms); older positions answer CursorExpiredError. */
  retentionMs: number;
  now?: () => number;
}

/** The cursor is older than the retention window: the events after it are gone, so the client must resync. */
export class CursorExpiredError extends MailgraphError {
  readonly code = 'CURSOR_EXPIRED';
  constructor(message = 'This cursor is older than the event retention window; resync without `after`.') {
    super(message);
    this.name = 'CursorExpiredError';
  }
}

export const ALL_TOPIC = 'all';

/**
 * The live listeners of one log by topic, for the implementations: a new event is handed to the listeners of
 * `all` and to those of each of its topics, so that a follower of one message is not handed (and does not
 * filter) every event of the log.
 */
export class TopicListeners {
  private readonly byTopic = new Map<string, Set<(event: StoredEvent) => void>>();

  add(listener: (event: StoredEvent) => void, topic: string = ALL_TOPIC): () => void {
    let listeners = this.byTopic.get(topic);
    if (listeners === undefined) {
      listeners = new Set();
      this.byTopic.set(topic, listeners);
    }
    const entry = (event: StoredEvent) => listener(event);
    listeners.add(entry);
    return () => {
      const current = this.byTopic.get(topic);
      if (current?.delete(entry) && current.size === 0) this.byTopic.delete(topic);
    };
  }

  emit(event: StoredEvent): void {
    this.emitTo(ALL_TOPIC, event);
    for (const topic of event.topics) if (topic !== ALL_TOPIC) this.emitTo(topic, event);
  }

  clear(): void {
    this.byTopic.clear();
  }

  private emitTo(topic: string, event: StoredEvent): void {
    const listeners = this.byTopic.get(topic);
    if (listeners === undefined) return;
    if (listeners.size === 1) {
      for (const listener of listeners) listener(event);
      return;
    }
    // A listener may unsubscribe (or another subscribe) while the event is handed out.
    for (const listener of [...listeners]) listener(event);
  }
}

/**
 * Follows a topic from a position: first every stored event after `after`, then the live ones, in order,
 * with none twice and none lost in between (live events that arrive during the replay are held back and
 * delivered after it, minus those the replay already gave). With `filter`, only the events it accepts.
 */
export async function* follow(
  log: EventLog,
  options: {
    after?: string | null;
    topic?: string;
    signal?: AbortSignal;
    batch?: number;
    /** Only the events it accepts are yielded (in the same generator: no second one to pass through). */
    filter?: (event: StoredEvent) => boolean;
  },
): AsyncGenerator<StoredEvent> {
  const topic = options.topic ?? ALL_TOPIC;
  const accepts = options.filter ?? (() => true);
  const queue: StoredEvent[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = log.subscribe(
    (event) => {
      // A log that ignores the topic option hands over every event.
      if (topic !== ALL_TOPIC && !event.topics.includes(topic)) return;
      if (!accepts(event)) return;
      queue.push(event);
      wake?.();
    },
    { topic },
  );
  // One listener for the whole stream (a race against a shared promise at every wait would pile up
  // reactions on it for as long as the stream lives).
  const onAbort = () => wake?.();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let last = options.after ?? null;
    // Replay what is stored, page by page, until a page comes back short.
    for (;;) {
      const page = await log.read({ after: last, topic, limit: options.batch ?? 500 });
      for (const event of page) {
        if (accepts(event)) yield event;
        last = event.position;
      }
      if (page.length < (options.batch ?? 500)) break;
    }
    for (;;) {
      while (queue.length > 0) {
        const event = queue.shift() as StoredEvent;
        if (last !== null && log.compare(event.position, last) <= 0) continue;
        yield event;
        last = event.position;
      }
      if (options.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
      if (options.signal?.aborted) return;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
