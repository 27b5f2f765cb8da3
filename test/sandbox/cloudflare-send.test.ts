import { describe, expect, it } from 'vitest';
import { DEMO_CLOUDFLARE } from '../../src/sandbox/cloudflare-demo.js';
import {
  CLOUDFLARE_LIMITS,
  CLOUDFLARE_SEND_ERRORS,
  sendResultSchema,
} from '../../src/upstream/cloudflare-wire.js';
import { cloudflareSdkParams } from '../helpers/fixtures.js';
import {
  CF,
  type Reply,
  cf,
  cfSuccess,
  expectCfError,
  fakeClock,
  keysOf,
  rawRequest,
  sandbox,
} from './helpers.js';

const SEND = `/accounts/${CF.accountId}/email/sending/send`;
const SEND_RAW = `/accounts/${CF.accountId}/email/sending/send_raw`;
const MiB = 1024 * 1024;

/** `examples/sdk-test-params.json`: what the official SDK's generated tests send. */
const SDK = cloudflareSdkParams<Record<string, Record<string, { body: Record<string, unknown> }>>>();
const sdkBody = (method: string, variant: string) => structuredClone(SDK[method]?.[variant]?.body ?? {});
/**
 * The SDK's fixtures send from `sender@example.com`, the zone apex, which the demo account has not
 * enabled; the emulator's demo sending subdomain stands in. Its attachment content ends in `...` (a
 * placeholder its Prism mock never decodes), so it is cut to the valid base64 before it.
 */
function adapted(method: string, variant: string): Record<string, unknown> {
  const body = sdkBody(method, variant);
  body.from = 'sender@mail.example.com';
  if (typeof body.mime_message === 'string') {
    body.mime_message = body.mime_message.replace(
      'From: sender@example.com',
      'From: sender@mail.example.com',
    );
  }
  for (const attachment of (body.attachments ?? []) as Array<{ content: string }>) {
    attachment.content = attachment.content.replace(/\.\.\.$/, '');
  }
  return body;
}

function expectError(
  reply: Reply,
  error: { status: number; code: number; message: string },
  pointer?: string,
) {
  expectCfError(reply, error);
  expect(reply.body.errors[0].code).toBeTypeOf('number');
  if (pointer !== undefined) expect(reply.body.errors[0].source).toEqual({ pointer });
}

function result(reply: Reply) {
  const sent = cfSuccess(reply);
  expect(keysOf(sent)).toEqual(['delivered', 'message_id', 'permanent_bounces', 'queued']);
  return sendResultSchema.parse(sent);
}

const MESSAGE = { from: 'news@mail.example.com', to: 'reader@example.org', subject: 'Hello', text: 'Hi' };
const MESSAGE_ID = /^<[A-Za-z0-9]{36}@mail\.example\.com>$/;

