/**
 * Inbound mail end to end on the real stack: the sandbox plays a mail (`simulateInboundEmail`) the way
 * CloudMailin does, POSTing it to mailgraph's inbound webhook in either format; mailgraph stores it and
 * serves it in `inboundEmails` (newest first, paged), `node(id)` and `inboundEmailReceived`, and
 * `incomingStatuses` shows the new mail at once instead of after the cache TTL.
 */
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import { INLINE_PART_BYTES } from '../src/events/inbound.js';
import { createProviders } from '../src/providers.js';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { type Stack, globalId, startStack } from './helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const { support, invoices, replies, staging } = DEMO_CLOUDMAILIN.addressIds;

interface Email {
  id: string;
  cursor: string;
  addressId: string | null;
  format: string;
  messageId: string;
  subject: string;
  date: string | null;
  from: { address: string; name: string | null } | null;
  to: Array<{ address: string }>;
  plain: string | null;
  html: string | null;
  replyPlain: string | null;
  headers: Array<{ name: string; value: string }>;
  envelope: {
    from: { address: string } | null;
    to: { address: string } | null;
    recipients: Array<{ address: string }>;
    heloDomain: string | null;
    remoteIp: string | null;
    tls: boolean | null;
    tlsCipher: string | null;
    spf: { result: string | null; domain: string | null } | null;
  };
  attachments: Array<{
    fileName: string;
    contentType: string;
    size: number;
    contentSize: number | null;
    sha256: string | null;
    contentBase64: string | null;
  }>;
}

const EMAIL_FIELDS = `id cursor addressId format messageId subject date from { address name } to { address }
  plain html replyPlain headers(name: "received") { name value }
  envelope { from { address } to { address } recipients { address } heloDomain remoteIp tls tlsCipher spf { result domain } }
  attachments { fileName contentType size contentSize sha256 contentBase64 }`;

const SIMULATE = `mutation($input: SimulateInboundEmailInput!) {
  simulateInboundEmail(input: $input) {
    __typename
    ... on SimulateInboundEmailPayload {
      httpStatus
      email { ${EMAIL_FIELDS} }
      incomingStatus { id messageId subject outcome httpStatus from { address } to { address } }
    }
    ... on Error { code message }
  }
}`;

interface Simulated {
  __typename: string;
  httpStatus: number | null;
  email: Email | null;
  incomingStatus: { id: string; messageId: string; subject: string; outcome: string; httpStatus: number };
  code?: string;
  message?: string;
}

async function simulate(input: Record<string, unknown>): Promise<Simulated> {
  const result = await stack.gql(parse(SIMULATE), { input } as never);
  expect(result.errors).toBeUndefined();
  return (result.data as { simulateInboundEmail: Simulated }).simulateInboundEmail;
}

