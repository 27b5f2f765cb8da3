/**
 * Per-request DataLoaders, all made here. Each batch function re-keys what the provider returns by id
 * (never by position) and answers every key: the object, or the typed error for that key. Sharing across
 * requests (cache, in-flight de-duplication, rate budget) happens below, in the upstream layer. Outbound
 * messages read the event log first: what it holds from `registration` on needs no show call, and what it
 * holds beyond a (cached) show is added to it (src/events/outbound-history.ts).
 */
import DataLoader from 'dataloader';
import { NotFoundError } from './errors.js';
import type { EventLog } from './events/log.js';
import {
  EMPTY_MESSAGE_LOG,
  type MessageLog,
  messageFromLog,
  outboundDirectory,
  readMessageLog,
  withLoggedEvents,
} from './events/outbound-history.js';
import type { RequestProviders } from './providers.js';
import type {
  CloudflareDnsRecord,
  CloudflareDnsStatus,
  CloudflareSubdomain,
} from './upstream/cloudflare-wire.js';
import type { Address, OutboundMessage, SendingDomain } from './upstream/cloudmailin-wire.js';

/** Key of a Cloudflare sending subdomain: its zone and its tag. */
export function subdomainKey(zoneId: string, id: string): string {
  return `${zoneId}/${id}`;
}

function splitSubdomainKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

export interface Loaders {
  address: DataLoader<string, Address>;
  /**
   * One outbound message with every recipient's history: from the event log alone when it holds every
   * recipient from `registration` on and the message's fields are known; else the show call, with the
   * log's later events added.
   */
  outboundMessage: DataLoader<string, OutboundMessage>;
  /** What the event log holds of one outbound message, per recipient: one log read per message and request. */
  outboundMessageLog: DataLoader<string, MessageLog>;
  sendingDomain: DataLoader<string, SendingDomain>;
  /** Keyed by `subdomainKey(zoneId, id)`. */
  cloudflareSubdomain: DataLoader<string, CloudflareSubdomain>;
  /** DNS records per subdomain, keyed by `subdomainKey(zoneId, id)`: one call per subdomain, de-duplicated. */
  cloudflareDns: DataLoader<string, CloudflareDnsRecord[]>;
  /**
   * DNS status per subdomain (which records are in place), keyed by `subdomainKey(zoneId, id)`: one call per
   * subdomain, de-duplicated, and cached upstream like the DNS list.
   */
  cloudflareDnsStatus: DataLoader<string, CloudflareDnsStatus>;
}

/** Per-key loads: each key's answer, or its error, in key order (there are no batch endpoints). */
function eachKey<K, V>(load: (key: K) => Promise<V>): DataLoader.BatchLoadFn<K, V> {
  return (keys) => Promise.all(keys.map((key) => load(key).catch((error: Error) => error)));
}

export function createLoaders({ cloudmailin, cloudflare }: RequestProviders, events?: EventLog): Loaders {
  const directory = events ? outboundDirectory(events) : null;
  // A log that cannot be read answers as if it held nothing: the provider is asked, as before the log existed.
  const outboundMessageLog = new DataLoader<string, MessageLog>(
    eachKey((id: string) =>
      events ? readMessageLog(events, id).catch(() => EMPTY_MESSAGE_LOG) : Promise.resolve(EMPTY_MESSAGE_LOG),
    ),
  );
  return {
    // One address: GET /addresses/{id}. Several: the list (one call, the API does not page it).
    address: new DataLoader<string, Address>(async (ids) => {
      if (ids.length === 1) return [await cloudmailin.getAddress(ids[0] as string)];
      const byId = new Map((await cloudmailin.listAddresses()).map((address) => [address.id, address]));
      return ids.map(
        (id) => byId.get(id) ?? new NotFoundError(`No inbound address ${id}.`, 'InboundAddress', id),
      );
    }),
    // The show endpoint is the provider's only source of full event histories; there is no batch endpoint.
    outboundMessage: new DataLoader(
      eachKey(async (id: string) => {
        const logged = await outboundMessageLog.load(id);
        const summary = directory?.get(id);
        const fromLog = summary ? messageFromLog(summary, logged) : null;
        if (fromLog) return fromLog;
        const shown = await cloudmailin.getOutboundMessage(id);
        directory?.remember(shown);
        return withLoggedEvents(shown, logged);
      }),
    ),
    outboundMessageLog,
    sendingDomain: new DataLoader(eachKey((id: string) => cloudmailin.getSendingDomain(id))),
    // Cloudflare has no batch endpoints either: one call per key, with DataLoader folding repeats.
    cloudflareSubdomain: new DataLoader(
      eachKey((key: string) => cloudflare.getSubdomain(...splitSubdomainKey(key))),
    ),
    cloudflareDns: new DataLoader(
      eachKey((key: string) => cloudflare.getSubdomainDns(...splitSubdomainKey(key))),
    ),
    cloudflareDnsStatus: new DataLoader(
      eachKey((key: string) => cloudflare.getSubdomainDnsStatus(...splitSubdomainKey(key))),
    ),
  };
}
