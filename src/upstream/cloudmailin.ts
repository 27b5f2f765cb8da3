/**
 * The CloudMailin Core API client (seed `000_f4f25a1e2223f55e.txt`; decisions in
 * `shared/upstream/cloudmailin/NOTES.md`). Reads go cache → in-flight de-duplication → rate budget → call;
 * writes take budget too and then invalidate the reads they affect.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { CloudMailinConfig, UpstreamConfig } from '../config.js';
import {
  type CloudMailinCredentials,
  type ManagementCredentials,
  type OutboundCredentials,
  requireCredentials,
  resolveCredentials,
} from './cloudmailin-credentials.js';
import { mapCloudMailinError } from './cloudmailin-errors.js';
import {
  type Address,
  type AddressInput,
  type CustomDomain,
  type CustomDomainInput,
  type IncomingStatus,
  type MessageInput,
  type OutboundMessage,
  type RawMessageInput,
  type SendingDomain,
  type SentMessage,
  addressSchema,
  customDomainSchema,
  incomingStatusSchema,
  outboundMessageSchema,
  sendingDomainSchema,
  sentMessageSchema,
} from './cloudmailin-wire.js';
import { RateLimitedError, UpstreamError, ValidationError } from './errors.js';
import {
  type HttpRequest,
  type HttpResult,
  HttpTransport,
  type QueryValue,
  type UpstreamCall,
} from './http.js';
import type { BudgetStatus, RateBudget } from './rate-budget.js';
import { type Fetched, invalidate, prime, readThrough } from './read-through.js';
import type { UpstreamShared } from './shared.js';

export type { Fetched } from './read-through.js';
export { createUpstreamShared, type UpstreamShared } from './shared.js';
export type { UpstreamCall } from './http.js';
export { mapCloudMailinError } from './cloudmailin-errors.js';

export interface CloudMailinClientOptions {
  config: CloudMailinConfig;
  upstream: UpstreamConfig;
  shared: UpstreamShared;
  dispatcher?: Dispatcher;
  onCall?: (call: UpstreamCall) => void;
}

/** 5 calls per minute is documented; the extra second absorbs latency and clock skew between the two sides. */
const BUDGET_WINDOW_MS = 61_000;
/** Priming single-object caches from a list stops here, so one long list cannot flush the whole cache. */
const PRIME_LIMIT = 200;
/** Upstream failures after which a write may or may not have happened. */
const AMBIGUOUS_FAILURES = new Set(['TIMEOUT', 'NETWORK', 'SERVER_ERROR']);

const addressListSchema = z.array(addressSchema);
const incomingStatusListSchema = z.array(incomingStatusSchema);
const customDomainListSchema = z.array(customDomainSchema);
const outboundMessageListSchema = z.array(outboundMessageSchema);
const sendingDomainListSchema = z.array(sendingDomainSchema);

type Query = ReadonlyArray<readonly [string, QueryValue]>;
type Request<T> = Omit<HttpRequest<T>, 'authorization'>;
type Credential = 'api-key' | 'smtp-token';
/** Single-object cache entries a response can fill: [path segments, value]. */
type Primer<T> = (data: T) => Array<readonly [string[], unknown]>;

interface ListArgs {
  query?: string | null;
  page?: number | null;
}

export class CloudMailinClient {
  private readonly transport: HttpTransport;
  private readonly credentials: CloudMailinCredentials;
  private readonly shared: UpstreamShared;
  private readonly upstream: UpstreamConfig;
  private readonly ratePerMinute: number;

  constructor(options: CloudMailinClientOptions) {
    const { config, upstream, shared } = options;
    this.shared = shared;
    this.upstream = upstream;
    this.ratePerMinute = config.ratePerMinute;
    this.credentials = resolveCredentials(config);
    this.transport = new HttpTransport({
      provider: 'CLOUDMAILIN',
      baseUrl: config.apiUrl,
      timeoutMs: upstream.timeoutMs,
      maxResponseBytes: upstream.maxResponseBytes,
      dispatcher: options.dispatcher,
      onCall: options.onCall,
      mapError: (status, body, headers, context) =>
        mapCloudMailinError(status, body, headers, { ...context, now: shared.now() }),
    });
  }

  // Inbound addresses

