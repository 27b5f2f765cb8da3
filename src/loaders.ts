/**
 * Per-request DataLoaders, all made here. Each batch function re-keys what the provider returns by id
 * (never by position) and answers every key: the object, or the typed error for that key. Sharing across
 * requests (cache, in-flight de-duplication, rate budget) happens below, in the upstream layer.
 */
import DataLoader from 'dataloader';
import type { Address, OutboundMessage, SendingDomain } from './upstream/cloudmailin-wire.js';
import type { CloudMailinClient, Fetched } from './upstream/cloudmailin.js';
import { NotFoundError } from './upstream/errors.js';

export interface UpstreamMeta {
  /** Set when any answer of this request came from an expired cache entry (the rate budget was spent). */
  stale: boolean;
}

export interface Loaders {
  address: DataLoader<string, Address>;
  outboundMessage: DataLoader<string, OutboundMessage>;
  sendingDomain: DataLoader<string, SendingDomain>;
}

export function createLoaders(cloudmailin: CloudMailinClient, meta: UpstreamMeta): Loaders {
  const unwrap = <T>(fetched: Fetched<T>): T => {
    if (fetched.stale) meta.stale = true;
    return fetched.data;
  };

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
  };
}
