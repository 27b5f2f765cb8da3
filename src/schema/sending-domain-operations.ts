/**
 * Listing, fetching, creating, verifying and deleting sending domains at either provider. Listing one
 * provider keeps its own paging (CloudMailin pages; Cloudflare answers each zone's whole list in one call);
 * listing both merges them, CloudMailin first, with the same opaque cursors.
 */
import type { Context } from '../context.js';
import { NotConfiguredError, ValidationError } from '../errors.js';
import { subdomainKey } from '../loaders.js';
import { builder } from './builder.js';
import { asksHasNextPage, connectionOf, forwardPageArgs } from './connection.js';
import { EmailProviderEnum, mutationResult, orNull } from './errors.js';
import { globalIdOf, joinIds, localIdOf, splitIds } from './ids.js';
import { isLastPage, paginateUpstream } from './pagination.js';
import {
  SENDING_DOMAIN_TYPENAMES,
  SendingDomainInterface,
  type SendingDomainShape,
  cloudMailinDomain,
  cloudflareSubdomain,
} from './sending-domain.js';
import { InputIssues, isDomain, searchQueryOf } from './validate.js';

type Provider = 'CLOUDMAILIN' | 'CLOUDFLARE';

/** `email_sending_subdomain_identifier`: maxLength 32. */
const MAX_SUBDOMAIN_ID_LENGTH = 32;

/** How far listing every CloudMailin sending domain goes (pages of the provider's undocumented size). */
const MAX_CLOUDMAILIN_PAGES = 50;

function configured(context: Context, provider: Provider): boolean {
  const { cloudmailin, cloudflare } = context.config;
  return provider === 'CLOUDMAILIN'
    ? cloudmailin.accountId !== null && cloudmailin.apiKey !== null
    : cloudflare.apiToken !== null && cloudflare.zoneIds.length > 0;
}

async function cloudMailinPage(
  context: Context,
  query: string | null,
  page: number,
): Promise<SendingDomainShape[]> {
  const domains = await context.cloudmailin.listSendingDomains({ query, page });
  for (const domain of domains) context.loaders.sendingDomain.prime(domain.id, domain);
  return domains.map(cloudMailinDomain);
}

async function allCloudMailin(context: Context, query: string | null): Promise<SendingDomainShape[]> {
  const all: SendingDomainShape[] = [];
  const seen = new Set<string>();
  const memory = context.cloudmailin.pageSizeMemory('/sending_domains');
  const key = (row: SendingDomainShape) => row.wire.id;
  for (let page = 1; page <= MAX_CLOUDMAILIN_PAGES; page += 1) {
    const rows = await cloudMailinPage(context, query, page);
    memory.saw(rows.length);
    const last = isLastPage(rows, { paged: true, longest: memory.longest(), seen, key });
    for (const row of rows) {
      if (seen.has(key(row))) continue;
      seen.add(key(row));
      all.push(row);
    }
    if (last) break;
  }
  return all;
}

/** Every configured zone's subdomains: one call per zone, in parallel. Cloudflare has no search, so it is local. */
async function allCloudflare(context: Context, query: string | null): Promise<SendingDomainShape[]> {
  const zones = context.cloudflare.zoneIds;
  const lists = await Promise.all(
    zones.map(async (zoneId) => {
      const subdomains = await context.cloudflare.listSubdomains(zoneId);
      for (const subdomain of subdomains) {
        context.loaders.cloudflareSubdomain.prime(subdomainKey(zoneId, subdomain.id), subdomain);
      }
      return subdomains.map((subdomain) => cloudflareSubdomain(zoneId, subdomain));
    }),
  );
  const needle = query?.toLowerCase() ?? null;
  return lists.flat().filter((shape) => needle === null || shape.wire.name.toLowerCase().includes(needle));
}

const keyOf = (shape: SendingDomainShape) =>
  shape.kind === 'cloudmailin'
    ? `cloudmailin:${shape.wire.id}`
    : `cloudflare:${shape.zoneId}/${shape.wire.id}`;

