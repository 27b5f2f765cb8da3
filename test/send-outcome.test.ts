/**
 * Issue 8 item 1: an idempotency key survives an ambiguous failure. Each provider is replaced by a
 * loopback server that misbehaves on the send (no answer, a reset connection, a 2xx that cannot be read, a
 * truncated body, a 5xx), and the test counts the POSTs that reach it: exactly one, however the client
 * retries with the same key, and every answer says that the outcome is unknown. A send that certainly did
 * not happen (a definite 4xx) releases the key, so the retry is sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { type Stack, expectTypename, startStack } from './helpers/stack.js';

const Send = graphql(`
  mutation OutcomeSend($input: SendEmailInput!) {
    sendEmail(input: $input) {
      __typename
      ... on SendEmailPayload { replayed email { messageId } }
      ... on SendOutcomeUnknownError { provider status reason replayed }
      ... on Error { code message providerCode }
    }
  }
`);

const SendRaw = graphql(`
  mutation OutcomeSendRaw($input: SendRawEmailInput!) {
    sendRawEmail(input: $input) {
      __typename
      ... on SendEmailPayload { replayed email { messageId } }
      ... on SendOutcomeUnknownError { provider status reason replayed }
      ... on Error { code message providerCode }
    }
  }
`);

type Provider = 'CLOUDMAILIN' | 'CLOUDFLARE';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const CLOUDMAILIN_ACCEPTED = JSON.stringify({
  id: '724b9ef2-94ee-4fb0-b722-082204633911',
  from: 'sender@example.com',
  to: ['recipient@example.net'],
  subject: 'Invoice',
});
const CLOUDFLARE_ACCEPTED = JSON.stringify({
  success: true,
  errors: [],
  messages: [],
  result: {
    delivered: ['recipient@example.net'],
    permanent_bounces: [],
    queued: [],
    message_id: '<a@b>',
  },
});

const json = (res: ServerResponse, status: number, body: string) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);

const stacks: Stack[] = [];
const fakes: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

interface Setup {
  stack: Stack;
  /** POSTs that reached the fake provider. */
  posts: () => number;
}

async function setUp(provider: Provider, handler: Handler): Promise<Setup> {
  let posts = 0;
  const fake = await startFakeUpstream((req, res) => {
    if (req.method === 'POST') posts += 1;
    // Read the request body first, as a real server would, so that the client never sees a reset because
    // its upload was cut short.
    req.resume();
    req.on('end', () => handler(req, res));
  });
  fakes.push(fake);
  const stack = await startStack({
    ...(provider === 'CLOUDMAILIN' ? { cloudmailinUrl: () => fake.url } : { cloudflareUrl: () => fake.url }),
    // A provider's 429 blocks sending for its Retry-After (at least a second): let the retry wait it out.
    env: { MAILGRAPH_UPSTREAM_TIMEOUT_MS: '300', MAILGRAPH_RATE_LIMIT_WAIT_MS: '5000' },
  });
  stacks.push(stack);
  return { stack, posts: () => posts };
}

