/**
 * Idempotency keys in LMDB under MAILGRAPH_DATA_DIR (`idempotency/`, beside the event log's `events/`): the
 * default when REDIS_URL is not set. A claim is flushed to disk before the send it guards starts, and the
 * bound answer before it is returned, so a key outlives a restart and a `kill -9`: a retry after a crash
 * replays the answer, or, when the process died during the send, is in doubt (see idempotency.ts).
 * One process owns a data directory; several instances share keys through Redis instead.
 *
 * Records are kept for their TTL (24 h); an index by expiry time lets `prune` drop the expired ones
 * without reading the others (it runs at most every 10 minutes, after a claim).
 */
import { mkdirSync } from 'node:fs';
import { type Database, type RootDatabase, open } from 'lmdb';
import {
  DurableIdempotencyStore,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyRecord,
  type IdempotencyRecords,
} from './idempotency.js';

interface Row extends IdempotencyRecord {
  owner: string;
  expiresAt: number;
}

const PRUNE_EVERY_MS = 10 * 60_000;

export interface LmdbIdempotencyOptions {
  now?: () => number;
}

export class LmdbIdempotencyRecords implements IdempotencyRecords {
  private readonly root: RootDatabase;
  private readonly rows: Database<Row, string>;
  /** [expiresAt, id] → 1, for pruning in expiry order. */
  private readonly expiry: Database<number, [number, string]>;
  private readonly now: () => number;
  private lastPrune = 0;

  constructor(directory: string, options: LmdbIdempotencyOptions = {}) {
    mkdirSync(directory, { recursive: true });
    this.now = options.now ?? Date.now;
    this.root = open({ path: directory, compression: false });
    this.rows = this.root.openDB<Row, string>({ name: 'keys' });
    this.expiry = this.root.openDB<number, [number, string]>({ name: 'expiry' });
  }

  async claim(
    id: string,
    fingerprint: string,
    owner: string,
    ttlMs: number,
  ): Promise<IdempotencyRecord | null> {
    const now = this.now();
    const found = await this.root.transaction(() => {
      const row = this.rows.get(id);
      if (row && row.expiresAt > now) return row;
      this.write(id, { state: 'pending', fingerprint, owner, expiresAt: now + ttlMs }, row);
      return null;
    });
    await this.root.flushed;
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      void this.prune().catch(() => undefined);
    }
    return found === null ? null : { state: found.state, fingerprint: found.fingerprint, value: found.value };
  }

  async complete(id: string, owner: string, value: unknown, ttlMs: number): Promise<void> {
    const now = this.now();
    await this.root.transaction(() => {
      const row = this.rows.get(id);
      if (row?.owner !== owner) return;
      this.write(
        id,
        { state: 'done', fingerprint: row.fingerprint, owner, value, expiresAt: now + ttlMs },
        row,
      );
    });
    await this.root.flushed;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.root.transaction(() => {
      const row = this.rows.get(id);
      if (row?.owner !== owner) return;
      this.rows.removeSync(id);
      this.expiry.removeSync([row.expiresAt, id]);
    });
    await this.root.flushed;
  }

  /** Drops the records whose time has passed; returns how many. */
  async prune(): Promise<number> {
    const now = this.now();
    return this.root.transaction(() => {
      let removed = 0;
      for (const { key } of this.expiry.getRange({ start: [0, ''], end: [now, '\uffff'] })) {
        const [expiresAt, id] = key;
        if (expiresAt > now) break;
        this.expiry.removeSync(key);
        if (this.rows.get(id)?.expiresAt === expiresAt) {
          this.rows.removeSync(id);
          removed += 1;
        }
      }
      return removed;
    });
  }

  /** How many records are kept (expired ones included until pruned). */
  get size(): number {
    return this.rows.getCount();
  }

  async ping(): Promise<boolean> {
    try {
      this.rows.get('\u0000ping');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.root.close();
  }

  /** Within a transaction: replaces the row and its expiry index entry. */
  private write(id: string, row: Row, previous: Row | undefined): void {
    if (previous) this.expiry.removeSync([previous.expiresAt, id]);
    this.rows.putSync(id, row);
    this.expiry.putSync([row.expiresAt, id], 1);
  }
}

/** The embedded durable store: `new LmdbIdempotencyStore(join(dataDir, 'idempotency'))`. */
export class LmdbIdempotencyStore extends DurableIdempotencyStore {
  readonly lmdb: LmdbIdempotencyRecords;

  constructor(directory: string, options: LmdbIdempotencyOptions & { ttlMs?: number } = {}) {
    const records = new LmdbIdempotencyRecords(directory, options);
    super(records, options.ttlMs ?? IDEMPOTENCY_TTL_MS);
    this.lmdb = records;
  }
}
