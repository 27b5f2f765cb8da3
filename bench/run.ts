/**
 * `npm run bench`: measures mailgraph over real HTTP against the sandbox emulator, both on loopback, in
 * three parts (`npm run bench -- --only events`, or `--only queries,dashboard`, runs some of them):
 * - `queries`: for each scenario, the upstream calls one operation costs (cold, then warm within the cache
 *   TTL) and the throughput and latency of the warm path under load (autocannon);
 * - `events`: webhook ingestion and fan-out to 1,010 live subscriptions, on one instance (LMDB) and on two
 *   over Redis (bench/events.ts);
 * - `dashboard`: issue 9's dashboard workload in real time against the rate-limited emulator with the
 *   event webhook flowing (bench/dashboard.ts);
 * - `page`: the live mail activity page's first render in headless Chromium, beside GraphiQL's
 *   (bench/page.ts).
 * Results are printed and written to bench/results/<timestamp>.json. Numbers depend on the machine and on
 * what else runs on it (each part records its CPU shares and the load average); compare runs on one machine.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { startStack } from '../test/helpers/stack.js';
import { renderChart } from './chart.js';
import { runDashboardBench } from './dashboard.js';
import { runEventBench } from './events.js';
import {
  type RecordedBaseline,
  limitGoals,
  limitsChart,
  limitsMarkdown,
  summariseLimits,
} from './limits-report.js';
import { runLimitsBench } from './limits.js';
import { runPageBench } from './page.js';

interface Scenario {
  name: string;
  query: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'outbound-20-with-events',
    query:
      '{ outboundMessages(first: 20) { edges { node { id subject recipients { email lastEvent events { kind timestamp details { replyCode remoteHost } } } } } } }',
  },
  {
    name: 'addresses-with-statuses-and-domains',
    query:
      '{ inboundAddresses(first: 10) { edges { node { id nickname incomingStatuses(first: 10) { edges { node { subject outcome } } } customDomains(first: 5) { edges { node { domain } } } } } } }',
  },
  {
    name: 'sending-domains-dns-records',
    query:
      '{ sendingDomains(first: 20) { edges { node { domain verified dnsRecords { type name value verified } } } } }',
  },
];

const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
/** The event benchmark: measured seconds per scenario, events per second offered, subscribers. */
const EVENT_SECONDS = Number(process.env.BENCH_EVENT_SECONDS ?? 20);
const EVENT_RATE = Number(process.env.BENCH_EVENT_RATE ?? 1000);
const EVENT_SUBSCRIBERS = Number(process.env.BENCH_EVENT_SUBSCRIBERS ?? 1000);
const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The dashboard workload's length (the issue's: 60 s). */
const DASHBOARD_SECONDS = Number(process.env.BENCH_DASHBOARD_SECONDS ?? 60);
/** Measured loads of the activity page and of GraphiQL, each in a fresh browser context. */
const PAGE_RUNS = wholeNumberAtLeastOne('BENCH_PAGE_RUNS', process.env.BENCH_PAGE_RUNS, 15);

/**
 * The limits part (issue 10): seconds per run (a pair is two runs: the passthrough's, then the target's),
 * pairs per target, scenario and cache mode, connections, and the baseline build to run beside.
 */
const LIMIT_SECONDS = Number(process.env.BENCH_LIMIT_SECONDS ?? 5);
const LIMIT_PAIRS = wholeNumberAtLeastOne('BENCH_LIMIT_PAIRS', process.env.BENCH_LIMIT_PAIRS, 3);
const LIMIT_CONNECTIONS = Number(process.env.BENCH_LIMIT_CONNECTIONS ?? 10);
/** How long a process is left without work before its idle memory is read. */
const IDLE_SETTLE_MS = Number(process.env.BENCH_IDLE_SETTLE_MS ?? 25_000);
/** A Node 24 binary (`npm install --no-save --prefix /tmp/n24 node@24`) that also runs mailgraph's dist/. */
const NODE24 = process.env.BENCH_NODE24 || undefined;
const BASELINE_DIR = process.env.BENCH_BASELINE_DIR;
const BASELINE_LABEL = process.env.BENCH_BASELINE_LABEL;
/** Tracing on vs off is measured unless BENCH_TRACING=false. */
const LIMIT_TRACING = process.env.BENCH_TRACING !== 'false';
const RECORDED_BASELINE = new URL('./baseline.json', import.meta.url);

