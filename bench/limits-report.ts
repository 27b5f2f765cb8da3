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

/** A run's throughput over the passthrough's in the run just before it (its pair). */
export function pairedRatio(run: LimitRun | undefined): number | null {
  if (!run?.passthroughRequestsPerSecond) return null;
  return run.requestsPerSecond / run.passthroughRequestsPerSecond;
}

export function limitGoals(result: LimitsResult, recorded?: RecordedBaseline): Goal[] {
  const paired = (target: string, scenario: string, cache: string) =>
    pairedRatio(find(result, target, scenario, cache));
  const rounded = (value: number | null) => (value === null ? null : round(value));
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
    'mailgraph req/s with MAILGRAPH_CACHE_TTL_SECONDS=0 / passthrough req/s in the run just before',
    rounded(paired('mailgraph', 'light', 'none')),
    0.9,
  );
  atLeast(
    'light, cache warm vs passthrough',
    'mailgraph req/s, cache warm / passthrough req/s in the run just before',
    rounded(paired('mailgraph', 'light', 'warm')),
    1.2,
  );
  const heavy = paired('mailgraph', 'outbound-20-with-events', 'warm');
  const baseline = paired('baseline', 'outbound-20-with-events', 'warm');
  if (baseline !== null) {
    atLeast(
      '20 messages with events, warm vs baseline',
      `(mailgraph / its passthrough) / (baseline ${result.settings.baseline} / its passthrough), side by side`,
      heavy === null ? null : rounded(heavy / baseline),
      4,
    );
  } else if (recorded) {
    // Each normalised by the passthrough of its own run, so that the machine's speed that day cancels out.
    atLeast(
      '20 messages with events, warm vs baseline',
      `(mailgraph / its passthrough) / (${recorded.label} / its run's passthrough)`,
      heavy === null
        ? null
        : rounded(heavy / (recorded.heavyWarmRequestsPerSecond / recorded.passthroughRequestsPerSecond)),
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
  const limits = result.runs
    .filter((run) => run.target === 'passthrough')
    .map((run) => run.requestsPerSecond);
  const measured = result.runs.filter((run) => run.target !== 'passthrough');
  const lines = [
    `${result.settings.connections} connections, ${result.settings.durationSeconds} s per run; each run is paired with a passthrough run just before it (the passthrough ranged from ${Math.min(
      ...limits,
    )} to ${Math.max(...limits)} req/s over the ${limits.length} runs).`,
    '',
    '| target | work | req/s | passthrough beside it | × passthrough | p50 ms | p99 ms | upstream calls / request | peak RSS MiB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...measured.map((run) => {
      const ratio = pairedRatio(run);
      return `| ${run.target} | ${runLabel(run)} | ${run.requestsPerSecond} | ${run.passthroughRequestsPerSecond ?? ''} | ${
        ratio === null ? '' : round(ratio)
      } | ${run.latencyMs.p50} | ${run.latencyMs.p99} | ${run.upstreamCallsPerRequest ?? ''} | ${run.peakRssMiB ?? ''} |`;
    }),
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
      '| tracing on (OTLP/HTTP to a local receiver) | req/s | × passthrough | × tracing off (each over its passthrough) | p99 ms | OTLP exports |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const run of tracing) {
      const on = pairedRatio(run);
      const off = pairedRatio(find(result, 'mailgraph', run.scenario, run.cache));
      lines.push(
        `| ${runLabel(run)} | ${run.requestsPerSecond} | ${on === null ? '' : round(on)} | ${
          on === null || off === null ? '' : round(on / off)
        } | ${run.latencyMs.p99} | ${run.otlpExports ?? ''} |`,
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
      // The limit, beside the scenarios it is the limit of: the passthrough run paired with mailgraph's.
      ...result.runs
        .filter((run) => run.target === 'mailgraph' && run.scenario === 'light')
        .map((run) => {
          const limit = result.runs.find(
            (other) =>
              other.target === 'passthrough' &&
              other.scenario === `mailgraph ${run.scenario} cache=${run.cache}`,
          );
          return {
            scenario: runLabel(run),
            target: 'passthrough',
            requestsPerSecond: limit?.requestsPerSecond ?? 0,
            p99Ms: limit?.latencyMs.p99 ?? 0,
          };
        }),
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
