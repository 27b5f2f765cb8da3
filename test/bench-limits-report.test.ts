/**
 * The bench's verdicts on issue 10's goals (bench/limits-report.ts): each ratio is that of a run and the
 * passthrough run paired with it, the dashboard goal compares two such ratios, and memory has limits.
 */
import { describe, expect, it } from 'vitest';
import { limitGoals, limitsMarkdown } from '../bench/limits-report.js';
import type { LimitRun, LimitsResult } from '../bench/limits.js';

function run(target: string, scenario: string, cache: 'none' | 'warm', rps: number, limit: number): LimitRun {
  return {
    target,
    scenario,
    cache,
    requestsPerSecond: rps,
    passthroughRequestsPerSecond: limit,
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
    requests: rps * 10,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    upstreamCalls: 0,
    upstreamCallsPerRequest: 0,
    peakRssMiB: 100,
  };
}

function result(runs: LimitRun[], idle = 90, peak = 200): LimitsResult {
  return {
    settings: { connections: 10, durationSeconds: 10, baseline: 'old' },
    runs: [...runs, { ...run('passthrough', 'beside', 'none', 4000, 0), cache: 'n/a' }],
    memory: [{ target: 'mailgraph', cache: 'warm', idleRssMiB: idle, peakRssMiB: peak }],
  };
}

const byName = (goals: ReturnType<typeof limitGoals>) => Object.fromEntries(goals.map((g) => [g.name, g]));

describe('the limits report', () => {
  it('divides each run by the passthrough run paired with it, not by another minute’s', () => {
    const goals = byName(
      limitGoals(
        result([
          run('mailgraph', 'light', 'none', 1800, 2000),
          run('mailgraph', 'light', 'warm', 2300, 2000),
          run('mailgraph', 'outbound-20-with-events', 'warm', 2000, 4000),
          run('baseline', 'outbound-20-with-events', 'warm', 100, 2000),
        ]),
      ),
    );
    expect(goals['light, no cache vs passthrough']).toMatchObject({ measured: 0.9, met: true });
    expect(goals['light, cache warm vs passthrough']).toMatchObject({ measured: 1.15, met: false });
    // (2000 / 4000) / (100 / 2000) = 10
    expect(goals['20 messages with events, warm vs baseline']).toMatchObject({ measured: 10, met: true });
  });

  it('states the dashboard goal against a recorded baseline when none ran beside it', () => {
    const goals = byName(
      limitGoals(result([run('mailgraph', 'outbound-20-with-events', 'warm', 900, 3000)]), {
        label: 'recorded',
        heavyWarmRequestsPerSecond: 250,
        passthroughRequestsPerSecond: 5000,
      }),
    );
    // (900 / 3000) / (250 / 5000) = 6
    expect(goals['20 messages with events, warm vs baseline']).toMatchObject({ measured: 6, met: true });
    expect(goals['light, no cache vs passthrough']).toMatchObject({ measured: null, met: false });
  });

  it('misses the memory goals above 100 MiB idle and 250 MiB under load', () => {
    const over = byName(limitGoals(result([], 100.1, 250.1)));
    expect(over['resident memory at idle (MiB)']?.met).toBe(false);
    expect(over['resident memory under the heaviest load (MiB)']?.met).toBe(false);
    const within = byName(limitGoals(result([], 100, 250)));
    expect(within['resident memory at idle (MiB)']?.met).toBe(true);
    expect(within['resident memory under the heaviest load (MiB)']?.met).toBe(true);
  });

  it('writes every run with its paired passthrough and every goal with its verdict', () => {
    const report = result([run('mailgraph', 'light', 'none', 1500, 2000)]);
    const markdown = limitsMarkdown(report, limitGoals(report));
    expect(markdown).toContain(
      '| mailgraph | light list query (3 addresses), no cache | 1500 | 2000 | 0.75 |',
    );
    expect(markdown).toContain('| light, no cache vs passthrough | 0.75 | at least 0.9 | missed |');
  });
});
