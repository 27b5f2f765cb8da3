/**
 * The economy of the CloudMailin client: cache, invalidation, in-flight de-duplication, the rate budget
 * (with an injected clock), stale fallback, 429 penalties, credential scopes, and the outbound reads'
 * one credential (the account API key). Every test counts the calls that reached the mock exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError, SendOutcomeUnknownError, UpstreamError } from '../../src/errors.js';
import {
  ACCT,
  API_KEY,
  BASE,
  type Harness,
  SMTP_USER,
  address,
  closeHarnesses,
  customDomain,
  harness,
  header,
  outboundMessage,
  recordCacheReads,
  sendingDomain,
  sentMessage,
} from './helpers.js';

/** The budget window: 60 s plus a second of margin for latency and clock skew. */
const WINDOW_MS = 61_000;

let h: Harness;

afterEach(closeHarnesses);

function getAddressReplies(id: string, times = 1, body: object = address(id)) {
  h.pool
    .intercept({ path: `${ACCT}/addresses/${id}`, method: 'GET' })
    .reply(200, body)
    .times(times);
}

describe('cache', () => {
  it('serves a repeat read within the TTL without a call, and calls again once it expires', async () => {
    h = harness({ config: { ratePerMinute: 0 } });
    getAddressReplies('a1', 1, address('a1', { nickname: 'v1' }));
    await expect(h.client.getAddress('a1')).resolves.toEqual({
      data: address('a1', { nickname: 'v1' }),
      stale: false,
    });
    h.clock.now += 29_999;
    await expect(h.client.getAddress('a1')).resolves.toMatchObject({
      data: { nickname: 'v1' },
      stale: false,
    });
    expect(h.history()).toHaveLength(1);

    getAddressReplies('a1', 1, address('a1', { nickname: 'v2' }));
    h.clock.now += 1;
    await expect(h.client.getAddress('a1')).resolves.toMatchObject({
      data: { nickname: 'v2' },
      stale: false,
    });
    expect(h.history()).toHaveLength(2);
  });

  it('keys by the full query string', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/sending_domains?query=a`, method: 'GET' })
      .reply(200, [sendingDomain('s1')]);
    h.pool.intercept({ path: `${ACCT}/sending_domains?query=b`, method: 'GET' }).reply(200, []);
    h.pool.intercept({ path: `${ACCT}/sending_domains?query=a&page=2`, method: 'GET' }).reply(200, []);
    await h.client.listSendingDomains({ query: 'a' });
    await h.client.listSendingDomains({ query: 'b' });
    await h.client.listSendingDomains({ query: 'a', page: 2 });
    expect(h.history()).toHaveLength(3);
    await expect(h.client.listSendingDomains({ query: 'a' })).resolves.toMatchObject({
      data: [{ id: 's1' }],
    });
    await expect(h.client.listSendingDomains({ query: 'b' })).resolves.toMatchObject({ data: [] });
    expect(h.history()).toHaveLength(3);
  });

  it('never caches an error', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(404, { status: 404, error: 'Not Found' });
    getAddressReplies('a1');
    await expect(h.client.getAddress('a1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.client.getAddress('a1')).resolves.toMatchObject({ data: { id: 'a1' } });
    expect(h.history()).toHaveLength(2);
  });

  it('a list of addresses or sending domains primes the single-object reads', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'GET' }).reply(200, [address('a1'), address('a2')]);
    h.pool.intercept({ path: `${ACCT}/sending_domains`, method: 'GET' }).reply(200, [sendingDomain('s1')]);
    await h.client.listAddresses();
    await h.client.listSendingDomains({});
    await expect(h.client.getAddress('a2')).resolves.toEqual({ data: address('a2'), stale: false });
    await expect(h.client.getSendingDomain('s1')).resolves.toEqual({
      data: sendingDomain('s1'),
      stale: false,
    });
    expect(h.history()).toHaveLength(2);
  });

  it('a list of outbound messages does not prime the show read (the list lacks events)', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}`, method: 'GET' })
      .reply(200, [outboundMessage('m1')]);
    h.pool
      .intercept({ path: `${ACCT}/outbound_messages/m1`, method: 'GET' })
      .reply(200, outboundMessage('m1', true));
    await h.client.listOutboundMessages({});
    const shown = await h.client.getOutboundMessage('m1');
    expect(shown.data.recipients[0]?.events).toHaveLength(1);
    expect(h.history()).toHaveLength(2);
  });
});

