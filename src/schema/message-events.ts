/**
 * `messageEvents`: delivery events of both providers as they reach the event log, for one message (or
 * all), optionally one recipient and some kinds. A subscription only subscribes: the webhooks store the
 * events, `follow` replays what the client missed after its cursor and then goes live.
 */
import type { Context } from '../context.js';
import { ValidationError } from '../errors.js';
import { ALL_TOPIC, type StoredEvent, follow } from '../events/log.js';
import { type MessageEventPayload, messageTopic } from '../events/normalize.js';
import { abortable } from '../subscriptions/abortable.js';
import { builder } from './builder.js';
import { EmailProviderEnum } from './errors.js';
import { MessageEventDetailsRef, MessageEventKindEnum, kindOf } from './outbound-message.js';

const CURSOR_PREFIX = 'ev1:';

/** An event's cursor: opaque to clients, the log position inside. */
export function eventCursor(event: StoredEvent): string {
  return Buffer.from(`${CURSOR_PREFIX}${event.position}`).toString('base64url');
}

export function positionOf(cursor: string, path = 'after'): string {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!decoded.startsWith(CURSOR_PREFIX)) {
    const message = 'Not an event cursor of this API.';
    throw new ValidationError(message, [{ path, message }]);
  }
  return decoded.slice(CURSOR_PREFIX.length);
}

type DeliveryEventShape = StoredEvent & { payload: MessageEventPayload };

const DeliveryEventRef = builder.objectRef<DeliveryEventShape>('DeliveryEvent').implement({
  description: 'A delivery event of one recipient of a sent message, as the provider reported it.',
  fields: (t) => ({
    cursor: t.string({
      description: 'Where this event sits in the event log; resume a subscription after it with `after`.',
      resolve: (event) => eventCursor(event),
    }),
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider that reported the event.',
      resolve: (event) => event.payload.provider,
    }),
    messageId: t.string({
      description: "The provider's id of the message (CloudMailin's UUID, or Cloudflare's Message-ID).",
      resolve: (event) => event.payload.messageId,
    }),
    recipient: t.string({
      description: 'The recipient it concerns.',
      resolve: (event) => event.payload.recipient,
    }),
    kind: t.field({
      type: MessageEventKindEnum,
      description: 'What happened.',
      resolve: (event) => kindOf(event.payload.kind) ?? 'other',
    }),
    rawKind: t.string({
      description: 'The kind (CloudMailin) or type (Cloudflare) exactly as the provider sent it.',
      resolve: (event) => event.payload.rawKind,
    }),
    timestamp: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it happened, when the provider says.',
      resolve: (event) => event.payload.timestamp,
    }),
    details: t.field({
      type: MessageEventDetailsRef,
      nullable: true,
      description: 'SMTP details, when the event carries them.',
      resolve: (event) => event.payload.details,
    }),
    receivedAt: t.field({
      type: 'DateTime',
      description: 'When mailgraph stored the event.',
      resolve: (event) => new Date(event.receivedAt),
    }),
  }),
});

interface Filter {
  messageId?: string | null;
  recipient?: string | null;
  kinds?: readonly string[] | null;
}

function matches(event: StoredEvent, filter: Filter): event is DeliveryEventShape {
  if (event.type !== 'message_event') return false;
  const payload = event.payload as MessageEventPayload;
  if (filter.recipient && payload.recipient !== filter.recipient.toLowerCase()) return false;
  if (filter.kinds?.length && !filter.kinds.includes(kindOf(payload.kind) ?? 'other')) return false;
  return true;
}

/** The most events `last` may ask for, and how many stored events it looks through for them. */
export const MAX_LAST = 1000;
const LAST_SCAN_LIMIT = 20_000;
const SCAN_PAGE = 500;

/**
 * The newest `last` stored events under the topic that pass the filter, oldest first, and the newest
 * position looked at (the live stream resumes after it: none twice, none lost). It looks through at most
 * LAST_SCAN_LIMIT stored events, so a filter that matches almost nothing costs a bounded read; `last: 0`
 * reads one event, for its position.
 */
