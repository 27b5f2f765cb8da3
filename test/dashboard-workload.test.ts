/**
 * The dashboard workload driver (bench/dashboard-workload.ts) on its own, with hand-made answers: the
 * clients that poll the list without histories (`listOnly`) are checked on each recipient's `lastEvent`, and
 * with a clock the driver notes when each event of a message sent during the run was first shown. The real
 * stack runs it in test/outbound-workload.test.ts (hand-moved clock) and in `npm run bench` (real time).
 */
import { describe, expect, it } from 'vitest';
import {
  type AcknowledgedEvent,
  type PollAnswer,
  runDashboardWorkload,
} from '../bench/dashboard-workload.js';

interface Recipient {
  email: string;
  lastEvent: string | null;
  events?: Array<{ kind: string }>;
}

function answer(messages: Array<{ id: string; recipients: Recipient[] }>): PollAnswer {
  return {
    data: {
      outboundMessages: {
        nodes: messages.map((m) => ({
          messageUuid: m.id,
          recipients: m.recipients.map((r) => ({
            email: r.email,
            lastEvent: r.lastEvent,
            events: r.events ?? null,
          })),
        })),
      },
    },
  };
}

describe('the dashboard workload driver', () => {
  it('checks list-only polls on lastEvent, and notes when each event of a message sent during the run was first shown', async () => {
    let clock = 0;
    const acknowledged: AcknowledgedEvent[] = [];
    const sent: string[] = [];
    const report = await runDashboardWorkload(
      {
        send: async (index) => {
          const id = `m${index}`;
          sent.push(id);
          return id;
        },
        wait: async (ms) => {
          clock += ms;
          // Each message's registration arrives in the wait after its send; its delivery in the next one.
          for (const id of sent) {
            const kinds = acknowledged.filter((e) => e.messageId === id).map((e) => e.kind);
            if (kinds.length === 0)
              acknowledged.push({
                messageId: id,
                recipient: 'a@x.test',
                kind: 'registration',
                at: clock - 500,
              });
            else if (kinds.length === 1)
              acknowledged.push({ messageId: id, recipient: 'a@x.test', kind: 'delivery', at: clock - 500 });
          }
        },
        acknowledged: () => [...acknowledged],
        now: () => clock,
        poll: async (client) => {
          clock += 10;
          const messages = sent.map((id) => {
            const events = acknowledged
              .filter((e) => e.messageId === id)
              .map((e) => ({ kind: e.kind.toUpperCase() }));
            // The list-only client answers a lastEvent one step behind for m1.
            const behind = client === 1 && id === 'm1' && events.length === 2;
            const lastEvent = (behind ? events[0] : events.at(-1))?.kind ?? null;
            return {
              id,
              recipients: [{ email: 'a@x.test', lastEvent, ...(client === 1 ? {} : { events }) }],
            };
          });
          return answer(messages);
        },
      },
      {
        durationMs: 6_000,
        pollIntervalMs: 2_000,
        sendIntervalMs: 2_000,
        clients: 2,
        initialSends: 1,
        listOnly: (c) => c === 1,
      },
    );
    expect(report.polls).toBe(6);
    expect(report.listPolls).toBe(3);
    expect(report.failedPolls).toBe(0);
    expect(report.missed.map((m) => [m.messageId, m.kind, m.reason])).toEqual([
      ['m1', 'delivery', 'lastEvent REGISTRATION, last acknowledged delivery'],
      ['m1', 'delivery', 'lastEvent REGISTRATION, last acknowledged delivery'],
    ]);
    // m0 was sent before the run: only m1..m3 are timed; m3's delivery came after the last poll. Both clients'
    // polls took 10 ms of the clock, and ran together: each event was shown 20 ms after the round began.
    expect(
      report.visibility.map((v) => [
        v.messageId,
        v.kind,
        v.shownAt === null ? null : v.shownAt - v.acknowledgedAt,
      ]),
    ).toEqual([
      ['m1', 'registration', 520],
      ['m1', 'delivery', 520],
      ['m2', 'registration', 520],
      ['m2', 'delivery', 520],
      ['m3', 'registration', 520],
    ]);
  });
});
