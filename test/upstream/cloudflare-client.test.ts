/**
 * The Cloudflare Email Sending client against an undici MockAgent (no network): what each method puts on
 * the wire (NOTES §3, the SDK's own test params as fixtures), the v4 envelope, the transport's limits, the
 * checks made before any call, every error mapping as seen through a call, and the economy (cache,
 * in-flight de-duplication, invalidation, rate budget, stale fallback, 429 penalties, tenant isolation).
 * Every test counts the calls that reached the mock exactly.
 */
import type { MockCallHistoryLog } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NotConfiguredError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../../src/errors.js';
import { CLOUDFLARE_LIMITS } from '../../src/upstream/cloudflare-wire.js';
import type { CloudflareSendInput, CloudflareSendRawInput } from '../../src/upstream/cloudflare-wire.js';
import { CLOUDFLARE_BUDGET, type CloudflareClient } from '../../src/upstream/cloudflare.js';
import type { BudgetLimit } from '../../src/upstream/rate-budget.js';
import {
  ACCOUNT,
  BASE,
  type CloudflareHarness,
  ORIGIN,
  SDK_PARAMS,
  SEND_RESULT,
  SUB,
  TOKEN,
  ZONE,
  ZONE2,
  cloudflareHarness as harness,
  ok,
} from './cloudflare-helpers.js';
import { T0, closeHarnesses, header, recordCacheReads } from './helpers.js';

// Fixtures

const SEND = `${BASE}/accounts/${ACCOUNT}/email/sending/send`;
const SEND_RAW = `${BASE}/accounts/${ACCOUNT}/email/sending/send_raw`;

const subs = (zone = ZONE) => `${BASE}/zones/${zone}/email/sending/subdomains`;
const failure = (code: number | string, message: string) => ({
  success: false,
  errors: [{ code, message }],
  messages: [],
  result: null,
});

/** A subdomain as the spec shapes it (`tag`). */
function subdomain(tag: string, extra: Record<string, unknown> = {}) {
  return {
    tag,
    name: `${tag.slice(0, 4)}.example.com`,
    enabled: true,
    dkim_selector: 'cf-bounce',
    return_path_domain: `cf-bounce.${tag.slice(0, 4)}.example.com`,
    created: '2014-01-02T02:20:00Z',
    modified: '2014-01-02T02:20:00Z',
    ...extra,
  };
}

/** The same subdomain as the client hands it out: `tag` becomes `id`. */
function normalized(tag: string, extra: Record<string, unknown> = {}) {
  const { tag: id, ...rest } = subdomain(tag, extra);
  return { ...rest, id };
}

const DNS_RECORDS = [
  {
    type: 'MX',
    name: 'cf-bounce.sub.example.com',
    content: 'route1.mx.cloudflare.net',
    priority: 25,
    ttl: 1,
  },
  {
    type: 'MX',
    name: 'cf-bounce.sub.example.com',
    content: 'route2.mx.cloudflare.net',
    priority: 34,
    ttl: 1,
  },
  {
    type: 'MX',
    name: 'cf-bounce.sub.example.com',
    content: 'route3.mx.cloudflare.net',
    priority: 12,
    ttl: 1,
  },
  { type: 'TXT', name: 'cf-bounce.sub.example.com', content: 'v=spf1 include:_spf.mx.cloudflare.net ~all' },
  { type: 'TXT', name: 'cf-bounce._domainkey.sub.example.com', content: 'v=DKIM1; h=sha256; k=rsa; p=MIIB' },
  { type: 'TXT', name: '_dmarc.sub.example.com', content: 'v=DMARC1; p=reject;' },
];

const MESSAGE: CloudflareSendInput = {
  from: 'sender@example.com',
  subject: 'Hi',
  to: 'recipient@example.com',
  text: 'hi',
};

// Harness

let h: CloudflareHarness;

afterEach(closeHarnesses);

function only(): MockCallHistoryLog | undefined {
  const history = h.history();
  expect(history).toHaveLength(1);
  return history[0];
}

function expectAuth(log = only()) {
  expect(header(log, 'authorization')).toBe(`Bearer ${TOKEN}`);
  expect(header(log, 'user-agent')).toBe('mailgraph/0.1');
  expect(header(log, 'x-auth-key')).toBeUndefined();
}

function bodyOf(log = only()): unknown {
  return JSON.parse(String(log?.body));
}

const getSub = (id = SUB, zone = ZONE) => ({ path: `${subs(zone)}/${id}`, method: 'GET' });
const listSubs = (zone = ZONE) => ({ path: subs(zone), method: 'GET' });
const dnsOf = (id = SUB, zone = ZONE) => ({ path: `${subs(zone)}/${id}/dns`, method: 'GET' });

/** Runs `call` and returns what it threw (or fails the test if it resolved). */
async function thrown(call: Promise<unknown>): Promise<Error> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

// Tests

