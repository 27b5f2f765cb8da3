/**
 * Incoming statuses: one row per mail CloudMailin received for an address and tried to POST to its
 * target, with the outcome decoded from the target's HTTP status.
 */
import type { Context } from '../context.js';
import { ValidationError } from '../errors.js';
import type { IncomingStatus } from '../upstream/cloudmailin-wire.js';
import { builder } from './builder.js';
import { connectionOf } from './connection.js';
import { EmailAddressRef, parseAddress } from './email-address.js';
import { InboundAddressRef, addressListFields } from './inbound-address.js';
import { locate } from './locate.js';
import { dateOrNull } from './validate.js';

export type IncomingStatusShape = IncomingStatus & { address_id: string };

type Outcome = 'DELIVERED' | 'REJECTED' | 'DELAYED';

/**
 * CloudMailin turns the target's answer into the SMTP reply: 2xx delivers (250), 4xx rejects the mail
 * back to its sender (554), and 5xx, timeouts and anything unreachable delay it (450: the sender retries).
 */
export function outcomeOf(status: string | number | null | undefined): Outcome {
  const code =
    typeof status === 'number' ? status : /^\d{3}$/.test(String(status ?? '')) ? Number(status) : null;
  if (code !== null && code >= 200 && code < 300) return 'DELIVERED';
  if (code !== null && code >= 400 && code < 500) return 'REJECTED';
  return 'DELAYED';
}

const DeliveryOutcomeEnum = builder.enumType('DeliveryOutcome', {
  description: "What CloudMailin did with a received mail, decided by the target's HTTP status.",
  values: {
    DELIVERED: { description: 'The target answered 2xx; the sender got 250.' },
    REJECTED: { description: 'The target answered 4xx; the mail bounced back to its sender (SMTP 5xx).' },
    DELAYED: {
      description: 'The target answered 5xx, timed out or was unreachable; the sender will retry (SMTP 450).',
    },
  } as const,
});

export const IncomingStatusRef = builder.objectRef<IncomingStatusShape>('IncomingStatus');

const timeOf = (status: IncomingStatusShape) => dateOrNull(status.created_at)?.getTime() ?? null;

/**
 * The local id carries the address (every call about a status needs it) and the time the mail arrived,
 * which `node(id)` uses to find the row's page without a show endpoint: `address/status/ms`.
 */
function localIdOfStatus(status: IncomingStatusShape): string {
  const time = timeOf(status);
  const base = `${encodeURIComponent(status.address_id)}/${encodeURIComponent(status.id)}`;
  return time === null ? base : `${base}/${time}`;
}

function parseStatusId(local: string): { addressId: string; statusId: string; time: number | null } {
  const parts = local.split('/');
  const refuse = () => {
    const message = 'Not an id of this API.';
    return new ValidationError(message, [{ path: 'id', message }]);
  };
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw refuse();
  const time = parts[2] === undefined ? null : Number(parts[2]);
  if (time !== null && !Number.isSafeInteger(time)) throw refuse();
  try {
    return { addressId: decodeURIComponent(parts[0]), statusId: decodeURIComponent(parts[1]), time };
  } catch {
    throw refuse();
  }
}

builder.node(IncomingStatusRef, {
  description: 'A mail received by an inbound address and what happened when it was POSTed to the target.',
  id: { resolve: localIdOfStatus },
  loadWithoutCache: async (id, context) => {
    const { addressId, statusId, time } = parseStatusId(id);
    // There is no show endpoint: find the row's page by its time (cached and budgeted pages).
    return locate(
      {
        fetchPage: (page) => fetchStatuses(context, addressId, null, page),
        key: (row) => row.id,
        time: timeOf,
      },
      statusId,
      time,
    );
  },
  fields: (t) => ({
    statusId: t.exposeString('id', { description: "CloudMailin's own id of this status." }),
    address: t.field({
      authScopes: { read: true },
      type: InboundAddressRef,
      nullable: true,
      description:
        'The inbound address that received the mail; null, with an error, when it could not be loaded.',
      resolve: (status, _args, context) => context.loaders.address.load(status.address_id),
    }),
    messageId: t.exposeString('message_id', {
      nullable: true,
      description: 'The Message-ID header, without angle brackets.',
    }),
    from: t.field({
      type: EmailAddressRef,
      nullable: true,
      description: 'The SMTP envelope sender (no display name); null for a bounce (`<>`).',
      resolve: (status) => parseAddress(status.from),
    }),
    to: t.field({
      type: EmailAddressRef,
      nullable: true,
      description: 'The SMTP envelope recipient (no display name).',
      resolve: (status) => parseAddress(status.to),
    }),
    subject: t.exposeString('subject', { nullable: true, description: 'The subject line.' }),
    outcome: t.field({
      type: DeliveryOutcomeEnum,
      description: 'Delivered, rejected or delayed, decoded from `rawStatus`.',
      resolve: (status) => outcomeOf(status.status),
    }),
    httpStatus: t.int({
      nullable: true,
      description: "The target's HTTP status code, or null when there was none (e.g. `client_timeout`).",
      resolve: (status) => {
        const raw = String(status.status ?? '');
        return /^\d{3}$/.test(raw) ? Number(raw) : null;
      },
    }),
    rawStatus: t.string({
      nullable: true,
      description:
        'The status as CloudMailin reports it: an HTTP code or a server status such as `client_timeout`.',
      resolve: (status) =>
        status.status === null || status.status === undefined ? null : String(status.status),
    }),
    tls: t.string({
      nullable: true,
      description: 'The TLS version the sending server used (e.g. `TLSv1.3`), or null without TLS.',
      resolve: (status) => (typeof status.tls === 'string' && status.tls !== '' ? status.tls : null),
    }),
    md5: t.exposeString('md5', { nullable: true, description: 'MD5 digest of the message, when reported.' }),
    receivedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When CloudMailin received the mail.',
      resolve: (status) => dateOrNull(status.created_at),
    }),
  }),
});

async function fetchStatuses(
  context: Context,
  addressId: string,
  query: string | null,
  page: number,
): Promise<IncomingStatusShape[]> {
  const statuses = await context.cloudmailin.listIncomingStatuses({ addressId, query, page });
  return statuses.map((status) => ({ ...status, address_id: addressId }));
}

const queryArgDescription =
  "A search in CloudMailin's query syntax, e.g. `status_category:rejected AND from:alice@example.com`.";

export const IncomingStatusConnection = connectionOf(
  IncomingStatusRef,
  'IncomingStatus',
  'incoming statuses',
);

addressListFields<IncomingStatusShape>({
  name: 'incomingStatuses',
  connection: IncomingStatusConnection,
  rootDescription:
    'Mail received by an inbound address, newest first. Cursors stay valid while new mail arrives: no row is repeated or skipped.',
  nestedDescription:
    'Mail received by this address, newest first (see `Query.incomingStatuses`); null, with an error, when it could not be loaded.',
  queryDescription: queryArgDescription,
  list: (context, addressId, q) => ({
    identity: `cloudmailin:incoming_statuses?address_id=${addressId}&query=${q ?? ''}`,
    paged: true,
    pageSize: context.cloudmailin.pageSizeMemory('/incoming_statuses'),
    key: (status) => status.id,
    time: timeOf,
    fetchPage: (page) => fetchStatuses(context, addressId, q, page),
  }),
});
