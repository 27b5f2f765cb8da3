/**
 * Outbound messages: mail sent through CloudMailin (API or SMTP), each recipient with its delivery events.
 * The list carries each recipient's last event only; the full history comes from the show endpoint,
 * fetched once per message per request (DataLoader) and shared across requests (upstream cache).
 *
 * The event log keeps both fresh without a call: a recipient whose history the log holds from
 * `registration` on is answered from the log, and the log's later events are laid over a cached list's
 * `last_event` and a cached show's history (src/events/outbound-history.ts), so a delivery event shows at
 * once instead of after the cache TTL.
 *
 * A send keeps the cached first page of the list (src/upstream/cloudmailin.ts): the messages sent through
 * this process that it does not show yet are laid on top of it, their recipients' events from the log.
 */
import type { Context } from '../context.js';
import {
  isLaidOnTop,
  latestKind,
  outboundDirectory,
  wireEvent,
  withSentOnFirstPage,
} from '../events/outbound-history.js';
import type { SentRecord } from '../upstream/cloudmailin-sent.js';
import {
  MESSAGE_EVENT_KINDS,
  type MessageEvent,
  type OutboundMessage,
} from '../upstream/cloudmailin-wire.js';
import { builder } from './builder.js';
import { asksHasNextPage, connectionOf, forwardPageArgs } from './connection.js';
import { EmailAddressRef, parseAddress, parseAddresses } from './email-address.js';
import { orNull } from './errors.js';
import { localIdOf } from './ids.js';
import { paginateUpstream } from './pagination.js';
import { dateOrNull, listOf, searchQueryOf } from './validate.js';

interface RecipientShape {
  messageId: string;
  email: string;
  lastEvent: string | null;
  events: MessageEvent[] | undefined;
}

type EventKind = (typeof MESSAGE_EVENT_KINDS)[number];

const KIND_DESCRIPTIONS: Record<EventKind, string> = {
  registration: 'The message was accepted and queued.',
  dispatch: 'A delivery attempt to the recipient server started.',
  rate_limit: 'Sending was slowed down by a rate limit.',
  delivery: "The recipient's server accepted the message.",
  bounce: 'The message bounced permanently.',
  soft_bounce: 'A temporary failure; delivery will be retried.',
  dispatch_soft_bounce: 'A temporary failure during dispatch; delivery will be retried.',
  error: 'An error stopped delivery.',
  retries_exhausted: 'Delivery was given up after all retries.',
  open: 'The recipient opened the message.',
  read: 'The recipient read the message.',
  click: 'The recipient clicked a link.',
  auto_reply: 'An automatic reply came back.',
  bounce_reply: 'A bounce message came back.',
  suppressed: 'The message was not sent to this recipient (suppression list or spam check).',
};

export const MessageEventKindEnum = builder.enumType('MessageEventKind', {
  description:
    "The kind of a delivery event, as CloudMailin documents them; Cloudflare's event types map onto them (`message.delivered` is DELIVERY, `deferred` SOFT_BOUNCE, `bounced` BOUNCE, `failed` ERROR, `rejected` SUPPRESSED, `complained` COMPLAINT).",
  values: {
    ...Object.fromEntries(
      MESSAGE_EVENT_KINDS.map((kind) => [
        kind.toUpperCase(),
        { value: kind, description: KIND_DESCRIPTIONS[kind] },
      ]),
    ),
    COMPLAINT: {
      value: 'complaint',
      description: 'The recipient marked the message as spam (Cloudflare `message.complained`).',
    },
    OTHER: { value: 'other', description: 'A kind this API does not know yet; see `rawKind`.' },
  } as Record<string, { value: string; description: string }>,
});

const KNOWN_KINDS: readonly string[] = [...MESSAGE_EVENT_KINDS, 'complaint'];

export function kindOf(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  return KNOWN_KINDS.includes(raw) ? raw : 'other';
}

type EventDetails = NonNullable<MessageEvent['details']>;