describe('wire calls', () => {
  it('send: POST /accounts/{account_id}/email/sending/send with the SDK test params (required only)', async () => {
    h = harness();
    const fixture = SDK_PARAMS['emailSending.send'].only_required;
    const client = h.makeClient({ accountId: fixture.account_id });
    h.pool
      .intercept({ path: `${BASE}/accounts/account_id/email/sending/send`, method: 'POST' })
      .reply(200, ok(SEND_RESULT));
    await expect(client.send(fixture.body)).resolves.toEqual(SEND_RESULT);
    expectAuth();
    expect(only()?.method).toBe('POST');
    expect(only()?.fullUrl).toBe(`${ORIGIN}${BASE}/accounts/account_id/email/sending/send`);
    expect(header(only(), 'content-type')).toBe('application/json');
    expect(bodyOf()).toEqual(fixture.body);
  });

  it('send: the SDK all-params body goes out unchanged', async () => {
    h = harness();
    const fixture = SDK_PARAMS['emailSending.send'].required_and_optional;
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(SEND_RESULT));
    await h.client.send(fixture.body);
    expect(only()?.body).toBe(JSON.stringify(fixture.body));
    expect(bodyOf()).toEqual(fixture.body);
  });

  it('sendRaw: POST …/send_raw with exactly from, recipients and mime_message', async () => {
    h = harness();
    const fixture = SDK_PARAMS['emailSending.sendRaw'].only_required;
    h.pool.intercept({ path: SEND_RAW, method: 'POST' }).reply(200, ok(SEND_RESULT));
    // The spec's SendRawRequest has additionalProperties: false, so nothing else may ride along.
    const withExtra = { ...fixture.body, headers: { 'X-Extra': '1' } } as CloudflareSendRawInput;
    await expect(h.client.sendRaw(withExtra)).resolves.toEqual(SEND_RESULT);
    expectAuth();
    expect(bodyOf()).toEqual(fixture.body);
    expect(Object.keys(bodyOf() as object)).toEqual(['from', 'recipients', 'mime_message']);
  });

  it('listSubdomains: GET /zones/{zone_id}/email/sending/subdomains, tag read as id', async () => {
    h = harness();
    h.pool
      .intercept(listSubs())
      .reply(200, ok([subdomain(SUB), subdomain('bbbb0000bbbb0000bbbb0000bbbb0000')]));
    await expect(h.client.listSubdomains(ZONE)).resolves.toEqual({
      data: [normalized(SUB), normalized('bbbb0000bbbb0000bbbb0000bbbb0000')],
      stale: false,
    });
    expectAuth();
    expect(only()?.body).toBeFalsy();
    expect(only()?.fullUrl).toBe(`${ORIGIN}${subs()}`);
  });

  it('getSubdomain: GET …/subdomains/{subdomain_id} (the SDK test ids)', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, ok(subdomain(SUB)));
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toEqual({ data: normalized(SUB), stale: false });
    expectAuth();
  });

  it('createSubdomain: reads the zone’s list (to refuse a name outside the zone), then POSTs {name} (the SDK test params)', async () => {
    h = harness();
    const fixture = SDK_PARAMS['emailSending.subdomains.create'].only_required;
    h.pool.intercept(listSubs(fixture.zone_id)).reply(200, ok([subdomain(SUB)]));
    h.pool
      .intercept({ path: subs(fixture.zone_id), method: 'POST' })
      .reply(200, ok(subdomain(SUB, { name: fixture.body.name })));
    await expect(h.client.createSubdomain(fixture.zone_id, fixture.body.name)).resolves.toEqual(
      normalized(SUB, { name: fixture.body.name }),
    );
    const [list, post] = h.history();
    expect(h.history()).toHaveLength(2);
    expect(list?.method).toBe('GET');
    expectAuth(post);
    expect(bodyOf(post)).toEqual(fixture.body);
    expect(header(post, 'content-type')).toBe('application/json');
  });

  it('createSubdomain: also accepts 201', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([]));
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(201, ok(subdomain(SUB)));
    await expect(h.client.createSubdomain(ZONE, 'sub.example.com')).resolves.toMatchObject({ id: SUB });
  });

  it('getSubdomainDnsStatus: GET …/subdomains/{subdomain_id}/dns/status, cached and forgotten with the zone', async () => {
    h = harness();
    const status = {
      status: 'unconfigured',
      records: DNS_RECORDS,
      errors: [{ code: 'dmarc.missing', missing: DNS_RECORDS[5] }],
    };
    h.pool.intercept({ path: `${subs()}/${SUB}/dns/status`, method: 'GET' }).reply(200, ok(status));
    await expect(h.client.getSubdomainDnsStatus(ZONE, SUB)).resolves.toEqual({ data: status, stale: false });
    await h.client.getSubdomainDnsStatus(ZONE, SUB);
    expectAuth();
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(200, ok(subdomain('new1')));
    h.pool.intercept(listSubs()).reply(200, ok([subdomain(SUB)]));
    h.pool
      .intercept({ path: `${subs()}/${SUB}/dns/status`, method: 'GET' })
      .reply(200, ok({ status: 'ready' }));
    await h.client.createSubdomain(ZONE, 'new1.example.com');
    await expect(h.client.getSubdomainDnsStatus(ZONE, SUB)).resolves.toMatchObject({
      data: { status: 'ready' },
    });
    expect(h.history().map((log) => log.method)).toEqual(['GET', 'GET', 'POST', 'GET']);
  });

  it('getSubdomainDnsStatus: 404 with 2033 names the subdomain; a result of the wrong shape is MALFORMED_RESPONSE', async () => {
    h = harness();
    h.pool
      .intercept({ path: `${subs()}/${SUB}/dns/status`, method: 'GET' })
      .reply(404, failure(2033, 'Subdomain not found'));
    await expect(h.client.getSubdomainDnsStatus(ZONE, SUB)).rejects.toMatchObject({
      resource: 'CloudflareSendingSubdomain',
      id: SUB,
    });
    h.pool
      .intercept({ path: `${subs()}/${SUB}/dns/status`, method: 'GET' })
      .reply(200, ok({ errors: [{ missing: {} }] }));
    await expect(h.client.getSubdomainDnsStatus(ZONE, SUB)).rejects.toMatchObject({
      code: 'MALFORMED_RESPONSE',
    });
  });

  it('updateSubdomain: PATCH {preview_enabled} only, forgets the zone’s reads and primes the subdomain', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([subdomain(SUB)]));
    await h.client.listSubdomains(ZONE);
    h.pool
      .intercept({ path: `${subs()}/${SUB}`, method: 'PATCH' })
      .reply(200, ok(subdomain(SUB, { preview_enabled: true })));
    const extra = { preview_enabled: true, name: 'renamed.example.com' } as unknown as {
      preview_enabled: boolean;
    };
    await expect(h.client.updateSubdomain(ZONE, SUB, extra)).resolves.toMatchObject({
      id: SUB,
      preview_enabled: true,
    });
    const patch = h.history()[1];
    expectAuth(patch);
    expect(bodyOf(patch)).toEqual({ preview_enabled: true });
    // The GET is primed by the answer; the list was forgotten.
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
      data: { preview_enabled: true },
    });
    h.pool.intercept(listSubs()).reply(200, ok([subdomain(SUB, { preview_enabled: true })]));
    await h.client.listSubdomains(ZONE);
    expect(h.history().map((log) => log.method)).toEqual(['GET', 'PATCH', 'GET']);
  });

  it('updateSubdomain: a setting that is not a boolean, or a bad id, is refused before any call', async () => {
    h = harness();
    for (const call of [
      () =>
        h.client.updateSubdomain(ZONE, SUB, { preview_enabled: 'yes' } as unknown as {
          preview_enabled: boolean;
        }),
      () => h.client.updateSubdomain(ZONE, `${SUB}0`, { preview_enabled: true }),
      () => h.client.updateSubdomain('f'.repeat(32), SUB, { preview_enabled: true }),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(ValidationError);
    }
    expect(h.history()).toHaveLength(0);
  });

  it('deleteSubdomain: DELETE …/subdomains/{subdomain_id}, the bare envelope (result null, {} or a string)', async () => {
    h = harness();
    h.pool.intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' }).reply(200, ok(null));
    h.pool.intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' }).reply(200, ok({}));
    h.pool
      .intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' })
      .reply(200, { success: true, errors: [], messages: [] });
    h.pool.intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' }).reply(200, ok('deleted'));
    h.pool.intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' }).reply(204, '');
    for (let i = 0; i < 5; i++) await expect(h.client.deleteSubdomain(ZONE, SUB)).resolves.toBeUndefined();
    const history = h.history();
    expect(history).toHaveLength(5);
    for (const log of history) {
      expect(log.method).toBe('DELETE');
      expect(log.body).toBeFalsy();
      expectAuth(log);
    }
  });

  it('getSubdomainDns: GET …/subdomains/{subdomain_id}/dns', async () => {
    h = harness();
    h.pool
      .intercept(dnsOf())
      .reply(
        200,
        ok(DNS_RECORDS, { result_info: { count: 6, page: 1, per_page: 20, total_count: 6, total_pages: 1 } }),
      );
    await expect(h.client.getSubdomainDns(ZONE, SUB)).resolves.toEqual({ data: DNS_RECORDS, stale: false });
    expectAuth();
  });

  it('reports each call with its route template, never the token', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, ok(subdomain(SUB)));
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(SEND_RESULT));
    await h.client.getSubdomain(ZONE, SUB);
    await h.client.send(MESSAGE);
    expect(h.calls).toMatchObject([
      {
        provider: 'CLOUDFLARE',
        method: 'GET',
        path: `${subs()}/${SUB}`,
        route: '/zones/{zone_id}/email/sending/subdomains/{subdomain_id}',
        status: 200,
        attempt: 1,
      },
      { method: 'POST', path: SEND, route: '/accounts/{account_id}/email/sending/send', status: 200 },
    ]);
    expect(JSON.stringify(h.calls)).not.toContain(TOKEN);
  });

  it('exposes the configured zone ids, read-only', () => {
    h = harness();
    expect(h.client.zoneIds).toEqual([ZONE, ZONE2]);
    expect(Object.isFrozen(h.client.zoneIds)).toBe(true);
  });
});

