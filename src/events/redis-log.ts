/**
 * The event log in Redis (REDIS_URL): one Redis Stream holds every event in order, so every instance
 * reads the same sequence; a Lua script stores an event, its dedupe key and its topic index entries at
 * once; each instance follows the stream with a blocking XREAD on its own connection and hands new
 * events to its local subscribers. Durability is Redis's own: an append resolves once Redis has the
 * event, so run Redis with AOF (`appendonly yes`) where acknowledged events must survive a Redis restart.
 */
import type { Redis } from 'ioredis';
import { ValidationError } from '../errors.js';
import { newRedis } from '../upstream/redis-client.js';
import {
  ALL_TOPIC,
  type AppendResult,
  CursorExpiredError,
  type EventLog,
  type EventLogOptions,
  type NewEvent,
  type ReadOptions,
  type StoredEvent,
  type SubscribeOptions,
  TopicListeners,
} from './log.js';

interface Row {
  receivedAt: number;
  event: NewEvent;
}

/** Stores one event unless its dedupe key is known; answers {1, id} when stored, {0, id} when known. */
const APPEND = `
local existing = redis.call('GET', KEYS[2])
if existing then return {0, existing} end
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[1])
redis.call('SET', KEYS[2], id, 'PX', ARGV[2])
local dash = string.find(id, '-')
local member = string.rep('0', 15 - (dash - 1)) .. string.sub(id, 1, dash - 1) .. '-' ..
  string.rep('0', 10 - (#id - dash)) .. string.sub(id, dash + 1)
for i = 4, #ARGV do
  redis.call('ZADD', ARGV[3] .. ARGV[i], 0, member)
  redis.call('SADD', KEYS[3], ARGV[i])
end
return {1, id}
`;

export interface RedisEventLogOptions extends EventLogOptions {
  url: string;
  /** Key prefix, so that tests (or deployments) can share one Redis. */
  prefix?: string;
}

export class RedisEventLog implements EventLog {
  private readonly redis: Redis;
  private readonly reader: Redis;
  private readonly listeners = new TopicListeners();
  private readonly prefix: string;
  private readonly now: () => number;
  private closed = false;
  /** The stream's tail when this instance started; every later event is handed to subscribers. */
  private readonly tail: Promise<string>;
  private readonly following: Promise<void>;

