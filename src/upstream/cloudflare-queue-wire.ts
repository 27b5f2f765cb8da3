/**
 * The Cloudflare Queues HTTP pull-consumer API's wire format (`test/fixtures/providers/cloudflare/
 * QUEUES-PULL.md`: operations `queues-pull-messages` and `queues-ack-messages` of Cloudflare's OpenAPI
 * document, schema `mq_queue-pull-batch`; the Email Sending OpenAPI slice in the fixtures has no queue
 * routes). The client validates what it receives with these schemas; the emulator shapes what it sends
 * with the types. Every field of a pulled message is optional in the schema, and the empty pull's shape
 * is undocumented (§4: "expect `messages: []` or a missing field"), so the result schema is lenient.
 */
import { z } from 'zod';

/** The documented bounds (§2): `batch_size` 1-100 (default 5), `visibility_timeout_ms` up to 12 h. */
export const QUEUE_LIMITS = {
  defaultBatchSize: 5,
  maxBatchSize: 100,
  defaultVisibilityTimeoutMs: 30_000,
  maxVisibilityTimeoutMs: 12 * 3_600_000,
  /** `delay_seconds` of a retry: at most 12 h (batching-retries.mdx; the limits page says 24 h). */
  maxRetryDelaySeconds: 12 * 3_600,
  /** Queue ids are at most 32 characters (§1). */
  maxQueueIdLength: 32,
} as const;

/** The body of `POST …/queues/{queue_id}/messages/pull`. The spec's name is `visibility_timeout_ms` (§2). */
export interface QueuePullRequest {
  batch_size?: number;
  visibility_timeout_ms?: number;
}

/** The body of `POST …/queues/{queue_id}/messages/ack` (§3); both arrays are optional. */
export interface QueueAckRequest {
  acks?: Array<{ lease_id: string }>;
  retries?: Array<{ lease_id: string; delay_seconds?: number }>;
}

export const queueMessageSchema = z.object({
  id: z.string().optional(),
  /** A string: plain text, JSON text, or base64, as `metadata["CF-Content-Type"]` says (§2). */
  body: z.string().optional(),
  lease_id: z.string().optional(),
  attempts: z.number().optional(),
  timestamp_ms: z.number().optional(),
  metadata: z.record(z.unknown()).nullable().optional(),
});
export type QueueMessage = z.infer<typeof queueMessageSchema>;

const metricsSchema = z.object({
  backlog_bytes: z.number().optional(),
  backlog_count: z.number().optional(),
  oldest_message_timestamp_ms: z.number().optional(),
});

/** `mq_queue-pull-batch`; a null or absent `result`, or absent `messages`, is an empty pull. */
export const queuePullResultSchema = z
  .object({
    message_backlog_count: z.number().optional(),
    messages: z.array(queueMessageSchema).nullable().optional(),
    metadata: z.object({ metrics: metricsSchema.nullable().optional() }).nullable().optional(),
  })
  .nullish()
  .transform((result) => ({
    backlogCount: result?.message_backlog_count ?? null,
    messages: result?.messages ?? [],
  }));
export type QueuePullResult = z.infer<typeof queuePullResultSchema>;

/** `{ackCount, retryCount, warnings}`; `warnings` maps a lease id to a message (§3). */
export const queueAckResultSchema = z
  .object({
    ackCount: z.number().optional(),
    retryCount: z.number().optional(),
    warnings: z.unknown().optional(),
  })
  .nullish()
  .transform((result) => ({
    ackCount: result?.ackCount ?? null,
    retryCount: result?.retryCount ?? null,
    warnings: result?.warnings ?? null,
  }));
export type QueueAckResult = z.infer<typeof queueAckResultSchema>;

/** Queue error codes (§6, docs S6). The HTTP status of each is undocumented. */
export const QUEUE_ERROR_CODES = {
  queueNotFound: 10104,
  unauthorized: 10106,
  queueIdMalformed: 10107,
  clientDisconnected: 10201,
  jsonRequestBodyInvalid: 10207,
  jsonRequestBodyMalformed: 10208,
  queueOverloaded: 10250,
  queueStorageLimitExceeded: 10251,
  queueDisabled: 10252,
  freeTierLimitExceeded: 10253,
  unknownInternalError: 15000,
} as const;

/** The 429-type codes that concern the queue alone, not the API-wide request limit. */
export const QUEUE_THROTTLE_CODES: ReadonlySet<number> = new Set([
  QUEUE_ERROR_CODES.queueOverloaded,
  QUEUE_ERROR_CODES.queueStorageLimitExceeded,
  QUEUE_ERROR_CODES.queueDisabled,
  QUEUE_ERROR_CODES.freeTierLimitExceeded,
]);
