/**
 * The one place where a CloudMailin error response becomes a typed error (STYLE practice 4).
 * CloudMailin's error body is `{"status": 422, "error": "description"}` (NOTES §1.5); anything else, including
 * an HTML error page or no body at all, is tolerated and never quoted back. A quoted `error` is cleaned as
 * Cloudflare's messages are: no credential mailgraph sent, no control characters, short.
 */
import {
  type MailgraphError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  ValidationError,
} from '../errors.js';
import { errorBodySchema } from './cloudmailin-wire.js';
import type { ErrorContext, ResponseHeaders } from './http.js';
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from './retry-after.js';
import { sanitizeUpstreamText } from './sanitize.js';

/** The 429 response shape is undocumented (NOTES §1.6); a minute matches the documented per-minute limit. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;
const MAX_MESSAGE_LENGTH = 500;

export interface CloudMailinErrorContext extends ErrorContext {
  /** The clock for an HTTP-date `Retry-After`. */
  now?: number;
}

/** Retry-After above the documented per-minute window is capped there (see retry-after.ts). */
const MAX_WAIT_SECONDS = MAX_RETRY_AFTER_SECONDS.CLOUDMAILIN;

export function mapCloudMailinError(
  status: number,
  body: unknown,
  headers: ResponseHeaders,
  context: CloudMailinErrorContext = {},
): MailgraphError {
  const upstream = (message: string, code: UpstreamError['code']) =>
    new UpstreamError(message, 'CLOUDMAILIN', status, code);
  switch (true) {
    case status === 401:
      return upstream('CloudMailin rejected the credentials', 'UNAUTHORIZED');
    case status === 403:
      return upstream('CloudMailin refused access (is the API enabled for this account?)', 'FORBIDDEN');
    case status === 404: {
      const resource = context.resource ?? 'CloudMailin resource';
      const id = context.id ?? '';
      return new NotFoundError(`${resource} ${JSON.stringify(id)} was not found`, resource, id);
    }
    case status === 422: {
      const message = upstreamMessage(body, context.secrets ?? []) ?? 'CloudMailin rejected the input';
      return new ValidationError(message, [{ path: '', message }], 'CLOUDMAILIN');
    }
    case status === 429: {
      const seconds = parseRetryAfter(headers['retry-after'], context.now ?? Date.now(), MAX_WAIT_SECONDS);
      const retryAfter = seconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      return new RateLimitedError(
        `CloudMailin rate limit reached; retry in ${retryAfter} s`,
        'CLOUDMAILIN',
        retryAfter,
      );
    }
    case status >= 500 && status <= 599:
      return upstream(`CloudMailin failed with ${status}`, 'SERVER_ERROR');
    default:
      return upstream(`CloudMailin answered with unexpected status ${status}`, 'UNEXPECTED_STATUS');
  }
}

/** The `error` text of a well-formed error body, made safe to show; null otherwise. */
function upstreamMessage(body: unknown, secrets: readonly string[]): string | null {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return null;
  const text = sanitizeUpstreamText(parsed.data.error, secrets, MAX_MESSAGE_LENGTH);
  return text === '' ? null : text;
}