function input(provider: Provider, idempotencyKey?: string) {
  return {
    provider,
    from: { email: 'sender@example.com', name: 'Sender' },
    to: [{ email: 'recipient@example.net' }],
    subject: 'Invoice',
    text: 'Your invoice',
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}

/** The ways a send can end without mailgraph knowing whether the provider accepted the message. */
const AMBIGUOUS: Array<{
  name: string;
  provider: Provider;
  handler: Handler;
  reason: string;
  status: number | null;
}> = [
  {
    name: 'no answer (timeout)',
    provider: 'CLOUDMAILIN',
    handler: () => {},
    reason: 'UPSTREAM_TIMEOUT',
    status: null,
  },
  {
    name: 'a reset connection',
    provider: 'CLOUDMAILIN',
    handler: (req) => req.socket.destroy(),
    reason: 'UPSTREAM_NETWORK',
    status: null,
  },
  {
    name: 'a 202 whose body is not JSON',
    provider: 'CLOUDMAILIN',
    handler: (_req, res) => json(res, 202, '{"id": "724b9ef2'),
    reason: 'UPSTREAM_MALFORMED_RESPONSE',
    status: 202,
  },
  {
    name: 'a 202 cut off halfway',
    provider: 'CLOUDMAILIN',
    handler: (req, res) => {
      res.writeHead(202, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"id": "724b9ef2');
      setTimeout(() => req.socket.destroy(), 20);
    },
    reason: 'UPSTREAM_NETWORK',
    status: null,
  },
  {
    name: 'a 500',
    provider: 'CLOUDMAILIN',
    handler: (_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'),
    reason: 'UPSTREAM_SERVER_ERROR',
    status: 500,
  },
  {
    name: 'a 503 from a gateway',
    provider: 'CLOUDMAILIN',
    handler: (_req, res) => res.writeHead(503, { 'content-type': 'text/html' }).end('<html>busy</html>'),
    reason: 'UPSTREAM_SERVER_ERROR',
    status: 503,
  },
  {
    name: 'no answer (timeout)',
    provider: 'CLOUDFLARE',
    handler: () => {},
    reason: 'UPSTREAM_TIMEOUT',
    status: null,
  },
  {
    name: 'a reset connection',
    provider: 'CLOUDFLARE',
    handler: (req) => req.socket.destroy(),
    reason: 'UPSTREAM_NETWORK',
    status: null,
  },
  {
    name: 'a 200 whose envelope has no result',
    provider: 'CLOUDFLARE',
    handler: (_req, res) => json(res, 200, '{"success": true, "errors": [], "messages": []}'),
    reason: 'UPSTREAM_MALFORMED_RESPONSE',
    status: 200,
  },
  {
    name: 'a 200 whose body is not JSON',
    provider: 'CLOUDFLARE',
    handler: (_req, res) => json(res, 200, '{"success": tr'),
    reason: 'UPSTREAM_MALFORMED_RESPONSE',
    status: 200,
  },
  {
    name: 'a 502 from a gateway',
    provider: 'CLOUDFLARE',
    handler: (_req, res) =>
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>'),
    reason: 'UPSTREAM_SERVER_ERROR',
    status: 502,
  },
  {
    name: 'a 500 without the API envelope',
    provider: 'CLOUDFLARE',
    handler: (_req, res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<html>oops</html>'),
    reason: 'UPSTREAM_SERVER_ERROR',
    status: 500,
  },
];

describe('a send whose outcome is unknown keeps its idempotency key bound: one POST, whatever the retries', () => {
  for (const { name, provider, handler, reason, status } of AMBIGUOUS) {
    it(`${provider}: ${name}`, async () => {
      const { stack, posts } = await setUp(provider, handler);
      const key = `invoice-${provider}-${name.replace(/\W+/g, '-')}`;

      const first = await stack.gql(Send, { input: input(provider, key) });
      expect(first.errors).toBeUndefined();
      const unknown = expectTypename(first.data?.sendEmail, 'SendOutcomeUnknownError');
      expect(unknown).toMatchObject({
        code: 'SEND_OUTCOME_UNKNOWN',
        provider,
        reason,
        status,
        replayed: false,
      });
      expect(unknown.message).toMatch(/may have been sent/);
      expect(posts()).toBe(1);

      // The client retries: once, then twice at the same time. Each gets the same answer, and nothing is sent.
      const calls = stack.upstreamCalls.length;
      const retries = [
        await stack.gql(Send, { input: input(provider, key) }),
        ...(await Promise.all([
          stack.gql(Send, { input: input(provider, key) }),
          stack.gql(Send, { input: input(provider, key) }),
        ])),
      ];
      for (const retry of retries) {
        const again = expectTypename(retry.data?.sendEmail, 'SendOutcomeUnknownError');
        expect(again).toEqual({ ...unknown, replayed: true });
      }
      expect(stack.upstreamCalls.length).toBe(calls);
      expect(posts()).toBe(1);
    });
  }

  it('also for sendRawEmail, and without a key the answer still says the outcome is unknown', async () => {
    for (const provider of ['CLOUDMAILIN', 'CLOUDFLARE'] as const) {
      const { stack, posts } = await setUp(provider, () => {});
      const raw = {
        provider,
        from: { email: 'sender@example.com' },
        to: [{ email: 'recipient@example.net' }],
        raw: 'From: sender@example.com\r\nTo: recipient@example.net\r\nSubject: Raw\r\n\r\nOnce\r\n',
        idempotencyKey: `raw-${provider}`,
      };
      const first = expectTypename(
        (await stack.gql(SendRaw, { input: raw })).data?.sendRawEmail,
        'SendOutcomeUnknownError',
      );
      expect(first).toMatchObject({
        code: 'SEND_OUTCOME_UNKNOWN',
        reason: 'UPSTREAM_TIMEOUT',
        replayed: false,
      });
      const second = expectTypename(
        (await stack.gql(SendRaw, { input: raw })).data?.sendRawEmail,
        'SendOutcomeUnknownError',
      );
      expect(second).toEqual({ ...first, replayed: true });
      expect(posts()).toBe(1);

      // Without a key nothing can be bound, but the answer is the same kind: do not resend blindly.
      const unkeyed = expectTypename(
        (await stack.gql(Send, { input: input(provider) })).data?.sendEmail,
        'SendOutcomeUnknownError',
      );
      expect(unkeyed).toMatchObject({ code: 'SEND_OUTCOME_UNKNOWN', replayed: false });
      expect(posts()).toBe(2);
    }
  });

  it('the same key with another input is still refused while the key is bound to an unknown outcome', async () => {
    const { stack, posts } = await setUp('CLOUDMAILIN', () => {});
    await stack.gql(Send, { input: input('CLOUDMAILIN', 'bound-1') });
    const other = await stack.gql(Send, { input: { ...input('CLOUDMAILIN', 'bound-1'), subject: 'Other' } });
    const refused = expectTypename(other.data?.sendEmail, 'ValidationError');
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(posts()).toBe(1);
  });
});

describe('a send that certainly did not happen releases its key: the retry is sent', () => {
  /** Fails the first POST with `fail`, accepts every later one. */
  function failOnce(provider: Provider, fail: Handler): Handler {
    let seen = 0;
    return (req, res) => {
      seen += 1;
      if (seen === 1) fail(req, res);
      else
        json(
          res,
          provider === 'CLOUDMAILIN' ? 202 : 200,
          provider === 'CLOUDMAILIN' ? CLOUDMAILIN_ACCEPTED : CLOUDFLARE_ACCEPTED,
        );
    };
  }

  const DEFINITE: Array<{ name: string; provider: Provider; fail: Handler; code: string }> = [
    {
      name: '422 (refused input)',
      provider: 'CLOUDMAILIN',
      fail: (_req, res) => json(res, 422, '{"status": 422, "error": "body not found"}'),
      code: 'VALIDATION_FAILED',
    },
    {
      name: '401 (credentials refused)',
      provider: 'CLOUDMAILIN',
      fail: (_req, res) => json(res, 401, '{"status": 401, "error": "unauthorized"}'),
      code: 'UPSTREAM_UNAUTHORIZED',
    },
    {
      name: '429 (rate limited)',
      provider: 'CLOUDMAILIN',
      fail: (_req, res) =>
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{}'),
      code: 'RATE_LIMITED',
    },
    {
      name: '400 (refused input)',
      provider: 'CLOUDFLARE',
      fail: (_req, res) =>
        json(
          res,
          400,
          JSON.stringify({
            success: false,
            errors: [{ code: 10001, message: 'email.sending.error.invalid_request_schema' }],
            messages: [],
            result: null,
          }),
        ),
      code: 'VALIDATION_FAILED',
    },
    {
      name: '403 with 10204 (sender not configured)',
      provider: 'CLOUDFLARE',
      fail: (_req, res) =>
        json(
          res,
          403,
          JSON.stringify({
            success: false,
            errors: [{ code: 10204, message: 'email.sending.error.sender_not_configured' }],
            messages: [],
            result: null,
          }),
        ),
      code: 'UPSTREAM_FORBIDDEN',
    },
    {
      name: "the API's own 500 (10002: the spec says no email is sent)",
      provider: 'CLOUDFLARE',
      fail: (_req, res) =>
        json(
          res,
          500,
          JSON.stringify({
            success: false,
            errors: [{ code: 10002, message: 'email.sending.error.internal_server' }],
            messages: [],
            result: null,
          }),
        ),
      code: 'UPSTREAM_SERVER_ERROR',
    },
  ];

  for (const { name, provider, fail, code } of DEFINITE) {
    it(`${provider}: ${name}`, async () => {
      const { stack, posts } = await setUp(provider, failOnce(provider, fail));
      const key = `definite-${provider}-${code}`;
      const first = await stack.gql(Send, { input: input(provider, key) });
      const error = first.data?.sendEmail as { __typename?: string; code?: string; message?: string };
      expect(error.__typename).not.toBe('SendOutcomeUnknownError');
      expect(error.code).toBe(code);
      expect(error.message).not.toMatch(/may have been sent/);
      expect(posts()).toBe(1);

      const retried = expectTypename(
        (await stack.gql(Send, { input: input(provider, key) })).data?.sendEmail,
        'SendEmailPayload',
      );
      expect(retried.replayed).toBe(false);
      expect(posts()).toBe(2);
      const replayed = expectTypename(
        (await stack.gql(Send, { input: input(provider, key) })).data?.sendEmail,
        'SendEmailPayload',
      );
      expect(replayed).toEqual({ ...retried, replayed: true });
      expect(posts()).toBe(2);
    });
  }
});
