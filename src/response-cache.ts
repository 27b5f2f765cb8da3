import { createHash } from 'node:crypto';
/**
 * The GraphQL response cache: a whole answer kept per client key, document, operation and variables, so
 * that the same query asked again is answered before it is even parsed (yoga's `onParams`), without
 * executing a field. It sits on top of the entity cache (src/upstream/core.ts) and never outlives it:
 *
 * - **Per client key.** The session is the caller's principal (src/context.ts), so one key's answer is
 *   never served to another, whatever their scopes.
 * - **No older than the entity cache would give.** Execution records what the answer was built from
 *   (src/upstream/request-scope.ts): each entity-cache entry and until when it is fresh, and each event-log
 *   topic read. The answer is kept only until its freshest-lasting input expires, and not at all when one
 *   was stale (rate budget spent: `extensions.stale`), when it has errors, or when it reads `rateLimits`.
 * - **Invalidated by entity.** A write that drops entity-cache entries (src/upstream/core.ts `invalidate`)
 *   drops every answer built from them; an event appended to the log (webhook, queue, any instance) drops
 *   every answer that read its topics; a mutation's result drops every answer holding the same typed ids
 *   (the plugin's own entity tracking). An invalidation that lands while an answer is being built keeps
 *   that answer out of the cache.
 * - **One instance.** With REDIS_URL the entity cache is shared but an invalidation on another instance is
 *   not seen here, so the response cache is off there (createApp); see docs/performance.md.
 *
 * The lookup, key and entity tracking are `@graphql-yoga/plugin-response-cache`; this module is its
 * `Cache` (storage, dependencies, invalidation) and its TTL decision.
 */
import {
  type Cache,
  type ResponseCachePluginExtensions,
  useResponseCache,
} from '@graphql-yoga/plugin-response-cache';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.js';
import { ALL_TOPIC, type EventLog, type ReadOptions } from './events/log.js';
import { isPathPrefix } from './upstream/cache.js';
import type { UpstreamObserver } from './upstream/observer.js';
import {
  type RequestReads,
  recordEntityRead,
  recordTopicRead,
  requestScopeOf,
} from './upstream/request-scope.js';

export type ResponseCacheOutcome = 'hit' | 'miss' | 'skip';

export interface GraphQLResponseCacheOptions {
  /** The entity cache's TTL: no answer is kept longer. */
  ttlSeconds: number;
  /** How many answers are kept (least recently used dropped first). */
  maxEntries?: number;
  /** Who the caller is, from the Authorization header (the principal; never the key itself). */
  principalOf: (authorization: string | null) => string | null;
  now?: () => number;
  onLookup?: (outcome: ResponseCacheOutcome) => void;
}

type Result = ExecutionResult<Record<string, unknown>, ResponseCachePluginExtensions>;

interface Entry {
  /** What a hit answers: the stored result with `extensions.cost.upstreamCalls` at 0 (a hit makes none). */
  answer: Result;
  expiresAt: number;
  /** `scope\nkey` of each entity-cache entry it was built from. */
  entries: string[];
  topics: string[];
  /** `Type:id` (and bare `Type` for empty lists) as the plugin collected them. */
  entities: string[];
}

/** What an answer was built from, handed from the TTL decision to `set` (called right after it). */
interface Pending {
  reads: RequestReads | undefined;
  generation: number;
}

interface Invalidation {
  generation: number;
  touches: (entry: Pick<Entry, 'entries' | 'topics' | 'entities'>) => boolean;
}

export const DEFAULT_RESPONSE_CACHE_ENTRIES = 500;
/** Invalidations remembered for answers in the making; an answer older than all of them is not kept. */
const RECENT_INVALIDATIONS = 1000;

/** Root fields whose answer changes without any write or event (the budget's state): never cached. */
const UNCACHEABLE_COORDINATES = { 'Query.rateLimits': 0 };

