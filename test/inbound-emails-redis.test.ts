/**
 * Inbound mail across two instances of one deployment (two stacks over one Redis prefix and one emulator):
 * a mail posted to one instance's webhook is listed by the other with its large attachment (from the Redis
 * blob store), reaches the other's subscribers, and makes the other's `incomingStatuses` fresh too (the
 * cache and its invalidation are shared). Counts calls and events, never timings.
 */
import { parse } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_WEBHOOK } from '../src/demo-accounts.js';
import { INLINE_PART_BYTES } from '../src/events/inbound.js';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { type Sandbox, startSandbox } from '../src/sandbox/server.js';
import { TEST_REDIS_URL, dropPrefixes, testPrefix } from './helpers/redis.js';
import { type Stack, startStack } from './helpers/stack.js';

const prefix = testPrefix();
const running: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const item of running.reverse()) await item.close();
  await dropPrefixes([prefix]);
});

const address = DEMO_CLOUDMAILIN.addressIds.replies;

async function deployment(): Promise<{ emulator: Sandbox; a: Stack; b: Stack }> {
  const emulator = await startSandbox({ rateLimits: false, logger: { warn: () => {} } });
  running.push(emulator);
  const a = await startStack({ emulator, redis: { url: TEST_REDIS_URL, prefix } });
  running.push(a);
  const b = await startStack({ emulator, redis: { url: TEST_REDIS_URL, prefix } });
  running.push(b);
  // The emulator posts to instance a.
  emulator.setWebhookTarget({ url: a.url, auth: SANDBOX_WEBHOOK });
  return { emulator, a, b };
}

describe('inbound mail over Redis', () => {
  it('is posted to one instance and read, followed and fresh on the other', async () => {
    const { emulator, a, b } = await deployment();
    const STATUSES = parse(
      `query($addressId: ID!) { incomingStatuses(addressId: $addressId, first: 2) { nodes { subject } } }`,
    );
    const statusCalls = () =>
      emulator.calls.filter((call) => call.path.endsWith('/incoming_statuses')).length;
    await b.gql(STATUSES, { addressId: address } as never);
    await b.gql(STATUSES, { addressId: address } as never);
    const warm = statusCalls();

    const big = Buffer.alloc(INLINE_PART_BYTES * 2, 0x5a);
    const SUBSCRIBE = `subscription($addressId: ID!) { inboundEmailReceived(addressId: $addressId) { subject attachments { contentBase64 } } }`;
    const controller = new AbortController();
    const response = await fetch(`${b.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: SUBSCRIBE, variables: { addressId: address } }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const simulated = await a.gql(
      parse(`mutation($input: SimulateInboundEmailInput!) {
        simulateInboundEmail(input: $input) { __typename ... on SimulateInboundEmailPayload { httpStatus email { id } } }
      }`),
      {
        input: {
          addressId: address,
          from: 'a@example.com',
          subject: 'Across instances',
          text: 'x',
          attachments: [
            {
              filename: 'big.bin',
              contentType: 'application/octet-stream',
              contentBase64: big.toString('base64'),
            },
          ],
        },
      } as never,
    );
    const payload = (
      simulated.data as { simulateInboundEmail: { httpStatus: number; email: { id: string } } }
    ).simulateInboundEmail;
    expect(payload.httpStatus).toBe(200);

    // b's subscriber gets it (one event), attachment content included.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let data = '';
    while (data === '') {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0 && data === ''; end = buffer.indexOf('\n\n')) {
        // Frames without data (keep-alives) are skipped.
        data = buffer
          .slice(0, end)
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('');
        buffer = buffer.slice(end + 2);
      }
    }
    controller.abort();
    expect(JSON.parse(data)).toEqual({
      data: {
        inboundEmailReceived: {
          subject: 'Across instances',
          attachments: [{ contentBase64: big.toString('base64') }],
        },
      },
    });

    // b lists it, and finds it by id.
    const listed = await b.gql(
      parse(
        `query($addressId: ID!) { inboundEmails(addressId: $addressId, first: 1) { nodes { id subject } } }`,
      ),
      { addressId: address } as never,
    );
    expect(listed.data).toEqual({
      inboundEmails: { nodes: [{ id: payload.email.id, subject: 'Across instances' }] },
    });

    // b's cached status pages were forgotten by a: one call, and the new mail is on top.
    const fresh = await b.gql(STATUSES, { addressId: address } as never);
    expect(
      (fresh.data as { incomingStatuses: { nodes: Array<{ subject: string }> } }).incomingStatuses.nodes[0],
    ).toEqual({
      subject: 'Across instances',
    });
    expect(statusCalls()).toBe(warm + 1);
  });
});
