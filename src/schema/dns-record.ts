/**
 * DNS records a sending domain must publish, in one shape for every provider. Each provider's records are
 * translated here: CloudMailin describes them as fields of the domain, Cloudflare lists them per subdomain.
 */
import type { CloudflareDnsRecord } from '../upstream/cloudflare-wire.js';
import type { SendingDomain } from '../upstream/cloudmailin-wire.js';
import { builder } from './builder.js';

type RecordType = 'TXT' | 'CNAME' | 'MX' | 'OTHER';
type Purpose = 'DKIM' | 'RETURN_PATH' | 'SPF' | 'DMARC' | 'MX' | 'OTHER';

export interface DnsRecordShape {
  type: RecordType;
  rawType: string;
  name: string;
  value: string;
  priority: number | null;
  purpose: Purpose;
  verified: boolean | null;
}

const DnsRecordTypeEnum = builder.enumType('DnsRecordType', {
  description: 'The type of a DNS record.',
  values: {
    TXT: { description: 'A text record.' },
    CNAME: { description: 'An alias to another name.' },
    MX: { description: 'A mail exchanger.' },
    OTHER: { description: 'Another type; see `rawType`.' },
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
    OTHER: { description: 'Something else the provider asks for.' },
  } as const,
});

export const DnsRecordRef = builder.objectRef<DnsRecordShape>('DnsRecord').implement({
  description: 'A DNS record the domain must publish.',
  fields: (t) => ({
    type: t.field({ type: DnsRecordTypeEnum, description: 'The record type.', resolve: (r) => r.type }),
    rawType: t.exposeString('rawType', {
      description: 'The record type as the provider wrote it, e.g. `TXT`.',
    }),
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
      description: 'Whether the provider found the record in DNS; null when it does not say (Cloudflare).',
    }),
  }),
});

/** CloudMailin: a DKIM TXT record and the return-path CNAME (SPF is checked through the latter). */
export function cloudMailinDnsRecords(domain: SendingDomain): DnsRecordShape[] {
  const records: DnsRecordShape[] = [];
  if (domain.dkim_domain && domain.dkim_public_record) {
    records.push({
      type: 'TXT',
      rawType: 'TXT',
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
      rawType: 'CNAME',
      name: domain.mta_domain,
      value: domain.required_cname,
      priority: null,
      purpose: 'RETURN_PATH',
      verified: domain.return_path_verified ?? null,
    });
  }
  return records;
}

function purposeOf(type: string, name: string, content: string): Purpose {
  if (type === 'MX') return 'MX';
  if (/^v=spf1\b/i.test(content)) return 'SPF';
  if (/^v=DKIM1\b/i.test(content) || name.includes('._domainkey.')) return 'DKIM';
  if (/^v=DMARC1\b/i.test(content) || name.startsWith('_dmarc.')) return 'DMARC';
  if (type === 'CNAME') return 'RETURN_PATH';
  return 'OTHER';
}

/** Cloudflare: its records as listed (MX ×3, SPF, DKIM and DMARC for a sending subdomain). */
export function cloudflareDnsRecords(records: CloudflareDnsRecord[]): DnsRecordShape[] {
  return records.map((record) => {
    const rawType = (record.type ?? '').toUpperCase();
    const type: RecordType = rawType === 'TXT' || rawType === 'CNAME' || rawType === 'MX' ? rawType : 'OTHER';
    const name = record.name ?? '';
    const value = record.content ?? '';
    return {
      type,
      rawType,
      name,
      value,
      priority: typeof record.priority === 'number' ? record.priority : null,
      purpose: purposeOf(rawType, name, value),
      verified: null,
    };
  });
}
