/**
 * Conformance to the Cloudflare Email Sending OpenAPI slice (`email-sending.openapi.json`), checked by a
 * validator library (see `openapi.ts`), of:
 * - the sandbox emulator's RESPONSES: every operation, its success cases and each error status the spec
 *   lists for it, over real HTTP (and the requests of the successful cases);
 * - the official SDK's REQUESTS (`examples/sdk-test-params.json`), verbatim and as adapted to the demo
 *   account, and the emulator's response to each.
 * Where the spec is quirky (NOTES §2, §4.4, §5.1), the document is patched; every such place is in
 * EXCEPTIONS below, and nowhere else.
 *
 * The spec's server is `…/client/v4`; the emulator serves `${cloudflareUrl}`, which ends in
 * `/cloudflare/client/v4`, so a spec path is what follows `cloudflareUrl`.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { SANDBOX_CLOUDFLARE as CF } from '../../src/sandbox/accounts.js';
import {
  DEMO_CLOUDFLARE as DEMO,
  SANDBOX_CLOUDFLARE_KEY_PAIR as PAIR,
} from '../../src/sandbox/cloudflare-demo.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { envelopeSchema } from '../../src/upstream/cloudflare-wire.js';
import { fixturePath } from '../helpers/fixtures.js';
import {
  type JsonObject,
  type OpenApiValidator,
  type RequestSample,
  type ResponseSample,
  type SpecPatch,
  loadOpenApi,
  objectAt,
  parseBody,
} from './openapi.js';

const CLOUDFLARE_SPEC = fixturePath('cloudflare/email-sending.openapi.json');
const SDK_PARAMS = fixturePath('cloudflare/examples/sdk-test-params.json');

type Verdict = 'valid' | 'invalid';
/** `unpatched` is the verdict with every other patch applied but not this one. */
type Probe = { unpatched: Verdict; patched: Verdict; note: string } & (
  | { request: RequestSample }
  | { response: ResponseSample }
);
interface SpecException extends SpecPatch {
  probes: Probe[];
}
interface StatusException {
  operation: string;
  status: string;
  reason: string;
}

const SEND_OP = 'email-sending-account-send-builder';
const RAW_OP = 'email-sending-account-send-raw-message';
const SEND_PATH = '/accounts/{account_id}/email/sending/send';
const RAW_PATH = '/accounts/{account_id}/email/sending/send_raw';
const LIST_PATH = '/zones/{zone_id}/email/sending/subdomains';
const ONE_PATH = `${LIST_PATH}/{subdomain_id}`;
const DNS_PATH = `${ONE_PATH}/dns`;
const STATUS_PATH = `${ONE_PATH}/dns/status`;
const SUBDOMAIN_OPS = [
  ['get', LIST_PATH],
  ['post', LIST_PATH],
  ['post', `${LIST_PATH}/preview`],
  ['get', ONE_PATH],
  ['patch', ONE_PATH],
  ['delete', ONE_PATH],
  ['get', DNS_PATH],
  ['post', DNS_PATH],
  ['get', STATUS_PATH],
] as const;

const operationAt = (document: JsonObject, method: string, path: string) =>
  objectAt(document, 'paths', path, method);
const jsonSchema = (document: JsonObject, method: string, path: string, status: string) =>
  objectAt(operationAt(document, method, path), 'responses', status, 'content', 'application/json', 'schema');
const errorItem = (document: JsonObject, method: string, path: string, status: string) =>
  objectAt(jsonSchema(document, method, path, status), 'properties', 'errors', 'items', 'properties');

/** The shape of every v4 failure, as the spec's own send 429 writes it, with `code` limited to `codes`. */
function errorEnvelope(codes: number[] | null, messages?: string[]): JsonObject {
  const code: JsonObject =
    codes === null ? { type: 'integer', minimum: 1000 } : { type: 'integer', enum: codes };
  const message: JsonObject =
    messages === undefined ? { type: 'string' } : { type: 'string', enum: messages };
  return {
    type: 'object',
    required: ['success', 'messages', 'errors', 'result'],
    properties: {
      success: { type: 'boolean', enum: [false] },
      errors: {
        type: 'array',
        items: { type: 'object', required: ['code', 'message'], properties: { code, message } },
      },
      messages: { type: 'array', items: { type: 'string' } },
      result: { type: 'object', enum: [null], nullable: true },
    },
  };
}

/** The statuses each subdomain operation answers beyond the ones the spec documents for it. */
const UNDOCUMENTED_SUBDOMAIN_STATUSES: Record<string, string[]> = {
  'list-sending-subdomains': ['401', '403', '429'],
  'create-sending-subdomain': ['400', '401', '403', '409', '429'],
  'preview-sending-subdomain': ['400', '401', '403', '429'],
  'get-sending-subdomain': ['400', '401', '403', '404', '429'],
  'update-sending-subdomain': ['400', '401', '403', '404', '429'],
  'delete-sending-subdomain': ['400', '401', '403', '404', '429'],
  'get-sending-subdomain-dns': ['400', '401', '403', '404', '429'],
  'fix-sending-subdomain-dns': ['401', '429'],
  'get-sending-subdomain-dns-status': ['401', '403', '429'],
};
const SUBDOMAIN_STATUS_REASONS: Record<string, string> = {
  '400':
    'a malformed subdomain id (2028, as the DNS routes document it) or an unusable body (2001, our code)',
  '401': 'no or a wrong credential: the generic 10000 "Authentication error" (NOTES §9.1)',
  '403': 'a zone the account does not have: 10000 (our choice)',
  '404': 'an unknown or deleted subdomain: 2033 (as the DNS routes document it)',
  '409': 'the name exists already: 2040 (measured live), as 409 (the wire contract)',
  '429': 'the API limit of 1200 calls per 5 minutes (only the send routes document a 429)',
};

