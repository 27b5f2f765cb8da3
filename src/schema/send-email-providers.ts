/**
 * One checked send input, translated into each provider's wire format and sent; the answer comes back
 * as one `SentEmailShape` whichever provider took it. Idempotency keys wrap the upstream call itself, keyed
 * by the provider and the exact wire body, and stay bound to an attempt whose outcome is unknown.
 */
import type { Context } from '../context.js';
import { type Provider, type SendDoubt, SendOutcomeUnknownError } from '../errors.js';
import { IdempotencyKeyInDoubtError } from '../idempotency.js';
import type {
  CloudflareAddress,
  CloudflareAttachment,
  CloudflareSendInput,
  CloudflareSendResult,
} from '../upstream/cloudflare-wire.js';
import type {
  MessageAttachment,
  MessageInput,
  RawMessageInput,
  SentMessage,
} from '../upstream/cloudmailin-wire.js';
import { MAY_HAVE_BEEN_SENT } from '../upstream/send-outcome.js';
import { type EmailAddressShape, formatMailbox, parseAddress, parseAddresses } from './email-address.js';
import { type EmailInput, type Mailbox, type RawEmailInput, rawHeaderValues } from './send-email-checks.js';
import { listOf } from './validate.js';

export { formatMailbox };

export interface SentEmailShape {
  provider: 'CLOUDMAILIN' | 'CLOUDFLARE';
  /** CloudMailin's message UUID, or Cloudflare's Message-ID (which older API versions leave out). */
  id: string | null;
  from: EmailAddressShape | null;
  to: EmailAddressShape[];
  cc: EmailAddressShape[];
  bcc: EmailAddressShape[];
  replyTo: EmailAddressShape | null;
  subject: string | null;
  tags: string[];
  testMode: boolean;
  /** Cloudflare's immediate per-recipient outcome; CloudMailin reports delivery through events instead. */
  delivery: { delivered: string[]; queued: string[]; permanentBounces: string[] } | null;
  /** The same idempotency key and input came before: this is the first attempt's answer, not a new send. */
  replayed: boolean;
}

/** A send whose outcome is unknown, as its idempotency key keeps it: plain JSON, for any store. */
interface UnknownOutcome {
  message: string;
  provider: Provider;
  status: number | null;
  reason: SendDoubt | null;
  providerCode: string | null;
}

/** What a send's idempotency key is bound to: the provider's answer, or the doubt. */
type Bound<T> = { sent: T } | { unknown: UnknownOutcome };

function unknownOutcomeError(outcome: UnknownOutcome, replayed: boolean): SendOutcomeUnknownError {
  const error = new SendOutcomeUnknownError(
    outcome.message,
    outcome.provider,
    outcome.status,
    outcome.reason,
    replayed,
  );
  error.providerCode = outcome.providerCode;
  return error;
}

/**
 * Runs one send under its idempotency key. The key is bound to the provider's answer, and also to a
 * `SendOutcomeUnknownError`: a retry gets that same answer (`replayed: true`) and never a second POST.
 * Any other failure certainly sent nothing (the client's `sendFailure` decided so), so it releases the key.
 */
async function idempotent<T>(
  context: Context,
  provider: Provider,
  key: string | null | undefined,
  input: unknown,
  work: () => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  if (key == null) return { result: await work(), replayed: false };
  let doubt: SendOutcomeUnknownError | undefined;
  const attempt = async (): Promise<Bound<T>> => {
    try {
      return { sent: await work() };
    } catch (error) {
      if (!(error instanceof SendOutcomeUnknownError)) throw error;
      doubt = error;
      const { message, status, reason, providerCode } = error;
      return { unknown: { message, provider: error.provider, status, reason, providerCode } };
    }
  };
  let bound: { result: Bound<T>; replayed: boolean };
  try {
    bound = await context.idempotency.run(context.principal, key, input, attempt);
  } catch (error) {
    if (!(error instanceof IdempotencyKeyInDoubtError)) throw error;
    const message = `${error.message}; ${MAY_HAVE_BEEN_SENT}`;
    throw unknownOutcomeError({ message, provider, status: null, reason: null, providerCode: null }, true);
  }
  if ('sent' in bound.result) return { result: bound.result.sent, replayed: bound.replayed };
  // The attempt that ran throws its own error (its `cause` goes to the log); a replay, the recorded one.
  if (!bound.replayed && doubt) throw doubt;
  throw unknownOutcomeError(bound.result.unknown, bound.replayed);
}

const structured = (mailbox: Mailbox): EmailAddressShape => ({
  address: mailbox.email,
  name: mailbox.name || null,
});

const cloudflareAddress = (mailbox: Mailbox): CloudflareAddress =>
  mailbox.name ? { address: mailbox.email, name: mailbox.name } : { address: mailbox.email };

const emails = (mailboxes: Mailbox[] | null | undefined) => (mailboxes ?? []).map((mailbox) => mailbox.email);

