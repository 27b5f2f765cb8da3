/**
 * Durability (issue 9 item 7): mailgraph runs as a child process (`node --import tsx src/server.ts`, sandbox
 * mode) and is killed with SIGKILL in the middle of a webhook flood. Every event whose POST was answered 2xx
 * must be in the log afterwards: read directly from the store once the process is dead, and through a
 * subscription of the restarted process. Same for an idempotency key: a send bound before the kill replays
 * after the restart. Once with the embedded stores (LMDB in a temp MAILGRAPH_DATA_DIR), once with Redis
 * (TEST_REDIS_URL, under a fresh prefix). Counts events, never timings.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import { LmdbEventLog } from '../src/events/lmdb-log.js';
import type { EventLog, StoredEvent } from '../src/events/log.js';
import type { MessageEventPayload } from '../src/events/normalize.js';
import { RedisEventLog } from '../src/events/redis-log.js';
import { freePort } from './helpers/ports.js';
import { TEST_REDIS_URL, dropPrefixes, testPrefix } from './helpers/redis.js';
import { collectSse } from './helpers/sse.js';

const AUTH = `Basic ${Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64')}`;
/** Events per POST, concurrent posters, and how many acknowledged events before the kill. */
const BATCH = 10;
const POSTERS = 8;
const KILL_AFTER = 1_500;

const dirs: string[] = [];
const prefixes: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await dropPrefixes(prefixes);
});

interface Mailgraph {
  url: string;
  process: ChildProcess;
}

async function startMailgraph(env: Record<string, string>): Promise<Mailgraph> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'warn', MAILGRAPH_SANDBOX: 'true', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`mailgraph exited ${child.exitCode}: ${errors}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, process: child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mailgraph did not start: ${errors}`);
}

async function kill(mailgraph: Mailgraph): Promise<void> {
  if (mailgraph.process.exitCode !== null || mailgraph.process.signalCode !== null) return;
  const exited = once(mailgraph.process, 'exit');
  mailgraph.process.kill('SIGKILL');
  await exited;
}

/**
 * Posts batches of CloudMailin events from several posters at once, each as soon as the last was answered;
 * kills the process with SIGKILL once `KILL_AFTER` events were acknowledged, while posts are in flight.
 * Returns the message ids of every acknowledged event, and how many POSTs were in flight at the kill.
 */