/** A sending domain's provider and local id, from a global id or (for CloudMailin) its own id. */
function sendingDomainIdOf(
  raw: string,
  path: string,
): { provider: Provider; zoneId: string | null; id: string } {
  const local = localIdOf(raw, Object.values(SENDING_DOMAIN_TYPENAMES), path);
  if (local.typename === SENDING_DOMAIN_TYPENAMES.cloudflare) {
    const [zoneId, id] = splitIds(local.id, path);
    // The spec's `email_sending_subdomain_identifier` is at most 32 characters: refused here, at the
    // argument's own path (the client refuses it too, before any call).
    if (id.length > MAX_SUBDOMAIN_ID_LENGTH) {
      const message = `names a Cloudflare subdomain id of ${id.length} characters; at most ${MAX_SUBDOMAIN_ID_LENGTH}`;
      throw new ValidationError(`${path} ${message}`, [{ path, message }]);
    }
    return { provider: 'CLOUDFLARE', zoneId, id };
  }
  return { provider: 'CLOUDMAILIN', zoneId: null, id: local.id };
}

async function loadSendingDomain(context: Context, raw: string, path: string): Promise<SendingDomainShape> {
  const target = sendingDomainIdOf(raw, path);
  if (target.provider === 'CLOUDFLARE' && target.zoneId !== null) {
    const key = subdomainKey(target.zoneId, target.id);
    return cloudflareSubdomain(target.zoneId, await context.loaders.cloudflareSubdomain.load(key));
  }
  return cloudMailinDomain(await context.loaders.sendingDomain.load(target.id));
}

function sendingDomainGlobalId(shape: SendingDomainShape): string {
  return shape.kind === 'cloudmailin'
    ? globalIdOf(SENDING_DOMAIN_TYPENAMES.cloudmailin, shape.wire.id)
    : globalIdOf(SENDING_DOMAIN_TYPENAMES.cloudflare, joinIds(shape.zoneId, shape.wire.id));
}

export const SendingDomainConnection = connectionOf(
  SendingDomainInterface,
  'SendingDomain',
  'sending domains',
);

builder.queryFields((t) => ({
  sendingDomains: t.field({
    type: SendingDomainConnection,
    nullable: true,
    description:
      'Sending domains of one provider, or of every configured provider when `provider` is omitted (CloudMailin first).',
    args: {
      ...forwardPageArgs,
      provider: t.arg({
        type: EmailProviderEnum,
        description: 'Only this provider’s domains; all when omitted.',
      }),
      query: t.arg.string({ description: 'A domain or part of one to search for.' }),
    },
    authScopes: { read: true },
    resolve: (_root, args, context, info) => {
      const exactEnd = asksHasNextPage(info);
      const q = searchQueryOf(args.query);
      const identity = `sending_domains?provider=${args.provider ?? 'ALL'}&query=${q ?? ''}`;
      if (args.provider === 'CLOUDMAILIN') {
        return paginateUpstream<SendingDomainShape>(
          {
            identity,
            paged: true,
            key: keyOf,
            fetchPage: (page) => cloudMailinPage(context, q, page),
            pageSize: context.cloudmailin.pageSizeMemory('/sending_domains'),
          },
          args,
          { exactEnd },
        );
      }
      if (args.provider && !configured(context, args.provider)) {
        throw new NotConfiguredError(
          `${args.provider} has no credentials for sending domains.`,
          args.provider,
        );
      }
      // Without a provider, every configured one: an unconfigured provider simply has no domains to list.
      const providers: Provider[] = args.provider ? [args.provider] : ['CLOUDMAILIN', 'CLOUDFLARE'];
      const wanted = providers.filter((provider) => configured(context, provider));
      return paginateUpstream<SendingDomainShape>(
        {
          identity,
          paged: false,
          key: keyOf,
          fetchPage: async () => {
            const lists = await Promise.all(
              wanted.map((provider) =>
                provider === 'CLOUDMAILIN' ? allCloudMailin(context, q) : allCloudflare(context, q),
              ),
            );
            return lists.flat();
          },
        },
        args,
        { exactEnd },
      );
    },
  }),
  sendingDomain: t.field({
    type: SendingDomainInterface,
    nullable: true,
    description:
      'One sending domain of either provider, by global id (or CloudMailin domain id); null when it does not exist.',
    args: {
      id: t.arg.id({ required: true, description: 'A global id, or a CloudMailin sending domain id.' }),
    },
    authScopes: { read: true },
    resolve: (_root, args, context) => {
      return orNull(loadSendingDomain(context, String(args.id), 'id'));
    },
  }),
}));

const CreateSendingDomainPayload = builder
  .objectRef<{ domain: SendingDomainShape }>('CreateSendingDomainPayload')
  .implement({
    description: 'The created sending domain, as the provider stored it.',
    fields: (t) => ({
      domain: t.field({ type: SendingDomainInterface, description: 'The domain.', resolve: (p) => p.domain }),
    }),
  });

