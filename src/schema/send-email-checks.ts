/**
 * Everything a send input is checked for before any upstream call, reported at once in one
 * `ValidationError`: the fields the chosen provider cannot honour (issues with code UNSUPPORTED_FIELD) and
 * every malformed, oversized or hostile value, against that provider's documented limits. One-line fields
 * (subject, header values, names, tags, file names) refuse every control character and Unicode line
 * separator; file names are normalised the way a desktop would read them before their extension is
 * checked; a raw message's From and To headers must name the envelope's `from` and `to`.
 */
import type { Provider } from '../errors.js';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency.js';
import { CLOUDFLARE_LIMITS } from '../upstream/cloudflare-wire.js';
import { CLOUDMAILIN_LIMITS } from '../upstream/cloudmailin-wire.js';
import { parseAddresses } from './email-address.js';
import { InputIssues, isEmail, isOneLine } from './validate.js';

export interface Mailbox {
  email: string;
  name?: string | null;
}

export interface HeaderInput {
  name: string;
  value: string;
}

export interface AttachmentInput {
  filename: string;
  contentType: string;
  contentBase64: string;
  contentId?: string | null;
}

interface Envelope {
  provider: Provider;
  from: Mailbox;
  to: Mailbox[];
  cc?: Mailbox[] | null;
  bcc?: Mailbox[] | null;
  tags?: string[] | null;
  testMode?: boolean | null;
  idempotencyKey?: string | null;
}

export interface EmailInput extends Envelope {
  replyTo?: Mailbox | null;
  subject: string;
  text?: string | null;
  html?: string | null;
  markdown?: string | null;
  headers?: HeaderInput[] | null;
  attachments?: AttachmentInput[] | null;
  priority?: string | null;
}

export interface RawEmailInput extends Envelope {
  raw: string;
  /** CloudMailin only: overrides the message's own Subject header. */
  subject?: string | null;
}

interface ProviderRules {
  name: string;
  maxRecipients: number;
  /** Which recipient lists count towards `maxRecipients`. */
  countsBcc: boolean;
  /** CloudMailin needs a To recipient; Cloudflare is content with any of to, cc or bcc. */
  needsTo: boolean;
  maxMessageBytes: number;
  maxHeaderBytes: number | null;
  forbiddenExtensions: readonly string[];
  /** Input fields the provider has no way to honour. */
  unsupported: ReadonlyArray<keyof EmailInput>;
  /** The same for raw sends. */
  unsupportedRaw: ReadonlyArray<keyof RawEmailInput>;
}

const RULES: Record<Provider, ProviderRules> = {
  CLOUDMAILIN: {
    name: 'CloudMailin',
    maxRecipients: CLOUDMAILIN_LIMITS.maxRecipients,
    countsBcc: false,
    needsTo: true,
    maxMessageBytes: CLOUDMAILIN_LIMITS.maxMessageBytes,
    maxHeaderBytes: null,
    forbiddenExtensions: CLOUDMAILIN_LIMITS.forbiddenExtensions,
    unsupported: ['bcc'],
    unsupportedRaw: ['bcc'],
  },
  CLOUDFLARE: {
    name: 'Cloudflare',
    maxRecipients: CLOUDFLARE_LIMITS.maxRecipients,
    countsBcc: true,
    needsTo: false,
    maxMessageBytes: CLOUDFLARE_LIMITS.maxMessageBytes,
    maxHeaderBytes: CLOUDFLARE_LIMITS.maxHeaderBytes,
    forbiddenExtensions: [],
    unsupported: ['markdown', 'tags', 'priority', 'testMode'],
    // send_raw takes from, recipients and mime_message only.
    unsupportedRaw: ['tags', 'testMode', 'subject'],
  },
};

const MAX_SUBJECT = 998;
const ONE_LINE = 'must be one line without control characters or line separators';
const MAX_TAGS = 20;
const MAX_HEADERS = 50;
const MAX_ATTACHMENTS = 50;
/** Headers that the input's own fields set; giving them again in `headers` would contradict those fields. */
const STRUCTURAL_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'reply-to',
  'content-type',
  'content-transfer-encoding',
  'mime-version',
  'message-id',
  'date',
]);

