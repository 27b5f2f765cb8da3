/**
 * `messageEvents` over SSE against the real app: events stored in the log reach subscribers, filtered by
 * message, recipient and kind; a subscriber that resumes with its last cursor gets exactly what it missed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import type { NewEvent } from '../src/events/log.js';
import type { MessageEventPayload } from '../src/events/normalize.js';
import { collectSse } from './helpers/sse.js';
import { type Stack, startStack } from './helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

let counter = 0;
function delivery(messageId: string, recipient: string, kind: string): NewEvent {
  counter += 1;
  const payload: MessageEventPayload = {
    provider: 'CLOUDMAILIN',
    messageId,
    recipient,
    kind,
    rawKind: kind,
    timestamp: null,
    details: null,
  };
  return {
    dedupeKey: `test:${counter}`,
    type: 'message_event',
    topics: [`message:${messageId}`],
    occurredAt: null,
    payload,
  };
}

interface Received {
  cursor: string;
  messageId: string;
  recipient: string;
  kind: string;
}

/** Subscribes over SSE (GraphQL over SSE, distinct connections) and collects `count` events. */
async function subscribe(
  query: string,
  variables: Record<string, unknown>,
  count: number,
  onOpen?: () => Promise<void>,
): Promise<Array<Received | { errors: unknown }>> {
  const messages = await collectSse<{ messageEvents: Received }>(stack.url, query, variables, count, onOpen);
  return messages.map((message) =>
    message.errors ? { errors: message.errors } : (message.data?.messageEvents as Received),
  );
}

const QUERY = `subscription($messageId: String, $recipient: String, $kinds: [MessageEventKind!], $after: String) {
  messageEvents(messageId: $messageId, recipient: $recipient, kinds: $kinds, after: $after) { cursor messageId recipient kind }
}`;

