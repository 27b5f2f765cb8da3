/**
 * What the limits part of the bench concludes (issue 10's goals, as ratios within one run), and how it is
 * shown: a Markdown table and the chart (bench/chart.ts). Each (target, scenario, cache mode) was measured
 * as several pairs, a passthrough run and the target's run just after it; every figure here is the median
 * over its pairs, and every ratio the median of the pairs' own ratios (one slow minute moves one pair, not
 * the verdict).
 */
import type { ChartReport } from './chart.js';
import { type LimitRun, type LimitsResult, NODE24_TARGET } from './limits.js';

export interface Goal {
  name: string;
  /** What is divided by what, in words. */
  basis: string;
  measured: number | null;
  goal: number;
  /** `at least` for ratios, `at most` for memory. */
  sense: 'at least' | 'at most';
  met: boolean;
}

/** A baseline measured earlier: its figure and the passthrough's in that same run. */
export interface RecordedBaseline {
  label: string;
  heavyWarmRequestsPerSecond: number;
  passthroughRequestsPerSecond: number;
}

/** One (target, scenario, cache mode) over its pairs. */
export interface PairedSummary {
  target: string;
  scenario: string;
  cache: string;
  /** Pairs measured. */
  pairs: number;
  /** Each pair's target req/s over its passthrough's, in pair order; a pair without a passthrough figure has none. */
  ratios: number[];
  medianRatio: number | null;
  minRatio: number | null;
  maxRatio: number | null;
  /** Medians over the pairs. */
  requestsPerSecond: number;
  passthroughRequestsPerSecond: number | null;
  latencyMs: { p50: number; p99: number };
  /** All the pairs' upstream calls over all their requests. */
  upstreamCallsPerRequest: number | null;
  /** The highest of the pairs. */
  peakRssMiB: number | null;
  /** Median per run (tracing runs only). */
  otlpExports: number | null;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const roundOrNull = (value: number | null, digits = 2) => (value === null ? null : round(value, digits));

/** The middle value, or the mean of the two middle values of an even count; null for none. */
export function median(values: number[]): number | null {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
}

/** A run's throughput over the passthrough's in the run just before it (its pair). */
export function pairedRatio(run: LimitRun | undefined): number | null {
  if (!run?.passthroughRequestsPerSecond) return null;
  return run.requestsPerSecond / run.passthroughRequestsPerSecond;
}

/** Every measured (target, scenario, cache mode) in the order it was first run, with its pairs' medians. */
export function summariseLimits(result: LimitsResult): PairedSummary[] {
  const groups = new Map<string, LimitRun[]>();
  for (const run of result.runs) {
    if (run.target === 'passthrough') continue;
    const key = `${run.target}\u0000${run.scenario}\u0000${run.cache}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((runs) => {
    const first = runs[0]!;
    const ratios = runs.map(pairedRatio).filter((ratio): ratio is number => ratio !== null);
    const requests = runs.reduce((sum, run) => sum + run.requests, 0);
    const calls = runs.map((run) => run.upstreamCalls);
    const peaks = runs.map((run) => run.peakRssMiB).filter((peak): peak is number => peak !== null);
    const exports = runs
      .map((run) => run.otlpExports)
      .filter((count): count is number => count !== undefined);
    return {
      target: first.target,
      scenario: first.scenario,
      cache: first.cache,
      pairs: runs.length,
      ratios,
      medianRatio: median(ratios),
      minRatio: ratios.length ? Math.min(...ratios) : null,
      maxRatio: ratios.length ? Math.max(...ratios) : null,
      requestsPerSecond: round(median(runs.map((run) => run.requestsPerSecond)) ?? 0, 1),
      passthroughRequestsPerSecond: roundOrNull(
        median(
          runs.flatMap((run) => (run.passthroughRequestsPerSecond ? [run.passthroughRequestsPerSecond] : [])),
        ),
        1,
      ),
      latencyMs: {
        p50: round(median(runs.map((run) => run.latencyMs.p50)) ?? 0),
        p99: round(median(runs.map((run) => run.latencyMs.p99)) ?? 0),
      },
      upstreamCallsPerRequest:
        requests > 0 && calls.every((count) => count !== null)
          ? round((calls as number[]).reduce((sum, count) => sum + count, 0) / requests, 3)
          : null,
      peakRssMiB: peaks.length ? Math.max(...peaks) : null,
      otlpExports: median(exports),
    };
  });
}

/** The Node version each target ran on (`v24.21.0`), as the bench recorded it. */
export function nodeOf(result: LimitsResult, target: string): string | null {
  return result.targets?.find((entry) => entry.target === target)?.node ?? null;
}

const NODE24_SUFFIX = ' on Node 24 (current LTS)';

/**
 * The goals for mailgraph on the bench's own Node, each followed by the same goal for `mailgraph@node24`
 * when it ran (its own verdict, named with " on Node 24 (current LTS)").
 */
export function limitGoals(result: LimitsResult, recorded?: RecordedBaseline): Goal[] {
  const summaries = summariseLimits(result);
  const ratio = (target: string, scenario: string, cache: string) =>
    summaries.find((s) => s.target === target && s.scenario === scenario && s.cache === cache)?.medianRatio ??
    null;
  const rounded = (value: number | null) => (value === null ? null : round(value));
  const targets = ['mailgraph'];
  if (result.runs.some((run) => run.target === NODE24_TARGET)) targets.push(NODE24_TARGET);
  const named = (name: string, target: string) =>
    target === NODE24_TARGET ? `${name}${NODE24_SUFFIX}` : name;
  const who = (target: string) => {
    const node = nodeOf(result, target);
    return node ? `${target} (Node ${node})` : target;
  };
  const goals: Goal[] = [];
  const atLeast = (name: string, basis: string, measured: number | null, goal: number) =>
    goals.push({
      name,
      basis,
      measured,
      goal,
      sense: 'at least',
      met: measured !== null && measured >= goal,
    });
  const atMost = (name: string, basis: string, measured: number | null, goal: number) =>
    goals.push({ name, basis, measured, goal, sense: 'at most', met: measured !== null && measured <= goal });

  for (const target of targets) {
    atLeast(
      named('light, no cache vs passthrough', target),
      `median over the pairs of ${who(target)} req/s with MAILGRAPH_CACHE_TTL_SECONDS=0 / passthrough req/s in the run just before`,
      rounded(ratio(target, 'light', 'none')),
      0.9,
    );
  }
  for (const target of targets) {
    atLeast(
      named('light, cache warm vs passthrough', target),
      `median over the pairs of ${who(target)} req/s, cache warm / passthrough req/s in the run just before`,
      rounded(ratio(target, 'light', 'warm')),
      1.2,
    );
  }
  const baseline = ratio('baseline', 'outbound-20-with-events', 'warm');
  for (const target of targets) {
    const heavy = ratio(target, 'outbound-20-with-events', 'warm');
    const name = named('20 messages with events, warm vs baseline', target);
    if (baseline !== null) {
      atLeast(
        name,
        `(median of ${who(target)} / its passthrough) / (median of baseline ${result.settings.baseline} / its passthrough), side by side`,
        heavy === null ? null : rounded(heavy / baseline),
        4,
      );
    } else if (recorded) {
      // Each normalised by the passthrough of its own run, so that the machine's speed that day cancels out.
      atLeast(
        name,
        `(median of ${who(target)} / its passthrough) / (${recorded.label} / its run's passthrough)`,
        heavy === null
          ? null
          : rounded(heavy / (recorded.heavyWarmRequestsPerSecond / recorded.passthroughRequestsPerSecond)),
        4,
      );
    }
  }
  const memoryOf = (target: string) => result.memory.filter((entry) => entry.target === target);
  for (const target of targets) {
    const mine = memoryOf(target);
    atMost(
      named('resident memory at idle (MiB)', target),
      `lowest VmRSS of ${who(target)} sampled each second while it settles without work after start-up and one request of each scenario, highest of the cache modes`,
      mine.length ? Math.max(...mine.map((entry) => entry.idleRssMiB)) : null,
      100,
    );
  }
  for (const target of targets) {
    const mine = memoryOf(target);
    atMost(
      named('resident memory under the heaviest load (MiB)', target),
      `highest VmRSS of ${who(target)} sampled every 100 ms under load, across all pairs`,
      mine.length ? Math.max(...mine.map((entry) => entry.peakRssMiB)) : null,
      250,
    );
  }
  return goals;
}

