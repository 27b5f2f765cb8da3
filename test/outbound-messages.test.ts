import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import type { OutboundSummariesPagedQuery } from './gql/graphql.js';
import { graphql } from './gql/index.js';
import { type GraphQLResponse, type Stack, globalId, startStack } from './helpers/stack.js';

const OutboundWithEvents = graphql(`
  query OutboundWithEvents($first: Int, $after: String) {
    outboundMessages(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          messageUuid
          subject
          from { address name formatted }
          to { address name formatted }
          cc { address name formatted }
          createdAt
          recipients {
            email
            lastEvent
            events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }
          }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

/** The dashboard's list: every recipient's history, and no `hasNextPage` (so no look-ahead page). */
const OutboundDashboard = graphql(`
  query OutboundDashboard {
    outboundMessages(first: 20) {
      edges { node { id subject from { formatted } recipients { email events { kind timestamp } } } }
      pageInfo { endCursor }
    }
  }
`);

const OutboundSummaries = graphql(`
  query OutboundSummaries {
    outboundMessages(first: 20) { edges { node { id recipients { email lastEvent } } } }
  }
`);

const OneOutbound = graphql(`
  query OneOutbound($id: ID!) {
    outboundMessage(id: $id) { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }
  }
`);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** What the emulator was asked, as `METHOD path-after-the-account`. */
function upstreamCalls(of: Stack): string[] {
  return of.sandbox.calls.map((call) => `${call.method} ${call.path.split('/').slice(5).join('/')}`);
}

/** `Name <email>` or a bare `email`, as the emulator stores a mailbox, in the structured form. */
function mailboxOf(wire: string): { address: string; name: string | null; formatted: string } {
  const match = /^(.*) <([^<>]+)>$/.exec(wire);
  if (!match) return { address: wire, name: null, formatted: wire };
  const [, name, address] = match as unknown as [string, string, string];
  return { address, name, formatted: `"${name}" <${address}>` };
}

describe('outboundMessages', () => {
  it('loads the dashboard list (20 messages, every history, no hasNextPage) in 21 upstream calls, and none again within the TTL', async () => {
    const fresh = await startStack();
    try {
      const first = await fresh.gql(OutboundDashboard);
      expect(first.errors).toBeUndefined();
      expect(first.data?.outboundMessages?.edges).toHaveLength(20);

      const calls = upstreamCalls(fresh);
      expect(calls.filter((call) => call === 'GET outbound_messages')).toHaveLength(1);
      const shows = calls.filter((call) => call.startsWith('GET outbound_messages/'));
      expect(shows).toHaveLength(20);
      expect(new Set(shows).size).toBe(20);
      expect(calls).toHaveLength(21);

      fresh.sandbox.resetCalls();
      const again = await fresh.gql(OutboundDashboard);
      expect(fresh.sandbox.calls).toHaveLength(0);
      expect(again.data).toEqual(first.data);
    } finally {
      await fresh.close();
    }
  });

  it('with hasNextPage selected, a page ending at an upstream page end costs one look-ahead page (22 calls cold), none warm', async () => {
    const fresh = await startStack();
    try {
      const first = await fresh.gql(OutboundWithEvents, { first: 20 });
      expect(first.errors).toBeUndefined();
      const connection = first.data?.outboundMessages;
      expect(connection?.edges).toHaveLength(20);
      // 48 messages: more follow, and it is known for certain only from the next upstream page.
      expect(connection?.pageInfo.hasNextPage).toBe(true);

      // The emulator's pages hold 20 messages, so this page ends exactly where upstream page 1 ends: the
      // exact `hasNextPage` costs upstream page 2 (the 21 calls of the dashboard list, plus that page).
      // No history is loaded for the look-ahead row.
      const calls = upstreamCalls(fresh);
      expect(calls.filter((call) => call === 'GET outbound_messages')).toHaveLength(2);
      const shows = calls.filter((call) => call.startsWith('GET outbound_messages/'));
      expect(shows).toHaveLength(20);
      expect(new Set(shows).size).toBe(20);
      expect(calls).toHaveLength(22);

      fresh.sandbox.resetCalls();
      const again = await fresh.gql(OutboundWithEvents, { first: 20 });
      expect(fresh.sandbox.calls).toHaveLength(0);
      expect(again.data).toEqual(first.data);

      // The page after it was fetched with the look-ahead, and is cached too.
      const next = await fresh.gql(OutboundWithEvents, {
        first: 5,
        after: connection?.pageInfo.endCursor ?? null,
      });
      expect(next.data?.outboundMessages?.edges).toHaveLength(5);
      expect(upstreamCalls(fresh).filter((call) => call === 'GET outbound_messages')).toHaveLength(0);
    } finally {
      await fresh.close();
    }
  });

  it('returns each recipient’s full history as the provider has it, oldest first', async () => {
    const result = await stack.gql(OutboundWithEvents, { first: 5 });
    const connection = result.data?.outboundMessages;
    expect(connection?.edges).toHaveLength(5);
    for (const { node } of connection?.edges ?? []) {
      const upstream = stack.sandbox.cloudmailin.outboundMessage(node.messageUuid);
      expect(upstream).toBeDefined();
      for (const recipient of node.recipients) {
        const wire = upstream?.recipients.find((r) => r.email === recipient.email);
        expect(recipient.events?.map((event) => event.rawKind)).toEqual(
          wire?.events?.map((event) => event.kind),
        );
        expect(recipient.lastEvent).toBe(wire?.last_event === null ? null : recipient.lastEvent);
        const times = (recipient.events ?? []).map((event) => Date.parse(event.timestamp ?? ''));
        expect([...times].sort((a, b) => a - b)).toEqual(times);
      }
    }
    const delivered = (connection?.edges ?? [])
      .flatMap(({ node }) => node.recipients.flatMap((r) => r.events ?? []))
      .find((event) => event.kind === 'DELIVERY');
    expect(delivered?.details).toMatchObject({
      replyCode: expect.any(String),
      remoteHost: expect.any(String),
    });
  });

  it('gives from, to and cc as structured addresses, with the display names the provider has', async () => {
    const result = await stack.gql(OutboundWithEvents, { first: 20 });
    const nodes = (result.data?.outboundMessages?.edges ?? []).map(({ node }) => node);
    expect(nodes).toHaveLength(20);
    for (const node of nodes) {
      const wire = stack.sandbox.cloudmailin.outboundMessage(node.messageUuid);
      expect(node.from).toEqual(mailboxOf(wire?.from ?? ''));
      expect(node.to).toEqual(([] as string[]).concat(wire?.to ?? []).map(mailboxOf));
      expect(node.cc).toEqual(([] as string[]).concat(wire?.cc ?? []).map(mailboxOf));
    }
    // The demo data has both kinds: senders and recipients with a display name, and bare addresses.
    const mailboxes = nodes.flatMap((node) => [node.from, ...node.to, ...node.cc]);
    expect(mailboxes).toContainEqual({
      address: 'support@example.com',
      name: 'Example Support',
      formatted: '"Example Support" <support@example.com>',
    });
    expect(mailboxes.some((mailbox) => mailbox?.name === null)).toBe(true);
    expect(nodes.some((node) => node.to.some((mailbox) => mailbox.name !== null))).toBe(true);
  });

  it('asks only for the list when no events are selected', async () => {
    const fresh = await startStack();
    try {
      await fresh.gql(OutboundSummaries);
      expect(fresh.sandbox.calls.map((call) => call.path.endsWith('/outbound_messages'))).toEqual([true]);
    } finally {
      await fresh.close();
    }
  });

  it('pages with cursors, never repeats a message, and says hasNextPage false exactly at the end', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    for (let page = 0; page < 10; page += 1) {
      const result: GraphQLResponse<OutboundSummariesPagedQuery> = await stack.gql(OutboundSummariesPaged, {
        after,
      });
      const connection = result.data?.outboundMessages;
      expect(connection).toBeTruthy();
      pages += 1;
      expect(connection?.edges.length).toBeGreaterThan(0);
      for (const { node } of connection?.edges ?? []) {
        expect(seen.has(node.id)).toBe(false);
        seen.add(node.id);
      }
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor ?? null;
    }
    expect(seen.size).toBe(DEMO_CLOUDMAILIN.outboundMessageCount);
    // 48 messages in pages of 7: six full pages and one of 6, and never an empty page after a true.
    expect(pages).toBe(Math.ceil(DEMO_CLOUDMAILIN.outboundMessageCount / 7));
  });

  it('fetches one message by global id or by CloudMailin id, and answers null for an unknown one', async () => {
    const byRaw = await stack.gql(OneOutbound, { id: DEMO_CLOUDMAILIN.outboundMessageId });
    const message = byRaw.data?.outboundMessage;
    expect(message?.messageUuid).toBe(DEMO_CLOUDMAILIN.outboundMessageId);
    expect(message?.id).toBe(globalId('OutboundMessage', DEMO_CLOUDMAILIN.outboundMessageId));
    const byGlobal = await stack.gql(OneOutbound, { id: message?.id ?? '' });
    expect(byGlobal.data).toEqual(byRaw.data);

    const unknown = await stack.gql(OneOutbound, { id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data).toEqual({ outboundMessage: null });

    const wrongType = await stack.gql(OneOutbound, {
      id: globalId('InboundAddress', 'aaaa740b4c5c37b1aaaa'),
    });
    expect(wrongType.data?.outboundMessage).toBeNull();
    expect(wrongType.errors).toHaveLength(1);
    expect(wrongType.errors?.[0]?.path).toEqual(['outboundMessage']);
    expect(wrongType.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      refusedBy: 'MAILGRAPH',
      issues: [expect.objectContaining({ path: 'id', code: 'INVALID' })],
    });
  });
});

const OutboundSummariesPaged = graphql(`
  query OutboundSummariesPaged($after: String) {
    outboundMessages(first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
  }
`);
