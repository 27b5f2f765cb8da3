/**
 * Inbound mail as CloudMailin POSTs it to its target, in either normalized format (NOTES §2.3 `json+n`,
 * §2.4 `multipart+n`), decoded to one shape and turned into one `inbound_email` event of the log.
 *
 * - Decoding is lenient about what CloudMailin itself varies (a size as a number or a string, a header as
 *   a string or a list, `tls` as a boolean or "true", `scan` or `scan_result`, parts left out) and strict
 *   only about what cannot be a mail: a body that is not an object, members of the wrong kind, content
 *   that is not base64. Those are 400s, and a 4xx bounces the mail to its sender, so nothing else is.
 * - Which address the mail belongs to: the target URL's `?address=<addressId>` (set it for custom
 *   domains), else the envelope recipient `<addressId>[+tag]@cloudmailin.net`; null when neither says.
 * - The same mail posted again (the sending server retries after a 5xx) is one event: the dedupe key is the
 *   Message-ID with the address and envelope recipient (CloudMailin posts once per recipient), else a hash
 *   of the decoded mail.
 * - Small parts stay in the event; a body or attachment content over INLINE_PART_BYTES, or past
 *   INLINE_TOTAL_BYTES in all, goes to the blob store first (src/events/inbound-blobs.ts) and the event
 *   names it by key.
 */
import { createHash } from 'node:crypto';
import type { IncomingStatus } from '../upstream/cloudmailin-wire.js';
import type { BlobStore } from './inbound-blobs.js';
import type { EventLog, NewEvent, StoredEvent } from './log.js';
import { WebhookBodyError } from './normalize.js';

export type InboundFormat = 'json+n' | 'multipart+n';

/** Every inbound mail is under this topic; those of a known address also under `address:<id>`. */
export const INBOUND_TOPIC = 'inbound';

export function addressTopic(addressId: string): string {
  return `address:${addressId}`;
}

/** A part at most this large stays inside the event… */
export const INLINE_PART_BYTES = 32 * 1024;
/** …while the parts kept inside one event stay under this in all. */
export const INLINE_TOTAL_BYTES = 128 * 1024;

/** A body part: inside the event, or in the blob store. */
export type StoredText = { text: string } | { blob: string; bytes: number };
/** An attachment's content: inside the event (base64), or in the blob store. */
export type StoredContent = { base64: string; bytes: number } | { blob: string; bytes: number };

export interface SpfCheck {
  result: string | null;
  domain: string | null;
}

export interface DkimCheck {
  result: string | null;
  domain: string | null;
  selector: string | null;
}

export interface InboundEnvelope {
  to: string | null;
  from: string | null;
  recipients: string[];
  heloDomain: string | null;
  remoteIp: string | null;
  tls: boolean | null;
  tlsCipher: string | null;
  md5: string | null;
  storeUrl: string | null;
  spf: SpfCheck | null;
  dkim: { success: boolean | null; results: DkimCheck[] } | null;
  dmarc: {
    success: boolean | null;
    result: string | null;
    domain: string | null;
    policy: string | null;
    spfResult: string | null;
    dmarcSpfResult: string | null;
    dmarcDkimResult: string | null;
    dkimResults: DkimCheck[];
  } | null;
  spam: {
    score: number | null;
    success: boolean | null;
    symbols: string[];
    description: string | null;
    report: string | null;
  } | null;
}

export interface AttachmentScan {
  status: string | null;
  id: string | null;
  matches: string[];
  fileName: string | null;
  contentLength: number | null;
  md5: string | null;
  sha256: string | null;
  createdAt: string | null;
  url: string | null;
}

export interface InboundAttachmentMeta {
  fileName: string | null;
  contentType: string | null;
  /** As CloudMailin reports it, else the content's length. */
  size: number | null;
  disposition: string | null;
  contentId: string | null;
  /** Where CloudMailin's attachment store put it (no content is posted then). */
  url: string | null;
  scan: AttachmentScan | null;
}

export interface InboundAttachmentPayload extends InboundAttachmentMeta {
  /** SHA-256 (base64url) of the content held; null when none was posted. */
  sha256: string | null;
  content: StoredContent | null;
}

/** The `payload` of an `inbound_email` event. */
export interface InboundEmailPayload {
  provider: 'CLOUDMAILIN';
  format: InboundFormat;
  addressId: string | null;
  /** The Message-ID header without angle brackets. */
  messageId: string | null;
  subject: string | null;
  /** The Date header as an ISO instant, when it parses. */
  date: string | null;
  from: string | null;
  to: string | null;
  cc: string | null;
  replyTo: string | null;
  /** Every header in CloudMailin's order (a repeated header's topmost first), names lower_snake_case. */
  headers: Array<[name: string, value: string]>;
  envelope: InboundEnvelope;
  plain: StoredText | null;
  html: StoredText | null;
  replyPlain: StoredText | null;
  attachments: InboundAttachmentPayload[];
}

