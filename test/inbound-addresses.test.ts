import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLOUDFLARE } from '../src/sandbox/cloudflare-demo.js';
import { DEMO_CLOUDMAILIN } from '../src/sandbox/demo-data.js';
import { graphql } from './gql/index.js';
import { type Stack, expectTypename, globalId, startStack } from './helpers/stack.js';

const Addresses = graphql(`
  query Addresses($first: Int, $after: String) {
    inboundAddresses(first: $first, after: $after) {
      __typename
      edges { node { id addressId emailAddress target targetFormat nickname } }
      nodes { addressId }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const Address = graphql(`
  query Address($id: ID!) {
    inboundAddress(id: $id) {
      __typename
      id
      addressId
      nickname
      customDomains(first: 5) { edges { node { domain } } }
      incomingStatuses(first: 2) { edges { node { subject } } }
    }
  }
`);

const Create = graphql(`
  mutation CreateAddress($input: CreateInboundAddressInput!) {
    createInboundAddress(input: $input) {
      __typename
      ... on CreateInboundAddressPayload { address { id addressId target targetFormat nickname } }
      ... on Error { code message }
      ... on ValidationError { refusedBy issues { path message code } }
    }
  }
`);

const Update = graphql(`
  mutation UpdateAddress($input: UpdateInboundAddressInput!) {
    updateInboundAddress(input: $input) {
      __typename
      ... on UpdateInboundAddressPayload { address { addressId target targetFormat nickname } }
      ... on Error { code message }
      ... on NotFoundError { resource resourceId }
      ... on ValidationError { issues { path } }
    }
  }
`);

const Delete = graphql(`
  mutation DeleteAddress($id: ID!) {
    deleteInboundAddress(id: $id) {
      __typename
      ... on DeleteInboundAddressPayload { deletedId address { addressId } }
      ... on Error { code message }
      ... on NotFoundError { resource resourceId }
    }
  }
`);

const NodeLookup = graphql(`
  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }
