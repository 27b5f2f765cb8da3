/**
 * Expected failures, in one place. Reads report them in `errors[]` with `extensions.code` (see `app.ts`,
 * which calls `extensionsOf`); mutations return them as members of their `<Field>Result` union, each
 * implementing the one `Error` interface. Both use the same `ErrorCode` values, chosen by `errorCodeOf`.
 */
import {
  MailgraphError,
  NotConfiguredError,
  NotFoundError,
  RateLimitedError,
  SendOutcomeUnknownError,
  UpstreamError,
  type UpstreamErrorCode,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import { builder } from './builder.js';

export const EmailProviderEnum = builder.enumType('EmailProvider', {
  description: 'An email provider that mailgraph puts a graph over.',
  values: {
    CLOUDMAILIN: {
      description: 'CloudMailin (inbound addresses, sending, outbound messages, sending domains).',
    },
    CLOUDFLARE: {
      description: 'Cloudflare Email Sending (sending, sending subdomains and their DNS records).',
    },
  } as const,
});

const RefuserEnum = builder.enumType('Refuser', {
  description: 'Who refused an input.',
  values: {
    MAILGRAPH: { description: 'mailgraph, before calling any provider.' },
    CLOUDMAILIN: { description: 'CloudMailin (HTTP 422).' },
    CLOUDFLARE: { description: 'Cloudflare Email Sending (HTTP 400, or 409 for a conflicting input).' },
  } as const,
});

/**
 * Every code a client can meet, in `Error.code` and in `errors[].extensions.code` alike. The first group
 * comes from typed errors; the second only ever appears in `errors[]`, about the request as a whole.
 */
export const ERROR_CODES = {
  NOT_FOUND: 'The object does not exist, or does not belong to the configured account.',
  VALIDATION_FAILED: 'An input was refused; `issues` lists every problem at once.',
  RATE_LIMITED:
    "The provider's rate budget is spent and nothing cached could stand in; see `retryAfterSeconds`.",
  NOT_CONFIGURED: 'The provider has no credentials for this operation.',
  CONFLICT: 'The provider refused because the object already exists or is in use (HTTP 409).',
  UPSTREAM_UNAUTHORIZED: "The provider refused mailgraph's credentials (HTTP 401).",
  UPSTREAM_FORBIDDEN: "The provider's credentials lack a permission (HTTP 403).",
  UPSTREAM_SERVER_ERROR: 'The provider failed (HTTP 5xx). A write may or may not have happened.',
  UPSTREAM_TIMEOUT: 'The provider did not answer in time. A write may or may not have happened.',
  UPSTREAM_NETWORK: 'The provider could not be reached. A write may or may not have happened.',
  UPSTREAM_MALFORMED_RESPONSE: 'The provider answered something mailgraph could not read.',
  UPSTREAM_RESPONSE_TOO_LARGE: "The provider's answer exceeded MAILGRAPH_UPSTREAM_MAX_BYTES.",
  UPSTREAM_UNEXPECTED_STATUS: 'The provider answered an HTTP status its API does not document for this call.',
  SEND_OUTCOME_UNKNOWN:
    'A send may or may not have been accepted (no answer, a lost connection, a 5xx, an answer that could not be read). Do not resend it blindly: a retry with the same `idempotencyKey` gets this answer again and sends nothing.',
  TOO_EXPENSIVE:
    'Answering would take more upstream calls than one request may make (for example, finding an object far down a list).',
  UNAUTHENTICATED: 'The request carried no API key, or an unknown one (HTTP 401).',
  FORBIDDEN: 'The API key lacks the scope this field needs (read, send or manage).',
  COST_LIMIT_EXCEEDED: 'The query could cost more upstream calls than the limit; see `extensions.cost`.',
  GRAPHQL_PARSE_FAILED: 'The document is not valid GraphQL syntax.',
  GRAPHQL_VALIDATION_FAILED:
    'The document does not fit the schema, or exceeds a depth, alias or token limit.',
  BAD_USER_INPUT: 'A variable does not have the type its definition declares.',
  CURSOR_EXPIRED:
    'The subscription cursor is older than the event retention window (MAILGRAPH_EVENT_RETENTION_HOURS): resync, then subscribe without `after`.',
  TOO_MANY_SUBSCRIPTIONS:
    'The API key, or this connection, already holds as many live subscriptions as it may (MAILGRAPH_SUBSCRIPTIONS_PER_KEY, MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION): end one first.',
  BAD_REQUEST:
    'The HTTP request was refused before GraphQL saw it (media type, Accept header, size); the message says which.',
  INTERNAL_SERVER_ERROR:
    'Something unexpected failed inside mailgraph; the details are in its log, not here.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description:
    'Why something failed: the same values in `Error.code` (mutations) and in `errors[].extensions.code` (reads and request-level refusals).',
  values: Object.fromEntries(
    Object.entries(ERROR_CODES).map(([code, description]) => [code, { description }]),
  ) as Record<ErrorCode, { description: string }>,
});

