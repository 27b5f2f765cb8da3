/**
 * The event benchmark of issue 9 (item 8): webhook ingestion and fan-out to live subscriptions.
 *
 * mailgraph runs as child processes (`node --import tsx src/server.ts`, sandbox mode, its own data
 * directory, MAILGRAPH_SUBSCRIPTIONS_PER_KEY raised for the run); this process is the load generator and
 * shares the machine's cores with them. Subscribers are raw protocol clients (cheaper for the generator
 * than the client libraries): graphql-ws's `graphql-transport-ws` over `ws`, graphql-sse's distinct
 * connections on `/graphql/stream`, and yoga's SSE on `/graphql`, one connection per subscriber.
 *
 * The workload: `messages` subscribers each watching one message (`messageEvents(messageId:)`), plus
 * `watchAll` watching every event; `rate` events per second posted to `/webhooks/cloudmailin/events` in
 * batches of `batch` (Basic auth with the sandbox webhook credentials), message after message in turn, so
 * each message subscriber gets rate/messages events a second. First a warm-up (one event per message, every
 * subscriber must receive it: they are all live), then the measured phase.
 *
 * Each event is told apart by its recipient (`e<seq>@bench.example`). Measured: webhook events acknowledged
 * per second (against offered), events delivered per second, the latency from the POST's start to the
 * subscriber parsing the event (p50/p99/max, both on this process's clock), the POSTs' own latency, and
 * events lost: for every subscriber, the acknowledged events it should have received and did not.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import { freePort } from '../test/helpers/ports.js';

const KEY = 'bench-reader-key-0123456789';
const AUTH = `Basic ${Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64')}`;
const QUERY =
  'subscription BenchEvents($messageId: String) { messageEvents(messageId: $messageId) { cursor messageId recipient kind timestamp } }';

export type Transport = 'ws' | 'sse-stream' | 'sse-yoga';

export interface EventBenchOptions {
  /** Instances: 1 (embedded LMDB log) or 2 (sharing a Redis log). */
  instances: 1 | 2;
  redisUrl?: string;
  /** Subscribers watching one message each (one message per subscriber). */
  messages: number;
  /** Subscribers watching every event. */
  watchAll: number;
  /** Events per second offered, in POSTs of `batch` events. */
  rate: number;
  batch: number;
  /** Length of the measured phase. */
  seconds: number;
  /** Concurrent connections per instance for the webhook POSTs. */
  posters?: number;
  log?: (line: string) => void;
}

interface Instance {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  dataDir: string;
  stderr: string[];
}

interface Subscriber {
  index: number;
  transport: Transport;
  instance: Instance;
  /** The message it watches; null: every event. */
  messageId: string | null;
  /** Per event sequence: received yet. */
  seen: Uint8Array;
  received: number;
  duplicates: number;
  misrouted: number;
  errors: string[];
  ended: boolean;
  close(): void;
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  samples: number;
}