  async listAddresses(): Promise<Fetched<Address[]>> {
    const m = this.management();
    return this.read(
      m,
      {
        method: 'GET',
        segments: [m.accountId, 'addresses'],
        schema: addressListSchema,
        expect: [200],
        route: '/addresses',
      },
      (addresses) => addresses.map((address) => [[m.accountId, 'addresses', address.id], address]),
    );
  }

  async getAddress(id: string): Promise<Fetched<Address>> {
    const m = this.management();
    return this.read(m, {
      method: 'GET',
      segments: [m.accountId, 'addresses', id],
      schema: addressSchema,
      expect: [200],
      route: '/addresses/{id}',
      errorContext: { resource: 'InboundAddress', id },
    });
  }

  async createAddress(input: AddressInput): Promise<Address> {
    const m = this.management();
    const { data } = await this.write(m, {
      method: 'POST',
      segments: [m.accountId, 'addresses'],
      body: input,
      schema: addressSchema,
      expect: [201, 200],
      route: '/addresses',
      invalidates: [this.path(m.accountId, 'addresses')],
    });
    const address = required(data);
    await this.prime(m.scope, [m.accountId, 'addresses', address.id], address);
    return address;
  }

  /** PUT with the full body (NOTES: `target` and `target_format` are required, so PUT semantics). */
  async updateAddress(id: string, input: AddressInput): Promise<Address> {
    const m = this.management();
    const { data } = await this.write(m, {
      method: 'PUT',
      segments: [m.accountId, 'addresses', id],
      body: input,
      schema: addressSchema,
      // The status is undocumented (NOTES §1.4). A 204 means the body we sent is now the address.
      expect: [200, 202, 204],
      route: '/addresses/{id}',
      errorContext: { resource: 'InboundAddress', id },
      invalidates: [this.path(m.accountId, 'addresses')],
    });
    const address = data ?? { id, ...input };
    await this.prime(m.scope, [m.accountId, 'addresses', id], address);
    return address;
  }

  /** Expects 202 with the deleted address. Also forgets the address's custom domains and incoming statuses. */
  async deleteAddress(id: string): Promise<Address> {
    const m = this.management();
    const known = addressSchema.safeParse(await this.known(m.scope, this.path(m.accountId, 'addresses', id)));
    const { data } = await this.write(m, {
      method: 'DELETE',
      segments: [m.accountId, 'addresses', id],
      schema: addressSchema,
      expect: [202, 200, 204],
      route: '/addresses/{id}',
      errorContext: { resource: 'InboundAddress', id },
      invalidates: [
        this.path(m.accountId, 'addresses'),
        this.transport.path([m.accountId, 'custom_domains'], [['address_id', id]]),
        this.transport.path([m.accountId, 'incoming_statuses'], [['address_id', id]]),
      ],
    });
    return data ?? known.data ?? { id };
  }

  // Incoming statuses and custom domains (both take `address_id` as a query parameter)

  async listIncomingStatuses(args: { addressId: string } & ListArgs): Promise<Fetched<IncomingStatus[]>> {
    const m = this.management();
    return this.read(m, {
      method: 'GET',
      segments: [m.accountId, 'incoming_statuses'],
      query: [['address_id', args.addressId], ...listQuery(args)],
      schema: incomingStatusListSchema,
      expect: [200],
      route: '/incoming_statuses',
      errorContext: { resource: 'InboundAddress', id: args.addressId },
    });
  }

  async listCustomDomains(args: { addressId: string } & ListArgs): Promise<Fetched<CustomDomain[]>> {
    const m = this.management();
    return this.read(m, {
      method: 'GET',
      segments: [m.accountId, 'custom_domains'],
      query: [['address_id', args.addressId], ...listQuery(args)],
      schema: customDomainListSchema,
      expect: [200],
      route: '/custom_domains',
      errorContext: { resource: 'InboundAddress', id: args.addressId },
    });
  }

  async createCustomDomain(addressId: string, input: CustomDomainInput): Promise<CustomDomain> {
    const m = this.management();
    const { data } = await this.write(m, {
      method: 'POST',
      segments: [m.accountId, 'custom_domains'],
      query: [['address_id', addressId]],
      body: input,
      schema: customDomainSchema,
      expect: [201, 200],
      route: '/custom_domains',
      errorContext: { resource: 'InboundAddress', id: addressId },
      invalidates: [this.transport.path([m.accountId, 'custom_domains'], [['address_id', addressId]])],
    });
    return required(data);
  }