describe('Cloudflare POST /accounts/{account_id}/email/sending/send', () => {
  it('accepts the SDK fixture with every parameter, de-duplicating recipients across to, cc and bcc', async () => {
    const sb = await sandbox();
    const request = adapted('emailSending.send', 'required_and_optional');
    const sent = result(await cf(sb, 'POST', SEND, { json: request }));
    expect(sent).toEqual({
      delivered: ['recipient@example.com', 'recipient-a@example.com', 'recipient-b@example.com'],
      permanent_bounces: [],
      queued: [],
      message_id: expect.stringMatching(MESSAGE_ID),
    });
    expect(sb.cloudflare.sent()).toEqual([
      {
        route: 'send',
        accountId: CF.accountId,
        zoneId: DEMO_CLOUDFLARE.zones.primary.id,
        domain: 'mail.example.com',
        from: 'sender@mail.example.com',
        recipients: ['recipient@example.com', 'recipient-a@example.com', 'recipient-b@example.com'],
        subject: 'Monthly Report',
        sentAt: expect.any(String),
        request,
        result: sent,
      },
    ]);
  });

  it('refuses the SDK fixtures as they are: no body text, no recipient, a placeholder attachment', async () => {
    const sb = await sandbox();
    const onlyRequired = {
      ...sdkBody('emailSending.send', 'only_required'),
      from: 'sender@mail.example.com',
    };
    expectError(
      await cf(sb, 'POST', SEND, { json: onlyRequired }),
      CLOUDFLARE_SEND_ERRORS.invalidRequestSchema,
    );
    const placeholder = {
      ...sdkBody('emailSending.send', 'required_and_optional'),
      from: 'a@mail.example.com',
    };
    expectError(
      await cf(sb, 'POST', SEND, { json: placeholder }),
      CLOUDFLARE_SEND_ERRORS.invalidEmail,
      '/attachments/0/content',
    );
    expect(sb.cloudflare.sent()).toEqual([]);
  });

  it('partitions recipients by domain: bounce → permanent_bounces, defer/queue → queued, else delivered', async () => {
    const sb = await sandbox();
    const to = ['a@example.org', 'b@Bounce.example', 'c@mx.defer.example', 'd@queue-me.example'];
    const sent = result(
      await cf(sb, 'POST', SEND, {
        json: {
          ...MESSAGE,
          to,
          cc: { address: 'e@softbounce.example', name: 'E' },
          bcc: ['bounce@example.net', 'A@example.org'],
        },
      }),
    );
    expect(sent).toEqual({
      delivered: ['a@example.org', 'bounce@example.net'],
      permanent_bounces: ['b@Bounce.example', 'e@softbounce.example'],
      queued: ['c@mx.defer.example', 'd@queue-me.example'],
      message_id: expect.stringMatching(MESSAGE_ID),
    });
  });

  it('takes a recipient list as one string, one object or a mixed array, and to may be left out', async () => {
    const sb = await sandbox();
    for (const json of [
      { ...MESSAGE, to: 'one@example.org' },
      { ...MESSAGE, to: { address: 'one@example.org', name: null } },
      { ...MESSAGE, to: ['one@example.org', { address: 'two@example.org', name: 'Two' }] },
      { ...MESSAGE, to: undefined, cc: 'one@example.org', html: '<p>Hi</p>', text: '' },
      { ...MESSAGE, to: undefined, bcc: ['one@example.org'] },
    ]) {
      expect(result(await cf(sb, 'POST', SEND, { json })).delivered[0]).toBe('one@example.org');
    }
    expect(sb.cloudflare.sent()).toHaveLength(5);
  });

  it('accepts a named from, reply_to, headers and both kinds of attachment', async () => {
    const sb = await sandbox();
    const sent = result(
      await cf(sb, 'POST', SEND, {
        json: {
          ...MESSAGE,
          from: { address: 'News@Notify.Example.com', name: 'Example News' },
          reply_to: { address: 'support@example.com', name: 'Support' },
          html: '<p><img src="cid:logo"></p>',
          headers: { 'X-Campaign': 'november', 'List-Unsubscribe': '<https://example.com/u>' },
          attachments: [
            {
              content: 'iVBORw0KGgo=',
              content_id: 'logo',
              disposition: 'inline',
              filename: 'logo.png',
              type: 'image/png',
            },
            { content: '', disposition: 'attachment', filename: 'empty.txt', type: 'text/plain' },
          ],
        },
      }),
    );
    expect(sent.message_id).toMatch(/^<[A-Za-z0-9]{36}@notify\.example\.com>$/);
    expect(sb.cloudflare.sent()[0]).toMatchObject({
      domain: 'notify.example.com',
      from: 'News@Notify.Example.com',
    });
  });

  it.each([
    ['a body that is not an object', ['x'], undefined],
    ['no from', { ...MESSAGE, from: undefined }, '/from'],
    ['a from of the wrong type', { ...MESSAGE, from: 42 }, '/from'],
    ['an address outside printable ASCII', { ...MESSAGE, to: 'jörg@example.org' }, '/to'],
    ['an object address without address', { ...MESSAGE, to: [{ name: 'X' }] }, '/to/0/address'],
    [
      'a name with a line break',
      { ...MESSAGE, to: { address: 'a@example.org', name: 'A\r\nBcc: x' } },
      '/to/name',
    ],
    ['no subject', { ...MESSAGE, subject: undefined }, '/subject'],
    ['a subject of 999 characters', { ...MESSAGE, subject: 's'.repeat(999) }, '/subject'],
    ['a subject with a line break', { ...MESSAGE, subject: 'a\nb' }, '/subject'],
    ['neither text nor html', { ...MESSAGE, text: '', html: '' }, '/text'],
    ['a text that is not a string', { ...MESSAGE, text: 5 }, '/text'],
    ['no recipient at all', { ...MESSAGE, to: [] }, '/to'],
    ['an unknown top-level property', { ...MESSAGE, replyTo: 'x@example.org' }, '/replyTo'],
    ['headers that are not an object', { ...MESSAGE, headers: ['X-A: b'] }, '/headers'],
    ['a header value that is not a string', { ...MESSAGE, headers: { 'X-A': 1 } }, '/headers/X-A'],
    ['a header value with a line break', { ...MESSAGE, headers: { 'X-A': 'b\r\nBcc: x' } }, '/headers/X-A'],
    ['an invalid header name', { ...MESSAGE, headers: { 'X A': 'b' } }, '/headers/X A'],
    ['a structural header', { ...MESSAGE, headers: { Subject: 'other' } }, '/headers/Subject'],
    ['headers over 16 KB', { ...MESSAGE, headers: { 'X-Big': 'x'.repeat(16 * 1024) } }, '/headers'],
    ['attachments that are not an array', { ...MESSAGE, attachments: {} }, '/attachments'],
    [
      'an unknown disposition',
      {
        ...MESSAGE,
        attachments: [{ content: '', disposition: 'embedded', filename: 'a', type: 'text/plain' }],
      },
      '/attachments/0/disposition',
    ],
    [
      'an inline attachment without content_id',
      {
        ...MESSAGE,
        attachments: [{ content: 'QQ==', disposition: 'inline', filename: 'a.png', type: 'image/png' }],
      },
      '/attachments/0/content_id',
    ],
    [
      'an attachment without filename',
      { ...MESSAGE, attachments: [{ content: 'QQ==', disposition: 'attachment', type: 'text/plain' }] },
      '/attachments/0/filename',
    ],
  ])('refuses %s with 400/10001', async (_, json, pointer) => {
    const sb = await sandbox();
    expectError(await cf(sb, 'POST', SEND, { json }), CLOUDFLARE_SEND_ERRORS.invalidRequestSchema, pointer);
  });

  it('allows 50 recipients across to, cc and bcc, and refuses 51', async () => {
    const sb = await sandbox();
    const addresses = Array.from({ length: 51 }, (_, i) => `r${i}@example.org`);
    const json = {
      ...MESSAGE,
      to: addresses.slice(0, 20),
      cc: addresses.slice(20, 40),
      bcc: addresses.slice(40, 50),
    };
    expect(result(await cf(sb, 'POST', SEND, { json })).delivered).toHaveLength(
      CLOUDFLARE_LIMITS.maxRecipients,
    );
    const reply = await cf(sb, 'POST', SEND, { json: { ...json, bcc: addresses.slice(40) } });
    expectError(reply, CLOUDFLARE_SEND_ERRORS.invalidRequestSchema, '/to');
    expect(reply.body.messages).toEqual(['51 recipients, at most 50']);
  });

  it('allows a subject of 998 characters (code points, not UTF-16 units)', async () => {
    const sb = await sandbox();
    expect((await cf(sb, 'POST', SEND, { json: { ...MESSAGE, subject: 's'.repeat(998) } })).status).toBe(200);
    expect((await cf(sb, 'POST', SEND, { json: { ...MESSAGE, subject: '😀'.repeat(998) } })).status).toBe(
      200,
    );
  });

  it.each([
    ['a from that is not an address', { ...MESSAGE, from: 'news at mail.example.com' }, '/from'],
    ['a recipient without a domain', { ...MESSAGE, to: ['a@example.org', 'b@localhost'] }, '/to/1'],
    [
      'a reply_to that is not an address',
      { ...MESSAGE, reply_to: { address: 'nobody' } },
      '/reply_to/address',
    ],
    [
      'attachment content that is not base64',
      {
        ...MESSAGE,
        attachments: [{ content: 'not base64!', disposition: 'attachment', filename: 'a', type: 't/p' }],
      },
      '/attachments/0/content',
    ],
    [
      'base64 with line breaks',
      {
        ...MESSAGE,
        attachments: [{ content: 'QUJD\r\nREVG', disposition: 'attachment', filename: 'a', type: 't/p' }],
      },
      '/attachments/0/content',
    ],
    [
      'base64 with data after the padding',
      {
        ...MESSAGE,
        attachments: [{ content: 'QQ==QUJD', disposition: 'attachment', filename: 'a', type: 't/p' }],
      },
      '/attachments/0/content',
    ],
  ])('refuses %s with 400/10202', async (_, json, pointer) => {
    const sb = await sandbox();
    expectError(await cf(sb, 'POST', SEND, { json }), CLOUDFLARE_SEND_ERRORS.invalidEmail, pointer);
  });

  it('checks a multi-megabyte attachment in linear time, and counts its base64 text toward 5 MiB', async () => {
    const sb = await sandbox();
    const attachment = (content: string) => ({
      content,
      disposition: 'attachment',
      filename: 'a.bin',
      type: 'x/y',
    });
    // Just under the limit with the subject and text; then over it by 3 bytes of base64.
    const fits = 'A'.repeat(CLOUDFLARE_LIMITS.maxMessageBytes - 8);
    const ok = await cf(sb, 'POST', SEND, { json: { ...MESSAGE, attachments: [attachment(fits)] } });
    expect(ok.status).toBe(200);
    const big = await cf(sb, 'POST', SEND, {
      json: { ...MESSAGE, attachments: [attachment(`${fits}AAAA`)] },
    });
    expectError(big, CLOUDFLARE_SEND_ERRORS.tooBig);
    const broken = await cf(sb, 'POST', SEND, {
      json: { ...MESSAGE, attachments: [attachment(`${'A'.repeat(4 * MiB)}!AAA`)] },
    });
    expectError(broken, CLOUDFLARE_SEND_ERRORS.invalidEmail, '/attachments/0/content');
  });

  it('accepts exactly 5 MiB of message and answers 400/10200 at 5 MiB + 1 byte', async () => {
    const sb = await sandbox();
    const subject = 'S';
    const exact = { ...MESSAGE, subject, text: 'a'.repeat(5 * MiB - 1) };
    expect((await cf(sb, 'POST', SEND, { json: exact })).status).toBe(200);
    const over = await cf(sb, 'POST', SEND, { json: { ...exact, text: 'a'.repeat(5 * MiB) } });
    expectError(over, CLOUDFLARE_SEND_ERRORS.tooBig);
    expect(over.body.messages).toEqual([`the message is ${5 * MiB + 1} bytes, at most ${5 * MiB}`]);
  });

  it('answers 413 (envelope, code 10200) past the 12 MiB body cap, and 400/10200 between 5 and 12 MiB', async () => {
    const sb = await sandbox();
    const between = await cf(sb, 'POST', SEND, { json: { ...MESSAGE, text: 'a'.repeat(8 * MiB) } });
    expectError(between, CLOUDFLARE_SEND_ERRORS.tooBig);
    const huge = await cf(sb, 'POST', SEND, { json: { ...MESSAGE, text: 'a'.repeat(12 * MiB) } });
    expectError(huge, { status: 413, code: 10200, message: 'email.sending.error.email.too_big' });
    expect(huge.headers.get('ratelimit-policy')).toBe('"burst";q=1200;w=300');
  });

  it('400/10001 for malformed JSON, a non-JSON body and an empty body', async () => {
    const sb = await sandbox();
    const json = { 'content-type': 'application/json' };
    const malformed = await cf(sb, 'POST', SEND, { raw: '{"from": ', headers: json });
    expectError(malformed, CLOUDFLARE_SEND_ERRORS.invalidRequestSchema);
    expect(malformed.body.messages[0]).toMatch(/^malformed JSON body/);
    const form = await cf(sb, 'POST', SEND, { raw: 'from=a', headers: { 'content-type': 'text/plain' } });
    expectError(form, CLOUDFLARE_SEND_ERRORS.invalidRequestSchema);
    expectError(
      await cf(sb, 'POST', SEND, { raw: '', headers: json }),
      CLOUDFLARE_SEND_ERRORS.invalidRequestSchema,
    );
  });

  it('400/10201 for a body sent without Content-Length (chunked)', async () => {
    const sb = await sandbox();
    const body = JSON.stringify(MESSAGE);
    const reply = await rawRequest(sb, {
      method: 'POST',
      path: new URL(`${sb.cloudflareUrl}${SEND}`).pathname,
      headers: { authorization: `Bearer ${CF.apiToken}`, 'content-type': 'application/json' },
      chunks: [body.slice(0, 10), body.slice(10)],
    });
    expectError(reply, CLOUDFLARE_SEND_ERRORS.noContentLength);
  });
});

