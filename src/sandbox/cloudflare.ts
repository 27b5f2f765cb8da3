/**
 * The Cloudflare Email Sending emulator: its state, the accessors tests use, and the gate every request
 * passes before its route runs (route match, credential, rate limit, account or zone).
 *
 * Decisions where the sources are silent (see also `cloudflare-validate.ts` and `cloudflare-demo.ts`):
 * - Order of checks: unknown path 404/7003 (`Could not route`), wrong method 405/7001 with `Allow`, then
 *   the credential (401), then the rate limit (429), then the account or zone (403), then the body (400)
 *   and the sender (403). Only calls with a valid credential count against the budget.
 * - Credentials: `Authorization: Bearer <SANDBOX_CLOUDFLARE.apiToken>` or the pair `X-Auth-Email` +
 *   `X-Auth-Key` of `SANDBOX_CLOUDFLARE_KEY_PAIR`, on every route (NOTES §2: the spec's security lists
 *   are quirky, tokens work live). The SDK sends every credential it has, so one valid set is enough.
 * - Auth errors: send routes answer 401/10101 and, for another account id, 403/10102. Zone routes answer
 *   the generic `{code: 10000, message: 'Authentication error'}`, as 401 for a missing or wrong
 *   credential and as 403 for a zone the account does not have (NOTES §9.1 [inferred]).
 * - Rate limit: 1200 calls per 300 s sliding window per *user* (the docs count "per user ... regardless
 *   of whether the request is made via the dashboard, API key, or API token"), so the demo token and the
 *   demo key pair share one budget. A 429 carries `Retry-After` (when the oldest call leaves the window)
 *   and code 10004 `email.sending.error.throttled` on every route: the global limiter's own code is not
 *   public (NOTES §10.4). The docs' "blocks all calls for the next 5 minutes" is not modelled; a caller
 *   that fills the window at once waits the full 300 s anyway.
 * - Every response carries `Ratelimit: "default";r=<remaining>;t=<seconds>` and
 *   `Ratelimit-Policy: "burst";q=<quota>;w=300` (NOTES §2). `t` is the wait until the oldest counted call
 *   leaves the window (0 when none is counted). Callers without a valid credential, and failures the
 *   server detects before routing (413, a malformed path), report the untouched quota; so does every
 *   call when rate limits are off.
 * - Bodies: JSON only (another content type is a 400 like malformed JSON: 10001 on send routes, 2001 on
 *   zone routes). Over the sandbox's 12 MiB body cap a request gets 413 with code 10200; between 5 MiB
 *   and the cap, a send gets 400/10200 from validation.
 * - The events queue (`cloudflare-queue.ts`): the pull and ack routes of the one demo queue
 *   (`SANDBOX_CLOUDFLARE.eventsQueueId`) take the same credentials; a missing or wrong one is 401/10000,
 *   another account 403/10000, a queue id that is not 32 hex 400/10107, another queue 404/10104, a body
 *   that is not JSON 400/10208 and a bad field 400/10207 (QUEUES-PULL.md §6 names the codes, not their
 *   statuses). They are exempt from the rate limit (§4). Every accepted send publishes its events there.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  CLOUDFLARE_LIMITS,
  CLOUDFLARE_SEND_ERRORS,
  CLOUDFLARE_SUBDOMAIN_ERRORS,
} from '../upstream/cloudflare-wire.js';
import { SANDBOX_CLOUDFLARE } from './accounts.js';
import { SANDBOX_CLOUDFLARE_KEY_PAIR, buildCloudflareDemo } from './cloudflare-demo.js';
import {
  CLOUDFLARE_GATE_ERRORS,
  CloudflareApiError,
  type CloudflareErrorSpec,
  errorReply,
} from './cloudflare-errors.js';
import { CLOUDFLARE_QUEUE_ERRORS, EmulatedQueue, sendingEvents } from './cloudflare-queue.js';
import {
  type CloudflareDnsRecordOut,
  type CloudflareSentMessage,
  type CloudflareState,
  type CloudflareSubdomainView,
  type CloudflareZone,
  randomFor,
  subdomainView,
  wireRecords,
} from './cloudflare-records.js';
import { type Route, type RouteContext, cloudflareRoutes } from './cloudflare-routes.js';
import {
  type AuthKind,
  type ProviderEmulator,
  type ProviderResult,
  type SandboxReply,
  type SandboxRequest,
  isJsonContentType,
  matchRoute,
} from './http.js';
import { Random } from './random.js';
import { SlidingWindowLimiter } from './rate-limit.js';

export type { CloudflareDnsRecordOut, CloudflareSentMessage, CloudflareSubdomainView, CloudflareZone };
export type { EmulatedQueue, QueueMessageView } from './cloudflare-queue.js';

export interface CloudflareEmulatorOptions {
  seed: number;
  /** Seed of the ids handed out at run time (sends, subdomains, queue messages); default: `seed`. */
  idSeed?: number;
  now: () => number;
  /** Calls per 300 s window; `null` turns the rate limit off (the headers still describe the default). */
  requestsPerWindow: number | null;
}

