/**
 * The Cloudflare emulator's state records and the pure functions over them that the demo data and the
 * live routes share: a subdomain's wire shape, its six DNS records (NOTES §4.5), the DNS status, and the
 * deterministic outcome of each recipient of a send.
 */
import { createHash } from 'node:crypto';
import type { CloudflareSendResult } from '../upstream/cloudflare-wire.js';
import { dkimPublicKey } from './cloudmailin-records.js';
import { Random } from './random.js';

export interface CloudflareZone {
  /** 32 hex characters, as in `SANDBOX_CLOUDFLARE.zoneIds`. */
  id: string;
  /** The zone apex, e.g. `example.com`. */
  name: string;
}

/** The six records a sending domain needs, by role. */
export type DnsRecordRole = 'mx1' | 'mx2' | 'mx3' | 'spf' | 'dkim' | 'dmarc';
export const DNS_RECORD_ROLES: readonly DnsRecordRole[] = ['mx1', 'mx2', 'mx3', 'spf', 'dkim', 'dmarc'];

export interface SubdomainRecord {
  zoneId: string;
  /** 32 lowercase hex characters; kept across delete and re-create of the same name. */
  tag: string;
  name: string;
  /** `false` after DELETE: the subdomain is then invisible to the API, but a send from it gets 10203. */
  enabled: boolean;
  previewEnabled: boolean;
  created: number;
  modified: number;
  /** Base64 DER of the DKIM public key; deterministic from the emulator seed and the name. */
  dkimKey: string;
  /** Records missing from the zone's DNS (the dns/status route reports them; POST …/dns restores them). */
  missing: Set<DnsRecordRole>;
}

export interface CloudflareDnsRecordOut {
  type: 'MX' | 'TXT';
  name: string;
  content: string;
  priority?: number;
  ttl: number;
}

/** One accepted send, as the tests (and later the event playback) see it. */
export interface CloudflareSentMessage {
  route: 'send' | 'send_raw';
  accountId: string;
  zoneId: string;
  /** The sending subdomain the sender's domain matched. */
  domain: string;
  /** The bare sender address (the envelope `from` for send_raw). */
  from: string;
  /** Each recipient once (case-insensitive), in request order: to, cc, bcc for send. */
  recipients: string[];
  /** The subject (for send_raw, the `Subject:` header), or null when there is none. */
  subject: string | null;
  /** ISO 8601, from the emulator clock. */
  sentAt: string;
  /** The JSON body as received. */
  request: unknown;
  result: Required<CloudflareSendResult> & { message_id: string };
}

export interface CloudflareState {
  zones: CloudflareZone[];
  /** Every subdomain ever created (disabled ones included), in creation order. */
  subdomains: SubdomainRecord[];
  sent: CloudflareSentMessage[];
}

/** A Random seeded from the emulator seed and a name, so a name's DKIM key does not depend on call order. */
export function randomFor(seed: number, name: string): Random {
  return new Random(createHash('sha256').update(`${seed}:${name}`).digest().readUInt32BE(0));
}

export function newSubdomain(
  seed: number,
  zoneId: string,
  tag: string,
  name: string,
  at: number,
): SubdomainRecord {
  return {
    zoneId,
    tag,
    name,
    enabled: true,
    previewEnabled: false,
    created: at,
    modified: at,
    dkimKey: dkimPublicKey(randomFor(seed, name)),
    missing: new Set(),
  };
}

/**
 * The spec's `email_sending_subdomain_properties`, plus `id` = `tag`: a live probe saw `id` where the
 * spec has `tag` (NOTES §4.4), so both are sent and a client reading either works.
 */
export interface CloudflareSubdomainView {
  tag: string;
  id: string;
  name: string;
  enabled: boolean;
  preview_enabled: boolean;
  dkim_selector: 'cf-bounce';
  return_path_domain: string;
  created: string;
  modified: string;
}

