/**
 * `npm run bench -- --only limits`: mailgraph against the limit of "one request, one upstream call", in
 * one run on one machine, so that every figure is a ratio to something measured beside it (issue 10).
 *
 * Processes, each its own `node`:
 * - the emulator (`dist/sandbox/main.js`, rate limits off) as the upstream of everything;
 * - the bare passthrough (bench/passthrough.mjs): each POST answered with one upstream GET;
 * - mailgraph (`dist/server.js`) in live mode against the emulator, started anew for each cache mode:
 *   `MAILGRAPH_CACHE_TTL_SECONDS=0` (no cache: every answer from the provider) and 3600 (warm);
 * - optionally the same dist/ run by another Node binary (Node 24, the current LTS) as `mailgraph@node24`;
 * - optionally the same for a baseline build (BENCH_BASELINE_DIR: another checkout, built), side by side;
 * - optionally mailgraph with tracing on, exporting to an OTLP/HTTP receiver in this process.
 * The passthrough and autocannon always run on the bench's own node, so that every target has the same
 * limit. autocannon runs in a process of its own. Each (target, scenario, cache mode) is measured as a
 * few pairs, each a passthrough run immediately followed by the target's run, after WARMUP_SECONDS of
 * unmeasured load; every pair is kept, and the report takes the median of the pairs' ratios
 * (bench/limits-report.ts). Resident memory is read from /proc/<pid>/status (Linux): idle is after a
 * settling time without work following start-up and one request of each scenario (V8 gives memory back
 * only after a few seconds without work), peak is sampled every 100 ms under load, across all pairs.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN } from '../src/demo-accounts.js';
import { freePort } from '../test/helpers/ports.js';

export interface LimitScenario {
  name: string;
  label: string;
  query: string;
}

export const LIMIT_SCENARIOS = {
  light: {
    name: 'light',
    label: 'light list query (3 addresses)',
    query: '{ inboundAddresses(first: 3) { nodes { id emailAddress nickname target } } }',
  },
  heavy: {
    name: 'outbound-20-with-events',
    label: '20 newest messages with every recipient\u2019s events',
    query:
      '{ outboundMessages(first: 20) { edges { node { id subject recipients { email lastEvent events { kind timestamp details { replyCode remoteHost } } } } } } }',
  },
} as const satisfies Record<string, LimitScenario>;

export interface LoadFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** The target that runs mailgraph's dist/ on the Node binary given as `node24`. */
export const NODE24_TARGET = 'mailgraph@node24';

export interface LimitRun extends LoadFigures {
  /** `passthrough`, `mailgraph`, `mailgraph@node24`, `baseline`, `mailgraph+tracing` */
  target: string;
  /** For the passthrough: the run it is paired with, `<target> <scenario> cache=<cache>`. */
  scenario: string;
  cache: 'none' | 'warm' | 'n/a';
  /** Which pair of its (target, scenario, cache) this run belongs to, from 1. */
  pair: number;
  /** Upstream calls during the load (from mailgraph's own /metrics; the passthrough makes one per request). */
  upstreamCalls: number | null;
  upstreamCallsPerRequest: number | null;
  peakRssMiB: number | null;
  /** The passthrough's req/s in the run just before this one, its pair (the limit it is compared with). */
  passthroughRequestsPerSecond?: number;
  /** OTLP export requests the receiver got during the load (tracing runs only). */
  otlpExports?: number;
}

export interface LimitsOptions {
  root: string;
  /** Seconds per measured run (a pair is two runs). */
  durationSeconds: number;
  connections: number;
  /** Pairs per (target, scenario, cache mode). */
  pairs: number;
  /** How long a process is left without work before its idle memory is read. */
  idleSettleMs: number;
  /** Another checkout with `dist/` built, measured with the same settings (the recorded baseline). */
  baselineDir?: string;
  baselineLabel?: string;
  /** A Node binary (Node 24) that runs the same dist/ as the target `mailgraph@node24`. */
  node24?: string;
  tracing: boolean;
  log: (line: string) => void;
}

export interface LimitsResult {
  settings: {
    connections: number;
    durationSeconds: number;
    pairs: number;
    warmupSeconds: number;
    baseline: string | null;
  };
  /** Each target's Node version (`passthrough` included), as its binary's `--version` gave it. */
  targets: Array<{ target: string; node: string }>;
  runs: LimitRun[];
  memory: Array<{ target: string; cache: string; idleRssMiB: number; peakRssMiB: number }>;
}

