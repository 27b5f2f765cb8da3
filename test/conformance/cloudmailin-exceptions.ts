import { fixturePath } from '../helpers/fixtures.js';
/**
 * Every place where the CloudMailin conformance tests do not take
 * `test/fixtures/providers/cloudmailin/openapi/cloudmailin-api-v0.1.yml` (the 2021 file) as it is, each with
 * its reason. The seed (`test/fixtures/providers/seeds/000_f4f25a1e2223f55e.txt`, a render of the newer live
 * reference) wins where the two disagree (`test/fixtures/providers/cloudmailin/NOTES.md` §1.1, §1.4, §1.5).
 *
 * - SPEC_PATCHES change the document before it is compiled. Each one touches only the schemas or
 *   parameters it names. Each carries probes: traffic that the validator must judge differently with the
 *   patch than without it (all the other patches applied), so a patch that stops being needed, or stops
 *   working, fails a test.
 * - NOT_IN_SPEC lists operations the file lacks. Their traffic is not validated here. The seed-shape
 *   tests named in `coveredBy` cover them.
 * - NO_EXCEPTION_NEEDED records differences that were examined and need no patch.
 */
import {
  type JsonObject,
  type RequestSample,
  type ResponseSample,
  type SpecPatch,
  objectAt,
} from './openapi.js';

export const CLOUDMAILIN_SPEC = fixturePath('cloudmailin/openapi/cloudmailin-api-v0.1.yml');

export type Verdict = 'valid' | 'invalid';

/** `unpatched` is the verdict with every other patch applied but not this one. */
export type Probe = { unpatched: Verdict; patched: Verdict; note: string } & (
  | { request: RequestSample }
  | { response: ResponseSample }
);

export interface SpecException extends SpecPatch {
  probes: Probe[];
}

const schema = (document: JsonObject, name: string) => objectAt(document, 'components', 'schemas', name);
const properties = (document: JsonObject, name: string) => objectAt(schema(document, name), 'properties');
/** The second `allOf` member of Message / RawMessage: the part they add to MessageCommon. */
const ownPart = (document: JsonObject, name: string) =>
  (schema(document, name).allOf as JsonObject[])[1] as JsonObject;

const AUTH = { authorization: 'Bearer probe-token', 'content-type': 'application/json' };
const ADDRESS = { id: 'aaaa740b4c5c37b1aaaa', target: 'https://example.com/in', target_format: 'json+n' };
const MESSAGE = { from: 'Sender <sender@example.com>', to: ['recipient@example.com'] };

