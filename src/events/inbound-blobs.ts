/**
 * Where the large parts of inbound mail live: attachment contents and long bodies, kept apart from the
 * event itself so that the log stays small (an event is copied to every subscriber, every instance and
 * every `inboundEmails` page), while small parts ride inside the event (src/events/inbound.ts decides).
 *
 * Like the event log, one interface with two implementations and one test suite
 * (test/events/inbound-blobs.test.ts): an embedded LMDB database under MAILGRAPH_DATA_DIR/blobs, or Redis
 * when REDIS_URL is set, so that every instance reads what any instance stored. Contents are addressed by
 * their SHA-256: storing the same bytes twice (a redelivered mail, one file in two mails) keeps one copy and
 * renews its retention. Blobs are stored, durably, before the event that names them, so an acknowledged
 * event never points at a missing blob; a blob whose event never made it is dropped with retention.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { type Database, type RootDatabase, open } from 'lmdb';
import type { Config } from '../config.js';
import { newRedis } from '../upstream/redis-client.js';

export interface BlobStore {
  /** Stores each content under its key (`blobKey`); resolves once they would survive a crash. */
  put(contents: Buffer[]): Promise<string[]>;
  /** The content, or null when it is unknown or was pruned. */
  get(key: string): Promise<Buffer | null>;
  /** Whether the store is usable (for /ready). */
  ping(): Promise<boolean>;
  /** Drops contents not stored again within the retention window; returns how many. */
  prune(): Promise<number>;
  close(): Promise<void>;
}

export interface BlobStoreOptions {
  /** How long a content is kept after it was last stored (ms). */
  retentionMs: number;
  now?: () => number;
}

/** A blob outlives the event that names it by this much (the blob is stored a moment before the event). */
export const BLOB_RETENTION_MARGIN_MS = 60 * 60 * 1000;

const KEY = /^[A-Za-z0-9_-]{43}$/;

/** The key of a content: its SHA-256, base64url. */
export function blobKey(content: Buffer): string {
  return createHash('sha256').update(content).digest('base64url');
}

export function isBlobKey(key: string): boolean {
  return KEY.test(key);
}

/** LMDB under `directory`: one write transaction per `put`, flushed before it resolves. */
export class LmdbBlobStore implements BlobStore {
  private readonly root: RootDatabase;
  private readonly blobs: Database<Buffer, string>;
  private readonly stored: Database<number, string>;
  private readonly now: () => number;

  constructor(
    directory: string,
    private readonly options: BlobStoreOptions,
  ) {
    mkdirSync(directory, { recursive: true });
    this.now = options.now ?? Date.now;
    this.root = open({ path: directory, compression: false });
    this.blobs = this.root.openDB<Buffer, string>({ name: 'blobs', encoding: 'binary' });
    this.stored = this.root.openDB<number, string>({ name: 'stored' });
  }

  async put(contents: Buffer[]): Promise<string[]> {
    const keys = contents.map(blobKey);
    if (contents.length === 0) return keys;
    const at = this.now();
    await this.root.transaction(() => {
      contents.forEach((content, i) => {
        const key = keys[i] as string;
        if (this.blobs.get(key) === undefined) this.blobs.putSync(key, content);
        this.stored.putSync(key, at);
      });
    });
    await this.root.flushed;
    return keys;
  }

  async get(key: string): Promise<Buffer | null> {
    if (!isBlobKey(key)) return null;
    const content = this.blobs.get(key);
    return content === undefined ? null : Buffer.from(content);
  }

  async ping(): Promise<boolean> {
    try {
      this.stored.get('ping');
      return true;
    } catch {
      return false;
    }
  }

  async prune(): Promise<number> {
    const cutoff = this.now() - this.options.retentionMs - BLOB_RETENTION_MARGIN_MS;
    return this.root.transaction(() => {
      let removed = 0;
      for (const { key, value } of this.stored.getRange({})) {
        if (value >= cutoff) continue;
        this.blobs.removeSync(key);
        this.stored.removeSync(key);
        removed += 1;
      }
      return removed;
    });
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

export interface RedisBlobStoreOptions extends BlobStoreOptions {
  url: string;
  /** Key prefix, shared with the event log's (`mailgraph:` by default). */
  prefix?: string;
}

/** Redis: one key per content, expiring with retention (renewed when stored again). */
export class RedisBlobStore implements BlobStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(private readonly options: RedisBlobStoreOptions) {
    this.prefix = `${options.prefix ?? 'mailgraph:'}blob:`;
    this.redis = newRedis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  }

  async put(contents: Buffer[]): Promise<string[]> {
    const keys = contents.map(blobKey);
    if (contents.length === 0) return keys;
    const ttl = String(this.options.retentionMs + BLOB_RETENTION_MARGIN_MS);
    const pipeline = this.redis.pipeline();
    contents.forEach((content, i) => {
      pipeline.set(`${this.prefix}${keys[i]}`, content, 'PX', ttl);
    });
    for (const [error] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
    }
    return keys;
  }

  async get(key: string): Promise<Buffer | null> {
    if (!isBlobKey(key)) return null;
    return this.redis.getBuffer(`${this.prefix}${key}`);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Redis expires the keys itself. */
  async prune(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

/** The blob store the configuration asks for, beside the event log: Redis when REDIS_URL is set, else LMDB. */
export function createBlobStore(
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'dataDir' | 'events'>,
): BlobStore {
  const { retentionMs } = config.events;
  return config.redisUrl
    ? new RedisBlobStore({ url: config.redisUrl, prefix: config.redisPrefix, retentionMs })
    : new LmdbBlobStore(join(config.dataDir, 'blobs'), { retentionMs });
}
