/**
 * Outbound messages: mail sent through CloudMailin (API or SMTP), each recipient with its delivery events.
 * The list carries each recipient's last event only; the full history comes from the show endpoint,
 * fetched once per message per request (DataLoader) and shared across requests (upstream cache).
 */
import type { Context } from '../context.js';
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
        const full = message.recipients.find((candidate) => candidate.email === recipient.email);
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
      resolve: (message) =>
        message.recipients.map((recipient) => ({
          messageId: message.id,
          email: recipient.email,
          lastEvent: recipient.last_event ?? recipient.events?.[recipient.events.length - 1]?.kind ?? null,
          events: recipient.events,
        })),
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
  return await context.cloudmailin.listOutboundMessages({ query, page });
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
      return paginateUpstream<OutboundMessage>(
        {
          identity: `cloudmailin:outbound_messages?query=${q ?? ''}`,
          paged: true,
          pageSize: context.cloudmailin.pageSizeMemory('/outbound_messages'),
          key: (message) => message.id,
          time: (message) => dateOrNull(message.created_at)?.getTime() ?? null,
          fetchPage: (page) => fetchOutbound(context, q, page),
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
