/**
 * `cloudflareVerification` on its own: how a Cloudflare subdomain's DNS status (`GET …/dns/status`, its
 * `status` and `errors[]` of `email_sending_subdomain_config_error`) marks each listed record in place,
 * not in place, or unknown.
 */
import { describe, expect, it } from 'vitest';
import { cloudflareDnsRecords, cloudflareVerification } from '../src/schema/dns-record.js';
import type { CloudflareDnsRecord, CloudflareDnsStatus } from '../src/upstream/cloudflare-wire.js';

const D = 'sub.example.com';
const MX1 = { type: 'MX', name: `cf-bounce.${D}`, content: 'route1.mx.cloudflare.net', priority: 25, ttl: 1 };
const MX2 = { type: 'MX', name: `cf-bounce.${D}`, content: 'route2.mx.cloudflare.net', priority: 34, ttl: 1 };
const MX3 = { type: 'MX', name: `cf-bounce.${D}`, content: 'route3.mx.cloudflare.net', priority: 12, ttl: 1 };
const SPF = {
  type: 'TXT',
  name: `cf-bounce.${D}`,
  content: 'v=spf1 include:_spf.mx.cloudflare.net ~all',
  ttl: 1,
};
const DKIM = {
  type: 'TXT',
  name: `cf-bounce._domainkey.${D}`,
  content: 'v=DKIM1; h=sha256; k=rsa; p=MIIB',
  ttl: 1,
};
const DMARC = { type: 'TXT', name: `_dmarc.${D}`, content: 'v=DMARC1; p=reject;', ttl: 1 };
const RECORDS: CloudflareDnsRecord[] = [MX1, MX2, MX3, SPF, DKIM, DMARC];

/** `verified` of [MX1, MX2, MX3, SPF, DKIM, DMARC] under `status`. */
function verified(status: CloudflareDnsStatus | null): Array<boolean | null> {
  return cloudflareVerification(cloudflareDnsRecords(RECORDS), status);
}

describe('cloudflareVerification', () => {
  it('without a status (not asked for) every record is unknown', () => {
    expect(verified(null)).toEqual([null, null, null, null, null, null]);
    expect(cloudflareDnsRecords(RECORDS).map((record) => record.verified)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('ready, or unlocked (right content, a lock cleared), with no problem: every record is in place', () => {
    expect(verified({ status: 'ready', records: RECORDS, errors: [] })).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(verified({ status: 'unlocked', errors: [] })).toEqual([true, true, true, true, true, true]);
  });

  it('a missing record that is one of the list is the only one not in place', () => {
    const status = {
      status: 'unconfigured',
      errors: [{ code: 'mx.missing', missing: { ...MX2, name: `CF-Bounce.${D}.` } }],
    };
    expect(verified(status)).toEqual([true, false, true, true, true, true]);
    expect(verified({ status: 'unconfigured', errors: [{ code: 'dmarc.missing', missing: DMARC }] })).toEqual(
      [true, true, true, true, true, false],
    );
  });

  it('a problem without a matching record marks its whole family (mx, spf, dkim, domainkey, dmarc)', () => {
    const foreign = { type: 'MX', name: `cf-bounce.${D}`, content: 'mx.elsewhere.net', priority: 10 };
    expect(
      verified({ status: 'misconfigured', errors: [{ code: 'mx.foreign', existing: foreign }] }),
    ).toEqual([false, false, false, true, true, true]);
    expect(
      verified({ status: 'misconfigured', errors: [{ code: 'spf.multiple', multiple: [SPF, SPF] }] }),
    ).toEqual([true, true, true, false, true, true]);
    expect(verified({ status: 'misconfigured', errors: [{ code: 'dkim.conflict' }] })).toEqual([
      true,
      true,
      true,
      true,
      false,
      true,
    ]);
    expect(verified({ status: 'misconfigured', errors: [{ code: 'domainkey.delegated' }] })).toEqual([
      true,
      true,
      true,
      true,
      false,
      true,
    ]);
    expect(
      verified({ status: 'misconfigured', errors: [{ code: 'dmarc.multiple' }, { code: 'spf.missing' }] }),
    ).toEqual([true, true, true, false, true, false]);
  });

  it('never claims a record is in place when the status cannot be attributed', () => {
    // A code of a family the list does not have: the records it does not name are unknown.
    expect(verified({ status: 'misconfigured', errors: [{ code: 'bimi.missing' }] })).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(
      verified({ status: 'misconfigured', errors: [{ code: 'dkim.missing' }, { code: 'new.thing' }] }),
    ).toEqual([null, null, null, null, false, null]);
    // Not ready, yet no problem listed; or no status at all.
    expect(verified({ status: 'unconfigured', errors: [] })).toEqual([null, null, null, null, null, null]);
    expect(verified({})).toEqual([null, null, null, null, null, null]);
  });
});
