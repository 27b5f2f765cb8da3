import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDMAILIN_LIMITS } from '../src/upstream/cloudmailin-wire.js';
import { graphql } from './gql/index.js';
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js';
import { type Stack, expectTypename, startStack } from './helpers/stack.js';

const Send = graphql(`
  mutation Send($input: SendEmailInput!) {
    sendEmail(input: $input) {
      __typename
      ... on SendEmailPayload {
        replayed
        email {
          provider
          messageId
          from { address name formatted }
          to { address name formatted }
          cc { address name formatted }
          replyTo { address name formatted }
          subject
          tags
          testMode
          outboundMessage { messageUuid subject recipients { email events { kind } } }
        }
      }
      ... on ValidationError { refusedBy issues { path message code } }
      ... on Error { code message }
    }
  }
`);

const SendRaw = graphql(`
  mutation SendRaw($input: SendRawEmailInput!) {
    sendRawEmail(input: $input) {
      __typename
      ... on SendEmailPayload { replayed email { messageId to { address name formatted } testMode } }
      ... on ValidationError { refusedBy issues { path message code } }
      ... on Error { code message }
    }
  }
`);

const PIXEL =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP0rdr1HwAFHwKCk87e6gAAAABJRU5ErkJggg==';

const base = {
  provider: 'CLOUDMAILIN' as const,
  from: { email: 'sender@example.com', name: 'Sender "Q" Name' },
  to: [{ email: 'recipient@example.net', name: 'Recipient' }, { email: 'another@example.net' }],
  subject: 'Hello from mailgraph 😃',
  text: 'Hello Plain Text',
};

let stack: Stack;
let proxy: RecordingProxy;
beforeAll(async () => {
  stack = await startStack({
    cloudmailinUrl: async (sandboxUrl) => {
      proxy = await startRecordingProxy(sandboxUrl);
      return proxy.url;
    },
  });
});
afterAll(async () => {
  await stack.close();
  await proxy.close();
});

function sends() {
  return proxy.requests.filter((request) => request.method === 'POST' && request.url.endsWith('/messages'));
}