interface Child {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

function startChild(command: string, args: string[], env: Record<string, string>, cwd: string): Child {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    // Only the start of the output matters (listening lines, start-up failures).
    if (output.length < 64 * 1024) output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = once(child, 'exit');
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, child: Child): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null) throw new Error(`${what} exited: ${child.output()}`);
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`${what} did not start in 30 s: ${child.output()}`);
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export function rssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every 100 ms until stopped; returns the highest. */
function sampleRss(pid: number | undefined): () => number | null {
  let peak: number | null = rssMiB(pid);
  const timer = setInterval(() => {
    const now = rssMiB(pid);
    if (now !== null && (peak === null || now > peak)) peak = now;
  }, 100);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/**
 * autocannon in its own process (its CLI, `--json`): the load generator then shares no event loop with the
 * bench's own work (sampling memory every 100 ms, receiving OTLP exports, tsx's loader), which would
 * otherwise delay the next request of a connection and count against whichever target is measured.
 */
async function load(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: Pick<LimitsOptions, 'connections' | 'durationSeconds' | 'root'>,
): Promise<LoadFigures> {
  const args = [
    join(options.root, 'node_modules/autocannon/autocannon.js'),
    '--json',
    '-c',
    String(options.connections),
    '-d',
    String(options.durationSeconds),
    '-m',
    'POST',
    '-b',
    body,
    '-H',
    'content-type=application/json',
    ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}=${value}`]),
    url,
  ];
  const generator = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  generator.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  generator.stderr?.resume();
  const [code] = await once(generator, 'exit');
  if (code !== 0) throw new Error(`autocannon exited with ${code}: ${output.slice(0, 500)}`);
  const result = JSON.parse(output) as {
    requests: { average: number; total: number };
    latency: { p50: number; p90: number; p99: number; max: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** The sum of mailgraph_upstream_calls_total on /metrics. */
async function upstreamCalls(origin: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('mailgraph_upstream_calls_total{')) total += Number(line.split(' ').pop());
  }
  return total;
}

/** An OTLP/HTTP trace receiver that only counts what it is sent (requests and their bytes). */
async function startOtlpReceiver(): Promise<{ url: string; exports: () => number; close: () => void }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      if (req.url === '/v1/traces') count += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, exports: () => count, close: () => server.close() };
}

const API_KEY = 'bench-read-key-0123456789';
/** How often resident memory is read while a process settles without work. */
const IDLE_SAMPLE_MS = 1000;
/**
 * Seconds of unmeasured load before the first measured run of each process and scenario. 2 s was too
 * short: after it, mailgraph still spent 150 µs of CPU per request in the next 5 s against 116 µs in the
 * 5 s windows after those (V8 was still optimising the hot code), so the first pair after a fresh start
 * was consistently the lowest.
 */
export const WARMUP_SECONDS = 5;

/** `v24.21.0`: what the binary says, so that the report names the Node that actually ran. */
export function nodeVersion(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (error) {
    throw new Error(`${binary} --version failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

async function startMailgraph(
  node: string,
  dir: string,
  upstream: { cloudmailinUrl: string; cloudflareUrl: string },
  extraEnv: Record<string, string>,
): Promise<{ child: Child; origin: string; dataDir: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-bench-'));
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CLOUDMAILIN_API_URL: upstream.cloudmailinUrl,
    CLOUDMAILIN_ACCOUNT_ID: SANDBOX_CLOUDMAILIN.accountId,
    CLOUDMAILIN_API_KEY: SANDBOX_CLOUDMAILIN.apiKey,
    CLOUDMAILIN_SMTP_USERNAME: SANDBOX_CLOUDMAILIN.smtpUsername,
    CLOUDMAILIN_SMTP_TOKEN: SANDBOX_CLOUDMAILIN.smtpToken,
    // The emulator's limits are off: mailgraph need not ration either.
    CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '0',
    CLOUDFLARE_API_URL: upstream.cloudflareUrl,
    CLOUDFLARE_API_TOKEN: SANDBOX_CLOUDFLARE.apiToken,
    CLOUDFLARE_ACCOUNT_ID: SANDBOX_CLOUDFLARE.accountId,
    CLOUDFLARE_ZONE_IDS: SANDBOX_CLOUDFLARE.zoneIds.join(','),
    MAILGRAPH_API_KEYS: `${API_KEY}:read`,
    WEBHOOK_BASIC_AUTH: 'bench:bench-webhook-secret',
    MAILGRAPH_DATA_DIR: dataDir,
    ...extraEnv,
  };
  const child = startChild(node, [join(dir, 'dist/server.js')], env, dir);
  const origin = `http://127.0.0.1:${port}`;
  await waitFor('mailgraph', () => answers(`${origin}/health`), child);
  return { child, origin, dataDir };
}

export async function runLimitsBench(options: LimitsOptions): Promise<LimitsResult> {
  const { root, log } = options;
  if (!Number.isInteger(options.pairs) || options.pairs < 1) {
    throw new Error(`pairs must be a whole number of at least 1, not ${options.pairs}`);
  }
  const targets: Array<{ target: string; node: string; dir: string; env: Record<string, string> }> = [
    { target: 'mailgraph', node: process.execPath, dir: root, env: {} },
  ];
  if (options.node24) {
    targets.push({ target: NODE24_TARGET, node: resolve(options.node24), dir: root, env: {} });
  }
  if (options.baselineDir) {
    targets.push({ target: 'baseline', node: process.execPath, dir: resolve(options.baselineDir), env: {} });
  }
  // Asked before anything starts, so that a wrong binary stops the bench at once.
  const versions = [
    { target: 'passthrough', node: process.version },
    ...targets.map(({ target, node }) => ({
      target,
      node: node === process.execPath ? process.version : nodeVersion(node),
    })),
  ];
  const children: Child[] = [];
  const runs: LimitRun[] = [];
  const memory: LimitsResult['memory'] = [];
  const receiver = options.tracing ? await startOtlpReceiver() : null;
  try {
    // The upstream: the emulator, alone in its process, limits off.
    const emulatorPort = await freePort();
    const emulator = startChild(
      process.execPath,
      [join(root, 'dist/sandbox/main.js')],
      { SANDBOX_PORT: String(emulatorPort), HOST: '127.0.0.1', MAILGRAPH_SANDBOX_RATE_LIMITS: 'false' },
      root,
    );
    children.push(emulator);
    await waitFor('the emulator', () => /CLOUDFLARE_API_URL=\S+/.test(emulator.output()), emulator);
    const cloudmailinUrl = /CLOUDMAILIN_API_URL=(\S+)/.exec(emulator.output())?.[1] ?? '';
    const cloudflareUrl = /CLOUDFLARE_API_URL=(\S+)/.exec(emulator.output())?.[1] ?? '';
    const upstream = { cloudmailinUrl, cloudflareUrl };

    // The limit: the same upstream GET as the light query's, once per request.
    const passPort = await freePort();
    const passthrough = startChild(
      process.execPath,
      [join(root, 'bench/passthrough.mjs')],
      {
        PORT: String(passPort),
        UPSTREAM_URL: `${cloudmailinUrl}/${SANDBOX_CLOUDMAILIN.accountId}/addresses`,
        UPSTREAM_AUTHORIZATION: `Bearer ${SANDBOX_CLOUDMAILIN.apiKey}`,
      },
      root,
    );
    children.push(passthrough);
    const passUrl = `http://127.0.0.1:${passPort}/graphql`;
    await waitFor('the passthrough', () => /listening/.test(passthrough.output()), passthrough);
    // The limit is measured right before each mailgraph run, so that every ratio compares two runs of the
    // same minute: this machine's speed moves by a third between minutes (other tenants).
    let passthroughWarm = false;
    const measurePassthrough = async (beside: string, pair: number): Promise<LimitRun> => {
      if (!passthroughWarm) {
        await load(passUrl, '{"query":"{ x }"}', {}, { ...options, durationSeconds: WARMUP_SECONDS });
        passthroughWarm = true;
      }
      const figures = await load(passUrl, '{"query":"{ x }"}', {}, options);
      const run: LimitRun = {
        target: 'passthrough',
        scenario: beside,
        cache: 'n/a',
        pair,
        ...figures,
        upstreamCalls: figures.requests,
        upstreamCallsPerRequest: 1,
        peakRssMiB: null,
      };
      runs.push(run);
      log(
        `passthrough (beside ${beside}, pair ${pair}): ${figures.requestsPerSecond} req/s, p99 ${figures.latencyMs.p99} ms`,
      );
      return run;
    };

    if (receiver) {
      targets.push({
        target: 'mailgraph+tracing',
        node: process.execPath,
        dir: root,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      });
      versions.push({ target: 'mailgraph+tracing', node: process.version });
    }

    for (const cache of ['none', 'warm'] as const) {
      for (const { target, node, dir, env } of targets) {
        const ttl = cache === 'none' ? '0' : '3600';
        const mailgraph = await startMailgraph(node, dir, upstream, {
          MAILGRAPH_CACHE_TTL_SECONDS: ttl,
          ...env,
        });
        children.push(mailgraph.child);
        const headers = { authorization: `Bearer ${API_KEY}` };
        const pid = mailgraph.child.child.pid;
        let peakOfProcess = 0;
        // One request of each scenario first: each must succeed (and fills the cache in warm mode).
        for (const scenario of [LIMIT_SCENARIOS.light, LIMIT_SCENARIOS.heavy]) {
          const first = await fetch(`${mailgraph.origin}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ query: scenario.query }),
          });
          const json = (await first.json()) as { errors?: unknown };
          if (first.status !== 200 || json.errors) {
            throw new Error(`${target} ${scenario.name}: ${first.status} ${JSON.stringify(json)}`);
          }
        }
        // Idle: after start-up and those requests, once V8's memory reducer has run. It gives memory back
        // after some seconds without work, at a time of its choosing (one run read 120 MiB at 25 s where
        // the same process settles at 91), so RSS is sampled every second of the window and the lowest
        // reading kept: without work, resident memory only goes down.
        if (target !== 'mailgraph+tracing') {
          let idle: number | null = null;
          for (let waited = 0; waited < options.idleSettleMs; waited += IDLE_SAMPLE_MS) {
            await new Promise((done) =>
              setTimeout(done, Math.min(IDLE_SAMPLE_MS, options.idleSettleMs - waited)),
            );
            const now = rssMiB(pid);
            if (now !== null) idle = idle === null ? now : Math.min(idle, now);
          }
          if (idle !== null) memory.push({ target, cache, idleRssMiB: idle, peakRssMiB: 0 });
        }
        for (const scenario of [LIMIT_SCENARIOS.light, LIMIT_SCENARIOS.heavy]) {
          const body = JSON.stringify({ query: scenario.query });
          // Not measured (WARMUP_SECONDS says why).
          await load(`${mailgraph.origin}/graphql`, body, headers, {
            ...options,
            durationSeconds: WARMUP_SECONDS,
          });
          for (let pair = 1; pair <= options.pairs; pair += 1) {
            const limit = await measurePassthrough(`${target} ${scenario.name} cache=${cache}`, pair);
            const callsBefore = await upstreamCalls(mailgraph.origin);
            const exportsBefore = receiver?.exports() ?? 0;
            const stopSampling = sampleRss(pid);
            const figures = await load(`${mailgraph.origin}/graphql`, body, headers, options);
            const peak = stopSampling();
            if (peak !== null) peakOfProcess = Math.max(peakOfProcess, peak);
            const calls = (await upstreamCalls(mailgraph.origin)) - callsBefore;
            const run: LimitRun = {
              target,
              scenario: scenario.name,
              cache,
              pair,
              ...figures,
              upstreamCalls: calls,
              upstreamCallsPerRequest: figures.requests
                ? Math.round((calls / figures.requests) * 1000) / 1000
                : null,
              peakRssMiB: peak,
              passthroughRequestsPerSecond: limit.requestsPerSecond,
              ...(receiver && target === 'mailgraph+tracing'
                ? { otlpExports: receiver.exports() - exportsBefore }
                : {}),
            };
            runs.push(run);
            const ratio = limit.requestsPerSecond ? figures.requestsPerSecond / limit.requestsPerSecond : 0;
            log(
              `${target} ${scenario.name} cache=${cache} pair ${pair}: ${figures.requestsPerSecond} req/s (${ratio.toFixed(2)}× its passthrough), p99 ${figures.latencyMs.p99} ms, ${calls} upstream calls, peak ${peak} MiB`,
            );
          }
        }
        const entry = memory.find((m) => m.target === target && m.cache === cache);
        if (entry) entry.peakRssMiB = peakOfProcess;
        await mailgraph.child.stop();
        rmSync(mailgraph.dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    for (const child of children.reverse()) await child.stop();
    receiver?.close();
  }
  return {
    settings: {
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      pairs: options.pairs,
      warmupSeconds: WARMUP_SECONDS,
      baseline: options.baselineLabel ?? options.baselineDir ?? null,
    },
    targets: versions,
    runs,
    memory,
  };
}