export function subdomainView(record: SubdomainRecord): CloudflareSubdomainView {
  return {
    tag: record.tag,
    id: record.tag,
    name: record.name,
    enabled: record.enabled,
    preview_enabled: record.previewEnabled,
    dkim_selector: 'cf-bounce',
    return_path_domain: `cf-bounce.${record.name}`,
    created: new Date(record.created).toISOString(),
    modified: new Date(record.modified).toISOString(),
  };
}

/** NOTES §4.5: three MX and the SPF TXT on the return-path domain, DKIM under `cf-bounce._domainkey`, DMARC. */
export function dnsRecords(record: SubdomainRecord): Array<CloudflareDnsRecordOut & { role: DnsRecordRole }> {
  const returnPath = `cf-bounce.${record.name}`;
  // Priorities as seen in public DNS for a live sending domain: route3 12, route1 25, route2 34.
  const mx = (role: DnsRecordRole, host: string, priority: number) => ({
    role,
    type: 'MX' as const,
    name: returnPath,
    content: host,
    priority,
    ttl: 1,
  });
  return [
    mx('mx1', 'route1.mx.cloudflare.net', 25),
    mx('mx2', 'route2.mx.cloudflare.net', 34),
    mx('mx3', 'route3.mx.cloudflare.net', 12),
    {
      role: 'spf',
      type: 'TXT',
      name: returnPath,
      content: 'v=spf1 include:_spf.mx.cloudflare.net ~all',
      ttl: 1,
    },
    {
      role: 'dkim',
      type: 'TXT',
      name: `cf-bounce._domainkey.${record.name}`,
      content: `v=DKIM1; h=sha256; k=rsa; p=${record.dkimKey}`,
      ttl: 1,
    },
    { role: 'dmarc', type: 'TXT', name: `_dmarc.${record.name}`, content: 'v=DMARC1; p=reject;', ttl: 1 },
  ];
}

export function wireRecords(record: SubdomainRecord): CloudflareDnsRecordOut[] {
  return dnsRecords(record).map(({ role: _, ...wire }) => wire);
}

const MISSING_CODE: Record<DnsRecordRole, string> = {
  mx1: 'mx.missing',
  mx2: 'mx.missing',
  mx3: 'mx.missing',
  spf: 'spf.missing',
  dkim: 'dkim.missing',
  dmarc: 'dmarc.missing',
};

/** `email_sending_subdomain_config_error` items for the records in `missing`. */
export function missingErrors(
  record: SubdomainRecord,
  missing: ReadonlySet<DnsRecordRole>,
): Array<{ code: string; missing: CloudflareDnsRecordOut }> {
  return dnsRecords(record)
    .filter((entry) => missing.has(entry.role))
    .map(({ role, ...wire }) => ({ code: MISSING_CODE[role], missing: wire }));
}

/** `ready` when every record is in place, `unconfigured` when some are missing (no foreign records exist here). */
export function dnsStatus(record: SubdomainRecord): Record<string, unknown> {
  return {
    status: record.missing.size === 0 ? 'ready' : 'unconfigured',
    records: wireRecords(record),
    errors: missingErrors(record, record.missing),
  };
}

export type RecipientOutcome = 'delivered' | 'queued' | 'permanent_bounces';

/**
 * How the emulator "delivers" to a recipient, decided by the recipient's domain alone (case-insensitive):
 * one containing `bounce` bounces permanently (a synchronous 5xx), one containing `defer` or `queue` is
 * queued for retry, and every other is delivered at once.
 */
export function recipientOutcome(address: string): RecipientOutcome {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  if (domain.includes('bounce')) return 'permanent_bounces';
  if (domain.includes('defer') || domain.includes('queue')) return 'queued';
  return 'delivered';
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `<36 alphanumerics@sender domain>`, shaped like the spec's example `message_id`. */
export function messageId(random: Random, senderDomain: string): string {
  let local = '';
  for (let i = 0; i < 36; i++) local += ALNUM[random.int(0, ALNUM.length - 1)];
  return `<${local}@${senderDomain}>`;
}

/** A 32-hex tag no subdomain holds yet. */
export function freshTag(random: Random, state: CloudflareState): string {
  for (;;) {
    const tag = random.hex(32);
    if (!state.subdomains.some((record) => record.tag === tag)) return tag;
  }
}
