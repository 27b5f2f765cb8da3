/**
 * The whole stack against a misbehaving provider (test/helpers/fault-upstream.ts in front of the emulator):
 * issue 8 item 7 (Retry-After capped, send and read budgets apart) and item 9 (`/ready` tells the truth,
 * upstream failures are logged without secrets, CloudMailin's error texts are cleaned).
 */
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN } from '../src/demo-accounts.js';
import type { ReadinessReport } from '../src/readiness.js';
import {
  type FaultUpstream,
  rateLimited,
  serverError,
  startFaultUpstream,
} from './helpers/fault-upstream.js';
import { freePort } from './helpers/ports.js';
import { type Stack, startStack } from './helpers/stack.js';

const Addresses = parse(
  'query FaultAddresses { inboundAddresses(first: 5) { edges { node { addressId } } } }',
);
const CloudflareDomains = parse(
  'query FaultCloudflareDomains { sendingDomains(first: 5, provider: CLOUDFLARE) { edges { node { id } } } }',
);
const send = (provider: 'CLOUDMAILIN' | 'CLOUDFLARE', from: string) =>
  parse(`
    mutation FaultSend {
      sendEmail(input: { provider: ${provider}, from: { email: "${from}" }, to: [{ email: "b@example.net" }], subject: "s", text: "t" }) {
        __typename
        ... on RateLimitedError { retryAfterSeconds }
        ... on Error { code message }
      }
    }
  `);
const CloudMailinSend = send('CLOUDMAILIN', 'a@example.com');
const CloudflareSend = send('CLOUDFLARE', 'sender@mail.example.com');
const CreateAddress = parse(`
  mutation FaultCreateAddress {
    createInboundAddress(input: { target: "https://example.com/hook", targetFormat: JSON_NORMALIZED }) {
      __typename
      ... on Error { code message }
    }
  }
`);

const SECRETS = [
  SANDBOX_CLOUDMAILIN.apiKey,
  SANDBOX_CLOUDMAILIN.smtpToken,
  SANDBOX_CLOUDFLARE.apiToken,
] as const;

