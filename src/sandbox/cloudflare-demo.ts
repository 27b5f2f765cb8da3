/**
 * The Cloudflare emulator's demo data and its second credential. Every id and name here is fixed, whatever
 * the seed, so docs and tests can name them; only the DKIM keys come from the seed.
 *
 * - Zone `023e105f4ecef8ad9ca31a8372d0c353` is `example.com` (it is also the SDK tests' zone id), with
 *   two enabled sending subdomains: `mail.example.com` (tag `aabbccdd11223344aabbccdd11223344`, the SDK
 *   tests' subdomain id) and `notify.example.com`.
 * - Zone `9a7806061c88ada191ed06f989cc3dac` is `example.net`, with `send.example.net` (enabled, but its
 *   DMARC record is missing, so its DNS status is `unconfigured`) and `legacy.example.net` (deleted, so
 *   invisible to the API; sending from it answers 403/10203).
 */
import { SANDBOX_CLOUDFLARE } from './accounts.js';
import {
  type CloudflareState,
  DNS_RECORD_ROLES,
  type SubdomainRecord,
  newSubdomain,
} from './cloudflare-records.js';
import { DEMO_EPOCH } from './demo-data.js';

/**
 * The X-Auth-Email + X-Auth-Key pair the emulator accepts besides the API token. These are the values the
 * official TypeScript SDK's generated tests configure, so those tests can run against the emulator.
 */
export const SANDBOX_CLOUDFLARE_KEY_PAIR = {
  email: 'user@example.com',
  key: '144c9defac04969c7bfad8efaa8ea194',
} as const;

const [PRIMARY_ZONE, SECONDARY_ZONE] = SANDBOX_CLOUDFLARE.zoneIds;

export const DEMO_CLOUDFLARE = {
  epoch: '2026-11-01T00:00:00.000Z',
  accountId: SANDBOX_CLOUDFLARE.accountId,
  zones: {
    primary: { id: PRIMARY_ZONE, name: 'example.com' },
    secondary: { id: SECONDARY_ZONE, name: 'example.net' },
  },
  subdomains: {
    /** zone example.com; enabled, DNS ready */
    mail: { tag: 'aabbccdd11223344aabbccdd11223344', name: 'mail.example.com', zoneId: PRIMARY_ZONE },
    /** zone example.com; enabled, DNS ready, activity-log preview on */
    notify: { tag: '5f0c2d8e9a1b4c7d8e2f3a4b5c6d7e8f', name: 'notify.example.com', zoneId: PRIMARY_ZONE },
    /** zone example.net; enabled, DMARC record missing (DNS status `unconfigured`) */
    send: { tag: '7c1e9a3b5d2f4e6a8b0c1d2e3f4a5b6c', name: 'send.example.net', zoneId: SECONDARY_ZONE },
    /** zone example.net; deleted (sending disabled): not listed, 404 by tag, 403/10203 when used as sender */
    legacy: { tag: '0d4b8f2a6c1e3a5b7d9f0e2c4a6b8d1f', name: 'legacy.example.net', zoneId: SECONDARY_ZONE },
  },
} as const;

const DAY = 86_400_000;

export function buildCloudflareDemo(seed: number): CloudflareState {
  const { zones, subdomains: s } = DEMO_CLOUDFLARE;
  const record = (demo: { tag: string; name: string; zoneId: string }, daysAgo: number): SubdomainRecord =>
    newSubdomain(seed, demo.zoneId, demo.tag, demo.name, DEMO_EPOCH - daysAgo * DAY);
  const mail = record(s.mail, 60);
  const notify = record(s.notify, 45);
  notify.previewEnabled = true;
  notify.modified = DEMO_EPOCH - 10 * DAY;
  const send = record(s.send, 30);
  send.missing.add('dmarc');
  const legacy = record(s.legacy, 90);
  legacy.enabled = false;
  // DELETE removes the records it wrote, except DMARC, which a live probe saw left behind (NOTES §4.4).
  for (const role of DNS_RECORD_ROLES) if (role !== 'dmarc') legacy.missing.add(role);
  legacy.modified = DEMO_EPOCH - 20 * DAY;
  return {
    zones: [
      { id: zones.primary.id, name: zones.primary.name },
      { id: zones.secondary.id, name: zones.secondary.name },
    ],
    subdomains: [legacy, mail, notify, send],
    sent: [],
  };
}
