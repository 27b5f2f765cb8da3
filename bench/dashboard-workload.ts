/**
 * The dashboard workload of issue 9: clients polling the 20 newest outbound messages with every
 * recipient's events while new messages are sent and the event webhook flows. Time passes through
 * `wait`, so the one driver serves a test on a hand-moved clock (test/outbound-workload.test.ts) and a
 * benchmark in real time. It counts (polls, failures by code, stale answers, events a poll missed); it
 * never times.
 */

export const DASHBOARD_QUERY =
  'query Dashboard { outboundMessages(first: 20) { nodes { messageUuid recipients { email lastEvent events { kind } } } } }';

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
}

export interface WorkloadDeps {
  /** One client's dashboard query (`DASHBOARD_QUERY`). */
  poll(): Promise<PollAnswer>;
  /** Sends one new message; resolves its CloudMailin id. */
  send(index: number): Promise<string>;
  /** Lets `ms` pass, with whatever falls due in it (webhook playback), and waits for its POSTs to be answered. */
  wait(ms: number): Promise<void>;
  /** Every event the events webhook has acknowledged so far. */
  acknowledged(): AcknowledgedEvent[];
}

export interface WorkloadOptions {
  durationMs: number;
  pollIntervalMs: number;
  sendIntervalMs: number;
  /** Clients polling at once (each poll round runs them together). Default 1. */
  clients?: number;
  /** Messages sent before the first poll, so the first page is messages the webhook told mailgraph about. */
  initialSends?: number;
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
  };
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
    const answers = await Promise.all(Array.from({ length: clients }, () => deps.poll()));
    for (const answer of answers) {
      report.polls += 1;
      check(answer, expected, report);
      const listed = new Set((answer.data?.outboundMessages?.nodes ?? []).map((node) => node.messageUuid));
      for (const messageId of newest) {
        if (!listed.has(messageId)) report.unlisted.push({ messageId, poll: report.polls });
      }
    }
  }
  return report;
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
