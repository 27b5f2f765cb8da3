/**
 * `simulateInboundEmail`: in sandbox mode, mail arrives at an emulated inbound address. The emulator does
 * what CloudMailin does: it POSTs the mail to mailgraph's inbound webhook (`json+n` or `multipart+n`, with
 * the webhook credentials), then records an incoming status carrying the HTTP status mailgraph answered.
 * So the mail goes the whole way a real one goes: webhook, log, `inboundEmails`, `inboundEmailReceived`
 * subscribers, and `incomingStatuses`.
 *
 * The field is in every schema (one schema for every mode) but only works with the built-in emulator:
 * elsewhere it answers NOT_CONFIGURED, before anything is called.
 */
import { NotConfiguredError } from '../errors.js';
import type { InboundFormat, StoredInboundEmail } from '../events/inbound.js';
import { builder } from './builder.js';
import { parseAddress } from './email-address.js';
import { mutationResult } from './errors.js';
import { InboundFormatEnum, addressIdOf, loadAddress } from './inbound-address.js';
import { InboundEmailRef, loadInboundEmail } from './inbound-email.js';
import { IncomingStatusRef, type IncomingStatusShape } from './incoming-status.js';
import { InputIssues, isEmail, isOneLine } from './validate.js';

/** Mirrors the emulator's inputs; the sizes keep a simulated mail a mail, not a load test. */
const MAX_SUBJECT = 998;
const MAX_BODY_CHARS = 1_000_000;
const MAX_ATTACHMENTS = 10;

const SimulatedAttachmentInput = builder.inputType('SimulatedAttachmentInput', {
  description: 'A file attached to a simulated inbound mail.',
  fields: (t) => ({
    filename: t.string({ required: true, description: 'The file name.' }),
    contentType: t.string({ required: true, description: 'The MIME type, e.g. `text/plain`.' }),
    contentBase64: t.string({ required: true, description: 'The file, base64-encoded.' }),
  }),
});

const SimulateInboundEmailInput = builder.inputType('SimulateInboundEmailInput', {
  description: 'A mail to play as if it reached an inbound address (sandbox mode).',
  fields: (t) => ({
    addressId: t.id({ required: true, description: 'A global id or a CloudMailin address id.' }),
    from: t.string({
      required: true,
      description: 'The sender: `alice@example.net` or `Alice Example <alice@example.net>`.',
    }),
    to: t.string({
      description: 'The envelope recipient; `<addressId>@cloudmailin.net` when omitted.',
    }),
    subject: t.string({ required: true, description: 'The subject line.' }),
    text: t.string({ description: 'The plain-text body.' }),
    html: t.string({ description: 'The HTML body.' }),
    format: t.field({
      type: InboundFormatEnum,
      description: "How the emulator posts it; the address's own format when omitted.",
    }),
    attachments: t.field({
      type: [SimulatedAttachmentInput],
      description: `Files to attach (at most ${MAX_ATTACHMENTS}).`,
    }),
  }),
});

interface SimulatedShape {
  email: StoredInboundEmail | null;
  incomingStatus: IncomingStatusShape;
  httpStatus: number | null;
}

const SimulateInboundEmailPayload = builder
  .objectRef<SimulatedShape>('SimulateInboundEmailPayload')
  .implement({
    description: 'What came of a simulated inbound mail.',
    fields: (t) => ({
      httpStatus: t.int({
        nullable: true,
        description: "What mailgraph's inbound webhook answered the emulator; null when it did not answer.",
        resolve: (result) => result.httpStatus,
      }),
      email: t.field({
        type: InboundEmailRef,
        nullable: true,
        description: 'The mail as mailgraph stored it; null when the webhook did not store it.',
        resolve: (result) => result.email,
      }),
      incomingStatus: t.field({
        type: IncomingStatusRef,
        description: 'The incoming status the emulator recorded, as CloudMailin records one per POST.',
        resolve: (result) => result.incomingStatus,
      }),
    }),
  });

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

builder.mutationField('simulateInboundEmail', (t) =>
  t.field({
    type: SimulateInboundEmailPayload,
    description:
      "Sandbox mode only: a mail reaches an emulated inbound address, and the emulator POSTs it to mailgraph's inbound webhook as CloudMailin would, then records its incoming status. Answers NOT_CONFIGURED outside sandbox mode.",
    args: {
      input: t.arg({ type: SimulateInboundEmailInput, required: true, description: 'The mail.' }),
    },
    errors: mutationResult('simulateInboundEmail'),
    authScopes: { send: true },
    resolve: async (_root, { input }, context) => {
      const simulator = context.inbound.simulator;
      if (!context.config.sandbox || simulator === null) {
        throw new NotConfiguredError(
          'simulateInboundEmail plays mail through the built-in emulator, which only sandbox mode runs (MAILGRAPH_SANDBOX=true, without CLOUDMAILIN_API_URL).',
          'CLOUDMAILIN',
        );
      }
      const checks = new InputIssues();
      const addressId = addressIdOf(String(input.addressId), 'input.addressId');
      const from = parseAddress(input.from);
      checks.check(
        from !== null && isEmail(from.address) && isOneLine(input.from),
        'input.from',
        'must be an email address, optionally with a display name',
      );
      if (input.to != null) checks.check(isEmail(input.to), 'input.to', 'must be an email address');
      checks.check(
        input.subject.length <= MAX_SUBJECT && isOneLine(input.subject),
        'input.subject',
        `must be one line of at most ${MAX_SUBJECT} characters`,
      );
      for (const key of ['text', 'html'] as const) {
        const value = input[key];
        if (value != null) {
          checks.check(
            value.length <= MAX_BODY_CHARS,
            `input.${key}`,
            `must be at most ${MAX_BODY_CHARS} characters`,
          );
        }
      }
      const attachments = input.attachments ?? [];
      checks.check(attachments.length <= MAX_ATTACHMENTS, 'input.attachments', `at most ${MAX_ATTACHMENTS}`);
      attachments.forEach((attachment, i) => {
        const path = `input.attachments.${i}`;
        checks.check(
          attachment.filename.length > 0 &&
            attachment.filename.length <= 255 &&
            isOneLine(attachment.filename),
          `${path}.filename`,
          'must be one line of 1 to 255 characters',
        );
        checks.check(
          /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/.test(attachment.contentType),
          `${path}.contentType`,
          'must be a MIME type such as `text/plain`',
        );
        checks.check(BASE64.test(attachment.contentBase64), `${path}.contentBase64`, 'must be base64');
      });
      checks.throwIfAny();

      // The address must exist, as for real mail; its format is the default.
      const address = await loadAddress(context, addressId);
      const format: InboundFormat =
        input.format === 'json+n' || input.format === 'multipart+n'
          ? input.format
          : address.target_format === 'multipart+n'
            ? 'multipart+n'
            : 'json+n';
      const result = await simulator.simulateInbound({
        addressId,
        from: { email: (from as { address: string }).address, name: from?.name ?? null },
        to: input.to ?? null,
        subject: input.subject,
        text: input.text ?? null,
        html: input.html ?? null,
        format,
        attachments: attachments.map((attachment) => ({
          fileName: attachment.filename,
          contentType: attachment.contentType,
          content: Buffer.from(attachment.contentBase64, 'base64'),
        })),
      });
      const response = result.response as { position?: unknown } | null;
      const position = typeof response?.position === 'string' ? response.position : null;
      return {
        email: position === null ? null : await loadInboundEmail(context, position),
        incomingStatus: { ...result.status, address_id: addressId },
        httpStatus: result.httpStatus,
      };
    },
  }),
);