describe('invalidation by mutations', () => {
  it('creating an address drops the cached address list', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'GET' }).reply(200, [address('a1')]);
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'POST' }).reply(201, address('a2'));
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'GET' }).reply(200, [address('a1'), address('a2')]);
    await h.client.listAddresses();
    await h.client.listAddresses();
    expect(h.history()).toHaveLength(1);
    await h.client.createAddress({ target: 'https://x', target_format: 'json+n' });
    await expect(h.client.listAddresses()).resolves.toMatchObject({ data: [{ id: 'a1' }, { id: 'a2' }] });
    expect(h.history()).toHaveLength(3);
    // The created address was primed from the create response.
    await h.client.getAddress('a2');
    expect(h.history()).toHaveLength(3);
  });

  it('updating an address drops the list and the single read', async () => {
    h = harness();
    getAddressReplies('a1', 1, address('a1', { nickname: 'old' }));
    h.pool
      .intercept({ path: `${ACCT}/addresses`, method: 'GET' })
      .reply(200, [address('a1', { nickname: 'old' })]);
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'PUT' })
      .reply(200, address('a1', { nickname: 'new' }));
    h.pool
      .intercept({ path: `${ACCT}/addresses`, method: 'GET' })
      .reply(200, [address('a1', { nickname: 'new' })]);
    await h.client.getAddress('a1');
    await h.client.listAddresses();
    await h.client.updateAddress('a1', {
      target: 'https://example.com/a1',
      target_format: 'json+n',
      nickname: 'new',
    });
    await expect(h.client.getAddress('a1')).resolves.toMatchObject({ data: { nickname: 'new' } });
    await expect(h.client.listAddresses()).resolves.toMatchObject({ data: [{ nickname: 'new' }] });
    expect(h.history()).toHaveLength(4);
  });

  it("deleting an address drops its custom domains and incoming statuses, not another address's", async () => {
    h = harness({ config: { ratePerMinute: 0 } });
    for (const id of ['a1', 'a2']) {
      h.pool.intercept({ path: `${ACCT}/custom_domains?address_id=${id}`, method: 'GET' }).reply(200, []);
      h.pool
        .intercept({ path: `${ACCT}/incoming_statuses?address_id=${id}&page=2`, method: 'GET' })
        .reply(200, []);
    }
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'DELETE' }).reply(202, address('a1'));
    h.pool.intercept({ path: `${ACCT}/custom_domains?address_id=a1`, method: 'GET' }).reply(404, '');
    h.pool
      .intercept({ path: `${ACCT}/incoming_statuses?address_id=a1&page=2`, method: 'GET' })
      .reply(404, '');
    for (const addressId of ['a1', 'a2']) {
      await h.client.listCustomDomains({ addressId });
      await h.client.listIncomingStatuses({ addressId, page: 2 });
    }
    expect(h.history()).toHaveLength(4);
    await h.client.deleteAddress('a1');
    await expect(h.client.listCustomDomains({ addressId: 'a1' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(h.client.listIncomingStatuses({ addressId: 'a1', page: 2 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await h.client.listCustomDomains({ addressId: 'a2' });
    await h.client.listIncomingStatuses({ addressId: 'a2', page: 2 });
    expect(h.history()).toHaveLength(7);
  });

  it('creating or deleting a custom domain drops that address list', async () => {
    h = harness({ config: { ratePerMinute: 0 } });
    h.pool
      .intercept({ path: `${ACCT}/custom_domains?address_id=a1`, method: 'GET' })
      .reply(200, [])
      .times(3);
    h.pool
      .intercept({ path: `${ACCT}/custom_domains?address_id=a1`, method: 'POST' })
      .reply(201, customDomain('d1'));
    h.pool
      .intercept({ path: `${ACCT}/custom_domains/d1?address_id=a1`, method: 'DELETE' })
      .reply(202, customDomain('d1'));
    await h.client.listCustomDomains({ addressId: 'a1' });
    await h.client.createCustomDomain('a1', { domain: 'example.com' });
    await h.client.listCustomDomains({ addressId: 'a1' });
    await h.client.deleteCustomDomain('a1', 'd1');
    await h.client.listCustomDomains({ addressId: 'a1' });
    expect(h.history()).toHaveLength(5);
  });

  it('an accepted send keeps the cached first page of the outbound list and records the message until a fetch of that page settles it', async () => {
    h = harness();
    const list = `${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}`;
    h.pool.intercept({ path: list, method: 'GET' }).reply(200, []);
    h.pool.intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' }).reply(202, sentMessage);
    h.pool.intercept({ path: list, method: 'GET' }).reply(200, [outboundMessage(sentMessage.id)]);
    await h.client.listOutboundMessages({});
    h.clock.now += 1;
    await h.client.sendMessage({ from: 'a@x.com', to: ['b@x.com'], plain: 'hi' });
    // The page is still the cached one; the send is what the graph lays over it.
    await expect(h.client.listOutboundMessages({})).resolves.toMatchObject({ data: [] });
    expect(h.client.recentSends()).toEqual([{ message: sentMessage, acceptedAt: h.clock.now }]);
    expect(h.history()).toHaveLength(2);

    // Once the TTL has passed, the page fetched after the send is the provider's word on it.
    h.clock.now += 30_000;
    await expect(h.client.listOutboundMessages({})).resolves.toMatchObject({
      data: [{ id: sentMessage.id }],
    });
    expect(h.client.recentSends()).toEqual([]);
    expect(h.history()).toHaveLength(3);
  });

  it('a fetch of the first page that started before the send was accepted does not settle it, unless it lists it', async () => {
    h = harness();
    const list = `${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}`;
    h.pool.intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' }).reply(202, sentMessage);
    h.pool.intercept({ path: list, method: 'GET' }).reply(200, []);
    h.pool.intercept({ path: list, method: 'GET' }).reply(200, [outboundMessage(sentMessage.id)]);
    // The same instant: the list call may have reached the provider before the message did.
    await h.client.sendMessage({ from: 'a@x.com', to: ['b@x.com'], plain: 'hi' });
    await h.client.listOutboundMessages({});
    expect(h.client.recentSends().map((record) => record.message.id)).toEqual([sentMessage.id]);
    // Another instance (the same shared cache) fetches the page; this one reads it from the cache.
    h.clock.now += 30_000;
    await h.makeClient().listOutboundMessages({});
    expect(h.client.recentSends()).toHaveLength(1);
    await h.client.listOutboundMessages({});
    expect(h.client.recentSends()).toEqual([]);
    expect(h.history()).toHaveLength(3);
  });

  it('an accepted send drops the other outbound list pages read (a query, a later page); test_mode and a refused send drop nothing', async () => {
    h = harness();
    const list = `${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}`;
    const send = { path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' };
    h.pool.intercept({ path: list, method: 'GET' }).reply(200, []);
    h.pool
      .intercept({ path: `${list}&query=hello`, method: 'GET' })
      .reply(200, [])
      .times(2);
    h.pool
      .intercept({ path: `${list}&page=2`, method: 'GET' })
      .reply(200, [])
      .times(2);
    h.pool.intercept(send).reply(202, { ...sentMessage, test_mode: true });
    h.pool.intercept(send).reply(422, { status: 422, error: 'bad from' });
    h.pool.intercept(send).reply(202, sentMessage);
    const read = async () => {
      await h.client.listOutboundMessages({});
      await h.client.listOutboundMessages({ query: 'hello' });
      await h.client.listOutboundMessages({ page: 2 });
    };
    await read();
    expect(h.history()).toHaveLength(3);
    await h.client.sendMessage({ from: 'a@x.com', to: ['b@x.com'], plain: 'hi', test_mode: true });
    await expect(
      h.client.sendMessage({ from: 'a@x.com', to: ['b@x.com'], plain: 'hi' }),
    ).rejects.toMatchObject({
      message: 'bad from',
    });
    await read();
    expect(h.client.recentSends()).toEqual([]);
    expect(h.history()).toHaveLength(5);
    await h.client.sendMessage({ from: 'a@x.com', to: ['b@x.com'], plain: 'hi' });
    await read();
    // The query and page 2 again; the first page stays cached.
    expect(h.history()).toHaveLength(8);
    expect(h.client.recentSends()).toHaveLength(1);
  });

  it('a send whose outcome is unknown drops every outbound list and records nothing', async () => {
    h = harness();
    const list = `${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}`;
    h.pool.intercept({ path: list, method: 'GET' }).reply(200, []).times(2);
    h.pool.intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' }).reply(502, 'bad gateway');
    await h.client.listOutboundMessages({});
    await expect(
      h.client.sendMessage({ from: 'a@x.com', to: ['b@x.com'], plain: 'hi' }),
    ).rejects.toBeInstanceOf(SendOutcomeUnknownError);
    await h.client.listOutboundMessages({});
    expect(h.client.recentSends()).toEqual([]);
    expect(h.history()).toHaveLength(3);
  });

  it('create, verify and delete of a sending domain each drop the sending domain reads', async () => {
    h = harness({ config: { ratePerMinute: 0 } });
    const list = `${ACCT}/sending_domains`;
    h.pool
      .intercept({ path: list, method: 'GET' })
      .reply(200, [sendingDomain('s1')])
      .times(4);
    h.pool.intercept({ path: list, method: 'POST' }).reply(201, sendingDomain('s2'));
    h.pool
      .intercept({ path: `${list}/s1/verify`, method: 'POST' })
      .reply(422, sendingDomain('s1', { spf_verified: false }));
    h.pool.intercept({ path: `${list}/s1`, method: 'DELETE' }).reply(202, sendingDomain('s1'));
    await h.client.listSendingDomains({});
    await h.client.createSendingDomain('new.example');
    await h.client.listSendingDomains({});
    await h.client.verifySendingDomain('s1');
    // The verify response (the domain as checked) replaces the single read that the list primed.
    await expect(h.client.getSendingDomain('s1')).resolves.toMatchObject({ data: { spf_verified: false } });
    await h.client.listSendingDomains({});
    await h.client.deleteSendingDomain('s1');
    await h.client.listSendingDomains({});
    expect(h.history()).toHaveLength(7);
  });

  it('a failed mutation (422) invalidates nothing', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'GET' }).reply(200, [address('a1')]);
    h.pool
      .intercept({ path: `${ACCT}/addresses`, method: 'POST' })
      .reply(422, { status: 422, error: 'bad target' });
    await h.client.listAddresses();
    await expect(h.client.createAddress({ target: 'nope', target_format: 'json+n' })).rejects.toMatchObject({
      message: 'bad target',
    });
    await h.client.listAddresses();
    expect(h.history()).toHaveLength(2);
  });

  it('a mutation whose outcome is unknown (5xx, timeout) invalidates as if it had happened', async () => {
    h = harness({ config: { ratePerMinute: 0 } });
    h.pool
      .intercept({ path: `${ACCT}/addresses`, method: 'GET' })
      .reply(200, [address('a1')])
      .times(2);
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'POST' }).reply(500, '');
    await h.client.listAddresses();
    await expect(
      h.client.createAddress({ target: 'https://x', target_format: 'json+n' }),
    ).rejects.toMatchObject({
      code: 'SERVER_ERROR',
    });
    await h.client.listAddresses();
    expect(h.history()).toHaveLength(3);
  });

  it('a read in flight when a mutation lands is not cached', async () => {
    h = harness({ config: { ratePerMinute: 0 } });
    h.pool
      .intercept({ path: `${ACCT}/addresses`, method: 'GET' })
      .reply(200, [address('a1')])
      .delay(100);
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'POST' }).reply(201, address('a2'));
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'GET' }).reply(200, [address('a1'), address('a2')]);
    const before = h.client.listAddresses();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await h.client.createAddress({ target: 'https://x', target_format: 'json+n' });
    await expect(before).resolves.toMatchObject({ data: [{ id: 'a1' }] });
    await expect(h.client.listAddresses()).resolves.toMatchObject({ data: [{ id: 'a1' }, { id: 'a2' }] });
    expect(h.history()).toHaveLength(3);
  });
});

