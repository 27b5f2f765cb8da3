/**
 * The envelop side of subscriptions, shared by every transport because each one runs operations through
 * yoga's `getEnveloped` (yoga's own SSE, graphql-sse, graphql-ws): each subscription takes a slot in the
 * registry (per key, per connection) before it starts and gives it back when its stream ends, and its stream
 * ends when the process stops. Queries and mutations sent to the streaming endpoints are refused: they go
 * to `POST /graphql`, where the HTTP front's rules (body size by scope, CSRF) apply.
 */
import { GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Refusal, Slot, SubscriptionRegistry } from './registry.js';

/** The key under which a transport puts its connection into the initial context (WebSocket: the socket). */
export const CONNECTION_KEY = 'subscriptionConnection';
/** graphql-sse's stream token: names the single-connection stream an operation belongs to. */
export const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';

const REFUSALS: Record<Refusal, string> = {
  key: 'This API key already holds as many live subscriptions as it may (MAILGRAPH_SUBSCRIPTIONS_PER_KEY); end one first.',
  connection:
    'This connection already carries as many subscriptions as it may (MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION); end one or open another connection.',
  stopping: 'The server is shutting down; subscribe again in a moment.',
};

interface TransportContext {
  [CONNECTION_KEY]?: unknown;
  request?: Request;
}

/** The connection an operation arrived on: the WebSocket, the graphql-sse stream, or the request itself. */
function connectionOf(context: TransportContext): unknown {
  if (context[CONNECTION_KEY] !== undefined) return context[CONNECTION_KEY];
  const request = context.request;
  if (!request) return context;
  const token =
    request.headers.get(STREAM_TOKEN_HEADER) ?? new URL(request.url).searchParams.get('token') ?? null;
  return token ? `graphql-sse:${token}` : request;
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The stream as the transport sees it: it gives the slot back however it ends, and ends when the process
 * stops. `return()` does not wait for the source to finish (a generator busy awaiting its next event would
 * hold it until that event arrives); the source is told to return and left to do so.
 */
export function tracked<T>(source: AsyncIterable<T>, slot: Slot): AsyncGenerator<T, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    slot.release();
    void Promise.resolve(iterator.return?.())?.catch(() => {});
  };
  // One pending resolver rather than Promise.race([next, stopped]): each race would hang a reaction on the
  // long-lived `stopped` promise, keeping every delivered result alive until the stream ends (a leak the
  // event benchmark measured: 118 → 262 MB retained in 30 s).
  let stopPending: ((value: IteratorResult<T, undefined>) => void) | null = null;
  void slot.stopped.then(() => {
    finish();
    stopPending?.(DONE);
  });
  const generator: AsyncGenerator<T, undefined> = {
    async next() {
      if (finished) return DONE;
      const result = await new Promise<IteratorResult<T, undefined>>((resolve, reject) => {
        stopPending = resolve;
        iterator.next().then(resolve, reject);
      });
      stopPending = null;
      if (result.done) {
        finish();
        return DONE;
      }
      return result;
    },
    async return() {
      finish();
      return DONE;
    },
    async throw(error: unknown) {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return generator;
    },
  };
  return generator;
}

export function useSubscriptionLimits(registry: SubscriptionRegistry, streamEndpoint: string): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const request = (args.contextValue as TransportContext).request;
      if (!request || new URL(request.url).pathname !== streamEndpoint) return;
      const operation = getOperationAST(args.document, args.operationName)?.operation ?? 'query';
      setResultAndStopExecution({
        data: null,
        errors: [
          new GraphQLError(
            `${streamEndpoint} carries subscriptions only: send a ${operation} to POST /graphql.`,
            { extensions: { code: 'BAD_REQUEST' } },
          ),
        ],
      });
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn, setResultAndStopExecution }) {
      const context = args.contextValue as unknown as Context & TransportContext;
      const slot = registry.acquire(context.principal, connectionOf(context));
      if (typeof slot === 'string') {
        setResultAndStopExecution({
          data: null,
          errors: [new GraphQLError(REFUSALS[slot], { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })],
        });
        return;
      }
      setSubscribeFn(async (subscribeArgs) => {
        let result: Awaited<ReturnType<typeof subscribeFn>>;
        try {
          result = await subscribeFn(subscribeArgs);
        } catch (error) {
          slot.release();
          throw error;
        }
        if (!isAsyncIterable(result)) {
          slot.release();
          // graphql-js answers a subscription that cannot start without `data`; graphql-sse's handler
          // takes only an object with `data` for a result (and fails on anything else), so it gets one.
          return 'data' in result ? result : { data: null, ...result };
        }
        return tracked(result, slot);
      });
    },
  };
}