const VerifySendingDomainPayload = builder
  .objectRef<{ domain: SendingDomainShape; verified: boolean }>('VerifySendingDomainPayload')
  .implement({
    description: 'The outcome of asking the provider to check the DNS records now.',
    fields: (t) => ({
      verified: t.exposeBoolean('verified', {
        description:
          'Whether the check passed. When false, `domain.dnsRecords` shows which records are missing.',
      }),
      domain: t.field({
        type: SendingDomainInterface,
        description: 'The domain after the check.',
        resolve: (p) => p.domain,
      }),
    }),
  });

const UpdateSendingDomainInput = builder.inputType('UpdateSendingDomainInput', {
  description:
    'Changes to a sending domain’s settings. Only Cloudflare sending subdomains have one (`previewEnabled`); CloudMailin sending domains have nothing to change.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The global id of a Cloudflare sending subdomain.' }),
    previewEnabled: t.boolean({
      description:
        'Cloudflare only: whether messages sent from the subdomain can be previewed in Cloudflare’s activity log.',
    }),
  }),
});

const UpdateSendingDomainPayload = builder
  .objectRef<{ domain: SendingDomainShape }>('UpdateSendingDomainPayload')
  .implement({
    description: 'The changed sending domain, as the provider stored it.',
    fields: (t) => ({
      domain: t.field({ type: SendingDomainInterface, description: 'The domain.', resolve: (p) => p.domain }),
    }),
  });

const DeleteSendingDomainPayload = builder
  .objectRef<{ domain: SendingDomainShape }>('DeleteSendingDomainPayload')
  .implement({
    description:
      'A deleted sending domain. CloudMailin may finish the deletion a little later (202 Accepted); Cloudflare disables sending and removes its DNS records.',
    fields: (t) => ({
      deletedId: t.id({
        description: 'The global id of the deleted domain.',
        resolve: (p) => sendingDomainGlobalId(p.domain),
      }),
      domain: t.field({
        type: SendingDomainInterface,
        description: 'The domain as it was when deleted.',
        resolve: (p) => p.domain,
      }),
    }),
  });

/** The zone a new Cloudflare subdomain goes into: the one asked for, or the only one configured. */
function zoneFor(context: Context, requested: string | null | undefined): string {
  const zones = context.cloudflare.zoneIds;
  if (zones.length === 0)
    throw new NotConfiguredError('No Cloudflare zone is configured (CLOUDFLARE_ZONE_IDS).', 'CLOUDFLARE');
  if (requested != null) {
    if (!zones.includes(requested)) {
      const message = `zoneId must be one of the configured zones: ${zones.join(', ')}.`;
      throw new ValidationError(message, [{ path: 'zoneId', message }]);
    }
    return requested;
  }
  if (zones.length > 1) {
    const message = `Several Cloudflare zones are configured; say which with zoneId (${zones.join(', ')}).`;
    throw new ValidationError(message, [{ path: 'zoneId', message }]);
  }
  return zones[0] as string;
}

/** The same ValidationError with the issues at `from` moved to `to`; any other error as it is. */
function renameIssuePath(error: unknown, from: string, to: string): unknown {
  if (!(error instanceof ValidationError) || !error.issues.some((issue) => issue.path === from)) return error;
  const renamed = new ValidationError(
    error.message.startsWith(`${from} `) ? `${to} ${error.message.slice(from.length + 1)}` : error.message,
    error.issues.map((issue) => (issue.path === from ? { ...issue, path: to } : issue)),
    error.provider,
  );
  renamed.providerCode = error.providerCode;
  return renamed;
}

