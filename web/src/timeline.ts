/**
 * How delivery events join the messages the page shows. Pure functions (no DOM), so that the cache updater
 * and the Outbound view agree, and so that they can be tested without a browser.
 *
 * The graph relates them by the provider's message id: `DeliveryEvent.messageId` is CloudMailin's UUID
 * (`OutboundMessage.messageUuid`, `SentEmail.messageId`) or Cloudflare's Message-ID (`SentEmail.messageId`,
 * angle brackets included). Cloudflare has no list of sent messages, so its messages are known to the page
 * only from its own sends and from their events.
 */
import type {
  EmailProvider,
  MessageEventKind,
  MessageEventsSubscription,
  OutboundMessageFieldsFragment,
  RecipientTimelinesFragment,
  SendEmailMutation,
} from './gql/graphql.js';

export type DeliveryEventFields = MessageEventsSubscription['messageEvents'];
type Recipient = RecipientTimelinesFragment['recipients'][number];
type TimelineEvent = NonNullable<Recipient['events']>[number];
export type SentEmailFields = Extract<
  SendEmailMutation['sendEmail'],
  { __typename: 'SendEmailPayload' }
>['email'];

/** A message the page sent, with when (by this browser's clock). */
export interface SentByPage {
  email: SentEmailFields;
  sentAt: string;
}

/** The most events kept from the stream (the newest), so that a long session stays light. */
export const EVENTS_KEPT = 2000;

function time(value: string | null | undefined): number {
  const parsed = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? 0 : parsed;
}

/** Oldest first; events without a time keep their place. */
function byTimestamp(a: { timestamp?: string | null }, b: { timestamp?: string | null }): number {
  return a.timestamp && b.timestamp ? time(a.timestamp) - time(b.timestamp) : 0;
}

/** The same step of a recipient's history, whether it came with the list or live. */
function sameEvent(a: TimelineEvent, b: DeliveryEventFields): boolean {
  return a.kind === b.kind && a.rawKind === b.rawKind && time(a.timestamp) === time(b.timestamp);
}

function asTimelineEvent(event: DeliveryEventFields): TimelineEvent {
  return {
    __typename: 'MessageEvent',
    kind: event.kind,
    rawKind: event.rawKind,
    timestamp: event.timestamp ?? null,
    details: event.details
      ? {
          __typename: 'MessageEventDetails',
          replyCode: event.details.replyCode ?? null,
          smtpResponse: event.details.smtpResponse ?? null,
          remoteHost: event.details.remoteHost ?? null,
          deliveryStatus: event.details.deliveryStatus ?? null,
        }
      : null,
  };
}

/**
 * The message's timelines with `event` laid in (in time order, `lastEvent` the latest), or null when it
 * holds that event already: a replayed event, or one the list brought from the event log.
 */
export function withEvent(
  message: RecipientTimelinesFragment,
  event: DeliveryEventFields,
): RecipientTimelinesFragment | null {
  const recipient = event.recipient.toLowerCase();
  let found = false;
  let changed = false;
  const recipients = message.recipients.map((current): Recipient => {
    if (current.email.toLowerCase() !== recipient) return current;
    found = true;
    const events = current.events ?? [];
    if (events.some((known) => sameEvent(known, event))) return current;
    changed = true;
    const next = [...events, asTimelineEvent(event)].sort(byTimestamp);
    return { ...current, events: next, lastEvent: next[next.length - 1]?.kind ?? event.kind };
  });
  if (!found) {
    changed = true;
    recipients.push({
      __typename: 'OutboundRecipient',
      email: event.recipient,
      lastEvent: event.kind,
      events: [asTimelineEvent(event)],
    });
  }
  return changed ? { ...message, recipients } : null;
}

/** `known` with the events of `incoming` it lacks (by cursor), the newest `EVENTS_KEPT`. */
export function mergeEvents(
  known: readonly DeliveryEventFields[],
  incoming: DeliveryEventFields,
): DeliveryEventFields[] {
  if (known.some((event) => event.cursor === incoming.cursor)) return known as DeliveryEventFields[];
  const next = [...known, incoming];
  return next.length > EVENTS_KEPT ? next.slice(next.length - EVENTS_KEPT) : next;
}

