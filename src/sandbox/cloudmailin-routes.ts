/**
 * The CloudMailin Core API routes (NOTES §1.4), relative to `/{accountID}`. Handlers see state that the
 * emulator has already authorized and rate-limited; they answer with a reply or throw `ApiError` /
 * `UnprocessableError`, which the emulator turns into `{status, error}`.
 */
import type { Address, IncomingStatus, SentMessage } from '../upstream/cloudmailin-wire.js';
import {
  type OutboundRecord,
  type OutboundTimeline,
  detailView,
  lastEvents,
  planSentEvents,
  summaryView,
} from './cloudmailin-outbound.js';
import {
  type AddressRecord,
  type CloudMailinState,
  type SendingDomainRecord,
  freshHexId,
  newSendingDomain,
  statusCategory,
} from './cloudmailin-records.js';
import {
  UnprocessableError,
  validateAddress,
  validateCustomDomain,
  validateMessage,
  validateSendingDomain,
} from './cloudmailin-validate.js';
import type { SandboxReply } from './http.js';
import { type QuerySchema, compileQuery } from './query-string.js';
import type { Random } from './random.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Which credential a route takes (NOTES §1.3 and the decisions at the top of NOTES): the account API key
 * everywhere (outbound messages included), the SMTP token on `POST /messages` only.
 */
export type Access = 'management' | 'send';

export interface RouteContext {
  params: Record<string, string>;
  query: Record<string, string>;
  /** The parsed JSON body; `undefined` when the body is empty. */
  json(): unknown;
}

export interface Route {
  method: string;
  pattern: string;
  access: Access;
  handle(context: RouteContext): SandboxReply;
}

export interface RouteEnv {
  state: CloudMailinState;
  random: Random;
  now: () => number;
  pageSize: number;
  smtpUsername: string;
  /** When a sent message's events happen. */
  timeline: Readonly<OutboundTimeline>;
  /** Called with each message accepted for sending (not test_mode), once it is stored. */
  onSent?: (record: OutboundRecord) => void;
}

const ok = (body: unknown, status = 200): SandboxReply => ({ status, body });
const notFound = (): ApiError => new ApiError(404, 'Not Found');

function paginate<T>(items: T[], query: Record<string, string>, pageSize: number): T[] {
  const raw = query.page;
  if (raw === undefined || raw === '') return items.slice(0, pageSize);
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UnprocessableError('page must be a positive integer');
  const start = (Number(raw) - 1) * pageSize;
  return items.slice(start, start + pageSize);
}

function partialDomainMatch(domain: string, query: string | undefined): boolean {
  return query === undefined || query === '' || domain.toLowerCase().includes(query.trim().toLowerCase());
}

const statusQuery: QuerySchema<IncomingStatus> = {
  fields: {
    id: { kind: 'keyword', values: (s) => [s.id] },
    message_id: { kind: 'text', values: (s) => [s.message_id] },
    status: { kind: 'keyword', values: (s) => [s.status == null ? null : String(s.status)] },
    // `failed` is the README's word for what the dashboard calls rejected (NOTES §1.5); accept both.
    status_category: {
      kind: 'keyword',
      values: (s) =>
        statusCategory(s.status) === 'rejected' ? ['rejected', 'failed'] : [statusCategory(s.status)],
    },
    from: { kind: 'text', values: (s) => [s.from] },
    to: { kind: 'text', values: (s) => [s.to] },
    subject: { kind: 'text', values: (s) => [s.subject] },
    tls: { kind: 'keyword', values: (s) => [String(s.tls ?? '')] },
    created_at: { kind: 'date', values: (s) => [s.created_at] },
  },
  defaultFields: [(s) => [s.from], (s) => [s.to], (s) => [s.subject]],
};

/** The dashboard's search box says "Search recipient, message id, subject"; bare words search those and from. */
function outboundQuery(now: number): QuerySchema<OutboundRecord> {
  const recipients = (m: OutboundRecord) => [...m.to, ...m.cc, ...m.recipients.map((r) => r.email)];
  const messageId = (m: OutboundRecord) => [m.id, `<${m.id}@cloudmta.net>`];
  return {
    fields: {
      id: { kind: 'keyword', values: (m) => [m.id] },
      message_id: { kind: 'text', values: messageId },
      from: { kind: 'text', values: (m) => [m.from] },
      to: { kind: 'text', values: recipients },
      cc: { kind: 'text', values: (m) => m.cc },
      subject: { kind: 'text', values: (m) => [m.subject] },
      tags: { kind: 'keyword', values: (m) => m.tags },
      tag: { kind: 'keyword', values: (m) => m.tags },
      last_event: { kind: 'keyword', values: (m) => lastEvents(m, now) },
      status: { kind: 'keyword', values: (m) => lastEvents(m, now) },
      created_at: { kind: 'date', values: (m) => [new Date(m.createdAt).toISOString()] },
    },
    defaultFields: [recipients, messageId, (m) => [m.subject], (m) => [m.from]],
  };
}