describe('the v4 envelope', () => {
  it('success: false on a 200 is an error, mapped by its code (10204 → FORBIDDEN)', async () => {
    h = harness();
    h.pool
      .intercept({ path: SEND, method: 'POST' })
      .reply(200, failure(10204, 'email.sending.error.email.sender_not_configured'));
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      status: 200,
      provider: 'CLOUDFLARE',
      providerCode: '10204',
    });
    expect(error.message).toContain(
      'sender not configured: the From domain is not an enabled sending subdomain',
    );
  });

  it('success: false on a 200 with a numeric-string code (10001) is a ValidationError', async () => {
    h = harness();
    h.pool
      .intercept({ path: SEND, method: 'POST' })
      .reply(200, failure('10001', 'email.sending.error.invalid_request_schema'));
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: 'CLOUDFLARE', providerCode: '10001' });
    expect(error.message).toContain('10001');
  });

  it('success: false on a 200 without any error is UNEXPECTED_STATUS', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, { success: false, errors: [], messages: [], result: null });
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({
      code: 'UNEXPECTED_STATUS',
      status: 200,
      providerCode: null,
    });
  });

  it('success: false on a 200 is never cached', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, failure(2033, 'Subdomain not found'));
    h.pool.intercept(getSub()).reply(200, ok(subdomain(SUB)));
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({ data: { id: SUB } });
    expect(h.history()).toHaveLength(2);
  });

  it('a missing result is MALFORMED_RESPONSE where the call needs one', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, { success: true, errors: [], messages: [] });
    h.pool.intercept(getSub()).reply(200, ok(null));
    await expect(h.client.listSubdomains(ZONE)).rejects.toMatchObject({
      code: 'MALFORMED_RESPONSE',
      status: 200,
    });
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('a send whose result cannot be read says that it may have gone out', async () => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, { success: true, errors: [], messages: [] });
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toMatchObject({ code: 'SEND_OUTCOME_UNKNOWN', reason: 'MALFORMED_RESPONSE' });
    expect(error.message).toMatch(/may have been sent/);
    expect(h.history()).toHaveLength(1);
  });

  it('result_info present, null or absent; messages as objects or as strings', async () => {
    h = harness({ upstream: { cacheTtlSeconds: 0 } });
    const bodies = [
      ok([subdomain(SUB)], {
        result_info: { page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 },
      }),
      ok([subdomain(SUB)], { result_info: null }),
      ok([subdomain(SUB)]),
      ok([subdomain(SUB)], { messages: ['a note'] }),
      ok([subdomain(SUB)], { messages: [{ code: 1000, message: 'note', documentation_url: 'https://x' }] }),
    ];
    for (const body of bodies) h.pool.intercept(listSubs()).reply(200, body);
    for (const _ of bodies) {
      await expect(h.client.listSubdomains(ZONE)).resolves.toEqual({ data: [normalized(SUB)], stale: false });
    }
    expect(h.history()).toHaveLength(bodies.length);
  });

  it('an envelope without success is MALFORMED_RESPONSE', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, { result: subdomain(SUB) });
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('a bare result without the envelope is MALFORMED_RESPONSE', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, subdomain(SUB));
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('tag or id: the live `id`, the spec `tag` (which wins when both are there), unknown fields dropped', async () => {
    h = harness();
    const { tag: _tag, ...withoutTag } = subdomain('cccc');
    h.pool
      .intercept(listSubs())
      .reply(
        200,
        ok([
          { ...withoutTag, id: 'live-id-1', preview_enabled: false, drop_suppressed_recipients: true },
          subdomain('tag-wins', { id: 'ignored-id' }),
        ]),
      );
    const { data } = await h.client.listSubdomains(ZONE);
    expect(data[0]).toEqual({ ...withoutTag, id: 'live-id-1', preview_enabled: false });
    expect(data[1]?.id).toBe('tag-wins');
    expect(data[1]).not.toHaveProperty('tag');
  });

  it('a subdomain with neither tag nor id is MALFORMED_RESPONSE', async () => {
    h = harness();
    const { tag: _tag, ...withoutTag } = subdomain(SUB);
    h.pool.intercept(getSub()).reply(200, ok(withoutTag));
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('the pre-April-2026 field names (email_sending_*) still decode (name and tag are there)', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(
      200,
      ok({
        email_sending_enabled: true,
        name: 'sub.example.com',
        tag: SUB,
        created: '2014-01-02T02:20:00Z',
        email_sending_dkim_selector: 'cf-bounce',
        enabled: true,
      }),
    );
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
      data: { id: SUB, name: 'sub.example.com', enabled: true },
    });
  });

  it('a send result without message_id (older docs example) is accepted; null too', async () => {
    h = harness();
    const { message_id: _id, ...withoutId } = SEND_RESULT;
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(withoutId));
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok({ ...withoutId, message_id: null }));
    await expect(h.client.send(MESSAGE)).resolves.toEqual(withoutId);
    await expect(h.client.send(MESSAGE)).resolves.toEqual({ ...withoutId, message_id: null });
  });

  it('a send result with missing arrays gets empty ones; a wrong type is MALFORMED_RESPONSE', async () => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok({ queued: ['a@example.com'] }));
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok({ delivered: 'a@example.com' }));
    await expect(h.client.send(MESSAGE)).resolves.toEqual({
      delivered: [],
      permanent_bounces: [],
      queued: ['a@example.com'],
    });
    // A 2xx that cannot be read may be an accepted send: its outcome is unknown.
    await expect(h.client.send(MESSAGE)).rejects.toMatchObject({
      code: 'SEND_OUTCOME_UNKNOWN',
      reason: 'MALFORMED_RESPONSE',
    });
  });

  it('sends accept any 2xx with the envelope (an accepted send must not look failed)', async () => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(202, ok(SEND_RESULT));
    await expect(h.client.send(MESSAGE)).resolves.toEqual(SEND_RESULT);
  });
});

