/**
 * Send playback: a message sent through the emulator's CloudMailin `/messages` posts its events to the
 * webhook target as CloudMailin's events webhook would, when each happens on the scheduler's clock, and
 * the show endpoint shows exactly what was posted. Failed POSTs are retried, then dropped with a log line.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_WEBHOOK } from '../../src/demo-accounts.js';
import { OUTBOUND_TIMELINE_MS } from '../../src/sandbox/cloudmailin-outbound.js';
import type { PostedEvent } from '../../src/sandbox/cloudmailin-playback.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { outboundMessageSchema } from '../../src/upstream/cloudmailin-wire.js';
import { ManualScheduler } from '../helpers/manual-scheduler.js';
import { cm, sandbox, send } from './helpers.js';

interface Received {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: { events: PostedEvent[] };
}

/** A stand-in for mailgraph's webhook: records every POST and answers with the next planned status (200). */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

const auth = { user: SANDBOX_WEBHOOK.user, pass: SANDBOX_WEBHOOK.pass };
const basic = `Basic ${Buffer.from(`${auth.user}:${auth.pass}`).toString('base64')}`;

async function tick(scheduler: ManualScheduler, sb: Sandbox, ms: number): Promise<void> {
  scheduler.advance(ms);
  await sb.webhooks.idle();
}

async function show(sb: Sandbox, id: string) {
  return outboundMessageSchema.parse((await cm(sb, 'GET', `/outbound_messages/${id}`)).body);
}

/** Per recipient, the events posted so far, in the show endpoint's shape. */
function postedByRecipient(received: Received[], id: string) {
  const byRecipient = new Map<string, Array<{ kind: string; timestamp: string; details: unknown }>>();
  for (const post of received) {
    for (const event of post.body.events) {
      if (event.message_id !== id) continue;
      const list = byRecipient.get(event.recipient) ?? [];
      list.push({ kind: event.kind, timestamp: event.timestamp, details: event.details ?? {} });
      byRecipient.set(event.recipient, list);
    }
  }
  return byRecipient;
}

