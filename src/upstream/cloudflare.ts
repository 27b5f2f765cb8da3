/**
 * The Cloudflare Email Sending client (seed `004_267dd784958486ad.txt`; transport, endpoints, shapes and
 * error codes from `shared/upstream/cloudflare/NOTES.md` §2–§5). The twin of the CloudMailin client, on the
 * same transport, cache, in-flight de-duplication and rate budget:
 * - reads go cache → in-flight de-duplication → rate budget → call, with the stale fallback;
 * - sends take budget but are never cached and never retried (no idempotency key upstream: a retried send
 *   can deliver twice);
 * - subdomain creates and deletes invalidate that zone's subdomain reads.
 * Every answer is the v4 envelope, unwrapped in one place (`unwrap`).
 */
import type { Dispatcher } from 'undici';
import { type ZodType, type ZodTypeDef, z } from 'zod';
import type { CloudflareConfig, UpstreamConfig } from '../config.js';
import { MailgraphError, NotConfiguredError, UpstreamError, ValidationError } from '../errors.js';
import { mapCloudflareError, parseRatelimit } from './cloudflare-errors.js';
import {
  QUEUE_LIMITS,
  QUEUE_THROTTLE_CODES,
  type QueueAckRequest,
  type QueueAckResult,
  type QueuePullRequest,
  type QueuePullResult,
  queueAckResultSchema,
  queuePullResultSchema,
} from './cloudflare-queue-wire.js';
import {
  CLOUDFLARE_LIMITS,
  type CloudflareDnsRecord,
  type CloudflareDnsStatus,
  type CloudflareSendInput,
  type CloudflareSendRawInput,
  type CloudflareSendResult,
  type CloudflareSubdomain,
  type CloudflareSubdomainUpdate,
  type Envelope,
  dnsRecordSchema,
  dnsStatusSchema,
  envelopeSchema,
  sendResultSchema,
  subdomainSchema,
} from './cloudflare-wire.js';
import { type Fetched, type Primes, ProviderCore } from './core.js';
import {
  type ErrorContext,
  type HttpRequest,
  type HttpResult,
  HttpTransport,
  type ResponseHeaders,
  type UpstreamCall,
  describeZodError,
} from './http.js';
import type { BudgetLimit, BudgetStatus, CallBudget } from './rate-budget.js';
import { credentialScope } from './scope.js';
import { sendFailure } from './send-outcome.js';
import type { UpstreamShared } from './shared.js';

export interface CloudflareClientOptions {
  config: CloudflareConfig;
  upstream: UpstreamConfig;
  shared: UpstreamShared;
  dispatcher?: Dispatcher;
  onCall?: (call: UpstreamCall) => void;
  /** Overrides the documented 1200 requests per 300 s (for tests); `calls: 0` means no budget. */
  budget?: BudgetLimit;
}

/**
 * 1200 requests per 5 minutes per token (`CLOUDFLARE_LIMITS`). As with CloudMailin, the window is a second
 * longer than documented to absorb latency and clock skew: tripping it blocks every call for 5 minutes.
 */
export const CLOUDFLARE_BUDGET: BudgetLimit = {
  calls: CLOUDFLARE_LIMITS.requestsPerWindow,
  windowMs: CLOUDFLARE_LIMITS.windowSeconds * 1000 + 1000,
};

/**
 * Zone and subdomain ids: 32 hex upstream, and at most 32 characters in the spec (`email_identifier`,
 * `email_sending_subdomain_identifier`: maxLength 32); accepted leniently within that length (a live probe
 * saw other id shapes), but never `.`, `..`, `/` or empty.
 */
const ID_SHAPE = /^[A-Za-z0-9_-]{1,32}$/;
/** A subdomain name: printable ASCII without spaces (a leftmost `*.` wildcard is allowed upstream). */
const NAME_SHAPE = /^[\x21-\x7e]{1,253}$/;