export const MessageEventDetailsRef = builder.objectRef<EventDetails>('MessageEventDetails').implement({
  description: "What the recipient's server said, when the event carries it.",
  fields: (t) => ({
    agent: t.exposeString('agent', { nullable: true, description: 'Who reported the event, e.g. `DSN`.' }),
    replyCode: t.string({
      nullable: true,
      description: 'The SMTP reply code, e.g. `250`.',
      resolve: (details) =>
        details.reply_code === null || details.reply_code === undefined ? null : String(details.reply_code),
    }),
    deliveryStatus: t.exposeString('delivery_status', {
      nullable: true,
      description: 'The enhanced status code, e.g. `2.0.0`.',
    }),
    smtpResponse: t.exposeString('smtp_response', {
      nullable: true,
      description: 'The full SMTP response line.',
    }),
    remoteHost: t.exposeString('remote_host', {
      nullable: true,
      description: "The recipient's mail server, e.g. `aspmx.l.google.com`.",
    }),
  }),
});

const MessageEventRef = builder.objectRef<MessageEvent>('MessageEvent').implement({
  description: 'One step in the delivery of a message to one recipient.',
  fields: (t) => ({
    kind: t.field({
      type: MessageEventKindEnum,
      description: 'What happened.',
      resolve: (event) => kindOf(event.kind) ?? 'other',
    }),
    rawKind: t.exposeString('kind', { description: 'The kind exactly as CloudMailin reported it.' }),
    timestamp: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it happened.',
      resolve: (event) => dateOrNull(event.timestamp),
    }),
    details: t.field({
      type: MessageEventDetailsRef,
      nullable: true,
      description: 'SMTP details, when the event carries them.',
      resolve: (event) => (event.details && Object.keys(event.details).length > 0 ? event.details : null),
    }),
  }),
});

const OutboundRecipientRef = builder.objectRef<RecipientShape>('OutboundRecipient').implement({
  description: 'One recipient of an outbound message and how delivery to them went.',
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The recipient address.' }),
    lastEvent: t.field({
      type: MessageEventKindEnum,
      nullable: true,
      description: 'The latest event so far.',
      resolve: (recipient) => kindOf(recipient.lastEvent),
    }),
    events: t.field({
      authScopes: { read: true },
      type: [MessageEventRef],
      // Nullable so that a history that cannot be loaded (rate budget spent) fails alone, not the whole list.
      nullable: { list: true, items: false },
      description:
        'Every event so far, oldest first (internal events such as spam checks are left out). Null, with an error in `errors`, when the history could not be loaded.',
      resolve: async (recipient, _args, context) => {
        if (recipient.events) return recipient.events;
        const message = await context.loaders.outboundMessage.load(recipient.messageId);
        const email = recipient.email.toLowerCase();
        const full = message.recipients.find((candidate) => candidate.email.toLowerCase() === email);
        return full?.events ?? [];
      },
    }),
  }),
});

export const OutboundMessageRef = builder.objectRef<OutboundMessage>('OutboundMessage');

builder.node(OutboundMessageRef, {
  description: 'A message sent through CloudMailin, by API or SMTP.',
  id: { resolve: (message) => message.id },
  loadWithoutCache: async (id, context) => {
    return orNull(context.loaders.outboundMessage.load(id));
  },
  fields: (t) => ({
    messageUuid: t.exposeString('id', { description: "CloudMailin's id of the message (a UUID)." }),
    messageIdHeader: t.exposeString('message_id', {
      nullable: true,
      description: 'The Message-ID header, e.g. `<uuid@cloudmta.net>`.',
    }),
    from: t.field({
      type: EmailAddressRef,
      nullable: true,
      description: 'The sender (From).',
      resolve: (message) => parseAddress(message.from),
    }),
    to: t.field({
      type: [EmailAddressRef],
      description: 'The To recipients.',
      resolve: (message) => parseAddresses(message.to),
    }),
    cc: t.field({
      type: [EmailAddressRef],
      description: 'The Cc recipients.',
      resolve: (message) => parseAddresses(message.cc),
    }),
    subject: t.exposeString('subject', { nullable: true, description: 'The subject line.' }),
    tags: t.stringList({
      description: 'Tags given when sending.',
      resolve: (message) => listOf(message.tags),
    }),
    testMode: t.boolean({
      description: 'Whether it was sent in test mode (validated, not delivered).',
      resolve: (message) => message.test_mode === true,
    }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When CloudMailin accepted the message.',
      resolve: (message) => dateOrNull(message.created_at),
    }),
    recipients: t.field({
      type: [OutboundRecipientRef],
      description: 'Each recipient with its delivery events.',
      resolve: async (message, _args, context) => {
        // A list item has no histories: the log's events are laid over its `last_event` (one local read).
        const listed = message.recipients.some((recipient) => recipient.events === undefined);
        const logged = listed ? await context.loaders.outboundMessageLog.load(message.id) : null;
        const sentHere = isLaidOnTop(message);
        return message.recipients.map((recipient): RecipientShape => {
          if (recipient.events !== undefined || logged === null) {
            return {
              messageId: message.id,
              email: recipient.email,
              lastEvent:
                recipient.last_event ?? recipient.events?.[recipient.events.length - 1]?.kind ?? null,
              events: recipient.events,
            };
          }
          const held = logged.get(recipient.email.toLowerCase());
          return {
            messageId: message.id,
            email: recipient.email,
            lastEvent: latestKind(recipient.last_event ?? null, held),
            // The whole history is in the log: no show call for it. A message just sent, not listed yet,
            // has the events the log holds (none before its registration arrives), without a show call.
            events: held?.fromRegistration || sentHere ? (held?.events ?? []).map(wireEvent) : undefined,
          };
        });
      },
    }),
  }),
});

