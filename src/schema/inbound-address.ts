/**
 * Inbound addresses: CloudMailin addresses that receive mail and POST it to a target URL.
 */
import type { Context } from '../context.js';
import type { Address, AddressInput, TargetFormat } from '../upstream/cloudmailin-wire.js';
import { attachmentStoreIssues, redactAttachmentStore, restoreRedacted } from './attachment-store.js';
import { builder } from './builder.js';
import { asksHasNextPage, connectionOf, forwardPageArgs } from './connection.js';
import { mutationResult, orNull } from './errors.js';
import { globalIdOf, localIdOf } from './ids.js';
import { JsonObjectScalar } from './json-object.js';
import { type UpstreamList, paginateUpstream } from './pagination.js';
import { InputIssues, hasControlCharacters, isHttpUrl, searchQueryOf } from './validate.js';

export const InboundFormatEnum = builder.enumType('InboundFormat', {
  description: 'How CloudMailin POSTs received mail to the target.',
  values: {
    JSON_NORMALIZED: { value: 'json+n', description: 'JSON Normalized (`json+n`), `application/json`.' },
    MULTIPART_NORMALIZED: {
      value: 'multipart+n',
      description: 'Multipart Normalized (`multipart+n`), `multipart/form-data`.',
    },
  } as const,
});

export const InboundAddressRef = builder.objectRef<Address>('InboundAddress');

/** The address id from a global id or a CloudMailin address id. */
export function addressIdOf(raw: string, path: string): string {
  return localIdOf(raw, ['InboundAddress'], path).id;
}

export async function loadAddress(context: Context, id: string): Promise<Address> {
  return context.loaders.address.load(id);
}

function redactTarget(target: string): string {
  try {
    const url = new URL(target);
    if (url.password) url.password = '****';
    return url.toString();
  } catch {
    return target;
  }
}

/**
 * A list that belongs to an inbound address, offered twice with one connection type: at the root
 * (`Query.<name>(addressId:, query:)`) and on the address itself (`InboundAddress.<name>(query:)`).
 */
export function addressListFields<Shape>(options: {
  name: 'incomingStatuses' | 'customDomains';
  connection: ReturnType<typeof connectionOf>;
  rootDescription: string;
  nestedDescription: string;
  queryDescription: string;
  list: (context: Context, addressId: string, query: string | null) => UpstreamList<Shape>;
}): void {
  const { name, connection, list } = options;
  builder.queryField(name, (t) =>
    t.field({
      type: connection,
      nullable: true,
      description: options.rootDescription,
      args: {
        ...forwardPageArgs,
        addressId: t.arg.id({ required: true, description: 'A global id or a CloudMailin address id.' }),
        query: t.arg.string({ description: options.queryDescription }),
      },
      authScopes: { read: true },
      resolve: (_root, args, context, info) => {
        const addressId = addressIdOf(String(args.addressId), 'addressId');
        return paginateUpstream(list(context, addressId, searchQueryOf(args.query)), args, {
          exactEnd: asksHasNextPage(info),
        });
      },
    }),
  );
  builder.objectField(InboundAddressRef, name, (t) =>
    t.field({
      type: connection,
      nullable: true,
      description: options.nestedDescription,
      args: { ...forwardPageArgs, query: t.arg.string({ description: options.queryDescription }) },
      authScopes: { read: true },
      resolve: (address, args, context, info) =>
        paginateUpstream(list(context, address.id, searchQueryOf(args.query)), args, {
          exactEnd: asksHasNextPage(info),
        }),
    }),
  );
}