describe('in-flight de-duplication', () => {
  it('10 concurrent identical reads make one call and take one budget slot', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(200, address('a1'))
      .delay(30);
    const results = await Promise.all(Array.from({ length: 10 }, () => h.client.getAddress('a1')));
    expect(h.history()).toHaveLength(1);
    expect(results.every((result) => result.data.id === 'a1' && !result.stale)).toBe(true);
    // Four more distinct reads fit the budget of five without waiting: the ten used one slot.
    for (const id of ['b1', 'b2', 'b3', 'b4']) getAddressReplies(id);
    for (const id of ['b1', 'b2', 'b3', 'b4']) await h.client.getAddress(id);
    expect(h.sleeps).toEqual([]);
    expect(h.history()).toHaveLength(5);
  });

  it('concurrent identical reads share a failure too', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(403, '')
      .delay(30);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => h.client.getAddress('a1')));
    expect(results.map((result) => result.status)).toEqual(Array(5).fill('rejected'));
    expect(h.history()).toHaveLength(1);
  });

  it('different reads are not merged', async () => {
    h = harness();
    getAddressReplies('a1');
    getAddressReplies('a2');
    await Promise.all([h.client.getAddress('a1'), h.client.getAddress('a2'), h.client.getAddress('a1')]);
    expect(h.history()).toHaveLength(2);
  });
});