`);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('inbound addresses', () => {
  it('lists the account’s addresses with global ids and redacted target passwords', async () => {
    const result = await stack.gql(Addresses, { first: 10 });
    expect(result.errors).toBeUndefined();
    const connection = expectTypename(result.data?.inboundAddresses, 'InboundAddressConnection');
    const ids = connection.edges.map((edge) => edge.node.addressId);
    expect(ids).toEqual(stack.sandbox.cloudmailin.addresses().map((address) => address.id));
    expect(connection.nodes.map((node) => node.addressId)).toEqual(ids);
    const support = connection.edges.find(
      (edge) => edge.node.addressId === DEMO_CLOUDMAILIN.addressIds.support,
    )?.node;
    expect(support?.id).toBe(globalId('InboundAddress', DEMO_CLOUDMAILIN.addressIds.support));
    expect(support?.emailAddress).toBe(`${DEMO_CLOUDMAILIN.addressIds.support}@cloudmailin.net`);
    for (const { node } of connection.edges) {
      expect(node.target ?? '').not.toMatch(/:\/\/[^/]*:(?!\*\*\*\*@)[^@/]+@/);
    }
  });

  it('pages the unpaged upstream list with one call', async () => {
    stack.sandbox.resetCalls();
    const fresh = await startStack();
    try {
      const first = expectTypename(
        (await fresh.gql(Addresses, { first: 2 })).data?.inboundAddresses,
        'InboundAddressConnection',
      );
      expect(first.pageInfo.hasNextPage).toBe(true);
      const second = expectTypename(
        (await fresh.gql(Addresses, { first: 10, after: first.pageInfo.endCursor })).data?.inboundAddresses,
        'InboundAddressConnection',
      );
      expect([...first.edges, ...second.edges].map((e) => e.node.addressId)).toEqual(
        fresh.sandbox.cloudmailin.addresses().map((a) => a.id),
      );
      expect(second.pageInfo.hasNextPage).toBe(false);
      expect(fresh.sandbox.calls).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('fetches one address by either id, with its custom domains and statuses, and null otherwise', async () => {
    const raw = await stack.gql(Address, { id: DEMO_CLOUDMAILIN.addressIds.support });
    expect(raw.errors).toBeUndefined();
    const address = expectTypename(raw.data?.inboundAddress, 'InboundAddress');
    expect(address.customDomains?.edges.length).toBeGreaterThan(0);
    expect(address.incomingStatuses?.edges).toHaveLength(2);
    const global = await stack.gql(Address, { id: address.id });
    expect(global.data).toEqual(raw.data);
    const node = await stack.gql(NodeLookup, { id: address.id });
    expect(node.data?.node).toMatchObject({ __typename: 'InboundAddress', addressId: address.addressId });

    const missing = await stack.gql(Address, { id: 'ffffffffffffffffffff' });
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ inboundAddress: null });
    const missingGlobal = await stack.gql(Address, {
      id: globalId('InboundAddress', 'ffffffffffffffffffff'),
    });
    expect(missingGlobal.errors).toBeUndefined();
    expect(missingGlobal.data).toEqual({ inboundAddress: null });
    const missingNode = await stack.gql(NodeLookup, {
      id: globalId('InboundAddress', 'ffffffffffffffffffff'),
    });
    expect(missingNode.errors).toBeUndefined();
    expect(missingNode.data?.node).toBeNull();
    stack.sandbox.resetCalls();
    const hostile = await stack.gql(Address, { id: '../../sending_domains' });
    expect(hostile.data).toEqual({ inboundAddress: null });
    expect(hostile.errors).toHaveLength(1);
    expect(hostile.errors?.[0]?.path).toEqual(['inboundAddress']);
    expect(hostile.errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      refusedBy: 'MAILGRAPH',
    });
    const issues = hostile.errors?.[0]?.extensions?.issues as Array<{ path: string; code: string }>;
    expect(issues[0]).toMatchObject({ path: 'id', code: 'INVALID' });
    expect(stack.sandbox.calls).toHaveLength(0);
  });

  it('creates, updates (keeping omitted fields) and deletes an address', async () => {
    const created = await stack.gql(Create, {
      input: { target: 'https://hooks.example.com/in', targetFormat: 'MULTIPART_NORMALIZED', nickname: 'ci' },
    });
    const address = expectTypename(created.data?.createInboundAddress, 'CreateInboundAddressPayload').address;
    expect(address).toMatchObject({
      target: 'https://hooks.example.com/in',
      targetFormat: 'MULTIPART_NORMALIZED',
      nickname: 'ci',
    });
    expect(stack.sandbox.cloudmailin.addresses().some((a) => a.id === address.addressId)).toBe(true);

    const listed = expectTypename(
      (await stack.gql(Addresses, { first: 50 })).data?.inboundAddresses,
      'InboundAddressConnection',
    );
    expect(listed.edges.some((edge) => edge.node.addressId === address.addressId)).toBe(true);

    const updated = await stack.gql(Update, { input: { id: address.id, nickname: 'renamed' } });
    expect(
      expectTypename(updated.data?.updateInboundAddress, 'UpdateInboundAddressPayload').address,
    ).toMatchObject({
      nickname: 'renamed',
      target: 'https://hooks.example.com/in',
      targetFormat: 'MULTIPART_NORMALIZED',
    });
    const deleted = await stack.gql(Delete, { id: address.id });
    expect(expectTypename(deleted.data?.deleteInboundAddress, 'DeleteInboundAddressPayload').deletedId).toBe(
      address.id,
    );
    expect(stack.sandbox.cloudmailin.addresses().some((a) => a.id === address.addressId)).toBe(false);
    const again = await stack.gql(Delete, { id: address.id });
    expect(expectTypename(again.data?.deleteInboundAddress, 'NotFoundError')).toMatchObject({
      code: 'NOT_FOUND',
      resource: 'InboundAddress',
      resourceId: address.addressId,
    });
    expect((await stack.gql(Address, { id: address.id })).data).toEqual({ inboundAddress: null });
  });

  it('refuses malformed and hostile input before calling CloudMailin', async () => {
    stack.sandbox.resetCalls();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ target: 'not a url', targetFormat: 'JSON_NORMALIZED' }, 'input.target'],
      [{ target: 'ftp://example.com/x', targetFormat: 'JSON_NORMALIZED' }, 'input.target'],
      [
        { target: `https://example.com/${'a'.repeat(3000)}`, targetFormat: 'JSON_NORMALIZED' },
        'input.target',
      ],
      [{ target: 'https://example.com/\r\nX-Injected: 1', targetFormat: 'JSON_NORMALIZED' }, 'input.target'],
      [
        { target: 'https://example.com/', targetFormat: 'JSON_NORMALIZED', nickname: 'n'.repeat(101) },
        'input.nickname',
      ],
      [
        { target: 'https://example.com/', targetFormat: 'JSON_NORMALIZED', nickname: 'a\u0000b' },
        'input.nickname',
      ],
    ];
    for (const [input, path] of cases) {
      const result = await stack.gql(Create, { input } as never);
      const error = expectTypename(result.data?.createInboundAddress, 'ValidationError');
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.refusedBy).toBe('MAILGRAPH');
      expect(error.issues.map((issue) => issue.path)).toContain(path);
    }
    expect(stack.sandbox.calls).toHaveLength(0);
  });

  it('refuses an unknown enum value as a request error (400, GraphQL over HTTP)', async () => {
    const result = await stack.gql(Create, {
      input: { target: 'https://example.com/', targetFormat: 'RAW' },
    } as never);
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/RAW/);
  });
});

