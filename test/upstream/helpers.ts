/**
 * Shared set-up for the upstream tests: a MockAgent that refuses real network and records every call, a
 * CloudMailin client wired to it, a hand-driven clock, and wire fixtures shaped like the seed's examples.
 */
import { type Interceptable, MockAgent, type MockCallHistoryLog } from 'undici';
import type { CloudMailinConfig, UpstreamConfig } from '../../src/config.js';
import { CloudMailinClient } from '../../src/upstream/cloudmailin.js';
import type { UpstreamCall } from '../../src/upstream/http.js';
import { type UpstreamShared, createUpstreamShared } from '../../src/upstream/shared.js';

export const ORIGIN = 'https://cloudmailin.test';
export const BASE = '/api/v0.1';
export const ACCOUNT = '21c3976d80ba5e42';
export const API_KEY = 'api-key-A';
export const SMTP_USER = 'aaaa111122223333';
export const SMTP_TOKEN = 'smtp-token-S';
/** `{apiUrl}/{accountID}` of the management API, as the mock sees it. */
export const ACCT = `${BASE}/${ACCOUNT}`;
export const T0 = 1_700_000_000_000;

export const baseConfig: CloudMailinConfig = {
  apiUrl: `${ORIGIN}${BASE}`,
  accountId: ACCOUNT,
  apiKey: API_KEY,
  smtpUsername: SMTP_USER,
  smtpToken: SMTP_TOKEN,
  ratePerMinute: 5,
};

export const baseUpstream: UpstreamConfig = {
  timeoutMs: 2_000,
  cacheTtlSeconds: 30,
  rateWaitMs: 2_000,
  maxResponseBytes: 64 * 1024,
};

/** What every client harness shares: the MockAgent, a hand-driven clock and what the client reported. */
export interface MockUpstream {
  agent: MockAgent;
  shared: UpstreamShared;
  clock: { now: number };
  /** Every wait the rate budget asked for, in ms (each advanced the clock). */
  sleeps: number[];
  calls: UpstreamCall[];
  /** Requests that reached the mock, in order. */
  history: () => MockCallHistoryLog[];
}

export interface Harness extends MockUpstream {
  pool: Interceptable;
  client: CloudMailinClient;
  makeClient: (config?: Partial<CloudMailinConfig>, upstream?: Partial<UpstreamConfig>) => CloudMailinClient;
}

const openAgents: MockAgent[] = [];

/** A MockAgent that refuses real network and records every call; `closeHarnesses` checks and closes it. */
export function mockAgent(): MockAgent {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  openAgents.push(agent);
  return agent;
}

/** Requests that reached `agent`, in order. */
export function callHistory(agent: MockAgent): MockCallHistoryLog[] {
  return agent.getCallHistory()?.calls() ?? [];
}

/** For `afterEach`: every mocked reply must have been used (so call counts are exact), then close. */
export async function closeHarnesses(): Promise<void> {
  const agents = openAgents.splice(0);
  try {
    for (const agent of agents) agent.assertNoPendingInterceptors();
  } finally {
    await Promise.all(agents.map((agent) => agent.close()));
  }
}

/** A fresh `mockAgent()` and an UpstreamShared on a clock that starts at T0 and moves only when slept. */
export function mockUpstream(): MockUpstream {
  const agent = mockAgent();
  const clock = { now: T0 };
  const sleeps: number[] = [];
  const shared = createUpstreamShared({
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
  });
  return { agent, shared, clock, sleeps, calls: [], history: () => callHistory(agent) };
}

export function harness(
  options: { config?: Partial<CloudMailinConfig>; upstream?: Partial<UpstreamConfig> } = {},
) {
  const mock = mockUpstream();
  const makeClient = (config: Partial<CloudMailinConfig> = {}, upstream: Partial<UpstreamConfig> = {}) =>
    new CloudMailinClient({
      config: { ...baseConfig, ...options.config, ...config },
      upstream: { ...baseUpstream, ...options.upstream, ...upstream },
      shared: mock.shared,
      dispatcher: mock.agent,
      onCall: (call) => mock.calls.push(call),
    });
  const h: Harness = {
    ...mock,
    pool: mock.agent.get<Interceptable>(ORIGIN),
    client: makeClient(),
    makeClient,
  };
  return h;
}

/** From now on, records the scope and the key of every cache read of `shared`, in order. */
export function recordCacheReads(shared: UpstreamShared): string[] {
  const seen: string[] = [];
  const cache = shared.cache;
  const original = cache.get.bind(cache);
  cache.get = async (scope, key) => {
    seen.push(scope, key);
    return original(scope, key);
  };
  return seen;
}

export function header(log: MockCallHistoryLog | undefined, name: string): string | undefined {
  const value = (log?.headers as Record<string, string> | undefined)?.[name];
  return value;
}

export function address(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    target: `https://example.com/${id}`,
    target_format: 'json+n',
    nickname: null,
    attachments: {},
    ...extra,
  };
}

export function sendingDomain(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    domain: 'example.com',
    mta_domain: 'mta.example.com',
    dkim_selector: '0e7c28e2e4cm',
    dkim_domain: '0e7c28e2e4cm._domainkey.example.com',
    dkim_public_record: 'v=DKIM1; h=sha256; k=rsa; s=email; p=MIIB',
    required_cname: 'feedback-smtp.cloudmta.net',
    dkim_verified: true,
    return_path_verified: true,
    spf_verified: true,
    ...extra,
  };
}

export function customDomain(id: string, extra: Record<string, unknown> = {}) {
  return { id, domain: 'example.com', auth_regex: 'allowed[0-9]*@example.com', ...extra };
}

export function incomingStatus(id: string) {
  return {
    id,
    message_id: 'CAB=Hge+gC2LqXPu14qy82qPLk0YXcKrLeS7WZ3MPkOJJ-tMkMQ@mail.gmail.com',
    to: 'recipient@example.net',
    from: 'sender@example.net',
    status: 200,
    subject: 'Example Subject Line',
    tls: 'TLSv1.3',
    md5: 'string',
    created_at: '2019-08-24T14:15:22Z',
  };
}

export function outboundMessage(id: string, withEvents = false) {
  return {
    id,
    from: 'sender@example.com',
    subject: 'Hello from CloudMailin',
    message_id: `<${id}@cloudmta.net>`,
    to: ['recipient@example.com'],
    cc: [],
    tags: ['marketing'],
    test_mode: false,
    created_at: '2019-08-24T14:15:22Z',
    recipients: [
      {
        email: 'recipient@example.com',
        last_event: 'delivery',
        ...(withEvents
          ? { events: [{ kind: 'delivery', timestamp: '2019-08-24T14:15:22Z', details: {} }] }
          : {}),
      },
    ],
  };
}

export const sentMessage = {
  id: '724b9ef2-94ee-4fb0-b722-082204633911',
  from: 'Sender <sender@example.com>',
  to: ['recipient@example.com'],
  subject: 'Hello',
  test_mode: false,
};