describe('rate budget', () => {
  async function spendFive(ids = ['a1', 'a2', 'a3', 'a4', 'a5']) {
    for (const id of ids) getAddressReplies(id);
    for (const id of ids) await h.client.getAddress(id);
    expect(h.history()).toHaveLength(5);
  }

  it('five calls pass at once; the sixth waits when its slot frees within rateWaitMs', async () => {
    h = harness();
    await spendFive();
    expect(h.sleeps).toEqual([]);
    h.clock.now += WINDOW_MS - 1_500;
    getAddressReplies('a6');
    await expect(h.client.getAddress('a6')).resolves.toMatchObject({ data: { id: 'a6' }, stale: false });
    expect(h.sleeps).toEqual([1_500]);
    expect(h.history()).toHaveLength(6);
  });

  it('the sixth fails fast with the seconds until a slot frees when that is beyond rateWaitMs', async () => {
    h = harness();
    await spendFive();
    h.clock.now += 10_000;
    const error = await h.client.getAddress('a6').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 51, provider: 'CLOUDMAILIN' });
    expect(h.sleeps).toEqual([]);
    expect(h.history()).toHaveLength(5);
  });

  it('serves an expired cache entry as stale when the budget is spent', async () => {
    h = harness();
    await spendFive();
    h.clock.now += 31_000;
    const result = await h.client.getAddress('a1');
    expect(result).toEqual({ data: address('a1'), stale: true });
    expect(h.history()).toHaveLength(5);
  });

  it('does not serve an entry past its stale grace period', async () => {
    h = harness({ upstream: { cacheTtlSeconds: 30 } });
    await spendFive();
    // Keep the budget spent while the first entry ages past TTL + 10 minutes of grace.
    h.clock.now += 30_000 + 600_000;
    const fresh = ['b1', 'b2', 'b3', 'b4', 'b5'];
    for (const id of fresh) getAddressReplies(id);
    for (const id of fresh) await h.client.getAddress(id);
    await expect(h.client.getAddress('a1')).rejects.toBeInstanceOf(RateLimitedError);
    expect(h.history()).toHaveLength(10);
  });

  it('mutations take budget and have no stale fallback', async () => {
    h = harness();
    await spendFive();
    h.clock.now += 1_000;
    const error = await h.client.createSendingDomain('x.example').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 60 });
    expect(h.history()).toHaveLength(5);
  });

  it('concurrent waiters each wait for their own slot', async () => {
    h = harness({ upstream: { rateWaitMs: 30_000 } });
    const ids = ['a1', 'a2', 'a3', 'a4', 'a5'];
    for (const id of ids) getAddressReplies(id);
    for (const id of ids) {
      await h.client.getAddress(id);
      h.clock.now += 1_000;
    }
    h.clock.now = h.clock.now - 5_000 + WINDOW_MS - 5_000;
    getAddressReplies('w1');
    getAddressReplies('w2');
    await Promise.all([h.client.getAddress('w1'), h.client.getAddress('w2')]);
    // w1 takes the slot the first call frees (5 s away); w2 the one the second call frees a second later.
    expect(h.sleeps).toEqual([5_000, 1_000]);
    expect(h.history()).toHaveLength(7);
  });

  it('ratePerMinute 0 means no budget', async () => {
    h = harness({ config: { ratePerMinute: 0 } });
    const ids = Array.from({ length: 12 }, (_, i) => `a${i}`);
    for (const id of ids) getAddressReplies(id);
    for (const id of ids) await h.client.getAddress(id);
    expect(h.history()).toHaveLength(12);
    expect(h.sleeps).toEqual([]);
  });
});

