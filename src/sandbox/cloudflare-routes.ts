/**
 * The Cloudflare Email Sending routes (NOTES §3, rows 1–11), and the Queues pull and ack routes of the
 * events queue (QUEUES-PULL.md §2–§3), relative to `/client/v4`. Handlers see a request the emulator has
 * already authenticated, rate-limited and scoped to the account, zone or queue; they answer with an
 * envelope or throw `CloudflareApiError`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  CLOUDFLARE_LIMITS,
  CLOUDFLARE_SEND_ERRORS,
  CLOUDFLARE_SUBDOMAIN_ERRORS,
} from '../upstream/cloudflare-wire.js';
import { CLOUDFLARE_GATE_ERRORS, CloudflareApiError, successBody } from './cloudflare-errors.js';
import { type EmulatedQueue, validateAck, validatePull } from './cloudflare-queue.js';
import {
  type CloudflareSentMessage,
  type CloudflareState,
  type CloudflareZone,
  DNS_RECORD_ROLES,
  type SubdomainRecord,
  dnsStatus,
  freshTag,
  messageId,
  missingErrors,
  newSubdomain,
  recipientOutcome,
  subdomainView,
  wireRecords,
} from './cloudflare-records.js';
import {
  type ValidatedSend,
  validateSend,
  validateSendRaw,
  validateSubdomainName,
  validateSubdomainUpdate,
} from './cloudflare-validate.js';
import type { SandboxReply } from './http.js';
import type { Random } from './random.js';

/**
 * What a route is scoped to: `{account_id}` (the send routes), `{zone_id}` (the subdomain routes), or
 * `{account_id}` and `{queue_id}` (the queue routes).
 */
export type Scope = 'account' | 'zone' | 'queue';

export interface RouteContext {
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The account id (account scope) of the request, already checked. */
  accountId: string;
  /** The zone (zone scope), already checked; `undefined` for account routes. */
  zone: CloudflareZone | undefined;
  /** The queue (queue scope), already checked; `undefined` for the other routes. */
  queue?: EmulatedQueue | undefined;
  /** The parsed JSON body; `undefined` when the body is empty. */
  json(): unknown;
}

export interface Route {
  method: string;
  pattern: string;
  scope: Scope;
  handle(context: RouteContext): SandboxReply;
}

export interface RouteEnv {
  state: CloudflareState;
  random: Random;
  seed: number;
  now: () => number;
  /** Called with each accepted send (the emulator publishes its events to the queue). */
  onSent?: (sent: CloudflareSentMessage) => void;
}

const ok = (body: unknown): SandboxReply => ({ status: 200, body });

/**
 * `result_info` of the single-page collections: the whole list is one page (the SDK models these routes
 * as `SinglePage`, and they take no paging parameters), so `per_page` is at least the count.
 */
function collection(items: unknown[]): SandboxReply {
  const perPage = Math.max(20, items.length);
  return ok(
    successBody(items, {
      page: 1,
      per_page: perPage,
      count: items.length,
      total_count: items.length,
      total_pages: Math.ceil(items.length / perPage),
    }),
  );
}

function queueOf(context: RouteContext): EmulatedQueue {
  if (context.queue === undefined) throw new Error('queue route without a queue');
  return context.queue;
}

function zoneOf(context: RouteContext): CloudflareZone {
  if (context.zone === undefined) throw new Error('zone route without a zone');
  return context.zone;
}

