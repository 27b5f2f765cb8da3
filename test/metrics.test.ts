/**
 * `/metrics` (issue 10 item 4): upstream cache lookups, rate-budget waits and refusals, webhook and queue
 * events by outcome, live subscriptions by transport and response-cache lookups, scraped after real
 * operations, webhook posts and subscriptions, counted exactly, and with no id or key in any label.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN, SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import { CloudflareQueueConsumer } from '../src/events/cloudflare-queue.js';
import { LmdbEventLog } from '../src/events/lmdb-log.js';
import type { EventLog } from '../src/events/log.js';
import { createHttpServer } from '../src/http-server.js';
import { type Metrics, createMetrics } from '../src/metrics.js';
import { createProviders, createStores } from '../src/providers.js';
import { type Sandbox, startSandbox } from '../src/sandbox/server.js';
import { fixturePath } from './helpers/fixtures.js';
import { MESSAGE_EVENTS, type Transport, WEBHOOK_AUTH, connect } from './helpers/subscription-clients.js';

const CLIENT_KEY = 'metrics-client-key-0123456789';

/** mailgraph as src/server.ts assembles it (metrics told of calls, cache, budget, webhooks), on a hand clock. */
interface Observed {
  url: string;
  sandbox: Sandbox;
  metrics: Metrics;
  advance(ms: number): void;
  /** Makes every later append of the event log fail (or work again). */
  failAppends(failing: boolean): void;
  close(): Promise<void>;
}

const running: Observed[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((observed) => observed.close()));
});

