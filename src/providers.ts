/** Builds the provider clients from the configuration: one place for the server, the tests and the bench. */
import type { Dispatcher } from 'undici';
import type { Config } from './config.js';
import { CloudflareClient } from './upstream/cloudflare.js';
import { CloudMailinClient } from './upstream/cloudmailin.js';
import { type Plain, type Staleness, plain } from './upstream/facade.js';
import type { UpstreamCall } from './upstream/http.js';
import { type UpstreamShared, createUpstreamShared } from './upstream/shared.js';

/** The provider clients, shared by every request (they hold no per-request state). */
export interface Providers {
  cloudmailin: CloudMailinClient;
  cloudflare: CloudflareClient;
}

/** What one request's resolvers and loaders call: the clients, answering plain data (see facade.ts). */
export interface RequestProviders {
  cloudmailin: Plain<CloudMailinClient>;
  cloudflare: Plain<CloudflareClient>;
}

export function forRequest(providers: Providers, staleness: Staleness): RequestProviders {
  return {
    cloudmailin: plain(providers.cloudmailin, staleness),
    cloudflare: plain(providers.cloudflare, staleness),
  };
}

export interface ProviderOptions {
  shared?: UpstreamShared;
  dispatcher?: Dispatcher;
  onCall?: (call: UpstreamCall) => void;
}

export function createProviders(config: Config, options: ProviderOptions = {}): Providers {
  const shared = options.shared ?? createUpstreamShared();
  const common = {
    upstream: config.upstream,
    shared,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  };
  return {
    cloudmailin: new CloudMailinClient({ config: config.cloudmailin, ...common }),
    cloudflare: new CloudflareClient({ config: config.cloudflare, ...common }),
  };
}
