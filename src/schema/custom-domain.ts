/**
 * Custom domains: receive mail for `anything@yourdomain` on an inbound address.
 */
import type { Context } from '../context.js';
import type { CustomDomain, CustomDomainInput } from '../upstream/cloudmailin-wire.js';
import { builder } from './builder.js';
import { connectionOf } from './connection.js';
import { mutationResult } from './errors.js';
import { globalIdOf, joinIds, localIdOf, splitIds } from './ids.js';
import { InboundAddressRef, addressIdOf, addressListFields } from './inbound-address.js';
import { locate } from './locate.js';
import { InputIssues, hasControlCharacters, isDomain } from './validate.js';

export type CustomDomainShape = CustomDomain & { address_id: string };

export const CustomDomainRef = builder.objectRef<CustomDomainShape>('CustomDomain');

async function fetchDomains(
  context: Context,
  addressId: string,
  query: string | null,
  page: number,
): Promise<CustomDomainShape[]> {
  const domains = await context.cloudmailin.listCustomDomains({ addressId, query, page });
  return domains.map((domain) => ({ ...domain, address_id: addressId }));
}

/** No show endpoint and no creation time: pages are read in order, up to the locate limit (then an error). */
function findDomain(
  context: Context,
  addressId: string,
  domainId: string,
): Promise<CustomDomainShape | null> {
  return locate(
    {
      fetchPage: (page) => fetchDomains(context, addressId, null, page),
      key: (row) => row.id,
      time: () => null,
    },
    domainId,
    null,
  );
}

builder.node(CustomDomainRef, {
  description:
    'A domain of yours whose mail an inbound address receives (its MX records point at CloudMailin).',
  id: { resolve: (domain) => joinIds(domain.address_id, domain.id) },
  loadWithoutCache: async (id, context) => {
    const [addressId, domainId] = splitIds(id, 'id');
    return findDomain(context, addressId, domainId);
  },
  fields: (t) => ({
    domainId: t.exposeString('id', { description: "CloudMailin's own id of the custom domain." }),
    domain: t.exposeString('domain', { description: 'The domain, e.g. `example.com` or `*.example.com`.' }),
    authRegex: t.exposeString('auth_regex', {
      nullable: true,
      description: 'Only recipients matching this regular expression are accepted; others are rejected.',
    }),
    domainTarget: t.exposeString('domain_target', {
      nullable: true,
      description: "A target URL that replaces the address's target for mail to this domain.",
    }),
    address: t.field({
      authScopes: { read: true },
      type: InboundAddressRef,
      nullable: true,
      description:
        'The inbound address that receives mail for this domain; null, with an error, when it could not be loaded.',
      resolve: (domain, _args, context) => context.loaders.address.load(domain.address_id),
    }),
  }),
});

export const CustomDomainConnection = connectionOf(CustomDomainRef, 'CustomDomain', 'custom domains');

addressListFields<CustomDomainShape>({
  name: 'customDomains',
  connection: CustomDomainConnection,
  rootDescription: 'The custom domains of an inbound address.',
  nestedDescription:
    'The custom domains of this address; null, with an error, when they could not be loaded.',
  queryDescription: 'A domain or part of one to search for.',
  list: (context, addressId, q) => ({
    identity: `cloudmailin:custom_domains?address_id=${addressId}&query=${q ?? ''}`,
    paged: true,
    pageSize: context.cloudmailin.pageSizeMemory('/custom_domains'),
    key: (domain) => domain.id,
    fetchPage: (page) => fetchDomains(context, addressId, q, page),
  }),
});
const CreateCustomDomainInput = builder.inputType('CreateCustomDomainInput', {
  description: 'A custom domain for an inbound address. Its MX records must already point at CloudMailin.',
  fields: (t) => ({
    addressId: t.id({ required: true, description: 'A global id or a CloudMailin address id.' }),
    domain: t.string({
      required: true,
      description: 'The domain, e.g. `example.com`; `*.example.com` is allowed.',
    }),
    authRegex: t.string({ description: 'Accept only recipients matching this regular expression.' }),
    domainTarget: t.string({
      description: "A target URL for this domain's mail (not available to all accounts).",
    }),
  }),
});

