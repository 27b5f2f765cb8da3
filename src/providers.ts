/** Builds the provider clients from the configuration: one place for the server, the tests and the bench. */
import type { Dispatcher } from 'undici';
import type { Config } from './config.js';
import type { Providers } from './loaders.js';
import { CloudflareClient } from './upstream/cloudflare.js';
import { CloudMailinClient, type UpstreamCall, createUpstreamShared } from './upstream/cloudmailin.js';
import type { UpstreamShared } from './upstream/shared.js';

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
