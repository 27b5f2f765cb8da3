/**
 * An inbound address's attachment store (CloudMailin's address `attachments` object): where CloudMailin
 * uploads attachments instead of embedding them in the POST (S3, Azure, Google Cloud Storage, S3-compatible
 * stores). Its fields are not documented, so mailgraph passes the object through, and:
 * - never outputs a secret in it: a value under a secret-looking name (secret, password, token, key,
 *   credential, signature, SAS…) becomes `****`, and so do a URL's password and its secret-looking query
 *   parameters (an Azure SAS URL's `sig`, an S3 presigned URL's `X-Amz-Signature`), as for the target URL;
 * - takes the redacted object back on update: a value still equal to what mailgraph showed for the current
 *   one keeps the real value, so a client can edit one field of what it read and send the whole object;
 * - checks its size and shape before any call, and refuses a `****` it cannot restore.
 */
import type { ValidationIssue } from '../errors.js';

export const REDACTED = '****';

/** Names whose values are secrets (matched anywhere in the name, any case). */
const SECRET_NAME =
  /secret|passw|pwd|token|credential|private|signature|^sig$|sas|api_?key|access_?key|auth|^key$|_key$|conn(ection)?_?string/i;

const LIMITS = { depth: 5, keys: 50, keyLength: 64, stringLength: 2048, bytes: 8 * 1024 } as const;
// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A URL with its password and secret-looking query parameters replaced; other text as it is. */
function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  let changed = false;
  if (url.password) {
    url.password = REDACTED;
    changed = true;
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_NAME.test(name) || /^x-amz-(signature|credential|security-token)$/i.test(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? url.toString() : text;
}

/** One value as mailgraph shows it, given the name it is stored under (an array's items share its name). */
function redactValue(value: unknown, name: string | null): unknown {
  if (Array.isArray(value)) return value.map((item) => redactValue(item, name));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, key)]));
  }
  const secret = name !== null && SECRET_NAME.test(name);
  if (secret && ((typeof value === 'string' && value !== '') || typeof value === 'number')) return REDACTED;
  if (typeof value === 'string') return redactUrl(value);
  return value;
}

/** The store as the graph shows it: null when none is configured (absent, null or `{}`), secrets as `****`. */
export function redactAttachmentStore(store: Record<string, unknown> | null | undefined) {
  if (!isPlainObject(store) || Object.keys(store).length === 0) return null;
  return redactValue(store, null) as Record<string, unknown>;
}

/**
 * `input` with every value that still equals what mailgraph showed for the current store's value at the same
 * place (and that showing hid something) replaced by the current value: a redacted object sent back keeps
 * its secrets.
 */
export function restoreRedacted(input: unknown, current: unknown, name: string | null = null): unknown {
  if (isPlainObject(input)) {
    const base = isPlainObject(current) ? current : {};
    return Object.fromEntries(
      Object.entries(input).map(([key, value]) => [key, restoreRedacted(value, base[key], key)]),
    );
  }
  if (Array.isArray(input)) {
    const base = Array.isArray(current) ? current : [];
    return input.map((value, index) => restoreRedacted(value, base[index], name));
  }
  if (current !== undefined && !isPlainObject(current) && !Array.isArray(current)) {
    const shown = redactValue(current, name);
    if (shown !== current && JSON.stringify(shown) === JSON.stringify(input)) return current;
  }
  return input;
}

/**
 * Problems of an attachment store given as input (after `restoreRedacted`), each at its dotted path under
 * `prefix`: its size and shape, control characters, and a `****` that was not the redaction of a value the
 * address has (mailgraph cannot know the secret it stands for).
 */
export function attachmentStoreIssues(store: Record<string, unknown>, prefix: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const issue = (path: string, message: string) => {
    if (issues.length < 20) issues.push({ path, message });
  };
  let keys = 0;
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > LIMITS.depth) {
      issue(path, `nests deeper than ${LIMITS.depth} levels`);
      return;
    }
    if (typeof value === 'string') {
      if (value.length > LIMITS.stringLength)
        issue(path, `must be at most ${LIMITS.stringLength} characters`);
      if (CONTROL.test(value)) issue(path, 'must not contain control characters or line separators');
      if (value === REDACTED || value.includes(`:${REDACTED}@`) || value.includes(`=${REDACTED}`)) {
        issue(
          path,
          `is a redacted placeholder (${REDACTED}) with no stored value behind it; send the real value`,
        );
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${path}.${index}`, depth + 1));
      return;
    }
    if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        keys += 1;
        if (key.length === 0 || key.length > LIMITS.keyLength || /[^\x21-\x7e]/.test(key)) {
          issue(path, `has a field name that is not 1-${LIMITS.keyLength} printable characters`);
          continue;
        }
        visit(item, `${path}.${key}`, depth + 1);
      }
    }
  };
  visit(store, prefix, 0);
  if (keys > LIMITS.keys) issue(prefix, `must have at most ${LIMITS.keys} fields`);
  if (Buffer.byteLength(JSON.stringify(store)) > LIMITS.bytes) {
    issue(prefix, `must be at most ${LIMITS.bytes} bytes of JSON`);
  }
  return issues;
}
