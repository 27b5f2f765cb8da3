/**
 * Request-body validation for the Cloudflare emulator. Each function returns the clean value or throws a
 * `CloudflareApiError`; the envelope then carries the documented code and message, the offending field
 * as `errors[].source.pointer`, and a sentence of detail in `messages`.
 *
 * Which send error a problem gets (the sources list the codes, not the rules behind them):
 * - 10001 `invalid_request_schema`: the body breaks the schema (a missing or mistyped field, a value
 *   outside an enum, an address outside printable ASCII, an unknown top-level property) or a documented
 *   request rule (text or html, at least one and at most 50 recipients, a subject of at most 998
 *   characters, custom headers of at most 16 KB, no CR/LF in header values or names).
 * - 10200 `too_big`: the message is over 5 MiB (see `messageSize`).
 * - 10202 `email.invalid`: the body has the right shape but is not a valid email: an address that is
 *   not `local@domain`, attachment content that is not base64, a `mime_message` that is not RFC 5322.
 * Checks run in that order, so a body with several problems gets the first kind.
 */
import { Buffer } from 'node:buffer';
import { CLOUDFLARE_LIMITS, CLOUDFLARE_SEND_ERRORS } from '../upstream/cloudflare-wire.js';
import { CLOUDFLARE_GATE_ERRORS, CloudflareApiError } from './cloudflare-errors.js';
import type { CloudflareZone } from './cloudflare-records.js';

type Json = Record<string, unknown>;

export interface ValidatedSend {
  /** The bare sender address. */
  from: string;
  /** Each recipient once (case-insensitive, first spelling kept), in request order. */
  recipients: string[];
  subject: string | null;
}

const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;
const LOCAL_PART = /^[^\s"(),:;<>@[\\\]]{1,64}$/;
// Grouped and repeated, so only ever run on short strings (callers check the length first).
const HOSTNAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** RFC 5322 field names: printable ASCII except the colon. */
const HEADER_NAME = /^[!-9;-~]+$/;
const CR_OR_LF = /[\r\n]/;
/** The fields the builder writes itself from the request: setting them through `headers` is refused. */
const STRUCTURAL_HEADERS = new Set([
  'bcc',
  'cc',
  'content-transfer-encoding',
  'content-type',
  'date',
  'dkim-signature',
  'from',
  'message-id',
  'mime-version',
  'received',
  'reply-to',
  'return-path',
  'sender',
  'subject',
  'to',
]);
const BUILDER_PROPERTIES = [
  'from',
  'subject',
  'to',
  'cc',
  'bcc',
  'reply_to',
  'text',
  'html',
  'headers',
  'attachments',
];
const RAW_PROPERTIES = ['from', 'recipients', 'mime_message'];
const SUBDOMAIN_READ_ONLY = [
  'tag',
  'id',
  'enabled',
  'dkim_selector',
  'return_path_domain',
  'created',
  'modified',
];

function schemaError(detail: string, pointer?: string): never {
  throw new CloudflareApiError(CLOUDFLARE_SEND_ERRORS.invalidRequestSchema, detail, pointer);
}

function invalidEmail(detail: string, pointer?: string): never {
  throw new CloudflareApiError(CLOUDFLARE_SEND_ERRORS.invalidEmail, detail, pointer);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901: `~` and `/` are escaped inside a pointer segment. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function isEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1) return false;
  return LOCAL_PART.test(value.slice(0, at)) && HOSTNAME.test(value.slice(at + 1).toLowerCase());
}

/** Linear and regex-free: V8's backtracking on repeated groups overflows on multi-megabyte strings. */
export function isBase64(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  let padding = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 61) {
      padding += 1;
      if (padding > 2) return false;
      continue;
    }
    if (padding > 0) return false;
    const alphabet =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!alphabet) return false;
  }
  return true;
}

/** Whether `text` has more than `max` characters (code points), without copying a long string into an array. */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let count = 0;
  for (const _ of text) {
    count += 1;
    if (count > max) return true;
  }
  return false;
}

