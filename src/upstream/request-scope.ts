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
  /**
   * What the answer was built from, for the GraphQL response cache (src/response-cache.ts): the entity-cache
   * entries read (`scope\nkey`), the event-log topics read, and until when all of them are fresh (ms).
   */
  reads?: RequestReads;
  /** The client key the request runs for (`Context.principal`, never the key itself). */
  principal?: string;
  /** How many client keys are configured: with more than one, each gets a fair share of every budget. */
  clientKeys?: number;
}

export interface RequestReads {
  entries: Set<string>;
  topics: Set<string>;
  freshUntil: number;
}

const storage = new AsyncLocalStorage<RequestScope>();
const byContext = new WeakMap<object, RequestScope>();

/** The scope a GraphQL execution runs in, found again from its context once execution is over. */
export function bindRequestScope(context: object, scope: RequestScope): void {
  byContext.set(context, scope);
}

export function requestScopeOf(context: object): RequestScope | undefined {
  return byContext.get(context);
}

/** Notes that the current request's answer depends on an entity-cache entry, fresh until `freshUntil`. */
export function recordEntityRead(scope: string, key: string, freshUntil: number): void {
  const reads = readsOf(storage.getStore());
  if (!reads) return;
  reads.entries.add(`${scope}\n${key}`);
  if (freshUntil < reads.freshUntil) reads.freshUntil = freshUntil;
}

/** Notes that the current request's answer depends on what the event log holds under `topic`. */
export function recordTopicRead(topic: string): void {
  readsOf(storage.getStore())?.topics.add(topic);
}

function readsOf(scope: RequestScope | undefined): RequestReads | undefined {
  if (!scope) return undefined;
  scope.reads ??= { entries: new Set(), topics: new Set(), freshUntil: Number.POSITIVE_INFINITY };
  return scope.reads;
}

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