const ZONE = DEMO.zones.primary.id;
const MAIL = DEMO.subdomains.mail.tag;
const TOKEN = { authorization: 'Bearer probe-token', 'content-type': 'application/json' };
const failure = (code: number | string, message: string, messages: string[] = []) => ({
  success: false,
  errors: [{ code, message }],
  messages,
  result: null,
});

/**
 * THE exceptions list: every place where these tests do not take `email-sending.openapi.json` as it is.
 * - `patches` change the document before it is compiled; each touches only the operations it names and
 *   carries probes, traffic the validator must judge as stated with and without the patch (every other
 *   patch applied), so a patch that stops being needed, or stops working, fails a test.
 * - `notExercised`: statuses the spec documents that the emulator never answers.
 * - `undocumented`: statuses the emulator answers that the spec does not document for the operation.
 *   Their bodies are checked against the v4 envelope instead, and the validator must keep calling them
 *   undocumented (so a spec update that documents one shows up here).
 */
const EXCEPTIONS: {
  patches: readonly SpecException[];
  notExercised: readonly StatusException[];
  undocumented: readonly StatusException[];
} = {
  patches: [
    {
      id: 'send-error-codes-are-numbers',
      reason:
        'The 400 and 403 responses of send and send_raw type `errors[].code` as a string enum ("10001"), while ' +
        'their own 429 and 500 responses, the docs error table and the SDK (`ErrorData.code: number`) use ' +
        'numbers, and the emulator emits numbers (NOTES §5.1). The same values become an integer enum.',
      apply(document) {
        for (const path of [SEND_PATH, RAW_PATH]) {
          for (const status of ['400', '403']) {
            const item = errorItem(document, 'post', path, status);
            const code = objectAt(item, 'code');
            item.code = { type: 'integer', enum: (code.enum as string[]).map(Number) };
          }
        }
      },
      probes: [
        {
          note: 'a 400 with the numeric code of the docs',
          response: {
            method: 'POST',
            path: `/accounts/${CF.accountId}/email/sending/send`,
            status: 400,
            body: failure(10001, 'email.sending.error.invalid_request_schema'),
          },
          unpatched: 'invalid',
          patched: 'valid',
        },
        {
          note: 'a 403 of send_raw with the string code of the spec',
          response: {
            method: 'POST',
            path: `/accounts/${CF.accountId}/email/sending/send_raw`,
            status: 403,
            body: failure('10204', 'email.sending.error.email.sender_not_configured'),
          },
          unpatched: 'valid',
          patched: 'invalid',
        },
      ],
    },
    {
      id: 'send-403-authentication-codes',
      reason:
        "The send routes' 403 lists only the sending-configuration codes 10203 and 10204, but the docs error " +
        'table (NOTES §5.1) also gives 403 to 10102 `authentication.forbidden` (the emulator: a valid ' +
        'credential on another account) and 10105 `not_entitled`. Both are added to the enums.',
      apply(document) {
        for (const path of [SEND_PATH, RAW_PATH]) {
          const item = errorItem(document, 'post', path, '403');
          const code = objectAt(item, 'code');
          const numeric = typeof (code.enum as unknown[])[0] === 'number';
          code.enum = [...(code.enum as unknown[]), ...[10102, 10105].map((c) => (numeric ? c : String(c)))];
          const message = objectAt(item, 'message');
          message.enum = [
            ...(message.enum as string[]),
            'email.sending.error.authentication.forbidden',
            'email.sending.error.authentication.not_entitled',
          ];
        }
      },
      probes: [
        {
          note: 'a 403 for another account',
          response: {
            method: 'POST',
            path: '/accounts/account_id/email/sending/send',
            status: 403,
            body: failure(10102, 'email.sending.error.authentication.forbidden'),
          },
          unpatched: 'invalid',
          patched: 'valid',
        },
        {
          note: 'a 403 with an unauthorized (401) code stays invalid',
          response: {
            method: 'POST',
            path: '/accounts/account_id/email/sending/send_raw',
            status: 403,
            body: failure(10101, 'email.sending.error.authentication.unauthorized'),
          },
          unpatched: 'invalid',
          patched: 'invalid',
        },
      ],
    },
    {
      id: 'send-401-documented',
      reason:
        'send and send_raw document no 401, but the docs error table lists 401 with 10101 ' +
        '`authentication.unauthorized` and 10103 `bad_token_type` (NOTES §5.1, §9.1). A 401 shaped like the ' +
        'other send errors is added, limited to those two codes.',
      apply(document) {
        for (const path of [SEND_PATH, RAW_PATH]) {
          const responses = objectAt(operationAt(document, 'post', path), 'responses');
          responses['401'] = {
            description: 'Missing or invalid credentials (docs error table).',
            content: {
              'application/json': {
                schema: errorEnvelope(
                  [10101, 10103],
                  [
                    'email.sending.error.authentication.unauthorized',
                    'email.sending.error.authentication.bad_token_type',
                  ],
                ),
              },
            },
          };
        }
      },
      probes: [
        {
          note: 'the 401 of send without a credential',
          response: {
            method: 'POST',
            path: `/accounts/${CF.accountId}/email/sending/send`,
            status: 401,
            body: failure(10101, 'email.sending.error.authentication.unauthorized'),
          },
          unpatched: 'invalid',
          patched: 'valid',
        },
        {
          note: "a 401 with the zone routes' generic code",
          response: {
            method: 'POST',
            path: `/accounts/${CF.accountId}/email/sending/send_raw`,
            status: 401,
            body: failure(10000, 'Authentication error'),
          },
          unpatched: 'invalid',
          patched: 'invalid',
        },
      ],
    },
    {
      id: 'security-token-or-key-pair',
      reason:
        'send and send_raw declare ONE requirement object `{api_email, api_key, api_token}`, which literally ' +
        'demands all three at once; the subdomain routes declare only `{api_email, api_key}`. The SDK sends ' +
        'whatever it is configured with, the docs and a live probe use tokens everywhere, and stackql reads ' +
        'it as "token OR email+key" (NOTES §2). Every operation here gets `[{api_token}, {api_email, api_key}]`.',
      apply(document) {
        for (const [method, path] of [['post', SEND_PATH], ['post', RAW_PATH], ...SUBDOMAIN_OPS] as const) {
          operationAt(document, method, path).security = [{ api_token: [] }, { api_email: [], api_key: [] }];
        }
      },
      probes: [
        {
          note: "the SDK test client's send: X-Auth-Email + X-Auth-Key only",
          request: {
            method: 'POST',
            path: '/accounts/account_id/email/sending/send',
            headers: {
              'x-auth-email': PAIR.email,
              'x-auth-key': PAIR.key,
              'content-type': 'application/json',
            },
            body: { from: 'sender@example.com', subject: 'Monthly Report' },
          },
          unpatched: 'invalid',
          patched: 'valid',
        },
        {
          note: 'a subdomain list with a Bearer token only',
          request: { method: 'GET', path: `/zones/${ZONE}/email/sending/subdomains`, headers: TOKEN },
          unpatched: 'invalid',
          patched: 'valid',
        },
        {
          note: 'half a key pair is still no credential',
          request: {
            method: 'GET',
            path: `/zones/${ZONE}/email/sending/subdomains`,
            headers: { 'x-auth-email': PAIR.email },
          },
          unpatched: 'invalid',
          patched: 'invalid',
        },
      ],
    },
    {
      id: 'delete-result-null',
      reason:
        'DELETE answers `email_api-response-single`, whose `result` is an object or a string (not nullable). ' +
        'The SDK types the delete response without `result`, and NOTES §4.4 infers the live body ' +
        '`{"success":true,"errors":[],"messages":[],"result":null}`, which the emulator sends. Only this ' +
        "operation's `result` also admits null.",
      apply(document) {
        const media = objectAt(
          operationAt(document, 'delete', ONE_PATH),
          'responses',
          '200',
          'content',
          'application/json',
        );
        media.schema = {
          allOf: [
            { $ref: '#/components/schemas/email_api-response-common' },
            { properties: { result: { anyOf: [{ type: 'object', nullable: true }, { type: 'string' }] } } },
          ],
        };
      },
      probes: [
        {
          note: "the emulator's delete body",
          response: {
            method: 'DELETE',
            path: `/zones/${ZONE}/email/sending/subdomains/${MAIL}`,
            status: 200,
            body: { success: true, errors: [], messages: [], result: null },
          },
          unpatched: 'invalid',
          patched: 'valid',
        },
        {
          note: 'a numeric result stays invalid',
          response: {
            method: 'DELETE',
            path: `/zones/${ZONE}/email/sending/subdomains/${MAIL}`,
            status: 200,
            body: { success: true, errors: [], messages: [], result: 5 },
          },
          unpatched: 'invalid',
          patched: 'invalid',
        },
      ],
    },
    {
      id: 'dns-route-error-bodies',
      reason:
        'The DNS fix and status operations document 400, 403, 404 and 409 by description only ("Error 2028: ' +
        'subdomain_id is not a valid UUID.", 2043, 2033, 2008/2026/2027 and "a multi-DKIM error"), with no ' +
        'content, so the validator refuses any body. Every v4 error is the envelope; each status gets it, ' +
        'limited to the codes its description names (409: any code, since one is not named), and 403 also to ' +
        'the generic 10000 "Authentication error" of a zone the credential cannot reach (NOTES §9.1).',
      apply(document) {
        const codes: Record<string, number[] | null> = {
          '400': [2028],
          '403': [2043, 10000],
          '404': [2033],
          '409': null,
        };
        for (const [method, path] of [
          ['post', DNS_PATH],
          ['get', STATUS_PATH],
        ] as const) {
          const responses = objectAt(operationAt(document, method, path), 'responses');
          for (const [status, response] of Object.entries(responses)) {
            if (status === '200') continue;
            (response as JsonObject).content = {
              'application/json': { schema: errorEnvelope(codes[status] ?? null) },
            };
          }
        }
      },
      probes: [
        {
          note: 'the 404 of dns/status for an unknown subdomain',
          response: {
            method: 'GET',
            path: `/zones/${ZONE}/email/sending/subdomains/ffffffffffffffffffffffffffffffff/dns/status`,
            status: 404,
            body: failure(2033, 'Subdomain not found'),
          },
          unpatched: 'invalid',
          patched: 'valid',
        },
        {
          note: 'a 400 of the DNS fix with the not-found code',
          response: {
            method: 'POST',
            path: `/zones/${ZONE}/email/sending/subdomains/x/dns`,
            status: 400,
            body: failure(2033, 'Subdomain not found'),
          },
          unpatched: 'invalid',
          patched: 'invalid',
        },
      ],
    },
  ],
  notExercised: [
    {
      operation: SEND_OP,
      status: '500',
      reason: 'internal_server (10002) answers an emulator bug; no request can cause one on purpose',
    },
    { operation: RAW_OP, status: '500', reason: 'as for send' },
    {
      operation: 'email-sending-subdomains-fix-sending-subdomain-dns',
      status: '409',
      reason: 'the emulated zones hold no foreign MX, SPF, DMARC or DKIM records to conflict with',
    },
  ],
  undocumented: [
    ...[SEND_OP, RAW_OP].map((operation) => ({
      operation,
      status: '413',
      reason: "the sandbox's 12 MiB body cap (bodies over 5 MiB below it are 400/10200)",
    })),
    ...Object.entries(UNDOCUMENTED_SUBDOMAIN_STATUSES).flatMap(([name, statuses]) =>
      statuses.map((status) => ({
        operation: `email-sending-subdomains-${name}`,
        status,
        reason: SUBDOMAIN_STATUS_REASONS[status] ?? '',
      })),
    ),
  ],
};