/** A field counts as used when it holds something: a value, a non-empty list, or `true`. */
function used(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

function checkSupported<I extends Envelope>(
  checks: InputIssues,
  input: I,
  fields: ReadonlyArray<keyof I>,
): void {
  const rules = RULES[input.provider];
  for (const field of fields) {
    checks.check(
      !used(input[field]),
      `input.${String(field)}`,
      `${rules.name} does not support ${String(field)}; remove it or choose another provider`,
      'UNSUPPORTED_FIELD',
    );
  }
}

function checkMailbox(checks: InputIssues, mailbox: Mailbox, path: string): void {
  checks.check(isEmail(mailbox.email), `${path}.email`, 'must be an email address such as alice@example.com');
  if (mailbox.name != null) {
    checks.check(mailbox.name.length <= 200, `${path}.name`, 'must be at most 200 characters');
    checks.check(isOneLine(mailbox.name), `${path}.name`, ONE_LINE);
  }
}

function checkEnvelope(checks: InputIssues, input: Envelope): void {
  const rules = RULES[input.provider];
  checkMailbox(checks, input.from, 'input.from');
  const lists = { to: input.to, cc: input.cc ?? [], bcc: input.bcc ?? [] };
  for (const [list, mailboxes] of Object.entries(lists)) {
    mailboxes.forEach((mailbox, i) => checkMailbox(checks, mailbox, `input.${list}.${i}`));
  }
  const recipients = lists.to.length + lists.cc.length + (rules.countsBcc ? lists.bcc.length : 0);
  if (rules.needsTo)
    checks.check(lists.to.length > 0, 'input.to', `${rules.name} needs at least one To recipient`);
  else checks.check(recipients > 0, 'input.to', 'needs at least one recipient in to, cc or bcc');
  checks.check(
    recipients <= rules.maxRecipients,
    'input.to',
    `${rules.name} accepts at most ${rules.maxRecipients} recipients (${rules.countsBcc ? 'to, cc and bcc' : 'to and cc'}), got ${recipients}`,
  );
  const tags = input.tags ?? [];
  checks.check(tags.length <= MAX_TAGS, 'input.tags', `at most ${MAX_TAGS} tags`);
  tags.forEach((tag, i) =>
    checks.check(
      /^[^,]{1,100}$/.test(tag) && isOneLine(tag),
      `input.tags.${i}`,
      'must be 1-100 characters on one line, without commas or control characters',
    ),
  );
  if (input.idempotencyKey != null) {
    checks.check(
      IDEMPOTENCY_KEY_PATTERN.test(input.idempotencyKey),
      'input.idempotencyKey',
      'must be 1-255 printable ASCII characters without spaces',
    );
  }
}

function checkSubject(checks: InputIssues, subject: string): void {
  checks.check(subject.length <= MAX_SUBJECT, 'input.subject', `must be at most ${MAX_SUBJECT} characters`);
  checks.check(isOneLine(subject), 'input.subject', ONE_LINE);
}

/**
 * A file name as a desktop reads it, to find its real extension: compatibility forms folded (NFKC turns
 * fullwidth `ｅｘｅ` and `．` into `exe` and `.`), surrounding whitespace and the trailing dots and spaces
 * that Windows strips removed, and lower case.
 */
export function normalisedFileName(filename: string): string {
  const name = filename.normalize('NFKC').trim();
  // A loop, not /[.\s]+$/: that pattern backtracks quadratically over a long run of dots and spaces.
  let end = name.length;
  while (end > 0 && /[.\s]/u.test(name.charAt(end - 1))) end -= 1;
  return name.slice(0, end).toLowerCase();
}

/** Linear on purpose: a grouped, repeated pattern overflows V8's regex stack on megabyte inputs. */
function isBase64(value: string): boolean {
  return value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}

/** Checks one attachment and returns its decoded size in bytes. */
function checkAttachment(
  checks: InputIssues,
  rules: ProviderRules,
  attachment: AttachmentInput,
  path: string,
): number {
  const fits = attachment.filename.length <= 255;
  const name = fits ? normalisedFileName(attachment.filename) : '';
  checks.check(
    fits && isOneLine(attachment.filename) && name !== '' && !/[/\\]/.test(attachment.filename + name),
    `${path}.filename`,
    'must be a file name of 1-255 characters on one line, without slashes or control characters',
  );
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : undefined;
  checks.check(
    !extension || !rules.forbiddenExtensions.includes(extension),
    `${path}.filename`,
    `${rules.name} refuses .${extension} attachments`,
  );
  checks.check(
    /^[A-Za-z0-9!#$&^_.+-]{1,127}\/[A-Za-z0-9!#$&^_.+-]{1,127}$/.test(attachment.contentType),
    `${path}.contentType`,
    'must be a MIME type such as image/png',
  );
  if (attachment.contentId != null) {
    checks.check(
      /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.@]{1,200}$/.test(attachment.contentId),
      `${path}.contentId`,
      'must be 1-200 characters of a Content-ID, without < >',
    );
  }
  const content = attachment.contentBase64.replace(/\s+/g, '');
  checks.check(content.length > 0 && isBase64(content), `${path}.contentBase64`, 'must be base64');
  return Math.floor((content.length * 3) / 4);
}

export function checkEmail(input: EmailInput): void {
  const rules = RULES[input.provider];
  const checks = new InputIssues();
  checkSupported(checks, input, rules.unsupported);
  checkEnvelope(checks, input);
  checkSubject(checks, input.subject);
  const markdownCounts = !rules.unsupported.includes('markdown');
  checks.check(
    Boolean(input.text || input.html || (markdownCounts && input.markdown)),
    'input',
    `needs a body: ${rules.unsupported.includes('markdown') ? 'text or html' : 'text, html or markdown'}`,
  );
  if (input.replyTo) checkMailbox(checks, input.replyTo, 'input.replyTo');
  const headers = input.headers ?? [];
  checks.check(headers.length <= MAX_HEADERS, 'input.headers', `at most ${MAX_HEADERS} headers`);
  let headerBytes = 0;
  headers.forEach((header, i) => {
    const path = `input.headers.${i}`;
    headerBytes += Buffer.byteLength(header.name) + Buffer.byteLength(header.value) + 4;
    if (
      checks.check(
        /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/.test(header.name),
        `${path}.name`,
        'must be a header name (letters, digits, -)',
      )
    ) {
      checks.check(
        !STRUCTURAL_HEADERS.has(header.name.toLowerCase()),
        `${path}.name`,
        'is set by the input’s own fields; use them instead',
      );
    }
    checks.check(
      header.value.length <= 998 && isOneLine(header.value),
      `${path}.value`,
      'must be one line of at most 998 characters, without control characters',
    );
  });
  if (rules.maxHeaderBytes !== null) {
    checks.check(
      headerBytes <= rules.maxHeaderBytes,
      'input.headers',
      `${rules.name} accepts at most ${rules.maxHeaderBytes / 1024} KB of headers`,
    );
  }
  const attachments = input.attachments ?? [];
  checks.check(
    attachments.length <= MAX_ATTACHMENTS,
    'input.attachments',
    `at most ${MAX_ATTACHMENTS} attachments`,
  );
  let bytes =
    Buffer.byteLength(input.text ?? '') +
    Buffer.byteLength(input.html ?? '') +
    Buffer.byteLength(input.markdown ?? '');
  attachments.forEach((attachment, i) => {
    bytes += checkAttachment(checks, rules, attachment, `input.attachments.${i}`);
  });
  checks.check(
    bytes <= rules.maxMessageBytes,
    'input',
    `the message exceeds ${rules.name}’s ${rules.maxMessageBytes / 1024 / 1024} MB limit`,
  );
  checks.throwIfAny();
}

export function checkRawEmail(input: RawEmailInput): void {
  const rules = RULES[input.provider];
  const checks = new InputIssues();
  checkSupported(checks, input, rules.unsupportedRaw);
  checkEnvelope(checks, input);
  if (input.subject != null && !rules.unsupportedRaw.includes('subject')) checkSubject(checks, input.subject);
  checks.check(/\r?\n\r?\n/.test(input.raw), 'input.raw', 'must hold headers, a blank line and a body');
  checks.check(/^[\x21-\x39\x3b-\x7e]+:/.test(input.raw), 'input.raw', 'must start with a header');
  const size = Buffer.byteLength(input.raw);
  checks.check(
    size <= rules.maxMessageBytes,
    'input.raw',
    `exceeds ${rules.name}’s ${rules.maxMessageBytes / 1024 / 1024} MB limit`,
  );
  if (size <= rules.maxMessageBytes) checkRawAddresses(checks, input);
  checks.throwIfAny();
}

/**
 * The message's own From header must name exactly the envelope sender (CloudMailin: `from` "must match a
 * From header"), and its To header exactly the envelope's `to`, so that what the recipients see is what
 * the envelope says. Addresses compare without regard to case.
 */
function checkRawAddresses(checks: InputIssues, input: RawEmailInput): void {
  const froms = rawHeaderValues(input.raw, 'from');
  if (checks.check(froms.length === 1, 'input.raw', 'must have exactly one From header')) {
    const from = froms[0] as string;
    const mailboxes = parseAddresses(from);
    checks.check(
      mailboxes.length === 1 &&
        mailboxes[0]?.address.toLowerCase() === input.from.email.toLowerCase() &&
        from.length <= 998 &&
        isOneLine(from),
      'input.raw',
      `its From header must be the one mailbox of \`from\` (${input.from.email})`,
    );
  }
  const headerTo = rawHeaderValues(input.raw, 'to').flatMap((value) =>
    parseAddresses(value).map((mailbox) => mailbox.address.toLowerCase()),
  );
  const envelopeTo = input.to.map((mailbox) => mailbox.email.toLowerCase());
  checks.check(
    sameSet(headerTo, envelopeTo),
    'input.raw',
    'its To header must list exactly the addresses of `to`',
  );
}

function sameSet(a: string[], b: string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/**
 * The values of one header field of a raw message (name without regard to case), unfolded: each line
 * break with the whitespace after it becomes one space, and the value is trimmed.
 */
export function rawHeaderValues(raw: string, name: string): string[] {
  const end = raw.search(/\r?\n\r?\n/);
  const block = end === -1 ? raw : raw.slice(0, end);
  const wanted = name.toLowerCase();
  return block
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .flatMap((line) => {
      const colon = line.indexOf(':');
      if (colon <= 0 || line.slice(0, colon).trim().toLowerCase() !== wanted) return [];
      return [line.slice(colon + 1).trim()];
    });
}
