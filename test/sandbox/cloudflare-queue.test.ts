/**
 * The emulator's events queue and its HTTP pull-consumer API. The Email Sending OpenAPI slice in the
 * fixtures (`cloudflare/email-sending.openapi.json`) has no queue routes, so the answers are checked
 * against the shapes QUEUES-PULL.md documents (§2 pull, §3 ack, §6 errors), written out below from that
 * document alone (not from the client's own schemas), and the events against `events/email-sending-events.json`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_CLOUDFLARE } from '../../src/sandbox/cloudflare-demo.js';
import { fixturePath } from '../helpers/fixtures.js';
import { CF, type Reply, cf, cfSuccess, expectCfError, fakeClock, keysOf, sandbox } from './helpers.js';

const QUEUE = CF.eventsQueueId;
const PULL = `/accounts/${CF.accountId}/queues/${QUEUE}/messages/pull`;
const ACK = `/accounts/${CF.accountId}/queues/${QUEUE}/messages/ack`;
const SEND = `/accounts/${CF.accountId}/email/sending/send`;

/** QUEUES-PULL.md §2: `mq_queue-pull-batch`, every message field the spec lists, and nothing else. */
const pulledMessage = z
  .object({
    id: z.string(),
    body: z.string(),
    lease_id: z.string(),
    attempts: z.number(),
    timestamp_ms: z.number(),
    metadata: z.record(z.string()),
  })
  .strict();
