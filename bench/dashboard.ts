/**
 * Issue 9's dashboard workload (item 5) in real time: the emulator with its rate limits on (CloudMailin's
 * 5 management calls per minute) and its webhook playback on (each sent message's registration, dispatch
 * and delivery or bounce are posted to mailgraph's events webhook 0, 400 and 800 ms after the send), and
 * mailgraph with its own budget of 5 calls per minute, both in this process on loopback (the load is 25
 * polls a second, light next to the event benchmark). The driver is `dashboard-workload.ts`, the same one
 * test/outbound-workload.test.ts runs on a hand-moved clock.
 *
 * Every `pollIntervalMs` all clients poll at once: half the 20 newest outbound messages with every
 * recipient's events (`DASHBOARD_QUERY`), half the same list with each recipient's `lastEvent` only
 * (`LIST_QUERY`); a new message (two recipients, one of them bouncing) is sent every `sendIntervalMs`,
 * after `initialSends` sent first so that the first page is messages the webhook told mailgraph about.
 */
import { parse } from 'graphql';
import type { PostedEvent } from '../src/sandbox/cloudmailin-playback.js';
import { type Stack, startStack } from '../test/helpers/stack.js';
import {
  type AcknowledgedEvent,
  DASHBOARD_QUERY,
  LIST_QUERY,
  type PollAnswer,
  runDashboardWorkload,
} from './dashboard-workload.js';

const Dashboard = parse(DASHBOARD_QUERY);
const List = parse(LIST_QUERY);
const Send = parse(`mutation BenchSend($input: SendEmailInput!) {
  sendEmail(input: $input) { __typename ... on SendEmailPayload { email { messageId } } ... on Error { code message } }
}`);

export interface DashboardBenchOptions {
  clients: number;
  durationMs: number;
  pollIntervalMs: number;
  sendIntervalMs: number;
  initialSends: number;
  log?: (line: string) => void;
}

interface Stats {
  p50: number | null;
  p99: number | null;
  max: number | null;
  samples: number;
}

export interface DashboardBenchResult {
  scenario: 'dashboard-rate-limited';
  options: Omit<DashboardBenchOptions, 'log'>;
  polls: number;
  pollsWithEvents: number;
  listPolls: number;
  failedPolls: number;
  errorCodes: Record<string, number>;
  stalePolls: number;
  /** Acknowledged events a poll that started after their acknowledgement did not show (or lastEvent behind). */
  missedOnNextPoll: number;
  missedReasons: Record<string, number>;
  /** Sent messages (of the 20 newest) a poll after their send did not list. */
  unlisted: number;
  messagesSentDuringRun: number;
  upstream: {
    /** CloudMailin management calls (everything but `POST /messages`), all of the run. */
    cloudmailinCalls: number;
    cloudmailinCallsByRoute: Record<string, number>;
    /** The most management calls in any 60 s of the run (the emulator's and mailgraph's limit: 5). */
    busiestMinute: number;
    /** Management calls over the whole run's length (initial sends included). */
    callsPerMinute: number;
    sends: number;
    /** Every 429 the emulator answered. */
    status429: number;
  };
  /** Poll latency (ms), each client's request from start to answer. */
  pollLatencyMs: Stats;
  /**
   * From the webhook's acknowledgement of an event to the end of the first poll with histories that showed
   * it (the polls run every `pollIntervalMs`, so up to that much of it is waiting for the next poll).
   */
  eventVisibleAfterMs: Stats & { neverShown: number };
  /** From a message's last event's acknowledgement to the first poll that showed all its events. */
  messageVisibleWithEventsAfterMs: Stats & { neverShown: number };
  webhookPosts: { acknowledged: number; other: number; retried: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0
      ? null
      : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: sorted.length === 0 ? null : Math.round(sorted.at(-1) as number),
    samples: sorted.length,
  };
}

