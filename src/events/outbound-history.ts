/**
 * What the event log knows of CloudMailin outbound messages, for the outbound reads (src/loaders.ts,
 * src/schema/outbound-message.ts): each recipient's delivery events as the show endpoint lists them,
 * whether the log holds them from the first one (`registration`) on, and how they combine with what the
 * provider answered earlier (a cached list's `last_event`, a cached show's history). Events carry no
 * message fields (from, subject, recipients…), so a small directory keeps those of the messages mailgraph
 * has listed or shown, to build a whole message from the log without a show call. Messages sent through
 * this process that the cached list page does not show yet are laid on top of it (`withSentOnFirstPage`),
 * their recipients' events from the log alone.
 *
 * A read of the log (`EventLog.read` by topic), a directory, and pure functions; the log's interface is
 * unchanged.
 */
import type { MessageEvent, OutboundMessage } from '../upstream/cloudmailin-wire.js';
import type { PageSizeMemory } from '../upstream/core.js';
import type { EventLog, StoredEvent } from './log.js';
import { type MessageEventPayload, messageTopic } from './normalize.js';

/** One delivery event of one recipient, as the log holds it. */
export interface LoggedEvent {
  kind: string;
  /** The provider's time of the event, when the webhook gave one. */
  timestamp: string | null;
  /** When mailgraph stored it (ms). */
  receivedAt: number;
  details: MessageEvent['details'];
}

export interface RecipientLog {
  /** Oldest first: by the provider's time (else the time stored), then in log order. */
  events: LoggedEvent[];
  /** Whether the log holds this recipient's `registration`, and so its whole history. */
  fromRegistration: boolean;
}

/** What the log holds of one message, per recipient (lower case). */
export type MessageLog = ReadonlyMap<string, RecipientLog>;

export const EMPTY_MESSAGE_LOG: MessageLog = new Map();

const PAGE = 500;

const timeOf = (event: LoggedEvent): number =>
  event.timestamp === null ? event.receivedAt : Date.parse(event.timestamp);

/** Every CloudMailin event the log holds for `messageId`, per recipient, oldest first. */
export async function readMessageLog(log: EventLog, messageId: string): Promise<MessageLog> {
  const byRecipient = new Map<string, RecipientLog>();
  let after: string | null = null;
  for (;;) {
    const page: StoredEvent[] = await log.read({ topic: messageTopic(messageId), after, limit: PAGE });
    for (const stored of page) {
      if (stored.type !== 'message_event') continue;
      const payload = stored.payload as MessageEventPayload;
      if (payload.provider !== 'CLOUDMAILIN' || payload.messageId !== messageId) continue;
      const recipient = payload.recipient.toLowerCase();
      const entry = byRecipient.get(recipient) ?? { events: [], fromRegistration: false };
      entry.events.push({
        kind: payload.rawKind,
        timestamp: payload.timestamp,
        receivedAt: stored.receivedAt,
        details: payload.details,
      });
      if (payload.rawKind === 'registration') entry.fromRegistration = true;
      byRecipient.set(recipient, entry);
    }
    const last = page.at(-1);
    if (page.length < PAGE || last === undefined) break;
    after = last.position;
  }
  // Array.prototype.sort is stable: events of the same time keep the order they were stored in.
  for (const entry of byRecipient.values()) entry.events.sort((a, b) => timeOf(a) - timeOf(b));
  return byRecipient;
}

