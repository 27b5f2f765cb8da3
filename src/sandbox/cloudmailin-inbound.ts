/**
 * Inbound mail simulation: what CloudMailin does when mail reaches one of its addresses (NOTES §2). It
 * POSTs the mail to the address's target, in `json+n` (application/json) or `multipart+n`
 * (multipart/form-data) as the docs' samples show them, with Basic auth from the target URL, then records
 * an incoming status whose `status` is the HTTP code the target answered (`client_timeout` when it did not
 * answer in time, `0` when it could not be reached). CloudMailin never retries the POST itself: the
 * sending server does, after a 5xx, as a new delivery.
 *
 * The target here is mailgraph's own inbound webhook: the origin and credentials mailgraph gave the
 * emulator once it listened (`Sandbox.setWebhookTarget`, shared with the events playback), with
 * `?address=<addressId>`, as a target configured for mailgraph carries it.
 */
import { createHash } from 'node:crypto';
import type { SimulatedInbound, SimulatedInboundMail } from '../events/inbound.js';
import type { IncomingStatus } from '../upstream/cloudmailin-wire.js';
import type { AddressRecord } from './cloudmailin-records.js';
import { inboundStatus } from './demo-data.js';
import type { Random } from './random.js';
import type { WebhookTarget } from './webhook-poster.js';

export const CLOUDMAILIN_INBOUND_WEBHOOK_PATH = '/webhooks/cloudmailin/inbound';

/** How long CloudMailin waits for the target (undocumented; NOTES §7.12). */
export const INBOUND_POST_TIMEOUT_MS = 30_000;

/** The sending server, as the emulator plays it (documentation addresses, RFC 5737). */
const REMOTE_IP = '192.0.2.25';

export interface InboundPost {
  contentType: string;
  payload: Buffer;
}

function mailbox(mail: SimulatedInboundMail): string {
  const { email, name } = mail.from;
  return name ? `"${name.replace(/["\\]/g, '\\$&')}" <${email}>` : email;
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/** The mail in CloudMailin's normalized shape (what json+n posts, and multipart+n spells as fields). */
function normalized(mail: SimulatedInboundMail, status: IncomingStatus, at: number) {
  const recipient = status.to ?? `${mail.addressId}@cloudmailin.net`;
  const date = new Date(at).toUTCString().replace('GMT', '+0000');
  const senderDomain = domainOf(mail.from.email);
  const type =
    mail.attachments.length > 0
      ? 'multipart/mixed'
      : mail.html !== null && mail.text !== null
        ? 'multipart/alternative'
        : mail.html !== null
          ? 'text/html'
          : 'text/plain';
  return {
    headers: {
      return_path: mail.from.email,
      received: [
        `from mail.${senderDomain} (mail.${senderDomain} [${REMOTE_IP}]) by mx.cloudmailin.net with ESMTPS id ${status.id}; ${date}`,
        `by mail.${senderDomain} with SMTP; ${date}`,
      ],
      date,
      from: mailbox(mail),
      to: recipient,
      message_id: `<${status.message_id}>`,
      subject: mail.subject,
      mime_version: '1.0',
      content_type: type.startsWith('multipart/') ? `${type}; boundary="sandbox-${status.md5}"` : type,
    },
    envelope: {
      to: recipient,
      recipients: [recipient],
      from: mail.from.email,
      helo_domain: `mail.${senderDomain}`,
      remote_ip: REMOTE_IP,
      spf: { result: 'pass', domain: senderDomain },
      tls: true,
      tls_cipher: typeof status.tls === 'string' ? status.tls : 'TLSv1.3',
    },
    plain: mail.text,
    html: mail.html,
    // The emulator's mails quote nothing: the reply is the whole text.
    reply_plain: mail.text,
  };
}

/** The POST body CloudMailin would send for `mail`, received as `status`, at `at` (ms). */
export function inboundPost(mail: SimulatedInboundMail, status: IncomingStatus, at: number): InboundPost {
  const base = normalized(mail, status, at);
  if (mail.format === 'json+n') {
    const body = {
      ...base,
      attachments: mail.attachments.map((file) => ({
        content: file.content.toString('base64'),
        file_name: file.fileName,
        content_type: file.contentType,
        size: file.content.length,
        disposition: 'attachment',
      })),
    };
    return { contentType: 'application/json', payload: Buffer.from(JSON.stringify(body)) };
  }
  // The docs' boundary, made unique to this mail so that no file can contain it by chance.
  const seed = createHash('sha256').update(status.id).update(String(at));
  for (const file of mail.attachments) seed.update(file.content);
  const boundary = `----cloudmailinboundry${seed.digest('hex').slice(0, 24)}`;
  const parts: Buffer[] = [];
  const field = (name: string, value: string | null) => {
    if (value === null) return;
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  };
  field('plain', base.plain);
  field('html', base.html);
  field('reply_plain', base.reply_plain);
  for (const [name, value] of Object.entries(base.headers)) {
    if (Array.isArray(value)) value.forEach((item, i) => field(`headers[${name}][${i}]`, item));
    else field(`headers[${name}]`, value);
  }
  const { envelope } = base;
  field('envelope[to]', envelope.to);
  envelope.recipients.forEach((recipient, i) => field(`envelope[recipients][${i}]`, recipient));
  field('envelope[from]', envelope.from);
  field('envelope[helo_domain]', envelope.helo_domain);
  field('envelope[remote_ip]', envelope.remote_ip);
  field('envelope[spf][result]', envelope.spf.result);
  field('envelope[spf][domain]', envelope.spf.domain);
  field('envelope[tls]', String(envelope.tls));
  field('envelope[tls_cipher]', envelope.tls_cipher);
  for (const file of mail.attachments) {
    const filename = file.fileName.replace(/["\\\r\n]/g, '_');
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments[]"; filename="${filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, payload: Buffer.concat(parts) };
}

/** One POST, as CloudMailin makes it: no retry; the answer decides the status. */
export async function postInbound(
  target: WebhookTarget,
  addressId: string,
  post: InboundPost,
  timeoutMs = INBOUND_POST_TIMEOUT_MS,
): Promise<{ status: string; httpStatus: number | null; response: unknown }> {
  const credential = Buffer.from(`${target.auth.user}:${target.auth.pass}`).toString('base64');
  const url = `${target.url}${CLOUDMAILIN_INBOUND_WEBHOOK_PATH}?address=${encodeURIComponent(addressId)}`;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': post.contentType, authorization: `Basic ${credential}` },
      body: new Uint8Array(post.payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // A text answer goes into the SMTP reply as it is.
    }
    return { status: String(response.status), httpStatus: response.status, response: parsed };
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return { status: timedOut ? 'client_timeout' : '0', httpStatus: null, response: null };
  }
}

/**
 * Plays `mail` arriving at `record`'s address at `at`: posts it to `target`, then records its incoming
 * status (newest first) with the answer's status.
 */
export async function receiveAndPost(options: {
  mail: SimulatedInboundMail;
  record: AddressRecord;
  random: Random;
  at: number;
  target: WebhookTarget;
}): Promise<SimulatedInbound> {
  const { mail, record, at } = options;
  const status = inboundStatus(options.random, record, at, {
    from: mail.from.email,
    to: mail.to ?? `${mail.addressId}@cloudmailin.net`,
    subject: mail.subject,
  });
  const answer = await postInbound(options.target, mail.addressId, inboundPost(mail, status, at));
  status.status = answer.status;
  record.statuses.unshift(status);
  return { status: structuredClone(status), httpStatus: answer.httpStatus, response: answer.response };
}