builder.mutationFields((t) => ({
  createSendingDomain: t.field({
    type: CreateSendingDomainPayload,
    description:
      'Adds a sending domain. CloudMailin: publish its `dnsRecords`, then call `verifySendingDomain`. Cloudflare: the subdomain must lie within the zone, whose DNS Cloudflare writes itself.',
    args: {
      provider: t.arg({
        type: EmailProviderEnum,
        required: true,
        description: 'The provider to send through.',
      }),
      domain: t.arg.string({
        required: true,
        description: 'The domain, e.g. `example.com` or `mail.example.com`.',
      }),
      zoneId: t.arg.id({
        description:
          'Cloudflare only: the zone to create the subdomain in; optional when one zone is configured.',
      }),
    },
    errors: mutationResult('createSendingDomain'),
    authScopes: { manage: true },
    resolve: async (_root, args, context) => {
      const checks = new InputIssues();
      checks.check(isDomain(args.domain), 'domain', 'must be a domain name such as example.com');
      if (args.provider === 'CLOUDMAILIN') {
        checks.check(args.zoneId == null, 'zoneId', 'applies to Cloudflare only');
      }
      checks.throwIfAny();
      const domain = args.domain.toLowerCase();
      if (args.provider === 'CLOUDMAILIN') {
        return { domain: cloudMailinDomain(await context.cloudmailin.createSendingDomain(domain)) };
      }
      const zoneId = zoneFor(context, args.zoneId == null ? null : String(args.zoneId));
      // The client refuses a name outside the zone before the create (from the zone's subdomains, see
      // `CloudflareClient.createSubdomain`); its issues speak of Cloudflare's `name`, which is `domain` here.
      const created = await context.cloudflare
        .createSubdomain(zoneId, domain)
        .catch((error: unknown) => Promise.reject(renameIssuePath(error, 'name', 'domain')));
      return { domain: cloudflareSubdomain(zoneId, created) };
    },
  }),
  updateSendingDomain: t.field({
    type: UpdateSendingDomainPayload,
    description:
      'Changes a sending domain’s settings: a Cloudflare subdomain’s activity-log preview (`PATCH`, the one setting Cloudflare documents as writable).',
    args: {
      input: t.arg({ type: UpdateSendingDomainInput, required: true, description: 'The changes.' }),
    },
    errors: mutationResult('updateSendingDomain'),
    authScopes: { manage: true },
    resolve: async (_root, { input }, context) => {
      const target = sendingDomainIdOf(String(input.id), 'input.id');
      const checks = new InputIssues();
      if (target.provider === 'CLOUDMAILIN') {
        checks.check(
          input.previewEnabled == null,
          'input.previewEnabled',
          'applies to Cloudflare sending subdomains only',
          'UNSUPPORTED_FIELD',
        );
        checks.check(false, 'input.id', 'CloudMailin sending domains have no setting to change');
      } else {
        checks.check(
          input.previewEnabled != null,
          'input.previewEnabled',
          'is required: nothing else can change',
        );
      }
      checks.throwIfAny();
      const zoneId = target.zoneId as string;
      const updated = await context.cloudflare.updateSubdomain(zoneId, target.id, {
        preview_enabled: input.previewEnabled as boolean,
      });
      context.loaders.cloudflareSubdomain
        .clear(subdomainKey(zoneId, target.id))
        .prime(subdomainKey(zoneId, target.id), updated);
      return { domain: cloudflareSubdomain(zoneId, updated) };
    },
  }),
  verifySendingDomain: t.field({
    type: VerifySendingDomainPayload,
    description:
      'Asks CloudMailin to check the DNS records of a sending domain now. (Cloudflare checks its subdomains itself.)',
    args: {
      id: t.arg.id({ required: true, description: 'A global id or a CloudMailin sending domain id.' }),
    },
    errors: mutationResult('verifySendingDomain'),
    authScopes: { manage: true },
    resolve: async (_root, args, context) => {
      const target = sendingDomainIdOf(String(args.id), 'id');
      if (target.provider === 'CLOUDFLARE') {
        const message =
          'Cloudflare writes and checks a sending subdomain’s DNS itself; there is nothing to verify.';
        throw new ValidationError(message, [{ path: 'id', message }]);
      }
      const result = await context.cloudmailin.verifySendingDomain(target.id);
      return { domain: cloudMailinDomain(result.domain), verified: result.verified };
    },
  }),
  deleteSendingDomain: t.field({
    type: DeleteSendingDomainPayload,
    description: 'Removes a sending domain (CloudMailin) or disables sending on a subdomain (Cloudflare).',
    args: {
      id: t.arg.id({ required: true, description: 'A global id or a CloudMailin sending domain id.' }),
    },
    errors: mutationResult('deleteSendingDomain'),
    authScopes: { manage: true },
    resolve: async (_root, args, context) => {
      const target = sendingDomainIdOf(String(args.id), 'id');
      if (target.provider === 'CLOUDFLARE' && target.zoneId !== null) {
        // Cloudflare answers a delete with an empty envelope, so the payload's domain is read first.
        const domain = await loadSendingDomain(context, String(args.id), 'id');
        await context.cloudflare.deleteSubdomain(target.zoneId, target.id);
        return { domain };
      }
      return { domain: cloudMailinDomain(await context.cloudmailin.deleteSendingDomain(target.id)) };
    },
  }),
}));