  constructor(private readonly options: RedisEventLogOptions) {
    this.prefix = options.prefix ?? 'mailgraph:';
    this.now = options.now ?? Date.now;
    const connection = { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true };
    this.redis = newRedis(options.url, connection);
    this.reader = newRedis(options.url, { ...connection, maxRetriesPerRequest: null });
    this.redis.defineCommand('mailgraphAppend', { numberOfKeys: 3, lua: APPEND });
    this.tail = this.reader
      .xrevrange(this.key('events'), '+', '-', 'COUNT', 1)
      .then((entries) => entries[0]?.[0] ?? '0-0');
    this.following = this.tail.then((tail) => this.followStream(tail));
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  async append(batch: NewEvent[]): Promise<AppendResult> {
    // This instance's own events must come after the tail it follows from.
    await this.tail;
    const receivedAt = this.now();
    const pipeline = this.redis.pipeline();
    const seen = new Map<string, number>();
    const rows: string[] = [];
    for (const event of batch) {
      if (seen.has(event.dedupeKey)) continue;
      seen.set(event.dedupeKey, seen.size);
      const topics = [...new Set([ALL_TOPIC, ...event.topics])];
      const row: Row = { receivedAt, event: { ...event, topics } };
      const json = JSON.stringify(row);
      rows.push(json);
      (pipeline as unknown as { mailgraphAppend(...args: unknown[]): void }).mailgraphAppend(
        this.key('events'),
        this.key(`dedupe:${event.dedupeKey}`),
        this.key('topics'),
        json,
        String(this.options.retentionMs),
        this.key('topic:'),
        ...topics,
      );
    }
    const replies = (await pipeline.exec()) ?? [];
    const outcomes: Array<{ fresh: boolean; id: string }> = replies.map(([error, reply]) => {
      if (error) throw error;
      const [fresh, id] = reply as [number, string];
      return { fresh: fresh === 1, id };
    });
    // A new event is what this append wrote (read back as a read would: from its JSON); only a duplicate's
    // earlier event is read from the stream.
    const byId = new Map<string, StoredEvent>();
    outcomes.forEach((outcome, i) => {
      if (outcome.fresh)
        byId.set(outcome.id, parseEntry(outcome.id, ['e', rows[i] as string]) as StoredEvent);
    });
    const earlier = [...new Set(outcomes.filter((o) => !o.fresh).map((o) => o.id))];
    for (const event of await this.fetch(earlier)) byId.set(event.position, event);
    const events = batch.map((event) => {
      const outcome = outcomes[seen.get(event.dedupeKey) as number] as { id: string };
      const stored = byId.get(outcome.id);
      if (!stored) throw new Error(`event ${outcome.id} vanished between append and read`);
      return stored;
    });
    return { events, duplicates: batch.length - outcomes.filter((outcome) => outcome.fresh).length };
  }

  async read(options: ReadOptions): Promise<StoredEvent[]> {
    // No read before the tail this instance follows from is known: a replay (`follow`) that read the log
    // before an event was appended, by an instance whose tail was then taken after it, would see that
    // event neither in the log nor live. With the tail first, every event is in the read or after the tail.
    await this.tail;
    const topic = this.key(`topic:${options.topic ?? ALL_TOPIC}`);
    const backward = options.direction === 'backward';
    const after = options.after == null ? null : member(options.after);
    if (after !== null && !backward) {
      const prunedThrough = await this.redis.get(this.key('prunedThrough'));
      if (prunedThrough !== null && after < member(prunedThrough)) throw new CursorExpiredError();
    }
    const members = backward
      ? await this.redis.zrevrangebylex(
          topic,
          after === null ? '+' : `(${after}`,
          '-',
          'LIMIT',
          0,
          options.limit,
        )
      : await this.redis.zrangebylex(
          topic,
          after === null ? '-' : `(${after}`,
          '+',
          'LIMIT',
          0,
          options.limit,
        );
    return this.fetch(members.map(idOf));
  }

  subscribe(listener: (event: StoredEvent) => void, options: SubscribeOptions = {}): () => void {
    return this.listeners.add(listener, options.topic);
  }

  compare(a: string, b: string): number {
    const x = member(a);
    const y = member(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Stream ids carry Redis's clock, so the cutoff is found from the events' own `receivedAt`. */
  async prune(): Promise<number> {
    const cutoff = this.now() - this.options.retentionMs;
    let through: string | null = null;
    let start = '-';
    scan: for (;;) {
      const entries = (await this.redis.xrange(this.key('events'), start, '+', 'COUNT', 200)) as Array<
        [string, string[]]
      >;
      for (const [id, fields] of entries) {
        const event = parseEntry(id, fields);
        if (event && event.receivedAt >= cutoff) break scan;
        through = id;
      }
      if (entries.length < 200 || through === null) break;
      start = `(${through}`;
    }
    if (through === null) return 0;
    const removed = await this.redis.xtrim(this.key('events'), 'MINID', nextId(through));
    await this.redis.set(this.key('prunedThrough'), through);
    const bound = `[${member(through)}`;
    for (const topic of await this.redis.smembers(this.key('topics'))) {
      await this.redis.zremrangebylex(this.key(`topic:${topic}`), '-', bound);
    }
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.reader.disconnect();
    await this.following.catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }

  /** Reads the stream from now on and hands each new event to this instance's subscribers, in order. */
  private async followStream(tail: string): Promise<void> {
    let last = tail;
    while (!this.closed) {
      let reply: Array<[string, Array<[string, string[]]>]> | null;
      try {
        reply = (await this.reader.xread('BLOCK', 5000, 'STREAMS', this.key('events'), last)) as typeof reply;
      } catch {
        if (this.closed) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const event = parseEntry(id, fields);
          if (event) this.listeners.emit(event);
        }
      }
    }
  }

  private async fetch(ids: string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.xrange(this.key('events'), id, id);
    const replies = (await pipeline.exec()) ?? [];
    const events: StoredEvent[] = [];
    for (const [error, entries] of replies) {
      if (error) throw error;
      const entry = (entries as Array<[string, string[]]>)[0];
      const event = entry ? parseEntry(entry[0], entry[1]) : null;
      if (event) events.push(event);
    }
    return events;
  }
}

function parseEntry(id: string, fields: string[]): StoredEvent | null {
  const index = fields.indexOf('e');
  if (index < 0) return null;
  const row = JSON.parse(fields[index + 1] as string) as Row;
  return { ...row.event, position: id, receivedAt: row.receivedAt };
}

/** A stream id as a sortable member: `ms-seq` zero-padded, so that lexical order is stream order. */
function member(id: string): string {
  const match = /^(\d{1,15})-(\d{1,10})$/.exec(id);
  if (!match) {
    const message = 'Not a cursor of this event log.';
    throw new ValidationError(message, [{ path: 'after', message }]);
  }
  return `${(match[1] as string).padStart(15, '0')}-${(match[2] as string).padStart(10, '0')}`;
}

/** The smallest stream id after `id`. */
function nextId(id: string): string {
  const [ms, seq] = id.split('-') as [string, string];
  return `${ms}-${BigInt(seq) + 1n}`;
}

function idOf(sortable: string): string {
  const [ms, seq] = sortable.split('-') as [string, string];
  return `${Number(ms)}-${Number(seq)}`;
}
