/**
 * Authorization is declared on the fields (Pothos scope-auth), not called by hand in resolvers. These tests
 * show it holds everywhere it matters: every field that may call a provider (the cost model's list) and
 * every root field declares its scope, and each one refuses a key without it before any upstream call,
 * nested fields under a mutation included.
 */
import { isInterfaceType, isObjectType, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_COSTS } from '../src/query-cost.js';
import { DEMO_CLOUDFLARE } from '../src/sandbox/cloudflare-demo.js';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { schema } from '../src/schema/index.js';
import { type Stack, globalId, startStack } from './helpers/stack.js';

function declaredScopes(typeName: string, fieldName: string): Array<Record<string, unknown> | undefined> {
  const type = schema.getType(typeName);
  const owners = isInterfaceType(type) ? schema.getPossibleTypes(type) : isObjectType(type) ? [type] : [];
  return owners.map(
    (owner) =>
      (
        owner.getFields()[fieldName]?.extensions as {
          pothosOptions?: { authScopes?: Record<string, unknown> };
        }
      )?.pothosOptions?.authScopes,
  );
}

describe('authorization is declared', () => {
  it('on every field that may call a provider, and every root field', () => {
    const fields = [
      ...Object.keys(FIELD_COSTS),
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}).map((name) => `Query.${name}`),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((name) => `Mutation.${name}`),
    ];
    const undeclared = fields.filter((key) => {
      const [typeName, fieldName] = key.split('.') as [string, string];
      const scopes = declaredScopes(typeName, fieldName);
      return scopes.length === 0 || scopes.some((scope) => !scope || Object.keys(scope).length === 0);
    });
    expect(undeclared).toEqual([]);
  });
});

const KEYS = {
  reader: 'reader-key-0123456789',
  sender: 'sender-key-0123456789',
  manager: 'manager-key-012345678',
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { MAILGRAPH_API_KEYS: `${KEYS.reader}:read,${KEYS.sender}:send,${KEYS.manager}:manage` },
  });
});
afterAll(() => stack.close());

async function as(key: string, query: string, variables?: Record<string, unknown>) {
  stack.sandbox.resetCalls();
  const result = await stack.gql(parse(query), variables as never, { authorization: `Bearer ${key}` });
  return { ...result, upstream: stack.sandbox.calls.map((call) => `${call.method} ${call.path}`) };
}

const support = DEMO_CLOUDMAILIN.addressIds.support;
const subdomain = DEMO_CLOUDFLARE.subdomains.mail;

/** Each root field with arguments that would work, and the scope it needs. */
const ROOT_FIELDS: Array<[string, 'read' | 'send' | 'manage', string]> = [
  ['inboundAddresses', 'read', '{ inboundAddresses(first: 1) { nodes { id } } }'],
  ['inboundAddress', 'read', `{ inboundAddress(id: "${support}") { id } }`],
  ['incomingStatuses', 'read', `{ incomingStatuses(addressId: "${support}", first: 1) { nodes { id } } }`],
  ['customDomains', 'read', `{ customDomains(addressId: "${support}", first: 1) { nodes { id } } }`],
  ['inboundEmails', 'read', `{ inboundEmails(addressId: "${support}", first: 1) { nodes { id } } }`],
  ['outboundMessages', 'read', '{ outboundMessages(first: 1) { nodes { id } } }'],
  ['outboundMessage', 'read', `{ outboundMessage(id: "${DEMO_CLOUDMAILIN.outboundMessageId}") { id } }`],
  ['sendingDomains', 'read', '{ sendingDomains(first: 1) { nodes { id } } }'],
  ['sendingDomain', 'read', `{ sendingDomain(id: "${DEMO_CLOUDMAILIN.sendingDomainIds.verified}") { id } }`],
  ['node', 'read', `{ node(id: "${globalId('InboundAddress', support)}") { id } }`],
  ['nodes', 'read', `{ nodes(ids: ["${globalId('InboundAddress', support)}"]) { id } }`],
  ['rateLimits', 'read', '{ rateLimits { provider } }'],
  [
    'createInboundAddress',
    'manage',
    'mutation { createInboundAddress(input: { target: "https://example.com/in", targetFormat: JSON_NORMALIZED }) { __typename } }',
  ],
  [
    'updateInboundAddress',
    'manage',
    `mutation { updateInboundAddress(input: { id: "${support}", nickname: "x" }) { __typename } }`,
  ],
  ['deleteInboundAddress', 'manage', `mutation { deleteInboundAddress(id: "${support}") { __typename } }`],
  [
    'createCustomDomain',
    'manage',
    `mutation { createCustomDomain(input: { addressId: "${support}", domain: "auth.example.com" }) { __typename } }`,
  ],
  [
    'deleteCustomDomain',
    'manage',
    `mutation { deleteCustomDomain(id: "${globalId('CustomDomain', `${support}/${DEMO_CLOUDMAILIN.customDomainId}`)}") { __typename } }`,
  ],
  [
    'sendEmail',
    'send',
    'mutation { sendEmail(input: { provider: CLOUDMAILIN, from: { email: "a@example.com" }, to: [{ email: "b@example.net" }], subject: "s", text: "t" }) { __typename } }',
  ],
  [
    'simulateInboundEmail',
    'send',
    `mutation { simulateInboundEmail(input: { addressId: "${support}", from: "a@example.com", subject: "s" }) { __typename } }`,
  ],
  [
    'sendRawEmail',
    'send',
    'mutation { sendRawEmail(input: { provider: CLOUDMAILIN, from: { email: "a@example.com" }, to: [{ email: "b@example.net" }], raw: "From: a@example.com\\r\\nTo: b@example.net\\r\\nSubject: s\\r\\n\\r\\nt" }) { __typename } }',
  ],
  [
    'createSendingDomain',
    'manage',
    'mutation { createSendingDomain(provider: CLOUDMAILIN, domain: "auth.example.org") { __typename } }',
  ],
  [
    'updateSendingDomain',
    'manage',
    `mutation { updateSendingDomain(input: { id: "${globalId('CloudflareSendingSubdomain', `${subdomain.zoneId}/${subdomain.tag}`)}", previewEnabled: false }) { __typename } }`,
  ],
  [
    'verifySendingDomain',
    'manage',
    `mutation { verifySendingDomain(id: "${DEMO_CLOUDMAILIN.sendingDomainIds.verified}") { __typename } }`,
  ],
  [
    'deleteSendingDomain',
    'manage',
    `mutation { deleteSendingDomain(id: "${DEMO_CLOUDMAILIN.sendingDomainIds.verified}") { __typename } }`,
  ],
];

