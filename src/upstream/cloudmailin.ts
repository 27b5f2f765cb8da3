/**
 * The CloudMailin Core API client (seed `000_f4f25a1e2223f55e.txt`; decisions in
 * `shared/upstream/cloudmailin/NOTES.md`). Reads go cache → in-flight de-duplication → rate budget → call;
 * writes take budget too and then invalidate the reads they affect.
 */
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { CloudMailinConfig, UpstreamConfig } from '../config.js';
import { SendOutcomeUnknownError, ValidationError } from '../errors.js';
import { DEFAULT_STALE_GRACE_MS } from './cache.js';
import {
  type CloudMailinCredentials,
  type ManagementCredentials,
  type OutboundCredentials,
  requireCredentials,
  resolveCredentials,
} from './cloudmailin-credentials.js';
import { mapCloudMailinError } from './cloudmailin-errors.js';
import { OutdatedLists, SentLedger, type SentRecord } from './cloudmailin-sent.js';
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
import { type Fetched, type PageSizeMemory, type Primes, ProviderCore, type Query } from './core.js';
import {
  type HttpRequest,
  type HttpResult,
  HttpTransport,
  type QueryValue,
  type UpstreamCall,
} from './http.js';
import type { BudgetStatus, CallBudget } from './rate-budget.js';
import { sendFailure } from './send-outcome.js';
import type { UpstreamShared } from './shared.js';

export interface CloudMailinClientOptions {
  config: CloudMailinConfig;
  upstream: UpstreamConfig;
  shared: UpstreamShared;
  dispatcher?: Dispatcher;
  onCall?: (call: UpstreamCall) => void;
}

/** 5 calls per minute is documented; the extra second absorbs latency and clock skew between the two sides. */
const BUDGET_WINDOW_MS = 61_000;

const addressListSchema = z.array(addressSchema);
const incomingStatusListSchema = z.array(incomingStatusSchema);
const customDomainListSchema = z.array(customDomainSchema);
const outboundMessageListSchema = z.array(outboundMessageSchema);
const sendingDomainListSchema = z.array(sendingDomainSchema);

type Request<T> = Omit<HttpRequest<T>, 'authorization'>;

interface ListArgs {
  query?: string | null;
  page?: number | null;
}

export class CloudMailinClient {
  private readonly core: ProviderCore;
  private readonly credentials: CloudMailinCredentials;
  private readonly ratePerMinute: number;
  /** Accepted sends, laid over the cached first page of the outbound list by the graph. */
  private readonly sent: SentLedger;
  /** The other outbound list pages read, which a send drops. */
  private readonly outdatedBySend = new OutdatedLists();

