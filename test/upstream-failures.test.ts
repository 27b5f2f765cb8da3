import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { graphql } from './gql/index.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { type Stack, expectTypename, startStack } from './helpers/stack.js';

const Addresses = graphql(`
  query FailureAddresses {
    inboundAddresses(first: 5) {
      __typename
      ... on QueryInboundAddressesConnection { edges { node { addressId } } }
      ... on UpstreamError { message provider status code }
      ... on RateLimitedError { message provider retryAfterSeconds }
      ... on NotConfiguredError { message provider }
      ... on Error { message }
    }
  }
`);

const OutboundEvents = graphql(`
  query FailureOutboundEvents {
    outboundMessages(first: 20) {
      __typename
      ... on QueryOutboundMessagesConnection { edges { node { messageUuid recipients { email events { kind } } } } }
      ... on RateLimitedError { retryAfterSeconds }
    }
  }
`);

const SendMinimal = graphql(`
  mutation FailureSend {
    sendEmail(input: { provider: CLOUDMAILIN, from: { email: "a@example.com" }, to: [{ email: "b@example.net" }], subject: "s", text: "t" }) {
      __typename
      ... on SendEmailPayload { email { messageId } }
      ... on Error { message }
    }
  }
`);

const stacks: Stack[] = [];
const fakes: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function stackWith(options: Parameters<typeof startStack>[0]): Promise<Stack> {
  const stack = await startStack(options);
  stacks.push(stack);
  return stack;
}

async function fake(handler: Parameters<typeof startFakeUpstream>[0]): Promise<FakeUpstream> {
  const upstream = await startFakeUpstream(handler);
  fakes.push(upstream);
  return upstream;
}