async function floodAndKill(
  mailgraph: Mailgraph,
  tag: string,
): Promise<{ acked: Set<string>; inFlightAtKill: number }> {
  const acked = new Set<string>();
  let inFlight = 0;
  let inFlightAtKill = 0;
  let killing: Promise<void> | null = null;
  let sequence = 0;
  const poster = async (worker: number) => {
    while (killing === null) {
      const ids = Array.from({ length: BATCH }, (_, i) => `${tag}-${worker}-${sequence + i}`);
      sequence += BATCH;
      inFlight += 1;
      try {
        const response = await fetch(`${mailgraph.url}/webhooks/cloudmailin/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: AUTH },
          body: JSON.stringify({
            events: ids.map((id) => ({ kind: 'delivery', recipient: 'flood@example.net', message_id: id })),
          }),
        });
        await response.arrayBuffer();
        if (response.status >= 200 && response.status < 300) for (const id of ids) acked.add(id);
      } catch {
        // Cut off by the kill: not acknowledged.
        return;
      } finally {
        inFlight -= 1;
      }
      if (acked.size >= KILL_AFTER && killing === null) {
        inFlightAtKill = inFlight;
        killing = kill(mailgraph);
      }
    }
  };
  await Promise.all(Array.from({ length: POSTERS }, (_, worker) => poster(worker)));
  await killing;
  return { acked, inFlightAtKill };
}

async function storedMessageIds(log: EventLog): Promise<Set<string>> {
  const ids = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page: StoredEvent[] = await log.read({ after, limit: 1000 });
    for (const event of page) ids.add((event.payload as MessageEventPayload).messageId);
    if (page.length < 1000) return ids;
    after = (page[page.length - 1] as StoredEvent).position;
  }
}

const Send = `mutation($input: SendEmailInput!) {
  sendEmail(input: $input) { __typename ... on SendEmailPayload { replayed email { messageId } } ... on Error { code message } }
}`;

async function send(url: string, idempotencyKey: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({
      query: Send,
      variables: {
        input: {
          provider: 'CLOUDMAILIN',
          from: { email: 'sender@example.com' },
          to: [{ email: 'recipient@example.net' }],
          subject: 'Sent once, whatever happens',
          text: 'Hello',
          idempotencyKey,
        },
      },
    }),
  });
  return ((await response.json()) as { data: { sendEmail: Record<string, unknown> } }).data.sendEmail;
}

interface Backend {
  env: () => Record<string, string>;
  /** The log as the dead process left it. */
  openLog: (env: Record<string, string>) => EventLog;
}

const backends: Array<[string, Backend]> = [
  [
    'the embedded stores (LMDB)',
    {
      env: () => {
        const dir = mkdtempSync(join(tmpdir(), 'mailgraph-durability-'));
        dirs.push(dir);
        return { MAILGRAPH_DATA_DIR: dir };
      },
      openLog: (env) =>
        new LmdbEventLog(join(env.MAILGRAPH_DATA_DIR as string, 'events'), { retentionMs: 3_600_000 }),
    },
  ],
  [
    'Redis',
    {
      env: () => {
        const prefix = testPrefix();
        prefixes.push(prefix);
        const dir = mkdtempSync(join(tmpdir(), 'mailgraph-durability-'));
        dirs.push(dir);
        return { REDIS_URL: TEST_REDIS_URL, MAILGRAPH_REDIS_PREFIX: prefix, MAILGRAPH_DATA_DIR: dir };
      },
      openLog: (env) =>
        new RedisEventLog({
          url: TEST_REDIS_URL,
          prefix: env.MAILGRAPH_REDIS_PREFIX as string,
          retentionMs: 3_600_000,
        }),
    },
  ],
];

describe.each(backends)('SIGKILL with %s', (_name, backend) => {
  it('loses no acknowledged event in the middle of a webhook flood', { timeout: 120_000 }, async () => {
    const env = backend.env();
    const first = await startMailgraph(env);
    const { acked, inFlightAtKill } = await floodAndKill(first, 'flood');
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    // The kill came in the middle of the flood: other posts were under way.
    expect(inFlightAtKill).toBeGreaterThan(0);

    const log = backend.openLog(env);
    let stored: Set<string>;
    try {
      stored = await storedMessageIds(log);
    } finally {
      await log.close();
    }
    const lost = [...acked].filter((id) => !stored.has(id));
    expect(lost).toEqual([]);

    // The restarted process serves them: a subscription without `after` replays each from the log.
    const second = await startMailgraph(env);
    const sample = [...acked].filter((_, index) => index % Math.floor(acked.size / 5) === 0).slice(0, 5);
    for (const messageId of sample) {
      const received = await collectSse<{ messageEvents: { messageId: string } }>(
        second.url,
        'subscription($m: String) { messageEvents(messageId: $m) { messageId kind } }',
        { m: messageId },
        1,
      );
      expect(received.map((message) => message.data?.messageEvents.messageId)).toEqual([messageId]);
    }
    const ready = (await (await fetch(`${second.url}/ready`)).json()) as { stores: Record<string, string> };
    expect(Object.values(ready.stores).every((status) => status === 'up')).toBe(true);
    await kill(second);
  });

  it(
    'a send bound to its idempotency key before SIGKILL replays after the restart',
    { timeout: 60_000 },
    async () => {
      const env = backend.env();
      const first = await startMailgraph(env);
      const sent = await send(first.url, 'durable-key-1');
      expect(sent).toMatchObject({ __typename: 'SendEmailPayload', replayed: false });
      await kill(first);
      // A fresh emulator comes with the restart: a second send would get another message id.
      const second = await startMailgraph(env);
      expect(await send(second.url, 'durable-key-1')).toEqual({ ...sent, replayed: true });
      await kill(second);
    },
  );
});