  constructor(options: CloudMailinClientOptions) {
    const { config, upstream, shared } = options;
    this.ratePerMinute = config.ratePerMinute;
    // A cached page is served for its TTL, then as stale for the grace period: no longer can predate a send.
    this.sent = new SentLedger({
      now: shared.now,
      maxAgeMs: upstream.cacheTtlSeconds * 1000 + DEFAULT_STALE_GRACE_MS,
    });
    this.credentials = resolveCredentials(config);
    const transport = new HttpTransport({
      provider: 'CLOUDMAILIN',
      baseUrl: config.apiUrl,
      timeoutMs: upstream.timeoutMs,
      maxResponseBytes: upstream.maxResponseBytes,
      dispatcher: options.dispatcher,
      onCall: options.onCall,
      mapError: (status, body, headers, context) =>
        mapCloudMailinError(status, body, headers, { ...context, now: shared.now() }),
    });
    this.core = new ProviderCore({
      provider: 'CLOUDMAILIN',
      name: 'CloudMailin',
      shared,
      transport,
      ttlSeconds: upstream.cacheTtlSeconds,
      rateWaitMs: upstream.rateWaitMs,
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
    const address = this.core.required(data);
    await this.core.prime(m.scope, [m.accountId, 'addresses', address.id], address);
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
    await this.core.prime(m.scope, [m.accountId, 'addresses', id], address);
    return address;
  }

  /** Expects 202 with the deleted address. Also forgets the address's custom domains and incoming statuses. */
  async deleteAddress(id: string): Promise<Address> {
    const m = this.management();
    const known = addressSchema.safeParse(
      await this.core.known(m.scope, this.path(m.accountId, 'addresses', id)),
    );
    const { data } = await this.write(m, {
      method: 'DELETE',
      segments: [m.accountId, 'addresses', id],
      schema: addressSchema,
      expect: [202, 200, 204],
      route: '/addresses/{id}',
      errorContext: { resource: 'InboundAddress', id },
      invalidates: [
        this.path(m.accountId, 'addresses'),
        this.core.path([m.accountId, 'custom_domains'], [['address_id', id]]),
        this.core.path([m.accountId, 'incoming_statuses'], [['address_id', id]]),
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

  /**
   * Forgets the cached incoming statuses of an address (every page and query), so that the next read
   * fetches them: new mail arrived (the inbound webhook stored it). No call, no budget.
   */
  async forgetIncomingStatuses(addressId: string): Promise<void> {
    const m = this.credentials.management;
    if (m === null) return;
    const prefix = this.core.path([m.accountId, 'incoming_statuses'], [['address_id', addressId]]);
    await this.core.invalidate(m.scope, [prefix]);
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
      invalidates: [this.core.path([m.accountId, 'custom_domains'], [['address_id', addressId]])],
    });
    return this.core.required(data);
  }

  async deleteCustomDomain(addressId: string, id: string): Promise<CustomDomain> {
    const m = this.management();
    // There is no show route; the address's first list page is the only place a domain may be known from.
    const firstPage = this.core.path([m.accountId, 'custom_domains'], [['address_id', addressId]]);
    const known = customDomainListSchema.safeParse(await this.core.known(m.scope, firstPage));
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
    const query: Query = [['outbound_account_id', o.outboundAccountId], ...listQuery(args)];
    // The unfiltered first page stays cached across sends (see `recentSends`); the others do not.
    const firstPage = !query.some(([name, value]) => name === 'query' || (name === 'page' && value !== 1));
    if (!firstPage) {
      this.outdatedBySend.note(this.core.path([o.management.accountId, 'outbound_messages'], query));
    }
    // No priming: list items lack the recipients' `events` that the show response carries.
    const fetched = await this.read(
      o,
      {
        method: 'GET',
        segments: [o.management.accountId, 'outbound_messages'],
        query,
        schema: outboundMessageListSchema,
        expect: [200],
        route: '/outbound_messages',
      },
      undefined,
      firstPage ? (startedAt) => this.sent.settle(startedAt) : undefined,
    );
    if (firstPage) this.sent.listed(fetched.data.map((message) => message.id));
    return fetched;
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
    const created = this.core.required(data);
    await this.core.prime(m.scope, [m.accountId, 'sending_domains', created.id], created);
    return created;
  }

  async deleteSendingDomain(id: string): Promise<SendingDomain> {
    const m = this.management();
    const single = this.path(m.accountId, 'sending_domains', id);
    const known = sendingDomainSchema.safeParse(await this.core.known(m.scope, single));
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
    const domain = this.core.required(data);
    await this.core.prime(m.scope, [m.accountId, 'sending_domains', id], domain);
    return { domain, verified: status === 200 };
  }

  /**
   * The messages CloudMailin accepted from this process that the cached first page of the outbound list
   * may not show yet, newest first: a send keeps that page instead of dropping it (one list call per send
   * would overrun the 5 calls a minute), and the graph lays these on top (src/schema/outbound-message.ts).
   * Sends in `test_mode` are not among them (CloudMailin lists nothing for them), nor sends this process
   * has since seen on the first page or fetched the first page after (see cloudmailin-sent.ts).
   */
  recentSends(): SentRecord[] {
    return this.sent.recent();
  }

  // Plumbing: credentials and budgets; everything else is the core's.

  /** The management API's budget as it stands now (5 calls per minute by default); null without credentials. */
  async rateBudget(): Promise<BudgetStatus | null> {
    const m = this.credentials.management;
    return m === null ? null : this.budget(m.scope).status();
  }

  /** What the lists of `route` (e.g. `/incoming_statuses`) have shown of the undocumented page size. */
  pageSizeMemory(
    route: '/incoming_statuses' | '/custom_domains' | '/outbound_messages' | '/sending_domains',
  ): PageSizeMemory {
    return this.core.pageSizeMemory(this.credentials.management?.scope ?? 'unconfigured', route);
  }

  private management(): ManagementCredentials {
    return requireCredentials(this.credentials.management, 'management API (account id and API key)');
  }

  private outbound(): OutboundCredentials {
    return requireCredentials(this.credentials.outbound, 'management API and SMTP username');
  }

  private budget(scope: string, calls = this.ratePerMinute): CallBudget {
    return this.core.budget(scope, { calls, windowMs: BUDGET_WINDOW_MS });
  }

  private path(...segments: string[]): string {
    return this.core.path(segments);
  }

  private call<T>(budget: CallBudget, request: HttpRequest<T>): Promise<HttpResult<T>> {
    return this.core.budgeted([{ budget, refusal: 'call budget spent' }], () =>
      this.core.transport.request(request),
    );
  }

  /** `loaded` hears of each answer the provider gave (not the cache), with when its call started. */
  private read<T>(
    credentials: ManagementCredentials | OutboundCredentials,
    request: Request<T>,
    primes?: (data: T) => Primes,
    loaded?: (startedAt: number) => void,
  ): Promise<Fetched<T>> {
    return this.core.read({
      scope: credentials.scope,
      segments: request.segments,
      ...(request.query ? { query: request.query } : {}),
      load: async () => {
        // Outbound reads too take the account API key, and only it: the SMTP token is documented for
        // `POST /messages` alone, and a credential never goes to an endpoint not documented to take it.
        const m = 'outboundAccountId' in credentials ? credentials.management : credentials;
        const startedAt = this.core.shared.now();
        const result = await this.call(this.budget(m.scope), {
          ...request,
          authorization: `Bearer ${m.apiKey}`,
        });
        const data = this.core.required(result.data);
        loaded?.(startedAt);
        return data;
      },
      ...(primes ? { primes } : {}),
    });
  }

  /** A budgeted management write that forgets the reads under `invalidates` (see the core). */
  private write<T>(
    m: ManagementCredentials,
    spec: Request<T> & { invalidates: string[] },
  ): Promise<HttpResult<T>> {
    const { invalidates, ...request } = spec;
    return this.core.write({
      scope: m.scope,
      invalidates,
      call: () => this.call(this.budget(m.scope), { ...request, authorization: `Bearer ${m.apiKey}` }),
    });
  }

  /**
   * Sends are not budgeted (NOTES §1.6). A send that may have gone out without a readable answer (a
   * timeout, a lost connection, a 5xx, a 2xx that cannot be read) is a `SendOutcomeUnknownError` saying
   * so; only a 4xx means nothing was sent.
   *
   * What a send changes in the outbound message lists: accepted, it is recorded (`recentSends`) and the
   * list pages other than the unfiltered first one are dropped; in `test_mode` nothing is listed, so
   * nothing changes. Perhaps sent: every list is dropped, since the message, if any, has no id to record.
   * Refused: nothing changes.
   */
  private async send(input: MessageInput | RawMessageInput): Promise<SentMessage> {
    try {
      const sent = await this.sendOnce(input);
      const o = this.credentials.outbound;
      if (o !== null && sent.test_mode !== true) {
        this.sent.record(sent);
        // The first page keeps its cache entry; what it answers now includes the new message.
        this.core.changed(o.scope, [this.path(o.management.accountId, 'outbound_messages')]);
        const outdated = this.outdatedBySend.take();
        if (outdated.length > 0) await this.core.invalidate(o.scope, outdated);
      }
      return sent;
    } catch (error) {
      const failure = sendFailure(error, 'CLOUDMAILIN');
      if (failure instanceof SendOutcomeUnknownError) {
        // The send's doubt is what the caller must hear, even when the cache cannot be reached.
        await this.forgetOutboundLists().catch(() => undefined);
      }
      throw failure;
    }
  }

  private async forgetOutboundLists(): Promise<void> {
    const o = this.credentials.outbound;
    if (o === null) return;
    this.outdatedBySend.take();
    await this.core.invalidate(o.scope, [this.path(o.management.accountId, 'outbound_messages')]);
  }

  private async sendOnce(input: MessageInput | RawMessageInput): Promise<SentMessage> {
    const s = requireCredentials(this.credentials.sending, 'sending (SMTP username and token)');
    const { data } = await this.call(this.budget(s.scope, 0), {
      method: 'POST',
      segments: [s.username, 'messages'],
      body: input,
      authorization: `Bearer ${s.token}`,
      schema: sentMessageSchema,
      // 202 is documented. Any 2xx carrying the message means it was accepted: reporting an accepted
      // send as failed would invite a duplicate.
      expect: [202, 200, 201],
      route: '/messages',
      errorContext: { resource: 'OutboundAccount', id: s.username },
    });
    return this.core.required(data);
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
