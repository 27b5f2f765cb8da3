/**
 * The Cloudflare Email Sending API's wire format (seed `004_267dd784958486ad.txt`,
 * `shared/upstream/cloudflare/email-sending.openapi.json` and its NOTES.md). Response schemas are lenient
 * where the public material disagrees (a subdomain's id is `tag` in the spec and `id` live; an error's
 * `code` is a number in the docs and a numeric string in parts of the spec; `message_id` is missing from
 * older examples). The client validates what it receives with them; the emulator shapes what it sends.
 */
import { z } from 'zod';

const code = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

export const cloudflareMessageSchema = z.object({
  code,
  message: z.string(),
  documentation_url: z.string().optional(),
  source: z.object({ pointer: z.string().optional() }).optional(),
});
export type CloudflareMessage = z.infer<typeof cloudflareMessageSchema>;

/** Error bodies type `messages` as strings, success bodies as objects: accept both. */
const messagesSchema = z.array(z.union([cloudflareMessageSchema, z.string()])).default([]);

/** The v4 envelope around every response; `result` is validated separately by each call. */
export const envelopeSchema = z.object({
  success: z.boolean(),
  errors: z.array(cloudflareMessageSchema).default([]),
  messages: messagesSchema,
  result: z.unknown().optional(),
  result_info: z.record(z.unknown()).nullable().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const address = z.string();

export const sendResultSchema = z.object({
  delivered: z.array(address).default([]),
  permanent_bounces: z.array(address).default([]),
  queued: z.array(address).default([]),
  message_id: z.string().nullable().optional(),
});
export type CloudflareSendResult = z.infer<typeof sendResultSchema>;

/** A sending subdomain, normalized: `id` is the spec's `tag`, or the `id` live responses were seen with. */
export const subdomainSchema = z
  .object({
    tag: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
    name: z.string().min(1),
    enabled: z.boolean().nullable().optional(),
    dkim_selector: z.string().nullable().optional(),
    return_path_domain: z.string().nullable().optional(),
    created: z.string().nullable().optional(),
    modified: z.string().nullable().optional(),
    preview_enabled: z.boolean().nullable().optional(),
  })
  .refine((value) => value.tag !== undefined || value.id !== undefined, {
    message: 'a subdomain needs tag or id',
  })
  .transform(({ tag, id, ...rest }) => ({ ...rest, id: (tag ?? id) as string }));
export type CloudflareSubdomain = z.infer<typeof subdomainSchema>;

export const dnsRecordSchema = z.object({
  type: z.string().optional(),
  name: z.string().optional(),
  content: z.string().optional(),
  priority: z.number().nullable().optional(),
  ttl: z.number().nullable().optional(),
});
export type CloudflareDnsRecord = z.infer<typeof dnsRecordSchema>;

/**
 * `email_sending_subdomain_config_error`: one DNS problem the status route found. `code` is one of the
 * spec's enum (`mx.missing`, `spf.foreign`, `dkim.conflict`, `domainkey.delegated`…), kept as a string so a
 * new code does not fail the whole answer; `missing` is the desired record that is absent, `existing` the
 * record in the way, `multiple` the duplicates.
 */
export const dnsConfigErrorSchema = z.object({
  code: z.string(),
  existing: dnsRecordSchema.nullable().optional(),
  missing: dnsRecordSchema.nullable().optional(),
  multiple: z.array(dnsRecordSchema).nullable().optional(),
});
export type CloudflareDnsConfigError = z.infer<typeof dnsConfigErrorSchema>;

/**
 * The `result` of `GET …/subdomains/{id}/dns/status` (`email_sending_subdomain_dns_status_response`):
 * `status` is `ready`, `unconfigured`, `unlocked` or `misconfigured` (a string, for the same reason), with
 * the desired records and the problems found against the zone's DNS now. Every field is optional in the spec.
 */
export const dnsStatusSchema = z.object({
  status: z.string().nullable().optional(),
  records: z.array(dnsRecordSchema).nullable().optional(),
  errors: z.array(dnsConfigErrorSchema).nullable().optional(),
});
export type CloudflareDnsStatus = z.infer<typeof dnsStatusSchema>;

/** `email_update_sending_subdomain_properties`, the body of `PATCH …/subdomains/{id}` (NOTES §3 row 8). */
export interface CloudflareSubdomainUpdate {
  preview_enabled: boolean;
}

/** `EmailAddressObject`; a plain string is also accepted wherever one is. */
export interface CloudflareAddress {
  address: string;
  name?: string | null;
}
export type CloudflareRecipients = string | CloudflareAddress | Array<string | CloudflareAddress>;

export type CloudflareAttachment =
  | { content: string; disposition: 'attachment'; filename: string; type: string }
  | { content: string; disposition: 'inline'; content_id: string; filename: string; type: string };

/** `email-sending_EmailBuilder`: the structured send body. */
export interface CloudflareSendInput {
  from: string | CloudflareAddress;
  subject: string;
  to?: CloudflareRecipients;
  cc?: CloudflareRecipients;
  bcc?: CloudflareRecipients;
  reply_to?: string | CloudflareAddress;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  attachments?: CloudflareAttachment[];
}

/** `email-sending_SendRawRequest` (additionalProperties: false). `mime_message` is RFC 5322 text, not base64. */
export interface CloudflareSendRawInput {
  from: string;
  recipients: string[];
  mime_message: string;
}

/** Documented limits (docs `email-service/platform/limits`), shared by mailgraph's checks and the emulator. */
export const CLOUDFLARE_LIMITS = {
  maxRecipients: 50,
  maxMessageBytes: 5 * 1024 * 1024,
  maxSubjectLength: 998,
  maxHeaderBytes: 16 * 1024,
  /** 1200 requests per 5 minutes per token. */
  requestsPerWindow: 1200,
  windowSeconds: 300,
  maxDomainsPerZone: 30,
} as const;

/** Send-route error codes (spec responses and the docs' error table). */
export const CLOUDFLARE_SEND_ERRORS = {
  invalidRequestSchema: { status: 400, code: 10001, message: 'email.sending.error.invalid_request_schema' },
  tooBig: { status: 400, code: 10200, message: 'email.sending.error.email.too_big' },
  noContentLength: { status: 400, code: 10201, message: 'email.sending.error.email.no_content_length' },
  invalidEmail: { status: 400, code: 10202, message: 'email.sending.error.email.invalid' },
  unauthorized: { status: 401, code: 10101, message: 'email.sending.error.authentication.unauthorized' },
  badTokenType: { status: 401, code: 10103, message: 'email.sending.error.authentication.bad_token_type' },
  forbidden: { status: 403, code: 10102, message: 'email.sending.error.authentication.forbidden' },
  notEntitled: { status: 403, code: 10105, message: 'email.sending.error.authentication.not_entitled' },
  sendingDisabled: { status: 403, code: 10203, message: 'email.sending.error.email.sending_disabled' },
  senderNotConfigured: {
    status: 403,
    code: 10204,
    message: 'email.sending.error.email.sender_not_configured',
  },
  notFound: { status: 404, code: 10000, message: 'email.sending.error.not_found' },
  throttled: { status: 429, code: 10004, message: 'email.sending.error.throttled' },
  internal: { status: 500, code: 10002, message: 'email.sending.error.internal_server' },
  notImplemented: { status: 500, code: 10003, message: 'email.sending.error.not_implemented' },
  upstream: { status: 503, code: 10100, message: 'email.sending.error.authentication.upstream' },
} as const;

/** Subdomain-route error codes (spec descriptions and a third party's live measurements). */
export const CLOUDFLARE_SUBDOMAIN_ERRORS = {
  invalidId: { status: 400, code: 2028, message: 'subdomain_id is not a valid identifier' },
  zoneLocked: { status: 403, code: 2043, message: 'zone is admin-locked and cannot be mutated' },
  notFound: { status: 404, code: 2033, message: 'Subdomain not found' },
  alreadyExists: { status: 409, code: 2040, message: 'Subdomain already exists' },
  couldNotRoute: { status: 404, code: 7003, message: 'Could not route' },
} as const;
