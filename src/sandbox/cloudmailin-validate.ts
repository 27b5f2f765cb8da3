/**
 * Request-body validation for the CloudMailin emulator. Each function either returns the clean value or
 * throws an `UnprocessableError` whose message becomes the `error` of a 422 `{status, error}` body.
 * Only "body not found" is known verbatim from the real API (NOTES §1.5); the other messages are ours.
 */
import {
  type AddressInput,
  CLOUDMAILIN_LIMITS,
  type CustomDomainInput,
  type TargetFormat,
} from '../upstream/cloudmailin-wire.js';

export class UnprocessableError extends Error {
  override name = 'UnprocessableError';
}

type Json = Record<string, unknown>;

const TARGET_FORMATS: readonly TargetFormat[] = ['json+n', 'multipart+n'];
const PRIORITIES = ['standard', 'priority', 'digest'] as const;
const FORBIDDEN_EXTENSIONS = new Set<string>(CLOUDMAILIN_LIMITS.forbiddenExtensions);
const MAX_RECIPIENTS = CLOUDMAILIN_LIMITS.maxRecipients;
const MAX_MESSAGE_BYTES = CLOUDMAILIN_LIMITS.maxMessageBytes;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const EMAIL = /^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/;
// No groups under a quantifier: V8 recurses per repetition and overflows on multi-megabyte attachments.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const SENDING_DOMAIN_READ_ONLY = [
  'id',
  'mta_domain',
  'dkim_selector',
  'dkim_domain',
  'dkim_public_record',
  'required_cname',
  'dkim_verified',
  'return_path_verified',
  'spf_verified',
];

function fail(message: string): never {
  throw new UnprocessableError(message);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(body: unknown): Json {
  if (body === undefined) return {};
  if (!isObject(body)) fail('the request body must be a JSON object');
  return body;
}

/** The spec's `additionalProperties: false`, with readOnly properties named as such. */
function onlyProperties(body: Json, writable: readonly string[], readOnly: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (readOnly.includes(key)) fail(`${key} is read-only`);
    if (!writable.includes(key)) fail(`unknown property: ${key}`);
  }
}

function optionalString(body: Json, key: string): string | null | undefined {
  const value = body[key];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') fail(`${key} must be a string or null`);
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** `create` and `replace` need target and target_format (the live page marks them required); `merge` is PATCH. */
export function validateAddress(raw: unknown, mode: 'create' | 'replace' | 'merge'): Partial<AddressInput> {
  const body = requireObject(raw);
  onlyProperties(body, ['target', 'target_format', 'nickname', 'attachments'], ['id']);
  const out: Partial<AddressInput> = {};
  if (body.target !== undefined || mode !== 'merge') {
    if (body.target === undefined || body.target === null || body.target === '') fail('target is required');
    if (typeof body.target !== 'string' || !isHttpUrl(body.target))
      fail('target must be an http or https URL');
    out.target = body.target;
  }
  if (body.target_format !== undefined || mode !== 'merge') {
    if (body.target_format === undefined || body.target_format === null) fail('target_format is required');
    if (!TARGET_FORMATS.includes(body.target_format as TargetFormat)) {
      fail(`target_format must be one of ${TARGET_FORMATS.join(', ')}`);
    }
    out.target_format = body.target_format as TargetFormat;
  }
  const nickname = optionalString(body, 'nickname');
  if (nickname !== undefined) {
    if (nickname !== null && nickname.length > 255) fail('nickname is too long (at most 255 characters)');
    out.nickname = nickname;
  }
  if (body.attachments !== undefined && body.attachments !== null) {
    if (!isObject(body.attachments)) fail('attachments must be an object');
    out.attachments = body.attachments;
  }
  return out;
}

export function normalizeDomain(value: unknown, allowWildcard: boolean): string {
  if (value === undefined || value === null || value === '') fail('domain is required');
  if (typeof value !== 'string') fail('domain must be a string');
  const domain = value.trim().toLowerCase().replace(/\.$/, '');
  const bare = allowWildcard && domain.startsWith('*.') ? domain.slice(2) : domain;
  if (!HOSTNAME.test(bare)) fail(`domain is invalid: ${JSON.stringify(value)}`);
  return domain;
}

export function validateCustomDomain(raw: unknown): CustomDomainInput {
  const body = requireObject(raw);
  onlyProperties(body, ['domain', 'auth_regex', 'domain_target'], ['id']);
  const domain = normalizeDomain(body.domain, true);
  const authRegex = optionalString(body, 'auth_regex') ?? null;
  if (authRegex !== null) {
    try {
      new RegExp(authRegex);
    } catch {
      fail('auth_regex is not a valid regular expression');
    }
  }
  const domainTarget = optionalString(body, 'domain_target') ?? null;
  if (domainTarget !== null && !isHttpUrl(domainTarget)) fail('domain_target must be an http or https URL');
  return { domain, auth_regex: authRegex, domain_target: domainTarget };
}

export function validateSendingDomain(raw: unknown): string {
  const body = requireObject(raw);
  onlyProperties(body, ['domain'], SENDING_DOMAIN_READ_ONLY);
  return normalizeDomain(body.domain, false);
}

/** Splits a comma-separated address list, keeping commas inside quotes or angle brackets. */
function splitAddressList(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) angle = true;
    else if (char === '>' && !quoted) angle = false;
    if (char === ',' && !quoted && !angle) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** `Name <user@example.com>` or `user@example.com` → `user@example.com`, or null when it is not an address. */
export function emailOf(mailbox: string): string | null {
  const angled = /<([^<>]+)>\s*$/.exec(mailbox);
  const email = (angled?.[1] ?? mailbox).trim();
  return EMAIL.test(email) ? email : null;
}

/** The spec's `Array of strings or string` (a comma-separated string is allowed). */
function stringList(body: Json, key: string): string[] {
  const value = body[key];
  if (value === undefined || value === null) return [];
  const items: unknown = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    fail(`${key} must be a string or an array of strings`);
  }
  return items;
}