describe('Cloudflare sender check', () => {
  it('403/10204 for a domain that is no sending subdomain: unknown, the bare apex, a deeper name, another zone', async () => {
    const sb = await sandbox();
    for (const from of [
      'a@elsewhere.example',
      'a@example.com',
      'a@deep.mail.example.com',
      'a@sub.example.org',
      'a@mail.example.com.evil.example',
    ]) {
      const reply = await cf(sb, 'POST', SEND, { json: { ...MESSAGE, from } });
      expectError(reply, CLOUDFLARE_SEND_ERRORS.senderNotConfigured, '/from');
    }
    expect(sb.cloudflare.sent()).toEqual([]);
  });

  it('sends from the apex once the apex is created as a sending subdomain', async () => {
    const sb = await sandbox();
    const zone = DEMO_CLOUDFLARE.zones.secondary;
    const create = await cf(sb, 'POST', `/zones/${zone.id}/email/sending/subdomains`, {
      json: { name: zone.name },
    });
    expect(create.status).toBe(200);
    const sent = result(await cf(sb, 'POST', SEND, { json: { ...MESSAGE, from: 'hello@example.net' } }));
    expect(sent.message_id).toMatch(/@example\.net>$/);
    expect(sb.cloudflare.sent()[0]).toMatchObject({ zoneId: zone.id, domain: 'example.net' });
  });

  it('403/10203 from a deleted (sending-disabled) subdomain: the demo one, and one deleted over HTTP', async () => {
    const sb = await sandbox();
    const legacy = await cf(sb, 'POST', SEND, { json: { ...MESSAGE, from: 'old@legacy.example.net' } });
    expectError(legacy, CLOUDFLARE_SEND_ERRORS.sendingDisabled, '/from');
    const { zoneId, tag } = DEMO_CLOUDFLARE.subdomains.notify;
    expect((await cf(sb, 'POST', SEND, { json: { ...MESSAGE, from: 'a@notify.example.com' } })).status).toBe(
      200,
    );
    expect((await cf(sb, 'DELETE', `/zones/${zoneId}/email/sending/subdomains/${tag}`)).status).toBe(200);
    const after = await cf(sb, 'POST', SEND, { json: { ...MESSAGE, from: 'a@notify.example.com' } });
    expectError(after, CLOUDFLARE_SEND_ERRORS.sendingDisabled);
    expect(sb.cloudflare.sent()).toHaveLength(1);
  });

  it('validates the body before it checks the sender', async () => {
    const sb = await sandbox();
    const reply = await cf(sb, 'POST', SEND, { json: { ...MESSAGE, from: 'a@elsewhere.example', text: '' } });
    expectError(reply, CLOUDFLARE_SEND_ERRORS.invalidRequestSchema);
  });
});