  async deleteCustomDomain(addressId: string, id: string): Promise<CustomDomain> {
    const m = this.management();
    // There is no show route; the address's first list page is the only place a domain may be known from.
    const firstPage = this.transport.path([m.accountId, 'custom_domains'], [['address_id', addressId]]);
    const known = customDomainListSchema.safeParse(await this.known(m.scope, firstPage));
    const { data } = await this.write(m, {
      method: 'DELETE',
      segments: [m.accountId, 'custom_domains', id],
      query: [['address_id', addressId]],
      schema: customDomainSchema,
      expect: [202, 200, 204],
      route: '/custom_domains/{id}',
      errorContext: { resource: 'CustomDomain', id },
      invalidates: [firstPage],
    });
    return data ?? known.data?.find((domain) => domain.id === id) ?? { id, domain: '' };
  }

  // Sending: `{apiUrl}/{smtpUsername}/messages` with the SMTP token; not budgeted (a separate product), but
  // a 429 still blocks further sends until its Retry-After.

  async sendMessage(input: MessageInput): Promise<SentMessage> {
    return this.send(input);
  }

  async sendRawMessage(input: RawMessageInput): Promise<SentMessage> {
    return this.send(input);
  }

  // Outbound messages

  async listOutboundMessages(args: ListArgs): Promise<Fetched<OutboundMessage[]>> {
    const o = this.outbound();
    // No priming: list items lack the recipients' `events` that the show response carries.
    return this.read(o, {
      method: 'GET',
      segments: [o.management.accountId, 'outbound_messages'],
      query: [['outbound_account_id', o.outboundAccountId], ...listQuery(args)],
      schema: outboundMessageListSchema,
      expect: [200],
      route: '/outbound_messages',
    });
  }

  async getOutboundMessage(id: string): Promise<Fetched<OutboundMessage>> {
    const o = this.outbound();
    return this.read(o, {
      method: 'GET',
      segments: [o.management.accountId, 'outbound_messages', id],
      schema: outboundMessageSchema,
      expect: [200],
      route: '/outbound_messages/{id}',
      errorContext: { resource: 'OutboundMessage', id },
    });
  }

  // Sending domains

  async listSendingDomains(args: ListArgs): Promise<Fetched<SendingDomain[]>> {
    const m = this.management();
    return this.read(
      m,
      {
        method: 'GET',
        segments: [m.accountId, 'sending_domains'],
        query: listQuery(args),
        schema: sendingDomainListSchema,
        expect: [200],
        route: '/sending_domains',
      },
      (domains) => domains.map((domain) => [[m.accountId, 'sending_domains', domain.id], domain]),
    );
  }

  async getSendingDomain(id: string): Promise<Fetched<SendingDomain>> {
    const m = this.management();
    return this.read(m, {
      method: 'GET',
      segments: [m.accountId, 'sending_domains', id],
      schema: sendingDomainSchema,
      expect: [200],
      route: '/sending_domains/{id}',
      errorContext: { resource: 'CloudMailinSendingDomain', id },
    });
  }

  async createSendingDomain(domain: string): Promise<SendingDomain> {
    const m = this.management();
    const { data } = await this.write(m, {
      method: 'POST',
      segments: [m.accountId, 'sending_domains'],
      body: { domain },
      schema: sendingDomainSchema,
      expect: [201, 200],
      route: '/sending_domains',
      invalidates: [this.path(m.accountId, 'sending_domains')],
    });
    const created = required(data);
    await this.prime(m.scope, [m.accountId, 'sending_domains', created.id], created);
    return created;
  }

  async deleteSendingDomain(id: string): Promise<SendingDomain> {
    const m = this.management();
    const single = this.path(m.accountId, 'sending_domains', id);
    const known = sendingDomainSchema.safeParse(await this.known(m.scope, single));
    const { data } = await this.write(m, {
      method: 'DELETE',
      segments: [m.accountId, 'sending_domains', id],
      schema: sendingDomainSchema,
      expect: [202, 200, 204],
      route: '/sending_domains/{id}',
      errorContext: { resource: 'CloudMailinSendingDomain', id },
      invalidates: [this.path(m.accountId, 'sending_domains')],
    });
    return data ?? known.data ?? { id, domain: '' };
  }

