/**
 * The CloudflareClient's REQUESTS, as recorded on the wire, validated against
 * `test/fixtures/providers/cloudflare/email-sending.openapi.json` by the conformance helper
 * (`test/conformance/openapi.ts`, openapi-backend): path, path parameters, content type, security and JSON
 * body of every method, with the SDK's own test params. The success bodies the client tests feed the client
 * are validated as responses, so those fixtures are spec-shaped.
 *
 * One patch, as the CloudMailin conformance tests do it (named, justified, and probed both ways): the spec's
 * security requirements. NOTES §2: send/send_raw declare one requirement object holding api_email, api_key
 * AND api_token (all three at once, literally), and the subdomain routes declare only api_email + api_key;
 * in practice a Bearer token works for all of them, and it is what mailgraph sends.
 */
import type { Interceptable, MockAgent, MockCallHistoryLog } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudflareClient } from '../../src/upstream/cloudflare.js';
import { createUpstreamShared } from '../../src/upstream/shared.js';
import { type OpenApiValidator, type SpecPatch, loadOpenApi, objectAt } from '../conformance/openapi.js';
import { fixturePath } from '../helpers/fixtures.js';
import {
  BASE,
  ORIGIN,
  SDK_PARAMS as SDK,
  SEND_RESULT,
  SUB,
  TOKEN,
  ZONE,
  cloudflareClient,
  ok,
} from './cloudflare-helpers.js';
import { callHistory, closeHarnesses, mockAgent } from './helpers.js';

const SPEC = fixturePath('cloudflare/email-sending.openapi.json');
const ACCOUNT = SDK['emailSending.send'].only_required.account_id;

const BEARER_WORKS: SpecPatch = {
  id: 'bearer-token-on-every-route',
  reason:
    'NOTES §2: Bearer API tokens work on send, send_raw and the subdomain routes (docs; a live probe used ' +
    'a token), while the spec asks for api_email + api_key (+ api_token on sends) all at once.',
  apply(document) {
    for (const item of Object.values(objectAt(document, 'paths'))) {
      for (const operation of Object.values(item as Record<string, { security?: unknown }>)) {
        if (typeof operation === 'object' && operation !== null && 'security' in operation) {
          operation.security = [{ api_token: [] }, { api_email: [], api_key: [] }];
        }
      }
    }
  },
};

const SUBDOMAIN = {
  tag: SUB,
  name: 'sub.example.com',
  enabled: true,
  dkim_selector: 'cf-bounce',
  return_path_domain: 'cf-bounce.sub.example.com',
  created: '2014-01-02T02:20:00Z',
  modified: '2014-01-02T02:20:00Z',
};
const DNS = [
  {
    type: 'MX',
    name: 'cf-bounce.sub.example.com',
    content: 'route1.mx.cloudflare.net',
    priority: 25,
    ttl: 1,
  },
  { type: 'TXT', name: '_dmarc.sub.example.com', content: 'v=DMARC1; p=reject;' },
];

let spec: OpenApiValidator;
let unpatched: OpenApiValidator;
let agent: MockAgent;
let client: CloudflareClient;
/** [method, path below /client/v4, response body the mock gave]. */
const replies: Array<[string, string, number, object]> = [
  ['POST', `/accounts/${ACCOUNT}/email/sending/send`, 200, ok(SEND_RESULT)],
  ['POST', `/accounts/${ACCOUNT}/email/sending/send`, 200, ok(SEND_RESULT)],
  ['POST', `/accounts/${ACCOUNT}/email/sending/send_raw`, 200, ok(SEND_RESULT)],
  ['GET', `/zones/${ZONE}/email/sending/subdomains`, 200, ok([SUBDOMAIN], { result_info: { count: 1 } })],
  // The create reads the zone's list first (the cache TTL is 0 here), to refuse a name outside the zone.
  ['GET', `/zones/${ZONE}/email/sending/subdomains`, 200, ok([SUBDOMAIN], { result_info: { count: 1 } })],
  ['POST', `/zones/${ZONE}/email/sending/subdomains`, 200, ok(SUBDOMAIN)],
  ['GET', `/zones/${ZONE}/email/sending/subdomains/${SUB}`, 200, ok(SUBDOMAIN)],
  ['GET', `/zones/${ZONE}/email/sending/subdomains/${SUB}/dns`, 200, ok(DNS)],
  [
    'GET',
    `/zones/${ZONE}/email/sending/subdomains/${SUB}/dns/status`,
    200,
    ok({ status: 'unconfigured', records: DNS, errors: [{ code: 'dmarc.missing', missing: DNS[1] }] }),
  ],
  [
    'PATCH',
    `/zones/${ZONE}/email/sending/subdomains/${SUB}`,
    200,
    ok({ ...SUBDOMAIN, preview_enabled: true }),
  ],
  // `email_api-response-single` types `result` as an object or a string, not null; NOTES §4.4 infers null. The
  // client takes either (see cloudflare-client.test.ts), so the spec-shaped one is used here.
  ['DELETE', `/zones/${ZONE}/email/sending/subdomains/${SUB}`, 200, ok({})],
];

