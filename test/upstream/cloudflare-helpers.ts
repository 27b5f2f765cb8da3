/**
 * Shared set-up for the Cloudflare upstream tests: the SDK's own test params as fixtures, the v4 envelope, and
 * a CloudflareClient wired to a MockAgent (the same agent, clock and call log as the CloudMailin harness).
 */
import type { Dispatcher, Interceptable } from 'undici';
import type { CloudflareConfig, UpstreamConfig } from '../../src/config.js';
import type { CloudflareSendInput, CloudflareSendRawInput } from '../../src/upstream/cloudflare-wire.js';
import { CloudflareClient } from '../../src/upstream/cloudflare.js';
import type { UpstreamCall } from '../../src/upstream/http.js';
import type { BudgetLimit } from '../../src/upstream/rate-budget.js';
import type { UpstreamShared } from '../../src/upstream/shared.js';
import { cloudflareSdkParams } from '../helpers/fixtures.js';
import { type MockUpstream, baseUpstream, mockUpstream } from './helpers.js';

export interface SdkTestParams {
  'emailSending.send': {
    only_required: { account_id: string; body: CloudflareSendInput };
    required_and_optional: { account_id: string; body: CloudflareSendInput };
  };
  'emailSending.sendRaw': { only_required: { account_id: string; body: CloudflareSendRawInput } };
  'emailSending.subdomains.create': { only_required: { zone_id: string; body: { name: string } } };
  'emailSending.subdomains.get': { only_required: { zone_id: string; subdomain_id: string } };
}

export const SDK_PARAMS = cloudflareSdkParams<SdkTestParams>();

export const ORIGIN = 'https://cloudflare.test';
export const BASE = '/client/v4';
export const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';
export const TOKEN = 'cf-api-token-A-0123456789';
/** The SDK tests' zone and subdomain ids. */
export const ZONE = SDK_PARAMS['emailSending.subdomains.get'].only_required.zone_id;
export const SUB = SDK_PARAMS['emailSending.subdomains.get'].only_required.subdomain_id;
export const ZONE2 = '9a7806061c88ada191ed06f989cc3dac';

/** A v4 success envelope around `result`. */
export const ok = (result: unknown, extra: Record<string, unknown> = {}) => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...extra,
});

export const SEND_RESULT = {
  delivered: ['recipient@example.com'],
  message_id: '<aB3xK9mP2qR5sT8uV0wX1yZ4cD6fG7hJ9kL0@example.com>',
  permanent_bounces: [],
  queued: [],
};

export const baseConfig: CloudflareConfig = {
  apiUrl: `${ORIGIN}${BASE}`,
  apiToken: TOKEN,
  accountId: ACCOUNT,
  zoneIds: [ZONE, ZONE2],
};

export interface ClientOverrides {
  config?: Partial<CloudflareConfig>;
  upstream?: Partial<UpstreamConfig>;
  shared: UpstreamShared;
  onCall?: (call: UpstreamCall) => void;
  budget?: BudgetLimit;
}

/** A CloudflareClient on `baseConfig` and `baseUpstream`, with `options` laid over them, calling `dispatcher`. */
export function cloudflareClient(dispatcher: Dispatcher, options: ClientOverrides): CloudflareClient {
  return new CloudflareClient({
    config: { ...baseConfig, ...options.config },
    upstream: { ...baseUpstream, ...options.upstream },
    shared: options.shared,
    dispatcher,
    onCall: options.onCall,
    budget: options.budget,
  });
}

export interface CloudflareHarnessOptions {
  config?: Partial<CloudflareConfig>;
  upstream?: Partial<UpstreamConfig>;
  budget?: BudgetLimit;
}

export interface CloudflareHarness extends MockUpstream {
  pool: Interceptable;
  client: CloudflareClient;
  makeClient: (config?: Partial<CloudflareConfig>) => CloudflareClient;
}

/** Like `harness` for CloudMailin: close it with `closeHarnesses` in `afterEach`. */
export function cloudflareHarness(options: CloudflareHarnessOptions = {}): CloudflareHarness {
  const mock = mockUpstream();
  const makeClient = (config: Partial<CloudflareConfig> = {}) =>
    cloudflareClient(mock.agent, {
      config: { ...options.config, ...config },
      upstream: options.upstream,
      shared: mock.shared,
      onCall: (call) => mock.calls.push(call),
      budget: options.budget,
    });
  return {
    ...mock,
    pool: mock.agent.get<Interceptable>(ORIGIN),
    client: makeClient(),
    makeClient,
  };
}
