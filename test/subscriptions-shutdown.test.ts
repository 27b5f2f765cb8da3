/**
 * SIGTERM against the real entry point (`node --import tsx src/server.ts`) while subscriptions are live on
 * every transport: SSE streams end with `complete`, WebSockets close with 1001 (going away), the HTTP
 * drain finishes, and the process exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';
import {
  MESSAGE_EVENTS,
  TRANSPORTS,
  type Transport,
  connect,
  eventOf,
  postEvents,
} from './helpers/subscription-clients.js';

interface Running {
  child: ChildProcess;
  url: string;
  logged(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

async function startServer(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners: Array<() => void> = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const logged = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = output.split('\n').find((candidate) => pattern.test(candidate));
        if (line) resolve(line);
      };
      listeners.push(check);
      check();
      void exited.then(() => {
        check();
        reject(new Error(`server exited before logging ${pattern}: ${output}`));
      });
    });
  const running = { child, url: `http://127.0.0.1:${port}`, logged, exited };
  await logged(/mailgraph listening on/);
  return running;
}

let running: Running | null = null;
let dataDir: string | null = null;
afterEach(() => {
  running?.child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  [running, dataDir] = [null, null];
});

describe('SIGTERM with live subscriptions', () => {
  it('ends SSE streams with complete and closes WebSockets with 1001, then drains and exits 0', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-subscriptions-shutdown-'));
    running = await startServer({ MAILGRAPH_SANDBOX: 'true', MAILGRAPH_DATA_DIR: dataDir });
    const server = running;
    expect(
      await postEvents(server.url, [
        { kind: 'delivery', recipient: 's@example.net', message_id: 'shutdown' },
      ]),
    ).toBe(200);

    const seen = new Map<Transport, Array<string | number>>();
    const live = await Promise.all(
      TRANSPORTS.map(async (transport) => {
        const events: Array<string | number> = [];
        seen.set(transport, events);
        const client = connect(server.url, transport, { onEvent: (event) => events.push(event) });
        const subscription = client.subscribe(MESSAGE_EVENTS, { messageId: 'shutdown' });
        // Live: the stored event has arrived, and the stream waits for the next one.
        const [first] = await subscription.take(1);
        expect(eventOf(first).recipient).toBe('s@example.net');
        return { transport, client, next: subscription.take(1) };
      }),
    );

    server.child.kill('SIGTERM');
    await server.logged(/SIGTERM: shutting down/);
    for (const { transport, client, next } of live) {
      const after = await next;
      // No further event: the stream ended (SSE: completed; WebSocket: closed, which the client reports).
      expect(
        after.filter((outcome) => outcome.data),
        transport,
      ).toEqual([]);
      const events = seen.get(transport) ?? [];
      if (transport === 'ws') expect(events, transport).toEqual([1001]);
      else expect(events, transport).toEqual(['next', 'complete']);
      await client.dispose();
    }
    expect(await server.exited).toBe(0);
    await server.logged(/shutdown: done/);
  });
});
