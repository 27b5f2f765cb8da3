/**
 * Sending mail: one input shape for every provider, checked completely before any upstream call, then
 * translated into the chosen provider's wire format. `idempotencyKey` makes retries safe.
 */
import type { Context } from '../context.js';
import { requireScope } from '../context.js';
import {
  CLOUDMAILIN_LIMITS,
  type MessageAttachment,
  type MessageInput,
  type RawMessageInput,
  type SentMessage,
} from '../upstream/cloudmailin-wire.js';
import { NotFoundError } from '../upstream/errors.js';
import { builder } from './builder.js';
import { EXPECTED_ERRORS, EmailProviderEnum } from './errors.js';
import { OutboundMessageRef } from './outbound-message.js';
import { InputIssues, hasControlCharacters, isEmail, listOf } from './validate.js';

const MAX_SUBJECT = 998;
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

const EmailAddressInput = builder.inputType('EmailAddressInput', {
  description: 'A mailbox, optionally with a display name.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'The address, e.g. `alice@example.com`.' }),
    name: t.string({ description: 'The display name, e.g. `Alice Example`.' }),
  }),
});

const EmailHeaderInput = builder.inputType('EmailHeaderInput', {
  description: 'An extra header, e.g. `X-Campaign: autumn`.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The header name (letters, digits and `-`).' }),
    value: t.string({ required: true, description: 'The header value, on one line.' }),
  }),
});

const EmailAttachmentInput = builder.inputType('EmailAttachmentInput', {
  description: 'A file to attach. With `contentId` it is inline, referenced from HTML as `cid:<contentId>`.',
  fields: (t) => ({
    filename: t.string({ required: true, description: 'The file name shown to the recipient.' }),
    contentType: t.string({ required: true, description: 'The MIME type, e.g. `image/png`.' }),
    contentBase64: t.string({ required: true, description: 'The file, base64-encoded.' }),
    contentId: t.string({ description: 'Makes the attachment inline under this Content-ID.' }),
  }),
});

const SendPriorityEnum = builder.enumType('SendPriority', {
  description: 'Delivery priority (CloudMailin).',
  values: {
    STANDARD: { value: 'standard', description: 'Normal transactional mail.' },
    PRIORITY: { value: 'priority', description: 'Time-critical mail, sent first.' },
    DIGEST: { value: 'digest', description: 'Digest mail; CloudMailin requires this class for it.' },
  } as const,
});

const SendEmailInput = builder.inputType('SendEmailInput', {
  description: 'A message to send. At least one of `text`, `html` or `markdown` is required.',
  fields: (t) => ({
    provider: t.field({ type: EmailProviderEnum, required: true, description: 'Which provider sends it.' }),
    from: t.field({
      type: EmailAddressInput,
      required: true,
      description: 'The sender; its domain must be a verified sending domain.',
    }),
    to: t.field({ type: [EmailAddressInput], required: true, description: 'The recipients (at least one).' }),
    cc: t.field({ type: [EmailAddressInput], description: 'Carbon-copy recipients.' }),
    replyTo: t.field({ type: EmailAddressInput, description: 'Where replies should go.' }),
    subject: t.string({ required: true, description: 'The subject line (at most 998 characters).' }),
    text: t.string({ description: 'The plain-text body.' }),
    html: t.string({ description: 'The HTML body.' }),
    markdown: t.string({
      description: 'A Markdown body, converted to HTML (and to text when `text` is absent) by CloudMailin.',
    }),
    headers: t.field({ type: [EmailHeaderInput], description: 'Extra headers.' }),
    attachments: t.field({
      type: [EmailAttachmentInput],
      description: 'Files to attach, inline ones included.',
    }),
    tags: t.stringList({ description: 'Tags to find the message by later.' }),
    priority: t.field({ type: SendPriorityEnum, description: 'Delivery priority.' }),
    testMode: t.boolean({ description: 'Validate without delivering.' }),
    idempotencyKey: t.string({
      description: 'Retrying with the same key and input returns the first result instead of sending again.',
    }),
  }),
});

