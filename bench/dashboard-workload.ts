/**
 * The dashboard workload of issue 9: clients polling the 20 newest outbound messages with every
 * recipient's events while new messages are sent and the event webhook flows. Time passes through
 * `wait`, so the one driver serves a test on a hand-moved clock (test/outbound-workload.test.ts) and a
 * benchmark in real time. It counts (polls, failures by code, stale answers, events a poll missed); given a
 * clock (`deps.now`, the benchmark's real one) it also notes when each event was first shown, which the
 * benchmark reports and no test asserts.
 */

export const DASHBOARD_QUERY =
  'query Dashboard { outboundMessages(first: 20) { nodes { messageUuid recipients { email lastEvent events { kind } } } } }';

/** The same 20 newest messages without the event histories (each recipient's `lastEvent` only). */
export const LIST_QUERY =
  'query DashboardList { outboundMessages(first: 20) { nodes { messageUuid recipients { email lastEvent } } } }';

export interface PollAnswer {
  data?: {
    outboundMessages: {
      nodes: Array<{
        messageUuid: string;
        recipients: Array<{
          email: string;
          lastEvent: string | null;
          events: Array<{ kind: string }> | null;
        }>;
      }>;
    } | null;
  } | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

/** One event the events webhook acknowledged (mailgraph stored it). */
export interface AcknowledgedEvent {
  messageId: string;
  recipient: string;
  kind: string;
  /** When it was acknowledged (ms, on `WorkloadDeps.now`'s clock), when the deps know. */
  at?: number;
}

export interface WorkloadDeps {
  /**
   * One client's poll: `DASHBOARD_QUERY`, or `LIST_QUERY` for the clients `WorkloadOptions.listOnly` names
   * (`client` counts from 0 within a round).
   */
  poll(client: number): Promise<PollAnswer>;
  /** Sends one new message; resolves its CloudMailin id. */
  send(index: number): Promise<string>;
  /** Lets `ms` pass, with whatever falls due in it (webhook playback), and waits for its POSTs to be answered. */
  wait(ms: number): Promise<void>;
  /** Every event the events webhook has acknowledged so far. */
  acknowledged(): AcknowledgedEvent[];
  /** The clock of `AcknowledgedEvent.at`; with it, the report says how soon each event was shown. */
  now?(): number;
}

export interface WorkloadOptions {
  durationMs: number;
  pollIntervalMs: number;
  sendIntervalMs: number;
  /** Clients polling at once (each poll round runs them together). Default 1. */
  clients?: number;
  /** Messages sent before the first poll, so the first page is messages the webhook told mailgraph about. */
  initialSends?: number;
  /**
   * The clients that poll `LIST_QUERY` (no histories): their answers are checked for the messages they list
   * and for each recipient's `lastEvent` being the last event acknowledged for it.
   */
  listOnly?: (client: number) => boolean;
}

/** When an acknowledged event was first shown by a poll with histories (`deps.now` given). */
export interface Visibility {
  messageId: string;
  recipient: string;
  kind: string;
  acknowledgedAt: number;
  /** The end of the first poll whose answer showed it; null when none did. */
  shownAt: number | null;
}

export interface WorkloadReport {
  polls: number;
  /** Polls with any entry in `errors`. */
  failedPolls: number;
  errorCodes: Record<string, number>;
  /** Polls answered (in part) from an expired cache entry (`extensions.stale`). */
  stalePolls: number;
  sent: string[];
  /**
   * Acknowledged events of messages among the 20 newest that the first poll after their acknowledgement
   * did not show (the message missing, or the recipient's events without it), or shown with a `lastEvent`
   * that is not the last of its events.
   */
  missed: Array<AcknowledgedEvent & { poll: number; reason: string }>;
  /** Messages among the 20 newest sent that a poll after their send did not list (events or not). */
  unlisted: Array<{ messageId: string; poll: number }>;
  /** Polls of `LIST_QUERY` among `polls`. */
  listPolls: number;
  /** With `deps.now`: each acknowledged event of a message sent during the run, and when it was shown. */
  visibility: Visibility[];
}

export async function runDashboardWorkload(
  deps: WorkloadDeps,
  options: WorkloadOptions,
): Promise<WorkloadReport> {
  const clients = options.clients ?? 1;
  const report: WorkloadReport = {
    polls: 0,
    failedPolls: 0,
    errorCodes: {},
    stalePolls: 0,
    sent: [],
    missed: [],
    unlisted: [],
    listPolls: 0,
    visibility: [],
  };
  const listOnly = options.listOnly ?? (() => false);
  const now = deps.now;
  /** First time each event (message, recipient, kind) was shown by a poll with histories. */
  const shown = new Map<string, number>();
  const eventKey = (messageId: string, recipient: string, kind: string) =>
    `${messageId}\n${recipient.toLowerCase()}\n${kind.toLowerCase()}`;
  let index = 0;
  for (let i = 0; i < (options.initialSends ?? 0); i += 1) report.sent.push(await deps.send(index++));
  if ((options.initialSends ?? 0) > 0) await deps.wait(options.pollIntervalMs);

  let nextSend = 0;
  for (let elapsed = 0; elapsed < options.durationMs; elapsed += options.pollIntervalMs) {
    if (elapsed >= nextSend) {
      report.sent.push(await deps.send(index++));
      nextSend += options.sendIntervalMs;
    }
    await deps.wait(options.pollIntervalMs);
    // What was acknowledged before the poll started must show in its answer.
    const newest = new Set(report.sent.slice(-20));
    const expected = deps.acknowledged().filter((event) => newest.has(event.messageId));
    const answers = await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        const answer = await deps.poll(client);
        return { answer, client, at: now?.() ?? 0 };
      }),
    );
    for (const { answer, client, at } of answers) {
      report.polls += 1;
      if (listOnly(client)) {
        report.listPolls += 1;
        checkList(answer, expected, report);
      } else {
        check(answer, expected, report);
        if (now) {
          for (const node of answer.data?.outboundMessages?.nodes ?? []) {
            for (const recipient of node.recipients) {
              for (const event of recipient.events ?? []) {
                const key = eventKey(node.messageUuid, recipient.email, event.kind);
                const first = shown.get(key);
                if (first === undefined || at < first) shown.set(key, at);
              }
            }
          }
        }
      }
      const listed = new Set((answer.data?.outboundMessages?.nodes ?? []).map((node) => node.messageUuid));
      for (const messageId of newest) {
        if (!listed.has(messageId)) report.unlisted.push({ messageId, poll: report.polls });
      }
    }
  }
  if (now) {
    const duringRun = new Set(report.sent.slice(options.initialSends ?? 0));
    for (const event of deps.acknowledged()) {
      if (!duringRun.has(event.messageId) || event.at === undefined) continue;
      report.visibility.push({
        messageId: event.messageId,
        recipient: event.recipient,
        kind: event.kind,
        acknowledgedAt: event.at,
        shownAt: shown.get(eventKey(event.messageId, event.recipient, event.kind)) ?? null,
      });
    }
  }
  return report;
}