describe('provider 429', () => {
  it('penalizes the scope: later calls fail fast without reaching upstream until Retry-After', async () => {
    h = harness({ config: { ratePerMinute: 0 } });
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': '50' } });
    await expect(h.client.getAddress('a1')).rejects.toMatchObject({ retryAfterSeconds: 50 });
    h.clock.now += 5_000;
    await expect(h.client.getAddress('a2')).rejects.toMatchObject({ retryAfterSeconds: 45 });
    await expect(
      h.client.createAddress({ target: 'https://x', target_format: 'json+n' }),
    ).rejects.toBeInstanceOf(RateLimitedError);
    expect(h.history()).toHaveLength(1);
    h.clock.now += 44_000;
    getAddressReplies('a2');
    await expect(h.client.getAddress('a2')).resolves.toMatchObject({ data: { id: 'a2' } });
    expect(h.sleeps).toEqual([1_000]);
    expect(h.history()).toHaveLength(2);
  });

  it('a 429 on a read serves the expired entry as stale', async () => {
    h = harness();
    getAddressReplies('a1');
    await h.client.getAddress('a1');
    h.clock.now += 40_000;
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': '30' } });
    await expect(h.client.getAddress('a1')).resolves.toEqual({ data: address('a1'), stale: true });
    expect(h.history()).toHaveLength(2);
  });

  it('a 429 on sending blocks further sends until Retry-After, but not management calls', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' })
      .reply(429, { status: 429, error: 'Too Many Requests' }, { headers: { 'retry-after': '30' } });
    const message = { from: 'a@x.com', to: ['b@x.com'], plain: 'hi' };
    await expect(h.client.sendMessage(message)).rejects.toMatchObject({ retryAfterSeconds: 30 });
    await expect(h.client.sendMessage(message)).rejects.toMatchObject({ retryAfterSeconds: 30 });
    getAddressReplies('a1');
    await h.client.getAddress('a1');
    expect(h.history()).toHaveLength(2);
  });
});

