/**
 * Idempotency keys for sends. `run` does the work at most once per caller and key while the key is kept:
 *
 * - **Bound.** When the work resolves, the key is bound to that value, whatever it says: every later run
 *   with the same input answers it again (`replayed: true`) without running the work, and runs that
 *   arrive while it is under way share its end. A send resolves both when the provider accepted it and
 *   when its outcome is unknown (`send-email-providers.ts` turns that doubt into a value), so an attempt
 *   that ended in doubt is never made twice.
 * - **Released.** When the work rejects, the key is forgotten and the rejection passes through, so the
 *   client may retry. Work rejects only when it certainly had no effect (a send refused before the call,
 *   or by a definite 4xx).
 * - The same key with another input is refused.
 *
 * The interface is async and storage-agnostic: a store keeps a fingerprint of the input and the bound
 * value, which is plain JSON, for `ttlMs` (24 hours at least), so that a durable store shared by several
 * instances can implement it (issue 9). Such a store may find a key held by an attempt whose end it cannot
 * learn (still running in another instance, or one that died before recording it); it must then reject
 * with `IdempotencyKeyInDoubtError`, never run the work a second time.
 *
 * `MemoryIdempotencyStore` lives in one process; keys are scoped per caller (`principal`).
 */
import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';

export interface Idempotent<T> {
  result: T;
  /** True when this is an earlier attempt's value, returned again without running the work. */
  replayed: boolean;
}

export interface IdempotencyStore {
  /**
   * Runs `work` unless `key` is already bound for `principal`: see the rules above. `result` must be a
   * JSON value. Rejects with a ValidationError when the key was used with another input, and with
   * `IdempotencyKeyInDoubtError` when an earlier attempt holds the key but its end cannot be learnt.
   */
  run<T>(principal: string, key: string, input: unknown, work: () => Promise<T>): Promise<Idempotent<T>>;
}

/** An earlier attempt holds the key, and whether it had any effect cannot be learnt. */
export class IdempotencyKeyInDoubtError extends Error {
  constructor() {
    super('An earlier attempt with this idempotencyKey has not recorded how it ended');
    this.name = 'IdempotencyKeyInDoubtError';
  }
}

/** Printable ASCII without spaces, 1 to 255 characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** 24 hours: how long a key stays bound, at least. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export function fingerprintOf(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

function keyUsedWithOtherInput(): ValidationError {
  const message = 'This idempotencyKey was already used with a different input.';
  return new ValidationError(message, [{ path: 'input.idempotencyKey', message }]);
}

interface Entry {
  fingerprint: string;
  /** The attempt under way, then its value; an attempt that rejects removes its entry. */
  value: Promise<unknown>;
  expiresAt: number;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /**
   * At most `maxEntries` keys are kept: past that, the oldest go first. A retry comes minutes after its
   * attempt, not after 100,000 later sends, and a bounded map cannot be grown without limit by a client
   * inventing keys.
   */
  constructor(
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async run<T>(
    principal: string,
    key: string,
    input: unknown,
    work: () => Promise<T>,
  ): Promise<Idempotent<T>> {
    const id = `${principal}\u0000${key}`;
    const fingerprint = fingerprintOf(input);
    const existing = this.entries.get(id);
    if (existing && existing.expiresAt > this.now()) {
      if (existing.fingerprint !== fingerprint) throw keyUsedWithOtherInput();
      return { result: (await existing.value) as T, replayed: true };
    }
    this.evict();
    const value = work();
    const entry: Entry = { fingerprint, value, expiresAt: this.now() + this.ttlMs };
    // Deleted first so that the key moves to the end: the map stays in expiry order.
    this.entries.delete(id);
    this.entries.set(id, entry);
    value.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    return { result: await value, replayed: false };
  }

  private evict(): void {
    const now = this.now();
    // Entries are in insertion order, which is expiry order: stop at the first one still kept.
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now || this.entries.size >= this.maxEntries) this.entries.delete(id);
      else break;
    }
  }
}
