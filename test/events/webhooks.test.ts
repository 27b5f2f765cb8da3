/**
 * The webhook endpoints on a real listening server: the providers' sample bodies are stored once and
 * acknowledged only after storage; bad credentials, malformed, oversized and hostile bodies are refused
 * with the status the provider acts on, and nothing is stored.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmdbEventLog } from '../../src/events/lmdb-log.js';
import type { EventLog } from '../../src/events/log.js';
import { type WebhookDeps, handleWebhook, verifyBasicAuth } from '../../src/events/webhooks.js';
import { fixturePath } from '../helpers/fixtures.js';

const CREDENTIALS = [
  { user: 'cloudmailin', pass: 'old-secret-0123' },
  { user: 'cloudmailin', pass: 'new-secret-4567' },
];
const AUTH = `Basic ${Buffer.from('cloudmailin:new-secret-4567').toString('base64')}`;
const OLD_AUTH = `Basic ${Buffer.from('cloudmailin:old-secret-0123').toString('base64')}`;
const MAX_BYTES = 64 * 1024;

let dir: string;
let log: EventLog;
let server: Server;
let url: string;
let failing = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailgraph-webhooks-'));
  const real = new LmdbEventLog(dir, { retentionMs: 3_600_000 });
  // A log that can be made to fail, to see the 5xx that makes the provider retry.
  log = new Proxy(real, {
    get(target, key) {
      if (key === 'append' && failing) return async () => Promise.reject(new Error('disk full'));
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const deps: WebhookDeps = { log, credentials: CREDENTIALS, maxBytes: MAX_BYTES };
  server = createServer(
    (req, res) => void handleWebhook(deps, (req.url ?? '/').split('?')[0] as string, req, res),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTH, ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return {
    status: response.status,
    body: (await response.json().catch(() => null)) as Record<string, unknown> | null,
  };
}

async function stored(): Promise<string[]> {
  return (await log.read({ limit: 10_000 })).map((event) => event.dedupeKey);
}

describe('CloudMailin events webhook', () => {
  it('stores the provider’s sample bodies once, and acknowledges a repeat without storing it again', async () => {
    for (const sample of ['events-webhook-registration.json', 'events-webhook-bounce.json']) {
      const body = readFileSync(fixturePath(`cloudmailin/outbound/${sample}`));
      const before = (await stored()).length;
      expect(await post('/webhooks/cloudmailin/events', body)).toEqual({
        status: 200,
        body: { stored: 1, duplicates: 0 },
      });
      expect(await post('/webhooks/cloudmailin/events', body)).toEqual({
        status: 200,
        body: { stored: 0, duplicates: 1 },
      });
      expect((await stored()).length).toBe(before + 1);
    }
    const [bounce] = await log.read({ limit: 1, topic: 'message:f78b876d-dd97-4e10-9a61-067f98044cc7' });
    expect(bounce?.payload).toMatchObject({
      provider: 'CLOUDMAILIN',
      kind: 'bounce',
      recipient: 'user@example.net',
      details: null,
    });
  });

  it('takes several events per POST, and either credential while they rotate', async () => {
    const events = ['registration', 'dispatch', 'delivery'].map((kind) => ({
      kind,
      recipient: 'Alice@Example.net',
      message_id: 'm-rotation',
      timestamp: '2026-11-30T10:00:00Z',
      details:
        kind === 'delivery'
          ? { reply_code: 250, smtp_response: '250 OK\r\nx', remote_host: 'mx.example.net' }
          : {},
    }));
    expect(
      (await post('/webhooks/cloudmailin/events', JSON.stringify({ events }), { authorization: OLD_AUTH }))
        .status,
    ).toBe(200);
    const stream = await log.read({ limit: 10, topic: 'message:m-rotation' });
    expect(stream.map((e) => (e.payload as { kind: string }).kind)).toEqual([
      'registration',
      'dispatch',
      'delivery',
    ]);
    expect(stream[2]?.payload).toMatchObject({
      recipient: 'alice@example.net',
      timestamp: '2026-11-30T10:00:00.000Z',
      details: { reply_code: '250', smtp_response: '250 OK  x', remote_host: 'mx.example.net' },
    });
  });

  it('refuses bad credentials (401), other methods (405), other types (415), malformed (400) and oversized (413) bodies, storing nothing', async () => {
    const before = await stored();
    const valid = JSON.stringify({
      events: [{ kind: 'delivery', recipient: 'a@b.c', message_id: 'refused' }],
    });
    for (const authorization of [
      '',
      'Basic Y2xvdWRtYWlsaW46d3Jvbmc=',
      'Bearer x',
      `Basic ${'A'.repeat(5000)}`,
    ]) {
      expect((await post('/webhooks/cloudmailin/events', valid, { authorization })).status).toBe(401);
    }
    expect(
      (await fetch(`${url}/webhooks/cloudmailin/events`, { headers: { authorization: AUTH } })).status,
    ).toBe(405);
    expect((await post('/webhooks/cloudmailin/events', valid, { 'content-type': 'text/plain' })).status).toBe(
      415,
    );
    for (const body of [
      'not json',
      '[]',
      '{}',
      '{"events": {}}',
      '{"events": [1]}',
      '{"events": [{"kind": "delivery"}]}',
      JSON.stringify({ events: [{ kind: 'x'.repeat(65), recipient: 'a@b.c', message_id: 'm' }] }),
      JSON.stringify({ events: [{ kind: 'delivery', recipient: 'a@b.c', message_id: 'm', details: [] }] }),
      JSON.stringify({
        events: Array.from({ length: 1001 }, () => ({
          kind: 'delivery',
          recipient: 'a@b.c',
          message_id: 'm',
        })),
      }),
    ]) {
      const refused = await post('/webhooks/cloudmailin/events', body);
      expect(refused.status, body.slice(0, 60)).toBe(400);
      expect(String(refused.body?.error)).toMatch(/refused|JSON/);
    }
    const huge = await post(
      '/webhooks/cloudmailin/events',
      JSON.stringify({ events: [], pad: 'x'.repeat(MAX_BYTES) }),
    );
    expect(huge.status).toBe(413);
    expect(await post('/webhooks/nope', valid)).toMatchObject({ status: 404 });
    expect(await stored()).toEqual(before);
  });

  it('answers 5xx when the events cannot be stored, so the provider retries', async () => {
    failing = true;
    try {
      const body = JSON.stringify({
        events: [{ kind: 'delivery', recipient: 'a@b.c', message_id: 'unstored' }],
      });
      expect((await post('/webhooks/cloudmailin/events', body)).status).toBe(503);
    } finally {
      failing = false;
    }
    expect(await log.read({ limit: 1, topic: 'message:unstored' })).toEqual([]);
  });

  it('never answers 5xx or stores anything for generated hostile bodies (property)', async () => {
    const before = (await stored()).length;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.constant('{"events":[null]}')), async (body) => {
        const { status } = await post('/webhooks/cloudmailin/events', body);
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    // Generated bodies that happen to be valid (`{"events":[]}`) store nothing either.
    expect((await stored()).length).toBe(before);
  });
});

describe('Cloudflare events webhook', () => {
  it('stores every documented event sample once, in the one message-event shape', async () => {
    const samples = JSON.parse(
      readFileSync(fixturePath('cloudflare/events/email-sending-events.json'), 'utf8'),
    ) as {
      events: Record<string, { example: unknown }>;
    };
    const examples = Object.values(samples.events).map((entry) => entry.example);
    const first = await post('/webhooks/cloudflare/events', JSON.stringify(examples));
    expect(first).toEqual({ status: 200, body: { stored: examples.length, duplicates: 0 } });
    // Redelivered one by one (as a queue does after a lost ack): all duplicates.
    for (const example of examples) {
      expect((await post('/webhooks/cloudflare/events', JSON.stringify(example))).body).toEqual({
        stored: 0,
        duplicates: 1,
      });
    }
    const [delivered] = await log.read({ limit: 1, topic: 'message:0101018f7d0c4d9a-msg-deadbeef' });
    expect(delivered?.payload).toMatchObject({
      provider: 'CLOUDFLARE',
      kind: 'delivery',
      rawKind: 'cf.email.sending.message.delivered',
      details: { reply_code: '250', delivery_status: '2.0.0' },
    });
  });

  it('refuses events that are not Email Sending events', async () => {
    expect(
      (await post('/webhooks/cloudflare/events', JSON.stringify({ type: 'cf.other', payload: {} }))).status,
    ).toBe(400);
  });
});

describe('Basic auth comparison', () => {
  it('accepts exactly the configured pairs', () => {
    const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;
    expect(verifyBasicAuth(basic('cloudmailin:old-secret-0123'), CREDENTIALS)).toBe(true);
    expect(verifyBasicAuth(basic('cloudmailin:new-secret-4567'), CREDENTIALS)).toBe(true);
    for (const wrong of [
      'cloudmailin:old-secret-012',
      'cloudmailin:',
      ':',
      'cloudmailin:new-secret-4567x',
      '',
    ]) {
      expect(verifyBasicAuth(basic(wrong), CREDENTIALS), wrong).toBe(false);
    }
    expect(verifyBasicAuth(undefined, CREDENTIALS)).toBe(false);
    expect(verifyBasicAuth(basic('a:b'), [])).toBe(false);
  });
});