describe('transport limits', () => {
  it('malformed JSON on a 200 is MALFORMED_RESPONSE', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, '{"success":true,"result":');
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({
      code: 'MALFORMED_RESPONSE',
      status: 200,
    });
  });

  it('an oversized success body is RESPONSE_TOO_LARGE', async () => {
    h = harness({ upstream: { maxResponseBytes: 2_048 } });
    const many = Array.from({ length: 50 }, (_, i) => subdomain(`s${i}`.padEnd(32, '0')));
    h.pool.intercept(listSubs()).reply(200, ok(many));
    await expect(h.client.listSubdomains(ZONE)).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('a slow read is TIMEOUT and is not retried', async () => {
    h = harness({ upstream: { timeoutMs: 150 } });
    h.pool
      .intercept(getSub())
      .reply(200, ok(subdomain(SUB)))
      .delay(2_000);
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ code: 'TIMEOUT', status: null });
    expect(h.history()).toHaveLength(1);
  });

  it('a slow send is TIMEOUT, not retried, and says the message may have gone out', async () => {
    h = harness({ upstream: { timeoutMs: 150 } });
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(SEND_RESULT)).delay(2_000);
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toMatchObject({ code: 'SEND_OUTCOME_UNKNOWN', reason: 'TIMEOUT', status: null });
    expect(error.message).toMatch(/may have been sent/);
    expect(h.history()).toHaveLength(1);
  });

  it('a 503 on a read is retried once, then succeeds', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(503, 'busy');
    h.pool.intercept(getSub()).reply(200, ok(subdomain(SUB)));
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({ data: { id: SUB } });
    expect(h.history()).toHaveLength(2);
  });

  it('a network error on a read is retried once, then NETWORK', async () => {
    h = harness();
    h.pool.intercept(dnsOf()).replyWithError(new Error('socket hang up')).times(2);
    await expect(h.client.getSubdomainDns(ZONE, SUB)).rejects.toMatchObject({
      code: 'NETWORK',
      status: null,
    });
    expect(h.history()).toHaveLength(2);
  });

  it('sends are never retried: a 503 from a gateway is one call and may have gone out', async () => {
    h = harness();
    h.pool.intercept({ path: SEND_RAW, method: 'POST' }).reply(503, '<html>Service Unavailable</html>');
    const raw = SDK_PARAMS['emailSending.sendRaw'].only_required.body;
    const error = await thrown(h.client.sendRaw(raw));
    expect(error).toMatchObject({ code: 'SEND_OUTCOME_UNKNOWN', reason: 'SERVER_ERROR', status: 503 });
    expect(error.message).toMatch(/may have been sent/);
    expect(error.message).not.toContain('html');
    expect(h.history()).toHaveLength(1);
  });

  it("the API's own 500 (10002: no email is sent, per the spec) does not claim it may have gone out", async () => {
    h = harness();
    h.pool
      .intercept({ path: SEND, method: 'POST' })
      .reply(500, failure(10002, 'email.sending.error.internal_server'));
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 500, providerCode: '10002' });
    expect(error.message).not.toMatch(/may have been sent/);
  });

  it('a network error on a send is one call', async () => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).replyWithError(new Error('reset'));
    await expect(h.client.send(MESSAGE)).rejects.toMatchObject({
      code: 'SEND_OUTCOME_UNKNOWN',
      reason: 'NETWORK',
    });
    expect(h.history()).toHaveLength(1);
  });
});

describe('checks before any call', () => {
  const everyCall = (client: CloudflareClient) => [
    () => client.send(MESSAGE),
    () => client.sendRaw({ from: 'a@example.com', recipients: ['b@example.com'], mime_message: 'x' }),
    () => client.listSubdomains(ZONE),
    () => client.getSubdomain(ZONE, SUB),
    () => client.createSubdomain(ZONE, 'sub.example.com'),
    () => client.deleteSubdomain(ZONE, SUB),
    () => client.getSubdomainDns(ZONE, SUB),
  ];

  it('without a token every method is NotConfiguredError', async () => {
    h = harness({ config: { apiToken: null } });
    for (const call of everyCall(h.client)) {
      const error = await thrown(call());
      expect(error).toBeInstanceOf(NotConfiguredError);
      expect(error).toMatchObject({ provider: 'CLOUDFLARE' });
    }
    // Even with a zone id that is not configured: the missing token is the first problem.
    await expect(h.client.listSubdomains('ffffffffffffffffffffffffffffffff')).rejects.toBeInstanceOf(
      NotConfiguredError,
    );
    expect(h.history()).toHaveLength(0);
  });

  it('without an account id, sending is NotConfiguredError but the zone routes work', async () => {
    h = harness({ config: { accountId: null } });
    const [send, sendRaw] = everyCall(h.client);
    await expect(send?.()).rejects.toBeInstanceOf(NotConfiguredError);
    await expect(sendRaw?.()).rejects.toBeInstanceOf(NotConfiguredError);
    h.pool.intercept(listSubs()).reply(200, ok([]));
    await expect(h.client.listSubdomains(ZONE)).resolves.toEqual({ data: [], stale: false });
    expect(h.history()).toHaveLength(1);
  });

  it('without zones, every zone route is NotConfiguredError but sending works', async () => {
    h = harness({ config: { zoneIds: [] } });
    for (const call of everyCall(h.client).slice(2)) {
      await expect(call()).rejects.toBeInstanceOf(NotConfiguredError);
    }
    expect(h.history()).toHaveLength(0);
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(SEND_RESULT));
    await expect(h.client.send(MESSAGE)).resolves.toEqual(SEND_RESULT);
    expect(h.history()).toHaveLength(1);
  });

  it('a zone the operator did not configure is a ValidationError, never a call', async () => {
    h = harness();
    const stranger = 'ffffffffffffffffffffffffffffffff';
    for (const call of [
      () => h.client.listSubdomains(stranger),
      () => h.client.getSubdomain(stranger, SUB),
      () => h.client.createSubdomain(stranger, 'sub.example.com'),
      () => h.client.deleteSubdomain(stranger, SUB),
      () => h.client.getSubdomainDns(stranger, SUB),
    ]) {
      const error = await thrown(call());
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ issues: [{ path: 'zoneId' }], provider: null });
    }
    expect(h.history()).toHaveLength(0);
  });

  it.each([
    '../x',
    '..',
    '.',
    'a/b',
    '',
    'a b',
    '%2e%2e',
    'a?b=c',
    'x'.repeat(65),
    'sub.example.com',
    'a'.repeat(33),
  ])('subdomain id %j is a ValidationError before any call', async (id) => {
    h = harness();
    for (const call of [
      () => h.client.getSubdomain(ZONE, id),
      () => h.client.deleteSubdomain(ZONE, id),
      () => h.client.getSubdomainDns(ZONE, id),
    ]) {
      const error = await thrown(call());
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ issues: [{ path: 'id' }] });
    }
    expect(h.history()).toHaveLength(0);
  });

  it.each(['../x', '..', '', ZONE.toUpperCase().replace('0', '/')])(
    'zone id %j is a ValidationError before any call',
    async (zone) => {
      h = harness();
      await expect(h.client.listSubdomains(zone)).rejects.toBeInstanceOf(ValidationError);
      expect(h.history()).toHaveLength(0);
    },
  );

  it('a lenient id (letters, digits, - and _, up to 32) goes out as one path segment', async () => {
    h = harness();
    const id = 'Live_id-0123';
    h.pool.intercept(getSub(id)).reply(200, ok(subdomain(id)));
    await expect(h.client.getSubdomain(ZONE, id)).resolves.toMatchObject({ data: { id } });
    expect(only()?.path).toBe(`${subs()}/${id}`);
  });

  it('a subdomain id of 33 characters is refused before any call; 32 (the spec’s maxLength) goes out', async () => {
    h = harness();
    const long = `${SUB}a`;
    for (const call of [
      () => h.client.getSubdomain(ZONE, long),
      () => h.client.getSubdomainDns(ZONE, long),
      () => h.client.deleteSubdomain(ZONE, long),
    ]) {
      const error = await thrown(call());
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        provider: null,
        issues: [{ path: 'id', message: expect.stringContaining('at most 32') }],
      });
    }
    expect(h.history()).toHaveLength(0);
    h.pool.intercept(getSub()).reply(200, ok(subdomain(SUB)));
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({ data: { id: SUB } });
    expect(h.history()).toHaveLength(1);
  });

  it.each(['', 'a b', 'x\r\nHost: evil', 'x'.repeat(254)])(
    'subdomain name %j is a ValidationError before any call',
    async (name) => {
      h = harness();
      const error = await thrown(h.client.createSubdomain(ZONE, name));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ issues: [{ path: 'name' }] });
      expect(h.history()).toHaveLength(0);
    },
  );
});