async function observedStack(env: Record<string, string> = {}): Promise<Observed> {
  let clock = Date.parse('2026-11-21T12:00:00Z');
  const now = () => clock;
  const sandbox = await startSandbox({ rateLimits: false, now, logger: { warn: () => {} } });
  const dir = mkdtempSync(join(tmpdir(), 'mailgraph-metrics-'));
  const config = loadConfig({
    MAILGRAPH_SANDBOX: 'true',
    CLOUDMAILIN_API_URL: sandbox.cloudmailinUrl,
    CLOUDFLARE_API_URL: sandbox.cloudflareUrl,
    CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '0',
    MAILGRAPH_DATA_DIR: dir,
    MAILGRAPH_API_KEYS: `${CLIENT_KEY}:read+send+manage`,
    MAILGRAPH_WEBHOOK_MAX_BYTES: '65536',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const metrics = createMetrics();
  const stores = createStores(config, { now });
  stores.shared.observer = metrics.upstreamObserver();
  const providers = createProviders(config, {
    shared: stores.shared,
    onCall: (call) => metrics.observeUpstream(call),
  });
  const real = new LmdbEventLog(join(dir, 'events'), { retentionMs: 24 * 3_600_000 });
  let failing = false;
  const events: EventLog = new Proxy(real, {
    get(target, key) {
      if (key === 'append' && failing) return async () => Promise.reject(new Error('disk full'));
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const server: Server = createHttpServer({
    app: createApp({ config, providers, metrics, events, idempotency: stores.idempotency }),
    config,
    metrics,
    webhooks: { log: events, credentials: config.webhookBasicAuth, maxBytes: config.events.webhookMaxBytes },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const observed: Observed = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sandbox,
    metrics,
    advance: (ms) => {
      clock += ms;
    },
    failAppends: (value) => {
      failing = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sandbox.close();
      await real.close();
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.push(observed);
  return observed;
}

async function gql(observed: Observed, query: string) {
  const response = await fetch(`${observed.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: Array<{ extensions?: { code?: string } }>;
  };
}

/** Every sample of a scrape: `name{labels}` → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** The value of `name{labels}` (labels in the registered order), 0 when absent. */
function sample(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const text = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',');
  return samples.get(text === '' ? name : `${name}{${text}}`) ?? 0;
}

/** How much each `name{labels}` moved between two scrapes, for every sample of `names` that moved. */
function moved(
  before: Map<string, number>,
  after: Map<string, number>,
  names: string[],
): Record<string, number> {
  const deltas: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!names.some((name) => key.startsWith(`${name}{`) || key === name)) continue;
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) deltas[key] = delta;
  }
  return deltas;
}

const CACHE = 'mailgraph_upstream_cache_lookups_total';
const WAITS = 'mailgraph_rate_budget_waits_total';
const WAIT_SECONDS_COUNT = 'mailgraph_rate_budget_wait_seconds_count';
const REFUSALS = 'mailgraph_rate_budget_refusals_total';
const INTAKE = 'mailgraph_webhook_events_total';
const BUDGET_AND_CACHE = [CACHE, WAITS, WAIT_SECONDS_COUNT, REFUSALS];

const ADDRESSES = '{ inboundAddresses(first: 2) { nodes { addressId } } }';
/** Built from the same entity-cache entry, but another document: the response cache cannot answer it. */
const ADDRESSES_AGAIN = '{ inboundAddresses(first: 2) { nodes { addressId nickname } } }';
const OUTBOUND = '{ outboundMessages(first: 2) { nodes { id } } }';
const DOMAINS = '{ sendingDomains(provider: CLOUDMAILIN, first: 2) { nodes { id } } }';

describe('upstream cache lookups and the rate budget', () => {
  it('counts hits, misses, stale answers, waits and refusals as the calls happen', async () => {
    // Two management calls a minute, and a second of patience.
    const observed = await observedStack({
      CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '2',
      MAILGRAPH_RATE_LIMIT_WAIT_MS: '1000',
      MAILGRAPH_CACHE_TTL_SECONDS: '30',
    });
    const cm = (outcome: string) => `${CACHE}{provider="CLOUDMAILIN",outcome="${outcome}"}`;
    let before = await scrape(observed.url);
    // Every series is there from the start, at 0.
    expect(sample(before, CACHE, { provider: 'CLOUDFLARE', outcome: 'stale' })).toBe(0);
    expect(sample(before, REFUSALS, { provider: 'CLOUDMAILIN' })).toBe(0);

    const step = async (query: string) => {
      const result = await gql(observed, query);
      const after = await scrape(observed.url);
      const delta = moved(before, after, BUDGET_AND_CACHE);
      before = after;
      return { result, delta };
    };
    // Cold: one call, one miss. Warm: no call, one hit.
    expect((await step(ADDRESSES)).delta).toEqual({ [cm('miss')]: 1 });
    expect((await step(ADDRESSES_AGAIN)).delta).toEqual({ [cm('hit')]: 1 });
    // The second call of the minute.
    expect((await step(OUTBOUND)).delta).toEqual({ [cm('miss')]: 1 });
    // The third would wait a minute, more than a second: refused, and nothing cached can stand in.
    const refused = await step(DOMAINS);
    expect(refused.result.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused.delta).toEqual({ [`${REFUSALS}{provider="CLOUDMAILIN"}`]: 1 });

    // 40 s on, the addresses are stale, and the budget still spent for 21 s: the expired answer is served.
    observed.advance(40_000);
    const stale = await step(ADDRESSES);
    expect(stale.result.errors).toBeUndefined();
    expect(stale.delta).toEqual({ [`${REFUSALS}{provider="CLOUDMAILIN"}`]: 1, [cm('stale')]: 1 });

    // 300 ms before the first slot frees: the call waits for it (a real 300 ms) and goes out.
    observed.advance(61_000 - 40_000 - 300);
    const waited = await step(ADDRESSES);
    expect(waited.result.errors).toBeUndefined();
    expect(waited.delta).toEqual({
      [`${WAITS}{provider="CLOUDMAILIN"}`]: 1,
      [`${WAIT_SECONDS_COUNT}{provider="CLOUDMAILIN"}`]: 1,
      [cm('miss')]: 1,
    });
    expect(sample(before, 'mailgraph_rate_budget_wait_seconds_sum', { provider: 'CLOUDMAILIN' })).toBeCloseTo(
      0.3,
      1,
    );
    // The cost the providers saw: exactly the misses, never more.
    expect(observed.sandbox.calls.length).toBe(3);
  });

  it('counts the GraphQL response cache lookups it is told of', async () => {
    const observed = await observedStack();
    const before = await scrape(observed.url);
    observed.metrics.observeResponseCache('hit');
    observed.metrics.observeResponseCache('hit');
    observed.metrics.observeResponseCache('skip');
    const after = await scrape(observed.url);
    expect(moved(before, after, ['mailgraph_response_cache_lookups_total'])).toEqual({
      'mailgraph_response_cache_lookups_total{outcome="hit"}': 2,
      'mailgraph_response_cache_lookups_total{outcome="skip"}': 1,
    });
    expect(sample(after, 'mailgraph_response_cache_lookups_total', { outcome: 'miss' })).toBe(0);
  });
});

async function postWebhook(url: string, path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: WEBHOOK_AUTH, ...headers },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

describe('webhook and queue events', () => {
  it('counts stored and duplicate events, and refused or failed deliveries, per source', async () => {
    const observed = await observedStack();
    const before = await scrape(observed.url);
    const events = (name: string) => readFileSync(fixturePath(`cloudmailin/outbound/${name}`), 'utf8');
    const bounce = events('events-webhook-bounce.json');
    const statuses = [
      await postWebhook(observed.url, '/webhooks/cloudmailin/events', bounce),
      await postWebhook(observed.url, '/webhooks/cloudmailin/events', bounce),
      await postWebhook(observed.url, '/webhooks/cloudmailin/events', bounce, {
        authorization: `Basic ${Buffer.from(`${SANDBOX_WEBHOOK.user}:wrong`).toString('base64')}`,
      }),
      await postWebhook(observed.url, '/webhooks/cloudmailin/events', 'not json'),
      await postWebhook(observed.url, '/webhooks/cloudmailin/events', bounce, {
        'content-type': 'text/plain',
      }),
      await postWebhook(
        observed.url,
        '/webhooks/cloudmailin/events',
        JSON.stringify({ pad: 'x'.repeat(70_000) }),
      ),
      await postWebhook(
        observed.url,
        '/webhooks/cloudmailin/inbound',
        readFileSync(fixturePath('cloudmailin/inbound/json-normalized-docs-example.json'), 'utf8'),
      ),
    ];
    const samples = JSON.parse(
      readFileSync(fixturePath('cloudflare/events/email-sending-events.json'), 'utf8'),
    ) as {
      events: Record<string, { example: unknown }>;
    };
    const examples = Object.values(samples.events).map((entry) => entry.example);
    statuses.push(await postWebhook(observed.url, '/webhooks/cloudflare/events', JSON.stringify(examples)));
    observed.failAppends(true);
    statuses.push(await postWebhook(observed.url, '/webhooks/cloudflare/events', JSON.stringify(examples)));
    observed.failAppends(false);
    // Not a webhook: not counted under any source.
    statuses.push(await postWebhook(observed.url, '/webhooks/elsewhere', bounce));
    expect(statuses).toEqual([200, 200, 401, 400, 415, 413, 200, 200, 503, 404]);

    const after = await scrape(observed.url);
    const key = (source: string, outcome: string) => `${INTAKE}{source="${source}",outcome="${outcome}"}`;
    expect(moved(before, after, [INTAKE])).toEqual({
      [key('cloudmailin_events', 'stored')]: 1,
      [key('cloudmailin_events', 'duplicate')]: 1,
      [key('cloudmailin_events', 'rejected_auth')]: 1,
      [key('cloudmailin_events', 'rejected_malformed')]: 2,
      [key('cloudmailin_events', 'rejected_size')]: 1,
      [key('cloudmailin_inbound', 'stored')]: 1,
      [key('cloudflare_events', 'stored')]: examples.length,
      [key('cloudflare_events', 'failed')]: 1,
    });
  });

  it('counts what the Cloudflare events queue brings: events stored, duplicates, and messages that are no event', async () => {
    const metrics = createMetrics();
    const dir = mkdtempSync(join(tmpdir(), 'mailgraph-metrics-queue-'));
    const log = new LmdbEventLog(dir, { retentionMs: 3_600_000 });
    try {
      const message = (id: string, body: string) => ({ id, lease_id: `lease-${id}`, attempts: 1, body });
      const event = (id: string) =>
        JSON.stringify({
          type: 'cf.email.sending.message.delivered',
          payload: { eventId: `event-${id}`, messageId: '<m@x>', recipient: 'a@example.org' },
        });
      const batches = [
        [message('1', event('1')), message('2', event('2')), message('3', '{"not":"an event"}')],
        [message('4', event('1'))],
      ];
      const consumer = new CloudflareQueueConsumer({
        client: {
          pullQueue: async () => ({ backlogCount: 0, messages: batches.shift() ?? [] }),
          ackQueue: async () => ({ ackCount: 0, retryCount: 0, warnings: [] }),
        },
        queueId: 'queue-0123',
        log,
        // As src/server.ts wires it.
        onOutcome: (outcome, count) => metrics.observeIntake('cloudflare_queue', outcome, count),
      });
      await consumer.poll();
      await consumer.poll();
      const text = await metrics.registry.getSingleMetricAsString(INTAKE);
      const counted = Object.fromEntries(
        [...text.matchAll(/source="cloudflare_queue",outcome="(\w+)"} (\d+)/g)].map((match) => [
          match[1],
          Number(match[2]),
        ]),
      );
      expect(counted).toEqual({
        stored: 2,
        duplicate: 1,
        rejected_auth: 0,
        rejected_malformed: 1,
        rejected_size: 0,
        failed: 0,
      });
    } finally {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('live subscriptions', () => {
  it('are counted per transport while they live, and no longer once they end', async () => {
    const observed = await observedStack();
    const live = async () => {
      const samples = await scrape(observed.url);
      return Object.fromEntries(
        ['sse', 'graphql-sse', 'ws'].map((transport) => [
          transport,
          sample(samples, 'mailgraph_live_subscriptions', { transport }),
        ]),
      );
    };
    expect(await live()).toEqual({ sse: 0, 'graphql-sse': 0, ws: 0 });
    const opened: Array<[Transport, number]> = [
      ['sse-yoga', 1],
      ['sse-single', 2],
      ['sse-distinct', 1],
      ['ws', 3],
    ];
    const clients = opened.map(([transport, count]) => {
      const client = connect(observed.url, transport, { key: CLIENT_KEY });
      const subscriptions = Array.from({ length: count }, () => client.subscribe(MESSAGE_EVENTS));
      // Asking for the first event starts each subscription; none comes.
      for (const subscription of subscriptions) void subscription.take(1);
      return { client, subscriptions };
    });
    await vi.waitFor(async () => expect(await live()).toEqual({ sse: 1, 'graphql-sse': 3, ws: 3 }), {
      timeout: 5_000,
    });
    for (const { client, subscriptions } of clients) {
      await Promise.all(subscriptions.map((subscription) => subscription.end()));
      await client.dispose();
    }
    await vi.waitFor(async () => expect(await live()).toEqual({ sse: 0, 'graphql-sse': 0, ws: 0 }), {
      timeout: 5_000,
    });
  });
});

describe('label values', () => {
  it('hold no id, key or credential after real traffic', async () => {
    const observed = await observedStack();
    const result = await gql(
      observed,
      '{ inboundAddresses(first: 3) { nodes { addressId incomingStatuses(first: 2) { nodes { id } } } } }',
    );
    expect(result.errors).toBeUndefined();
    await gql(observed, '{ sendingDomains(first: 5) { nodes { id } } }');
    await gql(observed, '{ inboundAddress(id: "no-such-address-0123") { id } }');
    await postWebhook(
      observed.url,
      '/webhooks/cloudmailin/events',
      readFileSync(fixturePath('cloudmailin/outbound/events-webhook-registration.json'), 'utf8'),
    );
    const addressIds = (result.data?.inboundAddresses as { nodes: Array<{ addressId: string }> }).nodes.map(
      (node) => node.addressId,
    );
    expect(addressIds.length).toBeGreaterThan(0);
    const forbidden = [
      ...addressIds,
      'no-such-address-0123',
      CLIENT_KEY,
      SANDBOX_CLOUDMAILIN.accountId,
      SANDBOX_CLOUDMAILIN.apiKey,
      SANDBOX_CLOUDFLARE.accountId,
      SANDBOX_CLOUDFLARE.apiToken,
      SANDBOX_WEBHOOK.pass,
      ...SANDBOX_CLOUDFLARE.zoneIds,
    ];
    const samples = await scrape(observed.url);
    const values = new Set<string>();
    for (const key of samples.keys()) {
      if (!key.startsWith('mailgraph_')) continue;
      for (const match of key.matchAll(/="([^"]*)"/g)) values.add(match[1] as string);
    }
    expect(values.size).toBeGreaterThan(10);
    for (const value of values) {
      for (const secret of forbidden) expect(value, value).not.toContain(secret);
      // Words, numbers, route templates: no address, no URL, no hex id.
      expect(value, value).toMatch(/^[A-Za-z0-9_.+\-/{}]*$/);
      expect(value, value).not.toMatch(/[0-9a-f]{16}/);
    }
  });
});