export function outboundMessageIdOf(raw: string, path: string): string {
  return localIdOf(raw, ['OutboundMessage'], path).id;
}

async function fetchOutbound(
  context: Context,
  query: string | null,
  page: number,
): Promise<OutboundMessage[]> {
  const messages = await context.cloudmailin.listOutboundMessages({ query, page });
  // Their fields (from, subject, recipients…), which events do not carry, for answers built from the log.
  const directory = outboundDirectory(context.events);
  for (const message of messages) directory.remember(message);
  return messages;
}

/**
 * A message sent through this process as the list would show it, from what CloudMailin accepted: no
 * Message-ID header yet (CloudMailin's answer to the send has none), created when its acceptance arrived,
 * its recipients the To and Cc addresses (Bcc is not a CloudMailin field), without events.
 */
function sentRow({ message, acceptedAt }: SentRecord): OutboundMessage {
  const emails = new Map<string, string>();
  for (const { address } of [...parseAddresses(message.to), ...parseAddresses(message.cc)]) {
    // One recipient per address whatever its case: where it first appears, as last written (as the emulator).
    if (address !== '') emails.set(address.toLowerCase(), address);
  }
  return {
    id: message.id,
    from: message.from ?? null,
    subject: message.subject ?? null,
    message_id: null,
    to: message.to ?? [],
    cc: message.cc ?? [],
    tags: message.tags ?? [],
    test_mode: message.test_mode ?? false,
    created_at: new Date(acceptedAt).toISOString(),
    recipients: [...emails.values()].map((email) => ({ email, last_event: null })),
  };
}

export const OutboundMessageConnection = connectionOf(
  OutboundMessageRef,
  'OutboundMessage',
  'outbound messages',
);

builder.queryFields((t) => ({
  outboundMessages: t.field({
    type: OutboundMessageConnection,
    nullable: true,
    description: 'Messages sent through CloudMailin, newest first.',
    args: {
      ...forwardPageArgs,
      query: t.arg.string({ description: 'Search recipients, message id or subject.' }),
    },
    authScopes: { read: true },
    resolve: (_root, args, context, info) => {
      const q = searchQueryOf(args.query);
      const pages = {
        pageSize: context.cloudmailin.pageSizeMemory('/outbound_messages'),
        fetchPage: (page: number) => fetchOutbound(context, q, page),
      };
      return paginateUpstream<OutboundMessage>(
        {
          identity: `cloudmailin:outbound_messages?query=${q ?? ''}`,
          paged: true,
          key: (message) => message.id,
          time: (message) => dateOrNull(message.created_at)?.getTime() ?? null,
          // Whether a filtered list would show a sent message is the provider's search to say.
          ...(q === null
            ? withSentOnFirstPage(pages, () => context.cloudmailin.recentSends().map(sentRow))
            : pages),
        },
        args,
        { exactEnd: asksHasNextPage(info) },
      );
    },
  }),
  outboundMessage: t.field({
    type: OutboundMessageRef,
    nullable: true,
    description:
      'One outbound message with the full event history of each recipient; null when it does not exist.',
    args: {
      id: t.arg.id({ required: true, description: 'A global id or a CloudMailin message id (UUID).' }),
    },
    authScopes: { read: true },
    resolve: (_root, args, context) => {
      return orNull(context.loaders.outboundMessage.load(outboundMessageIdOf(String(args.id), 'id')));
    },
  }),
}));