/** `examples/sdk-test-params.json`: path params split out, the rest is the JSON body. */
const SDK = JSON.parse(readFileSync(SDK_PARAMS, 'utf8')) as Record<
  string,
  | string
  | {
      http: string;
      only_required: { account_id?: string; zone_id?: string; subdomain_id?: string; body?: JsonObject };
      required_and_optional?: { account_id?: string; body?: JsonObject };
    }
>;
const SDK_HEADERS = { 'x-auth-email': 'user@example.com', 'x-auth-key': '144c9defac04969c7bfad8efaa8ea194' };

interface SdkCall {
  name: string;
  method: string;
  path: string;
  body?: JsonObject;
}

function sdkCalls(): SdkCall[] {
  return Object.entries(SDK).flatMap(([name, entry]) => {
    if (typeof entry === 'string') return [];
    const [method = '', template = ''] = entry.http.split(' ');
    return Object.entries(entry)
      .filter(([variant]) => variant !== 'http')
      .map(([variant, params]) => {
        const p = params as {
          account_id?: string;
          zone_id?: string;
          subdomain_id?: string;
          body?: JsonObject;
        };
        const path = template
          .replace('{account_id}', p.account_id ?? '')
          .replace('{zone_id}', p.zone_id ?? '')
          .replace('{subdomain_id}', p.subdomain_id ?? '');
        return { name: `${name} ${variant}`, method, path, body: p.body };
      });
  });
}

