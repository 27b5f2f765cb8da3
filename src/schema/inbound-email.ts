/**
 * Inbound mail as CloudMailin posted it to mailgraph's webhook and the log stored it: listed per address
 * (`inboundEmails`, newest first), found by id (`node`), and pushed as it arrives (`inboundEmailReceived`,
 * resumable with a cursor). Everything here reads the event log and the blob store, never a provider:
 * these fields cost no upstream call.
 *
 * An attachment's content is fetched through `contentBase64`, capped per request (it can be as large as
 * the webhook limit), so that a list of mails never carries their files unless asked.
 */
import type { Context } from '../context.js';
import { NotFoundError, TooExpensiveError, ValidationError } from '../errors.js';
import {
  type AttachmentScan,
  type DkimCheck,
  type InboundAttachmentPayload,
  type InboundEnvelope,
  type StoredContent,
  type StoredInboundEmail,
  type StoredText,
  addressTopic,
  headerName,
  inboundEmailAt,
  isInboundEmail,
} from '../events/inbound.js';
import { follow } from '../events/log.js';
import { builder } from './builder.js';
import { connectionOf, forwardPageArgs } from './connection.js';
import { EmailAddressRef, parseAddress, parseAddresses } from './email-address.js';
import { InboundFormatEnum, addressIdOf } from './inbound-address.js';
import { eventCursor, positionOf } from './message-events.js';
import { pageSizeOf } from './pagination.js';

/** What `contentBase64` hands out in one request, in decoded bytes. */
export const MAX_CONTENT_BYTES_PER_REQUEST = 16 * 1024 * 1024;

const contentBudget = new WeakMap<Context, { used: number }>();

async function blobOf(context: Context, key: string, what: string): Promise<Buffer> {
  const blobs = context.inbound.blobs;
  const content = blobs ? await blobs.get(key) : null;
  if (content === null) {
    throw new NotFoundError(`${what} is no longer stored (it outlived the retention).`, 'InboundEmail', key);
  }
  return content;
}

async function textOf(context: Context, part: StoredText | null, what: string): Promise<string | null> {
  if (part === null) return null;
  if ('text' in part) return part.text;
  return (await blobOf(context, part.blob, what)).toString('utf8');
}

async function contentOf(context: Context, content: StoredContent): Promise<Buffer> {
  const budget = contentBudget.get(context) ?? { used: 0 };
  contentBudget.set(context, budget);
  if (budget.used + content.bytes > MAX_CONTENT_BYTES_PER_REQUEST) {
    throw new TooExpensiveError(
      `Attachment contents of at most ${MAX_CONTENT_BYTES_PER_REQUEST} bytes are returned per request; ask for fewer at once.`,
    );
  }
  budget.used += content.bytes;
  return 'base64' in content
    ? Buffer.from(content.base64, 'base64')
    : blobOf(context, content.blob, "The attachment's content");
}

const EmailHeaderRef = builder.objectRef<[string, string]>('EmailHeader').implement({
  description: 'One header line of a received mail.',
  fields: (t) => ({
    name: t.string({
      description: 'The name as CloudMailin gives it: lower case, `-` as `_` (e.g. `message_id`).',
      resolve: ([name]) => name,
    }),
    value: t.string({ description: 'The value, unfolded onto one line.', resolve: ([, value]) => value }),
  }),
});

const SpfCheckRef = builder.objectRef<NonNullable<InboundEnvelope['spf']>>('SpfCheck').implement({
  description: 'The SPF check of the sending server, as CloudMailin made it.',
  fields: (t) => ({
    result: t.exposeString('result', {
      nullable: true,
      description: 'e.g. `pass`, `fail`, `softfail`, `neutral`, `none`.',
    }),
    domain: t.exposeString('domain', { nullable: true, description: 'The domain checked.' }),
  }),
});

const DkimCheckRef = builder.objectRef<DkimCheck>('DkimCheck').implement({
  description: 'One DKIM signature checked.',
  fields: (t) => ({
    result: t.exposeString('result', { nullable: true, description: 'e.g. `pass`, `fail`, `none`.' }),
    domain: t.exposeString('domain', { nullable: true, description: 'The signing domain (`d=`).' }),
    selector: t.exposeString('selector', { nullable: true, description: 'The selector (`s=`).' }),
  }),
});

