/**
 * Subscriptions through the real client libraries against the running stack: graphql-sse's client in both
 * of its modes (single connection and distinct connections on `/graphql/stream`, distinct connections on
 * yoga's own `/graphql`) and graphql-ws's client over `ws`. The events come in through the CloudMailin
 * webhook, as in production. Counts are asserted, never timings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LmdbEventLog } from '../src/events/lmdb-log.js';
import type { EventLog, StoredEvent } from '../src/events/log.js';
import { type Stack, startStack } from './helpers/stack.js';
import {
  MESSAGE_EVENTS,
  TRANSPORTS,
  type Transport,
  codeOf,
  connect,
  eventOf,
  postEvents,
} from './helpers/subscription-clients.js';

const READER = 'reader-key-0123456789';
const SENDER = 'sender-key-0123456789';
const KEYS = { MAILGRAPH_API_KEYS: `${READER}:read,${SENDER}:send` };

/** An event log that counts its live listeners (each `follow` holds one). */
function countingLog(log: EventLog): EventLog & { listeners(): number } {
  let listeners = 0;
  return Object.assign(Object.create(log) as EventLog, {
    append: log.append.bind(log),
    read: log.read.bind(log),
    compare: log.compare.bind(log),
    ping: log.ping.bind(log),
    prune: log.prune.bind(log),
    close: log.close.bind(log),
    subscribe(listener: (event: StoredEvent) => void) {
      listeners += 1;
      const unsubscribe = log.subscribe(listener);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        listeners -= 1;
        unsubscribe();
      };
    },
    listeners: () => listeners,
  });
}

let stack: Stack;
let log: ReturnType<typeof countingLog>;
let logDir: string;
beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'mailgraph-subscriptions-'));
  log = countingLog(new LmdbEventLog(logDir, { retentionMs: 24 * 3_600_000 }));
  stack = await startStack({ events: log, env: KEYS });
});
afterAll(async () => {
  await stack.close();
  await log.close();
  rmSync(logDir, { recursive: true, force: true });
});

let counter = 0;
const unique = (prefix: string) => {
  counter += 1;
  return `${prefix}-${counter}`;
};

describe.each(TRANSPORTS)('messageEvents over %s', (transport: Transport) => {
  it('delivers what reaches the CloudMailin webhook, filtered by message and kind', async () => {
    const messageId = unique(transport);
    const client = connect(stack.url, transport, { key: READER });
    try {
      expect(
        await postEvents(stack.url, [
          { kind: 'registration', recipient: 'a@example.net', message_id: messageId },
          { kind: 'delivery', recipient: 'a@example.net', message_id: unique('other') },
          { kind: 'delivery', recipient: 'a@example.net', message_id: messageId },
        ]),
      ).toBe(200);
      const subscription = client.subscribe(MESSAGE_EVENTS, { messageId, kinds: ['DELIVERY', 'BOUNCE'] });
      const first = await subscription.take(1);
      expect(eventOf(first[0])).toMatchObject({ messageId, recipient: 'a@example.net', kind: 'DELIVERY' });
      // Live, after the replay.
      await postEvents(stack.url, [
        { kind: 'open', recipient: 'a@example.net', message_id: messageId },
        { kind: 'bounce', recipient: 'b@example.net', message_id: messageId },
      ]);
      const live = await subscription.take(1);
      expect(eventOf(live[0])).toMatchObject({ recipient: 'b@example.net', kind: 'BOUNCE' });
      await subscription.end();
    } finally {
      await client.dispose();
    }
  });

  it('refuses an unknown key, and a key without `read` gets FORBIDDEN', async () => {
    const closes: Array<string | number> = [];
    const unknown = connect(stack.url, transport, {
      key: 'unknown-key-0123456789',
      onEvent: (event) => closes.push(event),
    });
    const refused = await unknown.subscribe(MESSAGE_EVENTS, { messageId: 'any' }).take(1);
    expect(refused).toHaveLength(1);
    if (transport === 'ws') {
      expect(refused[0]?.thrown).toMatchObject({ code: 4401 });
      expect(closes).toEqual([4401]);
    } else {
      expect((refused[0]?.thrown as { response?: Response }).response?.status).toBe(401);
    }
    await unknown.dispose();

    const sender = connect(stack.url, transport, { key: SENDER });
    const forbidden = await sender.subscribe(MESSAGE_EVENTS, { messageId: 'any' }).take(2);
    expect(forbidden).toHaveLength(1);
    expect(codeOf(forbidden[0])).toBe('FORBIDDEN');
    await sender.dispose();
  });

  it('answers an expired cursor with CURSOR_EXPIRED and a malformed one with VALIDATION_FAILED', async () => {
    const client = connect(stack.url, transport, { key: READER });
    try {
      const malformed = await client.subscribe(MESSAGE_EVENTS, { after: 'not-a-cursor' }).take(2);
      expect(malformed).toHaveLength(1);
      expect(codeOf(malformed[0])).toBe('VALIDATION_FAILED');
    } finally {
      await client.dispose();
    }
  });
});

