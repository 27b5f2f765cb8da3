/**
 * The whole-answer cache (src/response-cache.ts, issue 10): a repeated query is answered without executing
 * and without an upstream call, per client key, never older than the entity cache would give, and dropped
 * when a mutation, an inbound mail or a delivery event changes what it was built from.
 */
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import { GraphQLResponseCache } from '../src/response-cache.js';
import { type Stack, startStack } from './helpers/stack.js';

const READER_A = 'reader-a-0123456789abcdef';
const READER_B = 'reader-b-0123456789abcdef';
const SENDER = 'sender-only-0123456789ab';
const KEYS = `${READER_A}:read+manage,${READER_B}:read,${SENDER}:send`;
const as = (key: string) => ({ authorization: `Bearer ${key}` });

const Addresses = parse(
  'query Addresses { inboundAddresses(first: 3) { nodes { id emailAddress nickname } } }',
);
const AddressesWithTarget = parse(
  'query AddressesWithTarget { inboundAddresses(first: 3) { nodes { id emailAddress target } } }',
);
const Summaries = parse(
  'query Summaries { outboundMessages(first: 20) { nodes { messageUuid recipients { email lastEvent } } } }',
);
const Limits = parse('query Limits { rateLimits { provider used remaining } }');
const Create = parse(
  'mutation Create { createInboundAddress(input: { target: "https://example.com/in", targetFormat: JSON_NORMALIZED }) { __typename ... on CreateInboundAddressPayload { address { id emailAddress } } } }',
);

type AddressData = { inboundAddresses: { nodes: Array<{ id: string; emailAddress: string }> } };
type SummaryData = {
  outboundMessages: {
    nodes: Array<{ messageUuid: string; recipients: Array<{ email: string; lastEvent: string | null }> }>;
  };
};

const open: Stack[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((stack) => stack.close()));
});

async function stackWith(options: Parameters<typeof startStack>[0] = {}): Promise<Stack> {
  const stack = await startStack({
    ...options,
    env: { MAILGRAPH_API_KEYS: KEYS, MAILGRAPH_CACHE_TTL_SECONDS: '30', ...options.env },
  });
  open.push(stack);
  return stack;
}

function cacheOf(stack: Stack): GraphQLResponseCache {
  if (!stack.responseCache) throw new Error('this stack has no response cache');
  return stack.responseCache;
}

