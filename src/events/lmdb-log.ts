/**
 * The embedded event log: LMDB (the `lmdb` package, which ships its prebuilt binary as an npm package, so
 * nothing compiles at install) under MAILGRAPH_DATA_DIR. One write transaction per append gives each event
 * the next sequence number, its topic index entries and its dedupe entry at once; the append resolves
 * only once LMDB reports the transaction flushed to disk, so an acknowledged event survives `kill -9`.
 * One process owns a data directory; several instances share events through Redis instead.
 */
import { mkdirSync } from 'node:fs';
import { type Database, type RootDatabase, open } from 'lmdb';
import { ValidationError } from '../errors.js';
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

const PRUNED_THROUGH = 'prunedThrough';

export class LmdbEventLog implements EventLog {
  private readonly root: RootDatabase;
  private readonly events: Database<Row, number>;
  private readonly topics: Database<number, [string, number]>;
  private readonly dedupe: Database<number, string>;
  private readonly meta: Database<number, string>;
  private readonly listeners = new TopicListeners();
  private readonly now: () => number;

  constructor(
    directory: string,
    private readonly options: EventLogOptions,
  ) {
    mkdirSync(directory, { recursive: true });
    this.now = options.now ?? Date.now;
    this.root = open({ path: directory, compression: false });
    this.events = this.root.openDB<Row, number>({ name: 'events' });
    this.topics = this.root.openDB<number, [string, number]>({ name: 'topics' });
    this.dedupe = this.root.openDB<number, string>({ name: 'dedupe' });
    this.meta = this.root.openDB<number, string>({ name: 'meta' });
  }

  async append(batch: NewEvent[]): Promise<AppendResult> {
    const receivedAt = this.now();
    const fresh: StoredEvent[] = [];
    const results = await this.root.transaction(() => {
      let last = this.lastSeq();
      const stored: StoredEvent[] = [];
      const inBatch = new Map<string, StoredEvent>();
      for (const event of batch) {
        const earlier = inBatch.get(event.dedupeKey) ?? this.existing(event.dedupeKey);
        if (earlier) {
          stored.push(earlier);
          continue;
        }
        last += 1;
        const topics = [...new Set([ALL_TOPIC, ...event.topics])];
        const row: Row = { receivedAt, event: { ...event, topics } };
        this.events.putSync(last, row);
        for (const topic of topics) this.topics.putSync([topic, last], last);
        this.dedupe.putSync(event.dedupeKey, last);
        const created = toStored(last, row);
        inBatch.set(event.dedupeKey, created);
        fresh.push(created);
        stored.push(created);
      }
      return stored;
    });
    await this.root.flushed;
    for (const event of fresh) this.listeners.emit(event);
    return { events: results, duplicates: batch.length - fresh.length };
  }

  async read(options: ReadOptions): Promise<StoredEvent[]> {
    const topic = options.topic ?? ALL_TOPIC;
    const after = options.after == null ? null : parsePosition(options.after);
    const backward = options.direction === 'backward';
    if (after !== null && !backward) {
      const prunedThrough = this.meta.get(PRUNED_THROUGH) ?? 0;
      if (after < prunedThrough) throw new CursorExpiredError();
    }
    const range = backward
      ? {
          start: [topic, after === null ? Number.MAX_SAFE_INTEGER : after] as [string, number],
          end: [topic, 0] as [string, number],
          exclusiveStart: true,
          reverse: true,
          limit: options.limit,
        }
      : {
          start: [topic, after ?? 0] as [string, number],
          end: [topic, Number.MAX_SAFE_INTEGER] as [string, number],
          exclusiveStart: after !== null,
          limit: options.limit,
        };
    const found: StoredEvent[] = [];
    for (const { value: seq } of this.topics.getRange(range)) {
      const row = this.events.get(seq);
      if (row) found.push(toStored(seq, row));
    }
    return found;
  }

  subscribe(listener: (event: StoredEvent) => void, options: SubscribeOptions = {}): () => void {
    return this.listeners.add(listener, options.topic);
  }

  compare(a: string, b: string): number {
    return parsePosition(a) - parsePosition(b);
  }

  async ping(): Promise<boolean> {
    try {
      this.meta.get(PRUNED_THROUGH);
      return true;
    } catch {
      return false;
    }
  }

  async prune(): Promise<number> {
    const cutoff = this.now() - this.options.retentionMs;
    return this.root.transaction(() => {
      let removed = 0;
      let through = this.meta.get(PRUNED_THROUGH) ?? 0;
      for (const { key: seq, value: row } of this.events.getRange({})) {
        if (row.receivedAt >= cutoff) break;
        for (const topic of row.event.topics) this.topics.removeSync([topic, seq]);
        if (this.dedupe.get(row.event.dedupeKey) === seq) this.dedupe.removeSync(row.event.dedupeKey);
        this.events.removeSync(seq);
        through = seq;
        removed += 1;
      }
      if (removed > 0) this.meta.putSync(PRUNED_THROUGH, through);
      return removed;
    });
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.root.close();
  }

  private lastSeq(): number {
    for (const key of this.events.getKeys({ reverse: true, limit: 1 })) return key;
    return this.meta.get(PRUNED_THROUGH) ?? 0;
  }

  private existing(dedupeKey: string): StoredEvent | null {
    const seq = this.dedupe.get(dedupeKey);
    if (seq === undefined) return null;
    const row = this.events.get(seq);
    return row ? toStored(seq, row) : null;
  }
}

function toStored(seq: number, row: Row): StoredEvent {
  return { ...row.event, position: String(seq), receivedAt: row.receivedAt };
}

function parsePosition(position: string): number {
  const seq = Number(position);
  if (!/^\d{1,16}$/.test(position) || !Number.isSafeInteger(seq)) {
    const message = 'Not a cursor of this event log.';
    throw new ValidationError(message, [{ path: 'after', message }]);
  }
  return seq;
}