describe('credential scopes', () => {
  it('the same URL with a different API key is a separate cache entry and budget', async () => {
    h = harness();
    h.pool
      .intercept({
        path: `${ACCT}/addresses/a1`,
        method: 'GET',
        headers: { authorization: `Bearer ${API_KEY}` },
      })
      .reply(200, address('a1', { nickname: 'tenant A' }));
    h.pool
      .intercept({
        path: `${ACCT}/addresses/a1`,
        method: 'GET',
        headers: { authorization: 'Bearer other-key' },
      })
      .reply(200, address('a1', { nickname: 'tenant B' }));
    const other = h.makeClient({ apiKey: 'other-key' });
    const sameAsFirst = h.makeClient();
    await expect(h.client.getAddress('a1')).resolves.toMatchObject({ data: { nickname: 'tenant A' } });
    await expect(other.getAddress('a1')).resolves.toMatchObject({ data: { nickname: 'tenant B' } });
    await expect(sameAsFirst.getAddress('a1')).resolves.toMatchObject({ data: { nickname: 'tenant A' } });
    await expect(other.getAddress('a1')).resolves.toMatchObject({ data: { nickname: 'tenant B' } });
    expect(h.history()).toHaveLength(2);
  });

  it("one tenant's spent budget does not limit another's", async () => {
    h = harness();
    const other = h.makeClient({ apiKey: 'other-key' });
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6']) getAddressReplies(id);
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) await h.client.getAddress(id);
    await expect(h.client.getAddress('a6')).rejects.toBeInstanceOf(RateLimitedError);
    await expect(other.getAddress('a6')).resolves.toMatchObject({ data: { id: 'a6' } });
    expect(h.history()).toHaveLength(6);
  });

  it('a mutation invalidates only its own scope', async () => {
    h = harness();
    const other = h.makeClient({ apiKey: 'other-key' });
    h.pool
      .intercept({ path: `${ACCT}/addresses`, method: 'GET' })
      .reply(200, [])
      .times(2);
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'POST' }).reply(201, address('a9'));
    await h.client.listAddresses();
    await other.listAddresses();
    await other.createAddress({ target: 'https://x', target_format: 'json+n' });
    await h.client.listAddresses();
    expect(h.history()).toHaveLength(3);
  });

  it('secrets never appear in cache scopes', async () => {
    h = harness();
    getAddressReplies('a1');
    await h.client.getAddress('a1');
    const seen = recordCacheReads(h.shared);
    await h.client.getAddress('a1');
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.join(' ')).not.toContain(API_KEY);
  });
});