describe('the response cache', () => {
  it('answers a repeated query without executing it: no upstream call, the same data, a cost of 0 calls', async () => {
    const stack = await stackWith();
    const cache = cacheOf(stack);
    const first = await stack.gql<AddressData, never>(Addresses, undefined, as(READER_A));
    expect(first.errors).toBeUndefined();
    expect(stack.upstreamCalls).toHaveLength(1);
    expect(cache.stats).toEqual({ hit: 0, miss: 1, skip: 0 });

    const second = await stack.gql<AddressData, never>(Addresses, undefined, as(READER_A));
    expect(cache.stats.hit).toBe(1);
    expect(stack.upstreamCalls).toHaveLength(1);
    expect(second.data).toEqual(first.data);
    expect(second.extensions?.cost).toEqual({ ...(first.extensions?.cost as object), upstreamCalls: 0 });
    expect(second.extensions?.stale).toBeUndefined();
  });

  it('never serves one client key’s answer to another, whatever their scopes', async () => {
    const stack = await stackWith();
    const cache = cacheOf(stack);
    await stack.gql(Addresses, undefined, as(READER_A));
    const other = await stack.gql<AddressData, never>(Addresses, undefined, as(READER_B));
    expect(other.errors).toBeUndefined();
    expect(cache.stats).toEqual({ hit: 0, miss: 2, skip: 0 });
    // A key without `read` gets its refusal, not the readers' cached answer.
    const refused = await stack.gql<Partial<AddressData>, never>(Addresses, undefined, as(SENDER));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.data?.inboundAddresses ?? null).toBeNull();
    expect(cache.stats.hit).toBe(0);
  });

  it('keeps an answer only while every entity-cache entry it was built from is fresh', async () => {
    let now = 1_000_000;
    const stack = await stackWith({ now: () => now });
    const cache = cacheOf(stack);
    await stack.gql(Addresses, undefined, as(READER_A)); // the list entry: fresh until +30 s
    now += 20_000;
    // Another document built from the same entry: kept for the 10 s the entry has left, not for 30.
    await stack.gql(AddressesWithTarget, undefined, as(READER_A));
    expect(stack.upstreamCalls).toHaveLength(1);
    now += 9_000;
    await stack.gql(AddressesWithTarget, undefined, as(READER_A));
    expect(cache.stats.hit).toBe(1);
    now += 2_000;
    await stack.gql(AddressesWithTarget, undefined, as(READER_A));
    expect(cache.stats.hit).toBe(1);
    expect(stack.upstreamCalls).toHaveLength(2);
  });

  it('is off without an entity cache (TTL 0): every answer is executed', async () => {
    const stack = await stackWith({ env: { MAILGRAPH_CACHE_TTL_SECONDS: '0' } });
    expect(stack.responseCache).toBeUndefined();
    await stack.gql(Addresses, undefined, as(READER_A));
    await stack.gql(Addresses, undefined, as(READER_A));
    expect(stack.upstreamCalls).toHaveLength(2);
  });

  it('never keeps rateLimits, whose answer changes with every call anyone makes', async () => {
    const stack = await stackWith();
    const cache = cacheOf(stack);
    await stack.gql(Limits, undefined, as(READER_A));
    await stack.gql(Limits, undefined, as(READER_A));
    expect(cache.stats.hit).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('drops the answers a mutation makes outdated: the new address is in the next list', async () => {
    const stack = await stackWith();
    const before = await stack.gql<AddressData, never>(
      parse('query All { inboundAddresses(first: 100) { nodes { id emailAddress } } }'),
      undefined,
      as(READER_A),
    );
    const created = await stack.gql<{ createInboundAddress: { address: { id: string } } }, never>(
      Create,
      undefined,
      as(READER_A),
    );
    expect(created.errors).toBeUndefined();
    const after = await stack.gql<AddressData, never>(
      parse('query All { inboundAddresses(first: 100) { nodes { id emailAddress } } }'),
      undefined,
      as(READER_A),
    );
    expect(after.data?.inboundAddresses.nodes).toHaveLength(
      (before.data?.inboundAddresses.nodes.length ?? 0) + 1,
    );
    expect(after.data?.inboundAddresses.nodes.map((node) => node.id)).toContain(
      created.data?.createInboundAddress.address.id,
    );
  });

  it('drops the answers a delivery event changes, on the first query after the webhook is acknowledged', async () => {
    const stack = await stackWith();
    const cache = cacheOf(stack);
    const first = await stack.gql<SummaryData, never>(Summaries, undefined, as(READER_A));
    const message = first.data?.outboundMessages.nodes.find((node) => node.recipients.length > 0);
    const recipient = message?.recipients[0];
    if (!message || !recipient) throw new Error('the demo data has outbound messages with recipients');
    const kind = recipient.lastEvent === 'BOUNCE' ? 'delivery' : 'bounce';
    // Cached now: a repeat is a hit.
    await stack.gql(Summaries, undefined, as(READER_A));
    expect(cache.stats.hit).toBe(1);

    const auth = Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64');
    const response = await fetch(`${stack.url}/webhooks/cloudmailin/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${auth}` },
      body: JSON.stringify({
        events: [
          {
            kind,
            recipient: recipient.email,
            message_id: message.messageUuid,
            timestamp: new Date(Date.now() + 60_000).toISOString(),
            details: {},
          },
        ],
      }),
    });
    expect(response.status).toBe(200);

    const after = await stack.gql<SummaryData, never>(Summaries, undefined, as(READER_A));
    expect(cache.stats.hit).toBe(1);
    const changed = after.data?.outboundMessages.nodes.find(
      (node) => node.messageUuid === message.messageUuid,
    );
    expect(changed?.recipients.find((r) => r.email === recipient.email)?.lastEvent).toBe(kind.toUpperCase());
  });
});

