/**
 * Sending mail: one input shape for every provider. `send-email-checks.ts` refuses what the chosen provider
 * cannot honour and anything malformed before an upstream call; `send-email-providers.ts` speaks each
 * provider's wire format. `idempotencyKey` makes retries safe.
 */
import { builder } from './builder.js';
import { EmailAddressRef } from './email-address.js';
import { EmailProviderEnum, SEND_ERRORS, mutationResult, orNull } from './errors.js';
import { OutboundMessageRef } from './outbound-message.js';
import { checkEmail, checkRawEmail } from './send-email-checks.js';
import { type SentEmailShape, sendEmail, sendRawEmail } from './send-email-providers.js';

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
  description:
    'A message to send, to either provider. At least one of `text`, `html` or `markdown` is required. A field the chosen provider cannot honour is refused, with every other problem, in one `ValidationError` (issue code UNSUPPORTED_FIELD).',
  fields: (t) => ({
    provider: t.field({ type: EmailProviderEnum, required: true, description: 'Which provider sends it.' }),
    from: t.field({
      type: EmailAddressInput,
      required: true,
      description: 'The sender; its domain must be a verified sending domain.',
    }),
    to: t.field({
      type: [EmailAddressInput],
      required: true,
      description:
        'The To recipients (CloudMailin needs at least one; Cloudflare needs one in to, cc or bcc).',
    }),
    cc: t.field({ type: [EmailAddressInput], description: 'Carbon-copy recipients.' }),
    bcc: t.field({ type: [EmailAddressInput], description: 'Blind-copy recipients (Cloudflare only).' }),
    replyTo: t.field({ type: EmailAddressInput, description: 'Where replies should go.' }),
    subject: t.string({
      required: true,
      description: 'The subject line: at most 998 characters, one line without control characters.',
    }),
    text: t.string({ description: 'The plain-text body.' }),
    html: t.string({ description: 'The HTML body.' }),
    markdown: t.string({
      description:
        'CloudMailin only: a Markdown body, converted to HTML (and to text when `text` is absent).',
    }),
    headers: t.field({ type: [EmailHeaderInput], description: 'Extra headers.' }),
    attachments: t.field({
      type: [EmailAttachmentInput],
      description: 'Files to attach, inline ones included.',
    }),
    tags: t.stringList({ description: 'CloudMailin only: tags to find the message by later.' }),
    priority: t.field({ type: SendPriorityEnum, description: 'CloudMailin only: delivery priority.' }),
    testMode: t.boolean({ description: 'CloudMailin only: validate without delivering.' }),
    idempotencyKey: t.string({
      description:
        'Retrying with the same key and input returns the first answer (`replayed: true`) instead of sending again: the accepted message, or `SendOutcomeUnknownError` when the first attempt could not tell whether the provider took it. A send that certainly failed (refused before the call, or a 4xx) frees the key. The same key with another input is refused. Keys are kept 24 hours, per API key.',
    }),
  }),
});

const SendRawEmailInput = builder.inputType('SendRawEmailInput', {
  description:
    'A complete RFC 5322 message to send as it is. Its one From header must be the mailbox of `from`, and its To header must list exactly the addresses of `to` (case aside).',
  fields: (t) => ({
    provider: t.field({ type: EmailProviderEnum, required: true, description: 'Which provider sends it.' }),
    from: t.field({ type: EmailAddressInput, required: true, description: 'The envelope sender.' }),
    to: t.field({ type: [EmailAddressInput], required: true, description: 'The envelope recipients.' }),
    cc: t.field({ type: [EmailAddressInput], description: 'Carbon-copy recipients.' }),
    bcc: t.field({ type: [EmailAddressInput], description: 'Blind-copy recipients (Cloudflare only).' }),
    raw: t.string({ required: true, description: 'The whole message: headers, a blank line, the body.' }),
    subject: t.string({
      description:
        "CloudMailin only: a subject that overrides the message's own Subject header (at most 998 characters, one line).",
    }),
    tags: t.stringList({ description: 'CloudMailin only: tags to find the message by later.' }),
    testMode: t.boolean({ description: 'CloudMailin only: validate without delivering.' }),
    idempotencyKey: t.string({
      description:
        'As for `sendEmail`: retrying with the same key and input returns the first answer (`replayed: true`), also when it was `SendOutcomeUnknownError`, instead of sending again.',
    }),
  }),
});