/** Upstream failure codes that the public code prefixes with `UPSTREAM_` (CONFLICT is the caller's to act on). */
const UPSTREAM_PREFIXED: ReadonlySet<string> = new Set<UpstreamErrorCode>([
  'UNAUTHORIZED',
  'FORBIDDEN',
  'SERVER_ERROR',
  'TIMEOUT',
  'NETWORK',
  'MALFORMED_RESPONSE',
  'RESPONSE_TOO_LARGE',
  'UNEXPECTED_STATUS',
]);

/**
 * The public code of a typed failure. It reads `code` only, never `instanceof`: the errors plugin hands
 * the error types' resolvers a proxy of the error, whose prototype chain `instanceof` does not see.
 */
export function errorCodeOf(error: Pick<MailgraphError, 'code'>): ErrorCode {
  return (UPSTREAM_PREFIXED.has(error.code) ? `UPSTREAM_${error.code}` : error.code) as ErrorCode;
}

/** The `extensions` of a failure reported in `errors[]`: its code and the fields its error type has. */
export function extensionsOf(error: MailgraphError): Record<string, unknown> {
  const extensions: Record<string, unknown> = { code: errorCodeOf(error) };
  if (error.providerCode !== null) extensions.providerCode = error.providerCode;
  if (error instanceof RateLimitedError) {
    extensions.provider = error.provider;
    extensions.retryAfterSeconds = error.retryAfterSeconds;
  }
  if (error instanceof UpstreamError) {
    extensions.provider = error.provider;
    extensions.status = error.status;
  }
  if (error instanceof NotConfiguredError) extensions.provider = error.provider;
  if (error instanceof NotFoundError) {
    extensions.resource = error.resource;
    extensions.resourceId = error.id;
  }
  if (error instanceof ValidationError) {
    extensions.issues = error.issues.map((issue) => ({ ...issue, code: issue.code ?? 'INVALID' }));
    extensions.refusedBy = error.provider ?? 'MAILGRAPH';
  }
  return extensions;
}

export const ErrorInterface = builder.interfaceRef<MailgraphError>('Error').implement({
  description:
    'An expected failure of a mutation. Every error type implements it, so `... on Error { code message }` handles them all.',
  fields: (t) => ({
    code: t.field({
      type: ErrorCodeEnum,
      description: 'What kind of failure, from the one documented set (README, "Errors").',
      resolve: (error) => errorCodeOf(error),
    }),
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    providerCode: t.string({
      nullable: true,
      description:
        "The provider's own error code whenever it gave one (e.g. Cloudflare's `10204`, sender not configured); null for mailgraph's own checks.",
      resolve: (error) => error.providerCode,
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The object does not exist, or does not belong to the configured account.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    resource: t.exposeString('resource', {
      description:
        'The GraphQL type looked for, e.g. `InboundAddress` or `CloudflareSendingSubdomain` (or `CloudflareZone`, `CloudflareAccount`, `OutboundAccount` for provider objects this graph has no type for).',
    }),
    resourceId: t.exposeString('id', {
      description: "The provider's id of the object looked for (the local part of a global id).",
    }),
  }),
});

const ValidationIssueCodeEnum = builder.enumType('ValidationIssueCode', {
  description: 'What is wrong with one input field.',
  values: {
    INVALID: { description: 'The value is malformed, out of range or over a limit; `message` says which.' },
    UNSUPPORTED_FIELD: {
      description:
        'The chosen provider cannot honour this field (e.g. `bcc` with CloudMailin); remove it or choose another provider.',
    },
  } as const,
});

const ValidationIssueRef = builder.objectRef<ValidationIssue>('ValidationIssue').implement({
  description: 'One reason an input was refused.',
  fields: (t) => ({
    path: t.exposeString('path', {
      description:
        'Dotted path of the offending input field, e.g. `input.to.0.email`; `input` for the whole input (empty when the provider refused it as a whole).',
    }),
    message: t.exposeString('message', { description: 'Why this field was refused.' }),
    code: t.field({
      type: ValidationIssueCodeEnum,
      description: 'What kind of problem.',
      resolve: (issue) => issue.code ?? 'INVALID',
    }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description:
    'The input was refused, by mailgraph before any upstream call or by the provider (`refusedBy`). `issues` lists every problem at once.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({
      type: [ValidationIssueRef],
      description:
        'Each refused field and why; empty when the provider gave one message for the whole input.',
      resolve: (error) => error.issues,
    }),
    refusedBy: t.field({
      type: RefuserEnum,
      description: 'Who refused the input: mailgraph (before any upstream call) or the provider.',
      resolve: (error) => error.provider ?? 'MAILGRAPH',
    }),
  }),
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description:
    "The provider's rate budget is spent and no cached answer could stand in. Retry after `retryAfterSeconds`; `Query.rateLimits` shows the budgets.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'Whose budget is spent.',
      resolve: (e) => e.provider,
    }),
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      description: 'Seconds until a call can be made again.',
    }),
  }),
});

