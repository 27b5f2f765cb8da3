/**
 * Which HTTP request the code running now serves, so that every log line written while serving it carries
 * its id, whoever writes it (yoga, the upstream transport's failure lines, the webhooks), without passing
 * the id through every function. The HTTP front (src/http-server.ts) runs each request inside
 * `runWithRequestId`; the pino logger (`createLogger`) adds `requestId`, and `traceId` while tracing, to each
 * line through its `mixin`.
 *
 * The id is the client's `x-request-id` when it is a sane token (so that a proxy's id follows the request
 * into mailgraph's logs), else a fresh UUID; the response echoes it in `x-request-id`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentTraceId } from './tracing.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a client's id may be: short, and nothing that could break a log line or a header. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const storage = new AsyncLocalStorage<string>();

/** The client's id when it is a sane token (one header, 1-128 of `A-Z a-z 0-9 . _ : -`), else a new UUID. */
export function requestIdFrom(header: string | readonly string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

export function runWithRequestId<T>(requestId: string, work: () => T): T {
  return storage.run(requestId, work);
}

/** The id of the request being served; undefined outside one (start-up, the queue consumer, pruning). */
export function currentRequestId(): string | undefined {
  return storage.getStore();
}

/** The fields every log line gets from where it was written: the request's id, and the trace's. */
export function logContext(): { requestId?: string; traceId?: string } {
  const requestId = storage.getStore();
  const traceId = currentTraceId();
  if (requestId === undefined && traceId === undefined) return {};
  return {
    ...(requestId === undefined ? {} : { requestId }),
    ...(traceId === undefined ? {} : { traceId }),
  };
}

/** mailgraph's logger: JSON lines, each with the request (and trace) it was written for. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'mailgraph' }, mixin: logContext };
  return destination ? pino(options, destination) : pino(options);
}
