/**
 * Issue 8 item 7: a provider's Retry-After is obeyed only up to its documented window (60 s CloudMailin,
 * 300 s Cloudflare), and a 429 blocks only the budget of the kind of call that got it, where the provider
 * keeps them apart (CloudMailin's /messages is a separate product; Cloudflare's send throttle is not its
 * API budget).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/errors.js';
import {
  ACCOUNT,
  BASE as CF_BASE,
  SEND_RESULT,
  SUB,
  ZONE,
  cloudflareHarness,
  ok,
} from './cloudflare-helpers.js';
import { ACCT, BASE, SMTP_USER, address, closeHarnesses, harness } from './helpers.js';

afterEach(closeHarnesses);

const MESSAGE = { from: 'a@x.com', to: ['b@x.com'], plain: 'hi' };
const CF_SEND = `${CF_BASE}/accounts/${ACCOUNT}/email/sending/send`;
const CF_MESSAGE = { from: 'sender@example.com', to: 'recipient@example.com', subject: 's', text: 't' };
const getSub = () => ({ path: `${CF_BASE}/zones/${ZONE}/email/sending/subdomains/${SUB}`, method: 'GET' });
const subdomain = { tag: SUB, name: 'sub.example.com', enabled: true };

describe('CloudMailin', () => {
  it('a Retry-After of 99,999,999 on a read blocks the management budget for 60 s, not for days', async () => {
    const h = harness({ config: { ratePerMinute: 0 } });
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': '99999999' } });
    await expect(h.client.getAddress('a1')).rejects.toMatchObject({ retryAfterSeconds: 60 });
    h.clock.now += 57_000;
    await expect(h.client.getAddress('a1')).rejects.toMatchObject({ retryAfterSeconds: 3 });
    h.clock.now += 3_000;
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' }).reply(200, address('a1'));
    await expect(h.client.getAddress('a1')).resolves.toMatchObject({ data: { id: 'a1' } });
    expect(h.history()).toHaveLength(2);
  });

  it('a 429 of 99,999,999 s on /messages blocks sends for 60 s and never the management reads', async () => {
    const h = harness();
    h.pool
      .intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' })
      .reply(429, { status: 429, error: 'Too Many Requests' }, { headers: { 'retry-after': '99999999' } });
    await expect(h.client.sendMessage(MESSAGE)).rejects.toMatchObject({ retryAfterSeconds: 60 });
    await expect(h.client.sendMessage(MESSAGE)).rejects.toBeInstanceOf(RateLimitedError);
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' }).reply(200, address('a1'));
    await expect(h.client.getAddress('a1')).resolves.toMatchObject({ data: { id: 'a1' } });
    h.clock.now += 60_000;
    h.pool
      .intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' })
      .reply(202, { id: 'm1', from: MESSAGE.from, to: MESSAGE.to });
    await expect(h.client.sendMessage(MESSAGE)).resolves.toMatchObject({ id: 'm1' });
    expect(h.history()).toHaveLength(3);
  });

  it('a 429 on a management read never blocks sends', async () => {
    const h = harness({ config: { ratePerMinute: 0 } });
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': '30' } });
    await expect(h.client.getAddress('a1')).rejects.toBeInstanceOf(RateLimitedError);
    h.pool
      .intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' })
      .reply(202, { id: 'm1', from: MESSAGE.from, to: MESSAGE.to });
    await expect(h.client.sendMessage(MESSAGE)).resolves.toMatchObject({ id: 'm1' });
  });
});

describe('Cloudflare', () => {
  it('a Retry-After of 99,999,999 on a read blocks the token for the documented 300 s', async () => {
    const h = cloudflareHarness();
    h.pool.intercept(getSub()).reply(429, '', { headers: { 'retry-after': '99999999' } });
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ retryAfterSeconds: 300 });
    h.clock.now += 300_000;
    h.pool.intercept(getSub()).reply(200, ok(subdomain));
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({ data: { id: SUB } });
    expect(h.history()).toHaveLength(2);
  });

  it('a 429 on a send, whatever its code, blocks sends only: subdomain reads go on', async () => {
    const h = cloudflareHarness();
    // No envelope and no code: the sending route answered 429, which is the sending throttle's business.
    h.pool
      .intercept({ path: CF_SEND, method: 'POST' })
      .reply(429, '', { headers: { 'retry-after': '99999999' } });
    await expect(h.client.send(CF_MESSAGE)).rejects.toMatchObject({ retryAfterSeconds: 300 });
    await expect(h.client.send(CF_MESSAGE)).rejects.toBeInstanceOf(RateLimitedError);
    h.pool.intercept(getSub()).reply(200, ok(subdomain));
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({ data: { id: SUB } });
    expect(h.history()).toHaveLength(2);
    h.clock.now += 300_000;
    h.pool.intercept({ path: CF_SEND, method: 'POST' }).reply(200, ok(SEND_RESULT));
    await expect(h.client.send(CF_MESSAGE)).resolves.toEqual(SEND_RESULT);
  });

  it('a Ratelimit header whose reset is 999,999,999 s blocks the token for 300 s at most', async () => {
    const h = cloudflareHarness();
    h.pool
      .intercept(getSub())
      .reply(200, ok(subdomain), { headers: { ratelimit: '"default";r=0;t=999999999' } });
    await h.client.getSubdomain(ZONE, SUB);
    await expect(h.client.listSubdomains(ZONE)).rejects.toMatchObject({ retryAfterSeconds: 300 });
  });
});
