/**
 * Errors of the Cloudflare emulator and the v4 envelope they travel in. The send-route and subdomain
 * codes come from the wire contract (`CLOUDFLARE_SEND_ERRORS`, `CLOUDFLARE_SUBDOMAIN_ERRORS`); the few
 * codes below are the emulator's own choices where the sources give none (NOTES §9.1, §10).
 */
import type { CloudflareMessage } from '../upstream/cloudflare-wire.js';
import type { SandboxReply } from './http.js';

export interface CloudflareErrorSpec {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

/** Codes the sources do not pin down; each is documented where it is used. */
export const CLOUDFLARE_GATE_ERRORS = {
  /** NOTES §9.1 [inferred]: the generic v4 auth error on zone routes, for a missing or wrong credential. */
  unauthenticated: { status: 401, code: 10000, message: 'Authentication error' },
  /** Our choice: the same generic error, as 403, for a zone the credential cannot reach. */
  zoneForbidden: { status: 403, code: 10000, message: 'Authentication error' },
  /** Our choice: `7000 No route for that URI` is the live neighbour of 7003; 7001 is its method twin. */
  methodNotAllowed: { status: 405, code: 7001, message: 'Method not allowed' },
  /** Our choice (no source gives one): a subdomain-route body that cannot be used. */
  invalidSubdomainRequest: { status: 400, code: 2001, message: 'Invalid request' },
  /** Over the sandbox's body cap (`MAX_BODY_BYTES`), before any route runs. */
  payloadTooLarge: { status: 413, code: 10200, message: 'email.sending.error.email.too_big' },
  /** A path that is not valid percent-encoding cannot be routed. */
  malformedPath: { status: 400, code: 7003, message: 'Could not route' },
} as const satisfies Record<string, CloudflareErrorSpec>;

/**
 * A failure a route or the gate answers with. `detail` (a human sentence) goes to the envelope's
 * `messages`, which error bodies type as strings, so `errors[].message` keeps the documented text;
 * `pointer` names the offending field as `errors[].source.pointer` (a JSON pointer into the body).
 */
export class CloudflareApiError extends Error {
  override name = 'CloudflareApiError';

  constructor(
    readonly spec: CloudflareErrorSpec,
    readonly detail?: string,
    readonly pointer?: string,
  ) {
    super(detail ?? spec.message);
  }
}

export function successBody(result: unknown, resultInfo?: Record<string, number>): Record<string, unknown> {
  const body: Record<string, unknown> = { success: true, errors: [], messages: [], result };
  if (resultInfo !== undefined) body.result_info = resultInfo;
  return body;
}

export function errorReply(error: CloudflareApiError | CloudflareErrorSpec): SandboxReply {
  const { spec, detail, pointer } =
    error instanceof CloudflareApiError ? error : { spec: error, detail: undefined, pointer: undefined };
  const item: CloudflareMessage = { code: spec.code, message: spec.message };
  if (pointer !== undefined) item.source = { pointer };
  return {
    status: spec.status,
    body: { success: false, errors: [item], messages: detail === undefined ? [] : [detail], result: null },
  };
}
