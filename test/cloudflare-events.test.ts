/**
 * Cloudflare Email Sending events end to end: a send made through mailgraph's `sendEmail` (sandbox
 * mode, the emulator's events queue) reaches `messageEvents` subscribers over SSE, through the queue
 * consumer and the event log, and the consumer's calls show in `rateLimits`. Then the webhook for users
 * who forward the events from a Worker: every envelope they may post (one event, an array, a pull batch
 * as the HTTP pull API answers it, that whole answer, a batch as a Worker sees it) stores each event once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_CLOUDFLARE as CF, SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import type { MessageEventPayload } from '../src/events/normalize.js';
import { DEMO_CLOUDFLARE } from '../src/sandbox/cloudflare-demo.js';
import { collectSse } from './helpers/sse.js';
import { type Stack, startStack } from './helpers/stack.js';

let stack: Stack;
afterEach(() => stack?.close());

const SEND = `mutation($input: SendEmailInput!) {
  sendEmail(input: $input) { __typename ... on SendEmailPayload { email { messageId } } ... on Error { code message } }
}`;
const EVENTS = `subscription($messageId: String) {
  messageEvents(messageId: $messageId) { provider messageId recipient kind rawKind }
}`;
const RATE_LIMITS = '{ rateLimits { provider used limit } }';

interface Received {
  provider: string;
  messageId: string;
  recipient: string;
  kind: string;
  rawKind: string;
}

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

/** Subscribes over SSE and collects `count` events (a GraphQL error fails the test). */
async function subscribe(variables: Record<string, unknown>, count: number): Promise<Received[]> {
  const messages = await collectSse<{ messageEvents: Received }>(stack.url, EVENTS, variables, count);
  return messages.map((message) => {
    if (message.errors) throw new Error(JSON.stringify(message.errors));
    return message.data?.messageEvents as Received;
  });
}

const recipients = ['a@example.org', 'b@defer.example.org', 'c@bounce.example.org'];

