/**
 * The one Redis connection the shared stores use (response cache, invalidation epochs, rate budgets,
 * idempotency keys), and how they run their Lua scripts. Each store names its keys under one prefix
 * (`MAILGRAPH_REDIS_PREFIX`, default `mailgraph:`), the event log's prefix too, so that several
 * deployments (or tests) can share one Redis. Every atomic step is one script: Redis runs a script
 * alone, so two instances never interleave inside one.
 */
import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';

/**
 * ioredis, loaded on first use: a deployment without REDIS_URL never loads it (it costs a few MB of memory
 * that an instance on the embedded stores does not need). ioredis is CommonJS, so `require` loads it at once.
 */
export function newRedis(url: string, options: RedisOptions): Redis {
  const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  return new RedisClient(url, options);
}

export interface RedisStoreOptions {
  client: Redis;
  /** Prepended to every key, e.g. `mailgraph:`. */
  prefix: string;
}

/**
 * A connection that fails a command after two reconnection attempts instead of queueing it forever, so a
 * request gets an error (and `/ready` says `down`) while Redis is away.
 */
export function connectRedis(url: string): Redis {
  return newRedis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
}

export type Script = (...args: Array<string | number>) => Promise<unknown>;

/**
 * Registers `lua` on `client` under `name` (ioredis sends EVALSHA and falls back to EVAL once per
 * connection) and returns a function that runs it with `keys` keys first, then the arguments.
 */
export function defineScript(client: Redis, name: string, keys: number, lua: string): Script {
  const commands = client as unknown as Record<string, Script | undefined>;
  if (typeof commands[name] !== 'function') client.defineCommand(name, { numberOfKeys: keys, lua });
  return (...args) => (commands[name] as Script).apply(client, args);
}

/** Whether Redis answers. */
export async function pingRedis(client: Redis): Promise<boolean> {
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}
