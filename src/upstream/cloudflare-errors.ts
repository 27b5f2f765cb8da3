/**
 * The one place where a Cloudflare failure becomes a typed error: an error status with the v4 envelope
 * (`{success: false, errors: [{code, message}], …}`), or a 2xx whose envelope says `success: false`.
 *
 * The HTTP status picks the kind of error when it is one Cloudflare documents (400, 401, 403, 404, 409, 429,
 * 5xx); the numeric code (a number, or a numeric string in parts of the spec) refines it and names it in
 * the message. Where the status says nothing (a 2xx with `success: false`, or an undocumented status), the
 * code's documented status decides. A code means what the family of routes that answered documents for
 * it (`routes`): 10000 is "not found" on a send route but an authentication error on a zone route. Only a
 * well-formed envelope is ever quoted, cut short, and never with a secret in it (NOTES §2, §5).
 */
import { z } from 'zod';
import {
  type MailgraphError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import {
  CLOUDFLARE_SEND_ERRORS,
  CLOUDFLARE_SUBDOMAIN_ERRORS,
  cloudflareMessageSchema,
} from './cloudflare-wire.js';
import type { ErrorContext, ResponseHeaders } from './http.js';
import { MAX_RETRY_AFTER_SECONDS, clampRetryAfter, parseRetryAfter } from './retry-after.js';

/** Neither `Retry-After` nor `Ratelimit` readable: the brief's default, a minute. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;
/** Exceeding the limit blocks calls for 5 minutes (NOTES §2): no wait is longer (see retry-after.ts). */
const MAX_WAIT_SECONDS = MAX_RETRY_AFTER_SECONDS.CLOUDFLARE;
/** The email-sending throttle (sending quota), as opposed to the API-wide request limit. */
export const SEND_THROTTLE_CODE = 10004;
const MAX_QUOTED_LENGTH = 200;
const MAX_ISSUES = 10;

/** The send routes (account scope) or the subdomain routes (zone scope): the same code means different things. */
export type CloudflareRoutes = 'send' | 'zone';

export interface CloudflareErrorContext extends ErrorContext {
  /** Which family of routes answered; a code is read with that family's meaning (NOTES §5). */
  routes?: CloudflareRoutes;
  /** The clock for an HTTP-date `Retry-After`. */
  now?: number;
  /** Values that must never appear in an error message (the API token), replaced by `****`. */
  secrets?: readonly string[];
}

type Kind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'server';

interface KnownCode {
  /** The status Cloudflare documents for the code; it decides the kind when the HTTP status does not. */
  status: number;
  text: string;
}

/**
 * The codes of the send routes (`/accounts/{account_id}/email/sending/send[_raw]`): the spec's responses
 * and the docs' error table (NOTES §5.1).
 */
const SEND_ROUTE_CODES: ReadonlyMap<number, KnownCode> = new Map([
  [
    CLOUDFLARE_SEND_ERRORS.invalidRequestSchema.code,
    { status: 400, text: 'the request does not match the send schema' },
  ],
  [CLOUDFLARE_SEND_ERRORS.tooBig.code, { status: 400, text: 'the message is too big' }],
  [CLOUDFLARE_SEND_ERRORS.noContentLength.code, { status: 400, text: 'the request had no content length' }],
  [CLOUDFLARE_SEND_ERRORS.invalidEmail.code, { status: 400, text: 'the email is invalid' }],
  [CLOUDFLARE_SEND_ERRORS.unauthorized.code, { status: 401, text: 'the API token was not accepted' }],
  [
    CLOUDFLARE_SEND_ERRORS.badTokenType.code,
    { status: 401, text: 'the credential is not an accepted kind of token' },
  ],
  [
    CLOUDFLARE_SEND_ERRORS.forbidden.code,
    { status: 403, text: 'the API token lacks the Email Sending permission for this account or zone' },
  ],
  [
    CLOUDFLARE_SEND_ERRORS.notEntitled.code,
    {
      status: 403,
      text: 'not entitled: the account has no Email Sending entitlement (a paid plan is needed)',
    },
  ],
  [
    CLOUDFLARE_SEND_ERRORS.sendingDisabled.code,
    { status: 403, text: 'sending disabled: Email Sending is turned off for this account or domain' },
  ],
  [
    CLOUDFLARE_SEND_ERRORS.senderNotConfigured.code,
    { status: 403, text: 'sender not configured: the From domain is not an enabled sending subdomain' },
  ],
  [CLOUDFLARE_SEND_ERRORS.notFound.code, { status: 404, text: 'not found' }],
  [
    CLOUDFLARE_SEND_ERRORS.throttled.code,
    { status: 429, text: 'sending is throttled (sending quota reached)' },
  ],
  [CLOUDFLARE_SEND_ERRORS.internal.code, { status: 500, text: 'internal error' }],
  [CLOUDFLARE_SEND_ERRORS.notImplemented.code, { status: 500, text: 'not implemented' }],
  [CLOUDFLARE_SEND_ERRORS.upstream.code, { status: 503, text: 'its authentication service failed' }],
]);

/**
 * The generic v4 authentication codes, as the zone routes use them: 10000 `Authentication error` (NOTES
 * §9.1), and 10001 `Unable to authenticate request`, which a live probe saw under a 404 (NOTES §5.3). On
 * a zone route they are authentication failures whatever status carries them; on a send route the same
 * numbers mean "not found" and "schema".
 */
const ZONE_AUTH_CODES: ReadonlyMap<number, KnownCode> = new Map([
  [
    10000,
    {
      status: 401,
      text: 'authentication error: the credentials were refused or cannot reach this zone',
    },
  ],
  [10001, { status: 401, text: 'the request could not be authenticated' }],
]);

/** The codes of the zone routes (`/zones/{zone_id}/email/sending/subdomains…`, NOTES §5.2). */
const ZONE_ROUTE_CODES: ReadonlyMap<number, KnownCode> = new Map([
  ...ZONE_AUTH_CODES,
  [
    CLOUDFLARE_SUBDOMAIN_ERRORS.invalidId.code,
    { status: 400, text: 'the subdomain id is not a valid identifier' },
  ],
  [
    CLOUDFLARE_SUBDOMAIN_ERRORS.zoneLocked.code,
    { status: 403, text: 'zone locked: the zone is admin-locked and cannot be changed' },
  ],
  [CLOUDFLARE_SUBDOMAIN_ERRORS.notFound.code, { status: 404, text: 'the sending subdomain does not exist' }],
  [
    CLOUDFLARE_SUBDOMAIN_ERRORS.alreadyExists.code,
    { status: 409, text: 'the sending subdomain already exists' },
  ],
  // The DNS-fix route's conflicts (NOTES §3 row 10, §5.2).
  [2008, { status: 409, text: 'a foreign MX record is in the way' }],
  [2026, { status: 409, text: 'the domain has more than one SPF record' }],
  [2027, { status: 409, text: 'the domain has more than one DMARC record' }],
]);

/** Codes that mean the same on every route (the v4 router's own, NOTES §5.3). */
const COMMON_CODES: ReadonlyMap<number, KnownCode> = new Map([
  [CLOUDFLARE_SUBDOMAIN_ERRORS.couldNotRoute.code, { status: 404, text: 'no such route' }],
]);

/**
 * What mailgraph says about each code on a family of routes. Without the family, only the codes that
 * mean the same everywhere are explained; the others are quoted as Cloudflare wrote them.
 */
function knownCodes(routes: CloudflareRoutes | undefined): (code: number) => KnownCode | undefined {
  const family =
    routes === 'send'
      ? SEND_ROUTE_CODES
      : routes === 'zone'
        ? ZONE_ROUTE_CODES
        : new Map<number, KnownCode>();
  return (code) => family.get(code) ?? COMMON_CODES.get(code);
}

/** Codes that mean "change the input" even when Cloudflare files them under 409. */
const VALIDATION_CODES = new Set<number>([CLOUDFLARE_SUBDOMAIN_ERRORS.alreadyExists.code]);

interface CloudflareErrorItem {
  code: number;
  message: string;
  pointer: string | undefined;
}

export function mapCloudflareError(
  status: number,
  body: unknown,
  headers: ResponseHeaders,
  context: CloudflareErrorContext = {},
): MailgraphError {
  const items = errorItems(body);
  const lookup = knownCodes(context.routes);
  // The first code mailgraph knows explains the failure best; else the first code given.
  const primary = items.find((item) => lookup(item.code) !== undefined) ?? items[0];
  const known = primary === undefined ? undefined : lookup(primary.code);
  const kind = kindOf(status, known, context.routes === 'zone' ? primary?.code : undefined);
  const clean = (text: string) => sanitize(text, context.secrets ?? []);
  const reason =
    primary === undefined
      ? ''
      : known !== undefined
        ? ` (code ${primary.code}: ${known.text})`
        : ` (code ${primary.code}: ${clean(primary.message) || 'no message'})`;
  const upstream = (message: string, code: UpstreamError['code']) =>
    new UpstreamError(message, 'CLOUDFLARE', status, code);

  let error: MailgraphError;
  switch (
    kind === 'conflict' && primary !== undefined && VALIDATION_CODES.has(primary.code) ? 'validation' : kind
  ) {
    case 'validation': {
      const message = `Cloudflare rejected the input${reason}`;
      error = new ValidationError(message, validationIssues(items, lookup, clean, message), 'CLOUDFLARE');
      break;
    }
    case 'unauthorized':
      error = upstream(`Cloudflare rejected the credentials${reason}`, 'UNAUTHORIZED');
      break;
    case 'forbidden':
      error = upstream(`Cloudflare refused access${reason}`, 'FORBIDDEN');
      break;
    case 'not-found': {
      const resource = context.resource ?? 'Cloudflare resource';
      const id = context.id ?? '';
      error = new NotFoundError(`${resource} ${JSON.stringify(id)} was not found${reason}`, resource, id);
      break;
    }
    case 'conflict':
      error = upstream(`Cloudflare reported a conflict${reason}`, 'CONFLICT');
      break;
    case 'rate-limited': {
      const seconds = retryAfterSeconds(headers, context.now ?? Date.now());
      error = new RateLimitedError(
        `Cloudflare rate limit reached${reason}; retry in ${seconds} s`,
        'CLOUDFLARE',
        seconds,
      );
      break;
    }
    case 'server':
      error = upstream(`Cloudflare failed with ${status}${reason}`, 'SERVER_ERROR');
      break;
    default:
      error =
        status >= 200 && status <= 299
          ? upstream(`Cloudflare answered ${status} but reported a failure${reason}`, 'UNEXPECTED_STATUS')
          : upstream(`Cloudflare answered with unexpected status ${status}${reason}`, 'UNEXPECTED_STATUS');
  }
  error.providerCode = primary === undefined ? null : String(primary.code);
  return error;
}

/**
 * The kind of failure: the HTTP status's when it is a documented one, else the code's documented status's.
 * On a zone route an authentication code decides by itself (unless the answer is a 429 or a 5xx): a 403
 * with it is FORBIDDEN, any other status UNAUTHORIZED, never "not found" or "invalid input".
 */
function kindOf(
  status: number,
  known: KnownCode | undefined,
  zoneCode: number | undefined,
): Kind | undefined {
  const byStatus = kindOfStatus(status);
  if (zoneCode !== undefined && ZONE_AUTH_CODES.has(zoneCode)) {
    if (byStatus === 'rate-limited' || byStatus === 'server') return byStatus;
    return status === 403 ? 'forbidden' : 'unauthorized';
  }
  return byStatus ?? (known === undefined ? undefined : kindOfStatus(known.status));
}

function kindOfStatus(status: number): Kind | undefined {
  switch (true) {
    // 413 comes from Cloudflare's edge for an oversized body, before the API sees it (10200 in spirit).
    case status === 400 || status === 413 || status === 422:
      return 'validation';
    case status === 401:
      return 'unauthorized';
    case status === 403:
      return 'forbidden';
    case status === 404:
      return 'not-found';
    case status === 409:
      return 'conflict';
    case status === 429:
      return 'rate-limited';
    case status >= 500 && status <= 599:
      return 'server';
    default:
      return undefined;
  }
}

/** The well-formed items of `errors`, skipping any that are not `{code, message}`. */
function errorItems(body: unknown): CloudflareErrorItem[] {
  const parsed = z.object({ errors: z.array(z.unknown()) }).safeParse(body);
  if (!parsed.success) return [];
  const items: CloudflareErrorItem[] = [];
  for (const raw of parsed.data.errors) {
    const item = cloudflareMessageSchema.safeParse(raw);
    if (item.success) {
      items.push({ code: item.data.code, message: item.data.message, pointer: item.data.source?.pointer });
    }
  }
  return items;
}

function validationIssues(
  items: CloudflareErrorItem[],
  lookup: (code: number) => KnownCode | undefined,
  clean: (text: string) => string,
  fallback: string,
): ValidationIssue[] {
  if (items.length === 0) return [{ path: '', message: fallback }];
  return items.slice(0, MAX_ISSUES).map((item) => {
    const text = lookup(item.code)?.text ?? (clean(item.message) || 'refused');
    return { path: pointerPath(item.pointer), message: `${text} (code ${item.code})` };
  });
}

/** A JSON pointer into the request body (`/to/0`) as a dotted path (`to.0`); empty when absent or odd. */
function pointerPath(pointer: string | undefined): string {
  if (pointer === undefined || !pointer.startsWith('/')) return '';
  const parts = pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  const path = parts.join('.');
  return /^[\w.-]{1,200}$/.test(path) ? path : '';
}

/** Upstream text made safe to show: no secrets, no control characters, short. */
function sanitize(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret !== '') result = result.split(secret).join('****');
  result = result.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return result.length > MAX_QUOTED_LENGTH ? `${result.slice(0, MAX_QUOTED_LENGTH)}…` : result;
}