const subdomainListSchema = z.array(subdomainSchema);
const dnsRecordListSchema = z.array(dnsRecordSchema);
/** Delete answers the bare envelope; its `result` (null, an object or a string) carries nothing we use. */
const anyResultSchema = z.unknown();

const RESOURCE = {
  account: 'CloudflareAccount',
  zone: 'CloudflareZone',
  subdomain: 'CloudflareSendingSubdomain',
  queue: 'CloudflareQueue',
} as const;

interface Credentials {
  token: string;
  /** Cache and in-flight scope: provider, base URL, account id and token. */
  scope: string;
  /** Rate budget scope: provider, base URL and token (Cloudflare counts per token, across accounts). */
  budgetScope: string;
}

interface Budgets {
  /** The documented limit is per token, so every client on the same token shares this one. */
  api: CallBudget;
  /** Blocked only by the email-sending throttle (429/10004), which must not stop subdomain reads. */
  sends: CallBudget;
}

type CallSpec<T> = Omit<HttpRequest<Envelope>, 'schema' | 'authorization'> & {
  /** Validates the envelope's `result`. */
  result: ZodType<T, ZodTypeDef, unknown>;
  send?: boolean;
  /** A queue route: a queue's own throttle (10250-10253) blocks that queue's calls, not the API budget. */
  queueId?: string;
};

export class CloudflareClient {
  readonly zoneIds: readonly string[];
  private readonly core: ProviderCore;
  private readonly accountId: string | null;
  private readonly credentials: Credentials | null;
  private readonly budgetLimit: BudgetLimit;
  private readonly sentListeners = new Set<() => void>();

  constructor(options: CloudflareClientOptions) {
    const { config, upstream, shared } = options;
    this.zoneIds = Object.freeze([...config.zoneIds]);
    this.accountId = config.accountId;
    this.budgetLimit = options.budget ?? CLOUDFLARE_BUDGET;
    const token = config.apiToken;
    const baseUrl = config.apiUrl;
    this.credentials =
      token === null
        ? null
        : {
            token,
            scope: credentialScope({
              provider: 'CLOUDFLARE',
              baseUrl,
              accountId: config.accountId ?? '',
              secrets: [token],
            }),
            budgetScope: credentialScope({
              provider: 'CLOUDFLARE',
              baseUrl,
              accountId: '',
              secrets: [token],
            }),
          };
    const transport = new HttpTransport({
      provider: 'CLOUDFLARE',
      baseUrl: config.apiUrl,
      timeoutMs: upstream.timeoutMs,
      maxResponseBytes: upstream.maxResponseBytes,
      dispatcher: options.dispatcher,
      onCall: options.onCall,
      mapError: (status, body, headers, context) => this.mapError(status, body, headers, context),
    });
    this.core = new ProviderCore({
      provider: 'CLOUDFLARE',
      name: 'Cloudflare',
      shared,
      transport,
      ttlSeconds: upstream.cacheTtlSeconds,
      rateWaitMs: upstream.rateWaitMs,
    });
  }

  // Sending (account routes)

  /** POST /accounts/{account_id}/email/sending/send; the body goes out exactly as given. */
  async send(input: CloudflareSendInput): Promise<CloudflareSendResult> {
    return this.sendAny('/accounts/{account_id}/email/sending/send', 'send', input);
  }

  /** POST /accounts/{account_id}/email/sending/send_raw; only the three documented fields are sent. */
  async sendRaw(input: CloudflareSendRawInput): Promise<CloudflareSendResult> {
    const body: CloudflareSendRawInput = {
      from: input.from,
      recipients: input.recipients,
      mime_message: input.mime_message,
    };
    return this.sendAny('/accounts/{account_id}/email/sending/send_raw', 'send_raw', body);
  }