function dedupe(addresses: string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((address) => {
    const key = address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function requireBody(raw: unknown): Json {
  if (raw === undefined) schemaError('the request needs a JSON object body');
  if (!isObject(raw)) schemaError('the request body must be a JSON object');
  return raw;
}

function onlyProperties(body: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) schemaError(`unknown property: ${key}`, `/${pointerSegment(key)}`);
  }
}

function printable(value: unknown, pointer: string): string {
  if (typeof value !== 'string') schemaError('must be a string', pointer);
  if (!PRINTABLE_ASCII.test(value)) schemaError('must be non-empty printable ASCII', pointer);
  return value;
}

/** `EmailAddressString | EmailAddressObject`: returns the bare address and where it was found. */
function addressField(value: unknown, pointer: string): [address: string, pointer: string] {
  if (typeof value === 'string') return [printable(value, pointer), pointer];
  if (!isObject(value)) schemaError('must be an address string or an {address, name} object', pointer);
  const address = printable(value.address, `${pointer}/address`);
  const name = value.name;
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string') schemaError('must be a string or null', `${pointer}/name`);
    if (CR_OR_LF.test(name)) schemaError('must not contain CR or LF', `${pointer}/name`);
  }
  return [address, `${pointer}/address`];
}

/** `NamedRecipientList`: one address (string or object) or an array of them. */
function recipientList(value: unknown, pointer: string): Array<[string, string]> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [addressField(value, pointer)];
  return value.map((item, index) => addressField(item, `${pointer}/${index}`));
}

function optionalText(body: Json, key: string): string {
  const value = body[key];
  if (value === undefined) return '';
  if (typeof value !== 'string') schemaError('must be a string', `/${key}`);
  return value;
}

function validateHeaders(value: unknown): number {
  if (value === undefined) return 0;
  if (!isObject(value)) schemaError('must be an object of header names to string values', '/headers');
  let bytes = 0;
  for (const [name, text] of Object.entries(value)) {
    const pointer = `/headers/${pointerSegment(name)}`;
    if (typeof text !== 'string') schemaError('must be a string', pointer);
    if (!HEADER_NAME.test(name)) schemaError('is not a valid header name', pointer);
    if (CR_OR_LF.test(text)) schemaError('must not contain CR or LF', pointer);
    if (STRUCTURAL_HEADERS.has(name.toLowerCase())) {
      schemaError(`${name} is set from the request fields and cannot be given in headers`, pointer);
    }
    // As the header lines would appear in the message: `Name: value` and CRLF.
    bytes += Buffer.byteLength(name) + Buffer.byteLength(text) + 4;
  }
  if (bytes > CLOUDFLARE_LIMITS.maxHeaderBytes) {
    schemaError(
      `custom headers take ${bytes} bytes, at most ${CLOUDFLARE_LIMITS.maxHeaderBytes}`,
      '/headers',
    );
  }
  return bytes;
}

interface CheckedAttachment {
  content: string;
  pointer: string;
}

/** `EmailAttachment | EmailInlineAttachment`. */
function validateAttachments(value: unknown): CheckedAttachment[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) schemaError('must be an array', '/attachments');
  return value.map((item, index) => {
    const pointer = `/attachments/${index}`;
    if (!isObject(item)) schemaError('must be an attachment object', pointer);
    if (item.disposition !== 'attachment' && item.disposition !== 'inline') {
      schemaError("must be 'attachment' or 'inline'", `${pointer}/disposition`);
    }
    for (const key of ['content', 'filename', 'type']) {
      if (typeof item[key] !== 'string') schemaError('must be a string', `${pointer}/${key}`);
    }
    for (const key of ['filename', 'type']) {
      if (item[key] === '') schemaError('must not be empty', `${pointer}/${key}`);
    }
    if (item.disposition === 'inline' && (typeof item.content_id !== 'string' || item.content_id === '')) {
      schemaError('an inline attachment needs a content_id', `${pointer}/content_id`);
    }
    return { content: item.content as string, pointer: `${pointer}/content` };
  });
}

function checkRecipientCount(count: number, pointer: string): void {
  if (count === 0) schemaError('at least one recipient is required', pointer);
  if (count > CLOUDFLARE_LIMITS.maxRecipients) {
    schemaError(`${count} recipients, at most ${CLOUDFLARE_LIMITS.maxRecipients}`, pointer);
  }
}