const DkimVerificationRef = builder
  .objectRef<NonNullable<InboundEnvelope['dkim']>>('DkimVerification')
  .implement({
    description: "CloudMailin's DKIM verification (an opt-in feature of the address).",
    fields: (t) => ({
      success: t.exposeBoolean('success', {
        nullable: true,
        description: 'Whether the verification ran.',
      }),
      results: t.field({
        type: [DkimCheckRef],
        description: 'Each signature checked.',
        resolve: (dkim) => dkim.results,
      }),
    }),
  });

const DmarcVerificationRef = builder
  .objectRef<NonNullable<InboundEnvelope['dmarc']>>('DmarcVerification')
  .implement({
    description: "CloudMailin's DMARC verification (an opt-in feature of the address).",
    fields: (t) => ({
      success: t.exposeBoolean('success', { nullable: true, description: 'Whether the check ran.' }),
      result: t.exposeString('result', {
        nullable: true,
        description: '`pass`, `fail`, `none`, `temperror` or `permerror`.',
      }),
      domain: t.exposeString('domain', { nullable: true, description: 'The From domain checked.' }),
      policy: t.exposeString('policy', {
        nullable: true,
        description: "The domain's policy, e.g. `quarantine`.",
      }),
      spfResult: t.exposeString('spfResult', { nullable: true, description: 'The SPF result.' }),
      dmarcSpfResult: t.exposeString('dmarcSpfResult', {
        nullable: true,
        description: 'Whether SPF passed aligned with the From domain.',
      }),
      dmarcDkimResult: t.exposeString('dmarcDkimResult', {
        nullable: true,
        description: 'Whether DKIM passed aligned with the From domain.',
      }),
      dkimResults: t.field({
        type: [DkimCheckRef],
        description: 'The DKIM signatures the DMARC check considered.',
        resolve: (dmarc) => dmarc.dkimResults,
      }),
    }),
  });

const SpamCheckRef = builder.objectRef<NonNullable<InboundEnvelope['spam']>>('SpamCheck').implement({
  description: "CloudMailin's SpamAssassin check (an opt-in feature of the address).",
  fields: (t) => ({
    score: t.exposeFloat('score', { nullable: true, description: 'The spam score.' }),
    success: t.exposeBoolean('success', { nullable: true, description: 'Whether the check ran.' }),
    symbols: t.exposeStringList('symbols', { description: 'The rules that matched.' }),
    description: t.exposeString('description', { nullable: true, description: 'What ran the check.' }),
    report: t.exposeString('report', {
      nullable: true,
      description: "SpamAssassin's report table, when the address asks for it (several lines).",
    }),
  }),
});