  /**
   * Calls `listener` after each accepted send (both routes), e.g. so that the events consumer looks for
   * the send's events soon instead of at the end of its idle back-off. Returns the unsubscribe function.
   */
  onSent(listener: () => void): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  // Queues (the Email Sending events consumer, src/events/cloudflare-queue.ts; QUEUES-PULL.md)

  /**
   * POST /accounts/{account_id}/queues/{queue_id}/messages/pull (§2): leases up to `batch_size` messages
   * for `visibility_timeout_ms`. Never cached and never retried by the transport (every pull changes the
   * queue); it takes the token's API budget like every other call, so the consumer shows in `rateLimits`.
   */
  async pullQueue(queueId: string, request: QueuePullRequest = {}): Promise<QueuePullResult> {
    const body: QueuePullRequest = {};
    if (request.batch_size !== undefined) {
      body.batch_size = bounded('batch_size', request.batch_size, 1, QUEUE_LIMITS.maxBatchSize);
    }
    if (request.visibility_timeout_ms !== undefined) {
      body.visibility_timeout_ms = bounded(
        'visibility_timeout_ms',
        request.visibility_timeout_ms,
        1,
        QUEUE_LIMITS.maxVisibilityTimeoutMs,
      );
    }
    return this.queueCall(queueId, 'pull', body, queuePullResultSchema);
  }

  /**
   * POST /accounts/{account_id}/queues/{queue_id}/messages/ack (§3): acknowledges (deletes) the leased
   * messages in `acks` and puts those in `retries` back, after `delay_seconds`. Acking twice, or late, is
   * harmless (§3), so a caller may repeat an ack whose answer it did not get.
   */
  async ackQueue(queueId: string, request: QueueAckRequest): Promise<QueueAckResult> {
    const leaseId = (value: unknown, path: string): string => {
      if (typeof value !== 'string' || value.length === 0 || value.length > 4096) {
        throw invalid(path, 'must be the lease id of a pulled message');
      }
      return value;
    };
    const body: Required<QueueAckRequest> = {
      acks: (request.acks ?? []).map((ack, i) => ({ lease_id: leaseId(ack?.lease_id, `acks.${i}`) })),
      retries: (request.retries ?? []).map((retry, i) => ({
        lease_id: leaseId(retry?.lease_id, `retries.${i}`),
        ...(retry.delay_seconds === undefined
          ? {}
          : {
              delay_seconds: bounded(
                `retries.${i}.delay_seconds`,
                retry.delay_seconds,
                0,
                QUEUE_LIMITS.maxRetryDelaySeconds,
              ),
            }),
      })),
    };
    return this.queueCall(queueId, 'ack', body, queueAckResultSchema);
  }

  // Sending subdomains (zone routes)

  async listSubdomains(zoneId: string): Promise<Fetched<CloudflareSubdomain[]>> {
    const c = this.zone(zoneId);
    const segments = subdomainsPath(zoneId);
    return this.read(
      c,
      {
        method: 'GET',
        segments,
        result: subdomainListSchema,
        expect: [200],
        route: '/zones/{zone_id}/email/sending/subdomains',
        errorContext: { resource: RESOURCE.zone, id: zoneId },
      },
      (subdomains) => subdomains.map((subdomain) => [[...segments, subdomain.id], subdomain]),
    );
  }

  async getSubdomain(zoneId: string, id: string): Promise<Fetched<CloudflareSubdomain>> {
    const c = this.zone(zoneId, id);
    return this.read(c, {
      method: 'GET',
      segments: [...subdomainsPath(zoneId), id],
      result: subdomainSchema,
      expect: [200],
      route: '/zones/{zone_id}/email/sending/subdomains/{subdomain_id}',
      errorContext: { resource: RESOURCE.subdomain, id },
    });
  }

