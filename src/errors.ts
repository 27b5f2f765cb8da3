/**
 * The domain's typed failures, shared by every layer: the provider clients raise them from the HTTP status
 * in one place per provider (`mapCloudMailinError` and its Cloudflare twin), mailgraph's own checks raise
 * them before any call, and the schema maps them to GraphQL in one place (`src/schema/errors.ts`).
 * Anything else that escapes a resolver is masked.
 */

export type Provider = 'CLOUDMAILIN' | 'CLOUDFLARE';

export abstract class MailgraphError extends Error {
  abstract readonly code: string;
  /**
   * The provider's own error code when its answer carried one (Cloudflare's numeric codes, as text, e.g.
   * `"10204"`), so that failures sharing a `code` can be told apart; null otherwise. Set by the provider's
   * error mapper, never by mailgraph's own checks.
   */
  providerCode: string | null = null;
}

/** The upstream answered 404, or a resource addressed by a global id does not exist. */
export class NotFoundError extends MailgraphError {
  readonly code = 'NOT_FOUND';
  constructor(
    message: string,
    readonly resource: string,
    readonly id: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending input field, e.g. `input.to.0`; `input` for the whole input. */
  path: string;
  message: string;
  /** INVALID unless said otherwise; UNSUPPORTED_FIELD when the chosen provider cannot honour the field. */
  code?: 'INVALID' | 'UNSUPPORTED_FIELD';
}

/** Input refused, by mailgraph before any upstream call or by the provider (422). */
export class ValidationError extends MailgraphError {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    message: string,
    readonly issues: ValidationIssue[] = [],
    readonly provider: Provider | null = null,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** The rate budget is spent (or the provider said 429) and nothing cached could stand in. */
export class RateLimitedError extends MailgraphError {
  readonly code = 'RATE_LIMITED';
  constructor(
    message: string,
    readonly provider: Provider,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

export type UpstreamErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'SERVER_ERROR'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'MALFORMED_RESPONSE'
  | 'RESPONSE_TOO_LARGE'
  | 'UNEXPECTED_STATUS';

/** The provider refused or failed in a way the caller cannot fix by changing the input. */
export class UpstreamError extends MailgraphError {
  readonly code: UpstreamErrorCode;
  constructor(
    message: string,
    readonly provider: Provider,
    readonly status: number | null,
    upstreamCode: UpstreamErrorCode,
  ) {
    super(message);
    this.name = 'UpstreamError';
    this.code = upstreamCode;
  }
}

/** The provider has no credentials configured (outside sandbox mode). */
export class NotConfiguredError extends MailgraphError {
  readonly code = 'NOT_CONFIGURED';
  constructor(
    message: string,
    readonly provider: Provider,
  ) {
    super(message);
    this.name = 'NotConfiguredError';
  }
}

/** Answering would take more upstream calls than one request may make (e.g. finding a row deep in a list). */
export class TooExpensiveError extends MailgraphError {
  readonly code = 'TOO_EXPENSIVE';
  constructor(message: string) {
    super(message);
    this.name = 'TooExpensiveError';
  }
}

/** What left a send's outcome unknown: the upstream failure, or `INTERNAL` for a fault inside mailgraph. */
export type SendDoubt = UpstreamErrorCode | 'INTERNAL';

/**
 * A send that may or may not have been accepted: no answer, a lost connection, a 5xx that is not the API's
 * own documented refusal, or a 2xx that could not be read. Resending it could deliver the message twice, so
 * an idempotency key whose attempt ended this way stays bound to this answer (see `src/idempotency.ts`).
 */
export class SendOutcomeUnknownError extends MailgraphError {
  readonly code = 'SEND_OUTCOME_UNKNOWN';
  constructor(
    message: string,
    readonly provider: Provider,
    /** The HTTP status of the answer that could not be trusted; null when none came. */
    readonly status: number | null,
    /** The failure behind the doubt; null when an earlier attempt with the key never recorded its end. */
    readonly reason: SendDoubt | null,
    /** True when this is an earlier attempt's answer, given again without calling the provider. */
    readonly replayed = false,
  ) {
    super(message);
    this.name = 'SendOutcomeUnknownError';
  }
}
