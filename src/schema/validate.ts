/**
 * Input checks that run before any upstream call. Each collects every problem of an input so that a
 * client learns all of them at once, then throws one ValidationError.
 */
import { ValidationError, type ValidationIssue } from '../errors.js';

export class InputIssues {
  readonly issues: ValidationIssue[] = [];

  /** Records `message` at `path` unless `ok`; returns `ok` so callers can skip dependent checks. */
  check(ok: boolean, path: string, message: string, code?: ValidationIssue['code']): boolean {
    if (!ok) this.issues.push(code ? { path, message, code } : { path, message });
    return ok;
  }

  throwIfAny(summary = 'The input was refused.'): void {
    if (this.issues.length > 0) {
      const first = this.issues[0] as ValidationIssue;
      throw new ValidationError(
        this.issues.length === 1
          ? `${first.path}: ${first.message}`
          : `${summary} ${this.issues.length} problems.`,
        this.issues,
      );
    }
  }
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)+[A-Za-z][A-Za-z0-9-]{0,62}$`);
// Deliberately simple: one @, no spaces or control characters, a domain with a dot. Providers do the rest.
const EMAIL =
  /^[^\s@<>()",;:\\[\]\x00-\x1f\x7f]{1,64}@[^\s@<>()",;:\\[\]\x00-\x1f\x7f]{1,253}\.[A-Za-z0-9-]{2,63}$/;

export function isDomain(value: string, allowWildcard = false): boolean {
  const name = allowWildcard && value.startsWith('*.') ? value.slice(2) : value;
  return name.length <= 253 && DOMAIN.test(name);
}

export function isEmail(value: string): boolean {
  return value.length <= 320 && EMAIL.test(value);
}

export function isHttpUrl(value: string): boolean {
  if (value.length > 2048 || /[\s\x00-\x1f\x7f]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** A provider timestamp as a Date, or null when absent or unreadable (never an Invalid Date). */
export function dateOrNull(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** CloudMailin sends address and tag lists either as arrays or as comma-separated strings. */
export function listOf(value: string[] | string | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value)
    ? value
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

/** A `query` argument checked and trimmed; null when there is nothing to search for. */
export function searchQueryOf(query: string | null | undefined, path = 'query'): string | null {
  if (query === null || query === undefined) return null;
  const checks = new InputIssues();
  checks.check(query.length <= 500, path, 'must be at most 500 characters');
  checks.check(!hasControlCharacters(query), path, 'must not contain control characters');
  checks.throwIfAny();
  return query.trim() || null;
}

export function hasControlCharacters(value: string): boolean {
  return /[\x00-\x08\x0a-\x1f\x7f]/.test(value);
}

/**
 * True for text that stays on one line wherever it lands (a header, a log line, a file name): no C0
 * control (tab included), no DEL, no C1 control (U+0085 NEL among them), and no Unicode line or paragraph
 * separator (U+2028, U+2029), which some mail software and every JavaScript string literal reads as a
 * line break.
 */
export function isOneLine(value: string): boolean {
  return !/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(value);
}