describe('Cloudflare POST /accounts/{account_id}/email/sending/send_raw', () => {
  it('accepts the SDK fixture and records it, with the Subject header, at the emulator clock', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ now: clock.now });
    const request = adapted('emailSending.sendRaw', 'only_required');
    const sent = result(await cf(sb, 'POST', SEND_RAW, { json: request }));
    expect(sent).toEqual({
      delivered: ['recipient@example.com'],
      permanent_bounces: [],
      queued: [],
      message_id: expect.stringMatching(MESSAGE_ID),
    });
    expect(sb.cloudflare.sent()).toEqual([
      {
        route: 'send_raw',
        accountId: CF.accountId,
        zoneId: DEMO_CLOUDFLARE.zones.primary.id,
        domain: 'mail.example.com',
        from: 'sender@mail.example.com',
        recipients: ['recipient@example.com'],
        subject: 'Hello',
        sentAt: new Date(clock.now()).toISOString(),
        request,
        result: sent,
      },
    ]);
  });

  it('partitions the envelope recipients like send, tolerates LF line ends and folded headers', async () => {
    const sb = await sandbox();
    const mime = 'From: a@send.example.net\nSubject: Folded\n  subject\nX-Long:\n\tvalue\n\nBody\n';
    const sent = result(
      await cf(sb, 'POST', SEND_RAW, {
        json: {
          from: 'a@send.example.net',
          recipients: ['x@bounce.example', 'y@example.org', 'z@deferred.example', 'Y@example.org'],
          mime_message: mime,
        },
      }),
    );
    expect(sent).toMatchObject({
      delivered: ['y@example.org'],
      permanent_bounces: ['x@bounce.example'],
      queued: ['z@deferred.example'],
    });
    expect(sb.cloudflare.sent()[0]?.subject).toBe('Folded subject');
  });

  const RAW = {
    from: 'a@mail.example.com',
    recipients: ['b@example.org'],
    mime_message: 'From: a@mail.example.com\r\n\r\nHi',
  };

  it.each([
    ['an unknown property', { ...RAW, subject: 'x' }, '/subject'],
    ['no recipients field', { ...RAW, recipients: undefined }, '/recipients'],
    ['recipients that are not an array', { ...RAW, recipients: 'b@example.org' }, '/recipients'],
    ['an empty recipient list', { ...RAW, recipients: [] }, '/recipients'],
    [
      '51 recipients',
      { ...RAW, recipients: Array.from({ length: 51 }, (_, i) => `r${i}@example.org`) },
      '/recipients',
    ],
    ['a from outside printable ASCII', { ...RAW, from: 'ä@mail.example.com' }, '/from'],
    ['a mime_message that is not a string', { ...RAW, mime_message: { text: 'x' } }, '/mime_message'],
    [
      'a header block over 16 KB',
      { ...RAW, mime_message: `From: a@mail.example.com\r\n${'X-A: b\r\n'.repeat(2400)}\r\nHi` },
      '/mime_message',
    ],
  ])('refuses %s with 400/10001', async (_, json, pointer) => {
    const sb = await sandbox();
    expectError(
      await cf(sb, 'POST', SEND_RAW, { json }),
      CLOUDFLARE_SEND_ERRORS.invalidRequestSchema,
      pointer,
    );
  });

  it.each([
    ['no blank line after the headers', 'From: a@mail.example.com\r\nSubject: x'],
    ['a body only', 'Hello there\r\n\r\nHi'],
    ['a message that starts with a blank line', '\r\n\r\nHi'],
    ['a folded first line', ' From: a@mail.example.com\r\n\r\nHi'],
    ['no From header', 'To: b@example.org\r\nSubject: x\r\n\r\nHi'],
    ['a header line over 998 characters', `From: a@mail.example.com\r\nX-A: ${'b'.repeat(995)}\r\n\r\nHi`],
    [
      'base64 of the message instead of the message',
      Buffer.from('From: a@mail.example.com\r\n\r\nHi').toString('base64'),
    ],
  ])('refuses %s with 400/10202', async (_, mime) => {
    const sb = await sandbox();
    const reply = await cf(sb, 'POST', SEND_RAW, { json: { ...RAW, mime_message: mime } });
    expectError(reply, CLOUDFLARE_SEND_ERRORS.invalidEmail, '/mime_message');
  });

  it('refuses envelope addresses that are not addresses with 400/10202', async () => {
    const sb = await sandbox();
    expectError(
      await cf(sb, 'POST', SEND_RAW, { json: { ...RAW, recipients: ['b@example.org', 'nobody'] } }),
      CLOUDFLARE_SEND_ERRORS.invalidEmail,
      '/recipients/1',
    );
  });

  it('answers 400/10200 for a message over 5 MiB, and the sender check like send', async () => {
    const sb = await sandbox();
    const big = `From: a@mail.example.com\r\n\r\n${'a'.repeat(5 * MiB)}`;
    expectError(
      await cf(sb, 'POST', SEND_RAW, { json: { ...RAW, mime_message: big } }),
      CLOUDFLARE_SEND_ERRORS.tooBig,
    );
    expectError(
      await cf(sb, 'POST', SEND_RAW, { json: { ...RAW, from: 'a@example.org' } }),
      CLOUDFLARE_SEND_ERRORS.senderNotConfigured,
    );
    expectError(
      await cf(sb, 'POST', SEND_RAW, { json: { ...RAW, from: 'a@legacy.example.net' } }),
      CLOUDFLARE_SEND_ERRORS.sendingDisabled,
    );
  });
});