describe('a new subdomain must lie within its zone', () => {
  const zoneList = (...names: string[]) =>
    ok(names.map((name, i) => subdomain(`${i}`.padStart(32, 'c'), { name })));

  it('a name outside the zone is refused before the create, from the zone’s cached subdomain list', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, zoneList('mail.example.com', 'notify.example.com'));
    await h.client.listSubdomains(ZONE);
    for (const name of ['mail.elsewhere.org', 'example.com.evil.org', 'notexample.com', 'x.example.net']) {
      const error = await thrown(h.client.createSubdomain(ZONE, name));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        provider: null,
        issues: [{ path: 'name', message: expect.stringContaining('example.com') }],
      });
    }
    // The list was already cached: no call at all for the refusals.
    expect(h.history()).toHaveLength(1);
  });

  it('without the list cached, one list read decides; the POST is never made', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, zoneList('mail.example.com'));
    const error = await thrown(h.client.createSubdomain(ZONE, 'MAIL.Elsewhere.org'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(h.history().map((log) => log.method)).toEqual(['GET']);
  });

  it('names within the zone (the apex, deeper names, a wildcard, any case) go out', async () => {
    h = harness();
    const names = ['example.com', 'a.b.example.com', '*.example.com', 'News.Example.COM'];
    for (const name of names) {
      // Each create forgets the zone's list, so the next create reads it again.
      h.pool.intercept(listSubs()).reply(200, zoneList('mail.example.com'));
      h.pool.intercept({ path: subs(), method: 'POST' }).reply(200, ok(subdomain(SUB, { name })));
      await expect(h.client.createSubdomain(ZONE, name)).resolves.toMatchObject({ id: SUB });
    }
    expect(h.history().map((log) => log.method)).toEqual(names.flatMap(() => ['GET', 'POST']));
  });

  it('when the zone has no subdomain yet, Cloudflare decides', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([]));
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(400, failure(2001, 'Invalid request'));
    await expect(h.client.createSubdomain(ZONE, 'mail.elsewhere.org')).rejects.toMatchObject({
      provider: 'CLOUDFLARE',
    });
    expect(h.history().map((log) => log.method)).toEqual(['GET', 'POST']);
  });

  it('when the zone’s list cannot be read now, Cloudflare decides', async () => {
    h = harness();
    // A read is retried once on a 503, within the same deadline.
    h.pool.intercept(listSubs()).reply(503, failure(10002, 'down')).times(2);
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(200, ok(subdomain(SUB)));
    await expect(h.client.createSubdomain(ZONE, 'sub.example.com')).resolves.toMatchObject({ id: SUB });
    expect(h.history().map((log) => log.method)).toEqual(['GET', 'GET', 'POST']);
  });
});

describe('error mapping through the client', () => {
  it.each([
    [10001, 'email.sending.error.invalid_request_schema'],
    [10200, 'email.sending.error.email.too_big'],
    [10201, 'email.sending.error.email.no_content_length'],
    [10202, 'email.sending.error.email.invalid'],
  ])('400 with %i on send is a ValidationError naming the code', async (code, message) => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(400, failure(code, message));
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: 'CLOUDFLARE', providerCode: String(code) });
    expect(error.message).toContain(`code ${code}`);
    expect((error as ValidationError).issues[0]?.message).toContain(`code ${code}`);
    expect(h.history()).toHaveLength(1);
  });

  it('400 with 2028 on a subdomain read is a ValidationError', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(400, failure(2028, 'subdomain_id is not a valid identifier'));
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      providerCode: '2028',
    });
  });

  it.each([
    [10101, 'email.sending.error.authentication.unauthorized'],
    [10103, 'email.sending.error.authentication.bad_token_type'],
  ])('401 with %i is UNAUTHORIZED', async (code, message) => {
    h = harness();
    h.pool.intercept(listSubs()).reply(401, failure(code, message));
    const error = await thrown(h.client.listSubdomains(ZONE));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, providerCode: String(code) });
    expect(h.history()).toHaveLength(1);
  });

  it.each([
    [10102, 'email.sending.error.authentication.forbidden', 'lacks the Email Sending permission'],
    [10105, 'email.sending.error.authentication.not_entitled', 'not entitled'],
    [10203, 'email.sending.error.email.sending_disabled', 'sending disabled'],
    [
      10204,
      'email.sending.error.email.sender_not_configured',
      'sender not configured: the From domain is not an enabled sending subdomain',
    ],
  ])('403 with %i on send is FORBIDDEN with a message of its own', async (code, message, text) => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(403, failure(code, message));
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toMatchObject({ code: 'FORBIDDEN', status: 403, providerCode: String(code) });
    expect(error.message).toContain(text);
    expect(error.message).toContain(`code ${code}`);
  });

  it('403 with 2043 on a subdomain create is FORBIDDEN (zone locked)', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([]));
    h.pool
      .intercept({ path: subs(), method: 'POST' })
      .reply(403, failure(2043, 'zone is admin-locked and cannot be mutated'));
    const error = await thrown(h.client.createSubdomain(ZONE, 'sub.example.com'));
    expect(error).toMatchObject({ code: 'FORBIDDEN', providerCode: '2043' });
    expect(error.message).toContain('zone locked');
  });

  it('404 with 10000 on send names the account', async () => {
    h = harness();
    h.pool
      .intercept({ path: SEND, method: 'POST' })
      .reply(404, failure(10000, 'email.sending.error.not_found'));
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ resource: 'CloudflareAccount', id: ACCOUNT, providerCode: '10000' });
  });

  it('10000 on a zone route is an authentication error on every zone call, never "not found"', async () => {
    h = harness();
    const auth = failure(10000, 'Authentication error');
    // The second list read is the create's own, which learns nothing from a refusal and lets the POST go.
    h.pool.intercept(listSubs()).reply(403, auth).times(2);
    h.pool.intercept(getSub()).reply(403, auth);
    h.pool.intercept(dnsOf()).reply(401, auth);
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(403, auth);
    h.pool.intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' }).reply(404, auth);
    const errors: UpstreamError[] = [];
    for (const error of [
      await thrown(h.client.listSubdomains(ZONE)),
      await thrown(h.client.getSubdomain(ZONE, SUB)),
      await thrown(h.client.getSubdomainDns(ZONE, SUB)),
      await thrown(h.client.createSubdomain(ZONE, 'sub.example.com')),
      await thrown(h.client.deleteSubdomain(ZONE, SUB)),
    ]) {
      expect(error).toBeInstanceOf(UpstreamError);
      errors.push(error as UpstreamError);
    }
    expect(errors.map((error) => error.code)).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
      'UNAUTHORIZED',
      'FORBIDDEN',
      'UNAUTHORIZED',
    ]);
    for (const error of errors) {
      expect(error.providerCode).toBe('10000');
      expect(error.message).toContain('code 10000: authentication error');
      expect(error.message).not.toContain('not found');
    }
  });

  it('404 with 2033 names the subdomain of the call (get, DNS, and a second delete)', async () => {
    h = harness();
    const gone = failure(2033, 'Subdomain not found');
    h.pool.intercept(getSub()).reply(404, gone);
    h.pool.intercept(dnsOf()).reply(404, gone);
    h.pool.intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' }).reply(404, gone);
    for (const call of [
      () => h.client.getSubdomain(ZONE, SUB),
      () => h.client.getSubdomainDns(ZONE, SUB),
      () => h.client.deleteSubdomain(ZONE, SUB),
    ]) {
      const error = await thrown(call());
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ resource: 'CloudflareSendingSubdomain', id: SUB, providerCode: '2033' });
    }
    expect(h.history()).toHaveLength(3);
  });

  it('404 with 7003 on a list names the zone', async () => {
    h = harness();
    h.pool.intercept(listSubs(ZONE2)).reply(404, failure(7003, 'Could not route'));
    await expect(h.client.listSubdomains(ZONE2)).rejects.toMatchObject({
      resource: 'CloudflareZone',
      id: ZONE2,
      providerCode: '7003',
    });
  });

  it('409 with 2040 (a second create of the same name) is a ValidationError', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([]));
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(409, failure(2040, 'Subdomain already exists'));
    const error = await thrown(h.client.createSubdomain(ZONE, 'sub.example.com'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: 'CLOUDFLARE', providerCode: '2040' });
    expect(error.message).toContain('already exists');
  });

  it.each([2008, 2026, 2027])('409 with %i is CONFLICT', async (code) => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([]));
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(409, failure(code, 'dns conflict'));
    await expect(h.client.createSubdomain(ZONE, 'sub.example.com')).rejects.toMatchObject({
      code: 'CONFLICT',
      status: 409,
      providerCode: String(code),
    });
  });

  it('429 with Retry-After in seconds', async () => {
    h = harness();
    h.pool
      .intercept({ path: SEND, method: 'POST' })
      .reply(429, failure(10004, 'email.sending.error.throttled'), { headers: { 'retry-after': '17' } });
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 17, provider: 'CLOUDFLARE', providerCode: '10004' });
  });

  it('429 with Retry-After as an HTTP-date counts from the injected clock', async () => {
    h = harness();
    h.pool
      .intercept(getSub())
      .reply(429, '', { headers: { 'retry-after': new Date(T0 + 90_000).toUTCString() } });
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ retryAfterSeconds: 90 });
  });

  it('429 without Retry-After uses the Ratelimit header, else 60 s', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(429, '', { headers: { ratelimit: '"default";r=0;t=42' } });
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ retryAfterSeconds: 42 });
    h = harness();
    h.pool.intercept(getSub()).reply(429, failure(10004, 'email.sending.error.throttled'));
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ retryAfterSeconds: 60 });
  });

  it.each([
    [500, 10002],
    [500, 10003],
    [503, 10100],
  ])('%i with %i is SERVER_ERROR', async (status, code) => {
    h = harness();
    h.pool
      .intercept(listSubs())
      .reply(status, failure(code, 'x'))
      .times(status === 503 ? 2 : 1);
    await expect(h.client.listSubdomains(ZONE)).rejects.toMatchObject({
      code: 'SERVER_ERROR',
      status,
      providerCode: String(code),
    });
    // A read is retried once on 502/503/504, never on 500.
    expect(h.history()).toHaveLength(status === 503 ? 2 : 1);
  });

  it('never echoes the token, even when an upstream message quotes it', async () => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(400, failure(9999, `token ${TOKEN} is odd`));
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toBeInstanceOf(ValidationError);
    expect(
      JSON.stringify({ message: error.message, issues: (error as ValidationError).issues }),
    ).not.toContain(TOKEN);
    expect(error.message).toContain('token **** is odd');
  });
});