function mailboxList(body: Json, key: string): string[] {
  const mailboxes = stringList(body, key).flatMap(splitAddressList);
  for (const mailbox of mailboxes) {
    if (emailOf(mailbox) === null) fail(`${key} contains an invalid address: ${JSON.stringify(mailbox)}`);
  }
  return mailboxes;
}

export interface ValidatedMessage {
  from: string;
  to: string[];
  cc: string[];
  tags: string[];
  subject: string | null;
  testMode: boolean;
  /** Bare addresses of to then cc, one per recipient. */
  recipients: string[];
}

/**
 * `Message` or `RawMessage`. Unknown properties are ignored: unlike the management schemas, the spec's
 * Message has no `additionalProperties: false`. `raw` cannot be combined with the structured body
 * fields, because the request would then mean two different emails.
 */
export function validateMessage(raw: unknown): ValidatedMessage {
  const body = requireObject(raw);
  if (body.from === undefined || body.from === null || body.from === '') fail('from is required');
  if (typeof body.from !== 'string' || emailOf(body.from) === null) fail('from must be an email address');
  const to = mailboxList(body, 'to');
  if (to.length === 0) fail('to is required');
  const cc = mailboxList(body, 'cc');
  const tags = stringList(body, 'tags')
    .flatMap((tag) => tag.split(','))
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  if (to.length + cc.length > MAX_RECIPIENTS) {
    fail(`too many recipients: ${to.length + cc.length}, at most ${MAX_RECIPIENTS} across to and cc`);
  }
  if (body.test_mode !== undefined && body.test_mode !== null && typeof body.test_mode !== 'boolean') {
    fail('test_mode must be a boolean');
  }
  let subject = optionalString(body, 'subject') ?? null;
  let size = 0;
  if (body.raw !== undefined) {
    if (typeof body.raw !== 'string' || body.raw.trim() === '') fail('raw must be a non-empty string');
    const structured = ['plain', 'html', 'markdown', 'attachments', 'headers'].filter(
      (k) => body[k] !== undefined,
    );
    if (structured.length > 0) fail(`raw cannot be combined with ${structured.join(', ')}`);
    const headerBlock = body.raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
    if (!/^from:/im.test(headerBlock) || !/^to:/im.test(headerBlock))
      fail('raw must include From and To headers');
    subject ??= /^subject:[ \t]*(.*)$/im.exec(headerBlock)?.[1]?.trim() ?? null;
    size = Buffer.byteLength(body.raw);
  } else {
    size = validateStructuredBody(body);
  }
  size += Buffer.byteLength(subject ?? '');
  if (size > MAX_MESSAGE_BYTES) fail(`message too large: ${size} bytes, the limit is 10 MB`);
  const recipients = [...to, ...cc].map((mailbox) => emailOf(mailbox) ?? mailbox);
  return {
    from: body.from,
    to,
    cc,
    tags,
    subject,
    testMode: body.test_mode === true,
    recipients,
  };
}

/** Checks plain/html/markdown, headers, priority and attachments; returns their size in bytes. */
function validateStructuredBody(body: Json): number {
  const parts = ['plain', 'html', 'markdown'].map((key) => optionalString(body, key) ?? '');
  if (parts.every((part) => part === '')) fail('body not found: one of plain, html or markdown is required');
  let size = parts.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
  if (body.headers !== undefined && body.headers !== null) {
    if (!isObject(body.headers)) fail('headers must be an object of strings');
    for (const [name, value] of Object.entries(body.headers)) {
      // The official Go client sends arrays of strings (map[string][]string), so accept both.
      const ok =
        typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
      if (!ok) fail(`headers.${name} must be a string`);
      size += Buffer.byteLength(name) + Buffer.byteLength(String(value));
    }
  }
  if (body.priority !== undefined && body.priority !== null) {
    if (!PRIORITIES.includes(body.priority as (typeof PRIORITIES)[number])) {
      fail(`priority must be one of ${PRIORITIES.join(', ')}`);
    }
  }
  if (body.attachments !== undefined && body.attachments !== null) {
    if (!Array.isArray(body.attachments)) fail('attachments must be an array');
    body.attachments.forEach((attachment: unknown, index: number) => {
      size += validateAttachment(attachment, `attachments[${index}]`);
    });
  }
  return size;
}

function validateAttachment(raw: unknown, path: string): number {
  if (!isObject(raw)) fail(`${path} must be an object`);
  for (const key of ['file_name', 'content', 'content_type']) {
    if (typeof raw[key] !== 'string' || raw[key] === '') fail(`${path}.${key} is required`);
  }
  const fileName = raw.file_name as string;
  const content = raw.content as string;
  const contentId = raw.content_id;
  if (contentId !== undefined && contentId !== null && typeof contentId !== 'string') {
    fail(`${path}.content_id must be a string or null`);
  }
  const extension = fileName.includes('.') ? (fileName.split('.').pop() ?? '').toLowerCase() : '';
  if (FORBIDDEN_EXTENSIONS.has(extension)) fail(`${path}: attachments of type .${extension} are not allowed`);
  if (content.length % 4 !== 0 || !BASE64_CHARS.test(content))
    fail(`${path}.content must be base64 without newlines`);
  return (content.length / 4) * 3 - (content.endsWith('==') ? 2 : content.endsWith('=') ? 1 : 0);
}
