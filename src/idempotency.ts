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
 * Keys are scoped per caller (`principal`). Three stores keep these rules (test/helpers/idempotency-contract.ts
 * holds each to them):
 * - `MemoryIdempotencyStore`, in one process (tests, and apps built without a store);
 * - `DurableIdempotencyStore` over `IdempotencyRecords`: LMDB under MAILGRAPH_DATA_DIR (idempotency-lmdb.ts,
 *   the default: a key outlives a restart and a `kill -9`) or Redis (idempotency-redis.ts, with REDIS_URL:
 *   a key used on one instance replays on every other).
 */
import { createHash, randomUUID } from 'node:crypto';
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

/** A key as a durable store holds it: claimed by an attempt under way (`pending`), or bound (`done`). */
export interface IdempotencyRecord {
  state: 'pending' | 'done';
  fingerprint: string;
  /** The bound value (JSON), when `done`. */
  value?: unknown;
}

/**
 * The atomic steps a durable store provides. Each resolves only once what it wrote would survive a crash
 * of this process, so a claim is on disk (or in Redis) before the work, a send, starts.
 */
export interface IdempotencyRecords {
  /** The live record of `id`, or, when there is none, claims it for `owner` (pending) and answers null. */
  claim(id: string, fingerprint: string, owner: string, ttlMs: number): Promise<IdempotencyRecord | null>;
  /** Binds `id` to `value` for `ttlMs` from now, if `owner` still holds it. */
  complete(id: string, owner: string, value: unknown, ttlMs: number): Promise<void>;
  /** Forgets `id`, if `owner` still holds it. */
  release(id: string, owner: string): Promise<void>;
  /** Whether the store is usable (for /ready). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

type Outcome = { ran: true; value: unknown } | { ran: false; record: IdempotencyRecord };

/**
 * The rules above over a durable record store:
 * - Attempts in this process with the same key share one run (a map of the attempts under way), exactly as
 *   in memory.
 * - Otherwise the key is claimed in the store before the work runs. A key found `done` is replayed; a key
 *   found `pending` is held by an attempt this process does not run: another instance still at work, or a
 *   process that died before it recorded the end. Whether that attempt sent anything cannot be learnt, so
 *   the run is refused with `IdempotencyKeyInDoubtError` (answered as SEND_OUTCOME_UNKNOWN) and the work
 *   never runs a second time. The pending claim stays until its TTL (24 h) unless its owner ends it.
 * - When the work resolves, the key is bound to its value; when it rejects, the claim is released. If the
 *   store fails to record either, the claim stays pending: later attempts are in doubt, never a resend.
 */
export class DurableIdempotencyStore implements IdempotencyStore {
  private readonly underway = new Map<string, { fingerprint: string; outcome: Promise<Outcome> }>();

  constructor(
    private readonly records: IdempotencyRecords,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  async run<T>(
    principal: string,
    key: string,
    input: unknown,
    work: () => Promise<T>,
  ): Promise<Idempotent<T>> {
    const id = `${principal}\u0000${key}`;
    const fingerprint = fingerprintOf(input);
    const current = this.underway.get(id);
    if (current !== undefined) {
      if (current.fingerprint !== fingerprint) throw keyUsedWithOtherInput();
      return this.answer<T>(await current.outcome, fingerprint, true);
    }
    // Registered before the first await, so that a concurrent attempt in this process joins this one.
    const outcome = this.attempt(id, fingerprint, work);
    const entry = { fingerprint, outcome };
    this.underway.set(id, entry);
    const forget = () => {
      if (this.underway.get(id) === entry) this.underway.delete(id);
    };
    outcome.then(forget, forget);
    return this.answer<T>(await outcome, fingerprint, false);
  }

  ping(): Promise<boolean> {
    return this.records.ping();
  }

  close(): Promise<void> {
    return this.records.close();
  }

  private async attempt(id: string, fingerprint: string, work: () => Promise<unknown>): Promise<Outcome> {
    const owner = randomUUID();
    const record = await this.records.claim(id, fingerprint, owner, this.ttlMs);
    if (record !== null) return { ran: false, record };
    let value: unknown;
    try {
      value = await work();
    } catch (error) {
      await this.records.release(id, owner).catch(() => undefined);
      throw error;
    }
    // Not recorded: the claim stays pending, and later attempts are in doubt rather than sent again.
    await this.records.complete(id, owner, value, this.ttlMs).catch(() => undefined);
    return { ran: true, value };
  }

  private answer<T>(outcome: Outcome, fingerprint: string, joined: boolean): Idempotent<T> {
    if (outcome.ran) return { result: outcome.value as T, replayed: joined };
    const { record } = outcome;
    if (record.fingerprint !== fingerprint) throw keyUsedWithOtherInput();
    if (record.state === 'pending') throw new IdempotencyKeyInDoubtError();
    return { result: record.value as T, replayed: true };
  }
}