  /** 200 → verified; 422 with a SendingDomain body → checked but not (yet) verified, which is not an error. */
  async verifySendingDomain(id: string): Promise<{ domain: SendingDomain; verified: boolean }> {
    const m = this.management();
    const { status, data } = await this.write(m, {
      method: 'POST',
      segments: [m.accountId, 'sending_domains', id, 'verify'],
      schema: sendingDomainSchema,
      expect: [200],
      resourceOnStatus: [422],
      route: '/sending_domains/{id}/verify',
      errorContext: { resource: 'CloudMailinSendingDomain', id },
      // Either way the verification flags may have changed.
      invalidates: [this.path(m.accountId, 'sending_domains')],
    });
    const domain = required(data);
    await this.prime(m.scope, [m.accountId, 'sending_domains', id], domain);
    return { domain, verified: status === 200 };
  }

  // Plumbing

  /** The management API's budget as it stands now (5 calls per minute by default); null without credentials. */
  rateBudget(): BudgetStatus | null {
    const m = this.credentials.management;
    return m === null ? null : this.budget(m.scope, this.ratePerMinute).status();
  }

  private management(): ManagementCredentials {
    return requireCredentials(this.credentials.management, 'management API (account id and API key)');
  }

  private outbound(): OutboundCredentials {
    return requireCredentials(this.credentials.outbound, 'management API and SMTP username');
  }

  private budget(scope: string, calls: number): RateBudget {
    return this.shared.budgets.forScope(scope, { calls, windowMs: BUDGET_WINDOW_MS });
  }

  private path(...segments: string[]): string {
    return this.transport.path(segments);
  }

  /** Takes budget, then calls; a 429 from upstream blocks the budget's scope until its Retry-After. */
  private async call<T>(budget: RateBudget, request: HttpRequest<T>): Promise<HttpResult<T>> {
    const decision = await budget.acquire(this.upstream.rateWaitMs);
    if (!decision.ok) {
      const seconds = decision.retryAfterSeconds;
      throw new RateLimitedError(
        `CloudMailin call budget spent; retry in ${seconds} s`,
        'CLOUDMAILIN',
        seconds,
      );
    }
    try {
      return await this.transport.request(request);
    } catch (error) {
      if (error instanceof RateLimitedError) budget.penalize(error.retryAfterSeconds);
      throw error;
    }
  }

  /**
   * Outbound messages are read with the account API key (NOTES). The issue text also says "SMTP token for
   * sending and outbound messages", so when one credential answers 401 and the other is configured, the
   * other is tried once; whichever worked is remembered per scope (in `shared`, since clients may live only
   * for one request) and tried first next time. Each attempt takes budget: each is a call upstream.
   */
  private async callOutbound<T>(o: OutboundCredentials, request: Request<T>): Promise<HttpResult<T>> {
    const secrets: Record<Credential, string | null> = {
      'api-key': o.management.apiKey,
      'smtp-token': o.smtpToken,
    };
    const first: Credential =
      this.shared.credentialChoice.get(o.scope) === 'smtp-token' ? 'smtp-token' : 'api-key';
    const order: Credential[] = first === 'api-key' ? ['api-key', 'smtp-token'] : ['smtp-token', 'api-key'];
    const usable = order.filter((credential) => secrets[credential] !== null);
    const budget = this.budget(o.management.scope, this.ratePerMinute);
    for (const [index, credential] of usable.entries()) {
      try {
        const result = await this.call(budget, {
          ...request,
          authorization: `Bearer ${secrets[credential]}`,
        });
        this.shared.credentialChoice.set(o.scope, credential);
        return result;
      } catch (error) {
        const unauthorized = error instanceof UpstreamError && error.code === 'UNAUTHORIZED';
        if (!unauthorized || index === usable.length - 1) throw error;
      }
    }
    throw new Error('unreachable: the API key is always usable');
  }