/** A mail as decoded from either format, contents in memory. */
export interface DecodedInbound {
  format: InboundFormat;
  headers: Array<[string, string]>;
  envelope: InboundEnvelope;
  plain: string | null;
  html: string | null;
  replyPlain: string | null;
  attachments: Array<InboundAttachmentMeta & { content: Buffer | null }>;
}

/** A file part of a multipart+n body: an embedded attachment. */
export interface FormFile {
  name: string;
  fileName: string | null;
  contentType: string | null;
  content: Buffer;
}

/** A multipart/form-data body: its fields in order, and its file parts. */
export interface FormBody {
  fields: Array<[name: string, value: string]>;
  files: FormFile[];
}

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const CONTROLS = /[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g;

/** A one-line value: controls (folded header lines included) become one space. */
function line(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const cleaned = value.replace(CONTROLS, ' ').trim();
  return cleaned === '' ? null : cleaned;
}

function textOf(value: unknown, path: string, problems: string[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    problems.push(`${path}: must be a string`);
    return null;
  }
  return value;
}

function numberOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

function booleanOf(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return null;
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.map(line).filter((item): item is string => item !== null);
}

/** `Message-ID` → `message_id`, as CloudMailin names them (its docs show a few raw names too). */
export function headerName(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_');
}

function headersOf(value: unknown, problems: string[]): Array<[string, string]> {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) {
    problems.push('headers: must be an object of header names to values');
    return [];
  }
  const headers: Array<[string, string]> = [];
  for (const [raw, entry] of Object.entries(value)) {
    const name = headerName(raw);
    if (name === '') continue;
    const values = Array.isArray(entry) ? entry : [entry];
    for (const item of values) {
      if (item === null || item === undefined) continue;
      if (typeof item !== 'string' && typeof item !== 'number') {
        problems.push(`headers.${raw}: must be a string or a list of strings`);
        continue;
      }
      headers.push([name, String(item).replace(CONTROLS, ' ').trim()]);
    }
  }
  return headers;
}

function dkimChecks(value: unknown): DkimCheck[] {
  const list = Array.isArray(value) ? value : isObject(value) ? [value] : [];
  return list.filter(isObject).map((entry) => ({
    result: line(entry.result),
    domain: line(entry.domain),
    selector: line(entry.selector),
  }));
}

function envelopeOf(value: unknown, problems: string[]): InboundEnvelope {
  const envelope: InboundEnvelope = {
    to: null,
    from: null,
    recipients: [],
    heloDomain: null,
    remoteIp: null,
    tls: null,
    tlsCipher: null,
    md5: null,
    storeUrl: null,
    spf: null,
    dkim: null,
    dmarc: null,
    spam: null,
  };
  if (value === undefined || value === null) return envelope;
  if (!isObject(value)) {
    problems.push('envelope: must be an object');
    return envelope;
  }
  envelope.to = line(value.to);
  envelope.from = line(value.from);
  envelope.recipients = strings(value.recipients);
  envelope.heloDomain = line(value.helo_domain);
  envelope.remoteIp = line(value.remote_ip);
  envelope.tls = booleanOf(value.tls);
  envelope.tlsCipher = line(value.tls_cipher);
  envelope.md5 = line(value.md5);
  envelope.storeUrl = line(value.store_url);
  if (isObject(value.spf)) envelope.spf = { result: line(value.spf.result), domain: line(value.spf.domain) };
  if (isObject(value.dkim)) {
    envelope.dkim = {
      success: booleanOf(value.dkim.success),
      results: dkimChecks(value.dkim.result ?? value.dkim.results),
    };
  }
  if (isObject(value.dmarc)) {
    const details = isObject(value.dmarc.details) ? value.dmarc.details : {};
    envelope.dmarc = {
      success: booleanOf(value.dmarc.success),
      result: line(value.dmarc.result),
      domain: line(details.domain),
      policy: line(details.policy),
      spfResult: line(details.spf_result),
      dmarcSpfResult: line(details.dmarc_spf_result),
      dmarcDkimResult: line(details.dmarc_dkim_result),
      dkimResults: dkimChecks(details.dkim_results),
    };
  }
  if (isObject(value.spamd)) {
    envelope.spam = {
      score: numberOf(value.spamd.score),
      success: booleanOf(value.spamd.success),
      symbols: strings(value.spamd.symbols),
      description: line(value.spamd.description),
      // SpamAssassin's report is a table: its lines are kept.
      report: typeof value.spamd.response === 'string' ? value.spamd.response : null,
    };
  }
  return envelope;
}