describe('nodes', () => {
  const Nodes = graphql(`
    query ManyNodes($ids: [ID!]!) {
      nodes(ids: $ids) {
        __typename
        id
        ... on InboundAddress { addressId }
        ... on OutboundMessage { messageUuid }
        ... on SendingDomain { domain provider }
      }
    }
  `);

  it('resolves ids of every type in the order given, with null for one that matches nothing', async () => {
    const ids = [
      globalId('OutboundMessage', DEMO_CLOUDMAILIN.outboundMessageId),
      globalId('InboundAddress', 'ffffffffffffffffffff'),
      globalId(
        'CloudflareSendingSubdomain',
        `${DEMO_CLOUDFLARE.zones.primary.id}/${DEMO_CLOUDFLARE.subdomains.mail.tag}`,
      ),
      globalId('InboundAddress', DEMO_CLOUDMAILIN.addressIds.support),
      globalId('CloudMailinSendingDomain', DEMO_CLOUDMAILIN.sendingDomainIds.verified),
    ];
    const result = await stack.gql(Nodes, { ids });
    expect(result.errors).toBeUndefined();
    expect(result.data?.nodes).toEqual([
      { __typename: 'OutboundMessage', id: ids[0], messageUuid: DEMO_CLOUDMAILIN.outboundMessageId },
      null,
      {
        __typename: 'CloudflareSendingSubdomain',
        id: ids[2],
        domain: DEMO_CLOUDFLARE.subdomains.mail.name,
        provider: 'CLOUDFLARE',
      },
      { __typename: 'InboundAddress', id: ids[3], addressId: DEMO_CLOUDMAILIN.addressIds.support },
      { __typename: 'CloudMailinSendingDomain', id: ids[4], domain: 'example.com', provider: 'CLOUDMAILIN' },
    ]);
  });
});

const StoreCreate = graphql(`
  mutation StoreCreateAddress($input: CreateInboundAddressInput!) {
    createInboundAddress(input: $input) {
      __typename
      ... on CreateInboundAddressPayload { address { addressId attachmentStore } }
      ... on ValidationError { refusedBy issues { path message } }
    }
  }
`);

const StoreUpdate = graphql(`
  mutation StoreUpdateAddress($input: UpdateInboundAddressInput!) {
    updateInboundAddress(input: $input) {
      __typename
      ... on UpdateInboundAddressPayload { address { addressId nickname attachmentStore } }
      ... on ValidationError { refusedBy issues { path message } }
    }
  }
`);

const StoreRead = graphql(`
  query StoreReadAddress($id: ID!) { inboundAddress(id: $id) { addressId attachmentStore } }
`);