/** The most entries of `times` within any `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  const sorted = [...times].sort((a, b) => a - b);
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

export async function runDashboardBench(options: DashboardBenchOptions): Promise<DashboardBenchResult> {
  const log = options.log ?? (() => {});
  const stack: Stack = await startStack({ sandbox: { rateLimits: true } });
  // Times each emulator call as it is recorded (the emulator keeps no time of its own).
  const callTimes: number[] = [];
  const watcher = setInterval(() => {
    while (callTimes.length < stack.sandbox.calls.length) callTimes.push(Date.now());
  }, 20);
  const pollLatencies: number[] = [];
  try {
    const listOnly = (client: number) => client % 2 === 1;
    let schedule = Date.now();
    const started = Date.now();
    const report = await runDashboardWorkload(
      {
        poll: async (client) => {
          const start = Date.now();
          const answer = (await stack.gql(listOnly(client) ? List : Dashboard)) as PollAnswer;
          pollLatencies.push(Date.now() - start);
          return answer;
        },
        send: async (index) => {
          const result = await stack.gql<
            { sendEmail: { __typename: string; email?: { messageId: string }; code?: string } },
            unknown
          >(Send, {
            input: {
              provider: 'CLOUDMAILIN',
              from: { email: 'support@example.com' },
              to: [{ email: `reader${index}@example.net` }, { email: `gone${index}@bounce.example.org` }],
              subject: `Bench ${index}`,
              text: 'hi',
            },
          });
          const id = result.data?.sendEmail.email?.messageId;
          if (!id) throw new Error(`send failed: ${JSON.stringify(result)}`);
          return id;
        },
        // Real time, on a fixed schedule: a round that took a while does not push the next one back.
        wait: async (ms) => {
          schedule = Math.max(schedule + ms, Date.now());
          await sleep(schedule - Date.now());
        },
        acknowledged: () =>
          stack.sandbox.webhooks.deliveries
            .filter((d) => d.outcome === 'acknowledged' && d.path === '/webhooks/cloudmailin/events')
            .flatMap((d) =>
              (d.body.json as { events: PostedEvent[] }).events.map(
                (e): AcknowledgedEvent => ({
                  messageId: e.message_id,
                  recipient: e.recipient,
                  kind: e.kind,
                  at: d.at,
                }),
              ),
            ),
        now: Date.now,
      },
      {
        durationMs: options.durationMs,
        pollIntervalMs: options.pollIntervalMs,
        sendIntervalMs: options.sendIntervalMs,
        clients: options.clients,
        initialSends: options.initialSends,
        listOnly,
      },
    );
    // The last round's events.
    await sleep(1_000);
    while (callTimes.length < stack.sandbox.calls.length) callTimes.push(Date.now());

    const calls = stack.sandbox.calls.map((call, i) => ({ ...call, at: callTimes[i] as number }));
    const management = calls.filter(
      (call) =>
        call.path.startsWith('/cloudmailin/') && !(call.method === 'POST' && call.path.endsWith('/messages')),
    );
    const byRoute: Record<string, number> = {};
    for (const call of management) {
      const route = `${call.method} ${call.path.replace(/^\/cloudmailin\/api\/v0\.1\/[^/]+/, '').replace(/[0-9a-f-]{36}/g, '{id}')}`;
      byRoute[route] = (byRoute[route] ?? 0) + 1;
    }
    const minutes = (Date.now() - started) / 60_000;

    const visibleAfter = report.visibility
      .filter((v) => v.shownAt !== null)
      .map((v) => (v.shownAt as number) - v.acknowledgedAt);
    const byMessage = new Map<string, typeof report.visibility>();
    for (const v of report.visibility) byMessage.set(v.messageId, [...(byMessage.get(v.messageId) ?? []), v]);
    const messageAfter: number[] = [];
    let messagesNeverShown = 0;
    for (const events of byMessage.values()) {
      if (events.some((v) => v.shownAt === null)) {
        messagesNeverShown += 1;
        continue;
      }
      const lastAck = Math.max(...events.map((v) => v.acknowledgedAt));
      const allShown = Math.max(...events.map((v) => v.shownAt as number));
      messageAfter.push(allShown - lastAck);
    }
    const missedReasons: Record<string, number> = {};
    for (const miss of report.missed) {
      const reason = miss.reason
        .replace(/lastEvent \S+/, 'lastEvent …')
        .replace(/acknowledged \S+/, 'acknowledged …');
      missedReasons[reason] = (missedReasons[reason] ?? 0) + 1;
    }
    const deliveries = stack.sandbox.webhooks.deliveries;
    const result: DashboardBenchResult = {
      scenario: 'dashboard-rate-limited',
      options: {
        clients: options.clients,
        durationMs: options.durationMs,
        pollIntervalMs: options.pollIntervalMs,
        sendIntervalMs: options.sendIntervalMs,
        initialSends: options.initialSends,
      },
      polls: report.polls,
      pollsWithEvents: report.polls - report.listPolls,
      listPolls: report.listPolls,
      failedPolls: report.failedPolls,
      errorCodes: report.errorCodes,
      stalePolls: report.stalePolls,
      missedOnNextPoll: report.missed.length,
      missedReasons,
      unlisted: report.unlisted.length,
      messagesSentDuringRun: report.sent.length - options.initialSends,
      upstream: {
        cloudmailinCalls: management.length,
        cloudmailinCallsByRoute: byRoute,
        busiestMinute: busiestWindow(
          management.map((call) => call.at),
          60_000,
        ),
        callsPerMinute: Math.round((management.length / minutes) * 10) / 10,
        sends: calls.filter((call) => call.method === 'POST' && call.path.endsWith('/messages')).length,
        status429: calls.filter((call) => call.status === 429).length,
      },
      pollLatencyMs: stats(pollLatencies),
      eventVisibleAfterMs: {
        ...stats(visibleAfter),
        neverShown: report.visibility.filter((v) => v.shownAt === null).length,
      },
      messageVisibleWithEventsAfterMs: { ...stats(messageAfter), neverShown: messagesNeverShown },
      webhookPosts: {
        acknowledged: deliveries.filter((d) => d.outcome === 'acknowledged').length,
        other: deliveries.filter((d) => d.outcome !== 'acknowledged').length,
        retried: deliveries.filter((d) => d.attempts > 1).length,
      },
    };
    if (report.missed.length > 0) log(`dashboard: missed, e.g. ${JSON.stringify(report.missed.slice(0, 3))}`);
    return result;
  } finally {
    clearInterval(watcher);
    await stack.close();
  }
}
