/**
 * `Retry-After` (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date. Shared by every provider.
 *
 * A wait is capped near the provider's documented window: a provider's limit frees within its window, so a
 * longer `Retry-After` (99,999,999 was seen) is a bug upstream, and obeying it would stop every call on that
 * credential for days. After the cap, the next call asks again and learns the real state.
 */
import type { Provider } from '../errors.js';

/**
 * The longest wait mailgraph obeys or reports, per provider: CloudMailin limits calls per minute (NOTES
 * §1.6); Cloudflare blocks every call for 5 minutes once its limit trips (NOTES §2).
 */
export const MAX_RETRY_AFTER_SECONDS: Readonly<Record<Provider, number>> = Object.freeze({
  CLOUDMAILIN: 60,
  CLOUDFLARE: 300,
});

const HTTP_DATE_START = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,? /i;

/** `seconds` as a wait: at least 1 (a 429 that says "retry now" still means "not now"), at most `maxSeconds`. */
export function clampRetryAfter(seconds: number, maxSeconds: number): number {
  return Math.min(Math.max(Math.ceil(seconds), 1), maxSeconds);
}

/**
 * Whole seconds to wait, clamped by `clampRetryAfter`. `null` when the header is absent or unreadable, so
 * that each caller picks its own default.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs: number,
  maxSeconds: number,
): number | null {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (raw === undefined || raw === '') return null;
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(raw)) {
    seconds = Math.ceil(Number(raw));
  } else {
    // All three HTTP-date forms (IMF-fixdate, RFC 850, asctime) start with the day name; requiring it keeps
    // V8's lenient Date.parse from reading a date into things like "-5" or "soon 12".
    if (!HTTP_DATE_START.test(raw)) return null;
    const at = Date.parse(raw);
    if (Number.isNaN(at)) return null;
    seconds = Math.ceil((at - nowMs) / 1000);
  }
  return clampRetryAfter(seconds, maxSeconds);
}
