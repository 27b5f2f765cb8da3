/**
 * The page's GraphQL client: urql with Graphcache (normalized cache), queries and mutations over
 * `POST /graphql`, subscriptions over graphql-sse on `/graphql/stream` in its single-connection mode (one
 * stream for every live view, so the browser's six connections per host stay free for queries). SSE and not
 * WebSocket because a browser's WebSocket cannot send `Authorization`: the key goes in the same header on
 * every request and on the stream.
 *
 * Every answer from the server passes `watchResult`, which tells the page what it must say plainly:
 * stale answers (`extensions.stale`), spent budgets (`RATE_LIMITED`, `RateLimitedError`), and a key the
 * server refuses (`UNAUTHENTICATED`).
 */
import {
  Client,
  type OperationResult,
  fetchExchange,
  getOperationName,
  mapExchange,
  subscriptionExchange,
} from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { createClient as createStreamClient } from 'graphql-sse';
import { cacheOptions } from './cache.js';
import type { EmailProvider } from './gql/graphql.js';
import { createStore } from './store.js';

export interface Notice {
  /** One notice per kind and operation: a newer answer replaces it. */
  id: string;
  kind: 'stale' | 'rate-limited';
  /** What the page was asking for, in words. */
  subject: string;
  provider: EmailProvider | null;
  retryAfterSeconds: number | null;
  /** How many parts of the answer it concerns (a list whose items each failed says so once). */
  count: number;
  message: string;
  /** When the answer came (ms since the epoch). */
  at: number;
}

/** What the page must currently say about stale and rate-limited answers. */
export const notices = createStore<readonly Notice[]>([]);
/** Bumped after every answer other than the budget's own, so the budget strip refreshes. */
export const answers = createStore(0);
/** The subscription stream's connection (graphql-sse), as the live indicators show it. */
export const stream = createStore<'idle' | 'connecting' | 'connected' | 'reconnecting'>('idle');
/** The server's message when it refused the key (or asked for one); null while the key is accepted. */
export const refusal = createStore<{ message: string } | null>(null);

const SUBJECTS: Record<string, string> = {
  OutboundMessages: 'Outbound messages',
  MessageEvents: 'Live delivery events',
  SendEmail: 'Sending',
  InboundAddresses: 'Inbound addresses',
  InboundEmails: 'Inbound mail',
  InboundEmailReceived: 'Live inbound mail',
  SimulateInboundEmail: 'Simulated inbound mail',
  RateLimits: 'Upstream budgets',
};

interface ErrorShape {
  message?: string;
  extensions?: Record<string, unknown>;
}

function rateLimitedNotice(subject: string, source: ErrorShape & Record<string, unknown>): Notice {
  const extensions = source.extensions ?? source;
  const provider = (extensions.provider ?? null) as EmailProvider | null;
  const retry = extensions.retryAfterSeconds;
  return {
    id: `rate-limited:${subject}:${provider ?? ''}`,
    kind: 'rate-limited',
    subject,
    provider,
    retryAfterSeconds: typeof retry === 'number' ? retry : null,
    count: 1,
    message: source.message ?? 'The upstream budget is spent.',
    at: Date.now(),
  };
}

/** One notice per id: the count of the parts it concerns, and the longest wait among them. */
function merged(found: readonly Notice[]): Notice[] {
  const byId = new Map<string, Notice>();
  for (const notice of found) {
    const known = byId.get(notice.id);
    byId.set(
      notice.id,
      known
        ? {
            ...known,
            count: known.count + 1,
            retryAfterSeconds: Math.max(known.retryAfterSeconds ?? 0, notice.retryAfterSeconds ?? 0),
          }
        : notice,
    );
  }
  return [...byId.values()];
}

/** Reads one answer for what the page must say about it. */
export function watchResult(result: OperationResult): void {
  const name = getOperationName(result.operation.query) ?? 'Operation';
  const subject = SUBJECTS[name] ?? name;
  const errors = (result.error?.graphQLErrors ?? []) as ErrorShape[];
  if (
    errors.some((error) => error.extensions?.code === 'UNAUTHENTICATED') ||
    result.error?.response?.status === 401
  ) {
    const message = errors.find((error) => error.extensions?.code === 'UNAUTHENTICATED')?.message;
    refusal.set({ message: message ?? 'The server asks for an API key.' });
    return;
  }
  if (name === 'RateLimits' && !result.error) refusal.set(null);

  const found: Notice[] = [];
  if (result.extensions?.stale === true) {
    found.push({
      id: `stale:${subject}`,
      kind: 'stale',
      subject,
      provider: null,
      retryAfterSeconds: null,
      count: 1,
      message: 'Served from the cache after it expired: the upstream budget was spent.',
      at: Date.now(),
    });
  }
  for (const error of errors) {
    if (error.extensions?.code === 'RATE_LIMITED')
      found.push(rateLimitedNotice(subject, error as ErrorShape & Record<string, unknown>));
  }
  // A mutation answers a spent budget as a RateLimitedError member of its result union.
  for (const value of Object.values((result.data ?? {}) as Record<string, unknown>)) {
    if (
      value &&
      typeof value === 'object' &&
      (value as { __typename?: string }).__typename === 'RateLimitedError'
    ) {
      found.push(rateLimitedNotice(subject, value as ErrorShape & Record<string, unknown>));
    }
  }
  // A query's or mutation's answer replaces what was said about it before; a live event only adds.
  const live = result.operation.kind === 'subscription';
  const said = merged(found);
  if (!live || said.length > 0) {
    notices.set((current) => {
      const kept = current.filter(
        (notice) => notice.subject !== subject || (live && !said.some((next) => next.id === notice.id)),
      );
      return kept.length === current.length && said.length === 0 ? current : [...kept, ...said];
    });
  }
  if (name !== 'RateLimits' && !live) answers.set((count) => count + 1);
}

export interface Connection {
  client: Client;
  dispose(): void;
}

/** A client for one API key (null: none, as in sandbox mode). A new key gets a new client and an empty cache. */
export function connect(key: string | null): Connection {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const streamClient = createStreamClient({
    url: new URL('/graphql/stream', location.href).href,
    singleConnection: true,
    headers: () => headers,
    on: {
      connecting: (reconnecting) => stream.set(reconnecting ? 'reconnecting' : 'connecting'),
      connected: () => stream.set('connected'),
    },
  });
  const client = new Client({
    url: '/graphql',
    // GET would need the CSRF header; POST with a JSON body needs nothing more.
    preferGetMethod: false,
    fetchOptions: () => ({ headers }),
    exchanges: [
      cacheExchange(cacheOptions),
      mapExchange({ onResult: watchResult }),
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: streamClient.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
      fetchExchange,
    ],
  });
  return { client, dispose: () => streamClient.dispose() };
}
