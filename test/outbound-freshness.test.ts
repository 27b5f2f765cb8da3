/**
 * Events keep the outbound graph fresh and cheap (issue 9, item 5): a stored delivery event changes what
 * `lastEvent`, `OutboundRecipient.events` and the list answer at once, without waiting for the cache TTL,
 * and a message whose history the event log holds from `registration` on is served without a show call.
 * One hand-moved clock drives the emulator, its webhook playback, and mailgraph's cache.
 */
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import { SANDBOX_CLOUDMAILIN } from '../src/sandbox/accounts.js';
import { OUTBOUND_TIMELINE_MS } from '../src/sandbox/cloudmailin-outbound.js';
import { ManualScheduler } from './helpers/manual-scheduler.js';
import { type Stack, startStack } from './helpers/stack.js';

interface EventShape {
  kind: string;
  rawKind: string;
  timestamp: string | null;
  details: Record<string, unknown> | null;
}
interface RecipientShape {
  email: string;
  lastEvent: string | null;
  events: EventShape[] | null;
}
interface MessageShape {
  id: string;
  messageUuid: string;
  messageIdHeader: string | null;
  subject: string | null;
  from: { formatted: string } | null;
  to: Array<{ formatted: string }>;
  cc: Array<{ formatted: string }>;
  tags: string[];
  testMode: boolean;
  createdAt: string | null;
  recipients: RecipientShape[];
}

const MESSAGE_FIELDS = `
  id messageUuid messageIdHeader subject from { formatted } to { formatted } cc { formatted } tags testMode createdAt
  recipients { email lastEvent events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } } }
`;
const Dashboard = parse(
  `query FreshDashboard { outboundMessages(first: 20) { nodes { ${MESSAGE_FIELDS} } } }`,
);
const Summaries = parse(
  'query FreshSummaries { outboundMessages(first: 20) { nodes { messageUuid recipients { email lastEvent } } } }',
);
const One = parse(`query FreshOne($id: ID!) { outboundMessage(id: $id) { ${MESSAGE_FIELDS} } }`);

type DashboardData = { outboundMessages: { nodes: MessageShape[] } | null };
type OneData = { outboundMessage: MessageShape | null };

const open: Stack[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((stack) => stack.close()));
});

async function freshStack(scheduler: ManualScheduler): Promise<Stack> {
  const stack = await startStack({ now: scheduler.now, sandbox: { scheduler } });
  open.push(stack);
  return stack;
}

/** Moves the one clock, then waits until the webhook POSTs that fell due were answered. */
async function tick(stack: Stack, scheduler: ManualScheduler, ms: number): Promise<void> {
  scheduler.advance(ms);
  await stack.sandbox.webhooks.idle();
}

/** Sends straight to the emulator (`POST /messages` with the SMTP token), as any CloudMailin client would. */
async function sendDirect(stack: Stack, to: string[]): Promise<string> {
  const { smtpUsername, smtpToken } = SANDBOX_CLOUDMAILIN;
  const response = await fetch(`${stack.sandbox.cloudmailinUrl}/${smtpUsername}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${smtpToken}` },
    body: JSON.stringify({
      from: 'Support <support@example.com>',
      to,
      subject: 'Fresh',
      plain: 'hi',
      tags: ['t'],
    }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function postEvents(stack: Stack, events: unknown[]): Promise<number> {
  const auth = Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64');
  const response = await fetch(`${stack.url}/webhooks/cloudmailin/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${auth}` },
    body: JSON.stringify({ events }),
  });
  await response.text();
  return response.status;
}

const showCalls = (stack: Stack, id?: string) =>
  stack.sandbox.calls.filter((call) =>
    id === undefined
      ? /\/outbound_messages\/[^/]+$/.test(call.path)
      : call.path.endsWith(`/outbound_messages/${id}`),
  );

