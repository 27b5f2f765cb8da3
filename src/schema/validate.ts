/**
 * Input checks that run before any upstream call. Each collects every problem of an input so that a
 * client learns all of them at once, then throws one ValidationError.
 */
import { ValidationError, type ValidationIssue } from '../upstream/errors.js';

export class InputIssues {
  readonly issues: ValidationIssue[] = [];

  /** Records `message` at `path` unless `ok`; returns `ok` so callers can skip dependent checks. */
  check(ok: boolean, path: string, message: string): boolean {
    if (!ok) this.issues.push({ path, message });
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

export function hasControlCharacters(value: string): boolean {
  return /[\x00-\x08\x0a-\x1f\x7f]/.test(value);
}