describe('Cloudflare Email Sending events', () => {
  it('delivers the events of a sendEmail to messageEvents subscribers, through the queue, once each', async () => {
    stack = await startStack({ cloudflareEvents: true });
    const sent = await graphql<{ sendEmail: { email: { messageId: string } } }>(SEND, {
      input: {
        provider: 'CLOUDFLARE',
        from: { email: `news@${DEMO_CLOUDFLARE.subdomains.mail.name}` },
        to: recipients.map((email) => ({ email })),
        subject: 'Events',
        text: 'hello',
      },
    });
    const messageId = sent.sendEmail.email.messageId;
    expect(messageId).toMatch(/^<.+>$/);
    const events = await subscribe({ messageId }, 3);
    expect(events).toEqual([
      {
        provider: 'CLOUDFLARE',
        messageId,
        recipient: 'a@example.org',
        kind: 'DELIVERY',
        rawKind: 'cf.email.sending.message.delivered',
      },
      {
        provider: 'CLOUDFLARE',
        messageId,
        recipient: 'b@defer.example.org',
        kind: 'SOFT_BOUNCE',
        rawKind: 'cf.email.sending.message.deferred',
      },
      {
        provider: 'CLOUDFLARE',
        messageId,
        recipient: 'c@bounce.example.org',
        kind: 'BOUNCE',
        rawKind: 'cf.email.sending.message.bounced',
      },
    ]);
    // The Message-ID without its angle brackets names the same message.
    expect(await subscribe({ messageId: messageId.slice(1, -1) }, 3)).toEqual(events);
    expect(await stack.events.read({ limit: 100 })).toHaveLength(3);
    // The ack follows the append the subscribers saw: stopping the consumer lets its last batch finish.
    await stack.cloudflareEvents?.stop();
    expect(stack.sandbox.cloudflare.queue().view()).toEqual([]);

    // Every pull and ack took the Cloudflare budget, as the send did: rateLimits shows them all.
    const cloudflareCalls = stack.upstreamCalls.filter((call) => call.provider === 'CLOUDFLARE');
    const routes = cloudflareCalls.map((call) => call.route.split('/').pop());
    expect(routes.filter((route) => route === 'pull').length).toBeGreaterThanOrEqual(1);
    expect(routes.filter((route) => route === 'ack')).toHaveLength(1);
    const { rateLimits } = await graphql<{ rateLimits: Array<{ provider: string; used: number }> }>(
      RATE_LIMITS,
    );
    expect(rateLimits.find((limit) => limit.provider === 'CLOUDFLARE')?.used).toBe(cloudflareCalls.length);
  });

  it('accepts at the webhook every envelope a forwarder may post, and stores each event once', async () => {
    stack = await startStack();
    const cfHeaders = { authorization: `Bearer ${CF.apiToken}`, 'content-type': 'application/json' };
    const sendReply = await fetch(
      `${stack.sandbox.cloudflareUrl}/accounts/${CF.accountId}/email/sending/send`,
      {
        method: 'POST',
        headers: cfHeaders,
        body: JSON.stringify({
          from: `news@${DEMO_CLOUDFLARE.subdomains.mail.name}`,
          to: recipients,
          subject: 'Forwarded',
          text: 'hi',
        }),
      },
    );
    expect(sendReply.status).toBe(200);
    // What the HTTP pull API answers: bodies are base64 of the event's JSON.
    const pulled = (await (
      await fetch(
        `${stack.sandbox.cloudflareUrl}/accounts/${CF.accountId}/queues/${CF.eventsQueueId}/messages/pull`,
        {
          method: 'POST',
          headers: cfHeaders,
          body: JSON.stringify({ batch_size: 10 }),
        },
      )
    ).json()) as {
      result: { messages: Array<{ id: string; body: string; metadata: Record<string, string> }> };
    };
    const messages = pulled.result.messages;
    expect(messages).toHaveLength(3);
    const decoded = messages.map((m) => JSON.parse(Buffer.from(m.body, 'base64').toString('utf8')));

    const auth = `Basic ${Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64')}`;
    const post = async (body: unknown) => {
      const response = await fetch(`${stack.url}/webhooks/cloudflare/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    expect(await post({ messages })).toEqual({ status: 200, body: { stored: 3, duplicates: 0 } });
    expect(await post(pulled)).toEqual({ status: 200, body: { stored: 0, duplicates: 3 } });
    expect(await post(decoded)).toEqual({ status: 200, body: { stored: 0, duplicates: 3 } });
    expect(await post(decoded[0])).toEqual({ status: 200, body: { stored: 0, duplicates: 1 } });
    // A Worker's `batch.messages` as JSON: each body already an object.
    expect(await post({ messages: messages.map((m, i) => ({ id: m.id, body: decoded[i] })) })).toEqual({
      status: 200,
      body: { stored: 0, duplicates: 3 },
    });
    // Bodies as plain JSON text (seen live for `json` messages).
    expect(
      await post({
        messages: decoded.map((event) => ({
          body: JSON.stringify(event),
          metadata: { 'CF-Content-Type': 'json' },
        })),
      }),
    ).toEqual({ status: 200, body: { stored: 0, duplicates: 3 } });
    // A body a pull consumer cannot decode refuses the whole POST, and stores nothing.
    const refused = await post({ messages: [{ body: 'AAAA', metadata: { 'CF-Content-Type': 'v8' } }] });
    expect(refused.status).toBe(400);
    const stored = (await stack.events.read({ limit: 100 })).map(
      (event) => event.payload as MessageEventPayload,
    );
    expect(stored.map((event) => [event.recipient, event.kind])).toEqual([
      ['a@example.org', 'delivery'],
      ['b@defer.example.org', 'soft_bounce'],
      ['c@bounce.example.org', 'bounce'],
    ]);
  });
});