builder.node(InboundAddressRef, {
  description:
    'A CloudMailin inbound address: mail sent to `emailAddress` (or to its custom domains) is POSTed to `target`.',
  id: { resolve: (address) => address.id },
  loadWithoutCache: async (id, context) => {
    return orNull(context.loaders.address.load(id));
  },
  fields: (t) => ({
    addressId: t.exposeString('id', { description: "CloudMailin's own id of the address." }),
    emailAddress: t.string({
      description: 'The address that receives mail: `{addressId}@cloudmailin.net`.',
      resolve: (address) => `${address.id}@cloudmailin.net`,
    }),
    target: t.string({
      nullable: true,
      description: 'Where received mail is POSTed. A password embedded in the URL is shown as `****`.',
      resolve: (address) => (address.target ? redactTarget(address.target) : null),
    }),
    targetFormat: t.field({
      type: InboundFormatEnum,
      nullable: true,
      description: 'The format of the POST; null if the provider reports a format this API does not know.',
      resolve: (address) =>
        address.target_format === 'json+n' || address.target_format === 'multipart+n'
          ? address.target_format
          : null,
    }),
    nickname: t.exposeString('nickname', {
      nullable: true,
      description: 'A short name to tell addresses apart.',
    }),
    attachmentStore: t.field({
      type: JsonObjectScalar,
      nullable: true,
      description:
        'Where CloudMailin stores attachments instead of embedding them in the POST (S3, Azure, Google Cloud Storage…): CloudMailin’s address `attachments` object, with its own field names. Secrets in it (keys, passwords, tokens, signatures, a URL’s password or signature) are shown as `****`. Null when no store is configured.',
      resolve: (address) => redactAttachmentStore(address.attachments),
    }),
  }),
});

export const InboundAddressConnection = connectionOf(
  InboundAddressRef,
  'InboundAddress',
  'inbound addresses',
);

builder.queryFields((t) => ({
  inboundAddresses: t.field({
    type: InboundAddressConnection,
    nullable: true,
    description: 'The CloudMailin inbound addresses of the account.',
    args: forwardPageArgs,
    authScopes: { read: true },
    resolve: async (_root, args, context, info) => {
      return paginateUpstream<Address>(
        {
          identity: 'cloudmailin:addresses',
          paged: false,
          key: (address) => address.id,
          fetchPage: async () => {
            const addresses = await context.cloudmailin.listAddresses();
            for (const address of addresses) context.loaders.address.prime(address.id, address);
            return addresses;
          },
        },
        args,
        { exactEnd: asksHasNextPage(info) },
      );
    },
  }),
  inboundAddress: t.field({
    type: InboundAddressRef,
    nullable: true,
    description: 'One inbound address, by global id or CloudMailin address id; null when it does not exist.',
    args: { id: t.arg.id({ required: true, description: 'A global id or a CloudMailin address id.' }) },
    authScopes: { read: true },
    resolve: (_root, args, context) => {
      return orNull(loadAddress(context, addressIdOf(String(args.id), 'id')));
    },
  }),
}));

const CreateInboundAddressInput = builder.inputType('CreateInboundAddressInput', {
  description: 'A new inbound address.',
  fields: (t) => ({
    target: t.string({
      required: true,
      description:
        'The http(s) URL to POST mail to; may embed Basic credentials (`https://user:pass@host/path`).',
    }),
    targetFormat: t.field({ type: InboundFormatEnum, required: true, description: 'The POST format.' }),
    nickname: t.string({ description: 'An optional short name (at most 100 characters).' }),
    attachmentStore: t.field({
      type: JsonObjectScalar,
      description:
        'Optional attachment store settings, as CloudMailin’s address `attachments` object (at most 50 fields, 8 KB).',
    }),
  }),
});

const UpdateInboundAddressInput = builder.inputType('UpdateInboundAddressInput', {
  description: 'Changes to an inbound address. Omitted fields keep their current value.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'A global id or a CloudMailin address id.' }),
    target: t.string({ description: 'The new target URL.' }),
    targetFormat: t.field({ type: InboundFormatEnum, description: 'The new POST format.' }),
    nickname: t.string({ description: 'The new nickname; an empty string clears it.' }),
    attachmentStore: t.field({
      type: JsonObjectScalar,
      description:
        'The new attachment store settings, whole; `{}` removes the store. A `****` that mailgraph showed for a secret keeps the stored secret, so the object read from `attachmentStore` can be edited and sent back.',
    }),
  }),
});

function checkAddressFields(fields: InboundAddressFields, prefix: string, checks: InputIssues): void {
  if (fields.target != null) {
    checks.check(
      isHttpUrl(fields.target),
      `${prefix}.target`,
      'must be an absolute http(s) URL of at most 2048 characters',
    );
  }
  if (fields.nickname != null) {
    checks.check(fields.nickname.length <= 100, `${prefix}.nickname`, 'must be at most 100 characters');
    checks.check(
      !hasControlCharacters(fields.nickname),
      `${prefix}.nickname`,
      'must not contain control characters',
    );
  }
}

interface InboundAddressFields {
  target?: string | null;
  nickname?: string | null;
}