const InboundEnvelopeRef = builder.objectRef<InboundEnvelope>('InboundEnvelope').implement({
  description: 'The SMTP transaction that delivered the mail to CloudMailin, and the checks it made.',
  fields: (t) => ({
    from: t.field({
      type: EmailAddressRef,
      nullable: true,
      description: 'The SMTP sender (MAIL FROM); null for a bounce (`<>`).',
      resolve: (envelope) => parseAddress(envelope.from),
    }),
    to: t.field({
      type: EmailAddressRef,
      nullable: true,
      description: 'The recipient this POST is for (CloudMailin posts once per recipient).',
      resolve: (envelope) => parseAddress(envelope.to),
    }),
    recipients: t.field({
      type: [EmailAddressRef],
      description: 'Every recipient of the SMTP transaction (RCPT TO).',
      resolve: (envelope) => parseAddresses(envelope.recipients),
    }),
    heloDomain: t.exposeString('heloDomain', {
      nullable: true,
      description: 'The name the sending server gave in HELO/EHLO.',
    }),
    remoteIp: t.exposeString('remoteIp', {
      nullable: true,
      description: "The sending server's IP address.",
    }),
    tls: t.exposeBoolean('tls', {
      nullable: true,
      description: 'Whether the SMTP session was encrypted.',
    }),
    tlsCipher: t.exposeString('tlsCipher', {
      nullable: true,
      description: 'The TLS version or cipher, e.g. `TLSv1.3`, when reported.',
    }),
    spf: t.field({
      type: SpfCheckRef,
      nullable: true,
      description: 'The SPF check.',
      resolve: (envelope) => envelope.spf,
    }),
    dkim: t.field({
      type: DkimVerificationRef,
      nullable: true,
      description: 'The DKIM verification, when the address has it on.',
      resolve: (envelope) => envelope.dkim,
    }),
    dmarc: t.field({
      type: DmarcVerificationRef,
      nullable: true,
      description: 'The DMARC verification, when the address has it on.',
      resolve: (envelope) => envelope.dmarc,
    }),
    spam: t.field({
      type: SpamCheckRef,
      nullable: true,
      description: 'The spam check, when the address has it on.',
      resolve: (envelope) => envelope.spam,
    }),
    storeUrl: t.exposeString('storeUrl', {
      nullable: true,
      description: 'Where CloudMailin stored the whole message, when the address stores it.',
    }),
    md5: t.exposeString('md5', { nullable: true, description: 'MD5 digest of the message, when reported.' }),
  }),
});

const AttachmentScanRef = builder.objectRef<AttachmentScan>('AttachmentScan').implement({
  description: "CloudMailin's virus scan of an attachment (an opt-in feature).",
  fields: (t) => ({
    status: t.exposeString('status', {
      nullable: true,
      description: '`ok`, `found`, `pending` or `failed`.',
    }),
    id: t.exposeString('id', { nullable: true, description: "The scan's id." }),
    matches: t.exposeStringList('matches', {
      description: 'The signatures found, e.g. `Eicar-Test-Signature`.',
    }),
    fileName: t.exposeString('fileName', { nullable: true, description: 'The file name scanned.' }),
    contentLength: t.exposeInt('contentLength', { nullable: true, description: 'The bytes scanned.' }),
    md5: t.exposeString('md5', { nullable: true, description: 'MD5 of the file.' }),
    sha256: t.exposeString('sha256', { nullable: true, description: 'SHA-256 of the file (hex).' }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the scan ran, when reported.',
      resolve: (scan) => {
        const ms = scan.createdAt === null ? Number.NaN : Date.parse(scan.createdAt);
        return Number.isNaN(ms) ? null : new Date(ms);
      },
    }),
    url: t.exposeString('url', { nullable: true, description: 'Where the scanned file is stored.' }),
  }),
});

const InboundAttachmentRef = builder.objectRef<InboundAttachmentPayload>('InboundAttachment').implement({
  description:
    'A file attached to a received mail: posted inside the mail (its content is here) or stored by CloudMailin (`url`).',
  fields: (t) => ({
    fileName: t.exposeString('fileName', { nullable: true, description: 'The file name.' }),
    contentType: t.exposeString('contentType', {
      nullable: true,
      description: 'The MIME type, e.g. `image/png`.',
    }),
    size: t.exposeInt('size', {
      nullable: true,
      description: 'The size in bytes, as CloudMailin reports it (else the content held).',
    }),
    disposition: t.exposeString('disposition', {
      nullable: true,
      description: '`attachment` or `inline`; null when not sent (multipart files).',
    }),
    contentId: t.exposeString('contentId', {
      nullable: true,
      description: 'The Content-ID an inline file is referenced by (`cid:`).',
    }),
    url: t.exposeString('url', {
      nullable: true,
      description: "Where CloudMailin's attachment store put the file (then no content was posted).",
    }),
    scan: t.field({
      type: AttachmentScanRef,
      nullable: true,
      description: 'The virus scan result, when the address scans attachments.',
      resolve: (attachment) => attachment.scan,
    }),
    sha256: t.exposeString('sha256', {
      nullable: true,
      description: 'SHA-256 (base64url) of the content mailgraph holds; null when none was posted.',
    }),
    contentSize: t.int({
      nullable: true,
      description: 'Bytes of content mailgraph holds; null when none was posted (a `url` attachment).',
      resolve: (attachment) => attachment.content?.bytes ?? null,
    }),
    contentBase64: t.string({
      nullable: true,
      description: `The file itself, base64; null when none was posted (see \`url\`). At most ${MAX_CONTENT_BYTES_PER_REQUEST} bytes of contents per request (\`TOO_EXPENSIVE\` past that).`,
      resolve: async (attachment, _args, context) =>
        attachment.content === null
          ? null
          : (await contentOf(context, attachment.content)).toString('base64'),
    }),
  }),
});

