/**
 * The CloudMailin Core API's wire format (seed `000_f4f25a1e2223f55e.txt`, `shared/upstream/cloudmailin`).
 * Response schemas are lenient where the public material disagrees (unknown fields are dropped, nullable
 * fields may be absent) and strict where mailgraph depends on a value (ids, arrays).
 * Both the client (to validate what it receives) and the sandbox emulator (to shape what it sends) use them.
 */
import { z } from 'zod';

const nullableString = z.string().nullable().optional();

export const addressSchema = z.object({
  id: z.string().min(1),
  target: nullableString,
  target_format: z.string().nullable().optional(),
  nickname: nullableString,
  attachments: z.record(z.unknown()).nullable().optional(),
});
export type Address = z.infer<typeof addressSchema>;

export const incomingStatusSchema = z.object({
  id: z.string().min(1),
  message_id: nullableString,
  to: nullableString,
  from: nullableString,
  // The spec types it as a string ("normally the HTTP Response code ... may also include server
  // statuses such as client_timeout"); the seed's example is the number 200. Accept both.
  status: z.union([z.string(), z.number()]).nullable().optional(),
  subject: nullableString,
  tls: z.union([z.string(), z.boolean()]).nullable().optional(),
  md5: nullableString,
  created_at: nullableString,
});
export type IncomingStatus = z.infer<typeof incomingStatusSchema>;

export const customDomainSchema = z.object({
  id: z.string().min(1),
  domain: z.string(),
  auth_regex: nullableString,
  domain_target: nullableString,
});
export type CustomDomain = z.infer<typeof customDomainSchema>;

export const messageEventSchema = z.object({
  kind: z.string(),
  timestamp: nullableString,
  details: z
    .object({
      agent: nullableString,
      reply_code: z.union([z.string(), z.number()]).nullable().optional(),
      delivery_status: nullableString,
      smtp_response: nullableString,
      remote_host: nullableString,
    })
    .nullable()
    .optional(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

const stringOrList = z
  .union([z.array(z.string()), z.string()])
  .nullable()
  .optional();

export const outboundRecipientSchema = z.object({
  email: z.string(),
  last_event: nullableString,
  events: z.array(messageEventSchema).optional(),
});
export type OutboundRecipient = z.infer<typeof outboundRecipientSchema>;

export const outboundMessageSchema = z.object({
  id: z.string().min(1),
  from: nullableString,
  subject: nullableString,
  message_id: nullableString,
  to: stringOrList,
  cc: stringOrList,
  tags: stringOrList,
  test_mode: z.boolean().nullable().optional(),
  created_at: nullableString,
  recipients: z.array(outboundRecipientSchema).default([]),
});
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;

export const sendingDomainSchema = z.object({
  id: z.string().min(1),
  domain: z.string(),
  mta_domain: nullableString,
  dkim_selector: nullableString,
  dkim_domain: nullableString,
  dkim_public_record: nullableString,
  required_cname: nullableString,
  dkim_verified: z.boolean().nullable().optional(),
  return_path_verified: z.boolean().nullable().optional(),
  spf_verified: z.boolean().nullable().optional(),
});
export type SendingDomain = z.infer<typeof sendingDomainSchema>;

/** `MessageCommon` as echoed by `POST /messages` (202). */
export const sentMessageSchema = z.object({
  id: z.string().min(1),
  from: nullableString,
  to: stringOrList,
  cc: stringOrList,
  subject: nullableString,
  tags: stringOrList,
  test_mode: z.boolean().nullable().optional(),
});
export type SentMessage = z.infer<typeof sentMessageSchema>;

/** CloudMailin's error body: `{"status": 422, "error": "description"}`. */
export const errorBodySchema = z.object({ status: z.number().optional(), error: z.string() }).passthrough();

export type TargetFormat = 'json+n' | 'multipart+n';

export interface AddressInput {
  target: string;
  target_format: TargetFormat;
  nickname?: string | null;
  attachments?: Record<string, unknown>;
}

export interface CustomDomainInput {
  domain: string;
  auth_regex?: string | null;
  domain_target?: string | null;
}

export interface MessageAttachment {
  file_name: string;
  /** base64 without newlines */
  content: string;
  content_type: string;
  content_id?: string;
}

interface MessageCommonInput {
  from: string;
  to: string[];
  cc?: string[];
  test_mode?: boolean;
  subject?: string;
  tags?: string[];
}

export interface MessageInput extends MessageCommonInput {
  plain?: string;
  html?: string;
  markdown?: string;
  headers?: Record<string, string>;
  priority?: 'standard' | 'priority' | 'digest';
  attachments?: MessageAttachment[];
}

export interface RawMessageInput extends MessageCommonInput {
  raw: string;
}

/** CloudMailin's documented sending limits (docs `outbound/index.md`), shared by the client and the emulator. */
export const CLOUDMAILIN_LIMITS = {
  maxRecipients: 20,
  maxMessageBytes: 10 * 1024 * 1024,
  /** "No executables". */
  forbiddenExtensions: [
    'vbs',
    'exe',
    'bin',
    'bat',
    'chm',
    'com',
    'hta',
    'pif',
    'reg',
    'vbe',
    'vba',
    'msc',
    'msi',
  ],
} as const;

/** Event kinds documented for the message events webhook (`outbound/event-kinds.json`). */
export const MESSAGE_EVENT_KINDS = [
  'registration',
  'dispatch',
  'rate_limit',
  'delivery',
  'bounce',
  'soft_bounce',
  'dispatch_soft_bounce',
  'error',
  'retries_exhausted',
  'open',
  'read',
  'click',
  'auto_reply',
  'bounce_reply',
  'suppressed',
] as const;