function checkSize(bytes: number, pointer?: string): void {
  if (bytes > CLOUDFLARE_LIMITS.maxMessageBytes) {
    throw new CloudflareApiError(
      CLOUDFLARE_SEND_ERRORS.tooBig,
      `the message is ${bytes} bytes, at most ${CLOUDFLARE_LIMITS.maxMessageBytes}`,
      pointer,
    );
  }
}

function checkAddresses(addresses: ReadonlyArray<readonly [string, string]>): void {
  for (const [address, pointer] of addresses) {
    if (!isEmailAddress(address)) invalidEmail(`${JSON.stringify(address)} is not an email address`, pointer);
  }
}

/**
 * `email-sending_EmailBuilder`. Unknown top-level properties are refused like `SendRawRequest` refuses
 * them (the builder's schema is reconstructed and silent on it); nested objects, whose schemas are
 * verbatim and open, may carry extra properties. The message size is what the built message would
 * carry: subject, text, html, custom header lines and the attachments' base64 text, in UTF-8 bytes.
 */
export function validateSend(raw: unknown): ValidatedSend {
  const body = requireBody(raw);
  onlyProperties(body, BUILDER_PROPERTIES);
  if (body.from === undefined) schemaError('from is required', '/from');
  const from = addressField(body.from, '/from');
  if (typeof body.subject !== 'string') schemaError('subject is required and must be a string', '/subject');
  const subject = body.subject;
  const recipients = [...recipientList(body.to, '/to'), ...recipientList(body.cc, '/cc')];
  recipients.push(...recipientList(body.bcc, '/bcc'));
  const replyTo = body.reply_to === undefined ? [] : [addressField(body.reply_to, '/reply_to')];
  const text = optionalText(body, 'text');
  const html = optionalText(body, 'html');
  const headerBytes = validateHeaders(body.headers);
  const attachments = validateAttachments(body.attachments);

  if (CR_OR_LF.test(subject)) schemaError('must not contain CR or LF', '/subject');
  if (longerThan(subject, CLOUDFLARE_LIMITS.maxSubjectLength)) {
    schemaError(`more than ${CLOUDFLARE_LIMITS.maxSubjectLength} characters`, '/subject');
  }
  if (text === '' && html === '') schemaError('provide at least one of text or html (non-empty)', '/text');
  checkRecipientCount(recipients.length, '/to');

  const size =
    Buffer.byteLength(subject) +
    Buffer.byteLength(text) +
    Buffer.byteLength(html) +
    headerBytes +
    attachments.reduce((sum, attachment) => sum + attachment.content.length, 0);
  checkSize(size);

  checkAddresses([from, ...recipients, ...replyTo]);
  for (const attachment of attachments) {
    if (!isBase64(attachment.content)) {
      invalidEmail('attachment content must be base64 (no line breaks or spaces)', attachment.pointer);
    }
  }
  return { from: from[0], recipients: dedupe(recipients.map(([address]) => address)), subject };
}

/** `email-sending_SendRawRequest` (verbatim in the spec, `additionalProperties: false`). */
export function validateSendRaw(raw: unknown): ValidatedSend {
  const body = requireBody(raw);
  onlyProperties(body, RAW_PROPERTIES);
  for (const key of RAW_PROPERTIES) if (body[key] === undefined) schemaError(`${key} is required`, `/${key}`);
  const from = printable(body.from, '/from');
  if (!Array.isArray(body.recipients)) schemaError('must be an array of addresses', '/recipients');
  const recipients = body.recipients.map((item: unknown, index: number): [string, string] => [
    printable(item, `/recipients/${index}`),
    `/recipients/${index}`,
  ]);
  if (typeof body.mime_message !== 'string') schemaError('must be a string', '/mime_message');
  const mime = body.mime_message;
  checkRecipientCount(recipients.length, '/recipients');
  checkSize(Buffer.byteLength(mime), '/mime_message');
  checkAddresses([[from, '/from'], ...recipients]);
  const { subject } = parseMimeHeaders(mime);
  return { from, recipients: dedupe(recipients.map(([address]) => address)), subject };
}