describe('events keep the outbound graph fresh', () => {
  it('a stored event changes lastEvent, the history and the list at once, with no upstream call and no TTL passing', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    const before = await stack.gql<DashboardData, never>(Dashboard);
    expect(before.errors).toBeUndefined();
    const nodes = before.data?.outboundMessages?.nodes ?? [];
    expect(nodes).toHaveLength(20);
    const target = nodes[0] as MessageShape;
    const recipient = target.recipients[0] as RecipientShape;
    expect(recipient.lastEvent).not.toBe('OPEN');

    const openedAt = new Date(scheduler.now()).toISOString();
    expect(
      await postEvents(stack, [
        { kind: 'open', recipient: recipient.email, message_id: target.messageUuid, timestamp: openedAt },
      ]),
    ).toBe(200);
    scheduler.advance(1_000);
    stack.sandbox.resetCalls();

    const after = await stack.gql<DashboardData, never>(Dashboard);
    expect(stack.sandbox.calls).toHaveLength(0);
    const updated = after.data?.outboundMessages?.nodes[0]?.recipients[0];
    expect(updated?.lastEvent).toBe('OPEN');
    expect(updated?.events).toEqual([
      ...(recipient.events ?? []),
      { kind: 'OPEN', rawKind: 'open', timestamp: openedAt, details: null },
    ]);
    // Everything else answers exactly as before.
    const unchanged = structuredClone(after.data);
    const patched = unchanged?.outboundMessages?.nodes[0]?.recipients[0] as RecipientShape;
    patched.lastEvent = recipient.lastEvent;
    patched.events = recipient.events;
    expect(unchanged).toEqual(before.data);

    // The list without histories shows it too, and so does the lookup.
    const summaries = await stack.gql<{ outboundMessages: { nodes: MessageShape[] } }, never>(Summaries);
    expect(summaries.data?.outboundMessages.nodes[0]?.recipients[0]?.lastEvent).toBe('OPEN');
    const one = await stack.gql<OneData, { id: string }>(One, { id: target.messageUuid });
    expect(one.data?.outboundMessage?.recipients[0]?.events?.at(-1)?.kind).toBe('OPEN');
    expect(one.data?.outboundMessage?.recipients[0]?.lastEvent).toBe('OPEN');
    expect(stack.sandbox.calls).toHaveLength(0);
    expect(after.extensions?.stale).toBeUndefined();
  });

  it('serves a message whose history the log holds from registration on without a show call, as the show endpoint would', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    const id = await sendDirect(stack, ['Ok <ok@example.net>', 'who@bounce.example.org']);
    await tick(stack, scheduler, 0);
    await tick(stack, scheduler, OUTBOUND_TIMELINE_MS.dispatch);
    await tick(stack, scheduler, OUTBOUND_TIMELINE_MS.outcome - OUTBOUND_TIMELINE_MS.dispatch);
    expect(stack.sandbox.webhooks.deliveries.map((d) => d.outcome)).toEqual([
      'acknowledged',
      'acknowledged',
      'acknowledged',
    ]);

    // The dashboard: the list, and a show for each demo message, but none for the message the log holds.
    const dashboard = await stack.gql<DashboardData, never>(Dashboard);
    expect(dashboard.errors).toBeUndefined();
    expect(showCalls(stack, id)).toHaveLength(0);
    expect(showCalls(stack)).toHaveLength(19);
    const listed = dashboard.data?.outboundMessages?.nodes.find((node) => node.messageUuid === id);
    expect(listed?.recipients.map((r) => [r.email, r.lastEvent, r.events?.map((e) => e.kind)])).toEqual([
      ['ok@example.net', 'DELIVERY', ['REGISTRATION', 'DISPATCH', 'DELIVERY']],
      ['who@bounce.example.org', 'BOUNCE', ['REGISTRATION', 'DISPATCH', 'BOUNCE']],
    ]);

    // Long past the cache TTL: the lookup still costs nothing, and answers what a show call would.
    scheduler.advance(10 * 60_000);
    stack.sandbox.resetCalls();
    const one = await stack.gql<OneData, { id: string }>(One, { id });
    expect(one.errors).toBeUndefined();
    expect(stack.sandbox.calls).toHaveLength(0);
    expect(one.extensions?.stale).toBeUndefined();
    expect(one.data?.outboundMessage).toEqual(listed);

    // What a show call answers, through a second stack on the same emulator state that has no events.
    const shown = await showThroughEmptyLog(stack, id);
    expect(one.data?.outboundMessage).toEqual(shown);
  });

  it('a delivery event reaches a message the log holds from registration on, long after the list was cached', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    const id = await sendDirect(stack, ['late@example.net']);
    await tick(stack, scheduler, 0);
    await stack.gql<DashboardData, never>(Dashboard);
    stack.sandbox.resetCalls();

    await tick(stack, scheduler, OUTBOUND_TIMELINE_MS.dispatch);
    const dispatched = await stack.gql<DashboardData, never>(Dashboard);
    const node = () => dispatched.data?.outboundMessages?.nodes.find((n) => n.messageUuid === id);
    expect(node()?.recipients[0]?.lastEvent).toBe('DISPATCH');
    expect(node()?.recipients[0]?.events?.map((e) => e.kind)).toEqual(['REGISTRATION', 'DISPATCH']);

    await tick(stack, scheduler, OUTBOUND_TIMELINE_MS.outcome - OUTBOUND_TIMELINE_MS.dispatch);
    const delivered = await stack.gql<DashboardData, never>(Dashboard);
    const after = delivered.data?.outboundMessages?.nodes.find((n) => n.messageUuid === id);
    expect(after?.recipients[0]?.lastEvent).toBe('DELIVERY');
    expect(after?.recipients[0]?.events?.map((e) => e.kind)).toEqual([
      'REGISTRATION',
      'DISPATCH',
      'DELIVERY',
    ]);
    // Within the TTL nothing was asked upstream again.
    expect(stack.sandbox.calls).toHaveLength(0);
  });

  it('plays a send through mailgraph back into its log: each recipient’s events once, each posted once, a redelivery stored no more', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    const sent = await stack.gql<{ sendEmail: { email?: { messageId: string } } }, unknown>(
      parse(`mutation PlaybackSend($input: SendEmailInput!) {
        sendEmail(input: $input) { ... on SendEmailPayload { email { messageId } } }
      }`),
      {
        input: {
          provider: 'CLOUDMAILIN',
          from: { email: 'support@example.com' },
          to: [{ email: 'Reader@Example.net' }, { email: 'x@bounce.example.org' }],
          cc: [{ email: 'defer@example.com' }],
          subject: 'Playback',
          text: 'hi',
        },
      },
    );
    const id = sent.data?.sendEmail.email?.messageId as string;
    expect(id).toBeTruthy();
    await tick(stack, scheduler, 0);
    await tick(stack, scheduler, OUTBOUND_TIMELINE_MS.outcome);
    await tick(stack, scheduler, OUTBOUND_TIMELINE_MS.retriedDelivery);

    const stored = await stack.events.read({ topic: `message:${id}`, limit: 100 });
    const kinds = (recipient: string) =>
      stored
        .map((e) => e.payload as { recipient: string; kind: string })
        .filter((p) => p.recipient === recipient)
        .map((p) => p.kind);
    expect(kinds('reader@example.net')).toEqual(['registration', 'dispatch', 'delivery']);
    expect(kinds('x@bounce.example.org')).toEqual(['registration', 'dispatch', 'bounce']);
    expect(kinds('defer@example.com')).toEqual(['registration', 'dispatch', 'soft_bounce', 'delivery']);
    expect(stored).toHaveLength(10);
    // Four POSTs (one per event time), each answered at its first attempt.
    const deliveries = stack.sandbox.webhooks.deliveries;
    expect(
      deliveries.map((d) => [d.outcome, d.attempts, (d.body.json as { events: unknown[] }).events.length]),
    ).toEqual([
      ['acknowledged', 1, 3],
      ['acknowledged', 1, 3],
      ['acknowledged', 1, 3],
      ['acknowledged', 1, 1],
    ]);

    // A provider's retry of the same POSTs is acknowledged and stores nothing new.
    for (const delivery of deliveries) {
      expect(await postEvents(stack, (delivery.body.json as { events: unknown[] }).events)).toBe(200);
    }
    expect(await stack.events.read({ topic: `message:${id}`, limit: 100 })).toHaveLength(10);

    // What the graph answers from them is what the emulator shows, recipient by recipient.
    stack.sandbox.resetCalls();
    await stack.gql<DashboardData, never>(Dashboard);
    const one = await stack.gql<OneData, { id: string }>(One, { id });
    expect(showCalls(stack, id)).toHaveLength(0);
    const shown = stack.sandbox.cloudmailin.outboundMessage(id);
    expect(
      one.data?.outboundMessage?.recipients.map((r) => [
        r.email,
        r.events?.map((e) => [e.rawKind, e.timestamp]),
      ]),
    ).toEqual(shown?.recipients.map((r) => [r.email, r.events?.map((e) => [e.kind, e.timestamp])]));
  });

  it('still asks for the show of a message whose history the log does not hold from registration on', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    const id = await sendDirect(stack, ['partial@example.net']);
    // mailgraph missed the registration (say it was down): only later events reach the log.
    await tick(stack, scheduler, OUTBOUND_TIMELINE_MS.outcome);
    const stored = await stack.events.read({ topic: `message:${id}`, limit: 10 });
    expect(stored.map((e) => (e.payload as { kind: string }).kind)).toEqual([
      'registration',
      'dispatch',
      'delivery',
    ]);
    const partial = await startStack({ now: scheduler.now, emulator: stack.sandbox });
    open.push(partial);
    await partial.events.append(
      stored.filter((e) => (e.payload as { kind: string }).kind !== 'registration'),
    );

    const one = await partial.gql<OneData, { id: string }>(One, { id });
    expect(one.errors).toBeUndefined();
    expect(showCalls(stack, id)).toHaveLength(1);
    expect(one.data?.outboundMessage?.recipients[0]?.events?.map((e) => e.kind)).toEqual([
      'REGISTRATION',
      'DISPATCH',
      'DELIVERY',
    ]);
  });
});

