/**
 * Two mailgraph instances of one deployment: two stacks sharing one Redis prefix (REDIS_URL) and one
 * emulator, as two processes behind a load balancer would. What one instance learns or spends, the other
 * sees: events, the response cache and its invalidation, the CloudMailin rate budget, idempotency keys.
 * Counts calls at the emulator, never timings.
 */
import { parse } from 'graphql';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_WEBHOOK } from '../../src/demo-accounts.js';
import { DEMO_CLOUDMAILIN } from '../../src/sandbox/demo-data.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { TEST_REDIS_URL, dropPrefixes, testPrefix } from '../helpers/redis.js';
import { collectSse } from '../helpers/sse.js';
import { type Stack, expectTypename, startStack } from '../helpers/stack.js';

const prefixes: string[] = [];
const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.close();
});
afterAll(() => dropPrefixes(prefixes));

/** An emulator and two instances over one Redis prefix. */
async function deployment(options: { rateLimits: boolean }): Promise<{
  emulator: Sandbox;
  a: Stack;
  b: Stack;
}> {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const emulator = await startSandbox({ rateLimits: options.rateLimits });
  running.push(emulator);
  const env = {
    CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: options.rateLimits ? '5' : '0',
    MAILGRAPH_RATE_LIMIT_WAIT_MS: '0',
  };
  const a = await startStack({ emulator, redis: { url: TEST_REDIS_URL, prefix }, env });
  running.push(a);
  const b = await startStack({ emulator, redis: { url: TEST_REDIS_URL, prefix }, env });
  running.push(b);
  return { emulator, a, b };
}

/** Calls that count towards CloudMailin's management limit (everything but sends). */
function managementCalls(emulator: Sandbox) {
  return emulator.calls.filter(
    (call) => call.path.startsWith('/cloudmailin/') && !call.path.endsWith('/messages'),
  );
}

const Addresses = parse(
  'query InstancesAddresses { inboundAddresses(first: 5) { nodes { addressId nickname } } }',
);
const Address = parse('query InstancesAddress($id: ID!) { inboundAddress(id: $id) { addressId nickname } }');
const Rename = parse(`
  mutation InstancesRename($id: ID!, $nickname: String!) {
    updateInboundAddress(input: { id: $id, nickname: $nickname }) {
      __typename
      ... on UpdateInboundAddressPayload { address { nickname } }
      ... on Error { code message }
    }
  }
`);
const Statuses = parse(`
  query InstancesStatuses($id: ID!) { incomingStatuses(addressId: $id, first: 1) { nodes { id } } }
`);
const Domains = parse(`
  query InstancesDomains($id: ID!) { customDomains(addressId: $id, first: 1) { nodes { id } } }
`);
const Send = parse(`
  mutation InstancesSend($input: SendEmailInput!) {
    sendEmail(input: $input) {
      __typename
      ... on SendEmailPayload { replayed email { messageId } }
      ... on Error { code message }
    }
  }
`);