function scanOf(value: unknown): AttachmentScan | null {
  if (!isObject(value)) return null;
  return {
    status: line(value.status),
    id: line(value.id),
    matches: strings(value.matches),
    fileName: line(value.filename ?? value.file_name),
    contentLength: numberOf(value.content_length),
    md5: line(value.md5),
    sha256: line(value.sha256),
    createdAt: line(value.created_at),
    url: line(value.url),
  };
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function base64Content(value: unknown, path: string, problems: string[]): Buffer | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    problems.push(`${path}: must be a base64 string`);
    return null;
  }
  const compact = value.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) {
    problems.push(`${path}: is not valid base64`);
    return null;
  }
  return Buffer.from(compact, 'base64');
}

function attachmentsOf(
  value: unknown,
  problems: string[],
): Array<InboundAttachmentMeta & { content: Buffer | null }> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push('attachments: must be a list');
    return [];
  }
  const attachments: Array<InboundAttachmentMeta & { content: Buffer | null }> = [];
  value.forEach((item, i) => {
    if (!isObject(item)) {
      problems.push(`attachments.${i}: must be an object`);
      return;
    }
    const content = Buffer.isBuffer(item.content)
      ? item.content
      : base64Content(item.content, `attachments.${i}.content`, problems);
    attachments.push({
      fileName: line(item.file_name),
      contentType: line(item.content_type),
      size: numberOf(item.size) ?? content?.length ?? null,
      disposition: line(item.disposition),
      contentId: line(item.content_id),
      url: line(item.url),
      scan: scanOf(item.scan ?? item.scan_result),
      content,
    });
  });
  return attachments;
}

const MEMBERS = ['headers', 'envelope', 'plain', 'html', 'reply_plain', 'attachments'];

function decode(body: unknown, format: InboundFormat): DecodedInbound {
  if (!isObject(body)) throw new WebhookBodyError(['the body must be a JSON object (CloudMailin json+n)']);
  if (!MEMBERS.some((member) => body[member] !== undefined && body[member] !== null)) {
    throw new WebhookBodyError([`not a CloudMailin mail: none of ${MEMBERS.join(', ')}`]);
  }
  const problems: string[] = [];
  const decoded: DecodedInbound = {
    format,
    headers: headersOf(body.headers, problems),
    envelope: envelopeOf(body.envelope, problems),
    plain: textOf(body.plain, 'plain', problems),
    html: textOf(body.html, 'html', problems),
    replyPlain: textOf(body.reply_plain, 'reply_plain', problems),
    attachments: attachmentsOf(body.attachments, problems),
  };
  if (problems.length > 0) throw new WebhookBodyError(problems);
  return decoded;
}

/** A `json+n` body (parsed JSON). */
export function inboundFromJson(body: unknown): DecodedInbound {
  return decode(body, 'json+n');
}

const FIELD_NAME = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

/**
 * Rack-style nested parameters, as CloudMailin names its multipart fields: `a[b]` is a member,
 * `a[0]` an index, and `a[][b]` starts a new list element whenever the current one already has `b`.
 * Every object here has no prototype, so that a field named `__proto__[x]` is only a field.
 */
function assign(target: Obj, keys: string[], value: string, problems: string[], name: string): void {
  const [head, ...rest] = keys as [string, ...string[]];
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  if (rest[0] === '') {
    const current = Object.hasOwn(target, head) ? target[head] : undefined;
    const list = Array.isArray(current) ? (current as unknown[]) : [];
    if (current !== undefined && !Array.isArray(current)) {
      problems.push(`${name}: conflicts with another field`);
      return;
    }
    target[head] = list;
    if (rest.length === 1) {
      list.push(value);
      return;
    }
    const last = list[list.length - 1];
    const child = rest[1] as string;
    if (isObject(last) && !Object.hasOwn(last, child)) assign(last, rest.slice(1), value, problems, name);
    else {
      const next: Obj = Object.create(null);
      list.push(next);
      assign(next, rest.slice(1), value, problems, name);
    }
    return;
  }
  const existing = Object.hasOwn(target, head) ? target[head] : undefined;
  if (existing !== undefined && !isObject(existing)) {
    problems.push(`${name}: conflicts with another field`);
    return;
  }
  const next = (existing as Obj | undefined) ?? Object.create(null);
  target[head] = next;
  assign(next, rest, value, problems, name);
}