const stacks: Stack[] = [];
const fakes: FaultUpstream[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

interface LogLine {
  level: 'warn' | 'debug';
  fields: Record<string, unknown>;
  message: string;
}

interface FaultyStack {
  stack: Stack;
  cloudmailin: FaultUpstream;
  cloudflare: FaultUpstream;
  logs: LogLine[];
  advance(ms: number): void;
}

/** A stack whose providers both sit behind a fault injector, with a hand-driven clock and a captured log. */
async function faultyStack(env: Record<string, string> = {}): Promise<FaultyStack> {
  let clock = Date.parse('2026-11-21T12:00:00Z');
  const logs: LogLine[] = [];
  let cloudmailin: FaultUpstream | undefined;
  let cloudflare: FaultUpstream | undefined;
  const stack = await startStack({
    now: () => clock,
    env: { MAILGRAPH_RATE_LIMIT_WAIT_MS: '0', MAILGRAPH_UPSTREAM_TIMEOUT_MS: '500', ...env },
    cloudmailinUrl: async (url) => {
      cloudmailin = await startFaultUpstream(url);
      fakes.push(cloudmailin);
      return cloudmailin.url;
    },
    cloudflareUrl: async (url) => {
      cloudflare = await startFaultUpstream(url);
      fakes.push(cloudflare);
      return cloudflare.url;
    },
    upstreamLogger: {
      warn: (fields, message) =>
        logs.push({ level: 'warn', fields: fields as Record<string, unknown>, message }),
      debug: (fields, message) =>
        logs.push({ level: 'debug', fields: fields as Record<string, unknown>, message }),
    },
  });
  stacks.push(stack);
  if (!cloudmailin || !cloudflare) throw new Error('fault injectors did not start');
  return {
    stack,
    cloudmailin,
    cloudflare,
    logs,
    advance: (ms) => {
      clock += ms;
    },
  };
}

async function ready(stack: Stack): Promise<{ status: number; body: ReadinessReport }> {
  const response = await fetch(`${stack.url}/ready`);
  return { status: response.status, body: (await response.json()) as ReadinessReport };
}

function sendResult(result: { data?: unknown }): Record<string, unknown> {
  return (result.data as { sendEmail: Record<string, unknown> }).sendEmail;
}

describe('Retry-After is capped near the provider window, and a send 429 blocks sends only (item 7)', () => {
  it('CloudMailin: a 429 of 99,999,999 s on /messages blocks sends for 60 s; reads go on', async () => {
    const f = await faultyStack();
    f.cloudmailin.on({ method: 'POST', path: '/messages' }, rateLimited('99999999'), { times: 1 });
    expect(sendResult(await f.stack.gql(CloudMailinSend))).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 60,
    });
    // Refused by mailgraph itself now: the provider sees no second send.
    expect(sendResult(await f.stack.gql(CloudMailinSend))).toMatchObject({ code: 'RATE_LIMITED' });
    const read = await f.stack.gql(Addresses);
    expect(read.errors).toBeUndefined();
    f.advance(60_000);
    expect(sendResult(await f.stack.gql(CloudMailinSend)).__typename).toBe('SendEmailPayload');
    expect(f.cloudmailin.hits.filter((hit) => hit.method === 'POST')).toHaveLength(2);
  });

  it('Cloudflare: a 429 of 99,999,999 s on a send blocks sends for 300 s; subdomain reads go on', async () => {
    const f = await faultyStack();
    f.cloudflare.on({ method: 'POST', path: '/email/sending/send' }, rateLimited('99999999'), { times: 1 });
    expect(sendResult(await f.stack.gql(CloudflareSend))).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 300,
    });
    const read = await f.stack.gql(CloudflareDomains);
    expect(read.errors).toBeUndefined();
    f.advance(300_000);
    expect(sendResult(await f.stack.gql(CloudflareSend)).__typename).toBe('SendEmailPayload');
  });
});