/** The one budget every valid sandbox credential spends (they all belong to the demo user). */
const DEMO_USER = 'sandbox-user';

export class CloudflareEmulator implements ProviderEmulator {
  readonly prefix = '/cloudflare/client/v4';
  readonly credentials = SANDBOX_CLOUDFLARE;
  readonly keyPair = SANDBOX_CLOUDFLARE_KEY_PAIR;
  private readonly state: CloudflareState;
  private readonly limiter: SlidingWindowLimiter | null;
  private readonly quota: number;
  private readonly routes: Route[];
  private readonly queues = new Map<string, EmulatedQueue>();

  constructor(options: CloudflareEmulatorOptions) {
    this.state = buildCloudflareDemo(options.seed);
    this.quota = options.requestsPerWindow ?? CLOUDFLARE_LIMITS.requestsPerWindow;
    this.limiter =
      options.requestsPerWindow === null
        ? null
        : new SlidingWindowLimiter(
            options.requestsPerWindow,
            CLOUDFLARE_LIMITS.windowSeconds * 1000,
            options.now,
          );
    // The queue's ids come from a stream of their own, so publishing leaves the send ids as they were.
    const idSeed = options.idSeed ?? options.seed;
    const queueRandom = randomFor(idSeed, 'events-queue');
    const events = new EmulatedQueue(this.credentials.eventsQueueId, options.now, queueRandom);
    this.queues.set(events.id, events);
    this.routes = cloudflareRoutes({
      state: this.state,
      random: new Random(idSeed),
      seed: options.seed,
      now: options.now,
      onSent: (sent) => {
        for (const event of sendingEvents(sent, options.now(), queueRandom)) events.publishEvent(event);
      },
    });
  }

  /** The events queue (the demo one by default): its messages, and `publish` for tests. */
  queue(id: string = this.credentials.eventsQueueId): EmulatedQueue {
    const queue = this.queues.get(id);
    if (queue === undefined) throw new Error(`no queue ${id} in the Cloudflare sandbox`);
    return queue;
  }

  zones(): CloudflareZone[] {
    return structuredClone(this.state.zones);
  }

  /**
   * Every subdomain of the zone in creation order, in the wire shape, including deleted ones
   * (`enabled: false`) that the API itself no longer shows. Throws for a zone the account does not have.
   */
  subdomains(zoneId: string): CloudflareSubdomainView[] {
    this.zone(zoneId);
    return this.state.subdomains.filter((record) => record.zoneId === zoneId).map(subdomainView);
  }

  /** The six records `GET …/subdomains/{id}/dns` answers; throws for an unknown or deleted subdomain. */
  dnsRecords(zoneId: string, id: string): CloudflareDnsRecordOut[] {
    this.zone(zoneId);
    const record = this.state.subdomains.find((r) => r.zoneId === zoneId && r.tag === id && r.enabled);
    if (record === undefined)
      throw new Error(`no enabled subdomain ${id} in zone ${zoneId} of the Cloudflare sandbox`);
    return wireRecords(record);
  }

  /** The accepted send and send_raw requests, oldest first, with their results. */
  sent(): CloudflareSentMessage[] {
    return structuredClone(this.state.sent);
  }

  handle(request: SandboxRequest): ProviderResult {
    const auth = this.classifyAuth(request.headers);
    const authenticated = auth === 'api-token' || auth === 'api-key-pair';
    const reply = this.dispatch(request, authenticated);
    return { reply: this.withRateHeaders(reply, authenticated), auth };
  }

  /** For failures the server detects before routing: 413 over the body cap, 400 for a malformed path. */
  error(status: number, message?: string): SandboxReply {
    const spec: CloudflareErrorSpec =
      status === 413
        ? CLOUDFLARE_GATE_ERRORS.payloadTooLarge
        : status === 400
          ? CLOUDFLARE_GATE_ERRORS.malformedPath
          : status === 404
            ? CLOUDFLARE_SUBDOMAIN_ERRORS.couldNotRoute
            : CLOUDFLARE_SEND_ERRORS.internal;
    return this.withRateHeaders(errorReply(new CloudflareApiError(spec, message)), false);
  }

  classifyAuth(headers: IncomingHttpHeaders): AuthKind {
    const authorization = headers.authorization?.trim();
    const email = headerValue(headers, 'x-auth-email');
    const key = headerValue(headers, 'x-auth-key');
    const bearer = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (bearer === this.credentials.apiToken) return 'api-token';
    if (email?.toLowerCase() === this.keyPair.email && key === this.keyPair.key) return 'api-key-pair';
    const presented = [authorization, email, key].some((value) => value !== undefined && value !== '');
    return presented ? 'invalid' : 'none';
  }

