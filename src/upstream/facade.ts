/**
 * The request-scoped face of the provider clients, the one resolvers and loaders use: reads return plain
 * data, and an answer served from an expired cache entry (the rate budget was spent) is noted on the
 * request itself, which `extensions.stale` then reports. No call site has to remember to unwrap.
 */
import { Fetched } from './core.js';

/** A client whose reads answer their data instead of a `Fetched` wrapper. */
export type Plain<C> = {
  [K in keyof C]: C[K] extends (...args: infer A) => Promise<Fetched<infer R>>
    ? (...args: A) => Promise<R>
    : C[K];
};

export interface Staleness {
  /** Set when any answer of this request came from an expired cache entry. */
  stale: boolean;
}

export function plain<C extends object>(client: C, staleness: Staleness): Plain<C> {
  return new Proxy(client, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then((answer: unknown) => {
          if (!(answer instanceof Fetched)) return answer;
          if (answer.stale) staleness.stale = true;
          return answer.data;
        });
      };
    },
  }) as unknown as Plain<C>;
}
