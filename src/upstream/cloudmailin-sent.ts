/**
 * What a send through this process makes outdated in the cached outbound message lists, and what it
 * leaves for the graph to lay over them instead (docs/decisions.md, "Sent messages on top of the cached
 * list").
 *
 * - `SentLedger`: the messages CloudMailin accepted from this process that the cached first page of the
 *   unfiltered list may not show yet. A send does not drop that page: the outbound list lays these on
 *   top of it. A record is settled (dropped) when the first page shows it, or when this process fetched
 *   the first page after the send was accepted (the provider's page then says where the message is, or
 *   that it is not listed), and at the latest when no cached page served can predate it (TTL + stale
 *   grace). Only this process's clock is compared with itself: never the provider's `created_at`.
 * - `OutdatedLists`: the other outbound list pages this process has read (a `query` filter, a page past
 *   the first). A send drops them, as before: whether a filtered list should show a message is the
 *   provider's search to decide, and the walk of later pages reads them afresh.
 *
 * Both are held in this process only (another instance's sends show when the shared cached page is
 * refetched).
 */
import type { SentMessage } from './cloudmailin-wire.js';

export interface SentRecord {
  message: SentMessage;
  /** When CloudMailin's acceptance reached this process (ms, the upstream clock). */
  acceptedAt: number;
}

export interface SentLedgerOptions {
  now: () => number;
  /** How long a record is kept: past it, no cached page served can predate the send. */
  maxAgeMs: number;
  /** At most this many records, the oldest dropped first (a first page shows at most 100 rows). */
  limit?: number;
}

export class SentLedger {
  private readonly records: SentRecord[] = [];
  private readonly limit: number;

  constructor(private readonly options: SentLedgerOptions) {
    this.limit = options.limit ?? 100;
  }

  /** Records an accepted send; one in `test_mode` is not: CloudMailin sends and lists nothing for it. */
  record(message: SentMessage): void {
    if (message.test_mode === true) return;
    this.records.push({ message: structuredClone(message), acceptedAt: this.options.now() });
    this.prune();
  }

  /** The first page was fetched from the provider by a call that started at `startedAt`. */
  settle(startedAt: number): void {
    // Strictly before: a send accepted in the same instant may have reached the provider after the list call.
    this.drop((record) => record.acceptedAt < startedAt);
  }

  /** The first page (fetched now or earlier, by any instance) shows these messages: they are the provider's. */
  listed(ids: Iterable<string>): void {
    const shown = new Set(ids);
    this.drop((record) => shown.has(record.message.id));
  }

  /** The records still unsettled, newest first (the later of two sends first on a tie). */
  recent(): SentRecord[] {
    this.prune();
    return [...this.records].reverse();
  }

  private drop(settled: (record: SentRecord) => boolean): void {
    for (let i = this.records.length - 1; i >= 0; i -= 1) {
      if (settled(this.records[i] as SentRecord)) this.records.splice(i, 1);
    }
  }

  private prune(): void {
    const oldest = this.options.now() - this.options.maxAgeMs;
    while (this.records.length > 0) {
      const first = this.records[0] as SentRecord;
      if (this.records.length <= this.limit && first.acceptedAt >= oldest) break;
      this.records.shift();
    }
  }
}

/** Cache keys (paths) of list pages, the most recently read last, at most `limit`. */
export class OutdatedLists {
  private readonly keys = new Set<string>();

  constructor(private readonly limit = 256) {}

  note(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    while (this.keys.size > this.limit) {
      const eldest = this.keys.keys().next();
      if (eldest.done) break;
      this.keys.delete(eldest.value);
    }
  }

  /** Every key noted so far, forgotten: the send drops them, and a later read notes them again. */
  take(): string[] {
    const keys = [...this.keys];
    this.keys.clear();
    return keys;
  }
}