/** Objects keyed 0…n-1 (`headers[received][0]`) become lists, in index order. */
function listify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(listify);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((key) => /^\d{1,6}$/.test(key))) {
    const indexes = keys.map(Number).sort((a, b) => a - b);
    if (indexes.every((index, i) => index === i)) return indexes.map((index) => listify(value[index]));
  }
  return Object.fromEntries(keys.map((key) => [key, listify(value[key])]));
}

/** A `multipart+n` body: bracketed fields, URL attachments as fields, embedded ones as file parts. */
export function inboundFromForm(form: FormBody): DecodedInbound {
  const problems: string[] = [];
  const tree: Obj = Object.create(null);
  for (const [name, value] of form.fields) {
    const match = FIELD_NAME.exec(name);
    if (!match) {
      problems.push(`${name.slice(0, 100)}: not a field name of CloudMailin's multipart format`);
      continue;
    }
    const keys = [
      match[1] as string,
      ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string),
    ];
    assign(tree, keys, value, problems, name.slice(0, 100));
  }
  if (problems.length > 0) throw new WebhookBodyError(problems);
  const body = listify(tree) as Obj;
  // Embedded attachments are the file parts (named `attachments[]` or `attachments`; the docs show both).
  const urlAttachments = Array.isArray(body.attachments) ? body.attachments : [];
  const files = form.files.map((file) => ({
    file_name: file.fileName,
    content_type: file.contentType,
    size: file.content.length,
    content: file.content,
  }));
  return decode({ ...body, attachments: [...urlAttachments, ...files] }, 'multipart+n');
}

const ADDRESS_PARAM = /^[A-Za-z0-9_-]{1,64}$/;
const CLOUDMAILIN_RECIPIENT = /^([0-9a-f]{20})(?:\+[^@]*)?@cloudmailin\.net$/i;

/** The address a mail belongs to: the target's `?address=`, else a `<id>@cloudmailin.net` recipient. */
export function inboundAddressOf(param: string | null, mail: DecodedInbound): string | null {
  if (param !== null) {
    if (!ADDRESS_PARAM.test(param)) {
      throw new WebhookBodyError([
        'address: must be a CloudMailin address id (the `address` query parameter)',
      ]);
    }
    return param;
  }
  for (const recipient of [mail.envelope.to, ...mail.envelope.recipients]) {
    const match = CLOUDMAILIN_RECIPIENT.exec(recipient ?? '');
    if (match) return (match[1] as string).toLowerCase();
  }
  return null;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 32);
}

function first(headers: Array<[string, string]>, name: string): string | null {
  const found = headers.find(([key]) => key === name)?.[1];
  return found === undefined || found === '' ? null : found;
}

/**
 * The event of a decoded mail. Parts too large to ride in the event are stored in `blobs` first (a failure
 * there rejects, and the webhook answers 5xx); without a blob store every part stays in the event.
 */
export async function inboundEvent(
  mail: DecodedInbound,
  options: { addressId: string | null; blobs?: BlobStore | null },
): Promise<NewEvent> {
  const pending: Buffer[] = [];
  let inlineLeft = INLINE_TOTAL_BYTES;
  const place = (content: Buffer): number | null => {
    if (!options.blobs || (content.length <= INLINE_PART_BYTES && content.length <= inlineLeft)) {
      inlineLeft -= content.length;
      return null;
    }
    pending.push(content);
    return pending.length - 1;
  };
  const texts = [mail.plain, mail.html, mail.replyPlain].map((text) => {
    if (text === null) return null;
    const bytes = Buffer.from(text, 'utf8');
    return { text, bytes: bytes.length, slot: place(bytes) };
  });
  const contents = mail.attachments.map((attachment) =>
    attachment.content === null
      ? null
      : { content: attachment.content, bytes: attachment.content.length, slot: place(attachment.content) },
  );
  const keys = pending.length > 0 && options.blobs ? await options.blobs.put(pending) : [];
  const stored = <T>(slot: number | null, inline: T): T | { blob: string; bytes: number } =>
    slot === null ? inline : { blob: keys[slot] as string, bytes: pending[slot]?.length ?? 0 };

  const [plain, html, replyPlain] = texts.map((text) =>
    text === null ? null : (stored(text.slot, { text: text.text }) as StoredText),
  ) as [StoredText | null, StoredText | null, StoredText | null];
  const attachments: InboundAttachmentPayload[] = mail.attachments.map(({ content: _, ...meta }, i) => {
    const held = contents[i];
    return {
      ...meta,
      sha256: held ? createHash('sha256').update(held.content).digest('base64url') : null,
      content: held
        ? (stored(held.slot, {
            base64: held.content.toString('base64'),
            bytes: held.bytes,
          }) as StoredContent)
        : null,
    };
  });

  const headers = mail.headers;
  const rawId = first(headers, 'message_id');
  const messageId = rawId === null ? null : rawId.replace(/^\s*<(.*)>\s*$/, '$1') || null;
  const dateHeader = first(headers, 'date');
  const dateMs = dateHeader === null || dateHeader.length > 200 ? Number.NaN : Date.parse(dateHeader);
  const payload: InboundEmailPayload = {
    provider: 'CLOUDMAILIN',
    format: mail.format,
    addressId: options.addressId,
    messageId,
    subject: first(headers, 'subject'),
    date: Number.isNaN(dateMs) ? null : new Date(dateMs).toISOString(),
    from: first(headers, 'from'),
    to: first(headers, 'to'),
    cc: first(headers, 'cc'),
    replyTo: first(headers, 'reply_to'),
    headers,
    envelope: mail.envelope,
    plain,
    html,
    replyPlain,
    attachments,
  };
  const recipient = mail.envelope.to?.toLowerCase() ?? null;
  const { format: _format, ...identity } = payload;
  return {
    dedupeKey:
      messageId !== null
        ? `cloudmailin:inbound:${hash([options.addressId, messageId, recipient])}`
        : `cloudmailin:inbound:body:${hash(identity)}`,
    type: 'inbound_email',
    topics: [
      INBOUND_TOPIC,
      'provider:CLOUDMAILIN',
      ...(options.addressId === null ? [] : [addressTopic(options.addressId)]),
    ],
    occurredAt: Number.isNaN(dateMs) ? null : dateMs,
    payload,
  };
}