let spec: OpenApiValidator;

beforeAll(async () => {
  spec = await loadOpenApi(CLOUDFLARE_SPEC, { patches: EXCEPTIONS.patches });
});

describe('the exceptions list', () => {
  const judge = (validator: OpenApiValidator, probe: Probe) =>
    'request' in probe
      ? validator.validateRequest(probe.request)
      : validator.validateResponse(probe.response);

  it.each(EXCEPTIONS.patches.map((patch) => [patch.id, patch] as const))(
    '%s: is needed, works, and leaves a valid OpenAPI document',
    async (_id, patch) => {
      expect(patch.reason.length).toBeGreaterThan(40);
      expect(patch.probes.some((probe) => probe.unpatched !== probe.patched)).toBe(true);
      // strict mode: init fails unless the patched document is valid OpenAPI.
      const without = await loadOpenApi(CLOUDFLARE_SPEC, {
        patches: EXCEPTIONS.patches.filter((p) => p !== patch),
      });
      for (const probe of patch.probes) {
        const verdicts = [judge(without, probe), judge(spec, probe)].map((problems) =>
          problems.length === 0 ? 'valid' : 'invalid',
        );
        expect(verdicts, probe.note).toEqual([probe.unpatched, probe.patched]);
      }
    },
  );

  it('names only operations and statuses that exist, each once', () => {
    const documented = new Set(
      spec.operations().flatMap((op) => spec.documentedStatuses(op).map((status) => `${op.id} ${status}`)),
    );
    const ids = new Set(spec.operations().map((op) => op.id));
    for (const entry of EXCEPTIONS.notExercised)
      expect(documented.has(`${entry.operation} ${entry.status}`)).toBe(true);
    for (const entry of EXCEPTIONS.undocumented) {
      expect(ids.has(entry.operation), entry.operation).toBe(true);
      expect(documented.has(`${entry.operation} ${entry.status}`), `${entry.operation} ${entry.status}`).toBe(
        false,
      );
    }
    const keys = [...EXCEPTIONS.notExercised, ...EXCEPTIONS.undocumented].map(
      (e) => `${e.operation} ${e.status}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});

interface Case {
  label: string;
  method: string;
  /** Spec-relative, concrete. */
  path: string;
  status: number;
  body?: unknown;
  /** Sent as is (for malformed JSON and oversized bodies). */
  raw?: string;
  /** Default: the API token. */
  auth?: 'token' | 'key-pair' | 'sdk' | 'none' | 'wrong';
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
  /** Default: the shared sandbox (rate limits off). */
  target?: Sandbox;
}

const AUTH_HEADERS: Record<NonNullable<Case['auth']>, Record<string, string>> = {
  token: { authorization: `Bearer ${CF.apiToken}` },
  'key-pair': { 'x-auth-email': PAIR.email, 'x-auth-key': PAIR.key },
  sdk: SDK_HEADERS,
  none: {},
  wrong: { authorization: 'Bearer not-the-token' },
};

async function exchange(sandbox: Sandbox, c: Case) {
  const headers: Record<string, string> = { ...AUTH_HEADERS[c.auth ?? 'token'] };
  const text = c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  if (text !== undefined) {
    headers['content-type'] = 'application/json';
    if (!c.chunked) headers['content-length'] = String(Buffer.byteLength(text));
  }
  const url = new URL(`${sandbox.cloudflareUrl}${c.path}`);
  const response = await new Promise<{ status: number; headers: Record<string, string>; text: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: c.method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: Object.fromEntries(
                Object.entries(res.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
              ),
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('error', reject);
      if (text !== undefined && c.chunked) req.write(text.slice(0, 1));
      req.end(text === undefined ? undefined : c.chunked ? text.slice(1) : text);
    },
  );
  return {
    request: { method: c.method, path: c.path, headers, body: c.body },
    status: response.status,
    headers: response.headers,
    body: parseBody(response.text),
  };
}

describe("the emulator's responses", () => {
  let sandbox: Sandbox;
  /** `<operationId> <status>` for every documented (operation, status) exercised. */
  const exercised = new Set<string>();
  const undocumentedSeen = new Set<string>();

  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimits: false });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  /** Sends the case, checks its status, validates the response (and, for successes, the request too). */
  async function check(c: Case): Promise<unknown> {
    const result = await exchange(c.target ?? sandbox, c);
    expect(result.status, `${c.label}: ${JSON.stringify(result.body)}`).toBe(c.status);
    const operation = spec.findOperation(c.method, c.path);
    expect(operation, c.label).toBeDefined();
    const response = { method: c.method, path: c.path, status: result.status, headers: result.headers };
    const problems = spec.validateResponse({ ...response, body: result.body });
    const key = `${operation?.id} ${result.status}`;
    if (EXCEPTIONS.undocumented.some((e) => `${e.operation} ${e.status}` === key)) {
      expect(problems, c.label).toEqual([expect.stringMatching(/^status \d+ is not documented for /)]);
      const envelope = envelopeSchema.parse(result.body);
      expect(envelope, c.label).toMatchObject({ success: false, result: null });
      expect(envelope.errors, c.label).toHaveLength(1);
      undocumentedSeen.add(key);
      return result.body;
    }
    expect(problems, c.label).toEqual([]);
    if (c.status < 300) expect(spec.validateRequest(result.request), `${c.label} (request)`).toEqual([]);
    exercised.add(key);
    return result.body;
  }

  const send = (path: string, label: string, status: number, body: unknown, extra: Partial<Case> = {}) =>
    check({ label, method: 'POST', path, status, body, ...extra });
  const sendPath = `/accounts/${CF.accountId}/email/sending/send`;
  const rawPath = `/accounts/${CF.accountId}/email/sending/send_raw`;
  const message = {
    from: { address: 'news@mail.example.com', name: 'Example News' },
    to: ['olivia@example.org', { address: 'liam@bounce.example', name: 'Liam' }],
    cc: 'noah@defer.example',
    bcc: { address: 'ava@example.com' },
    reply_to: 'support@example.com',
    subject: 'Conformance',
    text: 'Hello',
    html: '<p>Hello <img src="cid:logo"></p>',
    headers: { 'X-Conformance': 'yes' },
    attachments: [
      {
        content: 'iVBORw0KGgo=',
        content_id: 'logo',
        disposition: 'inline',
        filename: 'logo.png',
        type: 'image/png',
      },
      { content: 'JVBERi0xLjQK', disposition: 'attachment', filename: 'report.pdf', type: 'application/pdf' },
    ],
  };
  const raw = {
    from: 'news@mail.example.com',
    recipients: ['olivia@example.org', 'liam@bounce.example'],
    mime_message: 'From: news@mail.example.com\r\nTo: olivia@example.org\r\nSubject: Raw\r\n\r\nHello',
  };

  it('POST send: 200, 400 (10001, 10200, 10201, 10202), 401, 403 (10102, 10203, 10204), 413', async () => {
    const result = (await send(sendPath, 'full', 200, message)) as { result: Record<string, string[]> };
    expect(result.result).toMatchObject({
      delivered: ['olivia@example.org', 'ava@example.com'],
      permanent_bounces: ['liam@bounce.example'],
      queued: ['noah@defer.example'],
    });
    await send(sendPath, 'minimal', 200, {
      from: 'a@notify.example.com',
      to: 'b@example.org',
      subject: '',
      html: 'x',
    });
    await send(sendPath, 'no text or html', 400, { ...message, text: '', html: '' });
    await send(sendPath, 'unknown property', 400, { ...message, template: 'x' });
    await send(sendPath, 'malformed JSON', 400, undefined, { raw: '{"from": ' });
    await send(sendPath, 'too big', 400, { ...message, text: 'a'.repeat(5 * 1024 * 1024) });
    await send(sendPath, 'chunked', 400, message, { chunked: true });
    await send(sendPath, 'not an address', 400, { ...message, to: 'nobody' });
    await send(sendPath, 'no credential', 401, message, { auth: 'none' });
    await send(sendPath, 'wrong token', 401, message, { auth: 'wrong' });
    await send(
      '/accounts/ffffffffffffffffffffffffffffffff/email/sending/send',
      'other account',
      403,
      message,
    );
    await send(sendPath, 'disabled', 403, { ...message, from: 'a@legacy.example.net' });
    await send(sendPath, 'not configured', 403, { ...message, from: 'a@example.org' });
    await send(sendPath, 'over the body cap', 413, undefined, {
      raw: JSON.stringify({ text: 'a'.repeat(12 * 1024 * 1024) }),
    });
  });

  it('POST send_raw: 200, 400 (10001, 10200, 10201, 10202), 401, 403 (10102, 10203, 10204), 413', async () => {
    await send(rawPath, 'raw', 200, raw, { auth: 'key-pair' });
    await send(rawPath, 'unknown property', 400, { ...raw, subject: 'x' });
    await send(rawPath, 'too big', 400, {
      ...raw,
      mime_message: `${raw.mime_message}${'a'.repeat(5 * 1024 * 1024)}`,
    });
    await send(rawPath, 'chunked', 400, raw, { chunked: true });
    await send(rawPath, 'not RFC 5322', 400, { ...raw, mime_message: 'Hello' });
    await send(rawPath, 'no credential', 401, raw, { auth: 'none' });
    await send('/accounts/account_id/email/sending/send_raw', 'other account', 403, raw);
    await send(rawPath, 'disabled', 403, { ...raw, from: 'a@legacy.example.net' });
    await send(rawPath, 'not configured', 403, { ...raw, from: 'a@example.org' });
    await send(rawPath, 'over the body cap', 413, undefined, {
      raw: JSON.stringify({ m: 'a'.repeat(12 * 1024 * 1024) }),
    });
  });

  it('429 on send and send_raw, and on every subdomain route', async () => {
    const limited = await startSandbox({ rateLimits: true, cloudflareRequestsPerWindow: 1 });
    try {
      await send(sendPath, 'first call', 200, message, { target: limited });
      await send(sendPath, 'throttled', 429, message, { target: limited });
      await send(rawPath, 'throttled', 429, raw, { target: limited });
      for (const [method, path] of SUBDOMAIN_OPS) {
        const concrete = path.replace('{zone_id}', ZONE).replace('{subdomain_id}', MAIL);
        const body = method === 'post' || method === 'patch' ? { name: 'x.example.com' } : undefined;
        await check({
          label: `${method} ${path}`,
          method: method.toUpperCase(),
          path: concrete,
          status: 429,
          body,
          target: limited,
        });
      }
    } finally {
      await limited.close();
    }
  });

  it('GET subdomains: 200 for both zones; 401, 403', async () => {
    for (const zone of Object.values(DEMO.zones)) {
      await check({
        label: zone.name,
        method: 'GET',
        path: `/zones/${zone.id}/email/sending/subdomains`,
        status: 200,
      });
    }
    const list = `/zones/${ZONE}/email/sending/subdomains`;
    await check({ label: 'no credential', method: 'GET', path: list, status: 401, auth: 'none' });
    await check({
      label: 'other zone',
      method: 'GET',
      path: '/zones/ffffffffffffffffffffffffffffffff/email/sending/subdomains',
      status: 403,
    });
  });

  it('POST subdomains and preview: 200 (new, re-enabled, preview); 400, 401, 403, 409', async () => {
    const list = `/zones/${DEMO.zones.secondary.id}/email/sending/subdomains`;
    await check({
      label: 'create',
      method: 'POST',
      path: list,
      status: 200,
      body: { name: 'conformance.example.net' },
    });
    await check({
      label: 're-enable',
      method: 'POST',
      path: list,
      status: 200,
      body: { name: 'legacy.example.net' },
    });
    await check({
      label: 'duplicate',
      method: 'POST',
      path: list,
      status: 409,
      body: { name: 'send.example.net' },
    });
    await check({
      label: 'outside the zone',
      method: 'POST',
      path: list,
      status: 400,
      body: { name: 'x.example.com' },
    });
    await check({
      label: 'no credential',
      method: 'POST',
      path: list,
      status: 401,
      body: { name: 'y.example.net' },
      auth: 'none',
    });
    await check({
      label: 'other zone',
      method: 'POST',
      path: '/zones/ffffffffffffffffffffffffffffffff/email/sending/subdomains',
      status: 403,
      body: { name: 'y.example.net' },
    });
    const preview = `${list}/preview`;
    await check({
      label: 'preview new',
      method: 'POST',
      path: preview,
      status: 200,
      body: { name: 'p.example.net' },
    });
    await check({
      label: 'preview existing',
      method: 'POST',
      path: preview,
      status: 200,
      body: { name: 'send.example.net' },
    });
    await check({
      label: 'preview outside',
      method: 'POST',
      path: preview,
      status: 400,
      body: { name: 'p.example.com' },
    });
    await check({
      label: 'preview no credential',
      method: 'POST',
      path: preview,
      status: 401,
      body: { name: 'p.example.net' },
      auth: 'wrong',
    });
    await check({
      label: 'preview other zone',
      method: 'POST',
      path: '/zones/ffffffffffffffffffffffffffffffff/email/sending/subdomains/preview',
      status: 403,
      body: { name: 'p.example.net' },
    });
  });

  it('GET, PATCH and DELETE one subdomain, GET its DNS records: 200; 400, 401, 403, 404', async () => {
    for (const { zoneId, tag } of [DEMO.subdomains.mail, DEMO.subdomains.notify, DEMO.subdomains.send]) {
      const one = `/zones/${zoneId}/email/sending/subdomains/${tag}`;
      await check({ label: `get ${tag}`, method: 'GET', path: one, status: 200 });
      await check({ label: `dns ${tag}`, method: 'GET', path: `${one}/dns`, status: 200 });
    }
    const { zoneId, tag } = DEMO.subdomains.notify;
    const one = `/zones/${zoneId}/email/sending/subdomains/${tag}`;
    await check({
      label: 'patch',
      method: 'PATCH',
      path: one,
      status: 200,
      body: { preview_enabled: false },
    });
    await check({
      label: 'patch name',
      method: 'PATCH',
      path: one,
      status: 400,
      body: { name: 'x.example.com' },
    });
    const other = `/zones/ffffffffffffffffffffffffffffffff/email/sending/subdomains/${tag}`;
    const unknown = `/zones/${zoneId}/email/sending/subdomains/ffffffffffffffffffffffffffffffff`;
    const malformed = `/zones/${zoneId}/email/sending/subdomains/not-a-tag`;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { preview_enabled: true }],
      ['GET', '/dns', undefined],
      ['DELETE', '', undefined],
    ] as const) {
      await check({
        label: `${method}${suffix} no credential`,
        method,
        path: `${one}${suffix}`,
        status: 401,
        body,
        auth: 'none',
      });
      await check({
        label: `${method}${suffix} other zone`,
        method,
        path: `${other}${suffix}`,
        status: 403,
        body,
      });
      await check({
        label: `${method}${suffix} unknown`,
        method,
        path: `${unknown}${suffix}`,
        status: 404,
        body,
      });
      await check({
        label: `${method}${suffix} malformed`,
        method,
        path: `${malformed}${suffix}`,
        status: 400,
        body,
      });
    }
    await check({ label: 'delete', method: 'DELETE', path: one, status: 200 });
    await check({ label: 'deleted', method: 'GET', path: `${one}/dns`, status: 404 });
  });

  it('DNS status and fix: 200 (unconfigured, ready), 400, 401, 403, 404', async () => {
    // Its own sandbox: the tests above re-enable the deleted demo subdomain.
    const fresh = await startSandbox({ rateLimits: false });
    onTestFinished(() => fresh.close());
    const at = (c: Case) => check({ ...c, target: fresh });
    const { zoneId, tag } = DEMO.subdomains.send;
    const one = `/zones/${zoneId}/email/sending/subdomains/${tag}`;
    expect(
      await at({ label: 'status', method: 'GET', path: `${one}/dns/status`, status: 200 }),
    ).toMatchObject({
      result: { status: 'unconfigured' },
    });
    expect(await at({ label: 'fix', method: 'POST', path: `${one}/dns`, status: 200 })).toMatchObject({
      result: { status: 'ready' },
    });
    for (const [method, suffix] of [
      ['GET', '/dns/status'],
      ['POST', '/dns'],
    ] as const) {
      const base = `/zones/${zoneId}/email/sending/subdomains`;
      await at({
        label: `${suffix} unknown`,
        method,
        path: `${base}/ffffffffffffffffffffffffffffffff${suffix}`,
        status: 404,
      });
      await at({
        label: `${suffix} deleted`,
        method,
        path: `${base}/${DEMO.subdomains.legacy.tag}${suffix}`,
        status: 404,
      });
      await at({ label: `${suffix} malformed`, method, path: `${base}/xyz${suffix}`, status: 400 });
      await at({
        label: `${suffix} no credential`,
        method,
        path: `${one}${suffix}`,
        status: 401,
        auth: 'none',
      });
      const otherZone = `/zones/ffffffffffffffffffffffffffffffff/email/sending/subdomains/${tag}${suffix}`;
      await at({ label: `${suffix} other zone`, method, path: otherZone, status: 403 });
    }
  });

  // Runs after the tests above (vitest keeps file order), which fill the two sets.
  it('covered every documented status except those listed, and every undocumented one listed', () => {
    const documented = spec
      .operations()
      .flatMap((operation) =>
        spec.documentedStatuses(operation).map((status) => `${operation.id} ${status}`),
      );
    const skipped = EXCEPTIONS.notExercised.map((e) => `${e.operation} ${e.status}`);
    expect([...exercised].sort()).toEqual(documented.filter((key) => !skipped.includes(key)).sort());
    expect([...undocumentedSeen].sort()).toEqual(
      EXCEPTIONS.undocumented.map((e) => `${e.operation} ${e.status}`).sort(),
    );
  });
});

describe("the SDK's requests", () => {
  const calls = sdkCalls();

  it('are the seven operations of the SDK, each with its fixture', () => {
    expect(calls.map((call) => call.name)).toEqual([
      'emailSending.send only_required',
      'emailSending.send required_and_optional',
      'emailSending.sendRaw only_required',
      'emailSending.sendRaw required_and_optional',
      'emailSending.subdomains.create only_required',
      'emailSending.subdomains.list only_required',
      'emailSending.subdomains.get only_required',
      'emailSending.subdomains.delete only_required',
      'emailSending.subdomains.dns.get only_required',
    ]);
  });

  it.each(calls.map((call) => [call.name, call] as const))(
    '%s, verbatim, conforms to the spec',
    (_name, call) => {
      const headers = {
        ...SDK_HEADERS,
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      };
      expect(
        spec.validateRequest({ method: call.method, path: call.path, headers, body: call.body }),
      ).toEqual([]);
    },
  );

  it('verbatim against the emulator: conforming answers (403 for the placeholder account id)', async () => {
    const sandbox = await startSandbox({ rateLimits: false });
    try {
      // The dns and get calls go before delete, which disables the SDK's subdomain id.
      const order = ['list', 'get', 'dns.get', 'create', 'delete', 'send', 'sendRaw'];
      const rank = (call: SdkCall) =>
        order.findIndex((name) => call.name.split(' ')[0]?.endsWith(`.${name}`));
      const statuses: Array<[string, number]> = [];
      for (const call of [...calls].sort((a, b) => rank(a) - rank(b))) {
        const result = await exchange(sandbox, {
          label: call.name,
          method: call.method,
          path: call.path,
          status: 0,
          body: call.body,
          auth: 'sdk',
        });
        statuses.push([call.name, result.status]);
        const problems = spec.validateResponse({
          method: call.method,
          path: call.path,
          status: result.status,
          headers: result.headers,
          body: result.body,
        });
        expect(problems, call.name).toEqual([]);
      }
      expect(Object.fromEntries(statuses)).toEqual({
        'emailSending.subdomains.list only_required': 200,
        'emailSending.subdomains.get only_required': 200,
        'emailSending.subdomains.dns.get only_required': 200,
        'emailSending.subdomains.create only_required': 200,
        'emailSending.subdomains.delete only_required': 200,
        'emailSending.send only_required': 403,
        'emailSending.send required_and_optional': 403,
        'emailSending.sendRaw only_required': 403,
        'emailSending.sendRaw required_and_optional': 403,
      });
    } finally {
      await sandbox.close();
    }
  });

  it('adapted to the demo account (its id, a configured sender, real base64): 200 for the full ones', async () => {
    const sandbox = await startSandbox({ rateLimits: false });
    try {
      for (const call of calls.filter((c) => c.path.startsWith('/accounts/'))) {
        const body = structuredClone(call.body ?? {});
        body.from = 'sender@mail.example.com';
        if (typeof body.mime_message === 'string') {
          body.mime_message = body.mime_message.replace('sender@example.com', 'sender@mail.example.com');
        }
        for (const attachment of (body.attachments ?? []) as Array<{ content: string }>) {
          attachment.content = attachment.content.replace(/\.\.\.$/, '');
        }
        const path = call.path.replace('/accounts/account_id/', `/accounts/${CF.accountId}/`);
        const request = {
          method: call.method,
          path,
          headers: { ...SDK_HEADERS, 'content-type': 'application/json' },
          body,
        };
        expect(spec.validateRequest(request), call.name).toEqual([]);
        const result = await exchange(sandbox, {
          label: call.name,
          method: call.method,
          path,
          status: 0,
          body,
          auth: 'sdk',
        });
        // `send only_required` has neither text nor html nor a recipient: a 400 (10001) the spec documents.
        expect(result.status, call.name).toBe(call.name === 'emailSending.send only_required' ? 400 : 200);
        expect(
          spec.validateResponse({
            method: call.method,
            path,
            status: result.status,
            headers: result.headers,
            body: result.body,
          }),
          call.name,
        ).toEqual([]);
      }
      expect(sandbox.cloudflare.sent().map((sent) => sent.route)).toEqual(['send', 'send_raw', 'send_raw']);
    } finally {
      await sandbox.close();
    }
  });
});