const SendRawEmailInput = builder.inputType('SendRawEmailInput', {
  description:
    'A complete RFC 5322 message to send as it is. Its From and To headers must match `from` and `to`.',
  fields: (t) => ({
    provider: t.field({ type: EmailProviderEnum, required: true, description: 'Which provider sends it.' }),
    from: t.field({ type: EmailAddressInput, required: true, description: 'The envelope sender.' }),
    to: t.field({ type: [EmailAddressInput], required: true, description: 'The envelope recipients.' }),
    cc: t.field({ type: [EmailAddressInput], description: 'Carbon-copy recipients.' }),
    raw: t.string({ required: true, description: 'The whole message: headers, a blank line, the body.' }),
    tags: t.stringList({ description: 'Tags to find the message by later.' }),
    testMode: t.boolean({ description: 'Validate without delivering.' }),
    idempotencyKey: t.string({
      description: 'Retrying with the same key and input returns the first result instead of sending again.',
    }),
  }),
});

interface Mailbox {
  email: string;
  name?: string | null;
}

interface SentEmailShape {
  provider: 'CLOUDMAILIN';
  id: string;
  from: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  tags: string[];
  testMode: boolean;
}

const SentEmailRef = builder.objectRef<SentEmailShape>('SentEmail').implement({
  description: 'A message the provider accepted for delivery.',
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider that accepted it.',
      resolve: (m) => m.provider,
    }),
    messageId: t.exposeString('id', {
      description: "The provider's id of the message (CloudMailin: a UUID).",
    }),
    from: t.exposeString('from', { nullable: true, description: 'The sender as the provider recorded it.' }),
    to: t.exposeStringList('to', { description: 'The To recipients.' }),
    cc: t.exposeStringList('cc', { description: 'The Cc recipients.' }),
    subject: t.exposeString('subject', { nullable: true, description: 'The subject.' }),
    tags: t.exposeStringList('tags', { description: 'The tags.' }),
    testMode: t.exposeBoolean('testMode', { description: 'Whether it was only validated, not delivered.' }),
    outboundMessage: t.field({
      type: OutboundMessageRef,
      nullable: true,
      description:
        'The message with its delivery events; null until the provider lists it (or in test mode).',
      resolve: async (message, _args, context) => {
        if (message.testMode) return null;
        try {
          return await context.loaders.outboundMessage.load(message.id);
        } catch (error) {
          if (error instanceof NotFoundError) return null;
          throw error;
        }
      },
    }),
  }),
});

const SendEmailPayload = builder.objectRef<{ email: SentEmailShape }>('SendEmailPayload').implement({
  description: 'The accepted message.',
  fields: (t) => ({
    email: t.field({ type: SentEmailRef, description: 'The accepted message.', resolve: (p) => p.email }),
  }),
});

function formatMailbox(mailbox: Mailbox): string {
  if (!mailbox.name) return mailbox.email;
  return `"${mailbox.name.replace(/["\\]/g, '\\$&')}" <${mailbox.email}>`;
}

function checkMailbox(checks: InputIssues, mailbox: Mailbox, path: string): void {
  checks.check(isEmail(mailbox.email), `${path}.email`, 'must be an email address such as alice@example.com');
  if (mailbox.name != null) {
    checks.check(mailbox.name.length <= 200, `${path}.name`, 'must be at most 200 characters');
    checks.check(
      !hasControlCharacters(mailbox.name) && !/[\r\n]/.test(mailbox.name),
      `${path}.name`,
      'must be one line without control characters',
    );
  }
}