export type StoredInboundEmail = StoredEvent & { type: 'inbound_email'; payload: InboundEmailPayload };

export function isInboundEmail(event: StoredEvent): event is StoredInboundEmail {
  return event.type === 'inbound_email';
}

/**
 * The inbound mail stored at `position`, found with the log's position reads alone: the event just before
 * it in the `inbound` topic, then the one after that. Null when no inbound mail is stored there (any more).
 */
export async function inboundEmailAt(log: EventLog, position: string): Promise<StoredInboundEmail | null> {
  const [before] = await log.read({ topic: INBOUND_TOPIC, after: position, direction: 'backward', limit: 1 });
  const [found] = await log.read({ topic: INBOUND_TOPIC, after: before?.position ?? null, limit: 1 });
  return found && found.position === position && isInboundEmail(found) ? found : null;
}

/** The addresses whose mail is among `events` (to forget their cached incoming statuses). */
export function inboundAddressIds(events: readonly StoredEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (isInboundEmail(event) && event.payload.addressId !== null) ids.add(event.payload.addressId);
  }
  return [...ids];
}

/**
 * The webhooks' `onStored` hook that keeps `incomingStatuses` fresh: CloudMailin lists a status for every
 * POST it made (a redelivery's too), so each address that got mail has its cached status pages forgotten.
 */
export function forgetInboundStatuses(forget: (addressId: string) => Promise<void>) {
  return async (_provider: string, _stored: number, _duplicates: number, events: StoredEvent[]) => {
    for (const addressId of inboundAddressIds(events)) await forget(addressId);
  };
}

/** What the sandbox emulator is asked to play: one mail arriving at an inbound address. */
export interface SimulatedInboundMail {
  addressId: string;
  from: { email: string; name: string | null };
  /** The envelope recipient; `<addressId>@cloudmailin.net` when null. */
  to: string | null;
  subject: string;
  text: string | null;
  html: string | null;
  format: InboundFormat;
  attachments: Array<{ fileName: string; contentType: string; content: Buffer }>;
}

/** What came of it: the incoming status the emulator recorded, and mailgraph's answer to the POST. */
export interface SimulatedInbound {
  status: IncomingStatus;
  /** The HTTP status mailgraph answered; null when the POST got no answer. */
  httpStatus: number | null;
  /** mailgraph's answer, parsed when it is JSON. */
  response: unknown;
}

/** The emulator's side of `simulateInboundEmail` (src/sandbox/cloudmailin.ts implements it). */
export interface InboundSimulator {
  simulateInbound(mail: SimulatedInboundMail): Promise<SimulatedInbound>;
}

/** What the GraphQL side of inbound mail needs beyond the log. */
export interface InboundServices {
  /** Where large parts are; null when none is configured (then every part is in its event). */
  blobs: BlobStore | null;
  /** Only in sandbox mode with the built-in emulator. */
  simulator: InboundSimulator | null;
}