const SendDeliveryRef = builder.objectRef<NonNullable<SentEmailShape['delivery']>>('SendDelivery').implement({
  description: "Cloudflare's immediate outcome per recipient (CloudMailin reports delivery through events).",
  fields: (t) => ({
    delivered: t.exposeStringList('delivered', {
      description: 'Recipients whose server accepted the message.',
    }),
    queued: t.exposeStringList('queued', { description: 'Recipients whose delivery will be retried.' }),
    permanentBounces: t.exposeStringList('permanentBounces', {
      description: 'Recipients whose server refused the message for good.',
    }),
  }),
});

const SentEmailRef = builder.objectRef<SentEmailShape>('SentEmail').implement({
  description: 'A message the provider accepted for delivery.',
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider that accepted it.',
      resolve: (m) => m.provider,
    }),
    messageId: t.exposeString('id', {
      nullable: true,
      description:
        "The provider's id of the message: CloudMailin's UUID, or Cloudflare's Message-ID (null if the API left it out).",
    }),
    from: t.field({
      type: EmailAddressRef,
      nullable: true,
      description: 'The sender as the provider recorded it.',
      resolve: (m) => m.from,
    }),
    to: t.field({ type: [EmailAddressRef], description: 'The To recipients.', resolve: (m) => m.to }),
    cc: t.field({ type: [EmailAddressRef], description: 'The Cc recipients.', resolve: (m) => m.cc }),
    bcc: t.field({
      type: [EmailAddressRef],
      description: 'The Bcc recipients (Cloudflare; CloudMailin has no bcc).',
      resolve: (m) => m.bcc,
    }),
    replyTo: t.field({
      type: EmailAddressRef,
      nullable: true,
      description: 'Where replies go, when the send set it (`sendEmail` only).',
      resolve: (m) => m.replyTo,
    }),
    subject: t.exposeString('subject', { nullable: true, description: 'The subject.' }),
    tags: t.exposeStringList('tags', { description: 'The tags (CloudMailin).' }),
    testMode: t.exposeBoolean('testMode', { description: 'Whether it was only validated, not delivered.' }),
    delivery: t.field({
      type: SendDeliveryRef,
      nullable: true,
      description: "Cloudflare's immediate outcome per recipient; null for CloudMailin.",
      resolve: (m) => m.delivery,
    }),
    outboundMessage: t.field({
      authScopes: { read: true },
      type: OutboundMessageRef,
      nullable: true,
      description:
        'CloudMailin: the message with its delivery events; null until the provider lists it, in test mode, and for Cloudflare.',
      resolve: async (message, _args, context) => {
        if (message.provider !== 'CLOUDMAILIN' || message.testMode || message.id === null) return null;
        return orNull(context.loaders.outboundMessage.load(message.id));
      },
    }),
  }),
});

const SendEmailPayload = builder.objectRef<{ email: SentEmailShape }>('SendEmailPayload').implement({
  description: 'The accepted message (of `sendEmail` or `sendRawEmail`).',
  fields: (t) => ({
    email: t.field({ type: SentEmailRef, description: 'The accepted message.', resolve: (p) => p.email }),
    replayed: t.boolean({
      description:
        'True when this `idempotencyKey` was used before with the same input: this is the first answer again, and nothing was sent now.',
      resolve: (p) => p.email.replayed,
    }),
  }),
});

builder.mutationFields((t) => ({
  sendEmail: t.field({
    type: SendEmailPayload,
    description: 'Sends a message through the chosen provider.',
    args: {
      input: t.arg({ type: SendEmailInput, required: true, description: 'The input of this operation.' }),
    },
    errors: mutationResult('sendEmail', SEND_ERRORS),
    authScopes: { send: true },
    resolve: async (_root, { input }, context) => {
      checkEmail(input);
      return { email: await sendEmail(context, input) };
    },
  }),
  sendRawEmail: t.field({
    type: SendEmailPayload,
    description: 'Sends a complete RFC 5322 message through the chosen provider.',
    args: {
      input: t.arg({ type: SendRawEmailInput, required: true, description: 'The input of this operation.' }),
    },
    errors: mutationResult('sendRawEmail', SEND_ERRORS),
    authScopes: { send: true },
    resolve: async (_root, { input }, context) => {
      checkRawEmail(input);
      return { email: await sendRawEmail(context, input) };
    },
  }),
}));