const SCENARIO_LABEL: Record<string, string> = {
  light: 'light list query (3 addresses)',
  'outbound-20-with-events': '20 newest messages with events',
};

function workLabel(summary: { scenario: string; cache: string }): string {
  const scenario = SCENARIO_LABEL[summary.scenario] ?? summary.scenario;
  return `${scenario}, ${summary.cache === 'none' ? 'no cache' : 'cache warm'}`;
}

const figure = (value: number | null) => (value === null ? '' : String(round(value)));

export function limitsMarkdown(result: LimitsResult, goals: Goal[]): string {
  const summaries = summariseLimits(result);
  const limits = result.runs
    .filter((run) => run.target === 'passthrough')
    .map((run) => run.requestsPerSecond);
  const { connections, durationSeconds, pairs, warmupSeconds } = result.settings;
  const versions = (result.targets ?? []).map((entry) => `${entry.target} ${entry.node}`).join(', ');
  const lines = [
    `${connections} connections, ${durationSeconds} s per run, ${warmupSeconds} s of unmeasured load before the first run of each process and scenario. Each target, scenario and cache mode is measured as ${pairs} pairs, a passthrough run and then at once the target's run; the figures are medians over the pairs, and × passthrough is the median of the pairs' ratios (the passthrough ranged from ${
      limits.length ? Math.min(...limits) : 'n/a'
    } to ${limits.length ? Math.max(...limits) : 'n/a'} req/s over its ${limits.length} runs).`,
    ...(versions ? ['', `Node.js: ${versions}.`] : []),
    '',
    '| target | Node.js | work | pairs | req/s | passthrough beside it | × passthrough (median) | min | max | p50 ms | p99 ms | upstream calls / request | peak RSS MiB |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...summaries.map(
      (s) =>
        `| ${s.target} | ${nodeOf(result, s.target) ?? ''} | ${workLabel(s)} | ${
          s.ratios.length === s.pairs ? s.pairs : `${s.ratios.length} of ${s.pairs}`
        } | ${s.requestsPerSecond} | ${s.passthroughRequestsPerSecond ?? ''} | ${figure(s.medianRatio)} | ${figure(
          s.minRatio,
        )} | ${figure(s.maxRatio)} | ${s.latencyMs.p50} | ${s.latencyMs.p99} | ${s.upstreamCallsPerRequest ?? ''} | ${
          s.peakRssMiB ?? ''
        } |`,
    ),
    '',
    '| goal | measured | goal | met | basis |',
    '|---|---:|---:|---|---|',
    ...goals.map(
      (goal) =>
        `| ${goal.name} | ${goal.measured ?? 'n/a'} | ${goal.sense} ${goal.goal} | ${goal.met ? 'met' : 'missed'} | ${goal.basis} |`,
    ),
  ];
  const tracing = summaries.filter((s) => s.target === 'mailgraph+tracing');
  if (tracing.length > 0) {
    lines.push(
      '',
      '| tracing on (OTLP/HTTP to a local receiver) | req/s | × passthrough | × tracing off (each over its passthrough) | p99 ms | OTLP exports per run |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const on of tracing) {
      const off = summaries.find(
        (s) => s.target === 'mailgraph' && s.scenario === on.scenario && s.cache === on.cache,
      );
      const offRatio = off?.medianRatio ?? null;
      lines.push(
        `| ${workLabel(on)} | ${on.requestsPerSecond} | ${figure(on.medianRatio)} | ${
          on.medianRatio === null || offRatio === null ? '' : round(on.medianRatio / offRatio)
        } | ${on.latencyMs.p99} | ${on.otlpExports ?? ''} |`,
      );
    }
  }
  lines.push(
    '',
    '| process | Node.js | cache | idle RSS MiB | peak RSS MiB |',
    '|---|---|---|---:|---:|',
    ...result.memory.map(
      (entry) =>
        `| ${entry.target} | ${nodeOf(result, entry.target) ?? ''} | ${entry.cache} | ${entry.idleRssMiB} | ${entry.peakRssMiB} |`,
    ),
  );
  return `${lines.join('\n')}\n`;
}