describe('outbound messages: the account API key only', () => {
  const list = `${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}`;

  it('a 401 is UNAUTHORIZED after exactly one call, and the SMTP token is never sent there', async () => {
    h = harness();
    h.pool.intercept({ path: list, method: 'GET' }).reply(401, { status: 401, error: 'Unauthorized' });
    const error = await h.client.listOutboundMessages({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(h.history().map((log) => header(log, 'authorization'))).toEqual([`Bearer ${API_KEY}`]);
  });

  it('the show route takes the API key too, also on a client made after a 401', async () => {
    h = harness();
    h.pool.intercept({ path: list, method: 'GET' }).reply(401, '');
    await expect(h.client.listOutboundMessages({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    h.pool
      .intercept({ path: `${ACCT}/outbound_messages/m1`, method: 'GET' })
      .reply(200, outboundMessage('m1', true));
    await h.makeClient().getOutboundMessage('m1');
    expect(h.history().map((log) => header(log, 'authorization'))).toEqual([
      `Bearer ${API_KEY}`,
      `Bearer ${API_KEY}`,
    ]);
  });

  it('without an SMTP token outbound reads work the same (the username is all they need)', async () => {
    h = harness({ config: { smtpToken: null } });
    h.pool.intercept({ path: list, method: 'GET' }).reply(200, [outboundMessage('m1')]);
    await expect(h.client.listOutboundMessages({})).resolves.toMatchObject({ data: [{ id: 'm1' }] });
    expect(h.history()).toHaveLength(1);
  });

  it('a 403 is FORBIDDEN after exactly one call', async () => {
    h = harness();
    h.pool.intercept({ path: list, method: 'GET' }).reply(403, '');
    await expect(h.client.listOutboundMessages({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(h.history()).toHaveLength(1);
  });
});
