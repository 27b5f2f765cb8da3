/**
 * The CloudMailin emulator's state records and the factories shared by the demo data and the live
 * routes, so a domain created over HTTP looks exactly like a seeded one.
 */
import type { Address, CustomDomain, IncomingStatus, SendingDomain } from '../upstream/cloudmailin-wire.js';
import type { OutboundRecord } from './cloudmailin-outbound.js';
import type { Random } from './random.js';

export interface AddressRecord {
  address: Address;
  /** Newest first, by arrival in the emulator (not by `created_at`, which demo data fixes in the past). */
  statuses: IncomingStatus[];
  customDomains: CustomDomain[];
}

/**
 * How `POST /sending_domains/{id}/verify` answers, deterministically: the call numbered
 * `passesOnAttempt` and every later one pass; `null` never passes. Domains created over HTTP pass on
 * the second attempt (the first finds no DNS records yet), except names under the reserved `.invalid`
 * TLD, which never can.
 */
export interface SendingDomainRecord {
  domain: SendingDomain;
  verifyAttempts: number;
  passesOnAttempt: number | null;
}

export interface CloudMailinState {
  addresses: AddressRecord[];
  outbound: OutboundRecord[];
  sendingDomains: SendingDomainRecord[];
}

export type StatusCategory = 'successful' | 'delayed' | 'rejected';

/** docs `receiving_email/http_status_codes.md`: 2xx delivered, 4xx rejected (bounced), anything else delayed. */
export function statusCategory(status: string | number | null | undefined): StatusCategory {
  const code = String(status ?? '');
  if (/^2\d\d$/.test(code)) return 'successful';
  if (/^4\d\d$/.test(code)) return 'rejected';
  return 'delayed';
}

/** DER of a SubjectPublicKeyInfo for a 2048-bit RSA key, so `p=` decodes like a real DKIM record. */
const SPKI_PREFIX = Buffer.from('30820122300d06092a864886f70d01010105000382010f003082010a0282010100', 'hex');
const SPKI_EXPONENT = Buffer.from('0203010001', 'hex');

export function dkimPublicKey(random: Random): string {
  const modulus = random.bytes(256);
  modulus[0] = (modulus[0] ?? 0) | 0x80;
  modulus[255] = (modulus[255] ?? 0) | 0x01;
  return Buffer.concat([SPKI_PREFIX, modulus, SPKI_EXPONENT]).toString('base64');
}

export function newSendingDomain(
  random: Random,
  id: string,
  domain: string,
  verified: Pick<SendingDomain, 'dkim_verified' | 'return_path_verified' | 'spf_verified'>,
): SendingDomain {
  const selector = `${random.hex(10)}cm`;
  return {
    id,
    domain,
    mta_domain: `mta.${domain}`,
    dkim_selector: selector,
    dkim_domain: `${selector}._domainkey.${domain}`,
    dkim_public_record: `v=DKIM1; h=sha256; k=rsa; s=email; p=${dkimPublicKey(random)}`,
    required_cname: 'feedback-smtp.cloudmta.net',
    dkim_verified: verified.dkim_verified ?? null,
    return_path_verified: verified.return_path_verified ?? null,
    spf_verified: verified.spf_verified ?? null,
  };
}

/** An id of `length` hex characters that `taken` does not already hold. */
export function freshHexId(random: Random, length: number, taken: (id: string) => boolean): string {
  for (;;) {
    const id = random.hex(length);
    if (!taken(id)) return id;
  }
}
