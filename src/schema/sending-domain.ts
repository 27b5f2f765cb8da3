/**
 * Sending domains: domains mail is sent from, with the DNS records that authenticate it. `SendingDomain`
 * is an interface so that each provider's kind of domain sits behind one shape with uniform `dnsRecords`.
 */
import type { Context } from '../context.js';
import { requireScope } from '../context.js';
import type { SendingDomain } from '../upstream/cloudmailin-wire.js';
import { NotFoundError } from '../upstream/errors.js';
import { builder } from './builder.js';
import { EXPECTED_ERRORS, EmailProviderEnum } from './errors.js';
import { localIdOf } from './ids.js';
import { paginateUpstream } from './pagination.js';
import { InputIssues, isDomain, searchQueryOf } from './validate.js';

export interface CloudMailinSendingDomainShape {
  kind: 'cloudmailin';
  wire: SendingDomain;
}
export type SendingDomainShape = CloudMailinSendingDomainShape;

export interface DnsRecordShape {
  type: 'TXT' | 'CNAME' | 'MX';
  name: string;
  value: string;
  priority: number | null;
  purpose: 'DKIM' | 'RETURN_PATH' | 'SPF' | 'DMARC' | 'MX';
  verified: boolean | null;
}

const DnsRecordTypeEnum = builder.enumType('DnsRecordType', {
  description: 'The type of a DNS record.',
  values: {
    TXT: { description: 'A text record.' },
    CNAME: { description: 'An alias to another name.' },
    MX: { description: 'A mail exchanger.' },
  } as const,
});

const DnsRecordPurposeEnum = builder.enumType('DnsRecordPurpose', {
  description: 'What a DNS record is for.',
  values: {
    DKIM: { description: 'Publishes the key that signs outgoing mail.' },
    RETURN_PATH: { description: 'Points the bounce (return-path) domain at the provider.' },
    SPF: { description: 'Authorizes the provider to send for the domain.' },
    DMARC: { description: 'States the domain’s DMARC policy.' },
    MX: { description: 'Routes mail (bounces, replies) for the domain to the provider.' },
  } as const,
});

const DnsRecordRef = builder.objectRef<DnsRecordShape>('DnsRecord').implement({
  description: 'A DNS record the domain must publish.',
  fields: (t) => ({
    type: t.field({ type: DnsRecordTypeEnum, description: 'The record type.', resolve: (r) => r.type }),
    name: t.exposeString('name', { description: 'The fully qualified record name.' }),
    value: t.exposeString('value', { description: 'The record value to publish.' }),
    priority: t.exposeInt('priority', {
      nullable: true,
      description: 'The MX priority; null for other types.',
    }),
    purpose: t.field({
      type: DnsRecordPurposeEnum,
      description: 'What the record is for.',
      resolve: (r) => r.purpose,
    }),
    verified: t.exposeBoolean('verified', {
      nullable: true,
      description: 'Whether the provider found the record in DNS; null when it does not say.',
    }),
  }),
});

export function cloudMailinDnsRecords(domain: SendingDomain): DnsRecordShape[] {
  const records: DnsRecordShape[] = [];
  if (domain.dkim_domain && domain.dkim_public_record) {
    records.push({
      type: 'TXT',
      name: domain.dkim_domain,
      value: domain.dkim_public_record,
      priority: null,
      purpose: 'DKIM',
      verified: domain.dkim_verified ?? null,
    });
  }
  if (domain.mta_domain && domain.required_cname) {
    records.push({
      type: 'CNAME',
      name: domain.mta_domain,
      value: domain.required_cname,
      priority: null,
      purpose: 'RETURN_PATH',
      verified: domain.return_path_verified ?? null,
    });
  }
  return records;
}

function fullyVerified(domain: SendingDomain): boolean {
  return (
    domain.dkim_verified === true && domain.return_path_verified === true && domain.spf_verified === true
  );
}