async function newestMatching(
  context: Context,
  topic: string,
  filter: Filter,
  last: number,
): Promise<{ events: DeliveryEventShape[]; newest: string | null }> {
  const limit = last === 0 ? 1 : SCAN_PAGE;
  const found: DeliveryEventShape[] = [];
  let newest: string | null = null;
  let before: string | null = null;
  for (let scanned = 0; scanned < LAST_SCAN_LIMIT; scanned += limit) {
    const page = await context.events.read({ after: before, topic, limit, direction: 'backward' });
    for (const event of page) {
      newest ??= event.position;
      if (found.length < last && matches(event, filter)) found.push(event);
      before = event.position;
    }
    if (found.length >= last || page.length < limit) break;
  }
  return { events: found.reverse(), newest };
}

/** The log's events after the cursor that pass the filter; one generator per stream (this is the hot path). */
function deliveryEvents(
  context: Context,
  filter: Filter,
  from: { topic: string; after: string | null },
  signal: AbortSignal,
): AsyncGenerator<DeliveryEventShape> {
  return follow(context.events, {
    ...from,
    signal,
    filter: (event) => matches(event, filter),
  }) as AsyncGenerator<DeliveryEventShape>;
}

/** `recent`, then every event of `live`: the generator layer only for a stream that starts with `last`. */
async function* startingWith(
  recent: readonly DeliveryEventShape[],
  live: AsyncGenerator<DeliveryEventShape>,
): AsyncGenerator<DeliveryEventShape> {
  yield* recent;
  yield* live;
}

/**
 * Checks the cursor before the stream starts, so that a bad or expired one is the operation's error
 * (VALIDATION_FAILED, CURSOR_EXPIRED) on every transport rather than a failure in the middle of a stream.
 * The stream ends as soon as its client leaves, even while it waits for the next event.
 */
async function subscribeToDeliveryEvents(
  context: Context,
  args: Filter & { after?: string | null; last?: number | null },
) {
  const topic = args.messageId ? messageTopic(args.messageId) : ALL_TOPIC;
  const last = args.last ?? null;
  if (last !== null && args.after) {
    const message =
      'Give `after` (resume after a cursor) or `last` (start with the newest events), not both.';
    throw new ValidationError(message, [{ path: 'last', message }]);
  }
  if (last !== null && (last < 0 || last > MAX_LAST)) {
    const message = `\`last\` must be between 0 and ${MAX_LAST}.`;
    throw new ValidationError(message, [{ path: 'last', message }]);
  }
  if (last !== null) {
    const { events, newest } = await newestMatching(context, topic, args, last);
    return abortable((signal) =>
      startingWith(events, deliveryEvents(context, args, { topic, after: newest }, signal)),
    );
  }
  const after = args.after ? positionOf(args.after) : null;
  if (after !== null) await context.events.read({ after, topic, limit: 1 });
  return abortable((signal) => deliveryEvents(context, args, { topic, after }, signal));
}

builder.subscriptionType({
  description: 'Live events from the providers, stored first and then pushed (SSE or WebSocket).',
});

builder.subscriptionField('messageEvents', (t) =>
  t.field({
    type: DeliveryEventRef,
    description:
      'Delivery events of sent messages as they arrive (both providers). First the stored ones: with `after`, every stored event after that cursor; with `last`, the newest `last` stored events; with neither, every stored event (the retention window). Then the live ones: none twice, none lost.',
    args: {
      messageId: t.arg.string({
        description: "Only this message (the provider's id); every message when omitted.",
      }),
      recipient: t.arg.string({ description: 'Only events of this recipient.' }),
      kinds: t.arg({ type: [MessageEventKindEnum], description: 'Only these kinds.' }),
      after: t.arg.string({ description: 'Resume after this cursor (`DeliveryEvent.cursor`).' }),
      last: t.arg.int({
        description: `Start with the newest \`last\` stored events that pass the filters (0 to ${MAX_LAST}; 0 = only live ones), looking through at most the newest ${LAST_SCAN_LIMIT.toLocaleString('en-US')} stored; not with \`after\`.`,
      }),
    },
    authScopes: { read: true },
    subscribe: (_root, args, context) => subscribeToDeliveryEvents(context, args),
    resolve: (event) => event,
  }),
);