describe('simulateInboundEmail', () => {
  it('posts json+n to the inbound webhook; the mail is stored, decoded and matched by its incoming status', async () => {
    const big = Buffer.alloc(INLINE_PART_BYTES * 3, 0xab);
    const result = await simulate({
      addressId: support,
      from: 'Alice Example <alice@example.net>',
      subject: 'Order 42',
      text: 'Where is my order?',
      html: '<p>Where is my order?</p>',
      attachments: [
        {
          filename: 'note.txt',
          contentType: 'text/plain',
          contentBase64: Buffer.from('hello').toString('base64'),
        },
        {
          filename: 'scan.bin',
          contentType: 'application/octet-stream',
          contentBase64: big.toString('base64'),
        },
      ],
    });
    expect(result.__typename).toBe('SimulateInboundEmailPayload');
    expect(result.httpStatus).toBe(200);
    expect(result.incomingStatus).toMatchObject({
      subject: 'Order 42',
      outcome: 'DELIVERED',
      httpStatus: 200,
    });
    const email = result.email as Email;
    expect(email).toMatchObject({
      addressId: support,
      format: 'JSON_NORMALIZED',
      messageId: result.incomingStatus.messageId,
      subject: 'Order 42',
      from: { address: 'alice@example.net', name: 'Alice Example' },
      to: [{ address: `${support}@cloudmailin.net` }],
      plain: 'Where is my order?',
      html: '<p>Where is my order?</p>',
      replyPlain: 'Where is my order?',
      envelope: {
        from: { address: 'alice@example.net' },
        to: { address: `${support}@cloudmailin.net` },
        recipients: [{ address: `${support}@cloudmailin.net` }],
        heloDomain: 'mail.example.net',
        remoteIp: '192.0.2.25',
        tls: true,
        spf: { result: 'pass', domain: 'example.net' },
      },
    });
    expect(email.headers.map((header) => header.name)).toEqual(['received', 'received']);
    expect(email.attachments).toEqual([
      {
        fileName: 'note.txt',
        contentType: 'text/plain',
        size: 5,
        contentSize: 5,
        sha256: expect.any(String),
        contentBase64: Buffer.from('hello').toString('base64'),
      },
      {
        fileName: 'scan.bin',
        contentType: 'application/octet-stream',
        size: big.length,
        contentSize: big.length,
        sha256: expect.any(String),
        // Larger than fits in the event: read back from the blob store.
        contentBase64: big.toString('base64'),
      },
    ]);
  });

  it('posts multipart+n (the address’s own format by default) and the same fields come out', async () => {
    const result = await simulate({
      addressId: invoices,
      from: 'billing@example.org',
      subject: 'Invoice ☃ 7',
      text: 'Line one\nLine two',
      attachments: [
        { filename: 'invoice.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0xLjQK' },
      ],
    });
    expect(result.httpStatus).toBe(200);
    expect(result.email).toMatchObject({
      addressId: invoices,
      format: 'MULTIPART_NORMALIZED',
      subject: 'Invoice ☃ 7',
      from: { address: 'billing@example.org', name: null },
      plain: 'Line one\nLine two',
      html: null,
      envelope: { tls: true, tlsCipher: expect.stringMatching(/^TLSv1\.[23]$/) },
      attachments: [
        { fileName: 'invoice.pdf', contentType: 'application/pdf', size: 9, contentBase64: 'JVBERi0xLjQK' },
      ],
    });
  });

  it('refuses bad input, and an address that does not exist, without posting anything', async () => {
    const before = stack.sandbox.cloudmailin.statuses(staging).length;
    const refused = await simulate({ addressId: staging, from: 'not an address', subject: 'x\ny' });
    expect(refused).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    const missing = await simulate({
      addressId: 'ffffffffffffffffffff',
      from: 'a@example.com',
      subject: 's',
    });
    expect(missing).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(stack.sandbox.cloudmailin.statuses(staging).length).toBe(before);
  });

  it('answers NOT_CONFIGURED where there is no built-in emulator to play the mail', async () => {
    const config = loadConfig({ MAILGRAPH_SANDBOX: 'true', LOG_LEVEL: 'silent' });
    const app = createApp({ config, providers: createProviders(config), events: stack.events });
    const response = await app.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: SIMULATE,
        variables: { input: { addressId: support, from: 'a@example.com', subject: 's' } },
      }),
    });
    const body = (await response.json()) as { data: { simulateInboundEmail: Simulated } };
    expect(body.data.simulateInboundEmail).toMatchObject({
      __typename: 'NotConfiguredError',
      code: 'NOT_CONFIGURED',
    });
    expect(body.data.simulateInboundEmail.message).toMatch(/sandbox mode/);
  });
});

const LIST = parse(`query($addressId: ID!, $first: Int, $after: String) {
  inboundEmails(addressId: $addressId, first: $first, after: $after) {
    nodes { id subject }
    edges { cursor }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`);