beforeAll(async () => {
  [spec, unpatched] = await Promise.all([loadOpenApi(SPEC, { patches: [BEARER_WORKS] }), loadOpenApi(SPEC)]);
  agent = mockAgent();
  const pool = agent.get<Interceptable>(ORIGIN);
  for (const [method, path, status, body] of replies)
    pool.intercept({ path: `${BASE}${path}`, method }).reply(status, body);
  client = cloudflareClient(agent, {
    config: { accountId: ACCOUNT, zoneIds: [ZONE] },
    upstream: { cacheTtlSeconds: 0, rateWaitMs: 0 },
    shared: createUpstreamShared(),
  });
  await client.send(SDK['emailSending.send'].only_required.body);
  await client.send(SDK['emailSending.send'].required_and_optional.body);
  await client.sendRaw(SDK['emailSending.sendRaw'].only_required.body);
  await client.listSubdomains(ZONE);
  await client.createSubdomain(ZONE, SDK['emailSending.subdomains.create'].only_required.body.name);
  await client.getSubdomain(ZONE, SUB);
  await client.getSubdomainDns(ZONE, SUB);
  await client.getSubdomainDnsStatus(ZONE, SUB);
  await client.updateSubdomain(ZONE, SUB, { preview_enabled: true });
  await client.deleteSubdomain(ZONE, SUB);
});

afterAll(closeHarnesses);

function recorded(): MockCallHistoryLog[] {
  return callHistory(agent);
}

/** A recorded call as the validator takes it: the path below the server URL, headers, parsed body. */
function sample(log: MockCallHistoryLog) {
  const path = log.path.slice(BASE.length);
  const body =
    log.body === null || log.body === undefined || log.body === '' ? undefined : JSON.parse(String(log.body));
  return { method: log.method, path, headers: log.headers as Record<string, string>, body };
}

describe('the validator (controls)', () => {
  it('routes every recorded call to an operation of the document', () => {
    const calls = recorded();
    expect(calls).toHaveLength(replies.length);
    for (const log of calls) {
      const { method, path } = sample(log);
      expect(spec.findOperation(method, path), `${method} ${path}`).toBeDefined();
    }
  });

  it('rejects a send body without subject, and a send_raw body with an extra property', () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const send = { method: 'POST', path: `/accounts/${ACCOUNT}/email/sending/send`, headers };
    expect(spec.validateRequest({ ...send, body: { from: 'a@example.com' } })).not.toEqual([]);
    const raw = { method: 'POST', path: `/accounts/${ACCOUNT}/email/sending/send_raw`, headers };
    const body = { ...SDK['emailSending.sendRaw'].only_required.body, headers: {} };
    expect(spec.validateRequest({ ...raw, body })).not.toEqual([]);
  });

  it(`patch ${BEARER_WORKS.id}: needed (bearer-only is refused without it) and enough`, () => {
    for (const log of recorded()) {
      const request = sample(log);
      expect(unpatched.validateRequest(request).join('; '), `${request.method} ${request.path}`).toMatch(
        /security/,
      );
      expect(spec.validateRequest(request).filter((problem) => problem.includes('security'))).toEqual([]);
    }
  });
});

describe('every request the client sends conforms', () => {
  it.each(replies.map(([method, path], index) => [index, method, path] as const))(
    'call %i: %s %s',
    (index) => {
      const log = recorded()[index];
      expect(log).toBeDefined();
      if (log === undefined) return;
      expect(spec.validateRequest(sample(log))).toEqual([]);
    },
  );
});

describe('the success bodies the client tests use are spec-shaped', () => {
  it.each(replies.map(([method, path, status, body]) => [method, path, status, body] as const))(
    '%s %s → %i',
    (method, path, status, body) => {
      expect(spec.validateResponse({ method, path, status, body })).toEqual([]);
    },
  );
});