export interface EventBenchResult {
  scenario: string;
  instances: number;
  log: 'lmdb' | 'redis';
  subscribers: { perMessage: number; watchAll: number; byTransport: Record<Transport, number> };
  /** Where the subscribers and the webhooks went, per instance. */
  placement: Array<{
    instance: string;
    subscribers: number;
    watchAll: number;
    byTransport: Record<Transport, number>;
    webhookPosts: number;
  }>;
  offered: { eventsPerSecond: number; batch: number; seconds: number; events: number };
  ingest: {
    /** Events in POSTs answered 2xx. */
    acknowledged: number;
    rejected: number;
    failedPosts: number;
    /** Acknowledged events over the time from the first POST to the last answer. */
    eventsPerSecond: number;
    /** Actually sent over the posting window (the generator's own pace, against `offered`). */
    sentEventsPerSecond: number;
    postLatencyMs: Percentiles;
  };
  delivery: {
    expected: number;
    delivered: number;
    /** Deliveries over the time from the first POST to the last delivery. */
    eventsPerSecond: number;
    latencyMs: Percentiles;
    /** Latency of the per-message subscribers and of the watch-all ones, apart. */
    latencyPerMessageMs: Percentiles;
    latencyWatchAllMs: Percentiles;
    /**
     * Latency p50/p99/max of the events posted in each second of the measured phase, and the p99 of those
     * seconds' POSTs (a spike in both is on the ingest side: the event loop or the log's flush).
     */
    perSecond: Array<{ second: number; p50: number; p99: number; max: number; postP99: number }>;
    lost: number;
    duplicates: number;
    misrouted: number;
    subscriberErrors: number;
  };
  /**
   * CPU time over wall time during the measured phase (1.0 = one core), per process, and for everything else
   * the machine ran meanwhile (of its 2 cores).
   */
  cpu: Record<string, number>;
  /**
   * How late this process's own event loop ran during the measured phase (5 ms resolution): latencies are
   * measured here, so a stall of the generator shows in them too.
   */
  generatorEventLoopDelayMs: { p99: number; max: number };
  /** The instances' CPU time (all of them, webhooks included) over the events delivered, per 1,000. */
  cpuMsPerThousandDeliveries: number;
  /** The machine's 1-minute load average when the measured phase started and ended. */
  loadAverage: { before: number; after: number };
  /** Resident memory of each instance before and after the measured phase (MiB). */
  rssMiB: Record<string, { before: number; after: number }>;
  /** How long the drain took after the last POST was answered (ms). */
  drainMs: number;
  goal: {
    p99UnderMs: number;
    met: boolean;
    lost0: boolean;
    /** Seconds of the measured phase whose events' p99 was at or above the goal. */
    secondsOverGoal: number;
    /** The median over the seconds of each second's p99: the typical second, spikes aside. */
    medianSecondP99: number;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds the whole machine has spent busy (all cores; Linux /proc/stat), or NaN. */
function machineBusySeconds(): number {
  try {
    const fields =
      readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = fields.slice(0, 8).reduce((sum, value, i) => (i === 3 || i === 4 ? sum : sum + value), 0);
    return busy / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Resident memory of a process in MiB (Linux /proc), or NaN. */
function rssMiBOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const kB = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kB === undefined ? Number.NaN : Math.round(Number(kB) / 102.4) / 10;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds a process has used (Linux /proc), or NaN where it cannot be read. */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

function percentiles(values: Float64Array | number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number)),
    samples: sorted.length,
  };
}

/** Latencies grouped by the second (of the measured phase) their POST started in. */
function bySecond(latencies: number[], sentAt: number[], start: number): number[][] {
  const buckets: number[][] = [];
  latencies.forEach((latency, i) => {
    const second = Math.max(0, Math.floor(((sentAt[i] as number) - start) / 1000));
    const bucket = buckets[second] ?? [];
    bucket.push(latency);
    buckets[second] = bucket;
  });
  return buckets;
}

function perSecond(
  latencies: number[],
  sentAt: number[],
  posts: number[],
  postSentAt: number[],
  start: number,
): Array<{ second: number; p50: number; p99: number; max: number; postP99: number }> {
  const postBuckets = bySecond(posts, postSentAt, start);
  return bySecond(latencies, sentAt, start).map((bucket, second) => {
    const { p50, p99, max } = percentiles(bucket ?? []);
    return { second, p50, p99, max, postP99: percentiles(postBuckets[second] ?? []).p99 };
  });
}

async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-bench-'));
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each instance there (when it exits).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
    : [];
  // BENCH_NODE_FLAGS: extra flags for the instances' node (e.g. GC tuning), space-separated.
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, ...profile, '--import', 'tsx', 'src/server.ts'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MAILGRAPH_SANDBOX: 'true',
      MAILGRAPH_DATA_DIR: dataDir,
      MAILGRAPH_API_KEYS: `${KEY}:read`,
      // One key holds every subscriber of the run (and as many connections): far above the default 500.
      MAILGRAPH_SUBSCRIPTIONS_PER_KEY: '10000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 200) stderr.push(chunk.toString());
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr.join('')}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { name, url, port, child, dataDir, stderr };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start: ${stderr.join('')}`);
}

/** SIGTERM to the instance's own pid, SIGKILL if it has not exited after 15 s. */
async function stopInstance(instance: Instance): Promise<void> {
  const { child } = instance;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(instance.dataDir, { recursive: true, force: true });
}

type OnEvent = (
  subscriber: Subscriber,
  event: { messageId?: string; recipient?: string } | undefined,
) => void;

function wsSubscriber(subscriber: Subscriber, variables: object, onEvent: OnEvent): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${subscriber.instance.port}/graphql`,
      'graphql-transport-ws',
      { perMessageDeflate: false },
    );
    subscriber.close = () => {
      subscriber.ended = true;
      socket.terminate();
    };
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${KEY}` } }));
    });
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as {
        type: string;
        payload?: { data?: { messageEvents?: { messageId?: string; recipient?: string } }; errors?: unknown };
      };
      switch (message.type) {
        case 'connection_ack':
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables } }));
          resolve();
          break;
        case 'next':
          if (message.payload?.errors) subscriber.errors.push(JSON.stringify(message.payload.errors));
          else onEvent(subscriber, message.payload?.data?.messageEvents);
          break;
        case 'ping':
          socket.send('{"type":"pong"}');
          break;
        case 'error':
          subscriber.errors.push(JSON.stringify(message.payload));
          break;
        case 'complete':
          subscriber.ended = true;
          break;
      }
    });
    socket.on('error', (error) => {
      subscriber.errors.push(String(error));
      reject(error);
    });
    socket.on('close', (code) => {
      if (!subscriber.ended) subscriber.errors.push(`closed ${code}`);
      subscriber.ended = true;
    });
  });
}

function sseSubscriber(subscriber: Subscriber, variables: object, onEvent: OnEvent): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query: QUERY, variables });
    const request = http.request({
      host: '127.0.0.1',
      port: subscriber.instance.port,
      path: subscriber.transport === 'sse-stream' ? '/graphql/stream' : '/graphql',
      method: 'POST',
      agent: false,
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${KEY}`,
      },
    });
    subscriber.close = () => {
      subscriber.ended = true;
      request.destroy();
    };
    request.on('error', (error) => {
      if (!subscriber.ended) subscriber.errors.push(String(error));
      reject(error);
    });
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        subscriber.errors.push(`status ${response.statusCode}`);
        reject(new Error(`SSE subscribe answered ${response.statusCode}`));
        response.resume();
        return;
      }
      resolve();
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (event === 'complete') {
            subscriber.ended = true;
            continue;
          }
          if (data === '' || (event !== 'next' && event !== 'message')) continue;
          const parsed = JSON.parse(data) as {
            payload?: unknown;
            data?: { messageEvents?: { messageId?: string; recipient?: string } };
            errors?: unknown;
          };
          // graphql-sse's single-connection messages wrap the result; distinct connections send it bare.
          const result = (parsed.payload ?? parsed) as typeof parsed;
          if (result.errors) subscriber.errors.push(JSON.stringify(result.errors));
          else onEvent(subscriber, result.data?.messageEvents);
        }
      });
      response.on('end', () => {
        if (!subscriber.ended) subscriber.errors.push('stream ended');
        subscriber.ended = true;
      });
    });
    request.end(body);
  });
}

