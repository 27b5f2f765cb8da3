/**
 * What a failed send means, decided in one place for both providers' send paths: did the message
 * certainly not go out, or may it have?
 *
 * Only a refusal is certain: a check before the call (mailgraph's own, missing credentials, the rate
 * budget) or the provider's own refusal (a 4xx, or the same refusal in an envelope). Everything else may
 * have delivered the message: no answer, a lost connection, a 5xx that the provider does not document as
 * sending nothing, a 2xx that could not be read, or a fault inside mailgraph once the call was under way.
 * Those become a `SendOutcomeUnknownError` that says so; an idempotency key stays bound to it.
 */
import { MailgraphError, type Provider, SendOutcomeUnknownError, UpstreamError } from '../errors.js';

export const MAY_HAVE_BEEN_SENT = 'the message may have been sent, so do not resend it without checking';

/** Upstream failures that are the provider refusing the request, whatever status carried them. */
const REFUSALS: ReadonlySet<string> = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'CONFLICT']);

export interface SendFailureOptions {
  /** A provider's own answers that the reference documents as sending nothing (beyond the 4xx). */
  sentNothing?: (error: UpstreamError) => boolean;
}

/** The error a failed send should raise: the failure itself when nothing was sent, else the doubt. */
export function sendFailure(error: unknown, provider: Provider, options: SendFailureOptions = {}): unknown {
  if (error instanceof SendOutcomeUnknownError) return error;
  if (error instanceof UpstreamError) {
    const status = error.status;
    const refused = REFUSALS.has(error.code) || (status !== null && status >= 400 && status <= 499);
    if (refused || options.sentNothing?.(error)) return error;
    const unknown = new SendOutcomeUnknownError(
      `${error.message}; ${MAY_HAVE_BEEN_SENT}`,
      error.provider,
      status,
      error.code,
    );
    unknown.providerCode = error.providerCode;
    unknown.cause = error;
    return unknown;
  }
  // ValidationError, NotFoundError, RateLimitedError, NotConfiguredError: refusals, before or by the provider.
  if (error instanceof MailgraphError) return error;
  // Not one of ours: a fault that may have struck after the request went out. Kept for the log as `cause`.
  const unknown = new SendOutcomeUnknownError(
    `mailgraph failed while sending; ${MAY_HAVE_BEEN_SENT}`,
    provider,
    null,
    'INTERNAL',
  );
  unknown.cause = error;
  return unknown;
}
