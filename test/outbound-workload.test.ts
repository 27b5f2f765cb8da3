/**
 * Issue 9's dashboard workload, counted on a hand-moved clock: the emulator enforces CloudMailin's 5 calls
 * per minute, sent mail's events flow to mailgraph's webhook (playback), and a dashboard polls the 20 newest
 * outbound messages with every recipient's events every 2 s while a new message is sent every 10 s (the
 * issue's rate) or 15 s. No poll fails, nothing is refused upstream, mailgraph stays within 5 management
 * calls in any minute, each sent message is listed on the first poll after its send, and each event shows on
 * the first poll after mailgraph acknowledged it.
 */
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AcknowledgedEvent,
  DASHBOARD_QUERY,
  type PollAnswer,
  type WorkloadReport,
  runDashboardWorkload,
} from '../bench/dashboard-workload.js';
import type { PostedEvent } from '../src/sandbox/cloudmailin-playback.js';
import { ManualScheduler } from './helpers/manual-scheduler.js';
import { type Stack, startStack } from './helpers/stack.js';

const Dashboard = parse(DASHBOARD_QUERY);
const Send = parse(`mutation WorkloadSend($input: SendEmailInput!) {
  sendEmail(input: $input) { __typename ... on SendEmailPayload { email { messageId } } ... on Error { code message } }
}`);

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

/** The most calls any `windowMs` span holds, given each call's time. */
function busiestWindow(times: number[], windowMs: number): number {
  let most = 0;
  for (const end of times) most = Math.max(most, times.filter((t) => t > end - windowMs && t <= end).length);
  return most;
}

interface WorkloadRun {
  stack: Stack;
  report: WorkloadReport;
  /** When each management call (anything but `POST /messages`) reached the emulator, on the fake clock. */
  managementCalls: number[];
}

/** 20 messages sent first, then one every `sendIntervalMs` while the dashboard polls every 2 s for 3 minutes. */
async function runWorkload(sendIntervalMs: number): Promise<WorkloadRun> {
  const scheduler = new ManualScheduler();
  const s = await startStack({
    now: scheduler.now,
    // Events 2 s apart, so that consecutive polls see a message go registration → dispatch → delivery.
    sandbox: { rateLimits: true, scheduler, cloudmailinTimelineMs: { dispatch: 2_000, outcome: 4_000 } },
    // No real waiting for budget on a fake clock: a spent budget answers at once (stale or RATE_LIMITED).
    env: { MAILGRAPH_RATE_LIMIT_WAIT_MS: '0' },
  });
  stack = s;
  const managementCalls: number[] = [];
  let seen = 0;
  const noteCalls = () => {
    for (const call of s.sandbox.calls.slice(seen)) {
      if (!call.path.endsWith('/messages')) managementCalls.push(scheduler.now());
    }
    seen = s.sandbox.calls.length;
  };

  const report = await runDashboardWorkload(
    {
      poll: async () => {
        const answer = (await s.gql(Dashboard)) as PollAnswer;
        noteCalls();
        return answer;
      },
      send: async (index) => {
        const result = await s.gql<
          { sendEmail: { __typename: string; email?: { messageId: string }; code?: string } },
          unknown
        >(Send, {
          input: {
            provider: 'CLOUDMAILIN',
            from: { email: 'support@example.com' },
            to: [{ email: `reader${index}@example.net` }, { email: `gone${index}@bounce.example.org` }],
            subject: `Workload ${index}`,
            text: 'hi',
          },
        });
        noteCalls();
        const id = result.data?.sendEmail.email?.messageId;
        if (!id) throw new Error(`send failed: ${JSON.stringify(result)}`);
        return id;
      },
      wait: async (ms) => {
        // One tick per 500 ms, each waiting for the POSTs that fell due (retries included).
        for (let left = ms; left > 0; left -= 500) {
          scheduler.advance(Math.min(500, left));
          await s.sandbox.webhooks.idle();
        }
      },
      acknowledged: () =>
        s.sandbox.webhooks.deliveries
          .filter((d) => d.outcome === 'acknowledged' && d.path === '/webhooks/cloudmailin/events')
          .flatMap((d) => (d.body.json as { events: PostedEvent[] }).events)
          .map((e): AcknowledgedEvent => ({ messageId: e.message_id, recipient: e.recipient, kind: e.kind })),
    },
    { durationMs: 180_000, pollIntervalMs: 2_000, sendIntervalMs, initialSends: 20 },
  );
  return { stack: s, report, managementCalls };
}

/** What every run must show: no failure, nothing stale or missed, the budget kept, events stored once. */
async function expectClean({ stack: s, report, managementCalls }: WorkloadRun): Promise<void> {
  expect(report.polls).toBe(90);
  expect(report.failedPolls).toBe(0);
  expect(report.errorCodes).toEqual({});
  expect(report.stalePolls).toBe(0);
  expect(report.missed).toEqual([]);
  expect(report.unlisted).toEqual([]);
  expect(s.sandbox.calls.filter((call) => call.status === 429)).toHaveLength(0);
  // No history was asked for: the log holds every one from registration on.
  expect(s.sandbox.calls.filter((call) => /\/outbound_messages\/[^/]+$/.test(call.path))).toHaveLength(0);
  expect(busiestWindow(managementCalls, 60_000)).toBeLessThanOrEqual(5);

  // Every message's events were posted once and stored once: 3 per recipient, 2 recipients each.
  const deliveries = s.sandbox.webhooks.deliveries;
  expect(deliveries.every((d) => d.outcome === 'acknowledged' && d.attempts === 1)).toBe(true);
  const posted = deliveries.flatMap((d) => (d.body.json as { events: PostedEvent[] }).events);
  for (const id of report.sent) {
    const stored = await s.events.read({ topic: `message:${id}`, limit: 100 });
    expect(stored).toHaveLength(6);
    expect(posted.filter((e) => e.message_id === id)).toHaveLength(6);
  }
}

/** The list calls of the run: a send no longer makes the cached first page outdated. */
const listCalls = (s: Stack) => s.sandbox.calls.filter((call) => /\/outbound_messages$/.test(call.path));

describe('the dashboard workload with the event webhook flowing', () => {
  it('at the issue’s rate, a send every 10 s for 3 minutes: 0 failed polls, 0 upstream 429s, at most 5 calls a minute, every message and event on the next poll', async () => {
    const run = await runWorkload(10_000);
    expect(run.report.sent).toHaveLength(38);
    await expectClean(run);
    // The first page is fetched once per cache TTL (30 s), not once per send: sends are laid over it.
    expect(listCalls(run.stack)).toHaveLength(6);
    expect(run.managementCalls).toHaveLength(6);
    expect(busiestWindow(run.managementCalls, 60_000)).toBe(2);
  });

  it('with a send every 15 s: the same, and as many list calls', async () => {
    const run = await runWorkload(15_000);
    expect(run.report.sent).toHaveLength(32);
    await expectClean(run);
    expect(listCalls(run.stack)).toHaveLength(6);
    expect(run.managementCalls).toHaveLength(6);
  });
});
