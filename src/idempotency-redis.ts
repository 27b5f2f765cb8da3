/**
 * Idempotency keys in Redis (REDIS_URL), shared by every instance: a key used on one instance replays on
 * the others without a second send, and a key claimed by an attempt still running on another instance (or
 * by one that died) is in doubt there, never sent twice (see idempotency.ts).
 *
 * One hash per key, `{prefix}idempotency:{sha256(principal, key)}`, with `state`, `fingerprint`, `owner` and
 * the bound `value` (JSON); Redis expires it after 24 h (`PEXPIRE`, set again when the key is bound).
 * Claim, bind and release are each one script, so two instances never both claim a key. An append is
 * acknowledged once Redis has it: run Redis with AOF (`appendonly yes`, `appendfsync everysec` or
 * `always`) so that a Redis restart does not forget a key, and with `maxmemory-policy noeviction`, since
 * these keys carry a TTL and a `volatile-*` policy would evict them early.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  DurableIdempotencyStore,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyRecord,
  type IdempotencyRecords,
} from './idempotency.js';
import { type RedisStoreOptions, type Script, defineScript, pingRedis } from './upstream/redis-client.js';

/** The record, or (none found) the claim: {} when claimed, {state, fingerprint, value} when found. */
const CLAIM = `
local found = redis.call('HMGET', KEYS[1], 'state', 'fingerprint', 'value')
if found[1] then return found end
redis.call('HSET', KEYS[1], 'state', 'pending', 'fingerprint', ARGV[1], 'owner', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {}
`;

const COMPLETE = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done', 'value', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`;

export class RedisIdempotencyRecords implements IdempotencyRecords {
  private readonly client: Redis;
  private readonly claimScript: Script;
  private readonly completeScript: Script;
  private readonly releaseScript: Script;

  /** `ownsClient`: close the connection with the store (it was made for it). */
  constructor(private readonly options: RedisStoreOptions & { ownsClient?: boolean }) {
    this.client = options.client;
    this.claimScript = defineScript(this.client, 'mailgraphIdempotencyClaim', 1, CLAIM);
    this.completeScript = defineScript(this.client, 'mailgraphIdempotencyComplete', 1, COMPLETE);
    this.releaseScript = defineScript(this.client, 'mailgraphIdempotencyRelease', 1, RELEASE);
  }

  async claim(
    id: string,
    fingerprint: string,
    owner: string,
    ttlMs: number,
  ): Promise<IdempotencyRecord | null> {
    const reply = (await this.claimScript(this.key(id), fingerprint, owner, ttlMs)) as Array<string | null>;
    if (reply.length === 0) return null;
    const [state, found, value] = reply;
    return {
      state: state === 'done' ? 'done' : 'pending',
      fingerprint: found ?? '',
      ...(state === 'done' && value != null ? { value: JSON.parse(value) as unknown } : {}),
    };
  }

  async complete(id: string, owner: string, value: unknown, ttlMs: number): Promise<void> {
    await this.completeScript(this.key(id), owner, JSON.stringify(value ?? null), ttlMs);
  }

  async release(id: string, owner: string): Promise<void> {
    await this.releaseScript(this.key(id), owner);
  }

  ping(): Promise<boolean> {
    return pingRedis(this.client);
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) await this.client.quit().catch(() => undefined);
  }

  private key(id: string): string {
    return `${this.options.prefix}idempotency:${createHash('sha256').update(id).digest('hex')}`;
  }
}

export class RedisIdempotencyStore extends DurableIdempotencyStore {
  constructor(options: RedisStoreOptions & { ownsClient?: boolean; ttlMs?: number }) {
    super(new RedisIdempotencyRecords(options), options.ttlMs ?? IDEMPOTENCY_TTL_MS);
  }
}