interface Page {
  nodes: Array<{ id: string; subject: string }>;
  edges: Array<{ cursor: string }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

async function page(addressId: string, first: number, after?: string | null) {
  const result = await stack.gql(LIST, { addressId, first, after } as never);
  return result as typeof result & { data: { inboundEmails: Page } | null };
}

/** Posts a json+n mail straight to the webhook, as CloudMailin would. */
async function deliver(addressId: string, subject: string) {
  const auth = Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64');
  const response = await fetch(`${stack.url}/webhooks/cloudmailin/inbound?address=${addressId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${auth}` },
    body: JSON.stringify({
      headers: { message_id: `<${subject}@example.com>`, subject, from: 'x@example.com' },
      envelope: { to: `${addressId}@cloudmailin.net` },
      plain: subject,
      attachments: [],
    }),
  });
  expect(response.status).toBe(200);
}

describe('inboundEmails', () => {
  it('lists an address’s mail newest first, in pages that mail arriving meanwhile does not disturb', async () => {
    for (let i = 1; i <= 5; i += 1) await deliver(replies, `paged-${i}`);
    const upstreamBefore = stack.upstreamCalls.length;
    const one = await page(replies, 2);
    expect(one.errors).toBeUndefined();
    expect(one.data?.inboundEmails.nodes.map((n) => n.subject)).toEqual(['paged-5', 'paged-4']);
    expect(one.data?.inboundEmails.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    await deliver(replies, 'paged-6');
    const two = await page(replies, 2, one.data?.inboundEmails.pageInfo.endCursor);
    expect(two.data?.inboundEmails.nodes.map((n) => n.subject)).toEqual(['paged-3', 'paged-2']);
    const three = await page(replies, 2, two.data?.inboundEmails.pageInfo.endCursor);
    expect(three.data?.inboundEmails.nodes.map((n) => n.subject)).toEqual(['paged-1']);
    expect(three.data?.inboundEmails.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(three.data?.inboundEmails.edges[0]?.cursor).toBe(three.data?.inboundEmails.pageInfo.endCursor);
    const fresh = await page(replies, 10);
    expect(fresh.data?.inboundEmails.nodes.map((n) => n.subject)).toEqual([
      'paged-6',
      'paged-5',
      'paged-4',
      'paged-3',
      'paged-2',
      'paged-1',
    ]);
    // The log, not a provider: no upstream call, and the cost model says so.
    expect(stack.upstreamCalls.length).toBe(upstreamBefore);
    expect(fresh.extensions?.cost).toMatchObject({ requested: 0, upstreamCalls: 0 });
    // Another address's mail is not in this list; an address without mail has an empty one.
    expect((await page(staging, 5)).data?.inboundEmails).toMatchObject({
      nodes: [],
      pageInfo: { hasNextPage: false, startCursor: null, endCursor: null },
    });
  });

  it('refuses a bad page size or cursor, and takes the address’s global id', async () => {
    expect((await page(replies, 0)).errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect((await page(replies, 101)).errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect((await page(replies, 2, 'garbage')).errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const byGlobal = await page(globalId('InboundAddress', replies), 1);
    expect(byGlobal.data?.inboundEmails.nodes).toHaveLength(1);
  });

  it('node(id) finds a stored mail again; an id where no mail is answers null', async () => {
    const [newest] = (await page(replies, 1)).data?.inboundEmails.nodes ?? [];
    const NODE = parse('query($id: ID!) { node(id: $id) { id ... on InboundEmail { subject addressId } } }');
    const found = await stack.gql(NODE, { id: newest?.id } as never);
    expect(found.errors).toBeUndefined();
    expect(found.data).toEqual({ node: { id: newest?.id, subject: newest?.subject, addressId: replies } });
    const nowhere = await stack.gql(NODE, { id: globalId('InboundEmail', '999999') } as never);
    expect(nowhere).toMatchObject({ data: { node: null } });
    expect(nowhere.errors).toBeUndefined();
    const garbage = await stack.gql(NODE, { id: globalId('InboundEmail', 'x/y') } as never);
    expect(garbage.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
  });
});

/** Subscribes over SSE and collects `count` payloads; `onOpen` runs once the stream is open. */
async function subscribe(variables: Record<string, unknown>, count: number, onOpen?: () => Promise<unknown>) {
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), 15_000);
  const received: Array<{
    data?: { inboundEmailReceived: { subject: string; cursor: string } };
    errors?: unknown;
  }> = [];
  try {
    const response = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: `subscription($addressId: ID!, $after: String) {
          inboundEmailReceived(addressId: $addressId, after: $after) { subject cursor }
        }`,
        variables,
      }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const opened = onOpen?.();
    while (received.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        buffer = buffer.slice(end + 2);
        if (data) received.push(JSON.parse(data));
      }
    }
    await opened;
  } finally {
    clearTimeout(deadline);
    controller.abort();
  }
  return received;
}

describe('inboundEmailReceived', () => {
  it('pushes a simulated mail to subscribers of its address, and only of its address', async () => {
    const received = await subscribe({ addressId: support }, 1, async () => {
      await simulate({ addressId: invoices, from: 'a@example.com', subject: 'elsewhere', text: 'x' });
      await simulate({ addressId: support, from: 'a@example.com', subject: 'Live one', text: 'x' });
    });
    expect(received.map((r) => r.data?.inboundEmailReceived.subject ?? r.errors)).toEqual(['Live one']);
  });

  it('resumes after a cursor with exactly the mail missed, then live mail', async () => {
    await deliver(staging, 'resume-1');
    const [first] = await subscribe({ addressId: staging, after: null }, 1, () =>
      deliver(staging, 'resume-2'),
    );
    const cursor = first?.data?.inboundEmailReceived.cursor;
    expect(first?.data?.inboundEmailReceived.subject).toBe('resume-2');
    await deliver(staging, 'resume-3');
    await deliver(staging, 'resume-4');
    const again = await subscribe({ addressId: staging, after: cursor }, 3, () =>
      deliver(staging, 'resume-5'),
    );
    expect(again.map((r) => r.data?.inboundEmailReceived.subject)).toEqual([
      'resume-3',
      'resume-4',
      'resume-5',
    ]);
  });

  it('refuses a cursor that is not one', async () => {
    const [refused] = await subscribe({ addressId: support, after: 'garbage' }, 1);
    expect(refused).toMatchObject({ errors: [{ extensions: { code: 'VALIDATION_FAILED' } }] });
  });
});

describe('incomingStatuses after inbound mail', () => {
  const STATUSES = parse(`query($addressId: ID!) {
    incomingStatuses(addressId: $addressId, first: 3) { nodes { messageId subject outcome } }
  }`);
  const statusCalls = () => stack.upstreamCalls.filter((call) => call.route === '/incoming_statuses').length;
  const read = async () => {
    const result = await stack.gql(STATUSES, { addressId: staging } as never);
    expect(result.errors).toBeUndefined();
    return (result.data as { incomingStatuses: { nodes: Array<{ messageId: string; subject: string }> } })
      .incomingStatuses.nodes;
  };

  it('shows the new mail at once: the address’s cached pages are forgotten when the mail is stored', async () => {
    await read();
    const warm = statusCalls();
    await read();
    expect(statusCalls()).toBe(warm);
    const result = await simulate({
      addressId: staging,
      from: 'a@example.com',
      subject: 'Fresh mail',
      text: 'x',
    });
    const [newest] = await read();
    expect(newest).toMatchObject({
      subject: 'Fresh mail',
      messageId: result.incomingStatus.messageId,
      outcome: 'DELIVERED',
    });
    expect(statusCalls()).toBe(warm + 1);
    // Then cached again.
    await read();
    expect(statusCalls()).toBe(warm + 1);
  });
});