export interface RecipientRow {
  email: string;
  lastEvent: MessageEventKind | null;
  /** Oldest first; null when the provider's history could not be loaded. */
  events: TimelineEvent[] | null;
  /** Cloudflare's immediate outcome of the send, when the page sent it. */
  outcome: 'delivered' | 'queued' | 'bounced' | null;
}

export interface MessageRow {
  key: string;
  provider: EmailProvider;
  messageId: string | null;
  subject: string | null;
  from: string | null;
  /** When it was sent (CloudMailin's time, the page's send, or the first event). */
  at: string | null;
  testMode: boolean;
  /** Where the page knows it from: CloudMailin's list, a send from this page, or events alone. */
  source: 'list' | 'sent' | 'events';
  recipients: RecipientRow[];
}

function mailbox(address: { address: string; name?: string | null } | null | undefined): string | null {
  if (!address) return null;
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

function listedRow(message: OutboundMessageFieldsFragment): MessageRow {
  return {
    key: `CLOUDMAILIN:${message.messageUuid}`,
    provider: 'CLOUDMAILIN',
    messageId: message.messageUuid,
    subject: message.subject ?? null,
    from: mailbox(message.from),
    at: message.createdAt ?? null,
    testMode: message.testMode,
    source: 'list',
    recipients: message.recipients.map((recipient) => ({
      email: recipient.email,
      lastEvent: recipient.lastEvent ?? null,
      events: recipient.events ?? null,
      outcome: null,
    })),
  };
}

/**
 * What the Outbound view lists, newest first: CloudMailin's listed messages (from the normalized cache,
 * where live events are already laid in), then every other message the page knows of: its own sends and
 * the messages seen in `messageEvents` (Cloudflare's, and CloudMailin's beyond the listed page), each
 * with the timelines its events make.
 */
export function messageRows(
  listed: readonly OutboundMessageFieldsFragment[],
  sent: readonly SentByPage[],
  events: readonly DeliveryEventFields[],
): MessageRow[] {
  const rows = new Map<string, MessageRow>();
  for (const message of listed) rows.set(`CLOUDMAILIN:${message.messageUuid}`, listedRow(message));
  sent.forEach(({ email, sentAt }, index) => {
    const key = email.messageId ? `${email.provider}:${email.messageId}` : `sent:${index}`;
    if (rows.has(key)) return;
    const delivery = email.delivery;
    const outcome = (address: string): RecipientRow['outcome'] => {
      if (!delivery) return null;
      if (delivery.permanentBounces.includes(address)) return 'bounced';
      if (delivery.queued.includes(address)) return 'queued';
      if (delivery.delivered.includes(address)) return 'delivered';
      return null;
    };
    rows.set(key, {
      key,
      provider: email.provider,
      messageId: email.messageId ?? null,
      subject: email.subject ?? null,
      from: mailbox(email.from),
      at: sentAt,
      testMode: email.testMode,
      source: 'sent',
      recipients: email.to.map((to) => ({
        email: to.address,
        lastEvent: null,
        events: [],
        outcome: outcome(to.address),
      })),
    });
  });
  for (const event of events) {
    const key = `${event.provider}:${event.messageId}`;
    let row = rows.get(key);
    if (row?.source === 'list') continue;
    if (!row) {
      row = {
        key,
        provider: event.provider,
        messageId: event.messageId,
        subject: null,
        from: null,
        at: event.timestamp ?? event.receivedAt,
        testMode: false,
        source: 'events',
        recipients: [],
      };
      rows.set(key, row);
    }
    const email = event.recipient.toLowerCase();
    let recipient = row.recipients.find((candidate) => candidate.email.toLowerCase() === email);
    if (!recipient) {
      recipient = { email: event.recipient, lastEvent: null, events: [], outcome: null };
      row.recipients.push(recipient);
    }
    const timeline = recipient.events ?? [];
    if (timeline.some((known) => sameEvent(known, event))) continue;
    recipient.events = [...timeline, asTimelineEvent(event)].sort(byTimestamp);
    recipient.lastEvent = recipient.events[recipient.events.length - 1]?.kind ?? event.kind;
  }
  return [...rows.values()].sort((a, b) => time(b.at) - time(a.at));
}