  private async read<T>(
    credentials: ManagementCredentials | OutboundCredentials,
    request: Request<T>,
    primer?: Primer<T>,
  ): Promise<Fetched<T>> {
    const scope = credentials.scope;
    const load = async () => {
      const result =
        'outboundAccountId' in credentials
          ? await this.callOutbound(credentials, request)
          : await this.call(this.budget(credentials.scope, this.ratePerMinute), {
              ...request,
              authorization: `Bearer ${credentials.apiKey}`,
            });
      return required(result.data);
    };
    const afterLoad =
      primer === undefined
        ? undefined
        : async (data: T) => {
            for (const [segments, value] of primer(data).slice(0, PRIME_LIMIT))
              await this.prime(scope, segments, value);
          };
    return readThrough(this.shared, {
      scope,
      key: this.transport.path(request.segments, request.query),
      ttlSeconds: this.upstream.cacheTtlSeconds,
      load,
      afterLoad,
    });
  }

  /** A budgeted write; on success (or an outcome that leaves it unknown whether it happened) invalidates. */
  private async write<T>(
    m: ManagementCredentials,
    spec: Request<T> & { invalidates: string[] },
  ): Promise<HttpResult<T>> {
    const { invalidates, ...request } = spec;
    const forget = () => Promise.all(invalidates.map((prefix) => invalidate(this.shared, m.scope, prefix)));
    try {
      const result = await this.call(this.budget(m.scope, this.ratePerMinute), {
        ...request,
        authorization: `Bearer ${m.apiKey}`,
      });
      await forget();
      return result;
    } catch (error) {
      if (error instanceof UpstreamError && AMBIGUOUS_FAILURES.has(error.code)) await forget();
      throw error;
    }
  }

  /**
   * Deletes answer 202 with the deleted object. Should one answer 204 (no body), the object is taken from
   * what the cache knew (looked up before the delete invalidates it), else a minimal object carrying only
   * the id, which is safe for a resource that no longer exists.
   */
  private async known(scope: string, key: string): Promise<unknown> {
    return (await this.shared.cache.get(scope, key))?.value;
  }

  private async send(input: MessageInput | RawMessageInput): Promise<SentMessage> {
    const s = requireCredentials(this.credentials.sending, 'sending (SMTP username and token)');
    const o = this.credentials.outbound;
    const forget = async () => {
      if (o !== null) {
        await invalidate(this.shared, o.scope, this.path(o.management.accountId, 'outbound_messages'));
      }
    };
    try {
      const { data } = await this.call(this.budget(s.scope, 0), {
        method: 'POST',
        segments: [s.username, 'messages'],
        body: input,
        authorization: `Bearer ${s.token}`,
        schema: sentMessageSchema,
        // 202 is documented. Any 2xx carrying the message means it was accepted: reporting an accepted send
        // as failed would invite a duplicate.
        expect: [202, 200, 201],
        route: '/messages',
        errorContext: { resource: 'OutboundAccount', id: s.username },
      });
      await forget();
      return required(data);
    } catch (error) {
      if (error instanceof UpstreamError && AMBIGUOUS_FAILURES.has(error.code)) await forget();
      throw error;
    }
  }

  private prime(scope: string, segments: string[], value: unknown): Promise<void> {
    return prime(this.shared, this.transport, this.upstream.cacheTtlSeconds, scope, segments, value);
  }
}

function listQuery(args: ListArgs): Query {
  const query: Array<readonly [string, QueryValue]> = [];
  // The spec marks `query` optional; an empty one is not sent, so "" and absent share a cache entry.
  if (typeof args.query === 'string' && args.query.trim() !== '') query.push(['query', args.query]);
  if (args.page !== undefined && args.page !== null) {
    if (!Number.isSafeInteger(args.page) || args.page < 1) {
      throw new ValidationError('page must be a whole number of at least 1', [
        { path: 'page', message: 'must be a whole number of at least 1' },
      ]);
    }
    query.push(['page', args.page]);
  }
  return query;
}

/** A 2xx the transport accepted without a body (204) where the call needs one. */
function required<T>(data: T | null): T {
  if (data === null) {
    throw new UpstreamError('CloudMailin answered without a body', 'CLOUDMAILIN', 204, 'MALFORMED_RESPONSE');
  }
  return data;
}
