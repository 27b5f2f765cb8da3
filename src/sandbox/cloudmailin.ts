/**
 * The CloudMailin Core API emulator: its state, the accessors tests use, and the gate every request
 * passes before its route runs (route match, credential, account, rate limit).
 *
 * Decisions where the sources are silent:
 * - Order of checks: unknown route 404 / wrong method 405, then 401/403, then the rate limit, then the
 *   body (415, 400, 422). Only requests that pass authentication count against the budget, so a caller
 *   without the key cannot spend an account's calls; 404s and 422s of authenticated calls do count.
 * - The budget is per `{accountID}` and covers every route except `POST /messages` (sending is a
 *   separate product with its own credentials, NOTES §1.6).
 * - Outbound messages take the account API key under the account id (NOTES decision), like every
 *   management route; the SMTP token is refused there (401), since it is documented for `POST /messages`
 *   only.
 * - Lists without a documented order keep creation order; statuses and outbound messages are newest
 *   first by arrival in the emulator (demo `created_at`s are fixed in the past, the clock may be fake).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimulatedInbound, SimulatedInboundMail } from '../events/inbound.js';
import type {
  Address,
  CustomDomain,
  IncomingStatus,
  OutboundMessage,
  SendingDomain,
} from '../upstream/cloudmailin-wire.js';
import { SANDBOX_CLOUDMAILIN } from './accounts.js';
import { receiveAndPost } from './cloudmailin-inbound.js';
import {
  OUTBOUND_TIMELINE_MS,
  type OutboundRecord,
  type OutboundTimeline,
  detailView,
  summaryView,
} from './cloudmailin-outbound.js';
import { playBackSend } from './cloudmailin-playback.js';
import type { CloudMailinState } from './cloudmailin-records.js';
import { type Access, ApiError, type Route, cloudmailinRoutes } from './cloudmailin-routes.js';
import { UnprocessableError } from './cloudmailin-validate.js';
import { buildCloudMailinDemo, inboundStatus } from './demo-data.js';
import {
  type AuthKind,
  type ProviderEmulator,
  type ProviderResult,
  type SandboxReply,
  type SandboxRequest,
  isJsonContentType,
  matchRoute,
  presentedCredentials,
} from './http.js';
import { QuerySyntaxError } from './query-string.js';
import { Random } from './random.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import type { WebhookPoster, WebhookTarget } from './webhook-poster.js';

export interface CloudMailinEmulatorOptions {
  seed: number;
  /** Seed of the ids handed out at run time (sends, creates, inbound statuses); default: the ids that follow the demo data's. */
  idSeed?: number;
  now: () => number;
  pageSize: number;
  /** `null` turns the rate limit off. */
  ratePerMinute: number | null;
  /** When a sent message's events happen (default OUTBOUND_TIMELINE_MS). */
  timeline?: Partial<OutboundTimeline>;
  /** Where sent messages' events are played back to (CloudMailin's events webhook); none when absent. */
  webhooks?: WebhookPoster;
}

