/**
 * SIGTERM against the real entry point (`node --import tsx src/server.ts`) while requests wait on a slow
 * upstream: a loopback proxy in front of the emulator holds every call until the test lets it go, so the
 * requests are in flight when the signal arrives, without any timing in the test.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createHttpServer } from '../src/http-server.js';
import { type Sandbox, startSandbox } from '../src/sandbox/server.js';
import { createShutdown } from '../src/shutdown.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

interface HoldingProxy {
  url: string;
  /** Requests received so far (held or passed on). */
  received: number;
  /** Resolves once `count` requests have been received. */
  waitFor(count: number): Promise<void>;
  /** Passes the held requests on, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

/** A proxy to `target` (the emulator's CloudMailin URL) that holds each request until `release()`. */
async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const targetUrl = new URL(target);
  let released = false;
  const held: Array<() => void> = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const headers = { ...req.headers, host: targetUrl.host };
    const answer = await request(`${targetUrl.origin}${req.url}`, {
      method: req.method as 'GET',
      headers,
      body: body.length > 0 ? body : undefined,
    });
    const text = Buffer.from(await answer.body.arrayBuffer());
    res.writeHead(answer.statusCode, {
      'content-type': String(answer.headers['content-type'] ?? 'application/json'),
    });
    res.end(text);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      proxy.received += 1;
      const go = () => void forward(req, res, Buffer.concat(chunks)).catch(() => res.destroy());
      if (released) go();
      else held.push(go);
      for (const waiter of waiters) if (proxy.received >= waiter.count) waiter.resolve();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy: HoldingProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${targetUrl.pathname}`,
    received: 0,
    waitFor: (count) =>
      new Promise((resolve) => {
        if (proxy.received >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    release() {
      released = true;
      for (const go of held.splice(0)) go();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

const READS = [
  '{ inboundAddress(id: "aaaa740b4c5c37b1aaaa") { id } }',
  '{ inboundAddresses(first: 1) { nodes { id } } }',
  '{ outboundMessages(first: 1) { nodes { id } } }',
  '{ sendingDomains(provider: CLOUDMAILIN, first: 1) { nodes { id } } }',
];
const SEND = `mutation {
  sendEmail(input: {
    provider: CLOUDMAILIN, from: { email: "hello@example.com" }, to: [{ email: "alice@example.net" }],
    subject: "Sent during shutdown", text: "It arrives, and the client hears so."
  }) { __typename ... on SendEmailPayload { email { messageId } } ... on Error { code message } }
}`;

function post(url: string, query: string) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  }).then(async (response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  }));
}

let sandbox: Sandbox | null = null;
let proxy: HoldingProxy | null = null;
let running: ServerProcess | null = null;
let dataDir: string | null = null;
afterEach(async () => {
  running?.child.kill('SIGKILL');
  await proxy?.close();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  [sandbox, proxy, running, dataDir] = [null, null, null, null];
});

async function serverBehindSlowUpstream(graceMs: number): Promise<ServerProcess> {
  sandbox = await startSandbox({ rateLimits: false });
  proxy = await startHoldingProxy(sandbox.cloudmailinUrl);
  dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-shutdown-'));
  running = await startServerProcess({
    MAILGRAPH_SANDBOX: 'true',
    CLOUDMAILIN_API_URL: proxy.url,
    CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '0',
    MAILGRAPH_DATA_DIR: dataDir,
    MAILGRAPH_SHUTDOWN_GRACE_MS: String(graceMs),
  });
  return running;
}

describe('graceful shutdown', () => {
  it('lets the requests in flight at SIGTERM finish with 200, refuses new connections, and exits 0', async () => {
    const server = await serverBehindSlowUpstream(60_000);
    const holding = proxy as HoldingProxy;
    const answers = Promise.all([...READS, SEND].map((query) => post(server.url, query)));
    // Every request is waiting on the upstream: 4 reads and 1 send.
    await holding.waitFor(5);
    server.child.kill('SIGTERM');
    await server.logged(/SIGTERM: shutting down/);
    expect(await connectionRefused(server.port)).toBe(true);

    holding.release();
    const results = await answers;
    for (const result of results) {
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      expect(result.body.errors, JSON.stringify(result.body)).toBeUndefined();
    }
    const sent = results[4]?.body.data as { sendEmail: { __typename: string } };
    expect(sent.sendEmail.__typename).toBe('SendEmailPayload');
    expect((sandbox as Sandbox).calls.filter((call) => call.method === 'POST')).toHaveLength(1);
    expect(await server.exited).toBe(0);
  });

  it('closes what is still open when the grace period runs out, and says so with exit code 1', async () => {
    const server = await serverBehindSlowUpstream(200);
    const holding = proxy as HoldingProxy;
    const answer = post(server.url, READS[0] as string).then(
      () => 'answered',
      () => 'cut',
    );
    await holding.waitFor(1);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(await answer).toBe('cut');
    await server.logged(/grace period ran out; 1 request\(s\) cut off/);
  });
});

describe('the shutdown hooks', () => {
  it('ends long-lived streams first (onStop), then closes what requests used once they finished (onClose)', async () => {
    const order: string[] = [];
    const streams = new Set<ServerResponse>();
    // A stand-in for a subscription: an answer that stays open until it is told to end.
    const app = ((_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      streams.add(res);
      res.on('close', () => order.push('stream closed'));
    }) as unknown as App;
    const server = createHttpServer({ app, config: loadConfig({ MAILGRAPH_SANDBOX: 'true' }) });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const received = new Promise<string>((resolve) => {
      void fetch(`http://127.0.0.1:${port}/graphql/stream`, {
        headers: { accept: 'text/event-stream' },
      }).then(async (response) => resolve(await response.text()));
    });
    await new Promise<void>((resolve) => {
      const wait = () => (streams.size > 0 ? resolve() : setImmediate(wait));
      wait();
    });
    const logger = {
      info: () => {},
      warn: (m: string) => order.push(`warn ${m}`),
      error: (m: string) => order.push(`error ${m}`),
    };
    const shutdown = createShutdown({ server, graceMs: 60_000, logger });
    shutdown.onStop(() => {
      order.push('stop streams');
      for (const stream of streams) stream.end('event: complete\n\n');
    });
    shutdown.onClose(() => void order.push('close store'));
    shutdown.onClose(() => void order.push('close consumer'));
    const [code, again] = await Promise.all([shutdown.run('SIGTERM'), shutdown.run('SIGINT')]);
    expect(code).toBe(0);
    expect(again).toBe(0);
    expect(order).toEqual(['stop streams', 'stream closed', 'close consumer', 'close store']);
    expect(await received).toContain('event: complete');
  });
});
