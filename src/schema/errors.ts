/**
 * Expected failures as data: one `Error` interface and a class per kind of failure. Fields list
 * `EXPECTED_ERRORS` (or a subset) in their `errors` option and the errors plugin turns a thrown instance
 * into a member of the field's result union. Everything else is masked by yoga.
 */
import {
  MailgraphError,
  NotConfiguredError,
  NotFoundError,
  RateLimitedError,
  UnsupportedFieldError,
  UpstreamError,
  ValidationError,
  type ValidationIssue,
} from '../upstream/errors.js';
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
    CLOUDFLARE: { description: 'Cloudflare Email Sending (HTTP 400 or 409).' },
  } as const,
});

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description:
    'An expected failure. Every error type implements it, so `... on Error { message }` always works.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people.' }),
    providerCode: t.string({
      nullable: true,
      description:
        "The provider's own error code when it gave one (e.g. Cloudflare's `10204`); null otherwise.",
      resolve: (error) => (error instanceof MailgraphError ? error.providerCode : null),
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The object does not exist, or does not belong to the configured account.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    resource: t.exposeString('resource', {
      description: 'The kind of object looked for, e.g. `InboundAddress`.',
    }),
    resourceId: t.exposeString('id', { description: 'The id that was looked for, as given.' }),
  }),
});

const ValidationIssueRef = builder.objectRef<ValidationIssue>('ValidationIssue').implement({
  description: 'One reason an input was refused.',
  fields: (t) => ({
    path: t.exposeString('path', {
      description: 'Dotted path of the offending input field, e.g. `input.to.0.email`.',
    }),
    message: t.exposeString('message', { description: 'Why this field was refused.' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description:
    'The input was refused: by mailgraph before any upstream call, or by the provider (`provider` is then set).',
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
    "The provider's rate budget is spent and no cached answer could stand in. Retry after `retryAfterSeconds`.",
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
  description: 'The provider refused or failed in a way that a different input would not fix.',
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
    code: t.exposeString('code', {
      description:
        'What kind of failure: UNAUTHORIZED, FORBIDDEN, CONFLICT, SERVER_ERROR, TIMEOUT, NETWORK, MALFORMED_RESPONSE, RESPONSE_TOO_LARGE or UNEXPECTED_STATUS.',
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

builder.objectType(UnsupportedFieldError, {
  name: 'UnsupportedFieldError',
  description:
    'The input uses fields the chosen provider cannot honour (for example `bcc` with CloudMailin, `markdown` with Cloudflare). Nothing was sent.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    provider: t.field({
      type: EmailProviderEnum,
      description: 'The provider chosen.',
      resolve: (e) => e.provider,
    }),
    fields: t.exposeStringList('fields', { description: 'The unsupported input fields, as dotted paths.' }),
  }),
});

/** The failures any upstream-backed field can meet. */
export const EXPECTED_ERRORS = [
  NotFoundError,
  ValidationError,
  RateLimitedError,
  UpstreamError,
  NotConfiguredError,
] as const;