describe('messageEvents', () => {
  it('pushes stored events live, filtered by message, recipient and kind', async () => {
    const received = await subscribe(
      QUERY,
      { messageId: 'live-1', recipient: 'a@example.net', kinds: ['DELIVERY', 'BOUNCE'] },
      2,
      async () => {
        setTimeout(() => {
          void stack.events.append([
            delivery('live-1', 'a@example.net', 'registration'),
            delivery('live-2', 'a@example.net', 'delivery'),
            delivery('live-1', 'b@example.net', 'delivery'),
            delivery('live-1', 'a@example.net', 'delivery'),
            delivery('live-1', 'a@example.net', 'bounce'),
          ]);
        }, 100);
      },
    );
    expect(received.map((r) => ('kind' in r ? [r.messageId, r.recipient, r.kind] : r))).toEqual([
      ['live-1', 'a@example.net', 'DELIVERY'],
      ['live-1', 'a@example.net', 'BOUNCE'],
    ]);
  });

  it('resumes after a cursor with exactly the events missed, then live ones', async () => {
    await stack.events.append([
      delivery('resume', 'r@example.net', 'registration'),
      delivery('resume', 'r@example.net', 'dispatch'),
    ]);
    const first = await subscribe(QUERY, { messageId: 'resume' }, 1);
    const cursor = (first[0] as Received).cursor;
    await stack.events.append([delivery('resume', 'r@example.net', 'delivery')]);
    const again = await subscribe(QUERY, { messageId: 'resume', after: cursor }, 3, async () => {
      setTimeout(() => void stack.events.append([delivery('resume', 'r@example.net', 'open')]), 100);
    });
    expect(again.map((r) => (r as Received).kind)).toEqual(['DISPATCH', 'DELIVERY', 'OPEN']);
  });

  it('delivers what reaches the CloudMailin webhook (sandbox credentials) to subscribers', async () => {
    const auth = `Basic ${Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64')}`;
    const post = (events: unknown[]) =>
      fetch(`${stack.url}/webhooks/cloudmailin/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({ events }),
      });
    const received = await subscribe(QUERY, { messageId: 'via-webhook' }, 2, async () => {
      setTimeout(() => {
        void post([
          { kind: 'registration', recipient: 'w@example.net', message_id: 'via-webhook' },
          { kind: 'delivery', recipient: 'w@example.net', message_id: 'via-webhook' },
        ]);
      }, 100);
    });
    expect(received.map((r) => (r as Received).kind)).toEqual(['REGISTRATION', 'DELIVERY']);
    expect(
      (await post([{ kind: 'delivery', recipient: 'w@example.net', message_id: 'via-webhook' }])).status,
    ).toBe(200);
    const wrong = await fetch(`${stack.url}/webhooks/cloudmailin/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic eDp5' },
      body: JSON.stringify({ events: [] }),
    });
    expect(wrong.status).toBe(401);
  });

  it('refuses a cursor that is not one', async () => {
    const refused = await subscribe(QUERY, { after: 'garbage' }, 1);
    expect(refused[0]).toMatchObject({ errors: [{ extensions: { code: 'VALIDATION_FAILED' } }] });
  });

  const LAST = `subscription($messageId: String, $kinds: [MessageEventKind!], $after: String, $last: Int) {
    messageEvents(messageId: $messageId, kinds: $kinds, after: $after, last: $last) { cursor messageId recipient kind }
  }`;

  it('starts with the newest `last` matching events, then live ones, none twice', async () => {
    const id = 'last-n';
    await stack.events.append([
      delivery(id, 'l@example.net', 'registration'),
      delivery(id, 'l@example.net', 'dispatch'),
      delivery(id, 'l@example.net', 'delivery'),
      delivery(id, 'l@example.net', 'open'),
    ]);
    const received = await subscribe(LAST, { messageId: id, last: 2 }, 3, async () => {
      setTimeout(() => void stack.events.append([delivery(id, 'l@example.net', 'click')]), 100);
    });
    expect(received.map((r) => (r as Received).kind)).toEqual(['DELIVERY', 'OPEN', 'CLICK']);
    // Filters apply before counting: the newest two deliveries, not the newest two events.
    const filtered = await subscribe(
      LAST,
      { messageId: id, kinds: ['REGISTRATION', 'DISPATCH'], last: 2 },
      2,
    );
    expect(filtered.map((r) => (r as Received).kind)).toEqual(['REGISTRATION', 'DISPATCH']);
  });

  it('with `last` over every message, replays only that many, even with a long log', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => delivery(`bulk-${i}`, 'b@example.net', 'delivery'));
    await stack.events.append(many);
    const received = await subscribe(LAST, { last: 3 }, 4, async () => {
      setTimeout(() => void stack.events.append([delivery('after-bulk', 'b@example.net', 'open')]), 150);
    });
    expect(received.map((r) => (r as Received).messageId)).toEqual([
      'bulk-1197',
      'bulk-1198',
      'bulk-1199',
      'after-bulk',
    ]);
    const onlyLive = await subscribe(LAST, { last: 0 }, 1, async () => {
      setTimeout(() => void stack.events.append([delivery('live-only', 'b@example.net', 'open')]), 150);
    });
    expect((onlyLive[0] as Received).messageId).toBe('live-only');
  });

  it('refuses `last` out of range, and `last` with `after`', async () => {
    const [tooMany] = await subscribe(LAST, { last: 1001 }, 1);
    expect(tooMany).toMatchObject({ errors: [{ extensions: { code: 'VALIDATION_FAILED' } }] });
    const [negative] = await subscribe(LAST, { last: -1 }, 1);
    expect(negative).toMatchObject({ errors: [{ extensions: { code: 'VALIDATION_FAILED' } }] });
    await stack.events.append([delivery('both', 'x@example.net', 'delivery')]);
    const [first] = await subscribe(LAST, { messageId: 'both', last: 1 }, 1);
    const [both] = await subscribe(LAST, { after: (first as Received).cursor, last: 1 }, 1);
    expect(both).toMatchObject({ errors: [{ extensions: { code: 'VALIDATION_FAILED' } }] });
  });
});