describe('the cursor contract', () => {
  it('resumes with exactly the missed events while events keep arriving, across every transport', async () => {
    const messageId = unique('resume');
    const batches = 24;
    let posted = 0;
    // Events keep arriving, three per POST, whatever the subscriber is doing.
    const poster = (async () => {
      for (let batch = 0; batch < batches; batch += 1) {
        const events = [0, 1, 2].map((i) => ({
          kind: 'delivery',
          recipient: `r${batch}-${i}@example.net`,
          message_id: messageId,
        }));
        expect(await postEvents(stack.url, events)).toBe(200);
        posted += events.length;
      }
    })();
    const received: string[] = [];
    const cursors: string[] = [];
    let after: string | null = null;
    // Each leg reads some events, then disconnects; a batch is posted while nobody listens.
    for (const transport of TRANSPORTS) {
      const client = connect(stack.url, transport, { key: READER });
      const subscription = client.subscribe(MESSAGE_EVENTS, { messageId, ...(after ? { after } : {}) });
      const leg = await subscription.take(10);
      for (const outcome of leg) {
        const event = eventOf(outcome);
        received.push(event.recipient);
        cursors.push(event.cursor);
      }
      after = cursors.at(-1) ?? after;
      await subscription.end();
      await client.dispose();
      const missed = unique('missed');
      expect(
        await postEvents(stack.url, [
          { kind: 'delivery', recipient: `${missed}@example.net`, message_id: messageId },
        ]),
      ).toBe(200);
      posted += 1;
    }
    await poster;
    // The last leg reads whatever is left: exactly what the log holds after the last cursor.
    const client = connect(stack.url, 'ws', { key: READER });
    const stored = await stack.events.read({ topic: `message:${messageId}`, limit: 1000 });
    expect(stored).toHaveLength(posted);
    const rest = await client.subscribe(MESSAGE_EVENTS, { messageId, after }).take(posted - received.length);
    for (const outcome of rest) received.push(eventOf(outcome).recipient);
    await client.dispose();

    expect(received).toHaveLength(posted);
    expect(new Set(received).size).toBe(posted);
    expect(received).toEqual(stored.map((event) => (event.payload as { recipient: string }).recipient));
    expect(new Set(cursors).size).toBe(cursors.length);
  });

  it('gives CURSOR_EXPIRED for a cursor older than retention, on SSE and WebSocket', async () => {
    let now = 1_000_000;
    const dir = mkdtempSync(join(tmpdir(), 'mailgraph-retention-'));
    const events = new LmdbEventLog(dir, { retentionMs: 60_000, now: () => now });
    const short = await startStack({ events, env: KEYS });
    try {
      await postEvents(short.url, [
        { kind: 'registration', recipient: 'old@example.net', message_id: 'kept' },
        { kind: 'dispatch', recipient: 'old@example.net', message_id: 'kept' },
      ]);
      const client = connect(short.url, 'ws', { key: READER });
      const [first] = await client.subscribe(MESSAGE_EVENTS, { messageId: 'kept' }).take(1);
      const old = eventOf(first).cursor;
      await client.dispose();
      now += 120_000;
      await postEvents(short.url, [{ kind: 'delivery', recipient: 'new@example.net', message_id: 'kept' }]);
      expect(await events.prune()).toBe(2);
      for (const transport of TRANSPORTS) {
        const resumed = connect(short.url, transport, { key: READER });
        const outcome = await resumed.subscribe(MESSAGE_EVENTS, { messageId: 'kept', after: old }).take(2);
        expect(outcome, transport).toHaveLength(1);
        expect(codeOf(outcome[0]), transport).toBe('CURSOR_EXPIRED');
        await resumed.dispose();
      }
      // Without `after` the client resyncs from what is retained.
      const fresh = connect(short.url, 'sse-single', { key: READER });
      const [kept] = await fresh.subscribe(MESSAGE_EVENTS, { messageId: 'kept' }).take(1);
      expect(eventOf(kept).recipient).toBe('new@example.net');
      await fresh.dispose();
    } finally {
      await short.close();
      await events.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets go of the event log when a client leaves a subscription that is waiting for its next event', async () => {
    const before = log.listeners();
    const clients = TRANSPORTS.map((transport) => connect(stack.url, transport, { key: READER }));
    const messageId = unique('quiet');
    await postEvents(stack.url, [
      { kind: 'registration', recipient: 'q@example.net', message_id: messageId },
    ]);
    const subscriptions = clients.map((client) => client.subscribe(MESSAGE_EVENTS, { messageId }));
    for (const subscription of subscriptions) expect(await subscription.take(1)).toHaveLength(1);
    expect(log.listeners()).toBe(before + TRANSPORTS.length);
    // Each now waits for an event that never comes; the clients leave.
    for (const subscription of subscriptions) await subscription.end();
    for (const client of clients) await client.dispose();
    await expect.poll(() => log.listeners(), { timeout: 5_000 }).toBe(before);
  });
});

describe('limits', () => {
  let limited: Stack;
  beforeAll(async () => {
    limited = await startStack({
      env: { ...KEYS, MAILGRAPH_SUBSCRIPTIONS_PER_KEY: '4', MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION: '2' },
    });
    await postEvents(limited.url, [{ kind: 'delivery', recipient: 'l@example.net', message_id: 'limited' }]);
  });
  afterAll(() => limited.close());

  /** Subscribes and reads one outcome: the replayed event when accepted, the refusal otherwise. */
  const attempt = async (client: ReturnType<typeof connect>) => {
    const subscription = client.subscribe(MESSAGE_EVENTS, { messageId: 'limited' });
    const [outcome] = await subscription.take(1);
    return { subscription, outcome };
  };

  it('holds each connection and each key to its number of live subscriptions, and frees a place when one ends', async () => {
    const ws = connect(limited.url, 'ws', { key: READER });
    const single = connect(limited.url, 'sse-single', { key: READER });
    const distinct = connect(limited.url, 'sse-distinct', { key: READER });
    try {
      const a = await attempt(ws);
      const b = await attempt(ws);
      expect(eventOf(a.outcome).messageId).toBe('limited');
      expect(eventOf(b.outcome).messageId).toBe('limited');
      // The third on one WebSocket: the connection's limit.
      const c = await attempt(ws);
      expect(codeOf(c.outcome)).toBe('TOO_MANY_SUBSCRIPTIONS');
      expect(c.outcome?.errors?.[0]?.message).toMatch(/MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION/);
      // Two more on a single-connection SSE stream: four for the key.
      const d = await attempt(single);
      const e = await attempt(single);
      expect(eventOf(e.outcome).messageId).toBe('limited');
      expect(codeOf((await attempt(single)).outcome)).toBe('TOO_MANY_SUBSCRIPTIONS');
      // A fifth anywhere: the key's limit.
      const f = await attempt(distinct);
      expect(codeOf(f.outcome)).toBe('TOO_MANY_SUBSCRIPTIONS');
      expect(f.outcome?.errors?.[0]?.message).toMatch(/MAILGRAPH_SUBSCRIPTIONS_PER_KEY/);
      // The sender key has its own count (and no `read`).
      const other = connect(limited.url, 'sse-distinct', { key: SENDER });
      expect(codeOf((await attempt(other)).outcome)).toBe('FORBIDDEN');
      await other.dispose();
      // One ends: its place is free again.
      await a.subscription.end();
      await expect
        .poll(async () => {
          const retry = await attempt(distinct);
          await retry.subscription.end();
          return retry.outcome?.data ? 'accepted' : codeOf(retry.outcome);
        })
        .toBe('accepted');
      await Promise.all([b, d, e].map((held) => held.subscription.end()));
    } finally {
      await Promise.all([ws.dispose(), single.dispose(), distinct.dispose()]);
    }
  });
});

describe('the WebSocket', () => {
  it('takes the key from the upgrade request too, and runs subscriptions only', async () => {
    const client = connect(stack.url, 'ws', { key: READER, keyInUpgradeHeader: true });
    try {
      const messageId = unique('header');
      await postEvents(stack.url, [{ kind: 'delivery', recipient: 'h@example.net', message_id: messageId }]);
      const [event] = await client.subscribe(MESSAGE_EVENTS, { messageId }).take(1);
      expect(eventOf(event).recipient).toBe('h@example.net');
      const [query] = await client.subscribe('{ __typename }').take(1);
      expect(query?.thrown).toEqual([expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })]);
    } finally {
      await client.dispose();
    }
  });

  it('refuses an upgrade from a page on another origin, and accepts listed and same-origin pages', async () => {
    const listed = await startStack({ env: { ...KEYS, MAILGRAPH_CORS_ORIGINS: 'https://app.example.com' } });
    const upgrade = (origin: string | undefined, path = '/graphql') =>
      new Promise<number | string>((resolve) => {
        const socket = new WebSocket(`${listed.url.replace('http', 'ws')}${path}`, 'graphql-transport-ws', {
          headers: origin ? { origin } : {},
        });
        socket.on('open', () => {
          socket.close();
          resolve('open');
        });
        socket.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          socket.terminate();
        });
        socket.on('error', () => {});
      });
    try {
      expect(await upgrade('https://evil.example')).toBe(403);
      expect(await upgrade('null')).toBe(403);
      expect(await upgrade('https://app.example.com')).toBe('open');
      expect(await upgrade(listed.url)).toBe('open');
      expect(await upgrade(undefined)).toBe('open');
      expect(await upgrade(undefined, '/graphql/stream')).toBe(404);
    } finally {
      await listed.close();
    }
  });
});