/** Runs `tasks` with at most `limit` at once. */
async function inBatches<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

export async function runEventBench(options: EventBenchOptions): Promise<EventBenchResult> {
  const log = options.log ?? (() => {});
  const { messages, watchAll, rate, batch, seconds } = options;
  const warmupEvents = messages;
  const measuredEvents = Math.round(rate * seconds);
  const totalEvents = warmupEvents + measuredEvents;
  const redisPrefix = `mailgraph-bench:${Date.now()}:`;
  const redis = options.instances === 2 ? (options.redisUrl ?? 'redis://127.0.0.1:6379') : null;
  const scenario = options.instances === 2 ? 'two-instances-redis' : 'one-instance-lmdb';

  const instances: Instance[] = [];
  const subscribers: Subscriber[] = [];
  const pools: Pool[] = [];
  try {
    for (let i = 0; i < options.instances; i += 1) {
      instances.push(
        await startInstance(
          `mailgraph-${i + 1}`,
          redis ? { REDIS_URL: redis, MAILGRAPH_REDIS_PREFIX: redisPrefix } : {},
        ),
      );
    }
    log(`${scenario}: ${instances.length} instance(s) up`);

    const messageIds = Array.from({ length: messages }, (_, m) => `bench-${String(m).padStart(6, '0')}-msg`);
    const messageOf = (seq: number) => messageIds[seq % messages] as string;
    const sentAt = new Float64Array(totalEvents).fill(Number.NaN);
    const acked = new Uint8Array(totalEvents);
    const latencies: number[] = [];
    /** When the POST of each latency sample started. */
    const latencySentAt: number[] = [];
    const latenciesOne: number[] = [];
    const latenciesAll: number[] = [];
    let lastDeliveryAt = 0;
    let delivered = 0;
    let warmDelivered = 0;

    const onEvent: OnEvent = (subscriber, event) => {
      const now = performance.now();
      const recipient = event?.recipient ?? '';
      const seq = Number(recipient.slice(1, recipient.indexOf('@')));
      if (!Number.isInteger(seq) || seq < 0 || seq >= totalEvents) {
        subscriber.errors.push(`unknown event ${JSON.stringify(event)}`);
        return;
      }
      if (subscriber.messageId !== null && event?.messageId !== subscriber.messageId)
        subscriber.misrouted += 1;
      if (subscriber.seen[seq] === 1) {
        subscriber.duplicates += 1;
        return;
      }
      subscriber.seen[seq] = 1;
      subscriber.received += 1;
      if (seq < warmupEvents) {
        warmDelivered += 1;
        return;
      }
      delivered += 1;
      lastDeliveryAt = now;
      const latency = now - (sentAt[seq] as number);
      latencies.push(latency);
      latencySentAt.push(sentAt[seq] as number);
      (subscriber.messageId === null ? latenciesAll : latenciesOne).push(latency);
    };

    // Subscribers: half WebSocket, a quarter graphql-sse on /graphql/stream, a quarter yoga's SSE on /graphql;
    // every instance gets each transport (message subscribers in groups of four per instance, watch-all ones
    // in pairs, one on each instance).
    const transports = ['ws', 'ws', 'sse-stream', 'sse-yoga'] as const;
    const subscriber = (
      index: number,
      messageId: string | null,
      transport: Transport,
      instance: Instance,
    ) => ({
      index,
      transport,
      instance,
      messageId,
      seen: new Uint8Array(totalEvents),
      received: 0,
      duplicates: 0,
      misrouted: 0,
      errors: [],
      ended: false,
      close: () => {},
    });
    messageIds.forEach((messageId, i) => {
      const instance = instances[Math.floor(i / 4) % instances.length] as Instance;
      subscribers.push(subscriber(i, messageId, transports[i % 4] as Transport, instance));
    });
    for (let j = 0; j < watchAll; j += 1) {
      const instance = instances[j % instances.length] as Instance;
      const transport = transports[Math.floor(j / instances.length) % 4] as Transport;
      subscribers.push(subscriber(messages + j, null, transport, instance));
    }
    await inBatches(subscribers, 50, async (subscriber) => {
      const variables = subscriber.messageId === null ? {} : { messageId: subscriber.messageId };
      await (subscriber.transport === 'ws'
        ? wsSubscriber(subscriber, variables, onEvent)
        : sseSubscriber(subscriber, variables, onEvent));
    });
    log(`${scenario}: ${subscribers.length} subscribers connected`);

    const posters = options.posters ?? 16;
    for (const instance of instances) pools.push(new Pool(instance.url, { connections: posters }));
    const postLatencies: number[] = [];
    const postSentAt: number[] = [];
    const postsPerInstance = instances.map(() => 0);
    let rejected = 0;
    let failedPosts = 0;
    let lastAckAt = 0;
    let batchNumber = 0;
    const timestamp = new Date().toISOString();
    const post = async (seqs: number[]): Promise<void> => {
      const target = batchNumber++ % pools.length;
      postsPerInstance[target] = (postsPerInstance[target] ?? 0) + 1;
      const body = JSON.stringify({
        events: seqs.map((seq) => ({
          kind: 'delivery',
          recipient: `e${seq}@bench.example`,
          message_id: messageOf(seq),
          timestamp,
          details: {
            agent: 'DSN',
            reply_code: '250',
            delivery_status: '2.0.0',
            smtp_response: '250 2.0.0 OK queued',
            remote_host: 'mx.bench.example',
          },
        })),
      });
      const start = performance.now();
      for (const seq of seqs) sentAt[seq] = start;
      try {
        const response = await (pools[target] as Pool).request({
          path: '/webhooks/cloudmailin/events',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: AUTH },
          body,
        });
        await response.body.text();
        const end = performance.now();
        if (response.statusCode >= 200 && response.statusCode < 300) {
          for (const seq of seqs) acked[seq] = 1;
          if ((seqs[0] as number) >= warmupEvents) {
            postLatencies.push(end - start);
            postSentAt.push(start);
            lastAckAt = Math.max(lastAckAt, end);
          }
        } else {
          rejected += seqs.length;
        }
      } catch {
        failedPosts += 1;
      }
    };
    /** Posts events [from, to) in batches, one batch every batch/rate seconds, without waiting for answers. */
    const offer = async (from: number, to: number): Promise<{ started: number; ended: number }> => {
      const interval = (1000 * batch) / rate;
      const started = performance.now();
      const inFlight: Array<Promise<void>> = [];
      for (let first = from, k = 0; first < to; first += batch, k += 1) {
        const due = started + k * interval;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const seqs = Array.from({ length: Math.min(batch, to - first) }, (_, i) => first + i);
        inFlight.push(post(seqs));
      }
      const ended = performance.now();
      await Promise.all(inFlight);
      return { started, ended };
    };
    const expectedOf = (subscriber: Subscriber, from: number, to: number) => {
      let expected = 0;
      for (let seq = from; seq < to; seq += 1) {
        if (acked[seq] === 1 && (subscriber.messageId === null || messageOf(seq) === subscriber.messageId))
          expected += 1;
      }
      return expected;
    };
    const missing = (from: number, to: number) => {
      let lost = 0;
      for (const subscriber of subscribers) {
        for (let seq = from; seq < to; seq += 1) {
          if (
            acked[seq] === 1 &&
            subscriber.seen[seq] !== 1 &&
            (subscriber.messageId === null || messageOf(seq) === subscriber.messageId)
          )
            lost += 1;
        }
      }
      return lost;
    };
    /**
     * Waits until as many deliveries arrived as the acknowledged events in [from, to) call for (each goes to
     * its message's subscriber and to every watch-all one), or none for `quietMs` (`missing` then counts
     * exactly what is). Counters while waiting: a scan of every subscriber would stall this process's own loop
     * (and so the latencies it measures).
     */
    const drain = async (from: number, to: number, received: () => number, quietMs: number) => {
      let wanted = 0;
      for (let seq = from; seq < to; seq += 1) wanted += (acked[seq] as number) * (1 + watchAll);
      let seen = received();
      let lastChange = performance.now();
      while (seen < wanted && performance.now() - lastChange < quietMs) {
        await sleep(50);
        if (received() !== seen) lastChange = performance.now();
        seen = received();
      }
    };

    // Warm-up: one event per message; every subscriber must receive it (each is then live).
    await offer(0, warmupEvents);
    await drain(0, warmupEvents, () => warmDelivered, 10_000);
    const warmLost = missing(0, warmupEvents);
    log(`${scenario}: warm-up done (${warmLost} missing)`);
    if (warmLost > 0) throw new Error(`${warmLost} warm-up events never reached their subscribers`);

    const rssBefore = new Map(instances.map((instance) => [instance.name, rssMiBOf(instance.child.pid)]));
    const cpuBefore = new Map(instances.map((instance) => [instance.name, cpuSecondsOf(instance.child.pid)]));
    const generatorBefore = process.cpuUsage();
    const machineBefore = machineBusySeconds();
    const generatorDelay = monitorEventLoopDelay({ resolution: 5 });
    generatorDelay.enable();
    const loadBefore = loadavg()[0] as number;
    const wallBefore = performance.now();
    const window = await offer(warmupEvents, totalEvents);
    const drainStart = performance.now();
    await drain(warmupEvents, totalEvents, () => delivered, 10_000);
    const drainMs = performance.now() - drainStart;
    const wall = (performance.now() - wallBefore) / 1000;
    generatorDelay.disable();
    const machine = machineBusySeconds() - machineBefore;
    const cpu: Record<string, number> = {};
    let benchSeconds = 0;
    let instanceSeconds = 0;
    for (const instance of instances) {
      const used = cpuSecondsOf(instance.child.pid) - (cpuBefore.get(instance.name) ?? 0);
      instanceSeconds += used;
      benchSeconds += used;
      cpu[instance.name] = Math.round((used / wall) * 100) / 100;
    }
    const rss: Record<string, { before: number; after: number }> = {};
    for (const instance of instances) {
      rss[instance.name] = {
        before: rssBefore.get(instance.name) ?? Number.NaN,
        after: rssMiBOf(instance.child.pid),
      };
    }
    const generator = process.cpuUsage(generatorBefore);
    const generatorSeconds = (generator.user + generator.system) / 1e6;
    benchSeconds += generatorSeconds;
    cpu['load-generator'] = Math.round((generatorSeconds / wall) * 100) / 100;
    // Whatever else ran on the machine meanwhile (other people's work, Redis, the kernel's share).
    cpu['everything else'] = Math.round(((machine - benchSeconds) / wall) * 100) / 100;

    const lost = missing(warmupEvents, totalEvents);
    let acknowledged = 0;
    for (let seq = warmupEvents; seq < totalEvents; seq += 1) acknowledged += acked[seq] as number;
    let expected = 0;
    for (const subscriber of subscribers) expected += expectedOf(subscriber, warmupEvents, totalEvents);
    const byTransport: Record<Transport, number> = { ws: 0, 'sse-stream': 0, 'sse-yoga': 0 };
    for (const subscriber of subscribers) byTransport[subscriber.transport] += 1;
    const latency = percentiles(latencies);
    const goalMs = options.instances === 2 ? 100 : 50;
    const perSecondLatency = perSecond(latencies, latencySentAt, postLatencies, postSentAt, window.started);
    const result: EventBenchResult = {
      scenario,
      instances: instances.length,
      log: redis ? 'redis' : 'lmdb',
      subscribers: { perMessage: messages, watchAll, byTransport },
      placement: instances.map((instance, i) => ({
        instance: instance.name,
        subscribers: subscribers.filter((s) => s.instance === instance).length,
        watchAll: subscribers.filter((s) => s.instance === instance && s.messageId === null).length,
        byTransport: Object.fromEntries(
          transports.map((t) => [
            t,
            subscribers.filter((s) => s.instance === instance && s.transport === t).length,
          ]),
        ) as Record<Transport, number>,
        webhookPosts: postsPerInstance[i] ?? 0,
      })),
      offered: { eventsPerSecond: rate, batch, seconds, events: measuredEvents },
      ingest: {
        acknowledged,
        rejected,
        failedPosts,
        eventsPerSecond: Math.round((acknowledged / ((lastAckAt - window.started) / 1000)) * 10) / 10,
        sentEventsPerSecond:
          Math.round((measuredEvents / ((window.ended - window.started) / 1000)) * 10) / 10,
        postLatencyMs: percentiles(postLatencies),
      },
      delivery: {
        expected,
        delivered,
        eventsPerSecond: Math.round((delivered / ((lastDeliveryAt - window.started) / 1000)) * 10) / 10,
        latencyMs: latency,
        latencyPerMessageMs: percentiles(latenciesOne),
        latencyWatchAllMs: percentiles(latenciesAll),
        perSecond: perSecondLatency,
        lost,
        duplicates: subscribers.reduce((sum, s) => sum + s.duplicates, 0),
        misrouted: subscribers.reduce((sum, s) => sum + s.misrouted, 0),
        subscriberErrors: subscribers.reduce((sum, s) => sum + s.errors.length, 0),
      },
      cpu,
      generatorEventLoopDelayMs: {
        p99: Math.round(generatorDelay.percentile(99) / 1e5) / 10,
        max: Math.round(generatorDelay.max / 1e5) / 10,
      },
      cpuMsPerThousandDeliveries: Math.round((instanceSeconds * 1e6) / Math.max(1, delivered)) / 1,
      loadAverage: { before: loadBefore, after: loadavg()[0] as number },
      rssMiB: rss,
      drainMs: Math.round(drainMs),
      goal: {
        p99UnderMs: goalMs,
        met: lost === 0 && latency.p99 < goalMs,
        lost0: lost === 0,
        secondsOverGoal: perSecondLatency.filter((second) => second.p99 >= goalMs).length,
        medianSecondP99: percentiles(perSecondLatency.map((second) => second.p99)).p50,
      },
    };
    const errors = subscribers.flatMap((s) => s.errors).slice(0, 5);
    if (errors.length > 0) log(`${scenario}: subscriber errors, e.g. ${errors.join(' | ')}`);
    return result;
  } finally {
    for (const subscriber of subscribers) subscriber.close();
    await Promise.all(pools.map((pool) => pool.close()));
    await Promise.all(instances.map((instance) => stopInstance(instance)));
    if (redis) await dropPrefix(redis, redisPrefix);
  }
}

async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
}