builder.objectType(UpstreamError, {
  name: 'UpstreamError',
  description:
    'The provider refused or failed in a way that a different input would not fix. `code` says how (the `UPSTREAM_…` codes, or CONFLICT).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider that failed.',
      resolve: (e) => e.provider,
    }),
    status: t.exposeInt('status', {
      nullable: true,
      description: 'The HTTP status the provider answered, or null when no answer came (timeout, network).',
    }),
  }),
});

builder.objectType(NotConfiguredError, {
  name: 'NotConfiguredError',
  description: 'The provider has no credentials configured for this operation.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider lacking credentials.',
      resolve: (e) => e.provider,
    }),
  }),
});

builder.objectType(SendOutcomeUnknownError, {
  name: 'SendOutcomeUnknownError',
  description:
    'A send whose outcome is unknown: the provider may have accepted the message, or not. Sending it again could deliver it twice, so check first (for CloudMailin, `outboundMessages`). Its `idempotencyKey` stays bound to this answer for 24 hours: a retry with the same key gets it again, with `replayed: true`, and nothing is sent.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider the message was sent to.',
      resolve: (e) => e.provider,
    }),
    status: t.exposeInt('status', {
      nullable: true,
      description: 'The HTTP status of the answer that could not be trusted; null when no answer came.',
    }),
    reason: t.field({
      type: ErrorCodeEnum,
      nullable: true,
      description:
        'What left the outcome unknown: `UPSTREAM_TIMEOUT`, `UPSTREAM_NETWORK`, `UPSTREAM_SERVER_ERROR`, `UPSTREAM_MALFORMED_RESPONSE`, `UPSTREAM_RESPONSE_TOO_LARGE`, `UPSTREAM_UNEXPECTED_STATUS`, or `INTERNAL_SERVER_ERROR` for a fault inside mailgraph. Null when an earlier attempt with this key never recorded how it ended.',
      resolve: (e) =>
        e.reason === null
          ? null
          : e.reason === 'INTERNAL'
            ? 'INTERNAL_SERVER_ERROR'
            : errorCodeOf({ code: e.reason }),
    }),
    replayed: t.exposeBoolean('replayed', {
      description:
        'True when this is the answer of an earlier attempt with the same `idempotencyKey`, given again without calling the provider.',
    }),
  }),
});

/** The failures any upstream-backed mutation can meet. */
export const EXPECTED_ERRORS = [
  NotFoundError,
  ValidationError,
  RateLimitedError,
  UpstreamError,
  NotConfiguredError,
] as const;

/** A lookup that answers null for an object that does not exist; every other failure stays an error. */
export async function orNull<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

export { MailgraphError };

/** The failures of a send, beyond those of any mutation. */
export const SEND_ERRORS = [SendOutcomeUnknownError] as const;

/**
 * The `errors` option of a mutation: its result union is named `<Field>Result`, never `Mutation…Result`.
 * `extra` adds the error types only this mutation can meet.
 */
export function mutationResult(field: string, extra: ReadonlyArray<(typeof SEND_ERRORS)[number]> = []) {
  const name = `${field.charAt(0).toUpperCase()}${field.slice(1)}Result`;
  return {
    types: [...EXPECTED_ERRORS, ...extra],
    union: {
      name,
      description: `What \`${field}\` answers: its payload, or an expected failure (each implements \`Error\`).`,
    },
  };
}