export const InboundEmailRef = builder.objectRef<StoredInboundEmail>('InboundEmail');

function localIdOf(position: string): string {
  if (!/^[0-9-]{1,40}$/.test(position)) {
    const message = 'Not an id of this API.';
    throw new ValidationError(message, [{ path: 'id', message }]);
  }
  return position;
}

/** The mail stored at `position`; null when the log holds none there (any more). */
export async function loadInboundEmail(
  context: Context,
  position: string,
): Promise<StoredInboundEmail | null> {
  try {
    return await inboundEmailAt(context.events, localIdOf(position));
  } catch (error) {
    if (error instanceof ValidationError) {
      const message = 'Not an id of this API.';
      throw new ValidationError(message, [{ path: 'id', message }]);
    }
    throw error;
  }
}

builder.node(InboundEmailRef, {
  description:
    "A mail CloudMailin received and posted to mailgraph's inbound webhook, as stored in the event log (kept for the event retention).",
  id: { resolve: (email) => email.position },
  loadWithoutCache: (id, context) => loadInboundEmail(context, id),
  fields: (t) => ({
    cursor: t.string({
      description:
        'Where this mail sits in the event log; resume `inboundEmailReceived` after it with `after`.',
      resolve: (email) => eventCursor(email),
    }),
    addressId: t.string({
      nullable: true,
      description:
        "The CloudMailin address that received it (the webhook URL's `?address=`, or a `<id>@cloudmailin.net` recipient); null when unknown.",
      resolve: (email) => email.payload.addressId,
    }),
    format: t.field({
      type: InboundFormatEnum,
      description: 'How CloudMailin posted it.',
      resolve: (email) => email.payload.format,
    }),
    messageId: t.string({
      nullable: true,
      description: 'The Message-ID header, without angle brackets.',
      resolve: (email) => email.payload.messageId,
    }),
    subject: t.string({
      nullable: true,
      description: 'The Subject header.',
      resolve: (email) => email.payload.subject,
    }),
    date: t.field({
      type: 'DateTime',
      nullable: true,
      description: "The Date header (the sender's clock); null when missing or unreadable.",
      resolve: (email) => email.payload.date,
    }),
    from: t.field({
      type: EmailAddressRef,
      nullable: true,
      description: 'The From header.',
      resolve: (email) => parseAddress(email.payload.from),
    }),
    to: t.field({
      type: [EmailAddressRef],
      description: 'The To header (the envelope may differ: see `envelope`).',
      resolve: (email) => parseAddresses(email.payload.to),
    }),
    cc: t.field({
      type: [EmailAddressRef],
      description: 'The Cc header.',
      resolve: (email) => parseAddresses(email.payload.cc),
    }),
    replyTo: t.field({
      type: [EmailAddressRef],
      description: 'The Reply-To header.',
      resolve: (email) => parseAddresses(email.payload.replyTo),
    }),
    headers: t.field({
      type: [EmailHeaderRef],
      description: 'The headers, in order; a repeated header (e.g. `received`) once per line, topmost first.',
      args: {
        name: t.arg.string({ description: 'Only this header (`Message-ID` and `message_id` alike).' }),
      },
      resolve: (email, args) => {
        const name = args.name ? headerName(args.name) : null;
        return name === null ? email.payload.headers : email.payload.headers.filter(([key]) => key === name);
      },
    }),
    plain: t.string({
      nullable: true,
      description: 'The plain-text body.',
      resolve: (email, _args, context) => textOf(context, email.payload.plain, 'The plain body'),
    }),
    html: t.string({
      nullable: true,
      description: 'The HTML body.',
      resolve: (email, _args, context) => textOf(context, email.payload.html, 'The HTML body'),
    }),
    replyPlain: t.string({
      nullable: true,
      description: 'The reply alone, without the quoted message, when CloudMailin could tell it apart.',
      resolve: (email, _args, context) => textOf(context, email.payload.replyPlain, 'The reply'),
    }),
    envelope: t.field({
      type: InboundEnvelopeRef,
      description: 'The SMTP envelope and the checks CloudMailin made.',
      resolve: (email) => email.payload.envelope,
    }),
    attachments: t.field({
      type: [InboundAttachmentRef],
      description: "The attachments, with their metadata; `contentBase64` fetches one's content.",
      resolve: (email) => email.payload.attachments,
    }),
    receivedAt: t.field({
      type: 'DateTime',
      description: 'When mailgraph stored it.',
      resolve: (email) => new Date(email.receivedAt),
    }),
  }),
});

