/**
 * Which GraphQL request an upstream call was made for. Execution runs inside `runInRequestScope`, so the
 * transport can count each call towards the request that caused it (for `extensions.cost.upstreamCalls`)
 * without threading the request through every client method. A call shared by two requests (in-flight
 * de-duplication) counts for the one that made it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  upstreamCalls: number;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

export function countUpstreamCall(): void {
  const scope = storage.getStore();
  if (scope) scope.upstreamCalls += 1;
}