describe('upstream failures become typed errors', () => {
  it('401 from CloudMailin (wrong API key) is an UpstreamError UNAUTHORIZED', async () => {
    const stack = await stackWith({
      env: { CLOUDMAILIN_ACCOUNT_ID: '21c3976d80ba5e42', CLOUDMAILIN_API_KEY: 'definitely-not-the-key' },
    });
    const result = await stack.gql(Addresses);
    expect(expectTypename(result.data?.inboundAddresses, 'UpstreamError')).toMatchObject({
      provider: 'CLOUDMAILIN',
      status: 401,
      code: 'UNAUTHORIZED',
    });
    expect(JSON.stringify(result)).not.toContain('definitely-not-the-key');
  });

  it('403 from CloudMailin (another account) is an UpstreamError FORBIDDEN', async () => {
    const stack = await stackWith({
      env: { CLOUDMAILIN_ACCOUNT_ID: 'ffffffffffffffff', CLOUDMAILIN_API_KEY: 'sandbox-cloudmailin-api-key' },
    });
    const result = await stack.gql(Addresses);
    expect(expectTypename(result.data?.inboundAddresses, 'UpstreamError')).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
  });

  it('stays under the 5 calls/minute limit: no 429 reaches mailgraph, the rest is RateLimitedError', async () => {
    let clock = Date.parse('2026-11-21T12:00:00Z');
    const stack = await stackWith({
      now: () => clock,
      sandbox: { rateLimits: true },
      env: { MAILGRAPH_SANDBOX_RATE_LIMITS: 'true', MAILGRAPH_RATE_LIMIT_WAIT_MS: '0' },
    });
    const result = await stack.gql(OutboundEvents);
    const connection = expectTypename(result.data?.outboundMessages, 'QueryOutboundMessagesConnection');
    expect(connection.edges).toHaveLength(20);
    expect(stack.sandbox.calls).toHaveLength(5);
    expect(stack.sandbox.calls.every((call) => call.status === 200)).toBe(true);
    const limited = result.errors ?? [];
    expect(limited.length).toBeGreaterThan(0);
    for (const error of limited) {
      expect(error.extensions?.code).toBe('RATE_LIMITED');
      expect(error.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
      expect(error.path?.slice(-1)).toEqual(['events']);
    }

    // A minute later the budget is back, the four cached histories cost nothing, and the next five load.
    clock += 61_000;
    stack.sandbox.resetCalls();
    await stack.gql(OutboundEvents);
    expect(stack.sandbox.calls).toHaveLength(5);
    expect(stack.sandbox.calls.every((call) => call.status === 200)).toBe(true);
  });

  it('serves an expired cached answer marked stale when the budget is spent, else RateLimitedError', async () => {
    let clock = Date.parse('2026-11-21T12:00:00Z');
    const stack = await stackWith({
      now: () => clock,
      sandbox: { rateLimits: true },
      env: {
        MAILGRAPH_SANDBOX_RATE_LIMITS: 'true',
        MAILGRAPH_RATE_LIMIT_WAIT_MS: '0',
        MAILGRAPH_CACHE_TTL_SECONDS: '5',
      },
    });
    const fresh = await stack.gql(Addresses);
    expectTypename(fresh.data?.inboundAddresses, 'QueryInboundAddressesConnection');
    expect(fresh.extensions?.stale).toBeUndefined();
    // Spend the rest of the budget on other reads, then let the cached list expire.
    await stack.gql(OutboundEvents);
    clock += 10_000;
    const stale = await stack.gql(Addresses);
    expect(stale.data).toEqual(fresh.data);
    expect(stale.extensions?.stale).toBe(true);

    const never = await stack.gql(
      graphql(
        `query NeverCached { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds provider } } }`,
      ),
    );
    const limited = expectTypename(never.data?.sendingDomains, 'RateLimitedError');
    expect(limited.provider).toBe('CLOUDMAILIN');
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(61);
    expect(stack.sandbox.calls.some((call) => call.status === 429)).toBe(false);
  });

  it('a 429 from the provider (budget off) is a RateLimitedError with its Retry-After, or stale data when cached', async () => {
    const stack = await stackWith({
      sandbox: { rateLimits: true },
      env: { CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '0', MAILGRAPH_CACHE_TTL_SECONDS: '0' },
    });
    for (let i = 0; i < 5; i += 1)
      expectTypename((await stack.gql(Addresses)).data?.inboundAddresses, 'QueryInboundAddressesConnection');
    const never = await stack.gql(
      graphql(
        `query NeverCached429 { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds } } }`,
      ),
    );
    expect(stack.sandbox.calls.filter((call) => call.path.startsWith('/cloudmailin/')).at(-1)?.status).toBe(
      429,
    );
    expect(
      expectTypename(never.data?.sendingDomains, 'RateLimitedError').retryAfterSeconds,
    ).toBeGreaterThanOrEqual(1);
    const cached = await stack.gql(Addresses);
    expectTypename(cached.data?.inboundAddresses, 'QueryInboundAddressesConnection');
    expect(cached.extensions?.stale).toBe(true);
  });

  it('a provider that never answers is an UpstreamError TIMEOUT within the configured deadline', async () => {
    const hanging = await fake(() => {});
    const stack = await stackWith({
      cloudmailinUrl: () => hanging.url,
      env: { MAILGRAPH_UPSTREAM_TIMEOUT_MS: '300' },
    });
    const result = await stack.gql(Addresses);
    expect(expectTypename(result.data?.inboundAddresses, 'UpstreamError')).toMatchObject({
      status: null,
      code: 'TIMEOUT',
    });
  });

  it('malformed JSON, a wrong shape and an oversized body are UpstreamErrors, not crashes', async () => {
    const cases: Array<[(res: import('node:http').ServerResponse) => void, string, Record<string, string>]> =
      [
        [
          (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "aaaa", oops'),
          'MALFORMED_RESPONSE',
          {},
        ],
        [
          (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"addresses": []}'),
          'MALFORMED_RESPONSE',
          {},
        ],
        [
          (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id": 42}]'),
          'MALFORMED_RESPONSE',
          {},
        ],
        [
          (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'),
          'MALFORMED_RESPONSE',
          {},
        ],
        [
          (res) =>
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(`[${'{"id":"a"},'.repeat(100_000)}{"id":"b"}]`),
          'RESPONSE_TOO_LARGE',
          { MAILGRAPH_UPSTREAM_MAX_BYTES: '65536' },
        ],
        [(res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'), 'SERVER_ERROR', {}],
        [(res) => res.writeHead(418).end(), 'UNEXPECTED_STATUS', {}],
      ];
    for (const [respond, code, env] of cases) {
      const broken = await fake((_req, res) => respond(res));
      const stack = await stackWith({ cloudmailinUrl: () => broken.url, env });
      const result = await stack.gql(Addresses);
      expect(expectTypename(result.data?.inboundAddresses, 'UpstreamError').code).toBe(code);
    }
  });

  it('a provider without credentials outside sandbox mode answers NotConfiguredError, never a crash', async () => {
    const stack = await stackWith({
      env: {
        MAILGRAPH_SANDBOX: 'false',
        MAILGRAPH_API_KEYS: 'test-key-0123456789abcdef:read+send+manage',
        WEBHOOK_BASIC_AUTH: 'hook:secret',
        CLOUDMAILIN_SMTP_USERNAME: 'aaaa111122223333',
        CLOUDMAILIN_SMTP_TOKEN: 'sandbox-cloudmailin-smtp-token',
      },
    });
    const auth = { authorization: 'Bearer test-key-0123456789abcdef' };
    const result = await stack.gql(Addresses, undefined, auth);
    expect(expectTypename(result.data?.inboundAddresses, 'NotConfiguredError').provider).toBe('CLOUDMAILIN');
    expect(stack.sandbox.calls).toHaveLength(0);
    // Sending has its own credentials, so it still works.
    const sent = await stack.gql(SendMinimal, undefined, auth);
    expectTypename(sent.data?.sendEmail, 'SendEmailPayload');
  });

  it('an unknown id the provider answers 404 for is a NotFoundError', async () => {
    const stack = await stackWith({});
    const result = await stack.gql(
      graphql(
        `query Missing($id: ID!) { sendingDomain(id: $id) { __typename ... on NotFoundError { resource resourceId } } }`,
      ),
      { id: 'ffffffffffffffff' },
    );
    expect(expectTypename(result.data?.sendingDomain, 'NotFoundError').resourceId).toBe('ffffffffffffffff');
    expect(DEMO_CLOUDMAILIN.sendingDomainIds.verified).not.toBe('ffffffffffffffff');
  });
});
