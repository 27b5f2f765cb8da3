import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(JSON.parse(sends().at(-1)?.body ?? '{}')).toEqual({
      from: 'sender@example.com',
      to: ['recipient@example.net'],
      raw,
    });
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