describe('CloudMailin send playback', () => {
  it('posts registration, dispatch and delivery (bounce for a *bounce* recipient) as each happens, exactly what the show endpoint then shows', async () => {
    const scheduler = new ManualScheduler();
    const sb = await sandbox({ scheduler, logger: { warn: () => {} } });
    const target = await receiver();
    sb.setWebhookTarget({ url: target.url, auth });

    const reply = await send(sb, {
      from: 'support@example.com',
      to: ['Ok <ok@example.net>', 'someone@bounce.example.org'],
      subject: 'Playback',
      plain: 'hi',
    });
    expect(reply.status).toBe(202);
    const id: string = reply.body.id;

    await tick(scheduler, sb, 0);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]).toMatchObject({
      path: '/webhooks/cloudmailin/events',
      authorization: basic,
      contentType: 'application/json',
    });
    expect(target.received[0]?.body.events.map((e) => [e.recipient, e.kind])).toEqual([
      ['ok@example.net', 'registration'],
      ['someone@bounce.example.org', 'registration'],
    ]);

    const steps = [
      OUTBOUND_TIMELINE_MS.dispatch,
      OUTBOUND_TIMELINE_MS.outcome - OUTBOUND_TIMELINE_MS.dispatch,
    ];
    for (const step of [0, ...steps]) {
      await tick(scheduler, sb, step);
      // What was posted is what the show endpoint shows, event for event (timestamps and details too).
      const shown = await show(sb, id);
      const posted = postedByRecipient(target.received, id);
      for (const recipient of shown.recipients) {
        expect(posted.get(recipient.email)).toEqual(
          (recipient.events ?? []).map((e) => ({ kind: e.kind, timestamp: e.timestamp, details: e.details })),
        );
      }
    }

    expect(target.received).toHaveLength(3);
    const kinds = postedByRecipient(target.received, id);
    expect(kinds.get('ok@example.net')?.map((e) => e.kind)).toEqual(['registration', 'dispatch', 'delivery']);
    expect(kinds.get('someone@bounce.example.org')?.map((e) => e.kind)).toEqual([
      'registration',
      'dispatch',
      'bounce',
    ]);
    // Each POST once, acknowledged at the first attempt; nothing more is planned.
    expect(sb.webhooks.deliveries.map((d) => [d.outcome, d.attempts])).toEqual([
      ['acknowledged', 1],
      ['acknowledged', 1],
      ['acknowledged', 1],
    ]);
    await tick(scheduler, sb, 10 * 60_000);
    expect(target.received).toHaveLength(3);
    expect(scheduler.pending).toBe(0);
  });

  it('with a zero timeline posts all of a message’s events in one POST, in order', async () => {
    const scheduler = new ManualScheduler();
    const sb = await sandbox({
      scheduler,
      cloudmailinTimelineMs: { dispatch: 0, outcome: 0 },
      logger: { warn: () => {} },
    });
    const target = await receiver();
    sb.setWebhookTarget({ url: `${target.url}/`, auth });
    const id: string = (
      await send(sb, { from: 'a@example.com', to: ['x@example.net', 'y@example.net'], plain: 'hi' })
    ).body.id;
    await tick(scheduler, sb, 0);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]?.path).toBe('/webhooks/cloudmailin/events');
    expect(target.received[0]?.body.events.map((e) => [e.recipient, e.kind, e.message_id])).toEqual([
      ['x@example.net', 'registration', id],
      ['x@example.net', 'dispatch', id],
      ['x@example.net', 'delivery', id],
      ['y@example.net', 'registration', id],
      ['y@example.net', 'dispatch', id],
      ['y@example.net', 'delivery', id],
    ]);
  });

  it('posts nothing for test_mode sends, without a target, or after the target is removed', async () => {
    const scheduler = new ManualScheduler();
    const sb = await sandbox({ scheduler, logger: { warn: () => {} } });
    const target = await receiver();
    await send(sb, { from: 'a@example.com', to: 'x@example.net', plain: 'hi' });
    // Its registration comes due while there is no target: not posted, and not kept for later.
    await tick(scheduler, sb, 0);
    sb.setWebhookTarget({ url: target.url, auth });
    await send(sb, { from: 'a@example.com', to: 'x@example.net', plain: 'hi', test_mode: true });
    await tick(scheduler, sb, 0);
    // A test_mode send plans nothing.
    expect(target.received).toHaveLength(0);

    await send(sb, { from: 'a@example.com', to: 'x@example.net', plain: 'hi' });
    sb.setWebhookTarget(null);
    await tick(scheduler, sb, 60_000);
    expect(target.received).toHaveLength(0);
    expect(sb.webhooks.deliveries).toHaveLength(0);
  });

  it('retries a failed POST with backoff, then drops it with a log line; a 4xx is not retried', async () => {
    const scheduler = new ManualScheduler();
    const warnings: Array<[object, string]> = [];
    const sb = await sandbox({
      scheduler,
      cloudmailinTimelineMs: { dispatch: 0, outcome: 0 },
      webhookRetryDelaysMs: [1_000, 4_000],
      logger: { warn: (fields, message) => warnings.push([fields, message]) },
    });
    // 503, then 200: acknowledged at the second attempt, after 1 s.
    const flaky = await receiver([503]);
    sb.setWebhookTarget({ url: flaky.url, auth });
    await send(sb, { from: 'a@example.com', to: 'x@example.net', plain: 'hi' });
    await tick(scheduler, sb, 0);
    expect(flaky.received).toHaveLength(1);
    await tick(scheduler, sb, 999);
    expect(flaky.received).toHaveLength(1);
    await tick(scheduler, sb, 1);
    expect(flaky.received).toHaveLength(2);
    expect(sb.webhooks.deliveries.map((d) => [d.outcome, d.attempts, d.status])).toEqual([
      ['acknowledged', 2, 200],
    ]);
    expect(warnings).toHaveLength(0);

    // Always failing: 1 + 2 attempts, then dropped with one log line.
    const down = await receiver([500, 502, 503]);
    sb.setWebhookTarget({ url: down.url, auth });
    await send(sb, { from: 'a@example.com', to: 'x@example.net', plain: 'hi' });
    await tick(scheduler, sb, 0);
    await tick(scheduler, sb, 1_000);
    await tick(scheduler, sb, 4_000);
    await tick(scheduler, sb, 60_000);
    expect(down.received).toHaveLength(3);
    expect(sb.webhooks.deliveries.at(-1)).toMatchObject({ outcome: 'dropped', attempts: 3, status: 503 });
    expect(warnings).toEqual([
      [
        { path: '/webhooks/cloudmailin/events', attempts: 3, status: 503 },
        'webhook POST dropped after its retries',
      ],
    ]);

    // A refusal (401) is final at once.
    const refusing = await receiver([401]);
    sb.setWebhookTarget({ url: refusing.url, auth });
    await send(sb, { from: 'a@example.com', to: 'x@example.net', plain: 'hi' });
    await tick(scheduler, sb, 0);
    await tick(scheduler, sb, 60_000);
    expect(refusing.received).toHaveLength(1);
    expect(sb.webhooks.deliveries.at(-1)).toMatchObject({ outcome: 'refused', attempts: 1, status: 401 });
    expect(warnings).toHaveLength(2);
  });

  it('retries when nothing answers, and close() cancels what is planned', async () => {
    const scheduler = new ManualScheduler();
    const warnings: string[] = [];
    const sb = await sandbox({
      scheduler,
      webhookRetryDelaysMs: [1_000],
      logger: { warn: (_f, m) => warnings.push(m) },
    });
    const gone = await receiver();
    const url = gone.url;
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    sb.setWebhookTarget({ url, auth });
    await send(sb, { from: 'a@example.com', to: 'x@example.net', plain: 'hi' });
    await tick(scheduler, sb, 0);
    await tick(scheduler, sb, 1_000);
    expect(sb.webhooks.deliveries.at(-1)).toMatchObject({ outcome: 'dropped', attempts: 2, status: null });
    expect(warnings).toEqual(['webhook POST dropped after its retries']);
    // Dispatch and delivery are still planned; closing cancels them.
    expect(scheduler.pending).toBeGreaterThan(0);
    await sb.webhooks.close();
    expect(scheduler.pending).toBe(0);
  });
});