const pullResult = z
  .object({
    message_backlog_count: z.number(),
    messages: z.array(pulledMessage),
    metadata: z
      .object({
        metrics: z
          .object({
            backlog_bytes: z.number(),
            backlog_count: z.number(),
            oldest_message_timestamp_ms: z.number(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();
/** §3: `{ackCount, retryCount, warnings}`, warnings mapping a lease id to a message. */
const ackResult = z
  .object({ ackCount: z.number(), retryCount: z.number(), warnings: z.record(z.string()) })
  .strict();

const samples = JSON.parse(
  readFileSync(fixturePath('cloudflare/events/email-sending-events.json'), 'utf8'),
) as { events: Record<string, { example: Record<string, unknown> }> };

const pull = async (sb: Awaited<ReturnType<typeof sandbox>>, json: unknown = {}) =>
  pullResult.parse(cfSuccess(await cf(sb, 'POST', PULL, { json })));
const ack = async (sb: Awaited<ReturnType<typeof sandbox>>, json: unknown) =>
  ackResult.parse(cfSuccess(await cf(sb, 'POST', ACK, { json })));
const decode = (body: string) => JSON.parse(Buffer.from(body, 'base64').toString('utf8'));

async function sendTo(sb: Awaited<ReturnType<typeof sandbox>>, to: string[], subject = 'Hello') {
  const reply = await cf(sb, 'POST', SEND, {
    json: { from: `news@${DEMO_CLOUDFLARE.subdomains.mail.name}`, to, subject, text: 'hi' },
  });
  return cfSuccess(reply) as { message_id: string };
}

/** Every key of `value`, nested objects as `a.b`. */
function paths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => paths(inner, prefix ? `${prefix}.${key}` : key));
}

describe('the emulated events queue', () => {
  it('publishes one documented event per recipient of a send, with the send’s message id', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ now: clock.now });
    expect((await pull(sb)).messages).toEqual([]);
    const sent = await sendTo(sb, ['a@example.org', 'b@defer.example.org', 'c@bounce.example.org']);
    const batch = await pull(sb, { batch_size: 10 });
    expect(batch.messages).toHaveLength(3);
    expect(batch.message_backlog_count).toBe(3);
    const events = batch.messages.map((message) => {
      expect(message.metadata).toEqual({ 'CF-Content-Type': 'json' });
      expect(message.attempts).toBe(1);
      expect(message.timestamp_ms).toBe(clock.now());
      return decode(message.body);
    });
    expect(events.map((event) => [event.type, event.payload.recipient, event.payload.terminal])).toEqual([
      ['cf.email.sending.message.delivered', 'a@example.org', true],
      ['cf.email.sending.message.deferred', 'b@defer.example.org', false],
      ['cf.email.sending.message.bounced', 'c@bounce.example.org', true],
    ]);
    // The documented shape, key for key, of each kind's example.
    const examples = [
      samples.events['message.delivered']?.example,
      samples.events['message.deferred']?.example,
      samples.events['message.bounced']?.example,
    ];
    events.forEach((event, i) => {
      expect(paths(event).sort()).toEqual(paths(examples[i]).sort());
      expect(event.payload.messageId).toBe(sent.message_id);
      expect(event.payload.eventId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(event.source).toEqual({
        type: 'email.sending',
        zoneId: DEMO_CLOUDFLARE.zones.primary.id,
        domain: DEMO_CLOUDFLARE.subdomains.mail.name,
      });
      expect(event.metadata).toMatchObject({
        accountId: CF.accountId,
        eventSchemaVersion: 1,
        eventTimestamp: new Date(clock.now()).toISOString(),
      });
    });
    expect(new Set(events.map((event) => event.payload.eventId)).size).toBe(3);
  });

  it('leases for the visibility timeout, redelivers what was not acked, and deletes what was', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ now: clock.now });
    await sendTo(sb, ['a@example.org', 'b@example.org']);
    const first = await pull(sb, { batch_size: 1, visibility_timeout_ms: 10_000 });
    expect(first.messages).toHaveLength(1);
    // The other message is still there, the leased one is not handed out twice.
    const second = await pull(sb, { batch_size: 5, visibility_timeout_ms: 10_000 });
    expect(second.messages.map((m) => m.id)).not.toContain(first.messages[0]?.id);
    expect(second.messages).toHaveLength(1);
    expect((await pull(sb)).messages).toEqual([]);

    clock.advance(10_000);
    const again = await pull(sb, { batch_size: 5, visibility_timeout_ms: 10_000 });
    expect(again.messages.map((m) => [m.id, m.attempts])).toEqual([
      [first.messages[0]?.id, 2],
      [second.messages[0]?.id, 2],
    ]);
    expect(again.messages[0]?.lease_id).not.toBe(first.messages[0]?.lease_id);

    // The current lease and a lease that ran out both acknowledge (a late ack is accepted).
    expect(
      await ack(sb, {
        acks: [{ lease_id: again.messages[0]?.lease_id }, { lease_id: second.messages[0]?.lease_id }],
      }),
    ).toEqual({ ackCount: 2, retryCount: 0, warnings: {} });
    clock.advance(60_000);
    expect((await pull(sb)).messages).toEqual([]);
    expect(sb.cloudflare.queue().view()).toEqual([]);
    // Acking again: nothing left to delete, and a warning says so.
    const twice = await ack(sb, { acks: [{ lease_id: again.messages[0]?.lease_id }] });
    expect(twice.ackCount).toBe(0);
    expect(Object.keys(twice.warnings)).toEqual([again.messages[0]?.lease_id]);
  });

  it('retries after delay_seconds, and drops a message at max_retries (3)', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ now: clock.now });
    sb.cloudflare.queue().publish('not an event');
    for (let attempt = 1; attempt <= 3; attempt++) {
      const batch = await pull(sb);
      expect(batch.messages.map((m) => m.attempts)).toEqual([attempt]);
      const lease = batch.messages[0]?.lease_id;
      expect(await ack(sb, { retries: [{ lease_id: lease, delay_seconds: 30 }] })).toEqual({
        ackCount: 0,
        retryCount: 1,
        warnings: {},
      });
      // Not before the delay.
      clock.advance(29_000);
      expect((await pull(sb)).messages).toEqual([]);
      clock.advance(1_000);
    }
    expect((await pull(sb)).messages).toEqual([]);
    expect(
      sb.cloudflare
        .queue()
        .deadLetters()
        .map((m) => m.attempts),
    ).toEqual([3]);
  });

  it('answers the documented failures with the v4 envelope', async () => {
    const sb = await sandbox();
    const other = `/accounts/${'0'.repeat(32)}/queues/${QUEUE}/messages/pull`;
    const error = (status: number, code: number, message: string) => ({ status, code, message });
    expectCfError(
      await cf(sb, 'POST', PULL, { token: null, json: {} }),
      error(401, 10000, 'Authentication error'),
    );
    expectCfError(
      await cf(sb, 'POST', PULL, { token: 'wrong', json: {} }),
      error(401, 10000, 'Authentication error'),
    );
    expectCfError(await cf(sb, 'POST', other, { json: {} }), error(403, 10000, 'Authentication error'));
    expectCfError(
      await cf(sb, 'POST', `/accounts/${CF.accountId}/queues/not-a-queue/messages/pull`, { json: {} }),
      error(400, 10107, 'QueueIDMalformed'),
    );
    expectCfError(
      await cf(sb, 'POST', `/accounts/${CF.accountId}/queues/${'a'.repeat(32)}/messages/ack`, { json: {} }),
      error(404, 10104, 'QueueNotFound'),
    );
    for (const json of [{ batch_size: 0 }, { batch_size: 101 }, { visibility_timeout_ms: 43_200_001 }, []]) {
      expectCfError(await cf(sb, 'POST', PULL, { json }), error(400, 10207, 'JSONRequestBodyInvalid'));
    }
    for (const json of [{ acks: {} }, { acks: [{}] }, { retries: [{ lease_id: 'x', delay_seconds: -1 }] }]) {
      expectCfError(await cf(sb, 'POST', ACK, { json }), error(400, 10207, 'JSONRequestBodyInvalid'));
    }
    expectCfError(
      await cf(sb, 'POST', PULL, { raw: '{', headers: { 'content-type': 'application/json' } }),
      error(400, 10208, 'JSONRequestBodyMalformed'),
    );
    const wrongMethod: Reply = await cf(sb, 'GET', PULL);
    expect(wrongMethod.status).toBe(405);
    // `{}` and an empty body are both a default pull (batch_size 5).
    expect(keysOf(cfSuccess(await cf(sb, 'POST', PULL)))).toEqual([
      'message_backlog_count',
      'messages',
      'metadata',
    ]);
  });

  it('does not count pulls and acks against the 1200-calls limit (exempt since 2025-04-17)', async () => {
    const sb = await sandbox({ rateLimits: true, cloudflareRequestsPerWindow: 2 });
    for (let i = 0; i < 5; i++) await pull(sb);
    await ack(sb, { acks: [] });
    const sent = await cf(sb, 'POST', SEND, {
      json: {
        from: `news@${DEMO_CLOUDFLARE.subdomains.mail.name}`,
        to: 'a@example.org',
        subject: 's',
        text: 't',
      },
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get('ratelimit')).toMatch(/r=1;/);
  });
});
