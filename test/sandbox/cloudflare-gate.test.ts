import { describe, expect, it } from 'vitest';
import { DEMO_CLOUDFLARE, SANDBOX_CLOUDFLARE_KEY_PAIR as PAIR } from '../../src/sandbox/cloudflare-demo.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import {
  CLOUDFLARE_LIMITS,
  CLOUDFLARE_SEND_ERRORS,
  CLOUDFLARE_SUBDOMAIN_ERRORS,
} from '../../src/upstream/cloudflare-wire.js';
import { CF, type RequestOptions, cf, expectCfError, fakeClock, sandbox } from './helpers.js';

const ZONE = DEMO_CLOUDFLARE.zones.primary.id;
const MAIL = DEMO_CLOUDFLARE.subdomains.mail.tag;
const SEND = `/accounts/${CF.accountId}/email/sending/send`;
const LIST = `/zones/${ZONE}/email/sending/subdomains`;
const MESSAGE = { from: 'a@mail.example.com', to: 'b@example.org', subject: 'Hi', text: 'Hi' };
const BEARER = { authorization: `Bearer ${CF.apiToken}` };
const KEY_PAIR = { 'x-auth-email': PAIR.email, 'x-auth-key': PAIR.key };
const ZONE_AUTH_ERROR = { status: 401, code: 10000, message: 'Authentication error' };

/** Exactly these auth headers (no default token is added), with `json` as the body. */
function auth(headers: Record<string, string>, json?: unknown): RequestOptions {
  return { headers, json, token: null };
}