function checkEnvelope(
  checks: InputIssues,
  input: { from: Mailbox; to: Mailbox[]; cc?: Mailbox[] | null; tags?: string[] | null },
): void {
  checkMailbox(checks, input.from, 'input.from');
  checks.check(input.to.length > 0, 'input.to', 'needs at least one recipient');
  input.to.forEach((mailbox, i) => checkMailbox(checks, mailbox, `input.to.${i}`));
  (input.cc ?? []).forEach((mailbox, i) => checkMailbox(checks, mailbox, `input.cc.${i}`));
  const recipients = input.to.length + (input.cc?.length ?? 0);
  checks.check(
    recipients <= CLOUDMAILIN_LIMITS.maxRecipients,
    'input.to',
    `CloudMailin accepts at most ${CLOUDMAILIN_LIMITS.maxRecipients} recipients (to and cc), got ${recipients}`,
  );
  const tags = input.tags ?? [];
  checks.check(tags.length <= MAX_TAGS, 'input.tags', `at most ${MAX_TAGS} tags`);
  tags.forEach((tag, i) =>
    checks.check(
      /^[^,\x00-\x1f\x7f]{1,100}$/.test(tag),
      `input.tags.${i}`,
      'must be 1-100 characters without commas or control characters',
    ),
  );
}

/** Linear on purpose: a grouped, repeated pattern overflows V8's regex stack on megabyte inputs. */
function isBase64(value: string): boolean {
  return value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}

