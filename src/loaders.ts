/**
 * Per-request DataLoaders, all made here. Each batch function re-keys what the provider returns by id
 * (never by position) and answers every key: the object, or the typed error for that key. Sharing across
 * requests (cache, in-flight de-duplication, rate budget) happens below, in the upstream layer.
 */
import DataLoader from 'dataloader';
import type { CloudflareDnsRecord, CloudflareSubdomain } from './upstream/cloudflare-wire.js';
import type { CloudflareClient } from './upstream/cloudflare.js';
import type { Address, OutboundMessage, SendingDomain } from './upstream/cloudmailin-wire.js';
import type { CloudMailinClient, Fetched } from './upstream/cloudmailin.js';
import { NotFoundError } from './upstream/errors.js';

/** The provider clients, shared by every request (they hold no per-request state). */
export interface Providers {
  cloudmailin: CloudMailinClient;
  cloudflare: CloudflareClient;
}

/** Key of a Cloudflare sending subdomain: its zone and its tag. */
export function subdomainKey(zoneId: string, id: string): string {
  return `${zoneId}/${id}`;
}

function splitSubdomainKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

export interface UpstreamMeta {
  /** Set when any answer of this request came from an expired cache entry (the rate budget was spent). */
  stale: boolean;
}

export interface Loaders {
  address: DataLoader<string, Address>;
  outboundMessage: DataLoader<string, OutboundMessage>;
  sendingDomain: DataLoader<string, SendingDomain>;
  /** Keyed by `subdomainKey(zoneId, id)`. */
  cloudflareSubdomain: DataLoader<string, CloudflareSubdomain>;
  /** DNS records per subdomain, keyed by `subdomainKey(zoneId, id)`: one call per subdomain, de-duplicated. */
  cloudflareDns: DataLoader<string, CloudflareDnsRecord[]>;
}

/** The data of an upstream answer, noting on the request when it came from an expired cache entry. */
export function dataOf<T>(meta: UpstreamMeta, fetched: Fetched<T>): T {
  if (fetched.stale) meta.stale = true;
  return fetched.data;
}

export function createLoaders({ cloudmailin, cloudflare }: Providers, meta: UpstreamMeta): Loaders {
  const unwrap = <T>(fetched: Fetched<T>): T => dataOf(meta, fetched);

  return {
    // One address: GET /addresses/{id}. Several: the list (one call, the API does not page it).
    address: new DataLoader<string, Address>(async (ids) => {
      if (ids.length === 1) {
        return [unwrap(await cloudmailin.getAddress(ids[0] as string))];
      }
      const byId = new Map(unwrap(await cloudmailin.listAddresses()).map((address) => [address.id, address]));
      return ids.map(
        (id) => byId.get(id) ?? new NotFoundError(`No inbound address ${id}.`, 'InboundAddress', id),
      );
    }),
    // The show endpoint is the only source of full event histories; there is no batch endpoint.
    outboundMessage: new DataLoader<string, OutboundMessage>((ids) =>
      Promise.all(ids.map((id) => cloudmailin.getOutboundMessage(id).then(unwrap, (error: Error) => error))),
    ),
    sendingDomain: new DataLoader<string, SendingDomain>((ids) =>
      Promise.all(ids.map((id) => cloudmailin.getSendingDomain(id).then(unwrap, (error: Error) => error))),
    ),
    // Cloudflare has no batch endpoints either: one call per key, with DataLoader folding repeats.
    cloudflareSubdomain: new DataLoader<string, CloudflareSubdomain>((keys) =>
      Promise.all(
        keys.map((key) =>
          cloudflare.getSubdomain(...splitSubdomainKey(key)).then(unwrap, (error: Error) => error),
        ),
      ),
    ),
    cloudflareDns: new DataLoader<string, CloudflareDnsRecord[]>((keys) =>
      Promise.all(
        keys.map((key) =>
          cloudflare.getSubdomainDns(...splitSubdomainKey(key)).then(unwrap, (error: Error) => error),
        ),
      ),
    ),
  };
}