describe('graphql-sse streams', () => {
  it('binds a stream token to the key that reserved it, and carries subscriptions only', async () => {
    const put = await fetch(`${stack.url}/graphql/stream`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${READER}` },
    });
    expect(put.status).toBe(201);
    const token = await put.text();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const stolen = await fetch(`${stack.url}/graphql/stream`, {
      headers: {
        authorization: `Bearer ${SENDER}`,
        accept: 'text/event-stream',
        'x-graphql-event-stream-token': token,
      },
    });
    expect(stolen.status).toBe(404);
    await stolen.arrayBuffer();
    const query = await fetch(`${stack.url}/graphql/stream`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${READER}`,
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await query.text()).toContain('"code":"BAD_REQUEST"');
    // A GET that runs an operation needs the CSRF header, as on /graphql.
    const simple = await fetch(
      `${stack.url}/graphql/stream?query=${encodeURIComponent('subscription { messageEvents { cursor } }')}`,
      { headers: { authorization: `Bearer ${READER}`, accept: 'text/event-stream' } },
    );
    expect(simple.status).toBe(403);
    await simple.arrayBuffer();
    // Nested variables are bounded as on /graphql, before they are parsed.
    const nested = await fetch(`${stack.url}/graphql/stream`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${READER}`,
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: `{"query":"subscription { messageEvents { cursor } }","variables":{"x":${'['.repeat(40)}${']'.repeat(40)}}}`,
    });
    expect(nested.status).toBe(400);
    expect(await nested.text()).toContain('BAD_REQUEST');
  });
});