describe('sendEmail', () => {
  it('sends through CloudMailin in its wire format and links the outbound message', async () => {
    const before = sends().length;
    const result = await stack.gql(Send, {
      input: {
        ...base,
        cc: [{ email: 'cc@example.org', name: 'Carbon Copy' }],
        replyTo: { email: 'replies@example.com' },
        html: '<h1>Hello</h1><img src="cid:pixel">',
        markdown: '# Hello',
        headers: [{ name: 'X-Campaign', value: 'autumn' }],
        attachments: [
          { filename: 'pixel.png', contentType: 'image/png', contentBase64: PIXEL, contentId: 'pixel' },
        ],
        tags: ['api-tag', 'mailgraph'],
        priority: 'PRIORITY',
      },
    });
    const message = expectTypename(result.data?.sendEmail, 'SendEmailPayload').email;
    expect(message.messageId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(message.provider).toBe('CLOUDMAILIN');
    expect(message.testMode).toBe(false);
    expect(message.outboundMessage?.messageUuid).toBe(message.messageId);
    expect(message.outboundMessage?.recipients.map((r) => r.email)).toEqual([
      'recipient@example.net',
      'another@example.net',
      'cc@example.org',
    ]);
    expect(message.outboundMessage?.recipients[0]?.events?.[0]?.kind).toBe('REGISTRATION');
    expect(expectTypename(result.data?.sendEmail, 'SendEmailPayload').replayed).toBe(false);

    // Structured addresses, with the display names given in the input.
    expect(message.from).toEqual({
      address: 'sender@example.com',
      name: 'Sender "Q" Name',
      formatted: '"Sender \\"Q\\" Name" <sender@example.com>',
    });
    expect(message.to).toEqual([
      {
        address: 'recipient@example.net',
        name: 'Recipient',
        formatted: '"Recipient" <recipient@example.net>',
      },
      { address: 'another@example.net', name: null, formatted: 'another@example.net' },
    ]);
    expect(message.cc).toEqual([
      { address: 'cc@example.org', name: 'Carbon Copy', formatted: '"Carbon Copy" <cc@example.org>' },
    ]);
    expect(message.replyTo).toEqual({
      address: 'replies@example.com',
      name: null,
      formatted: 'replies@example.com',
    });

    expect(sends()).toHaveLength(before + 1);
    const wire = sends().at(-1);
    expect(wire?.url).toBe('/cloudmailin/api/v0.1/aaaa111122223333/messages');
    expect(wire?.headers.authorization).toBe('Bearer sandbox-cloudmailin-smtp-token');
    expect(wire?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(wire?.body ?? '{}')).toEqual({
      from: '"Sender \\"Q\\" Name" <sender@example.com>',
      to: ['"Recipient" <recipient@example.net>', 'another@example.net'],
      cc: ['"Carbon Copy" <cc@example.org>'],
      subject: 'Hello from mailgraph 😃',
      plain: 'Hello Plain Text',
      html: '<h1>Hello</h1><img src="cid:pixel">',
      markdown: '# Hello',
      headers: { 'X-Campaign': 'autumn', 'Reply-To': 'replies@example.com' },
      priority: 'priority',
      tags: ['api-tag', 'mailgraph'],
      attachments: [
        { file_name: 'pixel.png', content: PIXEL, content_type: 'image/png', content_id: 'pixel' },
      ],
    });
  });

  it('validates in test mode without creating a message', async () => {
    const count = stack.sandbox.cloudmailin.outboundMessages().length;
    const result = await stack.gql(Send, { input: { ...base, testMode: true } });
    const message = expectTypename(result.data?.sendEmail, 'SendEmailPayload').email;
    expect(message.testMode).toBe(true);
    expect(message.outboundMessage).toBeNull();
    expect(stack.sandbox.cloudmailin.outboundMessages()).toHaveLength(count);
  });

  it('answers a repeated idempotency key with the first result, replayed: true, and sends once', async () => {
    const before = sends().length;
    const input = {
      ...base,
      replyTo: { email: 'replies@example.com', name: 'Replies' },
      idempotencyKey: 'invoice-2026-0042',
    };
    const first = expectTypename((await stack.gql(Send, { input })).data?.sendEmail, 'SendEmailPayload');
    expect(first.replayed).toBe(false);
    expect(sends()).toHaveLength(before + 1);

    const second = expectTypename((await stack.gql(Send, { input })).data?.sendEmail, 'SendEmailPayload');
    expect(second.replayed).toBe(true);
    expect(second.email).toEqual(first.email);
    expect(second.email.replyTo).toEqual({
      address: 'replies@example.com',
      name: 'Replies',
      formatted: '"Replies" <replies@example.com>',
    });
    expect(sends()).toHaveLength(before + 1);
  });

  it('sends once per idempotency key, also when retried concurrently, and refuses the key with a different input', async () => {
    const before = sends().length;
    const input = { ...base, idempotencyKey: 'order-4711' };
    const [a, b] = await Promise.all([stack.gql(Send, { input }), stack.gql(Send, { input })]);
    const c = await stack.gql(Send, { input });
    const payloads = [a, b, c].map((r) => expectTypename(r.data?.sendEmail, 'SendEmailPayload'));
    expect(new Set(payloads.map((payload) => payload.email.messageId)).size).toBe(1);
    // Exactly one of the two concurrent attempts sent; the other and the later one replayed it.
    expect(payloads.map((payload) => payload.replayed).sort()).toEqual([false, true, true]);
    expect(payloads[2]?.replayed).toBe(true);
    expect(sends()).toHaveLength(before + 1);

    const conflict = await stack.gql(Send, { input: { ...input, subject: 'Something else' } });
    const refused = expectTypename(conflict.data?.sendEmail, 'ValidationError');
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.issues[0]?.path).toBe('input.idempotencyKey');
    expect(sends()).toHaveLength(before + 1);
  });

  it('refuses malformed, oversized and hostile input before any upstream call', async () => {
    const before = proxy.requests.length;
    const many = Array.from({ length: 21 }, (_, i) => ({ email: `r${i}@example.net` }));
    const big = 'A'.repeat(Math.ceil((10 * 1024 * 1024 * 4) / 3) + 8);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ text: null }, 'input'],
      [{ to: [] }, 'input.to'],
      [{ to: many }, 'input.to'],
      [{ to: [{ email: 'not-an-address' }] }, 'input.to.0.email'],
      [{ to: [{ email: 'victim@example.net\r\nBcc: all@example.net' }] }, 'input.to.0.email'],
      [{ from: { email: 'sender@example.com', name: 'Evil\r\nBcc: x@example.net' } }, 'input.from.name'],
      [{ subject: 'Hi\r\nBcc: x@example.net' }, 'input.subject'],
      [{ subject: 's'.repeat(999) }, 'input.subject'],
      [{ headers: [{ name: 'X-Ok', value: 'a\r\nBcc: x@example.net' }] }, 'input.headers.0.value'],
      [{ headers: [{ name: 'Bad Header', value: 'x' }] }, 'input.headers.0.name'],
      [{ headers: [{ name: 'From', value: 'spoof@example.com' }] }, 'input.headers.0.name'],
      [
        {
          attachments: [
            { filename: 'run.exe', contentType: 'application/octet-stream', contentBase64: PIXEL },
          ],
        },
        'input.attachments.0.filename',
      ],
      [
        { attachments: [{ filename: '../etc/passwd', contentType: 'text/plain', contentBase64: PIXEL }] },
        'input.attachments.0.filename',
      ],
      [
        { attachments: [{ filename: 'a.png', contentType: 'image/png', contentBase64: 'not base64!' }] },
        'input.attachments.0.contentBase64',
      ],
      [
        { attachments: [{ filename: 'a.png', contentType: 'image png', contentBase64: PIXEL }] },
        'input.attachments.0.contentType',
      ],
      [
        { attachments: [{ filename: 'big.bin.txt', contentType: 'text/plain', contentBase64: big }] },
        'input',
      ],
      [{ tags: ['a,b'] }, 'input.tags.0'],
      [{ idempotencyKey: 'has space' }, 'input.idempotencyKey'],
      // Every C0 control and Unicode line separator in a one-line field (issue 8 item 3).
      [{ subject: 'Hi\u0000there' }, 'input.subject'],
      [{ subject: 'Hi\u001b[31mred' }, 'input.subject'],
      [{ subject: 'Hi\u2028Bcc: x@example.net' }, 'input.subject'],
      [{ subject: 'Hi\u0085Bcc: x@example.net' }, 'input.subject'],
      [{ subject: 'Hi\u2029there' }, 'input.subject'],
      [{ subject: 'Hi\tthere' }, 'input.subject'],
      [{ headers: [{ name: 'X-Ok', value: 'a\u000bb' }] }, 'input.headers.0.value'],
      [{ headers: [{ name: 'X-Ok', value: 'a\u000cb' }] }, 'input.headers.0.value'],
      [{ headers: [{ name: 'X-Ok', value: 'a\u2028Bcc: x@example.net' }] }, 'input.headers.0.value'],
      [{ headers: [{ name: 'X-Ok', value: 'a\u0085b' }] }, 'input.headers.0.value'],
      [{ from: { email: 'sender@example.com', name: 'Evil\u2028Bcc: x@example.net' } }, 'input.from.name'],
      [{ to: [{ email: 'r@example.net', name: 'R\u0085' }] }, 'input.to.0.name'],
      [{ replyTo: { email: 'r@example.net', name: 'R\u2029' } }, 'input.replyTo.name'],
      [{ tags: ['a\u2028b'] }, 'input.tags.0'],
      [{ tags: ['a\u0085b'] }, 'input.tags.0'],
      [
        { attachments: [{ filename: 'a\u2028b.png', contentType: 'image/png', contentBase64: PIXEL }] },
        'input.attachments.0.filename',
      ],
      // Executables however the name is dressed up: trailing dots and spaces (which Windows strips),
      // case, and compatibility forms that NFKC folds (fullwidth letters and dot).
      ...[
        'evil.exe.',
        'evil.exe ',
        'evil.exe. . ',
        ' EVIL.EXE',
        'evil.Vbs',
        'evil.\uff45\uff58\uff45',
        'evil\uff0eexe',
      ].map((filename): [Record<string, unknown>, string] => [
        { attachments: [{ filename, contentType: 'application/octet-stream', contentBase64: PIXEL }] },
        'input.attachments.0.filename',
      ]),
      [
        { attachments: [{ filename: ' . ', contentType: 'text/plain', contentBase64: PIXEL }] },
        'input.attachments.0.filename',
      ],
    ];
    for (const [override, path] of cases) {
      const result = await stack.gql(Send, { input: { ...base, ...override } } as never);
      const error = expectTypename(result.data?.sendEmail, 'ValidationError');
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.refusedBy).toBe('MAILGRAPH');
      expect(error.issues.map((issue) => issue.path)).toContain(path);
      expect(error.issues.every((issue) => issue.code === 'INVALID')).toBe(true);
    }
    expect(proxy.requests).toHaveLength(before);
  });

  it('reports every problem of an input at once', async () => {
    const result = await stack.gql(Send, {
      input: { ...base, text: null, to: [{ email: 'bad' }], subject: 'x\n' },
    } as never);
    const error = expectTypename(result.data?.sendEmail, 'ValidationError');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'input',
      'input.subject',
      'input.to.0.email',
    ]);
  });

  it('refuses bcc with CloudMailin in the same ValidationError as every other problem, before any upstream call', async () => {
    const before = proxy.requests.length;
    const result = await stack.gql(Send, {
      input: {
        ...base,
        to: [{ email: 'not-an-address' }],
        cc: [{ email: 'also bad', name: 'Carbon Copy' }],
        bcc: [{ email: 'hidden@example.net' }],
      },
    });
    const error = expectTypename(result.data?.sendEmail, 'ValidationError');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.refusedBy).toBe('MAILGRAPH');
    expect(
      error.issues.map(({ path, code }) => ({ path, code })).sort((a, b) => a.path.localeCompare(b.path)),
    ).toEqual([
      { path: 'input.bcc', code: 'UNSUPPORTED_FIELD' },
      { path: 'input.cc.0.email', code: 'INVALID' },
      { path: 'input.to.0.email', code: 'INVALID' },
    ]);
    expect(proxy.requests).toHaveLength(before);
  });
});