export class GraphQLResponseCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly byEntity = new Map<string, Set<string>>();
  private readonly byTopic = new Map<string, Set<string>>();
  /** scope → key → answers built from that entity-cache entry. */
  private readonly byScope = new Map<string, Map<string, Set<string>>>();
  private readonly recent: Invalidation[] = [];
  private generation = 0;
  /** The oldest generation `recent` still answers for. */
  private horizon = 0;
  private pending: Pending | null = null;
  private readonly started = new WeakMap<object, number>();
  /** The caller of each request, found once: the plugin asks for it up to four times per request. */
  private readonly principals = new WeakMap<Request, string | null>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Queries so far: answered from here (`hit`), executed and kept (`miss`), executed and not kept (`skip`). */
  readonly stats: Record<ResponseCacheOutcome, number> = { hit: 0, miss: 0, skip: 0 };

  constructor(private readonly options: GraphQLResponseCacheOptions) {
    this.maxEntries = options.maxEntries ?? DEFAULT_RESPONSE_CACHE_ENTRIES;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The plugins to add to yoga, after the cost check (whose request scope records the reads). */
  plugins(): Plugin[] {
    const ttl = this.options.ttlSeconds * 1000;
    return [
      {
        // The invalidations an answer must not miss are those after its execution starts.
        onExecute: ({ args }) => {
          this.started.set(args.contextValue as object, this.generation);
        },
      },
      useResponseCache<Context>({
        cache: this,
        ttl,
        session: (request) => this.principalOf(request),
        // A caller without a valid key gets its 401 from execution; nothing is looked up or kept for it.
        enabled: (request) => this.principalOf(request) !== null,
        // node:crypto's hash, synchronous: the plugin's default (WebCrypto, a promise per request) cost a
        // tenth of the CPU of a hit (docs/performance.md).
        buildResponseCacheKey: ({ documentString, variableValues, operationName, sessionId }) =>
          Promise.resolve(
            // Called before yoga checks the parameters: a query that is not text is keyed as JSON (and refused).
            responseKey(
              sessionId ?? '',
              typeof documentString === 'string' ? documentString : stableJson(documentString),
              variableValues ?? null,
              operationName ?? null,
            ),
          ),
        ttlPerSchemaCoordinate: UNCACHEABLE_COORDINATES,
        includeExtensionMetadata: false,
        // Kept only with a TTL decided (onTtl runs first). The yoga plugin then adds ETag/Last-Modified to
        // `extensions.http`; `set` takes them out again (see there).
        shouldCacheResult: ({ result }) => !result.errors?.length && this.pending !== null,
        onTtl: ({ ttl: planned, context }) => this.decideTtl(planned, context as unknown as Context),
      }),
    ];
  }

  /** The key the plugin files an answer under, for the HTTP front's fast path (src/fast-path.ts). */
  keyOf(
    params: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
    principal: string,
  ): string {
    return responseKey(principal, params.query, params.variables ?? null, params.operationName ?? null);
  }

  /** The JSON body of a kept answer, serialised once (a hit, counted as the plugin's are). */
  lookup(key: string): string | undefined {
    const answer = this.get(key) as (Result & { stringify?: () => string }) | undefined;
    return answer?.stringify?.();
  }

  /** The entity-cache side: reads are recorded by the request scope, invalidations arrive here. */
  upstreamObserver(): UpstreamObserver {
    return {
      read: recordEntityRead,
      invalidated: (scope, prefixes) => this.invalidateEntries(scope, prefixes),
    };
  }

  /** The event log, recording each topic a request reads; events appended by any instance invalidate. */
  watch(log: EventLog): { log: EventLog; stop: () => void } {
    const stop = log.subscribe((event) => this.invalidateTopics([...event.topics, ALL_TOPIC]));
    const recording = new Proxy(log, {
      get(target, property, receiver) {
        if (property === 'read') {
          return (options: ReadOptions) => {
            recordTopicRead(options.topic ?? ALL_TOPIC);
            return target.read(options);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { log: recording, stop };
  }

  private principalOf(request: Request): string | null {
    let principal = this.principals.get(request);
    if (principal === undefined) {
      principal = this.options.principalOf(request.headers.get('authorization'));
      this.principals.set(request, principal);
    }
    return principal;
  }

  private decideTtl(planned: number, context: Context): number {
    const scope = requestScopeOf(context);
    const skip = () => {
      this.count('skip');
      this.pending = null;
      return 0;
    };
    if (planned <= 0 || context.upstream?.stale) return skip();
    const reads = scope?.reads;
    const remaining = (reads?.freshUntil ?? Number.POSITIVE_INFINITY) - this.now();
    const ttl = Math.floor(Math.min(planned, remaining));
    if (ttl <= 0) return skip();
    this.pending = { reads, generation: this.started.get(context) ?? this.generation };
    return ttl;
  }

  get(id: string): Result | undefined {
    const entry = this.entries.get(id);
    if (entry !== undefined && entry.expiresAt > this.now()) {
      // Most recently used last.
      this.entries.delete(id);
      this.entries.set(id, entry);
      this.count('hit');
      return entry.answer;
    }
    // Counted once the answer is executed (`miss` when kept, `skip` when not): the plugin looks up twice.
    if (entry !== undefined) this.drop(id);
    return undefined;
  }

  set(
    id: string,
    result: Result,
    collected: Iterable<{ typename: string; id?: number | string }>,
    ttl: number,
  ): void {
    // The plugin calls `set` synchronously right after the TTL decision for the same execution.
    const pending = this.pending;
    this.pending = null;
    // The yoga plugin has just put ETag and Last-Modified into this answer's `extensions.http`, for yoga
    // to send as headers and for conditional requests (304) on its key. Answers stay as they were without
    // the cache: no such headers, and no 304 that would tell one client of another's kept answer.
    const extensions = result.extensions as Record<string, unknown> | undefined;
    if (extensions?.http !== undefined) {
      // Undefined, not deleted: JSON leaves it out, and yoga sends no header for it.
      extensions.http = undefined;
      if (Object.values(extensions).every((value) => value === undefined)) result.extensions = undefined;
    }
    if (pending === null) return;
    const entry: Entry = {
      answer: cachedAnswer(result),
      expiresAt: this.now() + ttl,
      entries: [...(pending.reads?.entries ?? [])],
      topics: [...(pending.reads?.topics ?? [])],
      entities: [...collected].map(entityKey),
    };
    if (
      pending.generation < this.horizon ||
      this.recent.some((change) => change.generation > pending.generation && change.touches(entry))
    ) {
      this.count('skip');
      return;
    }
    this.count('miss');
    this.drop(id);
    this.entries.set(id, entry);
    for (const entity of entry.entities) index(this.byEntity, entity, id);
    for (const topic of entry.topics) index(this.byTopic, topic, id);
    for (const dependency of entry.entries) {
      const [scope = '', key = ''] = splitDependency(dependency);
      const keys = this.byScope.get(scope) ?? new Map<string, Set<string>>();
      this.byScope.set(scope, keys);
      index(keys, key, id);
    }
    while (this.entries.size > this.maxEntries) {
      const eldest = this.entries.keys().next();
      if (eldest.done) break;
      this.drop(eldest.value);
    }
  }

  /** The plugin's entity invalidation (a mutation's result), and anyone's by type or `Type:id`. */
  invalidate(entities: Iterable<{ typename: string; id?: number | string }>): void {
    const keys = new Set([...entities].map(entityKey));
    this.remember((entry) => entry.entities.some((entity) => keys.has(entity)));
    for (const key of keys) this.dropAll(this.byEntity.get(key));
  }

  invalidateEntries(scope: string, prefixes: readonly string[]): void {
    this.remember((entry) =>
      entry.entries.some((dependency) => {
        const [entryScope, key = ''] = splitDependency(dependency);
        return entryScope === scope && prefixes.some((prefix) => isPathPrefix(key, prefix));
      }),
    );
    const keys = this.byScope.get(scope);
    if (!keys) return;
    for (const [key, ids] of keys) {
      if (prefixes.some((prefix) => isPathPrefix(key, prefix))) this.dropAll(ids);
    }
  }

  invalidateTopics(topics: readonly string[]): void {
    const touched = new Set(topics);
    this.remember((entry) => entry.topics.some((topic) => touched.has(topic)));
    for (const topic of touched) this.dropAll(this.byTopic.get(topic));
  }

  clear(): void {
    this.remember(() => true);
    this.dropAll(new Set(this.entries.keys()));
  }

  private count(outcome: ResponseCacheOutcome): void {
    this.stats[outcome] += 1;
    this.options.onLookup?.(outcome);
  }

  private remember(touches: Invalidation['touches']): void {
    this.generation += 1;
    this.recent.push({ generation: this.generation, touches });
    if (this.recent.length > RECENT_INVALIDATIONS) {
      const forgotten = this.recent.shift();
      if (forgotten) this.horizon = forgotten.generation;
    }
  }

  private dropAll(ids: Set<string> | undefined): void {
    if (!ids) return;
    for (const id of [...ids]) this.drop(id);
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    for (const entity of entry.entities) unindex(this.byEntity, entity, id);
    for (const topic of entry.topics) unindex(this.byTopic, topic, id);
    for (const dependency of entry.entries) {
      const [scope = '', key = ''] = splitDependency(dependency);
      const keys = this.byScope.get(scope);
      if (!keys) continue;
      unindex(keys, key, id);
      if (keys.size === 0) this.byScope.delete(scope);
    }
  }
}

/** One key per client key, document, operation and variables (variables in any key order). */
function responseKey(
  session: string,
  document: string,
  variables: Record<string, unknown> | null,
  operationName: string | null,
): string {
  return createHash('sha256')
    .update(`${session}\0${stableJson(operationName ?? '')}\0${stableJson(variables ?? {})}\0`)
    .update(document)
    .digest('base64url');
}

/** JSON with object keys sorted, so that the same variables in another order are the same key. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`)
    .join(',')}}`;
}

function entityKey(entity: { typename: string; id?: number | string }): string {
  return entity.id === undefined || entity.id === null ? entity.typename : `${entity.typename}:${entity.id}`;
}

function splitDependency(dependency: string): [string, string] {
  const at = dependency.indexOf('\n');
  return [dependency.slice(0, at), dependency.slice(at + 1)];
}

function index(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key) ?? new Set<string>();
  map.set(key, ids);
  ids.add(id);
}

function unindex(map: Map<string, Set<string>>, key: string, id: string): void {
  const ids = map.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(key);
}

/**
 * What a hit answers. It made no upstream call, so its `extensions.cost` says so, as an executed answer
 * from the entity cache would. It is serialised once: yoga uses a result's own `stringify` when it has one,
 * and the same answer is otherwise turned into the same JSON on every hit (a quarter of a heavy hit's CPU).
 * JSON.stringify leaves the function itself out.
 */
function cachedAnswer(result: Result): Result {
  const cost = result.extensions?.cost;
  const answer: Result & { stringify?: () => string } =
    cost === null || typeof cost !== 'object'
      ? { ...result }
      : { ...result, extensions: { ...result.extensions, cost: { ...cost, upstreamCalls: 0 } } };
  let body: string | undefined;
  answer.stringify = () => {
    body ??= JSON.stringify(answer);
    return body;
  };
  return answer;
}