describe('an inbound address’s attachment store (CloudMailin’s address `attachments`)', () => {
  const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
  const SIG = 'sv2Bsig0nature3D';
  const store = {
    provider: 's3',
    bucket: 'inbound-files',
    path: 'mail/attachments',
    acl: 'bucket-owner-full-control',
    access_key_id: 'AKIAIOSFODNN7EXAMPLE',
    secret_access_key: SECRET,
    options: { region: 'eu-west-1', session_token: 'tok-123', public: false },
    mirror: `https://files.example.com/container?sv=2020-08-04&sp=rw&sig=${SIG}`,
    fallback: 'https://user:hunter2@backup.example.com/in',
  };
  const redacted = {
    provider: 's3',
    bucket: 'inbound-files',
    path: 'mail/attachments',
    acl: 'bucket-owner-full-control',
    access_key_id: '****',
    secret_access_key: '****',
    options: { region: 'eu-west-1', session_token: '****', public: false },
    mirror: 'https://files.example.com/container?sv=2020-08-04&sp=rw&sig=****',
    fallback: 'https://user:****@backup.example.com/in',
  };
  const secrets = [SECRET, SIG, 'tok-123', 'hunter2', 'AKIAIOSFODNN7EXAMPLE'];
  const stored = (addressId: string) =>
    stack.sandbox.cloudmailin.addresses().find((address) => address.id === addressId)?.attachments;

  it('is created as given, and read back with every secret as ****', async () => {
    const created = await stack.gql(StoreCreate, {
      input: { target: 'https://example.com/in', targetFormat: 'JSON_NORMALIZED', attachmentStore: store },
    });
    const { address } = expectTypename(created.data?.createInboundAddress, 'CreateInboundAddressPayload');
    expect(stored(address.addressId)).toEqual(store);
    expect(address.attachmentStore).toEqual(redacted);
    const read = await stack.gql(StoreRead, { id: address.addressId });
    expect(read.data?.inboundAddress?.attachmentStore).toEqual(redacted);
    for (const secret of secrets) {
      expect(JSON.stringify(created)).not.toContain(secret);
      expect(JSON.stringify(read)).not.toContain(secret);
    }
  });

  it('is null when none is configured (CloudMailin’s `{}`)', async () => {
    const read = await stack.gql(StoreRead, { id: DEMO_CLOUDMAILIN.addressIds.support });
    expect(read.data?.inboundAddress).toMatchObject({ attachmentStore: null });
  });

  it('takes back what it showed: an edited copy of the redacted object keeps the stored secrets', async () => {
    const created = await stack.gql(StoreCreate, {
      input: { target: 'https://example.com/in', targetFormat: 'JSON_NORMALIZED', attachmentStore: store },
    });
    const id = expectTypename(created.data?.createInboundAddress, 'CreateInboundAddressPayload').address
      .addressId;
    const edited = { ...redacted, path: 'mail/2026', options: { ...redacted.options, region: 'us-east-1' } };
    const updated = await stack.gql(StoreUpdate, { input: { id, attachmentStore: edited } });
    const { address } = expectTypename(updated.data?.updateInboundAddress, 'UpdateInboundAddressPayload');
    expect(stored(id)).toEqual({
      ...store,
      path: 'mail/2026',
      options: { ...store.options, region: 'us-east-1' },
    });
    expect(address.attachmentStore).toEqual(edited);

    // A new secret replaces the stored one; omitting the store keeps it; `{}` removes it.
    const rotated = await stack.gql(StoreUpdate, {
      input: { id, attachmentStore: { ...edited, secret_access_key: 'new-secret-value' } },
    });
    expect(expectTypename(rotated.data?.updateInboundAddress, 'UpdateInboundAddressPayload')).toBeDefined();
    expect(stored(id)).toMatchObject({
      secret_access_key: 'new-secret-value',
      access_key_id: store.access_key_id,
    });
    await stack.gql(StoreUpdate, { input: { id, nickname: 'kept' } });
    expect(stored(id)).toMatchObject({ secret_access_key: 'new-secret-value' });
    const removed = await stack.gql(StoreUpdate, { input: { id, attachmentStore: {} } });
    expect(
      expectTypename(removed.data?.updateInboundAddress, 'UpdateInboundAddressPayload').address
        .attachmentStore,
    ).toBeNull();
    expect(stored(id)).toEqual({});
  });

  it('refuses, before any call, a **** with no stored secret behind it and an oversized or odd object', async () => {
    const before = stack.sandbox.calls.length;
    const placeholder = await stack.gql(StoreCreate, {
      input: {
        target: 'https://example.com/in',
        targetFormat: 'JSON_NORMALIZED',
        attachmentStore: { bucket: 'b', secret_access_key: '****' },
      },
    });
    expect(expectTypename(placeholder.data?.createInboundAddress, 'ValidationError')).toMatchObject({
      refusedBy: 'MAILGRAPH',
      issues: [{ path: 'input.attachmentStore.secret_access_key' }],
    });
    const odd = await stack.gql(StoreCreate, {
      input: {
        target: 'https://example.com/in',
        targetFormat: 'JSON_NORMALIZED',
        attachmentStore: {
          bucket: 'line\nbreak',
          path: 'x'.repeat(3000),
          deep: { a: { b: { c: { d: { e: { f: 1 } } } } } },
        },
      },
    });
    const issues = expectTypename(odd.data?.createInboundAddress, 'ValidationError').issues.map(
      (i) => i.path,
    );
    expect(issues).toEqual(
      expect.arrayContaining(['input.attachmentStore.bucket', 'input.attachmentStore.path']),
    );
    expect(issues.some((path) => path.startsWith('input.attachmentStore.deep'))).toBe(true);
    const notAnObject = await stack.gql(StoreCreate, {
      input: {
        target: 'https://example.com/in',
        targetFormat: 'JSON_NORMALIZED',
        attachmentStore: [1] as never,
      },
    });
    expect(notAnObject.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.calls.length).toBe(before);
  });
});