function fromCloudMailin(
  sent: SentMessage,
  request: MessageInput | RawMessageInput,
  input: { replyTo?: Mailbox | null },
  replayed: boolean,
): SentEmailShape {
  // The echo is authoritative where present; the request fills what a terse server leaves out.
  const list = (value: string[] | string | null | undefined, otherwise: string[]) =>
    parseAddresses(value === null || value === undefined ? otherwise : value);
  return {
    provider: 'CLOUDMAILIN',
    id: sent.id,
    from: parseAddress(sent.from ?? request.from),
    to: list(sent.to, request.to),
    cc: list(sent.cc, request.cc ?? []),
    bcc: [],
    replyTo: input.replyTo ? structured(input.replyTo) : null,
    subject: sent.subject ?? request.subject ?? null,
    tags: listOf(sent.tags ?? request.tags ?? []),
    testMode: sent.test_mode ?? request.test_mode ?? false,
    delivery: null,
    replayed,
  };
}

function fromCloudflare(
  result: CloudflareSendResult,
  input: {
    from: Mailbox;
    to: Mailbox[];
    cc?: Mailbox[] | null;
    bcc?: Mailbox[] | null;
    replyTo?: Mailbox | null;
  },
  subject: string | null,
  replayed: boolean,
): SentEmailShape {
  return {
    provider: 'CLOUDFLARE',
    id: result.message_id ?? null,
    from: structured(input.from),
    to: input.to.map(structured),
    cc: (input.cc ?? []).map(structured),
    bcc: (input.bcc ?? []).map(structured),
    replyTo: input.replyTo ? structured(input.replyTo) : null,
    subject,
    tags: [],
    testMode: false,
    delivery: {
      delivered: result.delivered,
      queued: result.queued,
      permanentBounces: result.permanent_bounces,
    },
    replayed,
  };
}

export async function sendEmail(context: Context, input: EmailInput & { idempotencyKey?: string | null }) {
  const attachments = input.attachments ?? [];
  const headers = Object.fromEntries((input.headers ?? []).map((header) => [header.name, header.value]));
  if (input.provider === 'CLOUDMAILIN') {
    // CloudMailin has no reply-to field; the header does the same.
    if (input.replyTo) headers['Reply-To'] = formatMailbox(input.replyTo);
    const message: MessageInput = {
      from: formatMailbox(input.from),
      to: input.to.map(formatMailbox),
      subject: input.subject,
    };
    if (input.cc?.length) message.cc = input.cc.map(formatMailbox);
    if (input.text) message.plain = input.text;
    if (input.html) message.html = input.html;
    if (input.markdown) message.markdown = input.markdown;
    if (Object.keys(headers).length > 0) message.headers = headers;
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
    const sent = await idempotent(
      context,
      'CLOUDMAILIN',
      input.idempotencyKey,
      ['CLOUDMAILIN', message],
      () => context.cloudmailin.sendMessage(message),
    );
    return fromCloudMailin(sent.result, message, input, sent.replayed);
  }

  const body: CloudflareSendInput = { from: cloudflareAddress(input.from), subject: input.subject };
  if (input.to.length) body.to = input.to.map(cloudflareAddress);
  if (input.cc?.length) body.cc = input.cc.map(cloudflareAddress);
  if (input.bcc?.length) body.bcc = input.bcc.map(cloudflareAddress);
  if (input.replyTo) body.reply_to = cloudflareAddress(input.replyTo);
  if (input.text) body.text = input.text;
  if (input.html) body.html = input.html;
  if (Object.keys(headers).length > 0) body.headers = headers;
  if (attachments.length > 0) {
    body.attachments = attachments.map((attachment): CloudflareAttachment => {
      const common = {
        content: attachment.contentBase64.replace(/\s+/g, ''),
        filename: attachment.filename,
        type: attachment.contentType,
      };
      return attachment.contentId
        ? { ...common, disposition: 'inline', content_id: attachment.contentId }
        : { ...common, disposition: 'attachment' };
    });
  }
  const sent = await idempotent(context, 'CLOUDFLARE', input.idempotencyKey, ['CLOUDFLARE', body], () =>
    context.cloudflare.send(body),
  );
  return fromCloudflare(sent.result, input, input.subject, sent.replayed);
}

export async function sendRawEmail(
  context: Context,
  input: RawEmailInput & { idempotencyKey?: string | null },
) {
  if (input.provider === 'CLOUDMAILIN') {
    // `from` is the message's own From header, exactly as written (the checks made sure it names
    // input.from), since CloudMailin wants the two to match; recipients are the bare envelope addresses.
    const message: RawMessageInput = {
      from: rawHeaderValues(input.raw, 'from')[0] ?? input.from.email,
      to: emails(input.to),
      raw: input.raw,
    };
    if (input.cc?.length) message.cc = emails(input.cc);
    if (input.subject) message.subject = input.subject;
    if (input.tags?.length) message.tags = input.tags;
    if (input.testMode != null) message.test_mode = input.testMode;
    const sent = await idempotent(
      context,
      'CLOUDMAILIN',
      input.idempotencyKey,
      ['CLOUDMAILIN', message],
      () => context.cloudmailin.sendRawMessage(message),
    );
    return fromCloudMailin(sent.result, message, {}, sent.replayed);
  }
  // Cloudflare takes the SMTP envelope apart from the message: every recipient, bcc included, is a RCPT TO.
  const body = {
    from: input.from.email,
    recipients: [...emails(input.to), ...emails(input.cc), ...emails(input.bcc)],
    mime_message: input.raw,
  };
  const sent = await idempotent(context, 'CLOUDFLARE', input.idempotencyKey, ['CLOUDFLARE', body], () =>
    context.cloudflare.sendRaw(body),
  );
  return fromCloudflare(sent.result, input, null, sent.replayed);
}