describe('two instances over one Redis', () => {
  it('a webhook posted to one instance reaches a subscriber of the other, live', async () => {
    const { a, b } = await deployment({ rateLimits: false });
    const messageId = `two-instances-${Date.now()}`;
    const auth = `Basic ${Buffer.from(`${SANDBOX_WEBHOOK.user}:${SANDBOX_WEBHOOK.pass}`).toString('base64')}`;
    const statuses: number[] = [];
    const post = async (kind: string) => {
      const response = await fetch(`${a.url}/webhooks/cloudmailin/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({ events: [{ kind, recipient: 'x@example.net', message_id: messageId }] }),
      });
      statuses.push(response.status);
    };
    // The second event is posted only once B has delivered the first: B's subscription is past its replay
    // of the log by then, so the second can only come through the live fan-out (the Redis Stream).
    const received = await collectSse<{ messageEvents: { kind: string; messageId: string } }>(
      b.url,
      'subscription($m: String) { messageEvents(messageId: $m) { messageId kind } }',
      { m: messageId },
      2,
      () => post('registration'),
      10_000,
      () => post('delivery'),
    );
    expect(statuses).toEqual([200, 200]);
    // On failure, say whether B's log had the events (a fan-out problem) or not (a storage problem).
    const storedOnB =
      received.length < 2 ? await b.events.read({ topic: `message:${messageId}`, limit: 5 }) : [];
    expect(
      received.map((message) => message.data?.messageEvents),
      `received ${JSON.stringify(received)}; in the log: ${storedOnB.length}`,
    ).toEqual([
      { messageId, kind: 'REGISTRATION' },
      { messageId, kind: 'DELIVERY' },
    ]);
  });

  it("shares CloudMailin's 5 calls a minute: together they make at most 5, and no 429", async () => {
    const { emulator, a, b } = await deployment({ rateLimits: true });
    const ids = Object.values(DEMO_CLOUDMAILIN.addressIds);
    const codes: string[] = [];
    // Eight different reads, alternating between the instances: no cache can stand in.
    for (const id of ids) {
      for (const [stack, document] of [
        [a, Statuses],
        [b, Domains],
      ] as const) {
        const result = await stack.gql(document, { id });
        codes.push(...(result.errors ?? []).map((error) => String(error.extensions?.code)));
      }
    }
    const calls = managementCalls(emulator);
    expect(calls.filter((call) => call.status === 429)).toEqual([]);
    expect(calls).toHaveLength(5);
    expect(codes).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    // Both instances report the same budget.
    const limits = parse('query InstancesLimits { rateLimits { provider used remaining } }');
    const [fromA, fromB] = await Promise.all([a.gql(limits), b.gql(limits)]);
    expect(fromA.data).toEqual(fromB.data);
    expect(fromA.data).toMatchObject({
      rateLimits: expect.arrayContaining([{ provider: 'CLOUDMAILIN', used: 5, remaining: 0 }]),
    });
  });

  it('an answer cached by one instance is served by the other without an upstream call', async () => {
    const { emulator, a, b } = await deployment({ rateLimits: false });
    const first = await a.gql(Addresses);
    expect(a.upstreamCalls.length).toBeGreaterThan(0);
    const before = emulator.calls.length;
    const second = await b.gql(Addresses);
    expect(second.data).toEqual(first.data);
    expect(b.upstreamCalls).toHaveLength(0);
    expect(emulator.calls.length).toBe(before);
  });

  it("a write through one instance drops the other's cached answer, and primes the written object for both", async () => {
    const { a, b } = await deployment({ rateLimits: false });
    const id = DEMO_CLOUDMAILIN.addressIds.support;
    await a.gql(Addresses);
    await a.gql(Address, { id });
    const nickname = `renamed-${Date.now()}`;
    const renamed = await b.gql(Rename, { id, nickname });
    expectTypename(
      (renamed.data as { updateInboundAddress: { __typename: string } }).updateInboundAddress,
      'UpdateInboundAddressPayload',
    );
    const callsBefore = a.upstreamCalls.length;
    // The list was invalidated by B's write: A reads it again (one call) and sees the new nickname.
    const list = (await a.gql(Addresses)).data as {
      inboundAddresses: { nodes: Array<{ addressId: string; nickname: string }> };
    };
    expect(list.inboundAddresses.nodes.find((node) => node.addressId === id)?.nickname).toBe(nickname);
    expect(a.upstreamCalls.length).toBe(callsBefore + 1);
    // The address itself is the object B's write answered, already in the shared cache: no call.
    expect((await a.gql(Address, { id })).data).toEqual({ inboundAddress: { addressId: id, nickname } });
    expect(a.upstreamCalls.length).toBe(callsBefore + 1);
  });

  it('an idempotency key used on one instance replays on the other without a second send', async () => {
    const { emulator, a, b } = await deployment({ rateLimits: false });
    const input = {
      provider: 'CLOUDMAILIN',
      from: { email: 'sender@example.com' },
      to: [{ email: 'recipient@example.net' }],
      subject: 'Once across instances',
      text: 'Hello',
      idempotencyKey: `instances-${Date.now()}`,
    };
    const sends = () =>
      emulator.calls.filter((call) => call.method === 'POST' && call.path.endsWith('/messages'));
    type SendResult = {
      sendEmail: { __typename: string; replayed?: boolean; email?: { messageId: string } };
    };
    const first = (await a.gql(Send, { input })).data as SendResult;
    const second = (await b.gql(Send, { input })).data as SendResult;
    expect(first.sendEmail).toMatchObject({ __typename: 'SendEmailPayload', replayed: false });
    expect(second.sendEmail).toEqual({ ...first.sendEmail, replayed: true });
    expect(sends()).toHaveLength(1);
  });
});