describe('cache', () => {
  it('serves a repeat read within the TTL without a call, and calls again once it expires', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, ok(subdomain(SUB, { name: 'v1.example.com' })));
    await h.client.getSubdomain(ZONE, SUB);
    h.clock.now += 29_999;
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
      data: { name: 'v1.example.com' },
      stale: false,
    });
    expect(h.history()).toHaveLength(1);
    h.pool.intercept(getSub()).reply(200, ok(subdomain(SUB, { name: 'v2.example.com' })));
    h.clock.now += 1;
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
      data: { name: 'v2.example.com' },
    });
    expect(h.history()).toHaveLength(2);
  });

  it('keys include the zone id: the same subdomain id in two zones is two reads', async () => {
    h = harness();
    h.pool.intercept(getSub(SUB, ZONE)).reply(200, ok(subdomain(SUB, { name: 'a.example.com' })));
    h.pool.intercept(getSub(SUB, ZONE2)).reply(200, ok(subdomain(SUB, { name: 'b.example.org' })));
    h.pool.intercept(listSubs(ZONE)).reply(200, ok([]));
    h.pool.intercept(listSubs(ZONE2)).reply(200, ok([]));
    for (let i = 0; i < 2; i++) {
      await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
        data: { name: 'a.example.com' },
      });
      await expect(h.client.getSubdomain(ZONE2, SUB)).resolves.toMatchObject({
        data: { name: 'b.example.org' },
      });
      await h.client.listSubdomains(ZONE);
      await h.client.listSubdomains(ZONE2);
    }
    expect(h.history()).toHaveLength(4);
  });

  it('a subdomain list primes the single reads (not the DNS records)', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([subdomain(SUB), subdomain('other')]));
    h.pool.intercept(dnsOf()).reply(200, ok(DNS_RECORDS));
    await h.client.listSubdomains(ZONE);
    await expect(h.client.getSubdomain(ZONE, 'other')).resolves.toEqual({
      data: normalized('other'),
      stale: false,
    });
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toEqual({ data: normalized(SUB), stale: false });
    await h.client.getSubdomainDns(ZONE, SUB);
    expect(h.history()).toHaveLength(2);
  });

  it('never caches an error', async () => {
    h = harness();
    h.pool.intercept(dnsOf()).reply(404, failure(2033, 'Subdomain not found'));
    h.pool.intercept(dnsOf()).reply(200, ok(DNS_RECORDS));
    await expect(h.client.getSubdomainDns(ZONE, SUB)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.client.getSubdomainDns(ZONE, SUB)).resolves.toMatchObject({ data: DNS_RECORDS });
    expect(h.history()).toHaveLength(2);
  });

  it('sends are never cached: the same message twice is two calls', async () => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(SEND_RESULT)).times(2);
    await h.client.send(MESSAGE);
    await h.client.send(MESSAGE);
    expect(h.history()).toHaveLength(2);
  });
});

describe('in-flight de-duplication', () => {
  it('10 concurrent identical reads make one call and take one budget slot', async () => {
    h = harness({ budget: { calls: 2, windowMs: 60_000 } });
    h.pool
      .intercept(getSub())
      .reply(200, ok(subdomain(SUB)))
      .delay(30);
    const results = await Promise.all(Array.from({ length: 10 }, () => h.client.getSubdomain(ZONE, SUB)));
    expect(results.every((result) => result.data.id === SUB && !result.stale)).toBe(true);
    expect(h.history()).toHaveLength(1);
    // One slot of two is left.
    h.pool.intercept(dnsOf()).reply(200, ok(DNS_RECORDS));
    await h.client.getSubdomainDns(ZONE, SUB);
    await expect(h.client.listSubdomains(ZONE)).rejects.toBeInstanceOf(RateLimitedError);
    expect(h.history()).toHaveLength(2);
  });

  it('concurrent identical reads share a failure too', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(403, failure(10102, 'forbidden')).delay(30);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => h.client.listSubdomains(ZONE)));
    expect(results.map((result) => result.status)).toEqual(Array(5).fill('rejected'));
    expect(h.history()).toHaveLength(1);
  });

  it('concurrent sends are never merged', async () => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(SEND_RESULT)).delay(20).times(3);
    await Promise.all([h.client.send(MESSAGE), h.client.send(MESSAGE), h.client.send(MESSAGE)]);
    expect(h.history()).toHaveLength(3);
  });
});