describe('authorization holds', () => {
  it('covers every root field of the schema', () => {
    const roots = [
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ];
    expect(ROOT_FIELDS.map(([field]) => field).sort()).toEqual(roots.sort());
  });

  it.each(ROOT_FIELDS)(
    '%s refuses every key without its %s scope, before any upstream call',
    async (field, scope, query) => {
      const others = (Object.keys(KEYS) as Array<keyof typeof KEYS>).filter(
        (role) => !({ reader: 'read', sender: 'send', manager: 'manage' } as const)[role].startsWith(scope),
      );
      expect(others).toHaveLength(2);
      for (const role of others) {
        const result = await as(KEYS[role], query);
        expect(
          result.errors?.map((error) => error.extensions?.code),
          `${role} on ${field}`,
        ).toEqual(['FORBIDDEN']);
        expect(result.errors?.[0]?.message).toContain(`lacks the ${scope} scope`);
        expect(result.upstream, `${role} on ${field}`).toEqual([]);
      }
    },
  );

  it('a send-only key sends, but may not read the sent message’s delivery history', async () => {
    const result = await as(
      KEYS.sender,
      `mutation { sendEmail(input: { provider: CLOUDMAILIN, from: { email: "a@example.com" }, to: [{ email: "b@example.net" }], subject: "s", text: "t" }) {
        __typename ... on SendEmailPayload { email { messageId outboundMessage { id } } } } }`,
    );
    expect((result.data as { sendEmail: { __typename: string } }).sendEmail.__typename).toBe(
      'SendEmailPayload',
    );
    expect(result.errors?.map((error) => [error.path?.join('.'), error.extensions?.code])).toEqual([
      ['sendEmail.email.outboundMessage', 'FORBIDDEN'],
    ]);
    // The send went out; the history (GET /outbound_messages/{id}) was never asked for.
    expect(result.upstream.filter((call) => call.startsWith('GET'))).toEqual([]);
    expect(result.upstream.filter((call) => call.startsWith('POST'))).toHaveLength(1);
  });

  it('a manage-only key creates a sending domain, but may not read its DNS records', async () => {
    const result = await as(
      KEYS.manager,
      `mutation { createSendingDomain(provider: CLOUDFLARE, domain: "auth.${DEMO_CLOUDFLARE.zones.primary.name}", zoneId: "${subdomain.zoneId}") {
        __typename ... on CreateSendingDomainPayload { domain { domain dnsRecords { name } } } } }`,
    );
    expect(
      (result.data as { createSendingDomain: { __typename: string } }).createSendingDomain.__typename,
    ).toBe('CreateSendingDomainPayload');
    expect(result.errors?.map((error) => [error.path?.join('.'), error.extensions?.code])).toEqual([
      ['createSendingDomain.domain.dnsRecords', 'FORBIDDEN'],
    ]);
    expect(result.upstream.filter((call) => call.endsWith('/dns'))).toEqual([]);
  });

  it('lets each key do what its scope allows', async () => {
    const read = await as(KEYS.reader, '{ inboundAddresses(first: 1) { nodes { id } } }');
    expect(read.errors).toBeUndefined();
    const send = await as(
      KEYS.sender,
      'mutation { sendEmail(input: { provider: CLOUDFLARE, from: { email: "a@mail.example.com" }, to: [{ email: "b@example.net" }], subject: "s", text: "t" }) { __typename } }',
    );
    expect(send.errors).toBeUndefined();
  });
});
