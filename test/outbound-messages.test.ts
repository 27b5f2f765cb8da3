import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import type { OutboundSummariesPagedQuery } from './gql/graphql.js';
import { graphql } from './gql/index.js';
import { type GraphQLResponse, type Stack, expectTypename, globalId, startStack } from './helpers/stack.js';

const OutboundWithEvents = graphql(`
  query OutboundWithEvents($first: Int, $after: String) {
    outboundMessages(first: $first, after: $after) {
      __typename
      ... on QueryOutboundMessagesConnection {
        edges {
          cursor
          node {
            id
            messageUuid
            subject
            from
            to
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
      ... on Error { message }
    }
  }
`);

const OutboundSummaries = graphql(`
  query OutboundSummaries {
    outboundMessages(first: 20) {
      ... on QueryOutboundMessagesConnection { edges { node { id recipients { email lastEvent } } } }
    }
  }
`);

const OneOutbound = graphql(`
  query OneOutbound($id: ID!) {
    outboundMessage(id: $id) {
      __typename
      ... on OutboundMessage { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }
      ... on NotFoundError { message resource resourceId }
      ... on ValidationError { message issues { path message } }
    }
  }
`);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('outboundMessages', () => {
  it('loads 20 messages with every recipient event in 21 upstream calls, and none again within the TTL', async () => {
    stack.sandbox.resetCalls();
    const first = await stack.gql(OutboundWithEvents, { first: 20 });
    const connection = expectTypename(first.data?.outboundMessages, 'QueryOutboundMessagesConnection');
    expect(connection.edges).toHaveLength(20);

    const calls = stack.sandbox.calls.map(
      (call) => `${call.method} ${call.path.split('/').slice(5).join('/')}`,
    );
    expect(calls.filter((call) => call === 'GET outbound_messages')).toHaveLength(1);
    const shows = calls.filter((call) => call.startsWith('GET outbound_messages/'));
    expect(shows).toHaveLength(20);
    expect(new Set(shows).size).toBe(20);
    expect(calls).toHaveLength(21);

    stack.sandbox.resetCalls();
    const again = await stack.gql(OutboundWithEvents, { first: 20 });
    expect(stack.sandbox.calls).toHaveLength(0);
    expect(again.data).toEqual(first.data);
  });

  it('returns each recipient’s full history as the provider has it, oldest first', async () => {
    const result = await stack.gql(OutboundWithEvents, { first: 5 });
    const connection = expectTypename(result.data?.outboundMessages, 'QueryOutboundMessagesConnection');
    for (const { node } of connection.edges) {
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
    const delivered = connection.edges
      .flatMap(({ node }) => node.recipients.flatMap((r) => r.events ?? []))
      .find((event) => event.kind === 'DELIVERY');
    expect(delivered?.details).toMatchObject({
      replyCode: expect.any(String),
      remoteHost: expect.any(String),
    });
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

  it('pages with cursors and never repeats a message', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result: GraphQLResponse<OutboundSummariesPagedQuery> = await stack.gql(OutboundSummariesPaged, {
        after,
      });
      const connection = expectTypename(result.data?.outboundMessages, 'QueryOutboundMessagesConnection');
      for (const { node } of connection.edges) {
        expect(seen.has(node.id)).toBe(false);
        seen.add(node.id);
      }
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor ?? null;
    }
    expect(seen.size).toBe(DEMO_CLOUDMAILIN.outboundMessageCount);
  });

  it('fetches one message by global id or by CloudMailin id, and says NotFoundError for an unknown one', async () => {
    const byRaw = await stack.gql(OneOutbound, { id: DEMO_CLOUDMAILIN.outboundMessageId });
    const message = expectTypename(byRaw.data?.outboundMessage, 'OutboundMessage');
    expect(message.messageUuid).toBe(DEMO_CLOUDMAILIN.outboundMessageId);
    expect(message.id).toBe(globalId('OutboundMessage', DEMO_CLOUDMAILIN.outboundMessageId));
    const byGlobal = await stack.gql(OneOutbound, { id: message.id });
    expect(byGlobal.data).toEqual(byRaw.data);

    const unknown = await stack.gql(OneOutbound, { id: '00000000-0000-4000-8000-000000000000' });
    expect(expectTypename(unknown.data?.outboundMessage, 'NotFoundError').resourceId).toBe(
      '00000000-0000-4000-8000-000000000000',
    );

    const wrongType = await stack.gql(OneOutbound, {
      id: globalId('InboundAddress', 'aaaa740b4c5c37b1aaaa'),
    });
    expect(expectTypename(wrongType.data?.outboundMessage, 'ValidationError').issues[0]?.path).toBe('id');
  });
});

const OutboundSummariesPaged = graphql(`
  query OutboundSummariesPaged($after: String) {
    outboundMessages(first: 7, after: $after) {
      __typename
      ... on QueryOutboundMessagesConnection { edges { node { id } } pageInfo { hasNextPage endCursor } }
    }
  }
`);
