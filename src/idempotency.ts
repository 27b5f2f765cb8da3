/**
 * Idempotency keys for sends: the same key with the same input returns the first answer without a
 * second upstream call (also while the first is still in flight); the same key with a different input is
 * refused. A failed attempt frees the key so the client can retry. Keys are scoped per caller.
 *
 * This store lives in memory for one process; the Redis store (shared by instances) comes with the
 * REDIS_URL work. The interface is async so it can slot in unchanged.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';

export interface Idempotent<T> {
  result: T;
  /** True when this answer is the first attempt's, returned again without calling the provider. */
  replayed: boolean;
}

export interface IdempotencyStore {
  run<T>(principal: string, key: string, input: unknown, work: () => Promise<T>): Promise<Idempotent<T>>;
}

interface Entry {
  fingerprint: string;
  result: Promise<unknown>;
  expiresAt: number;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function fingerprintOf(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 24 * 60 * 60 * 1000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async run<T>(
    principal: string,
    key: string,
    input: unknown,
    work: () => Promise<T>,
  ): Promise<Idempotent<T>> {
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
      const message = 'idempotencyKey must be 1-255 printable ASCII characters without spaces.';
      throw new ValidationError(message, [{ path: 'input.idempotencyKey', message }]);
    }
    const id = `${principal}\u0000${key}`;
    const fingerprint = fingerprintOf(input);
    const existing = this.entries.get(id);
    if (existing && existing.expiresAt > this.now()) {
      if (existing.fingerprint !== fingerprint) {
        const message = 'This idempotencyKey was already used with a different input.';
        throw new ValidationError(message, [{ path: 'input.idempotencyKey', message }]);
      }
      return { result: (await existing.result) as T, replayed: true };
    }
    this.evict();
    const result = work();
    const entry: Entry = { fingerprint, result, expiresAt: this.now() + this.ttlMs };
    this.entries.set(id, entry);
    result.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    return { result: await result, replayed: false };
  }

  private evict(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now || this.entries.size >= this.maxEntries) this.entries.delete(id);
      else break;
    }
  }
}