describe('a message sent through mailgraph, on top of the cached list', () => {
  const Top = parse(`query FreshTop { outboundMessages(first: 1) { nodes { ${MESSAGE_FIELDS} } } }`);
  const Filtered = parse(
    'query FreshFiltered($query: String) { outboundMessages(first: 5, query: $query) { nodes { messageUuid } } }',
  );
  const Walk = parse(`query FreshWalk($first: Int, $after: String) {
    outboundMessages(first: $first, after: $after) {
      edges { cursor node { messageUuid } }
      pageInfo { hasNextPage endCursor }
    }
  }`);
  const SendThrough = parse(`mutation FreshSendThrough($input: SendEmailInput!) {
    sendEmail(input: $input) { __typename ... on SendEmailPayload { email { messageId } } ... on Error { message } }
  }`);
  type TopData = { outboundMessages: { nodes: MessageShape[] } | null };
  type WalkData = {
    outboundMessages: {
      edges: Array<{ cursor: string; node: { messageUuid: string } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    } | null;
  };

  async function sendThrough(stack: Stack, input: Record<string, unknown> = {}): Promise<string> {
    const result = await stack.gql<{ sendEmail: { email?: { messageId: string } } }, unknown>(SendThrough, {
      input: {
        provider: 'CLOUDMAILIN',
        from: { email: 'support@example.com', name: 'Support' },
        to: [{ email: 'Reader@Example.net', name: 'Reader' }],
        cc: [{ email: 'copy@example.org' }, { email: 'reader@example.net' }],
        subject: 'On top',
        tags: ['news'],
        text: 'hi',
        ...input,
      },
    });
    const id = result.data?.sendEmail.email?.messageId;
    if (!id) throw new Error(`send failed: ${JSON.stringify(result)}`);
    return id;
  }

  const listCalls = (stack: Stack) =>
    stack.sandbox.calls.filter((call) => /\/outbound_messages$/.test(call.path));
  const firstPageCalls = (stack: Stack) =>
    listCalls(stack).filter((call) => (call.query.page ?? '1') === '1' && call.query.query === undefined);

  /** Every row of the list, `first` at a time, following `endCursor`. */
  async function walk(stack: Stack, first: number, after: string | null = null): Promise<string[]> {
    const ids: string[] = [];
    for (let cursor = after, pages = 0; pages < 100; pages += 1) {
      const answer = await stack.gql<WalkData, { first: number; after: string | null }>(Walk, {
        first,
        after: cursor,
      });
      expect(answer.errors).toBeUndefined();
      const connection = answer.data?.outboundMessages;
      ids.push(...(connection?.edges ?? []).map((edge) => edge.node.messageUuid));
      if (!connection?.pageInfo.hasNextPage) return ids;
      cursor = connection.pageInfo.endCursor;
    }
    throw new Error('the walk did not end');
  }

  it('is listed at once, with no list call, its events from the log; once the page is refetched the provider’s row takes its place', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    await stack.gql(Summaries);
    scheduler.advance(1_000);
    stack.sandbox.resetCalls();

    const id = await sendThrough(stack);
    const sent = await stack.gql<TopData, never>(Top);
    expect(sent.errors).toBeUndefined();
    // The send, and nothing else: no list call, no show call.
    expect(stack.sandbox.calls.map((call) => call.method)).toEqual(['POST']);
    const laid = sent.data?.outboundMessages?.nodes[0] as MessageShape;
    expect(laid).toMatchObject({
      messageUuid: id,
      messageIdHeader: null,
      subject: 'On top',
      tags: ['news'],
      testMode: false,
      createdAt: new Date(scheduler.now()).toISOString(),
    });
    // No event has reached the log yet: none is shown, and none is asked for.
    expect(laid.recipients).toEqual([
      { email: 'reader@example.net', lastEvent: null, events: [] },
      { email: 'copy@example.org', lastEvent: null, events: [] },
    ]);

    // Its registration arrives: shown on the next poll, still without a call.
    await tick(stack, scheduler, 0);
    const registered = await stack.gql<TopData, never>(Top);
    const recipients = registered.data?.outboundMessages?.nodes[0]?.recipients ?? [];
    expect(recipients.map((r) => [r.email, r.lastEvent, r.events?.map((e) => e.kind)])).toEqual([
      ['reader@example.net', 'REGISTRATION', ['REGISTRATION']],
      ['copy@example.org', 'REGISTRATION', ['REGISTRATION']],
    ]);
    expect(stack.sandbox.calls).toHaveLength(1);

    // Past the TTL the page is fetched again: the provider's row, the same message but for its Message-ID.
    scheduler.advance(30_000);
    const listed = await stack.gql<TopData, never>(Top);
    expect(firstPageCalls(stack)).toHaveLength(1);
    expect(showCalls(stack)).toHaveLength(0);
    const real = listed.data?.outboundMessages?.nodes[0] as MessageShape;
    expect(real.messageIdHeader).toBe(`<${id}@cloudmta.net>`);
    const { messageIdHeader: _laidHeader, recipients: laidRecipients, ...laidFields } = laid;
    const { messageIdHeader: _realHeader, recipients: realRecipients, ...realFields } = real;
    expect(realFields).toEqual(laidFields);
    expect(realRecipients.map((r) => r.email)).toEqual(laidRecipients.map((r) => r.email));
    const all = await stack.gql<DashboardData, never>(Summaries);
    expect(all.data?.outboundMessages?.nodes.filter((node) => node.messageUuid === id)).toHaveLength(1);
  });

  it('is not listed when sent in test mode, as CloudMailin lists nothing for it, and costs no call', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    const before = await stack.gql<DashboardData, never>(Summaries);
    stack.sandbox.resetCalls();
    const id = await sendThrough(stack, { testMode: true });
    const after = await stack.gql<DashboardData, never>(Summaries);
    expect(listCalls(stack)).toHaveLength(0);
    expect(after.data).toEqual(before.data);
    scheduler.advance(30_000);
    const refetched = await stack.gql<DashboardData, never>(Summaries);
    expect(listCalls(stack)).toHaveLength(1);
    expect(refetched.data?.outboundMessages?.nodes.map((node) => node.messageUuid)).not.toContain(id);
  });

  it('pages through the rows laid on top and on into the provider’s pages, every row once, as after the refetch', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    const cached = await walk(stack, 20);
    expect(new Set(cached).size).toBe(cached.length);
    stack.sandbox.resetCalls();

    const sent: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      scheduler.advance(1_000);
      sent.unshift(await sendThrough(stack, { subject: `Walk ${i}` }));
    }
    // Two at a time: cursors on rows laid on top lead to the next one, then into the cached page.
    const twoByTwo = await walk(stack, 2);
    expect(twoByTwo).toEqual([...sent, ...cached]);
    expect(firstPageCalls(stack)).toHaveLength(0);
    expect(await walk(stack, 1, null).then((ids) => ids.slice(0, 5))).toEqual(
      [...sent, ...cached].slice(0, 5),
    );
    expect(firstPageCalls(stack)).toHaveLength(0);
    const firstTwo = await stack.gql<WalkData, { first: number }>(Walk, { first: 2 });
    const cursorOnLaid = firstTwo.data?.outboundMessages?.pageInfo.endCursor ?? null;

    // Refetched, the provider lists them: the same rows in the same order, and the old cursor still leads on.
    scheduler.advance(30_000);
    expect(await walk(stack, 2)).toEqual([...sent, ...cached]);
    expect(firstPageCalls(stack)).toHaveLength(1);
    expect(await walk(stack, 2, cursorOnLaid)).toEqual([...sent.slice(2), ...cached]);
  });

  it('leaves a filtered list to the provider: a send drops it, as before, while the first page stays cached', async () => {
    const scheduler = new ManualScheduler();
    const stack = await freshStack(scheduler);
    await stack.gql(Summaries);
    const none = await stack.gql<DashboardData, { query: string }>(Filtered, { query: 'Filterable' });
    expect(none.data?.outboundMessages?.nodes).toEqual([]);
    stack.sandbox.resetCalls();

    const id = await sendThrough(stack, { subject: 'Filterable news' });
    const filtered = await stack.gql<DashboardData, { query: string }>(Filtered, { query: 'Filterable' });
    expect(filtered.data?.outboundMessages?.nodes.map((node) => node.messageUuid)).toEqual([id]);
    expect(listCalls(stack).map((call) => call.query.query)).toEqual(['Filterable']);
    const top = await stack.gql<DashboardData, never>(Summaries);
    expect(top.data?.outboundMessages?.nodes[0]?.messageUuid).toBe(id);
    expect(listCalls(stack)).toHaveLength(1);
  });
});

/** The message as a show call answers it: through another stack on the same emulator, with an empty log. */
async function showThroughEmptyLog(stack: Stack, id: string): Promise<MessageShape | null | undefined> {
  const other = await startStack({ emulator: stack.sandbox });
  open.push(other);
  const before = showCalls(stack, id).length;
  const answer = await other.gql<OneData, { id: string }>(One, { id });
  expect(showCalls(stack, id).length).toBe(before + 1);
  return answer.data?.outboundMessage;
}