  private dispatch(request: SandboxRequest, authenticated: boolean): SandboxReply {
    const match = matchRoute(this.routes, request.method, request.segments);
    if (match.kind === 'not-found') return errorReply(CLOUDFLARE_SUBDOMAIN_ERRORS.couldNotRoute);
    if (match.kind === 'method-not-allowed') {
      return {
        ...errorReply(CLOUDFLARE_GATE_ERRORS.methodNotAllowed),
        headers: { allow: match.allow.join(', ') },
      };
    }
    const { route, params } = match;
    if (!authenticated) {
      return errorReply(
        route.scope === 'account'
          ? CLOUDFLARE_SEND_ERRORS.unauthorized
          : route.scope === 'queue'
            ? CLOUDFLARE_QUEUE_ERRORS.unauthenticated
            : CLOUDFLARE_GATE_ERRORS.unauthenticated,
      );
    }
    // Queue pulls and acks are exempt from the API limit (QUEUES-PULL.md §4).
    if (this.limiter !== null && route.scope !== 'queue') {
      const decision = this.limiter.take(DEMO_USER);
      if (!decision.allowed) {
        const reply = errorReply(
          new CloudflareApiError(
            CLOUDFLARE_SEND_ERRORS.throttled,
            `more than ${this.quota} calls in ${CLOUDFLARE_LIMITS.windowSeconds} s`,
          ),
        );
        return { ...reply, headers: { 'retry-after': String(decision.retryAfterSeconds) } };
      }
    }
    try {
      const context: RouteContext = {
        params,
        headers: request.headers,
        accountId: params.account_id ?? this.credentials.accountId,
        zone: undefined,
        json: () => parseBody(request, route.scope),
      };
      if (route.scope === 'account' && params.account_id !== this.credentials.accountId) {
        throw new CloudflareApiError(
          CLOUDFLARE_SEND_ERRORS.forbidden,
          'the credential has no access to this account',
        );
      }
      if (route.scope === 'queue') {
        if (params.account_id !== this.credentials.accountId) {
          throw new CloudflareApiError(
            CLOUDFLARE_QUEUE_ERRORS.forbidden,
            'the credential has no access to this account',
          );
        }
        const queueId = params.queue_id ?? '';
        if (!/^[0-9a-fA-F]{32}$/.test(queueId)) {
          throw new CloudflareApiError(CLOUDFLARE_QUEUE_ERRORS.malformedId, 'a queue id is 32 hex');
        }
        context.queue = this.queues.get(queueId.toLowerCase());
        if (context.queue === undefined) throw new CloudflareApiError(CLOUDFLARE_QUEUE_ERRORS.notFound);
      }
      if (route.scope === 'zone') {
        context.zone = this.state.zones.find((zone) => zone.id === params.zone_id);
        if (context.zone === undefined) {
          throw new CloudflareApiError(
            CLOUDFLARE_GATE_ERRORS.zoneForbidden,
            'the credential has no access to this zone',
          );
        }
      }
      return route.handle(context);
    } catch (error) {
      if (error instanceof CloudflareApiError) return errorReply(error);
      throw error;
    }
  }

  private withRateHeaders(reply: SandboxReply, authenticated: boolean): SandboxReply {
    const { remaining, resetSeconds } =
      authenticated && this.limiter !== null
        ? this.limiter.peek(DEMO_USER)
        : { remaining: this.quota, resetSeconds: 0 };
    return {
      ...reply,
      headers: {
        ...reply.headers,
        ratelimit: `"default";r=${remaining};t=${resetSeconds}`,
        'ratelimit-policy': `"burst";q=${this.quota};w=${CLOUDFLARE_LIMITS.windowSeconds}`,
      },
    };
  }

  private zone(zoneId: string): CloudflareZone {
    const zone = this.state.zones.find((candidate) => candidate.id === zoneId);
    if (zone === undefined) throw new Error(`no zone ${zoneId} in the Cloudflare sandbox`);
    return zone;
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim();
}

function parseBody(request: SandboxRequest, scope: 'account' | 'zone' | 'queue'): unknown {
  const spec =
    scope === 'account'
      ? CLOUDFLARE_SEND_ERRORS.invalidRequestSchema
      : scope === 'queue'
        ? CLOUDFLARE_QUEUE_ERRORS.malformedBody
        : CLOUDFLARE_GATE_ERRORS.invalidSubdomainRequest;
  if (request.body.length === 0) return undefined;
  if (!isJsonContentType(request.headers)) {
    throw new CloudflareApiError(spec, 'send the body as application/json');
  }
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    throw new CloudflareApiError(spec, `malformed JSON body: ${(error as Error).message}`);
  }
}