describe('invalidation by mutations', () => {
  /** Caches ZONE's list, SUB's GET (primed) and DNS, and ZONE2's list and z2's GET (primed): three calls. */
  async function warm() {
    h.pool.intercept(listSubs()).reply(200, ok([subdomain(SUB)]));
    h.pool.intercept(dnsOf()).reply(200, ok(DNS_RECORDS));
    h.pool.intercept(listSubs(ZONE2)).reply(200, ok([subdomain('z2')]));
    await h.client.listSubdomains(ZONE);
    await h.client.getSubdomain(ZONE, SUB);
    await h.client.getSubdomainDns(ZONE, SUB);
    await h.client.listSubdomains(ZONE2);
    await h.client.getSubdomain(ZONE2, 'z2');
    expect(h.history()).toHaveLength(3);
  }

  it("creating a subdomain drops that zone's list, GETs and DNS, not another zone's; the result is primed", async () => {
    h = harness();
    await warm();
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(200, ok(subdomain('new1')));
    h.pool.intercept(listSubs()).reply(200, ok([subdomain(SUB), subdomain('new1')]));
    h.pool.intercept(dnsOf()).reply(200, ok(DNS_RECORDS));
    await h.client.createSubdomain(ZONE, 'new1.example.com');
    await expect(h.client.listSubdomains(ZONE)).resolves.toMatchObject({
      data: [{ id: SUB }, { id: 'new1' }],
    });
    await h.client.getSubdomainDns(ZONE, SUB);
    await h.client.getSubdomain(ZONE, 'new1');
    await h.client.getSubdomain(ZONE, SUB);
    await h.client.listSubdomains(ZONE2);
    await h.client.getSubdomain(ZONE2, 'z2');
    expect(h.history()).toHaveLength(6);
  });

  it("deleting a subdomain drops that zone's list, its GET and its DNS records, not another zone's", async () => {
    h = harness();
    await warm();
    h.pool.intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' }).reply(200, ok(null));
    h.pool.intercept(listSubs()).reply(200, ok([]));
    h.pool.intercept(getSub()).reply(404, failure(2033, 'Subdomain not found'));
    h.pool.intercept(dnsOf()).reply(404, failure(2033, 'Subdomain not found'));
    await h.client.deleteSubdomain(ZONE, SUB);
    await expect(h.client.listSubdomains(ZONE)).resolves.toEqual({ data: [], stale: false });
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.client.getSubdomainDns(ZONE, SUB)).rejects.toBeInstanceOf(NotFoundError);
    await h.client.listSubdomains(ZONE2);
    await h.client.getSubdomain(ZONE2, 'z2');
    expect(h.history()).toHaveLength(7);
  });

  it('a refused mutation (409/2040) invalidates nothing', async () => {
    h = harness();
    await warm();
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(409, failure(2040, 'Subdomain already exists'));
    await expect(h.client.createSubdomain(ZONE, 'sub.example.com')).rejects.toBeInstanceOf(ValidationError);
    await h.client.listSubdomains(ZONE);
    await h.client.getSubdomainDns(ZONE, SUB);
    expect(h.history()).toHaveLength(4);
  });

  it('a mutation whose outcome is unknown (5xx, timeout) invalidates as if it had happened', async () => {
    h = harness();
    await warm();
    h.pool.intercept({ path: `${subs()}/${SUB}`, method: 'DELETE' }).reply(502, '');
    h.pool.intercept(listSubs()).reply(200, ok([]));
    await expect(h.client.deleteSubdomain(ZONE, SUB)).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    await h.client.listSubdomains(ZONE);
    // Not retried: a DELETE is a write.
    expect(h.history()).toHaveLength(5);
  });

  it('a read in flight when a mutation lands is not cached', async () => {
    h = harness();
    h.pool
      .intercept(listSubs())
      .reply(200, ok([subdomain(SUB)]))
      .delay(100);
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(200, ok(subdomain('new1')));
    h.pool.intercept(listSubs()).reply(200, ok([subdomain(SUB), subdomain('new1')]));
    const before = h.client.listSubdomains(ZONE);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await h.client.createSubdomain(ZONE, 'new1.example.com');
    await expect(before).resolves.toMatchObject({ data: [{ id: SUB }] });
    await expect(h.client.listSubdomains(ZONE)).resolves.toMatchObject({
      data: [{ id: SUB }, { id: 'new1' }],
    });
    expect(h.history()).toHaveLength(3);
  });
});

describe('rate budget', () => {
  const SMALL: BudgetLimit = { calls: 3, windowMs: 10_000 };

  async function spendThree() {
    for (const id of ['a1', 'a2', 'a3']) h.pool.intercept(getSub(id)).reply(200, ok(subdomain(id)));
    for (const id of ['a1', 'a2', 'a3']) await h.client.getSubdomain(ZONE, id);
    expect(h.history()).toHaveLength(3);
  }

  it('defaults to the documented 1200 requests per 300 s (plus a second of margin)', () => {
    expect(CLOUDFLARE_BUDGET).toEqual({
      calls: CLOUDFLARE_LIMITS.requestsPerWindow,
      windowMs: CLOUDFLARE_LIMITS.windowSeconds * 1000 + 1000,
    });
    expect(CLOUDFLARE_BUDGET).toEqual({ calls: 1200, windowMs: 301_000 });
  });

  it('with the default budget, call 1201 within the window fails fast without reaching Cloudflare', async () => {
    h = harness();
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(SEND_RESULT)).times(1200);
    for (let i = 0; i < 1200; i++) await h.client.send(MESSAGE);
    h.clock.now += 1_000;
    const error = await thrown(h.client.send(MESSAGE));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 300, provider: 'CLOUDFLARE' });
    expect(h.history()).toHaveLength(1200);
    expect(h.sleeps).toEqual([]);
  });

  it('a call waits for its slot when it frees within rateWaitMs', async () => {
    h = harness({ budget: SMALL });
    await spendThree();
    h.clock.now += SMALL.windowMs - 1_500;
    h.pool.intercept(getSub('a4')).reply(200, ok(subdomain('a4')));
    await expect(h.client.getSubdomain(ZONE, 'a4')).resolves.toMatchObject({ data: { id: 'a4' } });
    expect(h.sleeps).toEqual([1_500]);
    expect(h.history()).toHaveLength(4);
  });

  it('otherwise fails fast with the seconds until a slot frees', async () => {
    h = harness({ budget: SMALL });
    await spendThree();
    h.clock.now += 1_000;
    await expect(h.client.getSubdomain(ZONE, 'a4')).rejects.toMatchObject({ retryAfterSeconds: 9 });
    expect(h.history()).toHaveLength(3);
  });

  it('serves an expired cache entry as stale when the budget is spent', async () => {
    h = harness({ budget: SMALL });
    await spendThree();
    h.clock.now += 31_000;
    for (const id of ['a4', 'a5', 'a6']) h.pool.intercept(getSub(id)).reply(200, ok(subdomain(id)));
    for (const id of ['a4', 'a5', 'a6']) await h.client.getSubdomain(ZONE, id);
    await expect(h.client.getSubdomain(ZONE, 'a1')).resolves.toEqual({ data: normalized('a1'), stale: true });
    expect(h.history()).toHaveLength(6);
  });

  it('sends and subdomain writes take budget and have no stale fallback', async () => {
    h = harness({ budget: SMALL });
    await spendThree();
    await expect(h.client.send(MESSAGE)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(h.client.createSubdomain(ZONE, 'x.example.com')).rejects.toBeInstanceOf(RateLimitedError);
    await expect(h.client.deleteSubdomain(ZONE, 'a1')).rejects.toBeInstanceOf(RateLimitedError);
    expect(h.history()).toHaveLength(3);
  });

  it('the budget is per token: two accounts on one token share it', async () => {
    h = harness({ budget: SMALL });
    const otherAccount = h.makeClient({ accountId: 'other-account' });
    await spendThree();
    await expect(otherAccount.getSubdomain(ZONE, 'a9')).rejects.toBeInstanceOf(RateLimitedError);
    // …but not another token's.
    h.pool.intercept(getSub('a9')).reply(200, ok(subdomain('a9')));
    await expect(h.makeClient({ apiToken: 'token-B' }).getSubdomain(ZONE, 'a9')).resolves.toMatchObject({
      data: { id: 'a9' },
    });
    expect(h.history()).toHaveLength(4);
  });

  it('a Ratelimit header saying nothing is left blocks the budget until its reset', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([]), { headers: { ratelimit: '"default";r=0;t=30' } });
    await h.client.listSubdomains(ZONE);
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ retryAfterSeconds: 30 });
    expect(h.history()).toHaveLength(1);
    h.clock.now += 30_000;
    h.pool
      .intercept(getSub())
      .reply(200, ok(subdomain(SUB)), { headers: { ratelimit: '"default";r=5;t=1' } });
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({ data: { id: SUB } });
    h.pool.intercept(dnsOf()).reply(200, ok(DNS_RECORDS));
    await h.client.getSubdomainDns(ZONE, SUB);
    expect(h.history()).toHaveLength(3);
  });
});

