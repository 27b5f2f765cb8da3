/**
 * Which GraphQL request an upstream call was made for. Execution runs inside `runInRequestScope`, so the
 * transport can count each call towards the request that caused it (for `extensions.cost.upstreamCalls`)
 * and the rate budget can give each client key its fair share, without threading the request through
 * every client method. A call shared by two requests (in-flight de-duplication) counts for the one that
 * made it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Claimant } from './rate-budget.js';

export interface RequestScope {
  upstreamCalls: number;
  /** The client key the request runs for (`Context.principal`, never the key itself). */
  principal?: string;
  /** How many client keys are configured: with more than one, each gets a fair share of every budget. */
  clientKeys?: number;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

export function countUpstreamCall(): void {
  const scope = storage.getStore();
  if (scope) scope.upstreamCalls += 1;
}

/** Who the current upstream call is for; undefined outside a request (or when the request has no key). */
export function currentClaimant(): Claimant | undefined {
  const scope = storage.getStore();
  if (scope?.principal === undefined) return undefined;
  return { key: scope.principal, keys: scope.clientKeys ?? 1 };
}