export const SPEC_PATCHES: readonly SpecException[] = [
  {
    id: 'address-live-fields',
    reason:
      'The seed (live reference) shows `"attachments": {}` on every Address response and types it "object or ' +
      'Attachment (object)"; the 2021 Address has `additionalProperties: false` and no `attachments`, so ' +
      'every real response would fail. The seed also types `target` as `string <uri>`. NOTES §1.1, §1.5.',
    apply(document) {
      const address = properties(document, 'Address');
      address.attachments = { type: 'object' };
      objectAt(address, 'target').format = 'uri';
    },
    probes: [
      {
        note: 'an Address with the seed attachments object',
        response: {
          method: 'GET',
          path: `/addresses/${ADDRESS.id}`,
          status: 200,
          body: { ...ADDRESS, attachments: {} },
        },
        unpatched: 'invalid',
        patched: 'valid',
      },
      {
        note: 'an Address whose target is not a URI',
        response: {
          method: 'GET',
          path: `/addresses/${ADDRESS.id}`,
          status: 200,
          body: { ...ADDRESS, target: 'inbox' },
        },
        unpatched: 'valid',
        patched: 'invalid',
      },
    ],
  },
  {
    id: 'incoming-status-newer-fields',
    reason:
      "The seed shows IncomingStatus `id` (Redoc's sample for a `format: uuid` string) and `md5`; the 2021 " +
      'file lacks `id` and has `md5` commented out. IncomingStatus allows unknown properties, so this patch ' +
      'only tightens: it types them (md5 exactly as the commented-out 2021 definition). NOTES §1.5, §7.9.',
    apply(document) {
      const status = properties(document, 'IncomingStatus');
      status.id = { type: 'string', format: 'uuid', readOnly: true };
      status.md5 = { type: 'string', readOnly: true, nullable: true };
    },
    probes: [
      {
        note: 'an incoming status whose id is a number',
        response: {
          method: 'GET',
          path: '/incoming_statuses',
          status: 200,
          body: [{ id: 42, status: '200' }],
        },
        unpatched: 'valid',
        patched: 'invalid',
      },
    ],
  },
  {
    id: 'message-newer-fields',
    reason:
      'The seed documents Message `cc` ("Array of strings or string", in requests and in the 202 echo) and ' +
      '`markdown` (string); cloudmailin-js 2026-03 sends both. Message allows unknown properties, so this ' +
      'patch only tightens: `cc` gets the same schema as `to`, `markdown` is a string. NOTES §1.1, §3.',
    apply(document) {
      const common = properties(document, 'MessageCommon');
      common.cc = structuredClone(common.to);
      objectAt(ownPart(document, 'Message'), 'properties').markdown = { type: 'string' };
    },
    probes: [
      {
        note: 'a message whose cc is a number',
        request: {
          method: 'POST',
          path: '/messages',
          headers: AUTH,
          body: { ...MESSAGE, plain: 'Hi', cc: 5 },
        },
        unpatched: 'valid',
        patched: 'invalid',
      },
      {
        note: 'a message whose markdown is not a string',
        request: {
          method: 'POST',
          path: '/messages',
          headers: AUTH,
          body: { ...MESSAGE, markdown: ['# Hi'] },
        },
        unpatched: 'valid',
        patched: 'invalid',
      },
    ],
  },
  {
    id: 'message-oneof-discriminators',
    reason:
      'The request body is `oneOf: [Message, RawMessage]`, but neither branch requires anything the other ' +
      'lacks, so every valid message matches both and `oneOf` rejects it. This patch adds the rules the ' +
      'prose states: a RawMessage is one with `raw` ("A full raw email"), and a Message needs one of ' +
      'plain, html or markdown (seed: "Either the plain text, html, or markdown parts are required"; the ' +
      '2021 text says plain or html). NOTES §3.',
    apply(document) {
      ownPart(document, 'RawMessage').required = ['raw'];
      ownPart(document, 'Message').anyOf = [
        { required: ['plain'] },
        { required: ['html'] },
        { required: ['markdown'] },
      ];
    },
    probes: [
      {
        note: 'a plain-text Message',
        request: { method: 'POST', path: '/messages', headers: AUTH, body: { ...MESSAGE, plain: 'Hi' } },
        unpatched: 'invalid',
        patched: 'valid',
      },
      {
        note: 'a RawMessage',
        request: {
          method: 'POST',
          path: '/messages',
          headers: AUTH,
          body: { ...MESSAGE, raw: 'From: sender@example.com\r\nTo: recipient@example.com\r\n\r\nHi' },
        },
        unpatched: 'invalid',
        patched: 'valid',
      },
      {
        note: 'a message with no body part at all',
        request: { method: 'POST', path: '/messages', headers: AUTH, body: { ...MESSAGE } },
        unpatched: 'invalid',
        patched: 'invalid',
      },
    ],
  },
  {
    id: 'list-query-parameter',
    reason:
      'The seed documents a `query` parameter ("The domain to search for, partial domains are accepted") on ' +
      'GET /custom_domains and GET /sending_domains; the 2021 file has it only on /incoming_statuses, and ' +
      'undeclared query parameters are rejected. NOTES §1.4.',
    apply(document) {
      const parameter = {
        in: 'query',
        name: 'query',
        description: 'The domain to search for, partial domains are accepted.',
        schema: { type: 'string' },
      };
      for (const path of ['/custom_domains', '/sending_domains']) {
        const operation = objectAt(document, 'paths', path, 'get');
        operation.parameters = [...((operation.parameters as unknown[]) ?? []), structuredClone(parameter)];
      }
    },
    probes: [
      {
        note: 'GET /sending_domains?query=example',
        request: { method: 'GET', path: '/sending_domains', headers: AUTH, query: { query: 'example' } },
        unpatched: 'invalid',
        patched: 'valid',
      },
      {
        note: 'GET /custom_domains?address_id=…&query=example',
        request: {
          method: 'GET',
          path: '/custom_domains',
          headers: AUTH,
          query: { address_id: ADDRESS.id, query: 'example' },
        },
        unpatched: 'invalid',
        patched: 'valid',
      },
    ],
  },
];