describe('provider 429', () => {
  it('penalizes the token: every later call fails fast without reaching Cloudflare until Retry-After', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(429, '', { headers: { 'retry-after': '120' } });
    await expect(h.client.getSubdomain(ZONE, SUB)).rejects.toMatchObject({ retryAfterSeconds: 120 });
    h.clock.now += 5_000;
    await expect(h.client.listSubdomains(ZONE)).rejects.toMatchObject({ retryAfterSeconds: 115 });
    await expect(h.client.send(MESSAGE)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(h.makeClient({ accountId: 'other-account' }).listSubdomains(ZONE)).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    expect(h.history()).toHaveLength(1);
    h.clock.now += 114_000;
    h.pool.intercept(listSubs()).reply(200, ok([]));
    await expect(h.client.listSubdomains(ZONE)).resolves.toEqual({ data: [], stale: false });
    expect(h.sleeps).toEqual([1_000]);
    expect(h.history()).toHaveLength(2);
  });

  it('a 429 on a read serves the expired entry as stale', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([subdomain(SUB)]));
    await h.client.listSubdomains(ZONE);
    h.clock.now += 40_000;
    h.pool.intercept(listSubs()).reply(429, '', { headers: { 'retry-after': '30' } });
    await expect(h.client.listSubdomains(ZONE)).resolves.toEqual({ data: [normalized(SUB)], stale: true });
    expect(h.history()).toHaveLength(2);
  });

  it('the sending throttle (429/10004) blocks sends only, not the subdomain routes', async () => {
    h = harness();
    h.pool
      .intercept({ path: SEND, method: 'POST' })
      .reply(429, failure(10004, 'email.sending.error.throttled'), { headers: { 'retry-after': '30' } });
    await expect(h.client.send(MESSAGE)).rejects.toMatchObject({
      retryAfterSeconds: 30,
      providerCode: '10004',
    });
    await expect(h.client.send(MESSAGE)).rejects.toMatchObject({ retryAfterSeconds: 30, providerCode: null });
    await expect(
      h.client.sendRaw({ from: 'a@example.com', recipients: ['b@example.com'], mime_message: 'x' }),
    ).rejects.toBeInstanceOf(RateLimitedError);
    h.pool.intercept(listSubs()).reply(200, ok([]));
    await h.client.listSubdomains(ZONE);
    expect(h.history()).toHaveLength(2);
    h.clock.now += 30_000;
    h.pool.intercept({ path: SEND, method: 'POST' }).reply(200, ok(SEND_RESULT));
    await expect(h.client.send(MESSAGE)).resolves.toEqual(SEND_RESULT);
    expect(h.history()).toHaveLength(3);
  });

  it('success: false with 10004 on a 200 penalizes sends the same way', async () => {
    h = harness();
    h.pool
      .intercept({ path: SEND, method: 'POST' })
      .reply(200, failure(10004, 'email.sending.error.throttled'));
    await expect(h.client.send(MESSAGE)).rejects.toMatchObject({ retryAfterSeconds: 60 });
    await expect(h.client.send(MESSAGE)).rejects.toBeInstanceOf(RateLimitedError);
    expect(h.history()).toHaveLength(1);
  });
});

describe('tenant isolation', () => {
  it('the same URL with another token is a separate cache entry', async () => {
    h = harness();
    h.pool
      .intercept({ ...getSub(), headers: { authorization: `Bearer ${TOKEN}` } })
      .reply(200, ok(subdomain(SUB, { name: 'tenant-a.example.com' })));
    h.pool
      .intercept({ ...getSub(), headers: { authorization: 'Bearer token-B' } })
      .reply(200, ok(subdomain(SUB, { name: 'tenant-b.example.com' })));
    const other = h.makeClient({ apiToken: 'token-B' });
    const same = h.makeClient();
    await expect(h.client.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
      data: { name: 'tenant-a.example.com' },
    });
    await expect(other.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
      data: { name: 'tenant-b.example.com' },
    });
    await expect(same.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
      data: { name: 'tenant-a.example.com' },
    });
    await expect(other.getSubdomain(ZONE, SUB)).resolves.toMatchObject({
      data: { name: 'tenant-b.example.com' },
    });
    expect(h.history()).toHaveLength(2);
  });

  it('another account id on the same token is a separate cache entry', async () => {
    h = harness();
    h.pool.intercept(listSubs()).reply(200, ok([])).times(2);
    await h.client.listSubdomains(ZONE);
    await h.makeClient({ accountId: 'other-account' }).listSubdomains(ZONE);
    await h.makeClient().listSubdomains(ZONE);
    expect(h.history()).toHaveLength(2);
  });

  it('a mutation invalidates only its own scope', async () => {
    h = harness();
    const other = h.makeClient({ apiToken: 'token-B' });
    h.pool.intercept(listSubs()).reply(200, ok([])).times(2);
    h.pool.intercept({ path: subs(), method: 'POST' }).reply(200, ok(subdomain('new1')));
    await h.client.listSubdomains(ZONE);
    await other.listSubdomains(ZONE);
    await other.createSubdomain(ZONE, 'new1.example.com');
    await h.client.listSubdomains(ZONE);
    expect(h.history()).toHaveLength(3);
  });

  it('the token never appears in cache scopes or keys', async () => {
    h = harness();
    h.pool.intercept(getSub()).reply(200, ok(subdomain(SUB)));
    await h.client.getSubdomain(ZONE, SUB);
    const seen = recordCacheReads(h.shared);
    await h.client.getSubdomain(ZONE, SUB);
    expect(seen).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/), `${subs()}/${SUB}`]);
    expect(seen.join(' ')).not.toContain(TOKEN);
  });
});