const CreateCustomDomainPayload = builder
  .objectRef<{ customDomain: CustomDomainShape }>('CreateCustomDomainPayload')
  .implement({
    description: 'The created custom domain, as the provider stored it.',
    fields: (t) => ({
      customDomain: t.field({
        type: CustomDomainRef,
        description: 'The domain.',
        resolve: (p) => p.customDomain,
      }),
    }),
  });

const DeleteCustomDomainPayload = builder
  .objectRef<{ customDomain: CustomDomainShape }>('DeleteCustomDomainPayload')
  .implement({
    description:
      'A deleted custom domain. CloudMailin may finish the deletion a little later (202 Accepted).',
    fields: (t) => ({
      deletedId: t.id({
        description: 'The global id of the deleted custom domain.',
        resolve: (p) => globalIdOf('CustomDomain', joinIds(p.customDomain.address_id, p.customDomain.id)),
      }),
      customDomain: t.field({
        type: CustomDomainRef,
        description: 'The domain as it was when deleted.',
        resolve: (p) => p.customDomain,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createCustomDomain: t.field({
    type: CreateCustomDomainPayload,
    description: 'Adds a custom domain to an inbound address.',
    args: {
      input: t.arg({
        type: CreateCustomDomainInput,
        required: true,
        description: 'The input of this operation.',
      }),
    },
    errors: mutationResult('createCustomDomain'),
    authScopes: { manage: true },
    resolve: async (_root, { input }, context) => {
      const addressId = addressIdOf(String(input.addressId), 'input.addressId');
      const checks = new InputIssues();
      checks.check(
        isDomain(input.domain, true),
        'input.domain',
        'must be a domain name such as example.com or *.example.com',
      );
      if (input.authRegex != null) {
        const fits = checks.check(
          input.authRegex.length <= 500,
          'input.authRegex',
          'must be at most 500 characters',
        );
        if (
          fits &&
          checks.check(
            !hasControlCharacters(input.authRegex),
            'input.authRegex',
            'must not contain control characters',
          )
        ) {
          try {
            new RegExp(input.authRegex);
          } catch {
            checks.check(false, 'input.authRegex', 'must be a valid regular expression');
          }
        }
      }
      if (input.domainTarget != null) {
        checks.check(
          /^https?:\/\/\S{1,2040}$/.test(input.domainTarget),
          'input.domainTarget',
          'must be an http(s) URL',
        );
      }
      checks.throwIfAny();
      const body: CustomDomainInput = { domain: input.domain.toLowerCase() };
      if (input.authRegex != null) body.auth_regex = input.authRegex;
      if (input.domainTarget != null) body.domain_target = input.domainTarget;
      const created = await context.cloudmailin.createCustomDomain(addressId, body);
      return { customDomain: { ...created, address_id: addressId } };
    },
  }),
  deleteCustomDomain: t.field({
    type: DeleteCustomDomainPayload,
    description: 'Removes a custom domain from its inbound address.',
    args: { id: t.arg.id({ required: true, description: 'The global id of the custom domain.' }) },
    errors: mutationResult('deleteCustomDomain'),
    authScopes: { manage: true },
    resolve: async (_root, args, context) => {
      // CloudMailin needs the address id too, so only the global id (which carries it) will do.
      const local = localIdOf(String(args.id), ['CustomDomain'], 'id');
      const [addressId, domainId] = splitIds(local.id, 'id');
      const deleted = await context.cloudmailin.deleteCustomDomain(addressId, domainId);
      return { customDomain: { ...deleted, address_id: addressId } };
    },
  }),
}));
