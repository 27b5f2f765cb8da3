/**
 * Every live subscription and streaming connection of this process, whatever its transport (yoga's SSE on
 * `/graphql`, graphql-sse on `/graphql/stream`, graphql-ws on the WebSocket): how many each API key and each
 * connection holds, against `MAILGRAPH_SUBSCRIPTIONS_PER_KEY` and `…_PER_CONNECTION`, and the one switch that
 * ends them all at shutdown (src/shutdown.ts, `onStop`).
 *
 * A subscription holds a slot from the moment it is accepted until its stream ends, however it ends: the
 * client leaves, the transport completes it, or `stop()`. A connection (a WebSocket, a graphql-sse stream)
 * holds a place in its key's count too, so that a key cannot pile up idle connections either.
 *
 * It also counts the live subscriptions per transport, for `/metrics` (`mailgraph_live_subscriptions`).
 */
import type { SubscriptionsConfig } from '../config.js';

/** yoga's SSE on `/graphql`, graphql-sse on `/graphql/stream` (both of its modes), graphql-ws. */
export type Transport = 'sse' | 'graphql-sse' | 'ws';
export const TRANSPORTS: readonly Transport[] = ['sse', 'graphql-sse', 'ws'];

/**
 * The transport of a connection as src/subscriptions/plugin.ts names it (`connectionOf`): a graphql-sse
 * stream token (`graphql-sse:<token>`), the request itself (yoga's SSE on `/graphql`, or graphql-sse's
 * distinct-connections mode on any other path), or the WebSocket.
 */
export function transportOf(connection: unknown): Transport {
  if (typeof connection === 'string') return connection.startsWith('graphql-sse:') ? 'graphql-sse' : 'sse';
  // A fetch Request (yoga's may be a ponyfill's, so no `instanceof`); a WebSocket has no `headers.get`.
  const request = connection as { url?: unknown; headers?: { get?: unknown } } | null;
  if (typeof request?.url === 'string' && typeof request.headers?.get === 'function') {
    return new URL(request.url).pathname === '/graphql' ? 'sse' : 'graphql-sse';
  }
  return 'ws';
}

/** A subscription's place in the counts. */
export interface Slot {
  /** Gives the place back; later calls do nothing. */
  release(): void;
  /** Resolves when the process stops: the subscription must end (its transport then says `complete`). */
  readonly stopped: Promise<void>;
}

export type Refusal = 'key' | 'connection' | 'stopping';

/** Runs when the process stops, before the subscriptions are ended: closes a transport's connections. */
type Closer = () => Promise<void> | void;

export class SubscriptionRegistry {
  private readonly byKey = new Map<string, number>();
  private readonly byConnection = new Map<unknown, number>();
  private readonly connectionsByKey = new Map<string, number>();
  private readonly live = new Set<() => void>();
  private readonly byTransport: Record<Transport, number> = { sse: 0, 'graphql-sse': 0, ws: 0 };
  private readonly closers = new Set<Closer>();
  private stopping = false;
  private stopSignal: () => void = () => {};
  private readonly stoppedPromise = new Promise<void>((resolve) => {
    this.stopSignal = resolve;
  });

  constructor(readonly limits: SubscriptionsConfig) {}

  /** Whether `stop()` has run: no new subscription or connection is accepted. */
  get closing(): boolean {
    return this.stopping;
  }

  /** Live subscriptions, in all. */
  get size(): number {
    return this.live.size;
  }

  /** Live subscriptions per transport (a copy). */
  liveByTransport(): Record<Transport, number> {
    return { ...this.byTransport };
  }

  /** Live subscriptions on one connection. */
  liveOn(connection: unknown): number {
    return this.byConnection.get(connection) ?? 0;
  }

  /** Takes a place for a subscription of `principal` on `connection`, or says which limit refuses it. */
  acquire(principal: string, connection: unknown): Slot | Refusal {
    if (this.stopping) return 'stopping';
    const ofKey = this.byKey.get(principal) ?? 0;
    if (ofKey >= this.limits.perKey) return 'key';
    const ofConnection = this.byConnection.get(connection) ?? 0;
    if (ofConnection >= this.limits.perConnection) return 'connection';
    this.byKey.set(principal, ofKey + 1);
    this.byConnection.set(connection, ofConnection + 1);
    const transport = transportOf(connection);
    this.byTransport[transport] += 1;
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const end = () => stop();
    this.live.add(end);
    let released = false;
    return {
      stopped,
      release: () => {
        if (released) return;
        released = true;
        this.live.delete(end);
        this.byTransport[transport] -= 1;
        decrement(this.byKey, principal);
        decrement(this.byConnection, connection);
      },
    };
  }

  /**
   * Counts a streaming connection of `principal` (a WebSocket, a graphql-sse stream) against its key's limit;
   * returns the function that gives the place back, or null when the key holds as many as it may.
   */
  openConnection(principal: string): (() => void) | null {
    if (this.stopping) return null;
    const held = this.connectionsByKey.get(principal) ?? 0;
    if (held >= this.limits.perKey) return null;
    this.connectionsByKey.set(principal, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.connectionsByKey, principal);
    };
  }

  /** Registers what closes a transport's connections at shutdown; returns the unregister function. */
  onStop(closer: Closer): () => void {
    this.closers.add(closer);
    return () => this.closers.delete(closer);
  }

  /** Resolves once `stop()` has been called. */
  whenStopping(): Promise<void> {
    return this.stoppedPromise;
  }

  /**
   * Ends every live subscription: the closers run first (so that they can see what each connection still
   * carries), then every subscription's stream ends; resolves once the closers are done.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal();
    const closing = [...this.closers].map(async (closer) => closer());
    for (const end of [...this.live]) end();
    await Promise.all(closing);
  }
}

function decrement<K>(counts: Map<K, number>, key: K): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}