describe('GraphQLResponseCache on its own', () => {
  function bare(now = () => 0) {
    return new GraphQLResponseCache({ ttlSeconds: 30, principalOf: () => 'p', now });
  }
  const answer = { data: { x: 1 }, extensions: { cost: { requested: 1, limit: 10, upstreamCalls: 1 } } };

  /** What the plugin does for one execution: the TTL decision, then `set` with the entities it collected. */
  function store(
    cache: GraphQLResponseCache,
    id: string,
    context: object,
    entities: Array<{ typename: string; id?: string }> = [],
  ) {
    const ttl = (cache as unknown as { decideTtl(p: number, c: object): number }).decideTtl(30_000, context);
    if (ttl > 0) cache.set(id, answer, entities, ttl);
  }

  it('drops answers by entity-cache prefix, by topic and by typed id, and nothing else', async () => {
    const { bindRequestScope, runInRequestScope, recordEntityRead, recordTopicRead } = await import(
      '../src/upstream/request-scope.js'
    );
    const cache = bare();
    const built = (
      id: string,
      reads: () => void,
      entities: Array<{ typename: string; id?: string }> = [],
    ) => {
      const context = { upstream: { stale: false } };
      const scope = { upstreamCalls: 0 };
      bindRequestScope(context, scope);
      runInRequestScope(scope, reads);
      store(cache, id, context, entities);
    };
    built('list', () => recordEntityRead('m', '/acc/addresses', 30_000));
    built('one', () => recordEntityRead('m', '/acc/addresses/x', 30_000));
    built('archive', () => recordEntityRead('m', '/acc/addresses_archive', 30_000));
    built('events', () => recordTopicRead('message:abc'));
    built('typed', () => undefined, [{ typename: 'InboundAddress', id: 'SW5ib3VuZA' }]);
    expect(cache.size).toBe(5);

    cache.invalidateEntries('m', ['/acc/addresses']);
    expect(cache.get('list')).toBeUndefined();
    expect(cache.get('one')).toBeUndefined();
    expect(cache.get('archive')).toBeDefined();
    cache.invalidateTopics(['message:other']);
    expect(cache.get('events')).toBeDefined();
    cache.invalidateTopics(['message:abc']);
    expect(cache.get('events')).toBeUndefined();
    cache.invalidate([{ typename: 'InboundAddress', id: 'SW5ib3VuZA' }]);
    expect(cache.get('typed')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('does not keep an answer whose input was invalidated while it was being built', async () => {
    const { bindRequestScope, runInRequestScope, recordEntityRead } = await import(
      '../src/upstream/request-scope.js'
    );
    const cache = bare();
    const plugin = cache.plugins()[0] as { onExecute: (p: { args: { contextValue: object } }) => void };
    const context = { upstream: { stale: false } };
    const scope = { upstreamCalls: 0 };
    bindRequestScope(context, scope);
    plugin.onExecute({ args: { contextValue: context } });
    runInRequestScope(scope, () => recordEntityRead('m', '/acc/addresses', 30_000));
    // A write lands after the read and before the answer is stored.
    cache.invalidateEntries('m', ['/acc/addresses']);
    store(cache, 'raced', context);
    expect(cache.size).toBe(0);
    expect(cache.stats).toEqual({ hit: 0, miss: 0, skip: 1 });
  });

  it('does not keep a stale answer, nor one built from an entry that is no longer fresh', async () => {
    const { bindRequestScope, runInRequestScope, recordEntityRead } = await import(
      '../src/upstream/request-scope.js'
    );
    const cache = bare(() => 50_000);
    const stale = { upstream: { stale: true } };
    bindRequestScope(stale, { upstreamCalls: 0 });
    store(cache, 'stale', stale);
    const expired = { upstream: { stale: false } };
    const scope = { upstreamCalls: 0 };
    bindRequestScope(expired, scope);
    runInRequestScope(scope, () => recordEntityRead('m', '/acc/addresses', 40_000));
    store(cache, 'expired', expired);
    expect(cache.size).toBe(0);
    expect(cache.stats.skip).toBe(2);
  });
});
