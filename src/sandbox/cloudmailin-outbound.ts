/**
 * Outbound messages as the emulator keeps them: every recipient carries its whole planned event
 * timeline, and what a read shows is the part of it the emulator clock has reached. No timers run, so
 * a test with a fake clock sees exactly the events it advanced to.
 */
import type { MessageEvent, OutboundMessage } from '../upstream/cloudmailin-wire.js';

export interface PlannedEvent {
  kind: string;
  at: number;
  details: Record<string, string>;
}

export interface OutboundRecipientRecord {
  email: string;
  events: PlannedEvent[];
}

export interface OutboundRecord {
  id: string;
  from: string;
  subject: string | null;
  to: string[];
  cc: string[];
  tags: string[];
  createdAt: number;
  recipients: OutboundRecipientRecord[];
  /** Demo history happened before the emulator started: it shows in full whatever the injected clock says. */
  historical: boolean;
}

/** The show endpoint excludes these ("Internal events (process, spamd, complaint) are excluded"). */
const INTERNAL_KINDS = new Set(['process', 'spamd', 'complaint']);

/** Whether the show endpoint (and so the events webhook) leaves `kind` out. */
export function isInternalKind(kind: string): boolean {
  return INTERNAL_KINDS.has(kind);
}

/** When a freshly sent message's events happen, in ms after it was accepted. */
export interface OutboundTimeline {
  dispatch: number;
  /** delivery, bounce or the first soft_bounce */
  outcome: number;
  /** the delivery that follows a soft_bounce */
  retriedDelivery: number;
}

/**
 * The default: a few hundred ms apart, so that a person watching a subscription in GraphiQL sees each
 * event arrive on its own; tests zero them (`SandboxOptions.cloudmailinTimelineMs`) or move a fake clock.
 */
export const OUTBOUND_TIMELINE_MS: Readonly<OutboundTimeline> = Object.freeze({
  dispatch: 400,
  outcome: 800,
  retriedDelivery: 60_000,
});

export function remoteHostFor(email: string): string {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (domain === 'gmail.com' || domain === 'googlemail.com') return 'aspmx.l.google.com';
  return `mx.${domain}`;
}

export function deliveryDetails(email: string, messageId: string): Record<string, string> {
  return {
    agent: 'DSN',
    reply_code: '250',
    delivery_status: '2.0.0',
    smtp_response: `250 2.0.0 OK ${messageId.slice(0, 8)} - queued`,
    remote_host: remoteHostFor(email),
  };
}

export function bounceDetails(email: string): Record<string, string> {
  return {
    agent: 'DSN',
    reply_code: '550',
    delivery_status: '5.1.1',
    smtp_response: `550 5.1.1 <${email}>: Recipient address rejected: User unknown in virtual mailbox table`,
    remote_host: remoteHostFor(email),
  };
}

export function softBounceDetails(email: string): Record<string, string> {
  return {
    agent: 'DSN',
    reply_code: '421',
    delivery_status: '4.7.0',
    smtp_response: '421 4.7.0 Temporary System Problem. Try again later.',
    remote_host: remoteHostFor(email),
  };
}

/**
 * The timeline of a message sent through the emulator (`t`): registration now, then dispatch, then
 * delivery, unless the address contains "bounce" (a hard bounce) or "defer" (a soft_bounce, then
 * delivery on the retry). An internal `spamd` event is planned too, to exercise the show filter.
 */
export function planSentEvents(
  email: string,
  messageId: string,
  sentAt: number,
  t: Readonly<OutboundTimeline> = OUTBOUND_TIMELINE_MS,
): PlannedEvent[] {
  const local = email.toLowerCase();
  const events: PlannedEvent[] = [
    { kind: 'registration', at: sentAt, details: {} },
    { kind: 'spamd', at: sentAt + t.dispatch / 2, details: {} },
    { kind: 'dispatch', at: sentAt + t.dispatch, details: { remote_host: remoteHostFor(email) } },
  ];
  if (local.includes('bounce')) {
    events.push({ kind: 'bounce', at: sentAt + t.outcome, details: bounceDetails(email) });
  } else if (local.includes('defer')) {
    events.push({ kind: 'soft_bounce', at: sentAt + t.outcome, details: softBounceDetails(email) });
    events.push({
      kind: 'delivery',
      at: sentAt + t.retriedDelivery,
      details: deliveryDetails(email, messageId),
    });
  } else {
    events.push({ kind: 'delivery', at: sentAt + t.outcome, details: deliveryDetails(email, messageId) });
  }
  return events;
}

function visibleEvents(
  record: OutboundRecord,
  recipient: OutboundRecipientRecord,
  now: number,
): PlannedEvent[] {
  return recipient.events
    .filter((event) => !INTERNAL_KINDS.has(event.kind) && (record.historical || event.at <= now))
    .sort((a, b) => a.at - b.at);
}

function baseView(record: OutboundRecord): Omit<OutboundMessage, 'recipients'> {
  return {
    id: record.id,
    from: record.from,
    subject: record.subject,
    message_id: `<${record.id}@cloudmta.net>`,
    to: [...record.to],
    cc: [...record.cc],
    tags: [...record.tags],
    test_mode: false,
    created_at: new Date(record.createdAt).toISOString(),
  };
}

/** The list shape: each recipient's `email` and `last_event` only. */
export function summaryView(record: OutboundRecord, now: number): OutboundMessage {
  return {
    ...baseView(record),
    recipients: record.recipients.map((recipient) => ({
      email: recipient.email,
      last_event: visibleEvents(record, recipient, now).at(-1)?.kind ?? null,
    })),
  };
}

/** The show shape: every recipient's visible events, chronological. */
export function detailView(record: OutboundRecord, now: number): OutboundMessage {
  return {
    ...baseView(record),
    recipients: record.recipients.map((recipient) => {
      const events = visibleEvents(record, recipient, now).map(
        (event): MessageEvent => ({
          kind: event.kind,
          timestamp: new Date(event.at).toISOString(),
          details: { ...event.details },
        }),
      );
      return { email: recipient.email, last_event: events.at(-1)?.kind ?? null, events };
    }),
  };
}

export function lastEvents(record: OutboundRecord, now: number): string[] {
  return record.recipients.flatMap((recipient) => visibleEvents(record, recipient, now).at(-1)?.kind ?? []);
}
