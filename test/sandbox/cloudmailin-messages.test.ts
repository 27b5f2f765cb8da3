import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OUTBOUND_TIMELINE_MS } from '../../src/sandbox/cloudmailin-outbound.js';
import { DEMO_CLOUDMAILIN } from '../../src/sandbox/demo-data.js';
import {
  type OutboundMessage,
  outboundMessageSchema,
  sentMessageSchema,
} from '../../src/upstream/cloudmailin-wire.js';
import { CM, SEED_KEYS, UUID_V4, allPages, cm, fakeClock, keysOf, sandbox, send } from './helpers.js';

/** `outbound/send-message-request-docs-2023.json`, verbatim. */
const DOCS_EXAMPLE = {
  from: 'Sender Name <sender@example.com>',
  to: ['Recipient <recipient@example.com>', 'Another <another@example.com>'],
  test_mode: false,
  subject: 'Hello from CloudMailin 😃',
  tags: ['api-tag', 'cloudmailin-tag'],
  plain: 'Hello Plain Text',
  html: '<h1>Hello Html</h1>',
  headers: { 'x-api-test': 'Test', 'x-additional-header': 'Value' },
  attachments: [
    {
      file_name: 'pixel.png',
      content:
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP0rdr1HwAFHwKCk87e6gAAAABJRU5ErkJggg==',
      content_type: 'image/png',
      content_id: null,
    },
  ],
};

const outboundPath = `/outbound_messages?outbound_account_id=${CM.smtpUsername}`;