function wholeNumberAtLeastOne(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
    process.exit(1);
  }
  return value;
}

const PARTS = ['limits', 'queries', 'events', 'dashboard', 'page'] as const;
type Part = (typeof PARTS)[number];

function partsToRun(argv: string[]): Set<Part> {
  const at = argv.findIndex((arg) => arg === '--only' || arg.startsWith('--only='));
  if (at < 0) return new Set(PARTS);
  const value = argv[at]?.includes('=') ? argv[at]?.split('=')[1] : argv[at + 1];
  const asked = (value ?? '').split(',').filter(Boolean);
  const unknown = asked.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (asked.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')}; got ${value ?? 'nothing'}`);
  }
  return new Set(asked as Part[]);
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function runQueries(): Promise<Record<string, unknown>[]> {
  const stack = await startStack({ env: { MAILGRAPH_CACHE_TTL_SECONDS: '3600' } });
  const results: Record<string, unknown>[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const body = JSON.stringify({ query: scenario.query });
      const send = () =>
        fetch(`${stack.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }).then(async (response) => {
          const json = (await response.json()) as { errors?: unknown };
          if (response.status !== 200 || json.errors)
            throw new Error(`${scenario.name}: ${JSON.stringify(json)}`);
        });
      stack.sandbox.resetCalls();
      await send();
      const coldCalls = stack.sandbox.calls.length;
      stack.sandbox.resetCalls();
      await send();
      const warmCalls = stack.sandbox.calls.length;

      const load = await autocannon({
        url: `${stack.url}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: CONNECTIONS,
        duration: DURATION_SECONDS,
      });
      const result = {
        scenario: scenario.name,
        upstreamCallsCold: coldCalls,
        upstreamCallsWarm: warmCalls,
        upstreamCallsDuringLoad: stack.sandbox.calls.length,
        requestsPerSecond: load.requests.average,
        latencyMs: {
          p50: load.latency.p50,
          p90: load.latency.p90,
          p99: load.latency.p99,
          max: load.latency.max,
        },
        non2xx: load.non2xx,
        errors: load.errors,
        timeouts: load.timeouts,
      };
      results.push(result);
      console.log(JSON.stringify(result));
    }
  } finally {
    await stack.close();
  }
  return results;
}

async function runEvents(): Promise<Record<string, unknown>[]> {
  const log = (line: string) => console.log(`  ${line}`);
  const options = {
    messages: EVENT_SUBSCRIBERS,
    watchAll: 10,
    rate: EVENT_RATE,
    batch: 10,
    seconds: EVENT_SECONDS,
    log,
  };
  const results: Record<string, unknown>[] = [];
  const one = await runEventBench({ ...options, instances: 1 });
  console.log(JSON.stringify(one));
  results.push({ ...one });
  if (await redisAnswers(REDIS_URL)) {
    const two = await runEventBench({ ...options, instances: 2, redisUrl: REDIS_URL });
    console.log(JSON.stringify(two));
    results.push({ ...two });
  } else {
    const skipped = { scenario: 'two-instances-redis', skipped: `no Redis answers at ${REDIS_URL}` };
    console.log(JSON.stringify(skipped));
    results.push(skipped);
  }
  return results;
}

