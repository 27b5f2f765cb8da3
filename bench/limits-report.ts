/**
 * What the limits part of the bench concludes (issue 10's goals, as ratios within one run), and how it is
 * shown: a Markdown table and the chart (bench/chart.ts).
 */
import type { ChartReport } from './chart.js';
import type { LimitRun, LimitsResult } from './limits.js';

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

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function find(result: LimitsResult, target: string, scenario: string, cache: string): LimitRun | undefined {
  return result.runs.find((run) => run.target === target && run.scenario === scenario && run.cache === cache);
}

/** The passthrough's throughput: the mean of its runs (one before mailgraph's, one after). */
export function passthroughRate(result: LimitsResult): number {
  const runs = result.runs.filter((run) => run.target === 'passthrough');
  return runs.reduce((sum, run) => sum + run.requestsPerSecond, 0) / Math.max(1, runs.length);
}

export function limitGoals(result: LimitsResult, recorded?: RecordedBaseline): Goal[] {
  const pass = passthroughRate(result);
  const rate = (target: string, scenario: string, cache: string) =>
    find(result, target, scenario, cache)?.requestsPerSecond ?? null;
  const ratio = (value: number | null, over: number | null) =>
    value === null || over === null || over === 0 ? null : round(value / over);
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

  atLeast(
    'light, no cache vs passthrough',
    'mailgraph req/s with MAILGRAPH_CACHE_TTL_SECONDS=0 / passthrough req/s',
    ratio(rate('mailgraph', 'light', 'none'), pass),
    0.9,
  );
  atLeast(
    'light, cache warm vs passthrough',
    'mailgraph req/s, cache warm / passthrough req/s',
    ratio(rate('mailgraph', 'light', 'warm'), pass),
    1.2,
  );
  const heavy = rate('mailgraph', 'outbound-20-with-events', 'warm');
  const baseline = rate('baseline', 'outbound-20-with-events', 'warm');
  if (baseline !== null) {
    atLeast(
      '20 messages with events, warm vs baseline',
      `mailgraph req/s / baseline (${result.settings.baseline}) req/s, side by side`,
      ratio(heavy, baseline),
      4,
    );
  } else if (recorded) {
    // Each normalised by the passthrough of its own run, so that the machine's speed that day cancels out.
    atLeast(
      '20 messages with events, warm vs baseline',
      `(mailgraph / passthrough) / (${recorded.label} / its run's passthrough)`,
      ratio(
        heavy === null ? null : heavy / pass,
        recorded.heavyWarmRequestsPerSecond / recorded.passthroughRequestsPerSecond,
      ),
      4,
    );
  }
  const mine = result.memory.filter((entry) => entry.target === 'mailgraph');
  const idle = mine.length ? Math.max(...mine.map((entry) => entry.idleRssMiB)) : null;
  const peak = mine.length ? Math.max(...mine.map((entry) => entry.peakRssMiB)) : null;
  goals.push({
    name: 'resident memory at idle (MiB)',
    basis: 'VmRSS 25 s after start-up and one request of each scenario, highest of the cache modes',
    measured: idle,
    goal: 100,
    sense: 'at most',
    met: idle !== null && idle <= 100,
  });
  goals.push({
    name: 'resident memory under the heaviest load (MiB)',
    basis: 'highest VmRSS sampled every 100 ms under load',
    measured: peak,
    goal: 250,
    sense: 'at most',
    met: peak !== null && peak <= 250,
  });
  return goals;
}

const SCENARIO_LABEL: Record<string, string> = {
  light: 'light list query (3 addresses)',
  'outbound-20-with-events': '20 newest messages with events',
};

function runLabel(run: LimitRun): string {
  const scenario = SCENARIO_LABEL[run.scenario] ?? run.scenario;
  if (run.target === 'passthrough') return 'passthrough (one upstream GET per request)';
  return `${scenario}, ${run.cache === 'none' ? 'no cache' : 'cache warm'}`;
}

export function limitsMarkdown(result: LimitsResult, goals: Goal[]): string {
  const pass = passthroughRate(result);
  const lines = [
    `${result.settings.connections} connections, ${result.settings.durationSeconds} s per run; passthrough: mean of ${
      result.runs.filter((run) => run.target === 'passthrough').length
    } runs = ${round(pass, 1)} req/s.`,
    '',
    '| target | work | req/s | × passthrough | p50 ms | p99 ms | upstream calls / request | peak RSS MiB |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...result.runs.map(
      (run) =>
        `| ${run.target} | ${runLabel(run)} | ${run.requestsPerSecond} | ${round(run.requestsPerSecond / pass)} | ${
          run.latencyMs.p50
        } | ${run.latencyMs.p99} | ${run.upstreamCallsPerRequest ?? ''} | ${run.peakRssMiB ?? ''} |`,
    ),
    '',
    '| goal | measured | goal | met | basis |',
    '|---|---:|---:|---|---|',
    ...goals.map(
      (goal) =>
        `| ${goal.name} | ${goal.measured ?? 'n/a'} | ${goal.sense} ${goal.goal} | ${goal.met ? 'met' : 'missed'} | ${goal.basis} |`,
    ),
  ];
  const tracing = result.runs.filter((run) => run.target === 'mailgraph+tracing');
  if (tracing.length > 0) {
    lines.push(
      '',
      '| tracing on (OTLP/HTTP to a local receiver) | req/s | × tracing off | p99 ms | OTLP exports |',
    );
    lines.push('|---|---:|---:|---:|---:|');
    for (const run of tracing) {
      const off = find(result, 'mailgraph', run.scenario, run.cache);
      lines.push(
        `| ${runLabel(run)} | ${run.requestsPerSecond} | ${off ? round(run.requestsPerSecond / off.requestsPerSecond) : ''} | ${
          run.latencyMs.p99
        } | ${run.otlpExports ?? ''} |`,
      );
    }
  }
  lines.push(
    '',
    '| process | cache | idle RSS MiB | peak RSS MiB |',
    '|---|---|---:|---:|',
    ...result.memory.map(
      (entry) => `| ${entry.target} | ${entry.cache} | ${entry.idleRssMiB} | ${entry.peakRssMiB} |`,
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
  return {
    title,
    subtitle,
    runs: [
      ...result.runs
        .filter((run) => run.target !== 'passthrough')
        .map((run) => ({
          scenario: runLabel(run),
          target: run.target,
          requestsPerSecond: run.requestsPerSecond,
          p99Ms: run.latencyMs.p99,
        })),
      // The limit, beside the scenarios it is the limit of.
      ...result.runs
        .filter((run) => run.target === 'mailgraph' && run.scenario === 'light')
        .map((run) => ({
          scenario: runLabel(run),
          target: 'passthrough',
          requestsPerSecond: round(passthroughRate(result), 1),
          p99Ms: Math.max(
            ...result.runs
              .filter((other) => other.target === 'passthrough')
              .map((other) => other.latencyMs.p99),
          ),
        })),
    ],
    goals: goals
      .filter((goal) => goal.sense === 'at least' && goal.measured !== null)
      .map((goal) => ({
        name: goal.name,
        measured: goal.measured as number,
        goal: goal.goal,
        met: goal.met,
      })),
    memory: result.memory.flatMap((entry) => {
      const label = `${entry.target}, ${entry.cache === 'none' ? 'no cache' : 'cache warm'}`;
      return [
        { label: `${label}: idle`, mib: entry.idleRssMiB, limitMib: 100 },
        { label: `${label}: peak under load`, mib: entry.peakRssMiB, limitMib: 250 },
      ];
    }),
  };
}