  /**
   * Creates a sending subdomain, or re-enables sending on one that had it disabled. The name must lie within
   * the zone (NOTES §4.4): a name that cannot is refused before the create (see `zoneSuffix`).
   */
  async createSubdomain(zoneId: string, name: string): Promise<CloudflareSubdomain> {
    const c = this.zone(zoneId);
    if (typeof name !== 'string' || !NAME_SHAPE.test(name)) {
      throw invalid('name', 'must be a domain name of 1-253 printable characters without spaces');
    }
    const suffix = await this.zoneSuffix(zoneId);
    if (suffix !== null && !withinSuffix(name, suffix)) {
      throw invalid('name', `must lie within the zone, whose names all end with ${suffix}`);
    }
    const segments = subdomainsPath(zoneId);
    const created = await this.write(c, zoneId, {
      method: 'POST',
      segments,
      body: { name },
      result: subdomainSchema,
      expect: [200, 201],
      route: '/zones/{zone_id}/email/sending/subdomains',
      errorContext: { resource: RESOURCE.zone, id: zoneId },
    });
    const subdomain = this.core.required(created);
    await this.core.prime(c.scope, [...segments, subdomain.id], subdomain);
    return subdomain;
  }

  /** Disables sending on the subdomain and removes its DNS records. Not idempotent: a second delete is a 404. */
  async deleteSubdomain(zoneId: string, id: string): Promise<void> {
    const c = this.zone(zoneId, id);
    await this.write(c, zoneId, {
      method: 'DELETE',
      segments: [...subdomainsPath(zoneId), id],
      result: anyResultSchema,
      expect: [200, 202, 204],
      route: '/zones/{zone_id}/email/sending/subdomains/{subdomain_id}',
      errorContext: { resource: RESOURCE.subdomain, id },
    });
  }

  async getSubdomainDns(zoneId: string, id: string): Promise<Fetched<CloudflareDnsRecord[]>> {
    const c = this.zone(zoneId, id);
    return this.read(c, {
      method: 'GET',
      segments: [...subdomainsPath(zoneId), id, 'dns'],
      result: dnsRecordListSchema,
      expect: [200],
      route: '/zones/{zone_id}/email/sending/subdomains/{subdomain_id}/dns',
      errorContext: { resource: RESOURCE.subdomain, id },
    });
  }

  /**
   * GET …/subdomains/{subdomain_id}/dns/status (NOTES §3 row 11): the desired records diffed against the
   * zone's DNS now, i.e. which records are in place. Cached like the DNS list, and forgotten with it.
   */
  async getSubdomainDnsStatus(zoneId: string, id: string): Promise<Fetched<CloudflareDnsStatus>> {
    const c = this.zone(zoneId, id);
    return this.read(c, {
      method: 'GET',
      segments: [...subdomainsPath(zoneId), id, 'dns', 'status'],
      result: dnsStatusSchema,
      expect: [200],
      route: '/zones/{zone_id}/email/sending/subdomains/{subdomain_id}/dns/status',
      errorContext: { resource: RESOURCE.subdomain, id },
    });
  }

  /**
   * PATCH …/subdomains/{subdomain_id} (NOTES §3 row 8): "Updates the activity-log preview preference", the
   * only writable setting (`preview_enabled`). Answers the subdomain, which primes its GET.
   */
  async updateSubdomain(
    zoneId: string,
    id: string,
    update: CloudflareSubdomainUpdate,
  ): Promise<CloudflareSubdomain> {
    const c = this.zone(zoneId, id);
    if (typeof update?.preview_enabled !== 'boolean') {
      throw invalid('preview_enabled', 'must be true or false');
    }
    const segments = [...subdomainsPath(zoneId), id];
    const updated = await this.write(c, zoneId, {
      method: 'PATCH',
      segments,
      body: { preview_enabled: update.preview_enabled },
      result: subdomainSchema,
      expect: [200],
      route: '/zones/{zone_id}/email/sending/subdomains/{subdomain_id}',
      errorContext: { resource: RESOURCE.subdomain, id },
    });
    const subdomain = this.core.required(updated);
    await this.core.prime(c.scope, segments, subdomain);
    return subdomain;
  }