describe('CloudMailin attachments', () => {
  it('refuses exactly the extensions CloudMailin documents, however the file name is dressed up', async () => {
    const notes = readFileSync(
      new URL('./fixtures/providers/cloudmailin/NOTES.md', import.meta.url),
      'utf8',
    ).replace(/\s+/g, ' ');
    const documented = /no executables \(`([^`]+)`\)/.exec(notes)?.[1]?.split(/,\s*/) ?? [];
    expect(documented.length).toBeGreaterThan(10);
    expect([...CLOUDMAILIN_LIMITS.forbiddenExtensions].sort()).toEqual([...documented].sort());
    const before = proxy.requests.length;
    for (const extension of documented) {
      const result = await stack.gql(Send, {
        input: {
          ...base,
          attachments: [
            {
              filename: `file.${extension.toUpperCase()}. `,
              contentType: 'text/plain',
              contentBase64: PIXEL,
            },
          ],
        },
      });
      const error = expectTypename(result.data?.sendEmail, 'ValidationError');
      expect(error.issues.map((issue) => issue.path)).toEqual(['input.attachments.0.filename']);
    }
    expect(proxy.requests).toHaveLength(before);
  });
});

describe('sendRawEmail', () => {
  it('sends a raw RFC 5322 message', async () => {
    const raw =
      'From: Sender <sender@example.com>\r\nTo: recipient@example.net\r\nSubject: Raw\r\n\r\nHello raw\r\n';
    const result = await stack.gql(SendRaw, {
      input: {
        provider: 'CLOUDMAILIN',
        from: { email: 'sender@example.com' },
        to: [{ email: 'recipient@example.net' }],
        raw,
      },
    });
    const payload = expectTypename(result.data?.sendRawEmail, 'SendEmailPayload');
    expect(payload.replayed).toBe(false);
    expect(payload.email.to).toEqual([
      { address: 'recipient@example.net', name: null, formatted: 'recipient@example.net' },
    ]);
    // The envelope `from` is the raw From header's own text, so that the two agree (CloudMailin: "must match").
    expect(JSON.parse(sends().at(-1)?.body ?? '{}')).toEqual({
      from: 'Sender <sender@example.com>',
      to: ['recipient@example.net'],
      raw,
    });
  });

  it('sends `from` as the raw From header writes it (unfolded), recipients as bare addresses, and `subject` when given', async () => {
    const raw =
      'From:\r\n Sender Name\r\n\t<Sender@Example.com>\r\nTo: "Recipient" <recipient@example.net>, other@example.net\r\nSubject: Raw\r\n\r\nHello\r\n';
    const result = await stack.gql(SendRaw, {
      input: {
        provider: 'CLOUDMAILIN',
        from: { email: 'sender@example.com', name: 'Quoted "Differently"' },
        to: [{ email: 'recipient@example.net', name: 'Recipient' }, { email: 'OTHER@example.net' }],
        raw,
        subject: 'Overrides the header 😃',
      },
    });
    expectTypename(result.data?.sendRawEmail, 'SendEmailPayload');
    expect(JSON.parse(sends().at(-1)?.body ?? '{}')).toEqual({
      from: 'Sender Name <Sender@Example.com>',
      to: ['recipient@example.net', 'OTHER@example.net'],
      subject: 'Overrides the header 😃',
      raw,
    });
  });

  it('refuses a raw message whose From or To header does not match the envelope, before any upstream call', async () => {
    const before = proxy.requests.length;
    const envelope = {
      provider: 'CLOUDMAILIN' as const,
      from: { email: 'sender@example.com' },
      to: [{ email: 'recipient@example.net' }],
    };
    const body = '\r\nSubject: s\r\n\r\nbody\r\n';
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [`From: attacker@example.org\r\nTo: recipient@example.net${body}`, {}, 'input.raw'],
      [`From: Sender <sender@example.com.evil.org>\r\nTo: recipient@example.net${body}`, {}, 'input.raw'],
      [`To: recipient@example.net${body}`, {}, 'input.raw'],
      [
        `From: sender@example.com\r\nFrom: other@example.com\r\nTo: recipient@example.net${body}`,
        {},
        'input.raw',
      ],
      [`From: sender@example.com, other@example.com\r\nTo: recipient@example.net${body}`, {}, 'input.raw'],
      [`From: sender@example.com\r\nTo: someone-else@example.net${body}`, {}, 'input.raw'],
      [`From: sender@example.com\r\nTo: recipient@example.net, extra@example.net${body}`, {}, 'input.raw'],
      [
        `From: sender@example.com\r\nTo: recipient@example.net${body}`,
        { subject: 'a\u2028b' },
        'input.subject',
      ],
      [
        `From: sender@example.com\r\nTo: recipient@example.net${body}`,
        { subject: 'a\u0000b' },
        'input.subject',
      ],
      [
        `From: sender@example.com\r\nTo: recipient@example.net${body}`,
        { subject: 's'.repeat(999) },
        'input.subject',
      ],
    ];
    for (const [raw, extra, path] of cases) {
      const result = await stack.gql(SendRaw, { input: { ...envelope, raw, ...extra } });
      const error = expectTypename(result.data?.sendRawEmail, 'ValidationError');
      expect(error.refusedBy).toBe('MAILGRAPH');
      expect(error.issues.map((issue) => issue.path)).toContain(path);
    }
    expect(proxy.requests).toHaveLength(before);
  });

  it('replays a raw send with the same idempotencyKey instead of sending again', async () => {
    const before = sends().length;
    const input = {
      provider: 'CLOUDMAILIN' as const,
      from: { email: 'sender@example.com', name: 'Sender' },
      to: [{ email: 'recipient@example.net' }],
      raw: 'From: Sender <sender@example.com>\r\nTo: recipient@example.net\r\nSubject: Raw\r\n\r\nOnce\r\n',
      idempotencyKey: 'raw-once-1',
    };
    const first = expectTypename(
      (await stack.gql(SendRaw, { input })).data?.sendRawEmail,
      'SendEmailPayload',
    );
    const second = expectTypename(
      (await stack.gql(SendRaw, { input })).data?.sendRawEmail,
      'SendEmailPayload',
    );
    expect([first.replayed, second.replayed]).toEqual([false, true]);
    expect(second.email.messageId).toBe(first.email.messageId);
    expect(sends()).toHaveLength(before + 1);
  });

  it('refuses a raw message without headers and body', async () => {
    const result = await stack.gql(SendRaw, {
      input: {
        provider: 'CLOUDMAILIN',
        from: { email: 'sender@example.com' },
        to: [{ email: 'r@example.net' }],
        raw: 'just text',
      },
    });
    const error = expectTypename(result.data?.sendRawEmail, 'ValidationError');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues.map((i) => i.path)).toContain('input.raw');
  });
});