/** A `LIST_QUERY` answer: errors, staleness, and each recipient's `lastEvent` against the last acknowledged. */
function checkList(answer: PollAnswer, expected: AcknowledgedEvent[], report: WorkloadReport): void {
  const poll = report.polls;
  if (answer.errors && answer.errors.length > 0) {
    report.failedPolls += 1;
    for (const error of answer.errors) {
      const code = String(error.extensions?.code ?? 'NONE');
      report.errorCodes[code] = (report.errorCodes[code] ?? 0) + 1;
    }
  }
  if (answer.extensions?.stale === true) report.stalePolls += 1;
  const nodes = new Map((answer.data?.outboundMessages?.nodes ?? []).map((node) => [node.messageUuid, node]));
  // The last acknowledged event of each recipient (acknowledged in order).
  const last = new Map<string, AcknowledgedEvent>();
  for (const event of expected) last.set(`${event.messageId}\n${event.recipient.toLowerCase()}`, event);
  for (const event of last.values()) {
    const recipient = nodes
      .get(event.messageId)
      ?.recipients.find((r) => r.email.toLowerCase() === event.recipient.toLowerCase());
    if (!recipient) report.missed.push({ ...event, poll, reason: 'message or recipient not listed' });
    else if (recipient.lastEvent?.toLowerCase() !== event.kind.toLowerCase()) {
      report.missed.push({
        ...event,
        poll,
        reason: `lastEvent ${recipient.lastEvent}, last acknowledged ${event.kind}`,
      });
    }
  }
}

function check(answer: PollAnswer, expected: AcknowledgedEvent[], report: WorkloadReport): void {
  const poll = report.polls;
  if (answer.errors && answer.errors.length > 0) {
    report.failedPolls += 1;
    for (const error of answer.errors) {
      const code = String(error.extensions?.code ?? 'NONE');
      report.errorCodes[code] = (report.errorCodes[code] ?? 0) + 1;
    }
  }
  if (answer.extensions?.stale === true) report.stalePolls += 1;
  const nodes = new Map((answer.data?.outboundMessages?.nodes ?? []).map((node) => [node.messageUuid, node]));
  // Per message and recipient: how many of each kind were acknowledged, against how many are shown.
  const wanted = new Map<string, AcknowledgedEvent[]>();
  for (const event of expected) {
    const key = `${event.messageId}\n${event.recipient.toLowerCase()}`;
    wanted.set(key, [...(wanted.get(key) ?? []), event]);
  }
  for (const events of wanted.values()) {
    const first = events[0] as AcknowledgedEvent;
    const node = nodes.get(first.messageId);
    const recipient = node?.recipients.find((r) => r.email.toLowerCase() === first.recipient.toLowerCase());
    if (!recipient) {
      for (const event of events)
        report.missed.push({ ...event, poll, reason: 'message or recipient not listed' });
      continue;
    }
    const shown = (recipient.events ?? []).map((event) => event.kind.toLowerCase());
    for (const event of events) {
      const at = shown.indexOf(event.kind);
      if (at < 0) report.missed.push({ ...event, poll, reason: 'not among the events' });
      else shown.splice(at, 1);
    }
    const last = recipient.events?.at(-1)?.kind ?? null;
    if (recipient.lastEvent !== last) {
      report.missed.push({
        ...first,
        poll,
        reason: `lastEvent ${recipient.lastEvent} but last event ${last}`,
      });
    }
  }
}
