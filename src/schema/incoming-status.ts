import type { Context } from '../context.js';
import { requireScope } from '../context.js';
/**
 * Incoming statuses: one row per mail CloudMailin received for an address and tried to POST to its
 * target, with the outcome decoded from the target's HTTP status.
 */
import { dataOf } from '../loaders.js';
import type { IncomingStatus } from '../upstream/cloudmailin-wire.js';
import { builder } from './builder.js';
import { EXPECTED_ERRORS } from './errors.js';
import { joinIds, splitIds } from './ids.js';
import { InboundAddressRef, addressIdOf } from './inbound-address.js';
import { type ConnectionArgs, paginateUpstream } from './pagination.js';
import { dateOrNull, searchQueryOf } from './validate.js';

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

const MAX_NODE_SCAN_PAGES = 5;

builder.node(IncomingStatusRef, {
  description: 'A mail received by an inbound address and what happened when it was POSTed to the target.',
  id: { resolve: (status) => joinIds(status.address_id, status.id) },
  loadWithoutCache: async (id, context) => {
    requireScope(context, 'read');
    const [addressId, statusId] = splitIds(id, 'id');
    // There is no show endpoint: look through the newest pages (cached, budgeted).
    for (let page = 1; page <= MAX_NODE_SCAN_PAGES; page += 1) {
      const rows = await fetchStatuses(context, addressId, null, page);
      const found = rows.find((row) => row.id === statusId);
      if (found) return found;
      if (rows.length === 0) break;
    }
    return null;
  },
  fields: (t) => ({
    statusId: t.exposeString('id', { description: "CloudMailin's own id of this status." }),
    address: t.field({
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
    from: t.exposeString('from', { nullable: true, description: 'The SMTP envelope sender.' }),
    to: t.exposeString('to', { nullable: true, description: 'The SMTP envelope recipient.' }),
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
  const statuses = dataOf(
    context.upstream,
    await context.cloudmailin.listIncomingStatuses({ addressId, query, page }),
  );
  return statuses.map((status) => ({ ...status, address_id: addressId }));
}

function resolveStatuses(
  context: Context,
  addressId: string,
  query: string | null | undefined,
  args: ConnectionArgs,
) {
  requireScope(context, 'read');
  const q = searchQueryOf(query);
  return paginateUpstream<IncomingStatusShape>(
    {
      identity: `cloudmailin:incoming_statuses?address_id=${addressId}&query=${q ?? ''}`,
      paged: true,
      key: (status) => status.id,
      time: (status) => dateOrNull(status.created_at)?.getTime() ?? null,
      fetchPage: (page) => fetchStatuses(context, addressId, q, page),
    },
    args,
  );
}

const queryArgDescription =
  "A search in CloudMailin's query syntax, e.g. `status_category:rejected AND from:alice@example.com`.";

builder.queryField('incomingStatuses', (t) =>
  t.connection({
    type: IncomingStatusRef,
    description:
      'Mail received by an inbound address, newest first. Cursors stay valid while new mail arrives: no row is repeated or skipped.',
    args: {
      addressId: t.arg.id({ required: true, description: 'A global id or a CloudMailin address id.' }),
      query: t.arg.string({ description: queryArgDescription }),
    },
    errors: { types: [...EXPECTED_ERRORS] },
    resolve: (_root, args, context) =>
      resolveStatuses(context, addressIdOf(String(args.addressId), 'addressId'), args.query, args),
  }),
);

builder.objectField(InboundAddressRef, 'incomingStatuses', (t) =>
  t.connection({
    type: IncomingStatusRef,
    nullable: true,
    description:
      'Mail received by this address, newest first (see `Query.incomingStatuses`); null, with an error, when it could not be loaded.',
    args: { query: t.arg.string({ description: queryArgDescription }) },
    resolve: (address, args, context) => resolveStatuses(context, address.id, args.query, args),
  }),
);