export interface NotInSpec {
  method: string;
  /** As the seed / NOTES name it. */
  path: string;
  /** A concrete path the emulator serves, to show the spec has no route for it. */
  example: string;
  reason: string;
  coveredBy: string;
}

const ADDRESS_TESTS = 'test/sandbox/cloudmailin-addresses.test.ts';
const OUTBOUND_TESTS = 'test/sandbox/cloudmailin-messages.test.ts';

export const NOT_IN_SPEC: readonly NotInSpec[] = [
  {
    method: 'POST',
    path: '/addresses',
    example: '/addresses',
    reason: 'Address create is in the seed (live reference) only; the 2021 file has no POST /addresses.',
    coveredBy: ADDRESS_TESTS,
  },
  {
    method: 'PUT',
    path: '/addresses/{addressID}',
    example: '/addresses/aaaa740b4c5c37b1aaaa',
    reason:
      'Address update is in the seed only (method not shown there; NOTES picks PUT, the client uses it).',
    coveredBy: ADDRESS_TESTS,
  },
  {
    method: 'PATCH',
    path: '/addresses/{addressID}',
    example: '/addresses/aaaa740b4c5c37b1aaaa',
    reason: 'The emulator also accepts PATCH for update (NOTES §1.4); in no spec.',
    coveredBy: ADDRESS_TESTS,
  },
  {
    method: 'DELETE',
    path: '/addresses/{addressID}',
    example: '/addresses/aaaa740b4c5c37b1aaaa',
    reason: 'Address delete is in the seed only ("a 202 response is expected").',
    coveredBy: ADDRESS_TESTS,
  },
  {
    method: 'GET',
    path: '/outbound_messages',
    example: '/outbound_messages',
    reason: 'Outbound messages (Beta) are in the seed only; the 2021 file predates them.',
    coveredBy: OUTBOUND_TESTS,
  },
  {
    method: 'GET',
    path: '/outbound_messages/{outboundMessageID}',
    example: '/outbound_messages/724b9ef2-94ee-4fb0-b722-082204633911',
    reason: 'Outbound message show is in the seed only.',
    coveredBy: OUTBOUND_TESTS,
  },
];

/** Differences that were looked at and need no exception. */
export const NO_EXCEPTION_NEEDED = [
  {
    id: 'incoming-status-status-type',
    what: 'IncomingStatus.status: the seed example is the number 200, the spec types it string',
    why:
      'The seed is Redoc rendering the example, and the 2021 file has the same `example: 200`, a YAML ' +
      'number under `type: string`. Nothing says the type changed, and the spec and NOTES §2.2 ' +
      '("200", "client_timeout") say string. The emulator emits strings, validated as `type: string`. The ' +
      'client accepts both (docs/decisions.md).',
  },
  {
    id: 'no-403-on-two-writes',
    what: 'No 403 on POST /sending_domains and POST /messages',
    why:
      'The spec lists 401 and 422 only. The emulator answers 403 for the right credential on another ' +
      'account there, as on every other route (docs/decisions.md). No source documents that 403, so ' +
      'the validator reports it as undocumented. A test pins this down; the operation is not patched.',
  },
] as const;
