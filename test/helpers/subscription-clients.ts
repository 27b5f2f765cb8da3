import { type Client as SseClient, createClient as createSseClient } from 'graphql-sse';
import { type Client as WsClient, createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
/**
 * The real subscription clients against a running mailgraph: graphql-sse's `createClient` (single
 * connection on `/graphql/stream`, distinct connections there or on yoga's own `/graphql`) and
 * graphql-ws's `createClient` with `ws` as the WebSocket. Each `subscribe` yields what the client yields;
 * a thrown error (a refused connection, an `error` message) is yielded as `{ thrown }`.
 */
import { SANDBOX_WEBHOOK } from '../../src/demo-accounts.js';

export type Transport = 'sse-single' | 'sse-distinct' | 'sse-yoga' | 'ws';
export const TRANSPORTS: readonly Transport[] = ['sse-single', 'sse-distinct', 'sse-yoga', 'ws'];

export interface Outcome {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  thrown?: unknown;
}

export interface Subscription {
  /** The next `count` outcomes (fewer when the stream ends or fails first). */
  take(count: number): Promise<Outcome[]>;
  /** Ends the subscription from the client's side, as a client that goes away does. */
  end(): Promise<void>;
}

export interface SubscriptionClient {
  subscribe(query: string, variables?: Record<string, unknown>): Subscription;
  dispose(): Promise<void>;
}

export interface ClientOptions {
  key?: string;
  /** WebSocket only: send the key in the upgrade's Authorization header instead of connectionParams. */
  keyInUpgradeHeader?: boolean;
  /** WebSocket only: the Origin header of the upgrade. */
  origin?: string;
  /** Called with each WebSocket close (code) or each SSE message's event name. */
  onEvent?: (event: string | number) => void;
}

export function connect(
  baseUrl: string,
  transport: Transport,
  options: ClientOptions = {},
): SubscriptionClient {
  const authorization = options.key ? `Bearer ${options.key}` : undefined;
  let client: SseClient | WsClient;
  if (transport === 'ws') {
    const headers: Record<string, string> = {};
    if (options.keyInUpgradeHeader && authorization) headers.authorization = authorization;
    if (options.origin) headers.origin = options.origin;
    class HeaderWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    }
    client = createWsClient({
      url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: HeaderWebSocket,
      retryAttempts: 0,
      lazy: true,
      ...(authorization && !options.keyInUpgradeHeader ? { connectionParams: { authorization } } : {}),
      on: { closed: (event) => options.onEvent?.((event as { code: number }).code) },
    });
  } else {
    client = createSseClient({
      url: `${baseUrl}${transport === 'sse-yoga' ? '/graphql' : '/graphql/stream'}`,
      singleConnection: transport === 'sse-single',
      lazy: true,
      retryAttempts: 0,
      headers: authorization ? { authorization } : {},
      on: { message: (message) => options.onEvent?.(message.event) },
    } as Parameters<typeof createSseClient>[0]);
  }
  return {
    subscribe(query, variables = {}) {
      const iterator = (client as SseClient).iterate({ query, variables }) as AsyncIterableIterator<Outcome>;
      let ended = false;
      return {
        async take(count) {
          const outcomes: Outcome[] = [];
          while (outcomes.length < count && !ended) {
            try {
              const { value, done } = await iterator.next();
              if (done) {
                ended = true;
                break;
              }
              outcomes.push(value);
            } catch (thrown) {
              ended = true;
              outcomes.push({ thrown });
            }
          }
          return outcomes;
        },
        async end() {
          ended = true;
          await iterator.return?.();
        },
      };
    },
    async dispose() {
      await client.dispose();
    },
  };
}

export const WEBHOOK_AUTH = `Basic ${Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64')}`;

/** Posts CloudMailin delivery events to mailgraph's webhook, as CloudMailin does; resolves its status. */
export async function postEvents(
  baseUrl: string,
  events: Array<{ kind: string; recipient: string; message_id: string }>,
): Promise<number> {
  const response = await fetch(`${baseUrl}/webhooks/cloudmailin/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: WEBHOOK_AUTH },
    body: JSON.stringify({ events }),
  });
  await response.arrayBuffer();
  return response.status;
}

export const MESSAGE_EVENTS = `subscription MessageEvents($messageId: String, $kinds: [MessageEventKind!], $after: String) {
  messageEvents(messageId: $messageId, kinds: $kinds, after: $after) { cursor messageId recipient kind }
}`;

export interface DeliveryEvent {
  cursor: string;
  messageId: string;
  recipient: string;
  kind: string;
}

export function eventOf(outcome: Outcome | undefined): DeliveryEvent {
  const event = (outcome?.data as { messageEvents?: DeliveryEvent } | undefined)?.messageEvents;
  if (!event) throw new Error(`expected an event, got ${JSON.stringify(outcome)}`);
  return event;
}

export function codeOf(outcome: Outcome | undefined): unknown {
  return outcome?.errors?.[0]?.extensions?.code;
}
