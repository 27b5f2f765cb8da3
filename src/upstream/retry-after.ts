/**
 * `Retry-After` (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date. Shared by every provider.
 */

/** The longest wait mailgraph will report; a larger value is more likely a bug upstream than a real ban. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

const HTTP_DATE_START = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,? /i;

/**
 * Whole seconds to wait, at least 1 (a 429 that says "retry now" still means "not now"), at most a day.
 * `null` when the header is absent or unreadable, so that each caller picks its own default.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
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
  return Math.min(Math.max(seconds, 1), MAX_RETRY_AFTER_SECONDS);
}