describe('CloudMailin POST /messages', () => {
  it('accepts the docs example with 202 and the MessageCommon echo', async () => {
    const sb = await sandbox();
    const reply = await send(sb, DOCS_EXAMPLE);
    expect(reply.status).toBe(202);
    const echo = sentMessageSchema.parse(reply.body);
    expect(keysOf(echo)).toEqual(SEED_KEYS.sentMessage);
    expect(echo.id).toMatch(UUID_V4);
    expect(echo).toMatchObject({ from: DOCS_EXAMPLE.from, to: DOCS_EXAMPLE.to, cc: [], test_mode: false });
    expect(sb.cloudmailin.outboundMessages()[0]?.id).toBe(echo.id);
  });

  it('splits comma-separated to and tags, and accepts a raw message', async () => {
    const sb = await sandbox();
    const reply = await send(sb, {
      from: 'a@example.com',
      to: '"Doe, Jane" <jane@example.net>, bob@example.org',
      tags: 'one,two',
      markdown: '# Hi',
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({
      to: ['"Doe, Jane" <jane@example.net>', 'bob@example.org'],
      tags: ['one', 'two'],
    });
    const raw = await send(sb, {
      from: 'Sender <sender@example.com>',
      to: 'Recipient <recipient@example.com>',
      raw: 'To: Recipient <recipient@example.com>\nFrom: Sender <sender@example.com>\nSubject: Raw one\n\nHi',
    });
    expect(raw.status).toBe(202);
    expect(raw.body.subject).toBe('Raw one');
  });

  it('validates in test_mode without sending anything', async () => {
    const sb = await sandbox();
    const count = sb.cloudmailin.outboundMessages().length;
    const reply = await send(sb, { ...DOCS_EXAMPLE, test_mode: true });
    expect(reply.status).toBe(202);
    expect(reply.body.test_mode).toBe(true);
    expect(sb.cloudmailin.outboundMessages()).toHaveLength(count);
    expect((await send(sb, { from: 'a@example.com', to: 'b@example.com', test_mode: true })).status).toBe(
      422,
    );
  });

  const tooMany = Array.from({ length: 15 }, (_, i) => `to${i}@example.com`);
  it.each([
    ['a missing body', undefined, /from is required/],
    ['no to', { from: 'a@example.com', plain: 'x' }, /to is required/],
    [
      'no plain, html or markdown',
      { from: 'a@example.com', to: 'b@example.com', subject: 'x' },
      /body not found/i,
    ],
    ['21 recipients', { ...DOCS_EXAMPLE, to: tooMany, cc: tooMany.slice(0, 6) }, /too many recipients/],
    ['a bad address', { ...DOCS_EXAMPLE, to: ['not an address'] }, /invalid address/],
    [
      'a bad priority',
      { ...DOCS_EXAMPLE, priority: 'urgent' },
      /priority must be one of standard, priority, digest/,
    ],
    [
      'a forbidden extension',
      {
        ...DOCS_EXAMPLE,
        attachments: [{ file_name: 'setup.EXE', content: 'AAAA', content_type: 'application/octet-stream' }],
      },
      /\.exe are not allowed/,
    ],
    [
      'content that is not base64',
      {
        ...DOCS_EXAMPLE,
        attachments: [{ file_name: 'a.txt', content: 'not base64!', content_type: 'text/plain' }],
      },
      /base64/,
    ],
    [
      'base64 with newlines',
      {
        ...DOCS_EXAMPLE,
        attachments: [{ file_name: 'a.txt', content: 'AAAA\nAAAA', content_type: 'text/plain' }],
      },
      /base64/,
    ],
    [
      'raw and plain together',
      { ...DOCS_EXAMPLE, raw: 'To: a@b.c\nFrom: d@e.f\n\nx' },
      /raw cannot be combined/,
    ],
    [
      'raw without headers',
      { from: 'a@example.com', to: 'b@example.com', raw: 'just text' },
      /From and To headers/,
    ],
    ['a message over 10 MB', { ...DOCS_EXAMPLE, plain: 'x'.repeat(10 * 1024 * 1024 + 1) }, /too large/],
  ])('refuses %s with 422 {status, error}', async (_, json, message) => {
    const sb = await sandbox();
    const reply = await send(sb, json);
    expect(reply.status).toBe(422);
    expect(keysOf(reply.body)).toEqual(SEED_KEYS.error);
    expect(reply.body.error).toMatch(message);
  });

  it('accepts 20 recipients and header values as arrays (as the Go client sends them)', async () => {
    const sb = await sandbox();
    const reply = await send(sb, {
      ...DOCS_EXAMPLE,
      to: tooMany,
      cc: tooMany.slice(0, 5),
      headers: { 'x-multi': ['a', 'b'] },
      priority: 'digest',
    });
    expect(reply.status).toBe(202);
  });

  it('checks a multi-megabyte attachment without blowing the stack', async () => {
    const sb = await sandbox();
    const content = Buffer.alloc(8 * 1024 * 1024, 7).toString('base64');
    const attachments = [{ file_name: 'big.pdf', content, content_type: 'application/pdf' }];
    expect((await send(sb, { ...DOCS_EXAMPLE, attachments })).status).toBe(202);
    const broken = [{ ...attachments[0], content: `${content.slice(0, -4)}!!!!` }];
    expect((await send(sb, { ...DOCS_EXAMPLE, attachments: broken })).status).toBe(422);
  });

  it('needs the SMTP token (401) under the SMTP username (403)', async () => {
    const sb = await sandbox();
    expect((await send(sb, DOCS_EXAMPLE, { token: CM.apiKey })).status).toBe(401);
    expect((await send(sb, DOCS_EXAMPLE, { token: null })).status).toBe(401);
    expect((await send(sb, DOCS_EXAMPLE, { account: CM.accountId })).body).toEqual({
      status: 403,
      error: 'Forbidden',
    });
    expect(sb.calls.map((c) => c.auth)).toEqual(['api-key', 'none', 'smtp-token']);
  });
});

describe('CloudMailin outbound messages', () => {
  it('lists 48 demo messages newest first in pages, recipients with email and last_event only', async () => {
    const sb = await sandbox({ pageSize: 20 });
    const pages = await allPages(sb, outboundPath);
    expect(pages.map((page) => page.length)).toEqual([20, 20, 8, 0]);
    const messages = z.array(outboundMessageSchema).parse(pages.flat());
    expect(messages[0]?.id).toBe(DEMO_CLOUDMAILIN.outboundMessageId);
    const created = messages.map((m) => Date.parse(m.created_at ?? ''));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    for (const message of messages) {
      expect(keysOf(message)).toEqual(SEED_KEYS.outboundMessage);
      expect(message.id).toMatch(UUID_V4);
      expect(message.message_id).toBe(`<${message.id}@cloudmta.net>`);
      expect(message.recipients.length).toBeGreaterThanOrEqual(1);
      expect(message.recipients.length).toBeLessThanOrEqual(4);
      for (const recipient of message.recipients) expect(keysOf(recipient)).toEqual(SEED_KEYS.listRecipient);
    }
    const lastEvents = new Set(messages.flatMap((m) => m.recipients.map((r) => r.last_event)));
    expect([...lastEvents].sort()).toEqual([
      'bounce',
      'click',
      'delivery',
      'dispatch',
      'open',
      'soft_bounce',
    ]);
  });

  it('shows a message with every recipient event in chronological order', async () => {
    const sb = await sandbox();
    const seenKinds = new Set<string>();
    for (const summary of sb.cloudmailin.outboundMessages()) {
      const reply = await cm(sb, 'GET', `/outbound_messages/${summary.id}`);
      expect(reply.status).toBe(200);
      const message = outboundMessageSchema.parse(reply.body);
      expect(keysOf(message)).toEqual(SEED_KEYS.outboundMessage);
      for (const recipient of message.recipients) {
        expect(keysOf(recipient)).toEqual(SEED_KEYS.showRecipient);
        const events = recipient.events ?? [];
        expect(events[0]?.kind).toBe('registration');
        expect(recipient.last_event).toBe(events.at(-1)?.kind);
        const times = events.map((e) => Date.parse(e.timestamp ?? ''));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        for (const event of events) {
          seenKinds.add(event.kind);
          expect(keysOf(event)).toEqual(SEED_KEYS.event);
          for (const key of keysOf(event.details)) expect(SEED_KEYS.eventDetails).toContain(key);
        }
      }
      const delivery = message.recipients.flatMap((r) => r.events ?? []).find((e) => e.kind === 'delivery');
      if (delivery) expect(keysOf(delivery.details)).toEqual(SEED_KEYS.eventDetails);
    }
    expect([...seenKinds].sort()).toEqual([
      'bounce',
      'click',
      'delivery',
      'dispatch',
      'open',
      'registration',
      'soft_bounce',
    ]);
  });

  it('progresses a sent message through its events as the emulator clock moves', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ now: clock.now });
    const sentAt = clock.now();
    const reply = await send(sb, {
      from: 'Example <support@example.com>',
      to: ['Ok <ok@example.net>', 'bounce-me@example.org'],
      cc: 'defer@example.com',
      subject: 'Progress',
      plain: 'hi',
    });
    const id: string = reply.body.id;
    const show = async () =>
      outboundMessageSchema.parse((await cm(sb, 'GET', `/outbound_messages/${id}`)).body);
    const kinds = (message: OutboundMessage) =>
      message.recipients.map((r) => (r.events ?? []).map((e) => e.kind));

    const first = await show();
    expect(first.recipients.map((r) => r.email)).toEqual([
      'ok@example.net',
      'bounce-me@example.org',
      'defer@example.com',
    ]);
    expect(first.created_at).toBe(new Date(sentAt).toISOString());
    expect(kinds(first)).toEqual([['registration'], ['registration'], ['registration']]);

    clock.advance(OUTBOUND_TIMELINE_MS.dispatch);
    expect(kinds(await show())).toEqual([
      ['registration', 'dispatch'],
      ['registration', 'dispatch'],
      ['registration', 'dispatch'],
    ]);

    clock.advance(OUTBOUND_TIMELINE_MS.outcome - OUTBOUND_TIMELINE_MS.dispatch);
    const outcome = await show();
    expect(outcome.recipients.map((r) => r.last_event)).toEqual(['delivery', 'bounce', 'soft_bounce']);
    const bounce = outcome.recipients[1]?.events?.at(-1);
    expect(bounce?.details).toMatchObject({ reply_code: '550', delivery_status: '5.1.1' });
    expect(bounce?.timestamp).toBe(new Date(sentAt + OUTBOUND_TIMELINE_MS.outcome).toISOString());

    clock.advance(OUTBOUND_TIMELINE_MS.retriedDelivery);
    const final = await show();
    expect(kinds(final)[2]).toEqual(['registration', 'dispatch', 'soft_bounce', 'delivery']);
    expect(kinds(final).flat()).not.toContain('spamd');

    const list = await cm(sb, 'GET', `${outboundPath}&page=1`);
    expect(list.body[0]).toMatchObject({
      id,
      recipients: [
        { email: 'ok@example.net', last_event: 'delivery' },
        { email: 'bounce-me@example.org', last_event: 'bounce' },
        { email: 'defer@example.com', last_event: 'delivery' },
      ],
    });
  });

  it('searches recipients, subject and message id, and filters by last_event', async () => {
    const sb = await sandbox({ pageSize: 100 });
    const all = sb.cloudmailin.outboundMessages();
    const search = async (q: string) =>
      (await cm(sb, 'GET', `${outboundPath}&query=${encodeURIComponent(q)}`)).body as OutboundMessage[];
    const byRecipient = await search('liam.chen');
    expect(byRecipient.length).toBeGreaterThan(0);
    expect(byRecipient).toEqual(
      all.filter((m) => m.recipients.some((r) => r.email === 'liam.chen@example.org')),
    );
    expect((await search(DEMO_CLOUDMAILIN.outboundMessageId)).map((m) => m.id)).toEqual([
      DEMO_CLOUDMAILIN.outboundMessageId,
    ]);
    const bounced = await search('last_event:bounce');
    expect(bounced).toEqual(all.filter((m) => m.recipients.some((r) => r.last_event === 'bounce')));
    const receipts = await search('subject:receipt AND tags:receipts');
    expect(receipts.length).toBeGreaterThan(0);
    expect(receipts.every((m) => /receipt/i.test(m.subject ?? ''))).toBe(true);
  });

  it('needs outbound_account_id (422) equal to the SMTP username (404), and 404s unknown ids', async () => {
    const sb = await sandbox();
    expect((await cm(sb, 'GET', '/outbound_messages')).body).toEqual({
      status: 422,
      error: 'outbound_account_id is required',
    });
    expect((await cm(sb, 'GET', '/outbound_messages?outbound_account_id=ffff000011112222')).status).toBe(404);
    const unknown = await cm(sb, 'GET', '/outbound_messages/00000000-0000-4000-8000-000000000000');
    expect(unknown.body).toEqual({ status: 404, error: 'Not Found' });
  });

  it('takes the account API key only: the SMTP token is refused (401) under either account id', async () => {
    const sb = await sandbox();
    const detail = `/outbound_messages/${DEMO_CLOUDMAILIN.outboundMessageId}`;
    expect((await cm(sb, 'GET', outboundPath)).status).toBe(200);
    expect((await cm(sb, 'GET', detail)).status).toBe(200);
    for (const path of [outboundPath, detail]) {
      expect((await cm(sb, 'GET', path, { token: CM.smtpToken })).body).toEqual({
        status: 401,
        error: 'Unauthorized',
      });
      expect((await cm(sb, 'GET', path, { token: CM.smtpToken, account: CM.smtpUsername })).status).toBe(401);
    }
    expect((await cm(sb, 'GET', outboundPath, { account: CM.smtpUsername })).status).toBe(403);
    expect((await cm(sb, 'GET', outboundPath, { token: 'nope' })).status).toBe(401);
  });
});