export const InboundEmailConnection = connectionOf(InboundEmailRef, 'InboundEmail', 'received mails');

/** An event cursor from `after`, refused as this argument when it is not one of this log's. */
function afterPosition(after: string | null | undefined): string | null {
  return after ? positionOf(after, 'after') : null;
}

builder.queryField('inboundEmails', (t) =>
  t.field({
    type: InboundEmailConnection,
    nullable: true,
    description:
      "Mail received by an inbound address and stored by mailgraph's inbound webhook, newest first (for the event retention). Reads mailgraph's log: no upstream call.",
    args: {
      ...forwardPageArgs,
      addressId: t.arg.id({ required: true, description: 'A global id or a CloudMailin address id.' }),
    },
    authScopes: { read: true },
    resolve: async (_root, args, context) => {
      const addressId = addressIdOf(String(args.addressId), 'addressId');
      const first = pageSizeOf(args);
      const after = afterPosition(args.after);
      let rows: Awaited<ReturnType<Context['events']['read']>>;
      try {
        rows = await context.events.read({
          topic: addressTopic(addressId),
          after,
          direction: 'backward',
          limit: first + 1,
        });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const message = 'Not a cursor of this list.';
        throw new ValidationError(message, [{ path: 'after', message }]);
      }
      const page = rows.slice(0, first).filter(isInboundEmail);
      const edges = page.map((email) => ({ cursor: eventCursor(email), node: email }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: after !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
      };
    },
  }),
);

/**
 * Where the subscription starts, worked out before its stream opens: after `after` (a cursor past
 * retention fails here with CURSOR_EXPIRED), else after the newest mail stored now, so that every mail
 * stored once the client sees the stream open reaches it.
 */
async function receivedEmails(
  context: Context,
  addressId: string,
  after: string | null,
): Promise<AsyncGenerator<StoredInboundEmail>> {
  const topic = addressTopic(addressId);
  let from = after;
  if (after !== null) await context.events.read({ after, topic, limit: 1 });
  else {
    const [newest] = await context.events.read({ topic, direction: 'backward', limit: 1 });
    from = newest?.position ?? null;
  }
  return (async function* () {
    for await (const event of follow(context.events, { after: from, topic })) {
      if (isInboundEmail(event)) yield event;
    }
  })();
}

builder.subscriptionField('inboundEmailReceived', (t) =>
  t.field({
    type: InboundEmailRef,
    description:
      "Mail received by an inbound address as mailgraph's inbound webhook stores it, from the moment the subscription starts. With `after`, first every stored mail after that cursor, then the live ones: none twice, none lost (read what came before with `inboundEmails`, then subscribe after its newest cursor).",
    args: {
      addressId: t.arg.id({ required: true, description: 'A global id or a CloudMailin address id.' }),
      after: t.arg.string({ description: 'Resume after this cursor (`InboundEmail.cursor`).' }),
    },
    authScopes: { read: true },
    subscribe: (_root, args, context) =>
      receivedEmails(context, addressIdOf(String(args.addressId), 'addressId'), afterPosition(args.after)),
    resolve: (email) => email,
  }),
);
