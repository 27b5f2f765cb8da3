/**
 * The credential scope: the key under which everything shared across requests (cache entries, in-flight
 * calls, rate budgets) is filed. Two tenants with different credentials never share a scope, and the key
 * is a one-way hash so that a secret never appears in a cache key, a Redis key or a log line.
 */
import { createHash } from 'node:crypto';
import type { Provider } from '../errors.js';

export interface ScopeParts {
  provider: Provider;
  baseUrl: string;
  accountId: string;
  /** Every secret the scoped data depends on (one or more tokens). */
  secrets: readonly string[];
}

/** 128 bits of SHA-256 in hex: collision-free in practice and short enough for keys. */
export function credentialScope(parts: ScopeParts): string {
  // JSON keeps the parts unambiguous: no separator character can make two different tuples hash alike.
  const material = JSON.stringify([parts.provider, parts.baseUrl, parts.accountId, ...parts.secrets]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}
