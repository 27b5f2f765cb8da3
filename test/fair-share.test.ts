/**
 * Issue 8 item 4: one client key can never starve the others of a shared upstream budget. Every budget
 * gives each configured key a fair share (src/upstream/rate-budget.ts, docs/decisions.md "Fair shares").
 */
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_CLOUDFLARE } from '../src/demo-accounts.js';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { type GraphQLResponse, type Stack, globalId, startStack } from './helpers/stack.js';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';
const asA = { authorization: `Bearer ${KEY_A}` };
const asB = { authorization: `Bearer ${KEY_B}` };

const OutboundEvents = parse(`
  query FairOutboundEvents {
    outboundMessages(first: 20) { edges { node { messageUuid recipients { events { kind } } } } }
  }
`);
const TwoReads = parse(`
  query FairTwoReads($domain: ID!) {
    inboundAddresses(first: 5) { edges { node { addressId } } }
    sendingDomain(id: $domain) { id }
  }
`);
const Nodes = parse('query FairNodes($ids: [ID!]!) { nodes(ids: $ids) { id } }');
const CloudflareSend = parse(`
  mutation FairCloudflareSend {
    sendEmail(input: { provider: CLOUDFLARE, from: { email: "sender@mail.example.com" }, to: [{ email: "b@example.net" }], subject: "s", text: "t" }) {
      __typename
      ... on Error { code message }
    }
  }
`);

const stacks: Stack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});

async function stackWith(options: Parameters<typeof startStack>[0]): Promise<Stack> {
  const stack = await startStack(options);
  stacks.push(stack);
  return stack;
}

function upstreamCallsOf(result: GraphQLResponse<unknown>): number {
  return (result.extensions?.cost as { upstreamCalls: number }).upstreamCalls;
}

describe('fair shares of a shared upstream budget', () => {
  it("CloudMailin's 5 calls a minute: key A's many reads leave key B its share", async () => {
    const clock = Date.parse('2026-11-21T12:00:00Z');
    const stack = await stackWith({
      now: () => clock,
      sandbox: { rateLimits: true },
      env: {
        MAILGRAPH_SANDBOX_RATE_LIMITS: 'true',
        MAILGRAPH_RATE_LIMIT_WAIT_MS: '0',
        MAILGRAPH_API_KEYS: `${KEY_A}:read,${KEY_B}:read`,
      },
    });
    // A wants 21 calls; alone, it may take all but the floor(5 / 2) = 2 kept for the other key.
    const first = await stack.gql(OutboundEvents, undefined, asA);
    expect(upstreamCallsOf(first)).toBe(3);
    const again = await stack.gql(OutboundEvents, undefined, asA);
    expect(upstreamCallsOf(again)).toBe(0);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', provider: 'CLOUDMAILIN' });
    expect(again.errors?.[0]?.message).toContain('fair share');

    const b = await stack.gql(TwoReads, { domain: DEMO_CLOUDMAILIN.sendingDomainIds.verified }, asB);
    expect(b.errors).toBeUndefined();
    expect(upstreamCallsOf(b)).toBe(2);
    // mailgraph stayed under the provider's limit throughout: no 429 reached it.
    expect(stack.sandbox.calls).toHaveLength(5);
    expect(stack.sandbox.calls.every((call) => call.status === 200)).toBe(true);
  });

  it("the issue's case: one key's burst of Cloudflare reads does not refuse another key's sends for the window", async () => {
    const stack = await stackWith({
      env: {
        MAILGRAPH_RATE_LIMIT_WAIT_MS: '0',
        MAILGRAPH_API_KEYS: `${KEY_A}:read,${KEY_B}:send`,
      },
    });
    const zone = SANDBOX_CLOUDFLARE.zoneIds[0];
    // 13 requests of 100 subdomain ids that do not exist: 1,300 calls asked of a 1,200-call budget.
    let asked = 0;
    let made = 0;
    for (let request = 0; request < 13; request++) {
      const ids = Array.from({ length: 100 }, (_, i) => {
        const tag = (request * 100 + i).toString(16).padStart(32, '0');
        return globalId('CloudflareSendingSubdomain', `${zone}/${tag}`);
      });
      const result = await stack.gql(Nodes, { ids }, asA);
      asked += ids.length;
      made += upstreamCallsOf(result);
    }
    const sent = await stack.gql(CloudflareSend, undefined, asB);
    expect(sent.data).toEqual({ sendEmail: { __typename: 'SendEmailPayload' } });
    // Alone, A could take all but the half kept for the other configured key.
    expect(asked).toBe(1300);
    expect(made).toBe(600);
  });
});