describe('Cloudflare authentication', () => {
  it('accepts the API token or the X-Auth-Email + X-Auth-Key pair on every kind of route', async () => {
    const sb = await sandbox();
    for (const headers of [
      BEARER,
      KEY_PAIR,
      { ...BEARER, ...KEY_PAIR },
      { authorization: `bearer  ${CF.apiToken}` },
    ]) {
      expect((await cf(sb, 'GET', LIST, auth(headers))).status).toBe(200);
      expect((await cf(sb, 'POST', SEND, auth(headers, MESSAGE))).status).toBe(200);
    }
    // The SDK sends every credential it has: one valid set is enough.
    expect(
      (await cf(sb, 'GET', LIST, auth({ authorization: 'Bearer stale-token', ...KEY_PAIR }))).status,
    ).toBe(200);
    expect(
      (await cf(sb, 'GET', LIST, auth({ ...BEARER, 'x-auth-email': PAIR.email, 'x-auth-key': 'old' })))
        .status,
    ).toBe(200);
    expect(
      (await cf(sb, 'GET', LIST, auth({ ...KEY_PAIR, 'x-auth-email': 'USER@Example.com' }))).status,
    ).toBe(200);
  });

  it('401 on send routes with 10101, on zone routes with the generic 10000', async () => {
    const sb = await sandbox();
    const bad: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Basic ${Buffer.from(`x:${CF.apiToken}`).toString('base64')}` },
      { authorization: CF.apiToken },
      { 'x-auth-email': PAIR.email },
      { 'x-auth-key': PAIR.key },
      { 'x-auth-email': 'other@example.com', 'x-auth-key': PAIR.key },
      { 'x-auth-email': PAIR.email, 'x-auth-key': 'wrong' },
    ];
    for (const headers of bad) {
      expectCfError(await cf(sb, 'POST', SEND, auth(headers, MESSAGE)), CLOUDFLARE_SEND_ERRORS.unauthorized);
      expectCfError(
        await cf(sb, 'POST', `${SEND}_raw`, auth(headers, {})),
        CLOUDFLARE_SEND_ERRORS.unauthorized,
      );
      expectCfError(await cf(sb, 'GET', LIST, auth(headers)), ZONE_AUTH_ERROR);
      expectCfError(await cf(sb, 'DELETE', `${LIST}/${MAIL}`, auth(headers)), ZONE_AUTH_ERROR);
    }
    expect(sb.cloudflare.sent()).toEqual([]);
    expect(sb.cloudflare.subdomains(ZONE).every((s) => s.enabled)).toBe(true);
  });

  it('403 for the right credential on another account (10102) or a zone it does not have (10000)', async () => {
    const sb = await sandbox();
    for (const account of ['account_id', 'ffffffffffffffffffffffffffffffff']) {
      for (const route of ['send', 'send_raw']) {
        const reply = await cf(
          sb,
          'POST',
          `/accounts/${account}/email/sending/${route}`,
          auth(KEY_PAIR, MESSAGE),
        );
        expectCfError(reply, CLOUDFLARE_SEND_ERRORS.forbidden);
      }
    }
    const forbidden = { status: 403, code: 10000, message: 'Authentication error' };
    for (const zone of ['ffffffffffffffffffffffffffffffff', 'zone_id']) {
      expectCfError(await cf(sb, 'GET', `/zones/${zone}/email/sending/subdomains`), forbidden);
      expectCfError(await cf(sb, 'GET', `/zones/${zone}/email/sending/subdomains/${MAIL}/dns`), forbidden);
    }
  });

  it('records every call with how it authenticated', async () => {
    const sb = await sandbox();
    await cf(sb, 'GET', LIST);
    await cf(sb, 'GET', `${LIST}?page=2`, auth(KEY_PAIR));
    await cf(sb, 'GET', LIST, auth({}));
    await cf(sb, 'GET', LIST, auth({ authorization: 'Bearer nope' }));
    const path = `/cloudflare/client/v4${LIST}`;
    expect(sb.calls).toEqual([
      { method: 'GET', path, query: {}, status: 200, auth: 'api-token' },
      { method: 'GET', path, query: { page: '2' }, status: 200, auth: 'api-key-pair' },
      { method: 'GET', path, query: {}, status: 401, auth: 'none' },
      { method: 'GET', path, query: {}, status: 401, auth: 'invalid' },
    ]);
  });
});

describe('Cloudflare HTTP surface', () => {
  it('404/7003 for unknown paths under the prefix (before auth), 405/7001 with Allow for a wrong method', async () => {
    const sb = await sandbox();
    for (const path of [
      '',
      '/',
      '/zones',
      `/zones/${ZONE}/email/sending`,
      `${LIST}/${MAIL}/dns/other`,
      `${SEND}/`,
    ]) {
      expectCfError(await cf(sb, 'GET', path), CLOUDFLARE_SUBDOMAIN_ERRORS.couldNotRoute);
      expectCfError(await cf(sb, 'GET', path, auth({})), CLOUDFLARE_SUBDOMAIN_ERRORS.couldNotRoute);
    }
    const cases: Array<[string, string, string]> = [
      ['GET', SEND, 'POST'],
      ['PUT', LIST, 'GET, POST'],
      ['POST', `${LIST}/${MAIL}`, 'GET, PATCH, DELETE'],
      ['DELETE', `${LIST}/${MAIL}/dns`, 'GET, POST'],
      ['POST', `${LIST}/${MAIL}/dns/status`, 'GET'],
      ['GET', `${LIST}/preview`, ''],
    ];
    for (const [method, path, allow] of cases) {
      const reply = await cf(sb, method, path, auth({}));
      if (allow === '') {
        // GET …/subdomains/preview routes to the subdomain GET and is refused by the credential first.
        expect(reply.status).toBe(401);
        continue;
      }
      expectCfError(reply, { status: 405, code: 7001, message: 'Method not allowed' });
      expect(reply.headers.get('allow')).toBe(allow);
    }
    expect((await fetch(`${sb.url}/cloudflare/client/v5/zones`)).status).toBe(404);
  });

  it('400/7003 for a path that is not valid percent-encoding', async () => {
    const sb = await sandbox();
    const reply = await cf(sb, 'GET', `${LIST}/%E0%A4%A`);
    expectCfError(reply, { status: 400, code: 7003, message: 'Could not route' });
    expect(reply.headers.get('ratelimit')).toBe('"default";r=1200;t=0');
  });

  it('sends JSON, Ratelimit and Ratelimit-Policy on every response, and reports the 1200 default', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ rateLimits: true, now: clock.now });
    const replies = [
      await cf(sb, 'GET', LIST),
      await cf(sb, 'POST', SEND, auth(BEARER, MESSAGE)),
      await cf(sb, 'POST', SEND, auth(BEARER, { ...MESSAGE, text: '' })),
      await cf(sb, 'GET', `${LIST}/${MAIL}/dns`, auth(KEY_PAIR)),
      await cf(sb, 'GET', '/nowhere'),
      await cf(sb, 'GET', LIST, auth({})),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 200, 400, 200, 404, 401]);
    for (const reply of replies) {
      expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(reply.headers.get('ratelimit-policy')).toBe('"burst";q=1200;w=300');
      expect(reply.headers.get('retry-after')).toBeNull();
    }
    expect(replies.map((r) => r.headers.get('ratelimit'))).toEqual([
      '"default";r=1199;t=300',
      '"default";r=1198;t=300',
      '"default";r=1197;t=300',
      '"default";r=1196;t=300',
      // Unknown paths are not counted; a caller without a credential sees the untouched quota.
      '"default";r=1196;t=300',
      '"default";r=1200;t=0',
    ]);
    clock.advance(100_000);
    expect((await cf(sb, 'GET', LIST)).headers.get('ratelimit')).toBe('"default";r=1195;t=200');
  });

  it('still sends the headers, with the full quota, when rate limits are off', async () => {
    const sb = await sandbox({ rateLimits: false });
    for (let i = 0; i < 3; i++) {
      const reply = await cf(sb, 'GET', LIST);
      expect(reply.headers.get('ratelimit')).toBe('"default";r=1200;t=0');
      expect(reply.headers.get('ratelimit-policy')).toBe('"burst";q=1200;w=300');
    }
  });
});

describe(`Cloudflare rate limit (${CLOUDFLARE_LIMITS.requestsPerWindow} per ${CLOUDFLARE_LIMITS.windowSeconds} s)`, () => {
  const throttled = CLOUDFLARE_SEND_ERRORS.throttled;

  it('allows 1200 calls by default, answers the 1201st with 429, Retry-After and 10004, and recovers after the window', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ rateLimits: true, now: clock.now });
    for (let batch = 0; batch < 12; batch++) {
      // 100 at a time: the limit is about counting, not about concurrency.
      const statuses = await Promise.all(
        Array.from({ length: 100 }, () => cf(sb, 'GET', LIST).then((r) => r.status)),
      );
      expect(statuses.every((status) => status === 200)).toBe(true);
      clock.advance(1_000);
    }
    const limited = await cf(sb, 'GET', LIST);
    expectCfError(limited, throttled);
    expect(limited.body.messages).toEqual(['more than 1200 calls in 300 s']);
    expect(limited.headers.get('retry-after')).toBe('288');
    expect(limited.headers.get('ratelimit')).toBe('"default";r=0;t=288');
    clock.advance(288_000);
    // The first batch of 100 has left the window.
    expect((await cf(sb, 'GET', LIST)).headers.get('ratelimit')).toBe('"default";r=99;t=1');
  });

  it('uses cloudflareRequestsPerWindow; refused calls do not count; the window slides', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ rateLimits: true, cloudflareRequestsPerWindow: 3, now: clock.now });
    expect((await cf(sb, 'GET', LIST)).status).toBe(200);
    clock.advance(100_000);
    expect((await cf(sb, 'POST', SEND, auth(BEARER, MESSAGE))).status).toBe(200);
    expect((await cf(sb, 'GET', `${LIST}/ffffffffffffffffffffffffffffffff`)).status).toBe(404);
    for (let i = 0; i < 3; i++) {
      const reply = await cf(sb, 'POST', SEND, auth(BEARER, MESSAGE));
      expectCfError(reply, throttled);
      expect(reply.headers.get('retry-after')).toBe('200');
      expect(reply.headers.get('ratelimit-policy')).toBe('"burst";q=3;w=300');
    }
    expect(sb.cloudflare.sent()).toHaveLength(1);
    clock.advance(199_000);
    expect((await cf(sb, 'GET', LIST)).headers.get('retry-after')).toBe('1');
    clock.advance(1_000);
    expect((await cf(sb, 'GET', LIST)).status).toBe(200);
    expect((await cf(sb, 'GET', LIST)).status).toBe(429);
    expect(sb.calls.map((c) => c.status)).toEqual([200, 200, 404, 429, 429, 429, 429, 200, 429]);
  });

  it('is one budget per user: the token and the key pair share it; strangers cannot spend it', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ rateLimits: true, cloudflareRequestsPerWindow: 2, now: clock.now });
    for (let i = 0; i < 5; i++)
      expect((await cf(sb, 'GET', LIST, auth({ authorization: 'Bearer x' }))).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await cf(sb, 'GET', '/nowhere')).status).toBe(404);
    expect((await cf(sb, 'GET', LIST, auth(BEARER))).status).toBe(200);
    expect((await cf(sb, 'GET', LIST, auth(KEY_PAIR))).status).toBe(200);
    expectCfError(await cf(sb, 'GET', LIST, auth(BEARER)), throttled);
    expectCfError(await cf(sb, 'POST', SEND, auth(KEY_PAIR, MESSAGE)), throttled);
    // A throttled caller is throttled before its account is checked.
    expectCfError(
      await cf(sb, 'POST', '/accounts/other/email/sending/send', auth(BEARER, MESSAGE)),
      throttled,
    );
  });
});

describe('Cloudflare emulator determinism', () => {
  async function script(sb: Sandbox) {
    const created = await cf(sb, 'POST', LIST, auth(BEARER, { name: 'new.example.com' }));
    const sent = await cf(sb, 'POST', SEND, auth(BEARER, MESSAGE));
    const raw = await cf(
      sb,
      'POST',
      `${SEND}_raw`,
      auth(BEARER, {
        from: MESSAGE.from,
        recipients: ['x@example.org'],
        mime_message: 'From: a@mail.example.com\r\n\r\nHi',
      }),
    );
    return [created.body, sent.body, raw.body];
  }

  function snapshot(sb: Sandbox) {
    return {
      zones: sb.cloudflare.zones(),
      subdomains: sb.cloudflare.zones().map((zone) => sb.cloudflare.subdomains(zone.id)),
      dns: sb.cloudflare.zones().flatMap((zone) =>
        sb.cloudflare
          .subdomains(zone.id)
          .filter((s) => s.enabled)
          .map((s) => sb.cloudflare.dnsRecords(zone.id, s.tag)),
      ),
      sent: sb.cloudflare.sent(),
    };
  }

  it('hands out identical tags, message ids and keys for the same seed and calls', async () => {
    const clockA = fakeClock();
    const clockB = fakeClock();
    const a = await sandbox({ seed: 7, now: clockA.now });
    const b = await sandbox({ seed: 7, now: clockB.now });
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(await script(a)).toEqual(await script(b));
    expect(snapshot(a)).toEqual(snapshot(b));
  });

  it('keeps the documented ids and names for any seed, and never reads the wall clock', async () => {
    const one = await sandbox({ seed: 1, now: () => 0 });
    const two = await sandbox({ seed: 2, now: () => Date.parse('2030-01-01T00:00:00Z') });
    const names = (sb: Sandbox) =>
      sb.cloudflare
        .zones()
        .flatMap((zone) => sb.cloudflare.subdomains(zone.id).map((s) => [zone.name, s.tag, s.name]));
    expect(names(one)).toEqual(names(two));
    expect(names(one)).toEqual([
      ['example.com', DEMO_CLOUDFLARE.subdomains.mail.tag, 'mail.example.com'],
      ['example.com', DEMO_CLOUDFLARE.subdomains.notify.tag, 'notify.example.com'],
      ['example.net', DEMO_CLOUDFLARE.subdomains.legacy.tag, 'legacy.example.net'],
      ['example.net', DEMO_CLOUDFLARE.subdomains.send.tag, 'send.example.net'],
    ]);
    const stamps = (sb: Sandbox) => sb.cloudflare.subdomains(ZONE).map((s) => [s.created, s.modified]);
    expect(stamps(one)).toEqual(stamps(two));
    for (const [created] of stamps(one))
      expect(Date.parse(created ?? '')).toBeLessThan(Date.parse(DEMO_CLOUDFLARE.epoch));
    expect(snapshot(one).dns).not.toEqual(snapshot(two).dns);
  });
});