export function cloudmailinRoutes(env: RouteEnv): Route[] {
  const { state, random, now, pageSize } = env;

  const addressRecord = (id: string | undefined): AddressRecord => {
    const record = state.addresses.find((candidate) => candidate.address.id === id);
    if (record === undefined) throw notFound();
    return record;
  };
  const addressFromQuery = (query: Record<string, string>): AddressRecord => {
    if (!query.address_id) throw new UnprocessableError('address_id is required');
    return addressRecord(query.address_id);
  };
  const sendingDomain = (id: string | undefined): SendingDomainRecord => {
    const record = state.sendingDomains.find((candidate) => candidate.domain.id === id);
    if (record === undefined) throw notFound();
    return record;
  };
  const outboundRecord = (id: string | undefined): OutboundRecord => {
    const record = state.outbound.find((candidate) => candidate.id === id);
    if (record === undefined) throw notFound();
    return record;
  };

  const writeAddress = (record: AddressRecord, input: Partial<Address>): Address => {
    record.address = { ...record.address, ...input };
    return structuredClone(record.address);
  };

  return [
    {
      method: 'GET',
      pattern: '/addresses',
      access: 'management',
      handle: () => ok(state.addresses.map((record) => structuredClone(record.address))),
    },
    {
      method: 'POST',
      pattern: '/addresses',
      access: 'management',
      handle: (ctx) => {
        const input = validateAddress(ctx.json(), 'create');
        const id = freshHexId(random, 20, (candidate) =>
          state.addresses.some((r) => r.address.id === candidate),
        );
        const address: Address = {
          id,
          target: input.target,
          target_format: input.target_format,
          nickname: input.nickname ?? null,
          attachments: input.attachments ?? {},
        };
        state.addresses.push({ address, statuses: [], customDomains: [] });
        return ok(structuredClone(address), 201);
      },
    },
    {
      method: 'GET',
      pattern: '/addresses/:id',
      access: 'management',
      handle: (ctx) => ok(structuredClone(addressRecord(ctx.params.id).address)),
    },
    {
      method: 'PUT',
      pattern: '/addresses/:id',
      access: 'management',
      handle: (ctx) => {
        const record = addressRecord(ctx.params.id);
        const input = validateAddress(ctx.json(), 'replace');
        return ok(writeAddress(record, { nickname: null, attachments: {}, ...input }));
      },
    },
    {
      method: 'PATCH',
      pattern: '/addresses/:id',
      access: 'management',
      handle: (ctx) => {
        const record = addressRecord(ctx.params.id);
        return ok(writeAddress(record, validateAddress(ctx.json(), 'merge')));
      },
    },
    {
      method: 'DELETE',
      pattern: '/addresses/:id',
      access: 'management',
      handle: (ctx) => {
        const record = addressRecord(ctx.params.id);
        state.addresses.splice(state.addresses.indexOf(record), 1);
        return ok(structuredClone(record.address), 202);
      },
    },
    {
      method: 'GET',
      pattern: '/incoming_statuses',
      access: 'management',
      handle: (ctx) => {
        const record = addressFromQuery(ctx.query);
        const matches = compileQuery(ctx.query.query ?? '', statusQuery, now);
        return ok(structuredClone(paginate(record.statuses.filter(matches), ctx.query, pageSize)));
      },
    },
    {
      method: 'GET',
      pattern: '/custom_domains',
      access: 'management',
      handle: (ctx) => {
        const record = addressFromQuery(ctx.query);
        const matching = record.customDomains.filter((d) => partialDomainMatch(d.domain, ctx.query.query));
        return ok(structuredClone(paginate(matching, ctx.query, pageSize)));
      },
    },
    {
      method: 'POST',
      pattern: '/custom_domains',
      access: 'management',
      handle: (ctx) => {
        const record = addressFromQuery(ctx.query);
        const input = validateCustomDomain(ctx.json());
        // Creating a custom domain checks its MX records (NOTES §1.5); `.invalid` names can have none.
        if (input.domain.endsWith('.invalid')) {
          throw new UnprocessableError(`MX records for ${input.domain} are not set to CloudMailin`);
        }
        const all = state.addresses.flatMap((r) => r.customDomains);
        if (all.some((d) => d.domain === input.domain))
          throw new UnprocessableError('domain has already been taken');
        const id = freshHexId(random, 16, (candidate) => all.some((d) => d.id === candidate));
        const domain = { id, ...input };
        record.customDomains.push(domain);
        return ok(structuredClone(domain), 201);
      },
    },
    {
      method: 'DELETE',
      pattern: '/custom_domains/:id',
      access: 'management',
      handle: (ctx) => {
        const record = addressFromQuery(ctx.query);
        const index = record.customDomains.findIndex((d) => d.id === ctx.params.id);
        const [removed] = index < 0 ? [] : record.customDomains.splice(index, 1);
        if (removed === undefined) throw notFound();
        return ok(removed, 202);
      },
    },
    {
      method: 'POST',
      pattern: '/messages',
      access: 'send',
      handle: (ctx) => {
        const message = validateMessage(ctx.json());
        const id = random.uuid();
        // test_mode validates without sending, so nothing reaches the outbound messages list.
        if (!message.testMode) {
          const sentAt = now();
          const emails = [
            ...new Map(message.recipients.map((email) => [email.toLowerCase(), email])).values(),
          ];
          const record: OutboundRecord = {
            id,
            from: message.from,
            subject: message.subject,
            to: message.to,
            cc: message.cc,
            tags: message.tags,
            createdAt: sentAt,
            historical: false,
            recipients: emails.map((email) => ({
              email,
              events: planSentEvents(email, id, sentAt, env.timeline),
            })),
          };
          state.outbound.push(record);
          env.onSent?.(record);
        }
        const echo: SentMessage = {
          id,
          from: message.from,
          to: message.to,
          cc: message.cc,
          test_mode: message.testMode,
          tags: message.tags,
        };
        // MessageCommon.subject is a non-nullable string: leave it out rather than echo null.
        if (message.subject !== null) echo.subject = message.subject;
        return ok(echo, 202);
      },
    },
    {
      method: 'GET',
      pattern: '/outbound_messages',
      access: 'management',
      handle: (ctx) => {
        const account = ctx.query.outbound_account_id;
        if (!account) throw new UnprocessableError('outbound_account_id is required');
        if (account !== env.smtpUsername) throw notFound();
        const at = now();
        const matches = compileQuery(ctx.query.query ?? '', outboundQuery(at), now);
        const newestFirst = [...state.outbound].reverse().filter(matches);
        return ok(paginate(newestFirst, ctx.query, pageSize).map((record) => summaryView(record, at)));
      },
    },
    {
      method: 'GET',
      pattern: '/outbound_messages/:id',
      access: 'management',
      handle: (ctx) => ok(detailView(outboundRecord(ctx.params.id), now())),
    },
    {
      method: 'GET',
      pattern: '/sending_domains',
      access: 'management',
      handle: (ctx) => {
        const matching = state.sendingDomains.filter((r) =>
          partialDomainMatch(r.domain.domain, ctx.query.query),
        );
        return ok(paginate(matching, ctx.query, pageSize).map((r) => structuredClone(r.domain)));
      },
    },
    {
      method: 'POST',
      pattern: '/sending_domains',
      access: 'management',
      handle: (ctx) => {
        const name = validateSendingDomain(ctx.json());
        if (state.sendingDomains.some((r) => r.domain.domain === name)) {
          throw new UnprocessableError('domain has already been taken');
        }
        const id = freshHexId(random, 16, (candidate) =>
          state.sendingDomains.some((r) => r.domain.id === candidate),
        );
        const domain = newSendingDomain(random, id, name, {});
        state.sendingDomains.push({
          domain,
          verifyAttempts: 0,
          passesOnAttempt: name.endsWith('.invalid') ? null : 2,
        });
        return ok(structuredClone(domain), 201);
      },
    },
    {
      method: 'GET',
      pattern: '/sending_domains/:id',
      access: 'management',
      handle: (ctx) => ok(structuredClone(sendingDomain(ctx.params.id).domain)),
    },
    {
      method: 'DELETE',
      pattern: '/sending_domains/:id',
      access: 'management',
      handle: (ctx) => {
        const record = sendingDomain(ctx.params.id);
        state.sendingDomains.splice(state.sendingDomains.indexOf(record), 1);
        return ok(record.domain, 202);
      },
    },
    {
      method: 'POST',
      pattern: '/sending_domains/:id/verify',
      access: 'management',
      handle: (ctx) => {
        const record = sendingDomain(ctx.params.id);
        record.verifyAttempts += 1;
        const passes = record.passesOnAttempt !== null && record.verifyAttempts >= record.passesOnAttempt;
        const domain = record.domain;
        for (const flag of ['dkim_verified', 'return_path_verified', 'spf_verified'] as const) {
          domain[flag] = passes ? true : (domain[flag] ?? false);
        }
        // The spec answers a failed verification with 422 and the domain itself, not the error shape.
        return ok(structuredClone(domain), passes ? 200 : 422);
      },
    },
  ];
}
