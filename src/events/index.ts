/** The event log the configuration asks for: Redis Streams when REDIS_URL is set, else LMDB in the data dir. */
import { join } from 'node:path';
import type { Config } from '../config.js';
import { LmdbEventLog } from './lmdb-log.js';
import type { EventLog } from './log.js';
import { RedisEventLog } from './redis-log.js';

export function createEventLog(
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'dataDir' | 'events'>,
): EventLog {
  const { retentionMs } = config.events;
  return config.redisUrl
    ? new RedisEventLog({ url: config.redisUrl, prefix: config.redisPrefix, retentionMs })
    : new LmdbEventLog(join(config.dataDir, 'events'), { retentionMs });
}
