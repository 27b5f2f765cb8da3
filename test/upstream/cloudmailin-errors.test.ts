/**
 * Every error mapping of `mapCloudMailinError`, exercised through the client so that the resource and id a
 * NotFoundError names come from the call that failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, RateLimitedError, UpstreamError, ValidationError } from '../../src/errors.js';
import { mapCloudMailinError } from '../../src/upstream/cloudmailin-errors.js';
import {
  ACCT,
  BASE,
  type Harness,
  SMTP_TOKEN,
  SMTP_USER,
  T0,
  address,
  closeHarnesses,
  harness,
} from './helpers.js';

let h: Harness;

afterEach(closeHarnesses);

function failGet(status: number, body: string | object, headers: Record<string, string> = {}) {
  h = harness();
  h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' }).reply(status, body, { headers });
  return h.client.getAddress('a1').catch((e: unknown) => e);
}

describe('status mapping', () => {
  it('401 is UpstreamError UNAUTHORIZED', async () => {
    const error = await failGet(401, { status: 401, error: 'Unauthorized' });
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, provider: 'CLOUDMAILIN' });
  });

  it('403 is UpstreamError FORBIDDEN', async () => {
    const error = await failGet(403, { status: 403, error: 'Forbidden' });
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('404 is NotFoundError naming the resource and id of the call', async () => {
    const error = await failGet(404, { status: 404, error: 'Not Found' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ resource: 'InboundAddress', id: 'a1' });
  });

  it('404 on a per-address list names the address', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/incoming_statuses?address_id=zz`, method: 'GET' }).reply(404, '');
    const error = await h.client.listIncomingStatuses({ addressId: 'zz' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ resource: 'InboundAddress', id: 'zz' });
  });

  it('404 on a sending domain names the sending domain', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/sending_domains/s9`, method: 'DELETE' })
      .reply(404, { status: 404, error: 'x' });
    await expect(h.client.deleteSendingDomain('s9')).rejects.toMatchObject({
      resource: 'CloudMailinSendingDomain',
      id: 's9',
    });
  });

  it('422 is a ValidationError carrying the upstream error text', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' })
      .reply(422, { status: 422, error: 'body not found' });
    const error = await h.client.sendMessage({ from: 'a@x.com', to: ['b@x.com'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      message: 'body not found',
      provider: 'CLOUDMAILIN',
      issues: [{ path: '', message: 'body not found' }],
    });
  });

  it('422 without a body is a ValidationError with a generic message', async () => {
    const error = await failGet(422, '');
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ message: 'CloudMailin rejected the input', provider: 'CLOUDMAILIN' });
  });

  it('422 with a non-JSON body does not quote it', async () => {
    const error = (await failGet(422, '<html><body>Stack trace: secret</body></html>')) as Error;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('CloudMailin rejected the input');
  });

  it('429 with Retry-After in seconds is RateLimitedError with those seconds', async () => {
    const error = await failGet(429, { status: 429, error: 'Too Many Requests' }, { 'retry-after': '17' });
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 17, provider: 'CLOUDMAILIN' });
  });

  it('429 with Retry-After as an HTTP-date counts from the (injected) clock', async () => {
    const at = new Date(T0 + 45_000).toUTCString();
    const error = await failGet(429, '', { 'retry-after': at });
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 45 });
  });

  it('429 with a Retry-After beyond the documented minute is capped at 60 seconds', async () => {
    for (const value of ['99999999', new Date(T0 + 86_400_000).toUTCString(), '61']) {
      const error = await failGet(429, { status: 429, error: 'Too Many Requests' }, { 'retry-after': value });
      expect(error).toMatchObject({ retryAfterSeconds: 60 });
      await closeHarnesses();
    }
  });

  it('429 without Retry-After defaults to 60 seconds', async () => {
    const error = await failGet(429, 'Too Many Requests');
    expect(error).toMatchObject({ retryAfterSeconds: 60 });
  });

  it('500 is SERVER_ERROR and is not retried', async () => {
    const error = await failGet(500, { status: 500, error: 'oops' });
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 500 });
    expect(h.history()).toHaveLength(1);
  });

  it('503 on a GET is retried once, then SERVER_ERROR', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(503, 'busy')
      .times(2);
    await expect(h.client.getAddress('a1')).rejects.toMatchObject({ code: 'SERVER_ERROR', status: 503 });
    expect(h.history()).toHaveLength(2);
  });

  it('503 on a GET followed by 200 succeeds with two calls', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' }).reply(503, '');
    h.pool.intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' }).reply(200, address('a1'));
    await expect(h.client.getAddress('a1')).resolves.toMatchObject({ data: { id: 'a1' } });
    expect(h.history()).toHaveLength(2);
  });

  it('503 on a POST is not retried', async () => {
    h = harness();
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'POST' }).reply(503, '');
    await expect(
      h.client.createAddress({ target: 'https://x', target_format: 'json+n' }),
    ).rejects.toMatchObject({
      code: 'SERVER_ERROR',
    });
    expect(h.history()).toHaveLength(1);
  });

  it('an HTML 502 page is SERVER_ERROR, not a crash', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${ACCT}/addresses`, method: 'GET' })
      .reply(502, '<html>Bad Gateway</html>')
      .times(2);
    await expect(h.client.listAddresses()).rejects.toMatchObject({ code: 'SERVER_ERROR', status: 502 });
  });

  it('an unlisted status is UNEXPECTED_STATUS', async () => {
    const error = await failGet(418, "I'm a teapot");
    expect(error).toMatchObject({ code: 'UNEXPECTED_STATUS', status: 418 });
  });

  it('malformed JSON on success is MALFORMED_RESPONSE', async () => {
    const error = await failGet(200, '{"id":');
    expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('valid JSON of the wrong shape is MALFORMED_RESPONSE', async () => {
    const error = await failGet(200, [address('a1')]);
    expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('an oversized success body is RESPONSE_TOO_LARGE', async () => {
    h = harness({ upstream: { maxResponseBytes: 2_048 } });
    const many = Array.from({ length: 100 }, (_, i) => address(`a${i}`));
    h.pool.intercept({ path: `${ACCT}/addresses`, method: 'GET' }).reply(200, many);
    await expect(h.client.listAddresses()).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('a slow answer is TIMEOUT', async () => {
    h = harness({ upstream: { timeoutMs: 150 } });
    h.pool
      .intercept({ path: `${ACCT}/addresses/a1`, method: 'GET' })
      .reply(200, address('a1'))
      .delay(2_000);
    await expect(h.client.getAddress('a1')).rejects.toMatchObject({ code: 'TIMEOUT', status: null });
  });
});

describe('mapCloudMailinError directly', () => {
  it('tolerates bodies of any type and never quotes a non-error body', () => {
    for (const body of [null, 42, 'text', [], { error: 7 }, { error: '   ' }]) {
      const error = mapCloudMailinError(422, body, {}, {});
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toBe('CloudMailin rejected the input');
    }
  });

  it('cuts a very long upstream error text', () => {
    const error = mapCloudMailinError(422, { status: 422, error: 'e'.repeat(5_000) }, {}, {});
    expect(error.message.length).toBeLessThanOrEqual(501);
  });

  it('never quotes a secret the upstream echoed, nor control characters or line separators', () => {
    const key = 'api-key-A';
    const text = `invalid key ${key}\u0000\u001b[31m red\r\nX-Injected: 1\u2028and ${encodeURIComponent(key)}\u0085!`;
    const error = mapCloudMailinError(422, { status: 422, error: text }, {}, { secrets: [key] });
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).not.toContain(key);
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(error.message).toBe('invalid key **** [31m red X-Injected: 1 and **** !');
    expect((error as ValidationError).issues[0]?.message).toBe(error.message);
  });

  it('a credential echoed in a 422 never reaches the caller, through the client', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${BASE}/${SMTP_USER}/messages`, method: 'POST' })
      .reply(422, { status: 422, error: `token ${SMTP_TOKEN} is not allowed to send\u001b[0m` });
    const error = (await h.client
      .sendMessage({ from: 'a@x.com', to: ['b@x.com'], plain: 'x' })
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('token **** is not allowed to send [0m');
  });

  it('uses the first Retry-After when a header repeats, and 60 for an unreadable one', () => {
    const repeated = mapCloudMailinError(429, null, { 'retry-after': ['5', '9'] }, { now: T0 });
    const unreadable = mapCloudMailinError(429, null, { 'retry-after': 'soon' }, { now: T0 });
    expect(repeated).toMatchObject({ retryAfterSeconds: 5 });
    expect(unreadable).toMatchObject({ retryAfterSeconds: 60 });
  });

  it.each([
    [500, 'SERVER_ERROR'],
    [599, 'SERVER_ERROR'],
    [400, 'UNEXPECTED_STATUS'],
    [409, 'UNEXPECTED_STATUS'],
    [301, 'UNEXPECTED_STATUS'],
  ])('%i → %s', (status, code) => {
    expect(mapCloudMailinError(status, null, {}, {})).toMatchObject({ code });
  });
});