  // Plumbing

  /**
   * What every name in the zone ends with, as far as mailgraph can know without an endpoint outside the
   * references (none of them gives a zone's name): the last two labels of the zone's subdomains. A zone's
   * apex has at least two labels and every subdomain ends with it, so any one subdomain's last two labels
   * are the apex's. Read from the zone's subdomain list through the cache (usually the list a client has
   * just shown, so no call); null, leaving the check to Cloudflare, when the zone has no subdomain yet or
   * the list cannot be read now. It never refuses a name Cloudflare would take; it misses only names
   * under a public suffix of several labels (`x.other.co.uk` for the zone `example.co.uk`).
   */
  private async zoneSuffix(zoneId: string): Promise<string | null> {
    let subdomains: CloudflareSubdomain[];
    try {
      subdomains = (await this.listSubdomains(zoneId)).data;
    } catch (error) {
      if (error instanceof MailgraphError) return null;
      throw error;
    }
    for (const subdomain of subdomains) {
      const labels = subdomain.name.toLowerCase().replace(/\.$/, '').split('.');
      if (labels.length >= 2 && labels.every((label) => label !== '')) return labels.slice(-2).join('.');
    }
    return null;
  }

  private token(): Credentials {
    if (this.credentials === null) {
      throw new NotConfiguredError('Cloudflare API token is not configured', 'CLOUDFLARE');
    }
    return this.credentials;
  }

  /** Everything a zone route needs, checked before any call: a token, configured zones, and sane ids. */
  private zone(zoneId: string, subdomainId?: string): Credentials {
    const c = this.token();
    if (this.zoneIds.length === 0) {
      throw new NotConfiguredError('Cloudflare zone ids are not configured', 'CLOUDFLARE');
    }
    if (typeof zoneId !== 'string' || !ID_SHAPE.test(zoneId)) {
      throw invalid('zoneId', 'must be a Cloudflare zone id (at most 32 letters, digits, - or _)');
    }
    if (!this.zoneIds.includes(zoneId)) {
      throw invalid('zoneId', 'is not one of the configured Cloudflare zones');
    }
    if (subdomainId !== undefined && (typeof subdomainId !== 'string' || !ID_SHAPE.test(subdomainId))) {
      throw invalid('id', 'must be a sending subdomain id (at most 32 letters, digits, - or _)');
    }
    return c;
  }

  /** The API budget of the token as it stands now (1200 calls per 5 minutes); null without credentials. */
  async rateBudget(): Promise<BudgetStatus | null> {
    return this.credentials === null ? null : this.budgets(this.credentials).api.status();
  }

  /** A pull or an ack: checked before any call (token, account, queue id), budgeted, never cached. */
  private async queueCall<T>(
    queueId: string,
    action: 'pull' | 'ack',
    body: object,
    result: ZodType<T, ZodTypeDef, unknown>,
  ): Promise<T> {
    const c = this.token();
    const accountId = this.accountId;
    if (accountId === null) {
      throw new NotConfiguredError(
        'Cloudflare account id is not configured (needed to pull events from a queue)',
        'CLOUDFLARE',
      );
    }
    if (
      typeof queueId !== 'string' ||
      queueId.length > QUEUE_LIMITS.maxQueueIdLength ||
      !ID_SHAPE.test(queueId)
    ) {
      throw invalid('queueId', 'must be a Cloudflare queue id (at most 32 letters, digits, - or _)');
    }
    const answer = await this.call(c, {
      method: 'POST',
      segments: ['accounts', accountId, 'queues', queueId, 'messages', action],
      body,
      result,
      expect: [200],
      route: `/accounts/{account_id}/queues/{queue_id}/messages/${action}`,
      errorContext: { resource: RESOURCE.queue, id: queueId },
      queueId,
    });
    return this.core.required(answer);
  }