function checkAttachment(checks: InputIssues, attachment: AttachmentInput, path: string): number {
  checks.check(
    /^[^/\\\x00-\x1f\x7f]{1,255}$/.test(attachment.filename),
    `${path}.filename`,
    'must be 1-255 characters without slashes or control characters',
  );
  const extension = attachment.filename.includes('.')
    ? attachment.filename.split('.').pop()?.toLowerCase()
    : undefined;
  checks.check(
    !extension || !(CLOUDMAILIN_LIMITS.forbiddenExtensions as readonly string[]).includes(extension),
    `${path}.filename`,
    `CloudMailin refuses .${extension} attachments`,
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

interface AttachmentInput {
  filename: string;
  contentType: string;
  contentBase64: string;
  contentId?: string | null;
}

function toSent(
  sent: SentMessage,
  fallback: {
    from: string;
    to: string[];
    cc: string[];
    subject: string | null;
    tags: string[];
    testMode: boolean;
  },
): SentEmailShape {
  // The echo is authoritative where present; the request fills what a terse provider leaves out.
  const list = (value: string[] | string | null | undefined, otherwise: string[]) =>
    value === null || value === undefined ? otherwise : listOf(value);
  return {
    provider: 'CLOUDMAILIN',
    id: sent.id,
    from: sent.from ?? fallback.from,
    to: list(sent.to, fallback.to),
    cc: list(sent.cc, fallback.cc),
    subject: sent.subject ?? fallback.subject,
    tags: list(sent.tags, fallback.tags),
    testMode: sent.test_mode ?? fallback.testMode,
  };
}

function idempotent<T>(
  context: Context,
  key: string | null | undefined,
  input: unknown,
  work: () => Promise<T>,
): Promise<T> {
  return key == null ? work() : context.idempotency.run(context.principal, key, input, work);
}

builder.mutationFields((t) => ({
  sendEmail: t.field({
    type: SendEmailPayload,
    description: 'Sends a message through the chosen provider.',
    args: {
      input: t.arg({ type: SendEmailInput, required: true, description: 'The input of this operation.' }),
    },
    errors: { types: [...EXPECTED_ERRORS] },
    resolve: async (_root, { input }, context) => {
      requireScope(context, 'send');
      const checks = new InputIssues();
      checkEnvelope(checks, input);
      checks.check(
        input.subject.length <= MAX_SUBJECT,
        'input.subject',
        `must be at most ${MAX_SUBJECT} characters`,
      );
      checks.check(!/[\r\n]/.test(input.subject), 'input.subject', 'must be one line');
      checks.check(
        Boolean(input.text || input.html || input.markdown),
        'input',
        'needs a body: text, html or markdown',
      );
      if (input.replyTo) checkMailbox(checks, input.replyTo, 'input.replyTo');
      const headers = input.headers ?? [];
      checks.check(headers.length <= MAX_HEADERS, 'input.headers', `at most ${MAX_HEADERS} headers`);
      headers.forEach((header, i) => {
        const path = `input.headers.${i}`;
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
          header.value.length <= 998 && !/[\r\n\x00]/.test(header.value),
          `${path}.value`,
          'must be one line of at most 998 characters',
        );
      });
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
        bytes += checkAttachment(checks, attachment, `input.attachments.${i}`);
      });
      checks.check(
        bytes <= CLOUDMAILIN_LIMITS.maxMessageBytes,
        'input',
        'the message exceeds CloudMailin’s 10 MB limit',
      );
      checks.throwIfAny();

      const headerMap: Record<string, string> = {};
      for (const header of headers) headerMap[header.name] = header.value;
      if (input.replyTo) headerMap['Reply-To'] = formatMailbox(input.replyTo);
      const message: MessageInput = {
        from: formatMailbox(input.from),
        to: input.to.map(formatMailbox),
        subject: input.subject,
      };
      if (input.cc?.length) message.cc = input.cc.map(formatMailbox);
      if (input.text) message.plain = input.text;
      if (input.html) message.html = input.html;
      if (input.markdown) message.markdown = input.markdown;
      if (Object.keys(headerMap).length > 0) message.headers = headerMap;
      if (input.priority) message.priority = input.priority as MessageInput['priority'];
      if (input.tags?.length) message.tags = input.tags;
      if (input.testMode != null) message.test_mode = input.testMode;
      if (attachments.length > 0) {
        message.attachments = attachments.map(
          (attachment): MessageAttachment => ({
            file_name: attachment.filename,
            content: attachment.contentBase64.replace(/\s+/g, ''),
            content_type: attachment.contentType,
            ...(attachment.contentId ? { content_id: attachment.contentId } : {}),
          }),
        );
      }
      const sent = await idempotent(context, input.idempotencyKey, message, () =>
        context.cloudmailin.sendMessage(message),
      );
      return {
        email: toSent(sent, {
          from: message.from,
          to: message.to,
          cc: message.cc ?? [],
          subject: message.subject ?? null,
          tags: message.tags ?? [],
          testMode: message.test_mode ?? false,
        }),
      };
    },
  }),
  sendRawEmail: t.field({
    type: SendEmailPayload,
    description: 'Sends a complete RFC 5322 message through the chosen provider.',
    args: {
      input: t.arg({ type: SendRawEmailInput, required: true, description: 'The input of this operation.' }),
    },
    errors: { types: [...EXPECTED_ERRORS] },
    resolve: async (_root, { input }, context) => {
      requireScope(context, 'send');
      const checks = new InputIssues();
      checkEnvelope(checks, input);
      checks.check(/\r?\n\r?\n/.test(input.raw), 'input.raw', 'must hold headers, a blank line and a body');
      checks.check(/^[\x21-\x39\x3b-\x7e]+:/.test(input.raw), 'input.raw', 'must start with a header');
      checks.check(
        Buffer.byteLength(input.raw) <= CLOUDMAILIN_LIMITS.maxMessageBytes,
        'input.raw',
        'exceeds CloudMailin’s 10 MB limit',
      );
      checks.throwIfAny();
      const message: RawMessageInput = {
        from: formatMailbox(input.from),
        to: input.to.map(formatMailbox),
        raw: input.raw,
      };
      if (input.cc?.length) message.cc = input.cc.map(formatMailbox);
      if (input.tags?.length) message.tags = input.tags;
      if (input.testMode != null) message.test_mode = input.testMode;
      const sent = await idempotent(context, input.idempotencyKey, message, () =>
        context.cloudmailin.sendRawMessage(message),
      );
      return {
        email: toSent(sent, {
          from: message.from,
          to: message.to,
          cc: message.cc ?? [],
          subject: null,
          tags: message.tags ?? [],
          testMode: message.test_mode ?? false,
        }),
      };
    },
  }),
}));