describe('upstream failures are logged at warn, without secrets (item 9)', () => {
  it('timeouts, resets, 5xx and 429 each give one line with provider, route, status, code and cause', async () => {
    const f = await faultyStack();
    f.cloudmailin.on({ path: '/addresses' }, { kind: 'hang' }, { times: 1 });
    await f.stack.gql(Addresses);
    f.cloudmailin.on({ path: '/addresses' }, { kind: 'reset' }, { times: 2 });
    await f.stack.gql(Addresses);
    f.cloudmailin.on({ path: '/addresses' }, serverError(500), { times: 1 });
    await f.stack.gql(Addresses);
    f.cloudflare.on({ path: '/subdomains' }, rateLimited('30'), { times: 1 });
    await f.stack.gql(CloudflareDomains);

    const warnings = f.logs.filter((line) => line.level === 'warn');
    expect(warnings.map((line) => [line.fields.provider, line.fields.code, line.fields.status])).toEqual([
      ['CLOUDMAILIN', 'TIMEOUT', null],
      ['CLOUDMAILIN', 'NETWORK', null],
      ['CLOUDMAILIN', 'NETWORK', null],
      ['CLOUDMAILIN', 'SERVER_ERROR', 500],
      ['CLOUDFLARE', 'RATE_LIMITED', 429],
    ]);
    for (const line of warnings) {
      expect(line.message).toBe('upstream call failed');
      expect(line.fields).toMatchObject({ route: expect.stringMatching(/^\//), cause: expect.any(String) });
    }
    expect(warnings[1]?.fields).toMatchObject({ retried: true, attempt: 1 });
    expect(warnings[4]?.fields).toMatchObject({ retryAfterSeconds: 30 });
    const text = JSON.stringify(f.logs);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('a CloudMailin error text that echoes the API key reaches neither the client nor the log', async () => {
    const f = await faultyStack();
    f.cloudmailin.on(
      { method: 'POST', path: '/addresses' },
      {
        kind: 'respond',
        status: 422,
        body: { status: 422, error: `key ${SANDBOX_CLOUDMAILIN.apiKey} may not\u001b[31m\r\ncreate` },
      },
    );
    const result = await f.stack.gql(CreateAddress);
    const answer = (result.data as { createInboundAddress: Record<string, unknown> }).createInboundAddress;
    expect(answer).toMatchObject({ code: 'VALIDATION_FAILED', message: 'key **** may not [31m create' });
    const text = JSON.stringify([result, f.logs]);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});

describe('/ready says whether the providers are usable (item 9)', () => {
  it('with nothing known, probes each provider without credentials and without spending budget', async () => {
    const f = await faultyStack({ CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '5' });
    const { status, body } = await ready(f.stack);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ready: true,
      providers: {
        cloudmailin: { status: 'up', source: 'probe', route: 'HEAD /' },
        cloudflare: { status: 'up', source: 'probe', route: 'HEAD /' },
      },
      stores: {},
    });
    for (const fake of [f.cloudmailin, f.cloudflare]) {
      expect(fake.hits.map((hit) => hit.method)).toEqual(['HEAD']);
      expect(fake.hits[0]?.headers.authorization).toBeUndefined();
    }
    // Asked again within 15 s: no second probe.
    await ready(f.stack);
    expect(f.cloudmailin.hits).toHaveLength(1);
    const limits = await f.stack.gql(parse('{ rateLimits { provider used } }'));
    expect(limits.data).toMatchObject({
      rateLimits: expect.arrayContaining([{ provider: 'CLOUDMAILIN', used: 0 }]),
    });
  });

  it('answers 503 while the calls to a provider fail, and 200 again once one succeeds', async () => {
    const f = await faultyStack();
    f.cloudmailin.on({ path: '/addresses' }, serverError(503), { times: 2 });
    const failed = await f.stack.gql(Addresses);
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_SERVER_ERROR');
    const down = await ready(f.stack);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      ready: false,
      providers: {
        cloudmailin: {
          status: 'down',
          source: 'call',
          route: expect.stringContaining('addresses'),
          httpStatus: 503,
          code: 'SERVER_ERROR',
        },
      },
    });
    // No probe while a recent call says enough.
    expect(f.cloudmailin.hits.filter((hit) => hit.method === 'HEAD')).toHaveLength(0);
    await f.stack.gql(Addresses);
    expect((await ready(f.stack)).status).toBe(200);
  });

  it('a provider that cannot be reached at all is down, from the probe', async () => {
    const port = await freePort();
    const stack = await startStack({ cloudmailinUrl: () => `http://127.0.0.1:${port}/api/v0.1` });
    stacks.push(stack);
    const { status, body } = await ready(stack);
    expect(status).toBe(503);
    expect(body.providers.cloudmailin).toMatchObject({ status: 'down', source: 'probe', code: 'NETWORK' });
    expect(body.providers.cloudflare).toMatchObject({ status: 'up' });
  });

  it('a rate-limited provider is reported but still ready; 401 on mailgraph’s credentials is down', async () => {
    const f = await faultyStack();
    f.cloudflare.on({ path: '/subdomains' }, rateLimited('30'), { times: 1 });
    await f.stack.gql(CloudflareDomains);
    const limited = await ready(f.stack);
    expect(limited.status).toBe(200);
    expect(limited.body.providers.cloudflare).toMatchObject({ status: 'rate_limited', code: 'RATE_LIMITED' });

    f.cloudmailin.on(
      { path: '/addresses' },
      { kind: 'respond', status: 401, body: { status: 401, error: 'no' } },
    );
    await f.stack.gql(Addresses);
    // Long after, a probe cannot tell that the credentials work again: the 401 stands until a call succeeds.
    f.advance(10 * 60_000);
    const refused = await ready(f.stack);
    expect(refused.status).toBe(503);
    expect(refused.body.providers.cloudmailin).toMatchObject({ status: 'down', code: 'UNAUTHORIZED' });
  });
});