  private budgets(c: Credentials): Budgets {
    return {
      api: this.core.budget(c.budgetScope, this.budgetLimit),
      // Sending quotas are per account, so this one follows the account-bearing scope.
      sends: this.core.budget(`${c.scope}:sends`, NO_LIMIT),
    };
  }

  /**
   * Takes budget, calls, and unwraps the envelope. A 429 (or `success: false` with 10004) blocks the budget
   * of the kind of call that got it (sends or the API) until its Retry-After, at most 300 s; a `Ratelimit`
   * header saying nothing is left blocks the API budget
   * until the window resets, since tripping Cloudflare's limit blocks every call for 5 minutes.
   */
  private call<T>(c: Credentials, spec: CallSpec<T>): Promise<T | null> {
    const { result: resultSchema, send = false, queueId, ...request } = spec;
    const budgets = this.budgets(c);
    const api = { budget: budgets.api, refusal: 'call budget spent' };
    // Unlimited, and blocked only by the queue's own throttle (QUEUE_THROTTLE_CODES).
    const queue =
      queueId === undefined ? undefined : this.core.budget(`${c.scope}:queue:${queueId}`, NO_LIMIT);
    const first = send
      ? [{ budget: budgets.sends, refusal: 'sending is throttled' }]
      : queue
        ? [{ budget: queue, refusal: 'the queue is throttled' }]
        : [];
    return this.core.budgeted(
      [...first, api],
      async () => {
        const response = await this.core.transport.request({
          ...request,
          schema: envelopeSchema,
          authorization: `Bearer ${c.token}`,
        });
        this.observeRatelimit(response, budgets.api);
        return this.unwrap(response, resultSchema, request.errorContext ?? {});
      },
      // A 429 on a send is the sending throttle's (10004, or a send route's 429 without it): it stops sends,
      // never reads. A 429 on a read is the API limit's, whatever its code. If the API limit tripped on a
      // send, the next read learns it from its own 429 (docs/decisions.md, "Retry-After caps").
      // A queue's 429 with one of its own codes (overloaded, storage or free-tier limit, disabled) says
      // nothing about the API limit: it blocks that queue's calls only.
      (error) =>
        send
          ? budgets.sends
          : queue && QUEUE_THROTTLE_CODES.has(Number(error.providerCode))
            ? queue
            : budgets.api,
    );
  }

  /**
   * The one place the v4 envelope is opened: `success: false` is a failure whatever the status, and
   * `result` must match the call's schema. A 204 has no envelope and yields null.
   */
  private unwrap<T>(
    response: HttpResult<Envelope>,
    schema: ZodType<T, ZodTypeDef, unknown>,
    context: ErrorContext,
  ): T | null {
    const { status, headers, data: envelope } = response;
    if (envelope === null) return null;
    if (!envelope.success) throw this.mapError(status, envelope, headers, context);
    const parsed = schema.safeParse(envelope.result);
    if (!parsed.success) {
      throw new UpstreamError(
        `Cloudflare result has an unexpected shape: ${describeZodError(parsed.error)}`,
        'CLOUDFLARE',
        status,
        'MALFORMED_RESPONSE',
      );
    }
    return parsed.data;
  }

  /**
   * Error statuses (through the transport) and `success: false` envelopes both end here. Every send names
   * the account as its resource and every zone route a zone or a subdomain, which tells the mapping whose
   * codes these are (10000 is "not found" on a send route, an authentication error on a zone route).
   */
  private mapError(status: number, body: unknown, headers: ResponseHeaders, context: ErrorContext) {
    const secrets = this.credentials === null ? [] : [this.credentials.token];
    // Queue routes have codes of their own (QUEUES-PULL.md §6) with undocumented statuses: there the
    // HTTP status alone decides, and only the codes common to every route are explained.
    const routes =
      context.resource === RESOURCE.account
        ? 'send'
        : context.resource === RESOURCE.queue
          ? undefined
          : 'zone';
    return mapCloudflareError(status, body, headers, {
      ...context,
      routes,
      now: this.core.shared.now(),
      secrets,
    });
  }