export function cloudflareRoutes(env: RouteEnv): Route[] {
  const { state, random, seed, now } = env;

  /** A visible subdomain of the zone: 400/2028 for a malformed tag, 404/2033 for an unknown or deleted one. */
  const subdomain = (context: RouteContext): SubdomainRecord => {
    const zone = zoneOf(context);
    const tag = context.params.subdomain_id ?? '';
    if (!/^[0-9a-fA-F]{32}$/.test(tag)) {
      throw new CloudflareApiError(
        CLOUDFLARE_SUBDOMAIN_ERRORS.invalidId,
        `${JSON.stringify(tag)} is not 32 hex`,
      );
    }
    const record = state.subdomains.find(
      (candidate) => candidate.zoneId === zone.id && candidate.tag === tag.toLowerCase() && candidate.enabled,
    );
    if (record === undefined) throw new CloudflareApiError(CLOUDFLARE_SUBDOMAIN_ERRORS.notFound);
    return record;
  };

  /** 10201 when the body came without a Content-Length (chunked), as the error table lists. */
  const requireContentLength = (context: RouteContext): void => {
    if (context.headers['content-length'] === undefined) {
      throw new CloudflareApiError(
        CLOUDFLARE_SEND_ERRORS.noContentLength,
        'send the body with a Content-Length header',
      );
    }
  };

  /**
   * The sender check, then the delivery. The sender's domain must be exactly the name of a sending
   * subdomain (the apex counts when it was created as one) in one of the account's zones: 10204 when no
   * zone has it, 10203 when it was deleted (sending disabled).
   */
  const accept = (
    context: RouteContext,
    route: CloudflareSentMessage['route'],
    request: unknown,
    message: ValidatedSend,
  ): SandboxReply => {
    const domain = message.from.slice(message.from.lastIndexOf('@') + 1).toLowerCase();
    const zoneIds = new Set(state.zones.map((zone) => zone.id));
    const record = state.subdomains.find((r) => r.name === domain && zoneIds.has(r.zoneId));
    if (record === undefined) {
      throw new CloudflareApiError(
        CLOUDFLARE_SEND_ERRORS.senderNotConfigured,
        `${domain} is not a sending domain of this account`,
        '/from',
      );
    }
    if (!record.enabled) {
      throw new CloudflareApiError(
        CLOUDFLARE_SEND_ERRORS.sendingDisabled,
        `sending is disabled on ${domain}`,
        '/from',
      );
    }
    const result: CloudflareSentMessage['result'] = {
      delivered: [],
      permanent_bounces: [],
      queued: [],
      message_id: messageId(random, domain),
    };
    for (const recipient of message.recipients) result[recipientOutcome(recipient)].push(recipient);
    const sent: CloudflareSentMessage = {
      route,
      accountId: context.accountId,
      zoneId: record.zoneId,
      domain: record.name,
      from: message.from,
      recipients: message.recipients,
      subject: message.subject,
      sentAt: new Date(now()).toISOString(),
      request: structuredClone(request),
      result: structuredClone(result),
    };
    state.sent.push(sent);
    env.onSent?.(structuredClone(sent));
    return ok(successBody(result));
  };

  return [
    {
      method: 'POST',
      pattern: '/accounts/:account_id/email/sending/send',
      scope: 'account',
      handle: (context) => {
        requireContentLength(context);
        const body = context.json();
        return accept(context, 'send', body, validateSend(body));
      },
    },
    {
      method: 'POST',
      pattern: '/accounts/:account_id/email/sending/send_raw',
      scope: 'account',
      handle: (context) => {
        requireContentLength(context);
        const body = context.json();
        return accept(context, 'send_raw', body, validateSendRaw(body));
      },
    },
    {
      method: 'POST',
      pattern: '/accounts/:account_id/queues/:queue_id/messages/pull',
      scope: 'queue',
      handle: (context) => {
        const { batchSize, visibilityTimeoutMs } = validatePull(context.json());
        return ok(successBody(queueOf(context).pull(batchSize, visibilityTimeoutMs)));
      },
    },
    {
      method: 'POST',
      pattern: '/accounts/:account_id/queues/:queue_id/messages/ack',
      scope: 'queue',
      handle: (context) => ok(successBody(queueOf(context).ack(validateAck(context.json())))),
    },
    {
      method: 'GET',
      pattern: '/zones/:zone_id/email/sending/subdomains',
      scope: 'zone',
      handle: (context) => {
        const zone = zoneOf(context);
        const visible = state.subdomains.filter((r) => r.zoneId === zone.id && r.enabled);
        return collection(visible.map(subdomainView));
      },
    },
    {
      method: 'POST',
      pattern: '/zones/:zone_id/email/sending/subdomains',
      scope: 'zone',
      handle: (context) => {
        const zone = zoneOf(context);
        const name = validateSubdomainName(context.json(), zone);
        const existing = state.subdomains.find((r) => r.zoneId === zone.id && r.name === name);
        if (existing?.enabled) {
          throw new CloudflareApiError(
            CLOUDFLARE_SUBDOMAIN_ERRORS.alreadyExists,
            `${name} already exists`,
            '/name',
          );
        }
        const inUse = state.subdomains.filter((r) => r.zoneId === zone.id && r.enabled).length;
        if (inUse >= CLOUDFLARE_LIMITS.maxDomainsPerZone) {
          throw new CloudflareApiError(
            CLOUDFLARE_GATE_ERRORS.invalidSubdomainRequest,
            `the zone already has ${inUse} email domains, at most ${CLOUDFLARE_LIMITS.maxDomainsPerZone}`,
            '/name',
          );
        }
        const at = now();
        if (existing !== undefined) {
          // "re-enables sending on an existing subdomain that had it disabled": same tag, records rewritten.
          existing.enabled = true;
          existing.modified = at;
          existing.missing.clear();
          return ok(successBody(subdomainView(existing)));
        }
        const record = newSubdomain(seed, zone.id, freshTag(random, state), name, at);
        state.subdomains.push(record);
        return ok(successBody(subdomainView(record)));
      },
    },
    {
      method: 'POST',
      pattern: '/zones/:zone_id/email/sending/subdomains/preview',
      scope: 'zone',
      handle: (context) => {
        const zone = zoneOf(context);
        const name = validateSubdomainName(context.json(), zone);
        const existing = state.subdomains.find((r) => r.zoneId === zone.id && r.name === name && r.enabled);
        // A dry run: nothing is stored, and the DKIM key is the one a create would publish.
        const record = existing ?? newSubdomain(seed, zone.id, '', name, now());
        const missing = existing === undefined ? new Set(DNS_RECORD_ROLES) : existing.missing;
        return ok(successBody({ records: wireRecords(record), errors: missingErrors(record, missing) }));
      },
    },
    {
      method: 'GET',
      pattern: '/zones/:zone_id/email/sending/subdomains/:subdomain_id',
      scope: 'zone',
      handle: (context) => ok(successBody(subdomainView(subdomain(context)))),
    },
    {
      method: 'PATCH',
      pattern: '/zones/:zone_id/email/sending/subdomains/:subdomain_id',
      scope: 'zone',
      handle: (context) => {
        const record = subdomain(context);
        const update = validateSubdomainUpdate(context.json());
        if (update.previewEnabled !== undefined && update.previewEnabled !== record.previewEnabled) {
          record.previewEnabled = update.previewEnabled;
          record.modified = now();
        }
        return ok(successBody(subdomainView(record)));
      },
    },
    {
      method: 'DELETE',
      pattern: '/zones/:zone_id/email/sending/subdomains/:subdomain_id',
      scope: 'zone',
      handle: (context) => {
        const record = subdomain(context);
        record.enabled = false;
        record.modified = now();
        // "removes its DNS records"; a live probe saw the _dmarc TXT left behind (NOTES §4.4).
        for (const role of DNS_RECORD_ROLES) if (role !== 'dmarc') record.missing.add(role);
        return ok(successBody(null));
      },
    },
    {
      method: 'GET',
      pattern: '/zones/:zone_id/email/sending/subdomains/:subdomain_id/dns',
      scope: 'zone',
      handle: (context) => collection(wireRecords(subdomain(context))),
    },
    {
      method: 'POST',
      pattern: '/zones/:zone_id/email/sending/subdomains/:subdomain_id/dns',
      scope: 'zone',
      handle: (context) => {
        const record = subdomain(context);
        record.missing.clear();
        return ok(successBody(dnsStatus(record)));
      },
    },
    {
      method: 'GET',
      pattern: '/zones/:zone_id/email/sending/subdomains/:subdomain_id/dns/status',
      scope: 'zone',
      handle: (context) => ok(successBody(dnsStatus(subdomain(context)))),
    },
  ];
}