const addressPayload = (name: string, description: string) =>
  builder.objectRef<{ address: Address }>(name).implement({
    description,
    fields: (t) => ({
      address: t.field({
        type: InboundAddressRef,
        description: 'The address as the provider stored it.',
        resolve: (payload) => payload.address,
      }),
    }),
  });

const CreateInboundAddressPayload = addressPayload(
  'CreateInboundAddressPayload',
  'The created inbound address.',
);
const UpdateInboundAddressPayload = addressPayload(
  'UpdateInboundAddressPayload',
  'The changed inbound address.',
);

const DeleteInboundAddressPayload = builder
  .objectRef<{ address: Address }>('DeleteInboundAddressPayload')
  .implement({
    description:
      'A deleted inbound address. CloudMailin may finish the deletion a little later (202 Accepted).',
    fields: (t) => ({
      deletedId: t.id({
        description: 'The global id of the deleted address.',
        resolve: (payload) => globalIdOf('InboundAddress', payload.address.id),
      }),
      address: t.field({
        type: InboundAddressRef,
        description: 'The address as it was when deleted.',
        resolve: (payload) => payload.address,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createInboundAddress: t.field({
    type: CreateInboundAddressPayload,
    description: 'Creates a CloudMailin inbound address.',
    args: {
      input: t.arg({
        type: CreateInboundAddressInput,
        required: true,
        description: 'The input of this operation.',
      }),
    },
    errors: mutationResult('createInboundAddress'),
    authScopes: { manage: true },
    resolve: async (_root, { input }, context) => {
      const checks = new InputIssues();
      checkAddressFields(input, 'input', checks);
      if (input.attachmentStore != null) {
        checks.issues.push(...attachmentStoreIssues(input.attachmentStore, 'input.attachmentStore'));
      }
      checks.throwIfAny();
      const body: AddressInput = {
        target: input.target,
        target_format: input.targetFormat as TargetFormat,
        nickname: input.nickname ?? null,
      };
      if (input.attachmentStore != null) body.attachments = input.attachmentStore;
      return { address: await context.cloudmailin.createAddress(body) };
    },
  }),
  updateInboundAddress: t.field({
    type: UpdateInboundAddressPayload,
    description: 'Changes an inbound address (CloudMailin replaces it whole; omitted fields are kept).',
    args: {
      input: t.arg({
        type: UpdateInboundAddressInput,
        required: true,
        description: 'The input of this operation.',
      }),
    },
    errors: mutationResult('updateInboundAddress'),
    authScopes: { manage: true },
    resolve: async (_root, { input }, context) => {
      const id = addressIdOf(String(input.id), 'input.id');
      const checks = new InputIssues();
      checkAddressFields(input, 'input', checks);
      checks.throwIfAny();
      const current = await loadAddress(context, id);
      const format = input.targetFormat ?? current.target_format;
      const target = input.target ?? current.target;
      if (!target || (format !== 'json+n' && format !== 'multipart+n')) {
        checks.check(Boolean(target), 'input.target', 'is required: the address has no target yet');
        checks.check(false, 'input.targetFormat', 'is required: the address has no known format yet');
        checks.throwIfAny();
      }
      const body: AddressInput = {
        target: target as string,
        target_format: format as TargetFormat,
        nickname:
          input.nickname === undefined || input.nickname === null
            ? (current.nickname ?? null)
            : input.nickname || null,
      };
      if (input.attachmentStore != null) {
        const store = restoreRedacted(input.attachmentStore, current.attachments ?? {}) as Record<
          string,
          unknown
        >;
        checks.issues.push(...attachmentStoreIssues(store, 'input.attachmentStore'));
        checks.throwIfAny();
        body.attachments = store;
      } else if (current.attachments) {
        body.attachments = current.attachments;
      }
      return { address: await context.cloudmailin.updateAddress(id, body) };
    },
  }),
  deleteInboundAddress: t.field({
    type: DeleteInboundAddressPayload,
    description: 'Deletes an inbound address.',
    args: { id: t.arg.id({ required: true, description: 'A global id or a CloudMailin address id.' }) },
    errors: mutationResult('deleteInboundAddress'),
    authScopes: { manage: true },
    resolve: async (_root, args, context) => {
      return { address: await context.cloudmailin.deleteAddress(addressIdOf(String(args.id), 'id')) };
    },
  }),
}));