export function limitsChart(
  result: LimitsResult,
  goals: Goal[],
  title: string,
  subtitle: string,
): ChartReport {
  const label = (target: string) => {
    const node = nodeOf(result, target);
    return node ? `${target} (Node ${node})` : target;
  };
  const summaries = summariseLimits(result);
  return {
    title,
    subtitle,
    runs: [
      ...summaries.map((s) => ({
        scenario: workLabel(s),
        target: label(s.target),
        requestsPerSecond: s.requestsPerSecond,
        p99Ms: s.latencyMs.p99,
      })),
      // The limit, beside the scenarios it is the limit of: the passthrough runs paired with mailgraph's.
      ...summaries
        .filter((s) => s.target === 'mailgraph' && s.scenario === 'light')
        .map((s) => {
          const limits = result.runs.filter(
            (other) =>
              other.target === 'passthrough' && other.scenario === `mailgraph ${s.scenario} cache=${s.cache}`,
          );
          return {
            scenario: workLabel(s),
            target: label('passthrough'),
            requestsPerSecond: median(limits.map((run) => run.requestsPerSecond)) ?? 0,
            p99Ms: median(limits.map((run) => run.latencyMs.p99)) ?? 0,
          };
        }),
    ],
    goals: goals
      .filter((goal) => goal.sense === 'at least' && goal.measured !== null)
      .map((goal) => ({
        // Shorter than in the Markdown: a chart row label has about 50 characters.
        name: goal.name.replace(NODE24_SUFFIX, ' (Node 24)'),
        measured: goal.measured as number,
        goal: goal.goal,
        met: goal.met,
      })),
    memory: result.memory.flatMap((entry) => {
      const row = `${entry.target}, ${entry.cache === 'none' ? 'no cache' : 'cache warm'}`;
      return [
        { label: `${row}: idle`, mib: entry.idleRssMiB, limitMib: 100 },
        { label: `${row}: peak under load`, mib: entry.peakRssMiB, limitMib: 250 },
      ];
    }),
  };
}