/**
 * Enough of RFC 5322 to tell a message from anything else: header fields (`Name: value`, folded lines
 * starting with a space or tab) up to a blank line, then the body. CRLF is the standard; bare LF is
 * tolerated. Lines may not exceed 998 characters, the header block 16 KB, and a From field is required.
 */
function parseMimeHeaders(mime: string): { subject: string | null } {
  const ends = [mime.indexOf('\r\n\r\n'), mime.indexOf('\n\n')].filter((index) => index >= 0);
  if (ends.length === 0) {
    invalidEmail(
      'mime_message must be RFC 5322: header fields, a blank line, then the body',
      '/mime_message',
    );
  }
  const block = mime.slice(0, Math.min(...ends));
  if (Buffer.byteLength(block) > CLOUDFLARE_LIMITS.maxHeaderBytes) {
    schemaError(`the header block is over ${CLOUDFLARE_LIMITS.maxHeaderBytes} bytes`, '/mime_message');
  }
  let subject: string | null = null;
  let current = '';
  let sawFrom = false;
  for (const [index, line] of block.split(/\r?\n/).entries()) {
    if (line.length > 998) invalidEmail(`header line ${index + 1} is over 998 characters`, '/mime_message');
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (index === 0) invalidEmail('mime_message starts with a folded line', '/mime_message');
      if (current === 'subject') subject = `${subject ?? ''} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 1 || !HEADER_NAME.test(line.slice(0, colon))) {
      invalidEmail(`line ${index + 1} of mime_message is not a header field`, '/mime_message');
    }
    current = line.slice(0, colon).toLowerCase();
    if (current === 'from') sawFrom = true;
    if (current === 'subject') subject = line.slice(colon + 1).trim();
  }
  if (!sawFrom) invalidEmail('mime_message has no From header field', '/mime_message');
  return { subject };
}

function subdomainError(detail: string, pointer?: string): never {
  throw new CloudflareApiError(CLOUDFLARE_GATE_ERRORS.invalidSubdomainRequest, detail, pointer);
}

function subdomainBody(raw: unknown): Json {
  if (!isObject(raw)) subdomainError('the request body must be a JSON object');
  return raw;
}

/**
 * `email_create_sending_subdomain_properties`: a fully qualified name within the zone (the apex itself
 * included), lower-cased, without a trailing dot. Wildcards need an entitlement the sandbox account does
 * not have. Other properties are ignored (the schema does not close the object).
 */
export function validateSubdomainName(raw: unknown, zone: CloudflareZone): string {
  const body = subdomainBody(raw);
  if (typeof body.name !== 'string' || body.name.trim() === '') {
    subdomainError('name is required and must be a string', '/name');
  }
  const name = body.name.trim().toLowerCase().replace(/\.$/, '');
  if (name.startsWith('*.')) {
    subdomainError('wildcard sending subdomains need an entitlement this account does not have', '/name');
  }
  if (name.length > 253 || !HOSTNAME.test(name)) {
    subdomainError(`name is not a valid hostname: ${JSON.stringify(body.name)}`, '/name');
  }
  if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
    subdomainError(`name must be within the zone ${zone.name}`, '/name');
  }
  return name;
}

/** `email_update_sending_subdomain_properties`: only `preview_enabled`, which may be left out. */
export function validateSubdomainUpdate(raw: unknown): { previewEnabled?: boolean } {
  const body = subdomainBody(raw);
  for (const key of Object.keys(body)) {
    if (key === 'name') subdomainError('a sending subdomain cannot be renamed', '/name');
    if (SUBDOMAIN_READ_ONLY.includes(key)) subdomainError(`${key} is read-only`, `/${key}`);
    if (key !== 'preview_enabled') subdomainError(`unknown property: ${key}`, `/${pointerSegment(key)}`);
  }
  if (body.preview_enabled === undefined) return {};
  if (typeof body.preview_enabled !== 'boolean') subdomainError('must be a boolean', '/preview_enabled');
  return { previewEnabled: body.preview_enabled };
}