/** In the show endpoint's shape; without a provider time, the time mailgraph stored it. */
export function wireEvent(event: LoggedEvent): MessageEvent {
  const details = Object.fromEntries(
    Object.entries(event.details ?? {}).filter(([, value]) => value !== null && value !== undefined),
  );
  return {
    kind: event.kind,
    timestamp: event.timestamp ?? new Date(event.receivedAt).toISOString(),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

/**
 * A recipient's last event, given what a (possibly cached) list says and what the log holds. With the
 * whole history in the log, the log is the truth, except that a kind the list shows and the log has not
 * got yet is an event whose webhook is still on its way: the list knows more. With part of it (the log
 * started later), the list's kind predates the log, whose latest event is the news.
 */
export function latestKind(listed: string | null, logged: RecipientLog | undefined): string | null {
  const last = logged?.events.at(-1)?.kind;
  if (logged === undefined || last === undefined) return listed;
  if (listed === null || !logged.fromRegistration) return last;
  return logged.events.some((event) => event.kind === listed) ? last : listed;
}

const sameTime = (a: string | null | undefined, b: string | null | undefined): boolean =>
  a != null && b != null && Date.parse(a) === Date.parse(b);

/**
 * A history the provider showed, with the events the log holds that it lacks (arrived after it was
 * fetched), in time order. An event is the same when kind and time agree; a logged event without a
 * provider time stands for one shown event of its kind not matched otherwise.
 */
export function mergeEvents(shown: readonly MessageEvent[], logged: readonly LoggedEvent[]): MessageEvent[] {
  const matched = new Set<number>();
  const added: MessageEvent[] = [];
  for (const event of logged) {
    const index = shown.findIndex(
      (candidate, i) =>
        !matched.has(i) &&
        candidate.kind === event.kind &&
        (event.timestamp === null || sameTime(candidate.timestamp, event.timestamp)),
    );
    if (index >= 0) matched.add(index);
    else added.push(wireEvent(event));
  }
  if (added.length === 0) return [...shown];
  const merged = [...shown, ...added];
  const times = merged.map((event) => Date.parse(event.timestamp ?? ''));
  if (times.some(Number.isNaN)) return merged;
  return merged
    .map((event, i) => ({ event, time: times[i] as number }))
    .sort((a, b) => a.time - b.time)
    .map(({ event }) => event);
}

/** A shown message with what the log holds beyond it; the same object when the log adds nothing. */
export function withLoggedEvents(message: OutboundMessage, log: MessageLog): OutboundMessage {
  if (log.size === 0) return message;
  let changed = false;
  const recipients = message.recipients.map((recipient) => {
    const logged = log.get(recipient.email.toLowerCase());
    if (logged === undefined || recipient.events === undefined) return recipient;
    const events = mergeEvents(recipient.events, logged.events);
    if (events.length === recipient.events.length) return recipient;
    changed = true;
    return { ...recipient, events, last_event: events.at(-1)?.kind ?? recipient.last_event };
  });
  return changed ? { ...message, recipients } : message;
}

/** A message's own fields, without its recipients' events. */
export type OutboundSummary = Omit<OutboundMessage, 'recipients'> & { recipients: Array<{ email: string }> };

/**
 * The whole message from the log, as the show endpoint would answer it: when the log holds every
 * recipient's history from `registration` on; otherwise null (a show call is needed).
 */
export function messageFromLog(summary: OutboundSummary, log: MessageLog): OutboundMessage | null {
  if (summary.recipients.length === 0) return null;
  const recipients: OutboundMessage['recipients'] = [];
  for (const { email } of summary.recipients) {
    const logged = log.get(email.toLowerCase());
    if (!logged?.fromRegistration) return null;
    const events = logged.events.map(wireEvent);
    recipients.push({ email, last_event: events.at(-1)?.kind ?? null, events });
  }
  return { ...summary, recipients };
}

/**
 * Rows of the messages mailgraph sent that a list page does not show, laid on top of it in the order
 * given (newest first). A row the page lists is the page's: the provider's fields win. Which sent
 * messages may still be missing from the page is the client's to say (`CloudMailinClient.recentSends`).
 * The rows laid on top are marked (`isLaidOnTop`): their recipients' events come from the log alone.
 */
export function laySentOnTop(
  page: readonly OutboundMessage[],
  sent: readonly OutboundMessage[],
): OutboundMessage[] {
  if (sent.length === 0) return [...page];
  const listed = new Set(page.map((message) => message.id));
  const onTop = sent.filter((message) => !listed.has(message.id));
  for (const message of onTop) laidOnTop.add(message);
  return [...onTop, ...page];
}

/** A list's pages and what it learns of their size, as `paginateUpstream` (src/schema/pagination.ts) takes them. */
export interface ListPages {
  fetchPage(page: number): Promise<OutboundMessage[]>;
  pageSize: PageSizeMemory;
}

/**
 * The list with `sent()` laid on top of every page 1 the walk reads (`laySentOnTop`), whether or not it
 * starts there, so that a cursor of a row laid on top finds it on page 1 (or finds it gone) like any
 * other row. The page-size memory learns the provider's rows only, and the end of the list is judged on
 * them: a walk calls `saw` and then `longest` right after each `fetchPage`, and `length < longest` must
 * say of the merged page what it says of the provider's (short, or empty).
 */
export function withSentOnFirstPage(list: ListPages, sent: () => OutboundMessage[]): ListPages {
  let laid = 0;
  let listed = 0;
  return {
    fetchPage: async (page) => {
      laid = 0;
      listed = 0;
      const rows = await list.fetchPage(page);
      listed = rows.length;
      if (page !== 1) return rows;
      const merged = laySentOnTop(rows, sent());
      laid = merged.length - rows.length;
      return merged;
    },
    pageSize: {
      saw: (length) => list.pageSize.saw(length - laid),
      longest: () => laid + (laid > 0 && listed === 0 ? 1 : list.pageSize.longest()),
    },
  };
}

const laidOnTop = new WeakSet<OutboundMessage>();

/** Whether this row is a sent message laid over a list page (`laySentOnTop`), not one the provider listed. */
export function isLaidOnTop(message: OutboundMessage): boolean {
  return laidOnTop.has(message);
}

/** The fields of the messages mailgraph has listed or shown, newest use last, at most `limit`. */
export class OutboundDirectory {
  private readonly entries = new Map<string, OutboundSummary>();

  constructor(private readonly limit = 10_000) {}

  get(id: string): OutboundSummary | undefined {
    const summary = this.entries.get(id);
    if (summary !== undefined) {
      this.entries.delete(id);
      this.entries.set(id, summary);
    }
    return summary;
  }

  remember(message: OutboundMessage): void {
    // A message's fields never change: one already known is only marked as used.
    if (this.get(message.id) !== undefined) return;
    const { recipients, ...fields } = message;
    this.entries.set(message.id, {
      ...structuredClone(fields),
      recipients: recipients.map(({ email }) => ({ email })),
    });
    while (this.entries.size > this.limit) {
      const eldest = this.entries.keys().next();
      if (eldest.done) break;
      this.entries.delete(eldest.value);
    }
  }
}

/**
 * One directory per event log: the messages it describes are the ones its events are about. Held in this
 * process only; a message's fields never change, so an instance that has not seen a message makes one
 * show call, as it would have anyway.
 */
const directories = new WeakMap<EventLog, OutboundDirectory>();

export function outboundDirectory(log: EventLog): OutboundDirectory {
  let directory = directories.get(log);
  if (directory === undefined) {
    directory = new OutboundDirectory();
    directories.set(log, directory);
  }
  return directory;
}
