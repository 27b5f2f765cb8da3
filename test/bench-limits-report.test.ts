/**
 * The bench's verdicts on issue 10's goals (bench/limits-report.ts): each (target, scenario, cache mode) is
 * measured as several pairs, a passthrough run and the target's run just after it; a goal takes the median
 * of the pairs' ratios, the dashboard goal compares two such medians, and memory has limits. Node 24's
 * figures, when measured, get goals of their own beside the default Node's.
 */
import { describe, expect, it } from 'vitest';
import { limitGoals, limitsChart, limitsMarkdown, median, summariseLimits } from '../bench/limits-report.js';
import type { LimitRun, LimitsResult } from '../bench/limits.js';

const HEAVY = 'outbound-20-with-events';

function run(
  target: string,
  scenario: string,
  cache: 'none' | 'warm',
  rps: number,
  limit: number | undefined,
  pair = 1,
  p99 = 3,
): LimitRun {
  return {
    target,
    scenario,
    cache,
    pair,
    requestsPerSecond: rps,
    ...(limit === undefined ? {} : { passthroughRequestsPerSecond: limit }),
    latencyMs: { p50: 1, p90: 2, p99, max: 4 },
    requests: rps * 5,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    upstreamCalls: 0,
    upstreamCallsPerRequest: 0,
    peakRssMiB: 100,
  };
}

/** One pair per ratio: the target's req/s is ratio × 2000, its passthrough's 2000. */
function pairs(target: string, scenario: string, cache: 'none' | 'warm', ratios: number[]): LimitRun[] {
  return ratios.map((ratio, index) => run(target, scenario, cache, ratio * 2000, 2000, index + 1));
}

type Memory = LimitsResult['memory'];

function result(runs: LimitRun[], memory: Memory | [number, number] = [90, 200]): LimitsResult {
  return {
    settings: { connections: 10, durationSeconds: 5, pairs: 3, warmupSeconds: 5, baseline: 'old' },
    targets: [
      { target: 'passthrough', node: 'v20.20.2' },
      { target: 'mailgraph', node: 'v20.20.2' },
      { target: 'mailgraph@node24', node: 'v24.21.0' },
      { target: 'baseline', node: 'v20.20.2' },
    ],
    runs: [...runs, { ...run('passthrough', 'beside', 'none', 4000, undefined), cache: 'n/a' }],
    memory:
      typeof memory[0] === 'number'
        ? [{ target: 'mailgraph', cache: 'warm', idleRssMiB: memory[0], peakRssMiB: memory[1] as number }]
        : (memory as Memory),
  };
}

const byName = (goals: ReturnType<typeof limitGoals>) => Object.fromEntries(goals.map((g) => [g.name, g]));

describe('the median of the pairs', () => {
  it('is the middle value of an odd count and the mean of the two middle values of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([0.5, 1.1, 0.8, 1.0])).toBeCloseTo(0.9, 10);
    expect(median([])).toBeNull();
  });
});