export type InboundMail = Partial<{ from: string; to: string; subject: string; status: string | number }>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export class CloudMailinEmulator implements ProviderEmulator {
  readonly prefix = '/cloudmailin/api/v0.1';
  readonly credentials = SANDBOX_CLOUDMAILIN;
  private readonly random: Random;
  private readonly now: () => number;
  private readonly state: CloudMailinState;
  private readonly limiter: SlidingWindowLimiter | null;
  private readonly routes: Route[];
  /** Where simulated inbound mail is posted (the webhook target mailgraph set); none when absent. */
  private readonly inboundTarget: () => WebhookTarget | null;

  constructor(options: CloudMailinEmulatorOptions) {
    const demo = new Random(options.seed);
    this.now = options.now;
    this.state = buildCloudMailinDemo(demo);
    this.random = options.idSeed === undefined ? demo : new Random(options.idSeed);
    this.limiter =
      options.ratePerMinute === null
        ? null
        : new SlidingWindowLimiter(options.ratePerMinute, 60_000, options.now);
    const webhooks = options.webhooks;
    this.inboundTarget = () => webhooks?.target ?? null;
    this.routes = cloudmailinRoutes({
      state: this.state,
      random: this.random,
      now: options.now,
      pageSize: options.pageSize,
      smtpUsername: this.credentials.smtpUsername,
      timeline: { ...OUTBOUND_TIMELINE_MS, ...options.timeline },
      ...(webhooks ? { onSent: (record: OutboundRecord) => playBackSend(record, webhooks) } : {}),
    });
  }

  addresses(): Address[] {
    return this.state.addresses.map((record) => structuredClone(record.address));
  }

  /** Newest first; throws for an unknown address. */
  statuses(addressId: string): IncomingStatus[] {
    return structuredClone(this.addressRecord(addressId).statuses);
  }

  customDomains(addressId: string): CustomDomain[] {
    return structuredClone(this.addressRecord(addressId).customDomains);
  }

  /** Newest first, in the list shape, as of the emulator clock. */
  outboundMessages(): OutboundMessage[] {
    const now = this.now();
    return [...this.state.outbound].reverse().map((record) => summaryView(record, now));
  }

  /** The show shape (full events), as of the emulator clock. */
  outboundMessage(id: string): OutboundMessage | undefined {
    const record = this.state.outbound.find((candidate) => candidate.id === id);
    return record === undefined ? undefined : detailView(record, this.now());
  }

  sendingDomains(): SendingDomain[] {
    return this.state.sendingDomains.map((record) => structuredClone(record.domain));
  }

  /** Mail arrives at an address: a new newest incoming status, stamped with the emulator clock. */
  receiveInbound(addressId: string, mail: InboundMail = {}): IncomingStatus {
    const record = this.addressRecord(addressId);
    const status = inboundStatus(this.random, record, this.now(), mail);
    record.statuses.unshift(status);
    return structuredClone(status);
  }

  /**
   * Mail arrives at an address and is posted as CloudMailin posts it, to mailgraph's inbound webhook
   * (the target mailgraph set once it listened), then recorded as the newest incoming status, with the
   * HTTP status mailgraph answered (src/sandbox/cloudmailin-inbound.ts).
   */
  async simulateInbound(mail: SimulatedInboundMail): Promise<SimulatedInbound> {
    const record = this.addressRecord(mail.addressId);
    const target = this.inboundTarget();
    if (target === null) {
      throw new Error('the emulator has no webhook target: it does not know where mailgraph listens');
    }
    return receiveAndPost({ mail, record, random: this.random, at: this.now(), target });
  }

  handle(request: SandboxRequest): ProviderResult {
    const auth = this.classifyAuth(request.headers);
    const [accountId, ...path] = request.segments;
    if (accountId === undefined || accountId === '' || path.length === 0)
      return { reply: this.error(404), auth };
    const match = matchRoute(this.routes, request.method, path);
    if (match.kind === 'not-found') return { reply: this.error(404), auth };
    if (match.kind === 'method-not-allowed') {
      return { reply: { ...this.error(405), headers: { allow: match.allow.join(', ') } }, auth };
    }
    const denied = this.authorize(match.route.access, accountId, request.headers);
    if (denied !== null) return { reply: this.error(denied), auth };
    if (this.limiter !== null && match.route.access !== 'send') {
      const decision = this.limiter.take(accountId);
      if (!decision.allowed) {
        const headers = { 'retry-after': String(decision.retryAfterSeconds) };
        return { reply: { ...this.error(429), headers }, auth };
      }
    }
    try {
      return {
        reply: match.route.handle({
          params: match.params,
          query: request.query,
          json: () => parseBody(request),
        }),
        auth,
      };
    } catch (error) {
      if (error instanceof ApiError) return { reply: this.error(error.status, error.message), auth };
      if (error instanceof UnprocessableError) return { reply: this.error(422, error.message), auth };
      if (error instanceof QuerySyntaxError)
        return { reply: this.error(422, `invalid query: ${error.message}`), auth };
      throw error;
    }
  }

  error(status: number, message = STATUS_TEXT[status] ?? 'Error'): SandboxReply {
    return { status, body: { status, error: message } };
  }

  classifyAuth(headers: IncomingHttpHeaders): AuthKind {
    const presented = presentedCredentials(headers);
    if (presented === null) return 'none';
    if (presented.includes(this.credentials.apiKey)) return 'api-key';
    if (presented.includes(this.credentials.smtpToken)) return 'smtp-token';
    return 'invalid';
  }

  /** 401 when the right kind of credential is missing, 403 when it is right but for another account. */
  private authorize(access: Access, accountId: string, headers: IncomingHttpHeaders): 401 | 403 | null {
    const presented = presentedCredentials(headers) ?? [];
    const { apiKey, smtpToken, accountId: account, smtpUsername } = this.credentials;
    if (access === 'management')
      return !presented.includes(apiKey) ? 401 : accountId === account ? null : 403;
    return !presented.includes(smtpToken) ? 401 : accountId === smtpUsername ? null : 403;
  }

  private addressRecord(addressId: string) {
    const record = this.state.addresses.find((candidate) => candidate.address.id === addressId);
    if (record === undefined) throw new Error(`no address ${addressId} in the CloudMailin sandbox`);
    return record;
  }
}

function parseBody(request: SandboxRequest): unknown {
  if (request.body.length === 0) return undefined;
  if (!isJsonContentType(request.headers)) {
    throw new ApiError(415, 'Unsupported Media Type: send the body as application/json');
  }
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    throw new ApiError(400, `Malformed JSON body: ${(error as Error).message}`);
  }
}