async function main(): Promise<void> {
  const parts = partsToRun(process.argv.slice(2));
  const started = new Date();
  const output: Record<string, unknown> = {
    node: process.version,
    startedAt: started.toISOString(),
    command: `npm run bench${parts.size === PARTS.length ? '' : ` -- --only ${[...parts].join(',')}`}`,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, loadAverageAtStart: loadavg() },
    // BENCH_NOTE: what was special about this run (a patch tried, another load on the machine), kept with it.
    ...(process.env.BENCH_NOTE ? { note: process.env.BENCH_NOTE } : {}),
  };
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const resultsDir = new URL('./results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  if (parts.has('limits')) {
    console.log(
      `limits: mailgraph beside a bare passthrough, ${LIMIT_CONNECTIONS} connections, ${LIMIT_PAIRS} pairs of ${LIMIT_SECONDS} s runs per target, scenario and cache mode${NODE24 ? `, also on ${NODE24}` : ''}`,
    );
    const limits = await runLimitsBench({
      root: new URL('..', import.meta.url).pathname,
      durationSeconds: LIMIT_SECONDS,
      connections: LIMIT_CONNECTIONS,
      pairs: LIMIT_PAIRS,
      idleSettleMs: IDLE_SETTLE_MS,
      ...(NODE24 ? { node24: NODE24 } : {}),
      ...(BASELINE_DIR ? { baselineDir: BASELINE_DIR } : {}),
      ...(BASELINE_LABEL ? { baselineLabel: BASELINE_LABEL } : {}),
      tracing: LIMIT_TRACING,
      log: (line) => console.log(`  ${line}`),
    });
    const recorded = existsSync(RECORDED_BASELINE)
      ? (JSON.parse(readFileSync(RECORDED_BASELINE, 'utf8')) as RecordedBaseline)
      : undefined;
    const goals = limitGoals(limits, recorded);
    const summary = summariseLimits(limits);
    const markdown = limitsMarkdown(limits, goals);
    const chart = limitsChart(
      limits,
      goals,
      `mailgraph: npm run bench, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node.js ${process.version}, ${LIMIT_CONNECTIONS} connections, median of ${LIMIT_PAIRS} pairs × ${LIMIT_SECONDS} s, load average ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')} at the start`,
    );
    output.limits = { ...limits, summary, goals };
    output.chart = chart;
    const svg = renderChart(chart);
    writeFileSync(new URL(`${stamp}.svg`, resultsDir), svg);
    writeFileSync(new URL(`${stamp}.md`, resultsDir), markdown);
    writeFileSync(new URL('latest.svg', resultsDir), svg);
    writeFileSync(new URL('latest.md', resultsDir), markdown);
    console.log(markdown);
  }
  if (parts.has('queries')) {
    console.log('queries: warm-path load (autocannon)');
    output.durationSeconds = DURATION_SECONDS;
    output.connections = CONNECTIONS;
    output.results = await runQueries();
  }
  if (parts.has('events')) {
    console.log(
      `events: ${EVENT_SUBSCRIBERS} + 10 subscribers, ${EVENT_RATE} events/s in batches of 10 for ${EVENT_SECONDS} s`,
    );
    output.events = await runEvents();
  }
  if (parts.has('dashboard')) {
    console.log(`dashboard: 50 clients every 2 s for ${DASHBOARD_SECONDS} s, rate limits on`);
    const dashboard = await runDashboardBench({
      clients: 50,
      durationMs: DASHBOARD_SECONDS * 1000,
      pollIntervalMs: 2_000,
      sendIntervalMs: 10_000,
      initialSends: 20,
      log: (line) => console.log(`  ${line}`),
    });
    console.log(JSON.stringify(dashboard));
    output.dashboard = dashboard;
  }
  if (parts.has('page')) {
    console.log(
      `page: the activity page and GraphiQL, ${PAGE_RUNS} loads each in headless Chromium, fresh contexts`,
    );
    const page = await runPageBench({ runs: PAGE_RUNS, log: (line) => console.log(`  ${line}`) });
    console.log(JSON.stringify(page));
    output.page = page;
  }
  output.totalSeconds = Math.round((Date.now() - started.getTime()) / 1000);
  const file = new URL(`${stamp}.json`, resultsDir);
  writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`written ${file.pathname} (${output.totalSeconds} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
