/**
 * What each CloudMailinClient method puts on the wire (method, path, query, credential, body) and which
 * success statuses it accepts, per the seed and NOTES §1.4 / §3.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NotConfiguredError, UpstreamError, ValidationError } from '../../src/errors.js';
import {
  ACCT,
  API_KEY,
  BASE,
  type Harness,
  SMTP_TOKEN,
  SMTP_USER,
  address,
  closeHarnesses,
  customDomain,
  harness,
  header,
  incomingStatus,
  outboundMessage,
  sendingDomain,
  sentMessage,
} from './helpers.js';

let h: Harness;

afterEach(closeHarnesses);

function only() {
  const history = h.history();
  expect(history).toHaveLength(1);
  return history[0];
}

function expectManagementAuth() {
  expect(header(only(), 'authorization')).toBe(`Bearer ${API_KEY}`);
  expect(header(only(), 'user-agent')).toBe('mailgraph/0.1');
}

describe('inbound addresses', () => {
  it('listAddresses: GET /{account}/addresses with the API key', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'GET' }).reply(200, [address('a1'), address('a2')]);
    const result = await h.client.listAddresses();
    expect(result).toEqual({ data: [address('a1'), address('a2')], stale: false });
    expectManagementAuth();
    expect(only()?.fullUrl).toBe(`https://cloudmailin.test${ACCT}/addresses`);
  });

  it('getAddress: GET /{account}/addresses/{id}', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' }).reply(200, address('a1'));
    await expect(h.client.getAddress('a1')).resolves.toEqual({ data: address('a1'), stale: false });
    expectManagementAuth();
  });

  it('createAddress: POST the input, 201', async () => {
    h = harness();
    const input = { target: 'https://example.com/in', target_format: 'json+n' as const, nickname: 'n' };
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'POST' }).reply(201, address('a9', input));
    await expect(h.client.createAddress(input)).resolves.toEqual(address('a9', input));
    expectManagementAuth();
    expect(JSON.parse(String(only()?.body))).toEqual(input);
    expect(header(only(), 'content-type')).toBe('application/json');
  });

  it('createAddress: also accepts 200', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'POST' }).reply(200, address('a9'));
    await expect(
      h.client.createAddress({ target: 'https://x', target_format: 'json+n' }),
    ).resolves.toMatchObject({
      id: 'a9',
    });
  });

  it('updateAddress: PUT the full body to /addresses/{id}', async () => {
    h = harness();
    const input = {
      target: 'https://example.com/new',
      target_format: 'multipart+n' as const,
      nickname: null,
    };
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'PUT' }).reply(200, address('a1', input));
    await expect(h.client.updateAddress('a1', input)).resolves.toEqual(address('a1', input));
    expect(only()?.method).toBe('PUT');
    expect(JSON.parse(String(only()?.body))).toEqual(input);
    expectManagementAuth();
  });

  it('updateAddress: a 204 yields the id with the body that was sent', async () => {
    h = harness();
    const input = { target: 'https://example.com/new', target_format: 'json+n' as const };
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'PUT' }).reply(204, '');
    await expect(h.client.updateAddress('a1', input)).resolves.toEqual({ id: 'a1', ...input });
  });

  it('deleteAddress: DELETE, 202 with the deleted address', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'DELETE' }).reply(202, address('a1'));
    await expect(h.client.deleteAddress('a1')).resolves.toEqual(address('a1'));
    expect(only()?.body).toBeUndefined();
    expectManagementAuth();
  });

  it('deleteAddress: also accepts 200', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'DELETE' }).reply(200, address('a1'));
    await expect(h.client.deleteAddress('a1')).resolves.toEqual(address('a1'));
  });

  it('deleteAddress: a 204 returns what the cache knew, else just the id', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' }).reply(200, address('a1'));
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'DELETE' }).reply(204, '');
    h.pool.intercept({ path: `${ACCT}/addresses/a2`, method: 'DELETE' }).reply(204, '');
    await h.client.getAddress('a1');
    await expect(h.client.deleteAddress('a1')).resolves.toEqual(address('a1'));
    await expect(h.client.deleteAddress('a2')).resolves.toEqual({ id: 'a2' });
    expect(h.history()).toHaveLength(3);
  });

  it('a 2xx other than the accepted ones is UNEXPECTED_STATUS', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'POST' }).reply(202, address('a9'));
    await expect(
      h.client.createAddress({ target: 'https://x', target_format: 'json+n' }),
    ).rejects.toMatchObject({ code: 'UNEXPECTED_STATUS', status: 202 });
  });
});

describe('incoming statuses and custom domains', () => {
  it('listIncomingStatuses: address_id as a query parameter, query and page only when given', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/incoming_statuses?address_id=a1`, method: 'GET' })
      .reply(200, [incomingStatus('s1')]);
    h.pool
      .intercept({
        path: `${ACCT}/incoming_statuses?address_id=a1&query=status%3A200+AND+from%3Ax&page=3`,
        method: 'GET',
      })
      .reply(200, []);
    await expect(h.client.listIncomingStatuses({ addressId: 'a1', query: '' })).resolves.toEqual({
      data: [incomingStatus('s1')],
      stale: false,
    });
    await h.client.listIncomingStatuses({ addressId: 'a1', query: 'status:200 AND from:x', page: 3 });
    const [first, second] = h.history();
    expect(first?.fullUrl).toBe(`https://cloudmailin.test${ACCT}/incoming_statuses?address_id=a1`);
    expect(second?.searchParams).toEqual({ address_id: 'a1', query: 'status:200 AND from:x', page: '3' });
    expect(header(second, 'authorization')).toBe(`Bearer ${API_KEY}`);
  });

  it('listCustomDomains: address_id as a query parameter; null query and page are omitted', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/custom_domains?address_id=a1`, method: 'GET' })
      .reply(200, [customDomain('d1')]);
    await expect(h.client.listCustomDomains({ addressId: 'a1', query: null })).resolves.toEqual({
      data: [customDomain('d1')],
      stale: false,
    });
    expect(only()?.fullUrl).toBe(`https://cloudmailin.test${ACCT}/custom_domains?address_id=a1`);
    expectManagementAuth();
  });

  it('refuses a page that is not a whole number of at least 1, before any call', async () => {
    h = harness();
    for (const page of [0, -1, 1.5, Number.NaN]) {
      await expect(h.client.listCustomDomains({ addressId: 'a1', page })).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(h.history()).toHaveLength(0);
  });

  it('createCustomDomain: POST with address_id in the query, 201', async () => {
    h = harness();
    const input = { domain: 'example.com', auth_regex: 'allowed[0-9]*@example.com' };
    h.pool
      .intercept({ path: `${ACCT}/custom_domains?address_id=a1`, method: 'POST' })
      .reply(201, customDomain('d1', input));
    await expect(h.client.createCustomDomain('a1', input)).resolves.toEqual(customDomain('d1', input));
    expect(JSON.parse(String(only()?.body))).toEqual(input);
    expectManagementAuth();
  });

  it('deleteCustomDomain: DELETE /custom_domains/{id}?address_id=, 202', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/custom_domains/d1?address_id=a1`, method: 'DELETE' })
      .reply(202, customDomain('d1'));
    await expect(h.client.deleteCustomDomain('a1', 'd1')).resolves.toEqual(customDomain('d1'));
    expectManagementAuth();
  });

  it('deleteCustomDomain: a 204 finds the domain in the cached list, else returns a minimal object', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/custom_domains?address_id=a1`, method: 'GET' })
      .reply(200, [customDomain('d1', { domain: 'one.example' })]);
    h.pool.intercept({ path: `${ACCT}/custom_domains/d1?address_id=a1`, method: 'DELETE' }).reply(204, '');
    h.pool.intercept({ path: `${ACCT}/custom_domains/d2?address_id=a1`, method: 'DELETE' }).reply(204, '');
    await h.client.listCustomDomains({ addressId: 'a1' });
    await expect(h.client.deleteCustomDomain('a1', 'd1')).resolves.toEqual(
      customDomain('d1', { domain: 'one.example' }),
    );
    await expect(h.client.deleteCustomDomain('a1', 'd2')).resolves.toEqual({ id: 'd2', domain: '' });
  });
});

describe('sending', () => {
  const message = { from: 'Sender <sender@example.com>', to: ['recipient@example.com'], plain: 'Hi' };

  it('sendMessage: POST /{smtp username}/messages with the SMTP token, 202', async () => {
    h = harness();
    h.pool.intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' }).reply(202, sentMessage);
    await expect(h.client.sendMessage(message)).resolves.toEqual(sentMessage);
    expect(header(only(), 'authorization')).toBe(`Bearer ${SMTP_TOKEN}`);
    expect(JSON.parse(String(only()?.body))).toEqual(message);
  });

  it('sendRawMessage: the same route with a raw body', async () => {
    h = harness();
    const raw = { from: 'a@example.com', to: ['b@example.com'], raw: 'From: a@example.com\r\n\r\nhi' };
    h.pool.intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' }).reply(202, sentMessage);
    await expect(h.client.sendRawMessage(raw)).resolves.toEqual(sentMessage);
    expect(JSON.parse(String(only()?.body))).toEqual(raw);
    expect(header(only(), 'authorization')).toBe(`Bearer ${SMTP_TOKEN}`);
  });

  it('a send is never retried, even after a 503', async () => {
    h = harness();
    h.pool.intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' }).reply(503, '');
    const error = (await h.client.sendMessage(message).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'SEND_OUTCOME_UNKNOWN', reason: 'SERVER_ERROR', status: 503 });
    expect(error.message).toMatch(/may have been sent/);
    expect(h.history()).toHaveLength(1);
  });

  it('sending takes no budget: more than ratePerMinute sends go straight through', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' })
      .reply(202, sentMessage)
      .times(8);
    for (let i = 0; i < 8; i++) await h.client.sendMessage(message);
    expect(h.history()).toHaveLength(8);
    expect(h.sleeps).toEqual([]);
  });
});

describe('outbound messages', () => {
  it('listOutboundMessages: the account URL with outbound_account_id = SMTP username and the API key', async () => {
    h = harness();
    h.pool
      .intercept({
        path: `${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}&query=bob`,
        method: 'GET',
      })
      .reply(200, [outboundMessage('m1')]);
    const result = await h.client.listOutboundMessages({ query: 'bob' });
    expect(result.data[0]?.id).toBe('m1');
    expect(only()?.fullUrl).toBe(
      `https://cloudmailin.test${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}&query=bob`,
    );
    expectManagementAuth();
  });

  it('listOutboundMessages: without a query only outbound_account_id is sent; page when given', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/outbound_messages?outbound_account_id=${SMTP_USER}&page=2`, method: 'GET' })
      .reply(200, []);
    await h.client.listOutboundMessages({ page: 2 });
    expect(only()?.searchParams).toEqual({ outbound_account_id: SMTP_USER, page: '2' });
  });

  it('getOutboundMessage: GET /outbound_messages/{id} with events', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/outbound_messages/m1`, method: 'GET' })
      .reply(200, outboundMessage('m1', true));
    const result = await h.client.getOutboundMessage('m1');
    expect(result.data.recipients[0]?.events?.[0]?.kind).toBe('delivery');
    expectManagementAuth();
  });
});

describe('sending domains', () => {
  it('listSendingDomains: GET /sending_domains, query and page only when given', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/sending_domains`, method: 'GET' }).reply(200, [sendingDomain('s1')]);
    h.pool.intercept({ path: `${ACCT}/sending_domains?query=exa&page=2`, method: 'GET' }).reply(200, []);
    await expect(h.client.listSendingDomains({})).resolves.toEqual({
      data: [sendingDomain('s1')],
      stale: false,
    });
    await h.client.listSendingDomains({ query: 'exa', page: 2 });
    expect(h.history().map((log) => log.fullUrl)).toEqual([
      `https://cloudmailin.test${ACCT}/sending_domains`,
      `https://cloudmailin.test${ACCT}/sending_domains?query=exa&page=2`,
    ]);
  });

  it('getSendingDomain: GET /sending_domains/{id}', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/sending_domains/s1`, method: 'GET' }).reply(200, sendingDomain('s1'));
    await expect(h.client.getSendingDomain('s1')).resolves.toEqual({
      data: sendingDomain('s1'),
      stale: false,
    });
    expectManagementAuth();
  });

  it('createSendingDomain: POST {domain}, 201', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/sending_domains`, method: 'POST' }).reply(201, sendingDomain('s1'));
    await expect(h.client.createSendingDomain('example.com')).resolves.toEqual(sendingDomain('s1'));
    expect(JSON.parse(String(only()?.body))).toEqual({ domain: 'example.com' });
    expectManagementAuth();
  });

  it('deleteSendingDomain: DELETE, 202 with the domain; 204 falls back to the cached domain or the id', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/sending_domains/s1`, method: 'DELETE' })
      .reply(202, sendingDomain('s1'));
    h.pool.intercept({ path: `${ACCT}/sending_domains/s2`, method: 'GET' }).reply(200, sendingDomain('s2'));
    h.pool.intercept({ path: `${ACCT}/sending_domains/s2`, method: 'DELETE' }).reply(204, '');
    h.pool.intercept({ path: `${ACCT}/sending_domains/s3`, method: 'DELETE' }).reply(204, '');
    await expect(h.client.deleteSendingDomain('s1')).resolves.toEqual(sendingDomain('s1'));
    await h.client.getSendingDomain('s2');
    await expect(h.client.deleteSendingDomain('s2')).resolves.toEqual(sendingDomain('s2'));
    await expect(h.client.deleteSendingDomain('s3')).resolves.toEqual({ id: 's3', domain: '' });
    expect(h.history()).toHaveLength(4);
  });

  it('verifySendingDomain: 200 means verified', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/sending_domains/s1/verify`, method: 'POST' })
      .reply(200, sendingDomain('s1'));
    await expect(h.client.verifySendingDomain('s1')).resolves.toEqual({
      domain: sendingDomain('s1'),
      verified: true,
    });
    expect(only()?.body).toBeUndefined();
    expectManagementAuth();
  });

  it('verifySendingDomain: 422 with a SendingDomain body means not verified, not an error', async () => {
    h = harness();
    const pending = sendingDomain('s1', { dkim_verified: false, spf_verified: false });
    h.pool.intercept({ path: `${ACCT}/sending_domains/s1/verify`, method: 'POST' }).reply(422, pending);
    await expect(h.client.verifySendingDomain('s1')).resolves.toEqual({ domain: pending, verified: false });
  });

  it('verifySendingDomain: 422 with an error body is a ValidationError', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/sending_domains/s1/verify`, method: 'POST' })
      .reply(422, { status: 422, error: 'Domain is being deleted' });
    const error = await h.client.verifySendingDomain('s1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ message: 'Domain is being deleted', provider: 'CLOUDMAILIN' });
  });
});

describe('path segments', () => {
  it.each([
    ['../../x', '..%2F..%2Fx'],
    ['a/b?c', 'a%2Fb%3Fc'],
    ['%2e%2e', '%252e%252e'],
    ['id with space#frag', 'id%20with%20space%23frag'],
  ])('an id %j stays one encoded segment', async (id, encoded) => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/sending_domains/${encoded}`, method: 'GET' })
      .reply(200, sendingDomain('s'));
    await h.client.getSendingDomain(id);
    expect(only()?.path).toBe(`${ACCT}/sending_domains/${encoded}`);
  });

  it('an id of ".." or "" is refused before any call', async () => {
    h = harness();
    await expect(h.client.getAddress('..')).rejects.toBeInstanceOf(ValidationError);
    await expect(h.client.deleteAddress('')).rejects.toBeInstanceOf(ValidationError);
    await expect(h.client.verifySendingDomain('.')).rejects.toBeInstanceOf(ValidationError);
    expect(h.history()).toHaveLength(0);
  });
});

describe('credentials', () => {
  it('management calls without an account id and API key are NotConfiguredError, before any call', async () => {
    h = harness({ config: { accountId: null, apiKey: null } });
    await expect(h.client.listAddresses()).rejects.toBeInstanceOf(NotConfiguredError);
    await expect(h.client.getSendingDomain('s1')).rejects.toBeInstanceOf(NotConfiguredError);
    await expect(
      h.client.createAddress({ target: 'https://x', target_format: 'json+n' }),
    ).rejects.toMatchObject({
      code: 'NOT_CONFIGURED',
      provider: 'CLOUDMAILIN',
    });
    await expect(h.client.listOutboundMessages({})).rejects.toBeInstanceOf(NotConfiguredError);
    expect(h.history()).toHaveLength(0);
  });

  it('sending without SMTP credentials is NotConfiguredError; outbound reads need the SMTP username', async () => {
    h = harness({ config: { smtpUsername: null, smtpToken: null } });
    await expect(h.client.sendMessage({ from: 'a@x', to: ['b@x'], plain: 'p' })).rejects.toBeInstanceOf(
      NotConfiguredError,
    );
    await expect(h.client.getOutboundMessage('m1')).rejects.toBeInstanceOf(NotConfiguredError);
    expect(h.history()).toHaveLength(0);
  });
});

describe('typed results', () => {
  it('a list item without an id is a malformed response', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'GET' }).reply(200, [{ target: 'https://x' }]);
    const error = await h.client.listAddresses().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });
});
