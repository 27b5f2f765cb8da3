/**
 * DNS records a sending domain must publish, in one shape for every provider. Each provider's records are
 * translated here: CloudMailin describes them as fields of the domain, with a verification flag each;
 * Cloudflare lists them per subdomain, and says which are in place through the subdomain's DNS status.
 */
import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { Context } from '../context.js';
import { subdomainKey } from '../loaders.js';
import type {
  CloudflareDnsConfigError,
  CloudflareDnsRecord,
  CloudflareDnsStatus,
} from '../upstream/cloudflare-wire.js';
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
      description:
        'Whether the provider found the record in DNS: CloudMailin’s verification flags; Cloudflare’s DNS status of the subdomain (false for a record it reports missing or in conflict). Null when the provider does not say.',
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

/**
 * Cloudflare: its records as listed (MX ×3, SPF, DKIM and DMARC for a sending subdomain), each `verified`
 * as the subdomain's DNS status says when it is given (see `cloudflareVerification`), else null.
 */
export function cloudflareDnsRecords(
  records: CloudflareDnsRecord[],
  status: CloudflareDnsStatus | null = null,
): DnsRecordShape[] {
  const shapes = records.map((record): DnsRecordShape => {
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
  const verified = cloudflareVerification(shapes, status);
  return shapes.map((shape, index) => ({ ...shape, verified: verified[index] ?? null }));
}

/** The record family a DNS status error code names (`mx.missing` → MX, `domainkey.delegated` → DKIM…). */
const FAMILY_PURPOSE: Readonly<Record<string, Purpose>> = {
  mx: 'MX',
  spf: 'SPF',
  dkim: 'DKIM',
  domainkey: 'DKIM',
  dmarc: 'DMARC',
};

/**
 * Which of a subdomain's records are in place, from its DNS status (`GET …/dns/status`):
 * - no problem reported and the status `ready` (or `unlocked`: the records exist with the right content,
 *   only a lock was cleared): every record is in place;
 * - a problem whose `missing` record is one of the list: that record is not;
 * - any other problem (`spf.foreign`, `dkim.conflict`, `mx.missing` without a record…): every record of the
 *   family its code names is not;
 * - a problem of a family the list does not have, or a status that is not `ready` without any problem: the
 *   records not named otherwise are unknown (null), never claimed to be in place.
 * Without a status (not asked for), every record is null.
 */
export function cloudflareVerification(
  records: readonly DnsRecordShape[],
  status: CloudflareDnsStatus | null,
): Array<boolean | null> {
  if (status === null) return records.map(() => null);
  const problems = status.errors ?? [];
  const inPlace = status.status === 'ready' || status.status === 'unlocked';
  const failed = new Set<number>();
  let unattributed = problems.length === 0 && !inPlace;
  for (const problem of problems) {
    const affected = recordsAffectedBy(records, problem);
    if (affected.length === 0) unattributed = true;
    for (const index of affected) failed.add(index);
  }
  return records.map((_, index) => (failed.has(index) ? false : unattributed ? null : true));
}

function recordsAffectedBy(records: readonly DnsRecordShape[], problem: CloudflareDnsConfigError): number[] {
  const { missing } = problem;
  if (missing) {
    const exact = records.findIndex((record) => sameRecord(record, missing));
    if (exact !== -1) return [exact];
  }
  const purpose = FAMILY_PURPOSE[problem.code.split('.')[0]?.toLowerCase() ?? ''];
  if (purpose === undefined) return [];
  return records.flatMap((record, index) => (record.purpose === purpose ? [index] : []));
}

function sameRecord(record: DnsRecordShape, wire: CloudflareDnsRecord): boolean {
  const bare = (name: string) => name.toLowerCase().replace(/\.$/, '');
  return (
    record.rawType === (wire.type ?? '').toUpperCase() &&
    bare(record.name) === bare(wire.name ?? '') &&
    record.value.trim() === (wire.content ?? '').trim() &&
    (typeof wire.priority !== 'number' || record.priority === wire.priority)
  );
}

/**
 * A Cloudflare subdomain's records for `SendingDomain.dnsRecords`: the DNS list, and (only when the
 * selection asks for `verified`) the DNS status beside it. Each is one call per subdomain through its
 * loader, cached upstream; either failing fails the field, with its error.
 */
export async function cloudflareDnsRecordsOf(
  context: Context,
  zoneId: string,
  id: string,
  info: GraphQLResolveInfo,
): Promise<DnsRecordShape[]> {
  const key = subdomainKey(zoneId, id);
  const [records, status] = await Promise.all([
    context.loaders.cloudflareDns.load(key),
    selectsVerified(info) ? context.loaders.cloudflareDnsStatus.load(key) : null,
  ]);
  return cloudflareDnsRecords(records, status);
}

/** Whether this field's selection reads `verified` (through fragments too). */
function selectsVerified(info: GraphQLResolveInfo): boolean {
  const visit = (set: SelectionSetNode | undefined, depth: number): boolean =>
    set !== undefined &&
    depth <= 20 &&
    set.selections.some((selection) => {
      if (selection.kind === 'Field') return (selection as FieldNode).name.value === 'verified';
      const inner =
        selection.kind === 'InlineFragment'
          ? selection.selectionSet
          : (info.fragments[selection.name.value] as FragmentDefinitionNode | undefined)?.selectionSet;
      return visit(inner, depth + 1);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet, 0));
}
