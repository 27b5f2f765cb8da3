/**
 * `SendingDomain`: a domain mail is sent from, at any provider, with uniform `dnsRecords`. Each provider's
 * kind of domain is an object type of its own (CloudMailin sending domains, Cloudflare sending subdomains)
 * implementing this interface; the root fields that list, create, verify and delete them are in
 * `sending-domain-operations.ts`.
 */
import type { CloudflareSubdomain } from '../upstream/cloudflare-wire.js';
import type { SendingDomain } from '../upstream/cloudmailin-wire.js';
import { builder } from './builder.js';
import { DnsRecordRef, cloudMailinDnsRecords, cloudflareDnsRecordsOf } from './dns-record.js';
import { EmailProviderEnum } from './errors.js';

export interface CloudMailinSendingDomainShape {
  kind: 'cloudmailin';
  wire: SendingDomain;
}

export interface CloudflareSendingSubdomainShape {
  kind: 'cloudflare';
  zoneId: string;
  wire: CloudflareSubdomain;
}

export type SendingDomainShape = CloudMailinSendingDomainShape | CloudflareSendingSubdomainShape;

export const cloudMailinDomain = (wire: SendingDomain): CloudMailinSendingDomainShape => ({
  kind: 'cloudmailin',
  wire,
});

export const cloudflareSubdomain = (
  zoneId: string,
  wire: CloudflareSubdomain,
): CloudflareSendingSubdomainShape => ({
  kind: 'cloudflare',
  zoneId,
  wire,
});

export const SENDING_DOMAIN_TYPENAMES = {
  cloudmailin: 'CloudMailinSendingDomain',
  cloudflare: 'CloudflareSendingSubdomain',
} as const;

export const SendingDomainInterface = builder.interfaceRef<SendingDomainShape>('SendingDomain').implement({
  description: 'A domain mail is sent from, at any provider, with the DNS records that authenticate it.',
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (shape) => SENDING_DOMAIN_TYPENAMES[shape.kind],
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider that sends for this domain.',
      resolve: (shape) => (shape.kind === 'cloudmailin' ? 'CLOUDMAILIN' : 'CLOUDFLARE'),
    }),
    domain: t.string({
      description: 'The domain name.',
      resolve: (shape) => (shape.kind === 'cloudmailin' ? shape.wire.domain : shape.wire.name),
    }),
    dnsRecords: t.field({
      authScopes: { read: true },
      type: [DnsRecordRef],
      nullable: { list: true, items: false },
      description:
        'The DNS records to publish, each with its verification state where the provider reports it. Null, with an error, when they could not be loaded.',
      resolve: async (shape, _args, context, info) => {
        if (shape.kind === 'cloudmailin') return cloudMailinDnsRecords(shape.wire);
        return cloudflareDnsRecordsOf(context, shape.zoneId, shape.wire.id, info);
      },
    }),
    verified: t.boolean({
      description:
        'Whether the provider is ready to send from the domain: CloudMailin when DKIM, return path and SPF are verified; Cloudflare when sending is enabled.',
      resolve: (shape) =>
        shape.kind === 'cloudmailin'
          ? shape.wire.dkim_verified === true &&
            shape.wire.return_path_verified === true &&
            shape.wire.spf_verified === true
          : shape.wire.enabled === true,
    }),
  }),
});