export const SendingDomainInterface = builder.interfaceRef<SendingDomainShape>('SendingDomain').implement({
  description: 'A domain mail is sent from, at any provider, with the DNS records that authenticate it.',
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (shape) => (shape.kind === 'cloudmailin' ? 'CloudMailinSendingDomain' : null),
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider that sends for this domain.',
      resolve: () => 'CLOUDMAILIN' as const,
    }),
    domain: t.string({ description: 'The domain name.', resolve: (shape) => shape.wire.domain }),
    dnsRecords: t.field({
      type: [DnsRecordRef],
      description:
        'The DNS records to publish, each with its verification state where the provider reports it.',
      resolve: (shape) => cloudMailinDnsRecords(shape.wire),
    }),
    verified: t.boolean({
      description: 'Whether the provider considers the domain ready to send from.',
      resolve: (shape) => fullyVerified(shape.wire),
    }),
  }),
});

export const CloudMailinSendingDomainRef =
  builder.objectRef<CloudMailinSendingDomainShape>('CloudMailinSendingDomain');

const wrap = (wire: SendingDomain): CloudMailinSendingDomainShape => ({ kind: 'cloudmailin', wire });

builder.node(CloudMailinSendingDomainRef, {
  description: 'A CloudMailin sending domain (an "outbound domain" in the dashboard).',
  interfaces: [SendingDomainInterface],
  isTypeOf: (value) => (value as SendingDomainShape).kind === 'cloudmailin',
  id: { resolve: (shape) => shape.wire.id },
  loadWithoutCache: async (id, context) => {
    requireScope(context, 'read');
    try {
      return wrap(await context.loaders.sendingDomain.load(id));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  },
  fields: (t) => ({
    domainId: t.string({ description: "CloudMailin's own id of the domain.", resolve: (s) => s.wire.id }),
    mtaDomain: t.string({
      nullable: true,
      description:
        'The return-path (MTA) domain, e.g. `mta.example.com`; it needs a CNAME to `requiredCname`.',
      resolve: (s) => s.wire.mta_domain ?? null,
    }),
    requiredCname: t.string({
      nullable: true,
      description: 'Where the MTA domain must point, e.g. `feedback-smtp.cloudmta.net`.',
      resolve: (s) => s.wire.required_cname ?? null,
    }),
    dkimSelector: t.string({
      nullable: true,
      description: 'The DKIM selector.',
      resolve: (s) => s.wire.dkim_selector ?? null,
    }),
    dkimDomain: t.string({
      nullable: true,
      description: 'Where the DKIM key is published: `{selector}._domainkey.{domain}`.',
      resolve: (s) => s.wire.dkim_domain ?? null,
    }),
    dkimPublicRecord: t.string({
      nullable: true,
      description: 'The DKIM TXT record value to publish.',
      resolve: (s) => s.wire.dkim_public_record ?? null,
    }),
    dkimVerified: t.boolean({
      nullable: true,
      description: 'Whether the DKIM record was found; null when not checked yet.',
      resolve: (s) => s.wire.dkim_verified ?? null,
    }),
    returnPathVerified: t.boolean({
      nullable: true,
      description: 'Whether the return-path CNAME was found; null when not checked yet.',
      resolve: (s) => s.wire.return_path_verified ?? null,
    }),
    spfVerified: t.boolean({
      nullable: true,
      description: 'Whether SPF passes for the return-path domain; null when not checked yet.',
      resolve: (s) => s.wire.spf_verified ?? null,
    }),
  }),
});

export function sendingDomainIdOf(raw: string, path: string): string {
  return localIdOf(raw, ['CloudMailinSendingDomain'], path).id;
}

async function fetchSendingDomains(context: Context, query: string | null, page: number) {
  const fetched = await context.cloudmailin.listSendingDomains({ query, page });
  if (fetched.stale) context.upstream.stale = true;
  for (const domain of fetched.data) context.loaders.sendingDomain.prime(domain.id, domain);
  return fetched.data.map(wrap);
}

builder.queryFields((t) => ({
  sendingDomains: t.connection({
    type: SendingDomainInterface,
    description: 'Sending domains, of one provider or of all.',
    args: {
      provider: t.arg({
        type: EmailProviderEnum,
        description: 'Only this provider’s domains; all when omitted.',
      }),
      query: t.arg.string({ description: 'A domain or part of one to search for.' }),
    },
    errors: { types: [...EXPECTED_ERRORS] },
    resolve: (_root, args, context) => {
      requireScope(context, 'read');
      const q = searchQueryOf(args.query);
      return paginateUpstream<CloudMailinSendingDomainShape>(
        {
          identity: `sending_domains?provider=${args.provider ?? 'ALL'}&query=${q ?? ''}`,
          paged: true,
          key: (shape) => shape.wire.id,
          fetchPage: (page) => fetchSendingDomains(context, q, page),
        },
        args,
      );
    },
  }),
  sendingDomain: t.field({
    type: SendingDomainInterface,
    description: 'One sending domain by global id (or CloudMailin domain id).',
    args: {
      id: t.arg.id({ required: true, description: 'A global id or a CloudMailin sending domain id.' }),
    },
    // An interface cannot stand in a union directly, so the result wraps it in `data`.
    errors: {
      types: [...EXPECTED_ERRORS],
      directResult: false,
      result: { description: 'The sending domain, in `data`.' },
      dataField: { description: 'The sending domain.' },
    },
    resolve: async (_root, args, context) => {
      requireScope(context, 'read');
      return wrap(await context.loaders.sendingDomain.load(sendingDomainIdOf(String(args.id), 'id')));
    },
  }),
}));

const SendingDomainPayload = builder
  .objectRef<{ domain: SendingDomainShape }>('SendingDomainPayload')
  .implement({
    description: 'A sending domain as the provider stored it.',
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

const DeleteSendingDomainPayload = builder
  .objectRef<{ domain: SendingDomainShape }>('DeleteSendingDomainPayload')
  .implement({
    description:
      'A deleted sending domain. CloudMailin may finish the deletion a little later (202 Accepted).',
    fields: (t) => ({
      deletedId: t.id({
        description: 'The global id of the deleted domain.',
        resolve: (p) => Buffer.from(`CloudMailinSendingDomain:${p.domain.wire.id}`).toString('base64'),
      }),
      domain: t.field({
        type: SendingDomainInterface,
        description: 'The domain as it was when deleted.',
        resolve: (p) => p.domain,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createSendingDomain: t.field({
    type: SendingDomainPayload,
    description: 'Adds a sending domain; publish its `dnsRecords`, then call `verifySendingDomain`.',
    args: {
      provider: t.arg({
        type: EmailProviderEnum,
        required: true,
        description: 'The provider to send through.',
      }),
      domain: t.arg.string({ required: true, description: 'The domain, e.g. `example.com`.' }),
    },
    errors: { types: [...EXPECTED_ERRORS] },
    resolve: async (_root, args, context) => {
      requireScope(context, 'manage');
      const checks = new InputIssues();
      checks.check(isDomain(args.domain), 'domain', 'must be a domain name such as example.com');
      checks.throwIfAny();
      return { domain: wrap(await context.cloudmailin.createSendingDomain(args.domain.toLowerCase())) };
    },
  }),
  verifySendingDomain: t.field({
    type: VerifySendingDomainPayload,
    description: 'Asks the provider to check the DNS records of a sending domain now.',
    args: {
      id: t.arg.id({ required: true, description: 'A global id or a CloudMailin sending domain id.' }),
    },
    errors: { types: [...EXPECTED_ERRORS] },
    resolve: async (_root, args, context) => {
      requireScope(context, 'manage');
      const result = await context.cloudmailin.verifySendingDomain(sendingDomainIdOf(String(args.id), 'id'));
      return { domain: wrap(result.domain), verified: result.verified };
    },
  }),
  deleteSendingDomain: t.field({
    type: DeleteSendingDomainPayload,
    description: 'Removes a sending domain.',
    args: {
      id: t.arg.id({ required: true, description: 'A global id or a CloudMailin sending domain id.' }),
    },
    errors: { types: [...EXPECTED_ERRORS] },
    resolve: async (_root, args, context) => {
      requireScope(context, 'manage');
      return {
        domain: wrap(await context.cloudmailin.deleteSendingDomain(sendingDomainIdOf(String(args.id), 'id'))),
      };
    },
  }),
}));
