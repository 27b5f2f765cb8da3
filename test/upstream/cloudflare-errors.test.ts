/**
 * `mapCloudflareError` on its own: the whole table of statuses and codes (NOTES §5), bodies of any shape,
 * what it quotes and what it never quotes, and the Retry-After / Ratelimit arithmetic. The client tests
 * (`cloudflare-client.test.ts`) check the same mapping as seen through each call.
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError, RateLimitedError, UpstreamError, ValidationError } from '../../src/errors.js';
import {
  mapCloudflareError,
  parseRatelimit,
  retryAfterSeconds,
} from '../../src/upstream/cloudflare-errors.js';
import { CLOUDFLARE_SEND_ERRORS, CLOUDFLARE_SUBDOMAIN_ERRORS } from '../../src/upstream/cloudflare-wire.js';

const T0 = 1_700_000_000_000;
const envelope = (...errors: unknown[]) => ({ success: false, errors, messages: [], result: null });
const base = { resource: 'SendingDomain', id: 'aabbccdd11223344aabbccdd11223344', now: T0 };
const context = base;
const zone = { ...base, routes: 'zone' as const };
const send = { resource: 'CloudflareAccount', id: 'account', now: T0, routes: 'send' as const };

describe('every documented code at its documented status', () => {
  const expected: Record<string, { type: unknown; code?: string }> = {
    invalidRequestSchema: { type: ValidationError },
    tooBig: { type: ValidationError },
    noContentLength: { type: ValidationError },
    invalidEmail: { type: ValidationError },
    unauthorized: { type: UpstreamError, code: 'UNAUTHORIZED' },
    badTokenType: { type: UpstreamError, code: 'UNAUTHORIZED' },
    forbidden: { type: UpstreamError, code: 'FORBIDDEN' },
    notEntitled: { type: UpstreamError, code: 'FORBIDDEN' },
    sendingDisabled: { type: UpstreamError, code: 'FORBIDDEN' },
    senderNotConfigured: { type: UpstreamError, code: 'FORBIDDEN' },
    notFound: { type: NotFoundError },
    throttled: { type: RateLimitedError },
    internal: { type: UpstreamError, code: 'SERVER_ERROR' },
    notImplemented: { type: UpstreamError, code: 'SERVER_ERROR' },
    upstream: { type: UpstreamError, code: 'SERVER_ERROR' },
    invalidId: { type: ValidationError },
    zoneLocked: { type: UpstreamError, code: 'FORBIDDEN' },
    alreadyExists: { type: ValidationError },
    couldNotRoute: { type: NotFoundError },
  };
  const all = { ...CLOUDFLARE_SEND_ERRORS, ...CLOUDFLARE_SUBDOMAIN_ERRORS };

  it('covers every code the wire contract lists', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(all).sort());
  });

  for (const [name, { status, code, message }] of Object.entries(all)) {
    const want = expected[name];
    // Each code is read on the routes that document it: subdomain codes on zone routes, the rest on send
    // routes. (`notFound` names both tables; the subdomain one, 2033, wins in `all`. 10000 on a send route
    // is checked on its own below.)
    const onZone = Object.values(CLOUDFLARE_SUBDOMAIN_ERRORS).some((error) => error.code === code);
    const context = { ...base, routes: onZone ? ('zone' as const) : ('send' as const) };
    it(`${name}: ${status} / ${code}`, () => {
      // 2033 and 2040 were measured without a status (NOTES §5.2); 409 is the one the spec uses for conflicts.
      for (const asCode of [code, String(code)]) {
        const error = mapCloudflareError(status, envelope({ code: asCode, message }), {}, context);
        expect(error).toBeInstanceOf(want?.type);
        if (want?.code !== undefined) expect(error).toMatchObject({ code: want.code, status });
        expect(error.providerCode).toBe(String(code));
        expect(error.message).toContain(`code ${code}`);
        if (
          error instanceof ValidationError ||
          error instanceof UpstreamError ||
          error instanceof RateLimitedError
        ) {
          expect(error.provider).toBe('CLOUDFLARE');
        }
      }
    });

    it(`${name}: the same code inside success: false on a 200 maps the same way`, () => {
      const error = mapCloudflareError(200, envelope({ code, message }), {}, context);
      expect(error).toBeInstanceOf(want?.type);
      if (want?.code !== undefined) expect(error).toMatchObject({ code: want.code, status: 200 });
    });
  }

  it.each([2008, 2026, 2027])('409 with %i is CONFLICT', (code) => {
    const error = mapCloudflareError(409, envelope({ code, message: 'x' }), {}, context);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'CONFLICT', providerCode: String(code) });
  });

  it('a 2040 filed under 400 is still a ValidationError', () => {
    const error = mapCloudflareError(
      400,
      envelope({ code: 2040, message: 'Subdomain already exists' }),
      {},
      {},
    );
    expect(error).toBeInstanceOf(ValidationError);
  });
});

describe('the meaning of a code depends on the route (NOTES §5.1, §5.3, §9.1)', () => {
  const authError = envelope({ code: 10000, message: 'Authentication error' });

  it('10000 on a zone route is an authentication error, never "not found"', () => {
    const forbidden = mapCloudflareError(403, authError, {}, zone);
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN', providerCode: '10000', status: 403 });
    expect(forbidden.message).toBe(
      'Cloudflare refused access (code 10000: authentication error: the credentials were refused or cannot reach this zone)',
    );
    expect(forbidden.message).not.toContain('not found');
    const unauthorized = mapCloudflareError(401, authError, {}, zone);
    expect(unauthorized).toMatchObject({ code: 'UNAUTHORIZED', providerCode: '10000' });
    expect(unauthorized.message).toContain('code 10000: authentication error');
  });

  it('10000 on a zone route stays an authentication error whatever status carries it', () => {
    for (const status of [200, 400, 404]) {
      const error = mapCloudflareError(status, authError, {}, zone);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', providerCode: '10000', status });
    }
  });

  it('10000 on a send route is "not found" (email.sending.error.not_found), naming the account', () => {
    const error = mapCloudflareError(
      404,
      envelope({ code: 10000, message: 'email.sending.error.not_found' }),
      {},
      send,
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain('code 10000: not found');
    expect(mapCloudflareError(200, envelope({ code: 10000, message: 'x' }), {}, send)).toBeInstanceOf(
      NotFoundError,
    );
  });

  it('10001 on a zone route means the request could not be authenticated, not a schema error', () => {
    const body = envelope({ code: 10001, message: 'Unable to authenticate request' });
    const error = mapCloudflareError(404, body, {}, zone);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', providerCode: '10001' });
    expect(error.message).not.toContain('send schema');
    const onSend = mapCloudflareError(400, body, {}, send);
    expect(onSend).toBeInstanceOf(ValidationError);
    expect(onSend.message).toContain('the request does not match the send schema');
  });

  it('a send code on a zone route (and a zone code on a send route) is quoted, not explained', () => {
    const sendCode = mapCloudflareError(403, envelope({ code: 10204, message: 'odd' }), {}, zone);
    expect(sendCode.message).toBe('Cloudflare refused access (code 10204: odd)');
    const zoneCode = mapCloudflareError(404, envelope({ code: 2033, message: 'odd' }), {}, send);
    expect(zoneCode.message).toContain('(code 2033: odd)');
  });

  it('without the route only the codes that mean the same everywhere are explained', () => {
    const error = mapCloudflareError(403, authError, {}, base);
    expect(error).toMatchObject({ code: 'FORBIDDEN', providerCode: '10000' });
    expect(error.message).toBe('Cloudflare refused access (code 10000: Authentication error)');
    expect(mapCloudflareError(404, envelope({ code: 7003, message: 'x' }), {}, base).message).toContain(
      'no such route',
    );
  });
});

describe('the status decides the kind, the code refines it', () => {
  it('without the route, a 404 with 10001 (NOTES §5.3) is NotFound: the status decides', () => {
    const error = mapCloudflareError(
      404,
      envelope({ code: 10001, message: 'Unable to authenticate request' }),
      {},
      context,
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ resource: 'SendingDomain', id: context.id, providerCode: '10001' });
  });

  it('a 403 with an unknown code is FORBIDDEN quoting the upstream message', () => {
    const error = mapCloudflareError(403, envelope({ code: 9109, message: 'Invalid access token' }), {}, {});
    expect(error).toMatchObject({ code: 'FORBIDDEN', providerCode: '9109' });
    expect(error.message).toBe('Cloudflare refused access (code 9109: Invalid access token)');
  });

  it('the first known code explains the failure when several are given', () => {
    const error = mapCloudflareError(
      403,
      envelope(
        { code: 9999, message: 'other' },
        { code: 10204, message: 'email.sending.error.email.sender_not_configured' },
      ),
      {},
      send,
    );
    expect(error.providerCode).toBe('10204');
    expect(error.message).toContain('sender not configured');
  });

  it('without a body the status alone decides, with generic messages', () => {
    expect(mapCloudflareError(400, null, {}, {})).toMatchObject({
      message: 'Cloudflare rejected the input',
      issues: [{ path: '', message: 'Cloudflare rejected the input' }],
      providerCode: null,
    });
    expect(mapCloudflareError(401, null, {}, {})).toMatchObject({ code: 'UNAUTHORIZED', providerCode: null });
    expect(mapCloudflareError(404, '', {}, {})).toMatchObject({
      resource: 'Cloudflare resource',
      id: '',
      message: 'Cloudflare resource "" was not found',
    });
    expect(mapCloudflareError(409, null, {}, {})).toMatchObject({ code: 'CONFLICT' });
    expect(mapCloudflareError(502, null, {}, {})).toMatchObject({ code: 'SERVER_ERROR', status: 502 });
  });

  it.each([
    [413, 'VALIDATION_FAILED'],
    [422, 'VALIDATION_FAILED'],
    [418, 'UNEXPECTED_STATUS'],
    [301, 'UNEXPECTED_STATUS'],
    [599, 'SERVER_ERROR'],
  ])('%i → %s', (status, code) => {
    expect(mapCloudflareError(status, null, {}, {})).toMatchObject({ code });
  });

  it('an undocumented status with a known code follows the code', () => {
    const error = mapCloudflareError(418, envelope({ code: 10204, message: 'x' }), {}, send);
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 418 });
  });

  it('success: false on a 200 with no usable error is UNEXPECTED_STATUS', () => {
    for (const body of [
      envelope(),
      envelope({ code: 'abc', message: 'x' }),
      envelope({ code: 77777, message: 'new' }),
    ]) {
      expect(mapCloudflareError(200, body, {}, {})).toMatchObject({ code: 'UNEXPECTED_STATUS', status: 200 });
    }
  });
});

describe('validation issues', () => {
  it('one issue per error, with the JSON pointer as a dotted path', () => {
    const error = mapCloudflareError(
      400,
      envelope(
        { code: 10001, message: 'email.sending.error.invalid_request_schema', source: { pointer: '/to/0' } },
        { code: 10202, message: 'email.sending.error.email.invalid', source: { pointer: '/a~1b/c~0d' } },
        { code: 10001, message: 'x', source: { pointer: 'not-a-pointer' } },
      ),
      {},
      send,
    ) as ValidationError;
    expect(error.issues).toEqual([
      { path: 'to.0', message: 'the request does not match the send schema (code 10001)' },
      { path: '', message: 'the email is invalid (code 10202)' },
      { path: '', message: 'the request does not match the send schema (code 10001)' },
    ]);
    expect(error.provider).toBe('CLOUDFLARE');
  });

  it('an unknown code quotes the upstream message, cleaned and cut short', () => {
    const error = mapCloudflareError(
      400,
      envelope({ code: 10999, message: `bad\r\nthing ${'x'.repeat(1_000)}` }),
      {},
      {},
    ) as ValidationError;
    expect(error.issues[0]?.message).toMatch(/^bad thing x+… \(code 10999\)$/);
    expect(error.message.length).toBeLessThan(300);
  });

  it('keeps at most 10 issues', () => {
    const many = Array.from({ length: 30 }, () => ({ code: 10001, message: 'x' }));
    expect((mapCloudflareError(400, envelope(...many), {}, {}) as ValidationError).issues).toHaveLength(10);
  });
});

describe('what is never quoted', () => {
  it('bodies that are not the envelope (HTML, text, numbers, odd shapes)', () => {
    for (const body of [
      '<html><body>Stack trace: secret</body></html>',
      42,
      [],
      { errors: 'nope' },
      { errors: [{ code: 10001 }] },
      { errors: [{ message: 'no code' }] },
      { errors: [{ code: 'ten', message: 'x' }] },
    ]) {
      const error = mapCloudflareError(400, body, {}, {});
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toBe('Cloudflare rejected the input');
    }
  });

  it('a secret, wherever it appears in an upstream message', () => {
    const token = 'secret-token-123';
    const error = mapCloudflareError(
      403,
      envelope({ code: 9999, message: `token ${token} rejected; ${token}` }),
      {},
      { secrets: [token] },
    );
    expect(error.message).not.toContain(token);
    expect(error.message).toContain('token **** rejected; ****');
  });
});

describe('rate limits', () => {
  it('Retry-After in seconds, as an HTTP-date, repeated, unreadable', () => {
    const at = new Date(T0 + 90_000).toUTCString();
    expect(mapCloudflareError(429, null, { 'retry-after': '17' }, context)).toMatchObject({
      retryAfterSeconds: 17,
    });
    expect(mapCloudflareError(429, null, { 'retry-after': at }, context)).toMatchObject({
      retryAfterSeconds: 90,
    });
    expect(mapCloudflareError(429, null, { 'retry-after': ['5', '9'] }, context)).toMatchObject({
      retryAfterSeconds: 5,
    });
    expect(mapCloudflareError(429, null, { 'retry-after': 'soon' }, context)).toMatchObject({
      retryAfterSeconds: 60,
    });
  });

  it('Retry-After wins over Ratelimit; Ratelimit t is used without it; 60 s without either', () => {
    expect(retryAfterSeconds({ 'retry-after': '5', ratelimit: '"default";r=0;t=200' }, T0)).toBe(5);
    expect(retryAfterSeconds({ ratelimit: '"default";r=0;t=200' }, T0)).toBe(200);
    expect(retryAfterSeconds({ ratelimit: '"default";r=0;t=0' }, T0)).toBe(1);
    // Capped at the documented 5-minute block: a bogus value must not stop the token for a day.
    expect(retryAfterSeconds({ ratelimit: '"default";r=0;t=999999999' }, T0)).toBe(300);
    expect(retryAfterSeconds({}, T0)).toBe(60);
  });

  it('a Retry-After far beyond the documented 5-minute block is capped at 300 s', () => {
    const far = new Date(T0 + 86_400_000 * 30).toUTCString();
    for (const value of ['99999999', far, '301']) {
      expect(mapCloudflareError(429, null, { 'retry-after': value }, context)).toMatchObject({
        retryAfterSeconds: 300,
      });
    }
    expect(parseRatelimit('"default";r=0;t=999999999')).toEqual({ remaining: 0, resetSeconds: 300 });
  });

  it('a 429 message names the code and the wait', () => {
    const error = mapCloudflareError(
      429,
      envelope({ code: 10004, message: 'email.sending.error.throttled' }),
      { 'retry-after': '30' },
      send,
    );
    expect(error.message).toBe(
      'Cloudflare rate limit reached (code 10004: sending is throttled (sending quota reached)); retry in 30 s',
    );
  });

  it.each([
    ['"default";r=50;t=30', { remaining: 50, resetSeconds: 30 }],
    ['"default";r=0;t=7, "burst";r=1;t=1', { remaining: 0, resetSeconds: 7 }],
    ['"default"; r=3', { remaining: 3, resetSeconds: undefined }],
    ['"default";t=12', { remaining: undefined, resetSeconds: 12 }],
    ['"default";rr=5;tt=6', undefined],
    ['garbage', undefined],
    ['', undefined],
  ])('parseRatelimit(%j)', (value, state) => {
    expect(parseRatelimit(value)).toEqual(state);
  });

  it('parseRatelimit: absent, or the first of a repeated header', () => {
    expect(parseRatelimit(undefined)).toBeUndefined();
    expect(parseRatelimit(['"default";r=1;t=2', '"default";r=9;t=9'])).toEqual({
      remaining: 1,
      resetSeconds: 2,
    });
  });
});