  private observeRatelimit(response: HttpResult<unknown>, budget: CallBudget): void {
    const state = parseRatelimit(response.headers.ratelimit);
    if (state?.remaining === 0 && state.resetSeconds !== undefined && state.resetSeconds > 0) {
      budget.penalize(state.resetSeconds);
    }
  }

  private read<T>(c: Credentials, spec: CallSpec<T>, primes?: (data: T) => Primes): Promise<Fetched<T>> {
    return this.core.read({
      scope: c.scope,
      segments: spec.segments,
      load: async () => this.core.required(await this.call(c, spec)),
      ...(primes ? { primes } : {}),
    });
  }

  /**
   * A budgeted write. On success, or when it is unknown whether it happened, it drops everything cached
   * about the zone's subdomains: the list, and every subdomain's GET and DNS records (a create may also
   * re-enable an existing subdomain, whose id is unknown until the answer comes).
   */
  private write<T>(c: Credentials, zoneId: string, spec: CallSpec<T>): Promise<T | null> {
    return this.core.write({
      scope: c.scope,
      invalidates: [this.core.path(subdomainsPath(zoneId))],
      call: () => this.call(c, spec),
    });
  }

  private async sendAny(
    route: string,
    action: 'send' | 'send_raw',
    body: CloudflareSendInput | CloudflareSendRawInput,
  ): Promise<CloudflareSendResult> {
    const c = this.token();
    const accountId = this.accountId;
    if (accountId === null) {
      throw new NotConfiguredError('Cloudflare account id is not configured (needed to send)', 'CLOUDFLARE');
    }
    try {
      const result = await this.call(c, {
        method: 'POST',
        segments: ['accounts', accountId, 'email', 'sending', action],
        body,
        result: sendResultSchema,
        // 200 is documented. Any 2xx carrying a result means accepted: calling an accepted send a failure
        // would invite a duplicate.
        expect: [200, 201, 202],
        route,
        errorContext: { resource: RESOURCE.account, id: accountId },
        send: true,
      });
      const sent = this.core.required(result);
      for (const listener of this.sentListeners) {
        try {
          listener();
        } catch {
          // A listener's failure is its own; the send happened.
        }
      }
      return sent;
    } catch (error) {
      throw maybeSent(error);
    }
  }
}

/** A budget that never runs out: only a provider 429 blocks it. */
const NO_LIMIT: BudgetLimit = { calls: 0, windowMs: 0 };

/** An integer in [min, max], or a ValidationError naming `path`. */
function bounded(path: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(path, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function subdomainsPath(zoneId: string): string[] {
  return ['zones', zoneId, 'email', 'sending', 'subdomains'];
}

/** Whether `name` (any case, a trailing dot or a leftmost `*.` allowed) is `suffix` or ends with `.suffix`. */
function withinSuffix(name: string, suffix: string): boolean {
  const bare = name.toLowerCase().replace(/\.$/, '');
  return bare === suffix || bare.endsWith(`.${suffix}`);
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`${path} ${message}`, [{ path, message }], null);
}

/**
 * A send whose outcome is unknown says so (`SendOutcomeUnknownError`, see `send-outcome.ts`), so that
 * nobody resends it blindly. Beyond the 4xx, the spec documents the API's own 500 (a v4 envelope with its
 * code, e.g. 10002) as "No email will be sent"; a 5xx without the envelope may come from a gateway after the
 * API accepted the message.
 */
function maybeSent(error: unknown): unknown {
  return sendFailure(error, 'CLOUDFLARE', {
    sentNothing: (failure) =>
      failure.code === 'SERVER_ERROR' && failure.status === 500 && failure.providerCode !== null,
  });
}