describe('the limits report', () => {
  it('divides each run by the passthrough run paired with it, not by another minute’s', () => {
    const goals = byName(
      limitGoals(
        result([
          run('mailgraph', 'light', 'none', 1800, 2000),
          run('mailgraph', 'light', 'warm', 2300, 2000),
          run('mailgraph', HEAVY, 'warm', 2000, 4000),
          run('baseline', HEAVY, 'warm', 100, 2000),
        ]),
      ),
    );
    expect(goals['light, no cache vs passthrough']).toMatchObject({ measured: 0.9, met: true });
    expect(goals['light, cache warm vs passthrough']).toMatchObject({ measured: 1.15, met: false });
    // (2000 / 4000) / (100 / 2000) = 10
    expect(goals['20 messages with events, warm vs baseline']).toMatchObject({ measured: 10, met: true });
  });

  it('takes the median of the pair ratios, not their mean, so that one slow pair does not decide', () => {
    // Mean 0.78 (missed), median 0.92 (met).
    const goals = byName(limitGoals(result(pairs('mailgraph', 'light', 'none', [0.92, 0.5, 0.93]))));
    expect(goals['light, no cache vs passthrough']).toMatchObject({ measured: 0.92, met: true });
    // Mean 1.4 (met), median 1.1 (missed).
    const warm = byName(limitGoals(result(pairs('mailgraph', 'light', 'warm', [1.1, 2.0, 1.1]))));
    expect(warm['light, cache warm vs passthrough']).toMatchObject({ measured: 1.1, met: false });
  });

  it('takes the mean of the two middle ratios of an even pair count', () => {
    // Sorted 0.5, 0.8, 1.0, 1.1: the median is 0.9 (met); the lower middle (0.8) or the mean (0.85) would miss.
    const goals = byName(limitGoals(result(pairs('mailgraph', 'light', 'none', [1.0, 0.5, 1.1, 0.8]))));
    expect(goals['light, no cache vs passthrough']).toMatchObject({ measured: 0.9, met: true });
  });

  it('leaves a pair without a passthrough figure out of the median, and says so', () => {
    const runs = [
      run('mailgraph', 'light', 'none', 1400, 2000, 1),
      run('mailgraph', 'light', 'none', 500, undefined, 2),
      run('mailgraph', 'light', 'none', 2000, 2000, 3),
      run('mailgraph', 'light', 'none', 1900, 2000, 4),
    ];
    const report = result(runs);
    // 0.7, 0.95, 1.0: 0.95. Counting the pair as 0 would give 0.825.
    const goals = limitGoals(report);
    expect(byName(goals)['light, no cache vs passthrough']).toMatchObject({ measured: 0.95, met: true });
    expect(summariseLimits(report)[0]).toMatchObject({ pairs: 4, ratios: [0.7, 1, 0.95] });
    expect(limitsMarkdown(report, goals)).toContain(
      '| mailgraph | v20.20.2 | light list query (3 addresses), no cache | 3 of 4 |',
    );

    const none = byName(limitGoals(result([run('mailgraph', 'light', 'none', 1800, undefined)])));
    expect(none['light, no cache vs passthrough']).toMatchObject({ measured: null, met: false });
  });

  it('compares the dashboard query with the baseline beside it as the ratio of the two medians', () => {
    const goals = byName(
      limitGoals(
        result([
          // Medians 0.6 and 0.05 (means 1.03 and 0.05): 12, where the means would give 20.7.
          ...pairs('mailgraph', HEAVY, 'warm', [0.5, 2.0, 0.6]),
          ...pairs('baseline', HEAVY, 'warm', [0.05, 0.04, 0.06]),
        ]),
      ),
    );
    expect(goals['20 messages with events, warm vs baseline']).toMatchObject({ measured: 12, met: true });
  });

  it('states the dashboard goal against a recorded baseline when none ran beside it', () => {
    const goals = byName(
      limitGoals(result(pairs('mailgraph', HEAVY, 'warm', [0.3, 0.1, 0.35])), {
        label: 'recorded',
        heavyWarmRequestsPerSecond: 250,
        passthroughRequestsPerSecond: 5000,
      }),
    );
    // 0.3 / (250 / 5000) = 6
    expect(goals['20 messages with events, warm vs baseline']).toMatchObject({ measured: 6, met: true });
    expect(goals['light, no cache vs passthrough']).toMatchObject({ measured: null, met: false });
  });

  it('misses the memory goals above 100 MiB idle and 250 MiB under load', () => {
    const over = byName(limitGoals(result([], [100.1, 250.1])));
    expect(over['resident memory at idle (MiB)']?.met).toBe(false);
    expect(over['resident memory under the heaviest load (MiB)']?.met).toBe(false);
    const within = byName(limitGoals(result([], [100, 250])));
    expect(within['resident memory at idle (MiB)']?.met).toBe(true);
    expect(within['resident memory under the heaviest load (MiB)']?.met).toBe(true);
  });

  it('writes each target with its Node version, pair count, median, min and max ratio and median p99', () => {
    const report = result([
      run('mailgraph', 'light', 'none', 1500, 2000, 1, 9),
      run('mailgraph', 'light', 'none', 1800, 2000, 2, 50),
      run('mailgraph', 'light', 'none', 1000, 2000, 3, 7),
    ]);
    const markdown = limitsMarkdown(report, limitGoals(report));
    // req/s 1500, passthrough 2000, ratios 0.75 (median), 0.5 (min), 0.9 (max); p50 1, p99 9 (median of 9, 50, 7).
    expect(markdown).toContain(
      '| mailgraph | v20.20.2 | light list query (3 addresses), no cache | 3 | 1500 | 2000 | 0.75 | 0.5 | 0.9 | 1 | 9 |',
    );
    expect(markdown).toContain('| light, no cache vs passthrough | 0.75 | at least 0.9 | missed |');
  });

  it('gives Node 24 its own goal lines beside the default Node’s, and draws both', () => {
    const report = result(
      [
        ...pairs('mailgraph', 'light', 'none', [0.7, 0.8, 0.75]),
        ...pairs('mailgraph@node24', 'light', 'none', [1.0, 0.95, 1.05]),
        ...pairs('mailgraph', HEAVY, 'warm', [1.0, 1.0, 1.0]),
        ...pairs('mailgraph@node24', HEAVY, 'warm', [1.2, 1.2, 1.2]),
        ...pairs('baseline', HEAVY, 'warm', [0.05, 0.05, 0.05]),
        ...[1000, 3000, 2500].map((rps, index) => ({
          ...run('passthrough', 'mailgraph light cache=none', 'none', rps, undefined, index + 1, 10 + index),
          cache: 'n/a' as const,
        })),
      ],
      [
        { target: 'mailgraph', cache: 'none', idleRssMiB: 90, peakRssMiB: 200 },
        { target: 'mailgraph@node24', cache: 'none', idleRssMiB: 110, peakRssMiB: 180 },
      ],
    );
    const goals = limitGoals(report);
    const named = byName(goals);
    expect(named['light, no cache vs passthrough']).toMatchObject({ measured: 0.75, met: false });
    expect(named['light, no cache vs passthrough on Node 24 (current LTS)']).toMatchObject({
      measured: 1,
      met: true,
    });
    expect(named['20 messages with events, warm vs baseline']).toMatchObject({ measured: 20 });
    expect(named['20 messages with events, warm vs baseline on Node 24 (current LTS)']).toMatchObject({
      measured: 24,
    });
    expect(named['resident memory at idle (MiB)']).toMatchObject({ measured: 90, met: true });
    expect(named['resident memory at idle (MiB) on Node 24 (current LTS)']).toMatchObject({
      measured: 110,
      met: false,
    });
    // Each Node 24 line right after the default Node's.
    const names = goals.map((goal) => goal.name);
    expect(names.indexOf('light, no cache vs passthrough on Node 24 (current LTS)')).toBe(
      names.indexOf('light, no cache vs passthrough') + 1,
    );
    expect(named['light, no cache vs passthrough on Node 24 (current LTS)']?.basis).toContain(
      'mailgraph@node24 (Node v24.21.0)',
    );

    const markdown = limitsMarkdown(report, goals);
    expect(markdown).toContain(
      '| mailgraph@node24 | v24.21.0 | light list query (3 addresses), no cache | 3 |',
    );
    expect(markdown).toContain('| mailgraph@node24 | v24.21.0 | none | 110 | 180 |');

    const chart = limitsChart(report, goals, 'title', 'subtitle');
    expect(chart.runs).toContainEqual(
      expect.objectContaining({ target: 'mailgraph@node24 (Node v24.21.0)', requestsPerSecond: 2000 }),
    );
    // The passthrough bar is the median of the passthrough runs paired with mailgraph's light runs.
    expect(chart.runs).toContainEqual({
      scenario: 'light list query (3 addresses), no cache',
      target: 'passthrough (Node v20.20.2)',
      requestsPerSecond: 2500,
      p99Ms: 11,
    });
    expect(chart.goals.map((goal) => goal.name)).toContain('light, no cache vs passthrough (Node 24)');
    expect(chart.goals.find((goal) => goal.name === 'light, no cache vs passthrough')?.measured).toBe(0.75);
  });

  it('gives no Node 24 goals when Node 24 did not run', () => {
    const goals = limitGoals(result(pairs('mailgraph', 'light', 'none', [1, 1, 1])));
    expect(goals.some((goal) => goal.name.includes('Node 24'))).toBe(false);
  });
});