/**
 * Seconds until Cloudflare takes calls again: `Retry-After` (seconds or HTTP-date), else the `t` of the
 * `Ratelimit` header (NOTES §2), else a minute.
 */
export function retryAfterSeconds(headers: ResponseHeaders, nowMs: number): number {
  const fromRetryAfter = parseRetryAfter(headers['retry-after'], nowMs, MAX_WAIT_SECONDS);
  if (fromRetryAfter !== null) return fromRetryAfter;
  const reset = parseRatelimit(headers.ratelimit)?.resetSeconds;
  if (reset !== undefined) return clampRetryAfter(reset, MAX_WAIT_SECONDS);
  return DEFAULT_RETRY_AFTER_SECONDS;
}

export interface RatelimitState {
  /** Requests left in the current window (`r`). */
  remaining: number | undefined;
  /** Seconds until the window resets (`t`), at most the 5-minute window. */
  resetSeconds: number | undefined;
}

/**
 * The first item of the `Ratelimit` structured header, e.g. `"default";r=50;t=30`. Undefined when absent or
 * when neither parameter is readable.
 */
export function parseRatelimit(value: string | string[] | undefined): RatelimitState | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const first = raw.split(',')[0] ?? '';
  const parameter = (name: string) => {
    const match = new RegExp(`;\\s*${name}=(\\d{1,9})(?:;|\\s*$)`).exec(first);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
  const reset = parameter('t');
  const state = {
    remaining: parameter('r'),
    resetSeconds: reset === undefined ? undefined : Math.min(reset, MAX_WAIT_SECONDS),
  };
  return state.remaining === undefined && state.resetSeconds === undefined ? undefined : state;
}
