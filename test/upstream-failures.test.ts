import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { graphql } from './gql/index.js';
import { type FakeUpstream, startFakeUpstream } from './helpers/fake-upstream.js';
import { type GraphQLResponse, type Stack, expectTypename, startStack } from './helpers/stack.js';

const Addresses = graphql(`
  query FailureAddresses {
    inboundAddresses(first: 5) { edges { node { addressId } } }
  }
`);

/** No `hasNextPage`: the list page and one history per message, nothing more (see outbound-messages). */
const OutboundEvents = graphql(`
  query FailureOutboundEvents {
    outboundMessages(first: 20) { edges { node { messageUuid recipients { email events { kind } } } } }
  }
`);

const SendMinimal = graphql(`
  mutation FailureSend {
    sendEmail(input: { provider: CLOUDMAILIN, from: { email: "a@example.com" }, to: [{ email: "b@example.net" }], subject: "s", text: "t" }) {
      __typename
      ... on SendEmailPayload { email { messageId } }
      ... on UpstreamError { provider status }
      ... on Error { code message }
    }
  }
`);

const NeverCached = graphql(`
  query NeverCached { sendingDomains(first: 1) { edges { node { id } } } }
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

/**
 * A read that failed: its field is null and `errors[]` holds exactly one entry, on that field, whose
 * extensions are returned.
 */
function readFailure(
  result: GraphQLResponse<Record<string, unknown>>,
  field: string,
): Record<string, unknown> {
  expect(result.data?.[field]).toBeNull();
  expect(result.errors).toHaveLength(1);
  const [error] = result.errors ?? [];
  expect(error?.path).toEqual([field]);
  expect(typeof error?.message).toBe('string');
  return error?.extensions ?? {};
}

async function fake(handler: Parameters<typeof startFakeUpstream>[0]): Promise<FakeUpstream> {
  const upstream = await startFakeUpstream(handler);
  fakes.push(upstream);
  return upstream;
}

describe('upstream failures become coded errors', () => {
  it('401 from CloudMailin (wrong API key) is UPSTREAM_UNAUTHORIZED', async () => {
    const stack = await stackWith({
      env: { CLOUDMAILIN_ACCOUNT_ID: '21c3976d80ba5e42', CLOUDMAILIN_API_KEY: 'definitely-not-the-key' },
    });
    const result = await stack.gql(Addresses);
    expect(readFailure(result, 'inboundAddresses')).toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      provider: 'CLOUDMAILIN',
      status: 401,
    });
    expect(JSON.stringify(result)).not.toContain('definitely-not-the-key');
  });

  it('403 from CloudMailin (another account) is UPSTREAM_FORBIDDEN', async () => {
    const stack = await stackWith({
      env: { CLOUDMAILIN_ACCOUNT_ID: 'ffffffffffffffff', CLOUDMAILIN_API_KEY: 'sandbox-cloudmailin-api-key' },
    });
    const result = await stack.gql(Addresses);
    expect(readFailure(result, 'inboundAddresses')).toMatchObject({
      code: 'UPSTREAM_FORBIDDEN',
      provider: 'CLOUDMAILIN',
      status: 403,
    });
  });

  it('stays under the 5 calls/minute limit: no 429 reaches mailgraph, the rest is RATE_LIMITED', async () => {
    let clock = Date.parse('2026-11-21T12:00:00Z');
    const stack = await stackWith({
      now: () => clock,
      sandbox: { rateLimits: true },
      env: { MAILGRAPH_SANDBOX_RATE_LIMITS: 'true', MAILGRAPH_RATE_LIMIT_WAIT_MS: '0' },
    });
    const result = await stack.gql(OutboundEvents);
    expect(result.data?.outboundMessages?.edges).toHaveLength(20);
    expect(stack.sandbox.calls).toHaveLength(5);
    expect(stack.sandbox.calls.every((call) => call.status === 200)).toBe(true);
    const limited = result.errors ?? [];
    expect(limited.length).toBeGreaterThan(0);
    for (const error of limited) {
      expect(error.extensions?.code).toBe('RATE_LIMITED');
      expect(error.extensions?.provider).toBe('CLOUDMAILIN');
      expect(error.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
      expect(error.path?.slice(-1)).toEqual(['events']);
    }
    // Four histories loaded (the list took the fifth call); the rest are null, each with its error.
    const histories = (result.data?.outboundMessages?.edges ?? []).flatMap(({ node }) =>
      node.recipients.map((recipient) => recipient.events),
    );
    expect(histories.filter((events) => events === null)).toHaveLength(limited.length);

    // A minute later the budget is back, the four cached histories cost nothing, and the next five load.
    clock += 61_000;
    stack.sandbox.resetCalls();
    await stack.gql(OutboundEvents);
    expect(stack.sandbox.calls).toHaveLength(5);
    expect(stack.sandbox.calls.every((call) => call.status === 200)).toBe(true);
  });

  it('serves an expired cached answer marked stale when the budget is spent, else RATE_LIMITED', async () => {
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
    expect(fresh.errors).toBeUndefined();
    expect(fresh.data?.inboundAddresses?.edges.length).toBeGreaterThan(0);
    expect(fresh.extensions?.stale).toBeUndefined();
    // Spend the rest of the budget on other reads, then let the cached list expire.
    await stack.gql(OutboundEvents);
    clock += 10_000;
    const stale = await stack.gql(Addresses);
    expect(stale.data).toEqual(fresh.data);
    expect(stale.extensions?.stale).toBe(true);

    const never = await stack.gql(NeverCached);
    const limited = readFailure(never, 'sendingDomains');
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', provider: 'CLOUDMAILIN' });
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(61);
    expect(stack.sandbox.calls.some((call) => call.status === 429)).toBe(false);
  });

  it('a 429 from the provider (budget off) is RATE_LIMITED with its Retry-After, or stale data when cached', async () => {
    const stack = await stackWith({
      sandbox: { rateLimits: true },
      env: { CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '0', MAILGRAPH_CACHE_TTL_SECONDS: '0' },
    });
    for (let i = 0; i < 5; i += 1) {
      const result = await stack.gql(Addresses);
      expect(result.errors).toBeUndefined();
      expect(result.data?.inboundAddresses?.edges.length).toBeGreaterThan(0);
    }
    const never = await stack.gql(NeverCached);
    expect(stack.sandbox.calls.filter((call) => call.path.startsWith('/cloudmailin/')).at(-1)?.status).toBe(
      429,
    );
    const limited = readFailure(never, 'sendingDomains');
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', provider: 'CLOUDMAILIN' });
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const cached = await stack.gql(Addresses);
    expect(cached.errors).toBeUndefined();
    expect(cached.data?.inboundAddresses?.edges.length).toBeGreaterThan(0);
    expect(cached.extensions?.stale).toBe(true);
  });

  it('a provider that never answers is UPSTREAM_TIMEOUT within the configured deadline', async () => {
    const hanging = await fake(() => {});
    const stack = await stackWith({
      cloudmailinUrl: () => hanging.url,
      env: { MAILGRAPH_UPSTREAM_TIMEOUT_MS: '300' },
    });
    const started = Date.now();
    const result = await stack.gql(Addresses);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(readFailure(result, 'inboundAddresses')).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      provider: 'CLOUDMAILIN',
      status: null,
    });
  });

  it('malformed JSON, a wrong shape, an oversized body and odd statuses are UPSTREAM_ codes, not crashes', async () => {
    const cases: Array<[(res: import('node:http').ServerResponse) => void, string, Record<string, string>]> =
      [
        [
          (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "aaaa", oops'),
          'UPSTREAM_MALFORMED_RESPONSE',
          {},
        ],
        [
          (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"addresses": []}'),
          'UPSTREAM_MALFORMED_RESPONSE',
          {},
        ],
        [
          (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id": 42}]'),
          'UPSTREAM_MALFORMED_RESPONSE',
          {},
        ],
        [
          (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'),
          'UPSTREAM_MALFORMED_RESPONSE',
          {},
        ],
        [
          (res) =>
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(`[${'{"id":"a"},'.repeat(100_000)}{"id":"b"}]`),
          'UPSTREAM_RESPONSE_TOO_LARGE',
          { MAILGRAPH_UPSTREAM_MAX_BYTES: '65536' },
        ],
        [
          (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'),
          'UPSTREAM_SERVER_ERROR',
          {},
        ],
        [(res) => res.writeHead(418).end(), 'UPSTREAM_UNEXPECTED_STATUS', {}],
      ];
    for (const [respond, code, env] of cases) {
      const broken = await fake((_req, res) => respond(res));
      const stack = await stackWith({ cloudmailinUrl: () => broken.url, env });
      const result = await stack.gql(Addresses);
      expect(readFailure(result, 'inboundAddresses')).toMatchObject({ code, provider: 'CLOUDMAILIN' });
    }
  });

  // @pothos/plugin-errors hands the error types' fields a proxy of the error, which `instanceof` does not
  // see through; this is what caught `errorCodeOf` (and, before, made `providerCode` always null).
  // A send that fails in a way that may have delivered it (timeout, 5xx…) is SEND_OUTCOME_UNKNOWN instead:
  // see test/send-outcome.test.ts.
  it('a send the provider refuses is an UpstreamError whose code carries the UPSTREAM_ prefix', async () => {
    const cases: Array<[(res: import('node:http').ServerResponse) => void, string, number | null]> = [
      [
        (res) =>
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"status":403,"error":"no"}'),
        'UPSTREAM_FORBIDDEN',
        403,
      ],
      [(res) => res.writeHead(418).end(), 'UPSTREAM_UNEXPECTED_STATUS', 418],
    ];
    for (const [respond, code, status] of cases) {
      const broken = await fake((_req, res) => respond(res));
      const stack = await stackWith({
        cloudmailinUrl: () => broken.url,
        env: { MAILGRAPH_UPSTREAM_TIMEOUT_MS: '300' },
      });
      const result = await stack.gql(SendMinimal);
      expect(result.errors).toBeUndefined();
      expect(expectTypename(result.data?.sendEmail, 'UpstreamError')).toMatchObject({
        code,
        provider: 'CLOUDMAILIN',
        status,
        message: expect.any(String),
      });
    }
  });

  it('a provider without credentials outside sandbox mode answers NOT_CONFIGURED, never a crash', async () => {
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
    expect(readFailure(result, 'inboundAddresses')).toMatchObject({
      code: 'NOT_CONFIGURED',
      provider: 'CLOUDMAILIN',
    });
    expect(stack.sandbox.calls).toHaveLength(0);
    // Sending has its own credentials, so it still works.
    const sent = await stack.gql(SendMinimal, undefined, auth);
    expectTypename(sent.data?.sendEmail, 'SendEmailPayload');
  });

  it('an unknown id the provider answers 404 for is null, without an error', async () => {
    const stack = await stackWith({});
    const Missing = graphql(`query Missing($id: ID!) { sendingDomain(id: $id) { __typename id domain } }`);
    const result = await stack.gql(Missing, { id: 'ffffffffffffffff' });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ sendingDomain: null });
    expect(
      stack.sandbox.calls.some((call) => call.path.includes('ffffffffffffffff') && call.status === 404),
    ).toBe(true);
    expect(DEMO_CLOUDMAILIN.sendingDomainIds.verified).not.toBe('ffffffffffffffff');

    const known = await stack.gql(Missing, { id: DEMO_CLOUDMAILIN.sendingDomainIds.verified });
    expect(known.data?.sendingDomain).toMatchObject({
      __typename: 'CloudMailinSendingDomain',
      domain: 'example.com',
    });
  });
});
