/**
 * The normalized cache (Graphcache): how objects are identified, and how subscription events and a send
 * change the lists already on screen, so that they show without a refetch. Graphcache reads the schema
 * (minified introspection from codegen.ts), so `... on Error` and the result unions match exactly.
 */
import type { Cache, CacheExchangeOpts, Data, FieldArgs, KeyingConfig } from '@urql/exchange-graphcache';
import { RecipientTimelinesDoc } from './documents.js';
import type {
  InboundEmailReceivedSubscriptionVariables,
  MessageEventsSubscription,
  SendEmailMutation,
} from './gql/graphql.js';
import schema from './gql/introspection.js';
import { withEvent } from './timeline.js';

/** How many outbound messages and inbound mails a list asks for (the updaters find the lists by it). */
export const OUTBOUND_PAGE = 20;
export const INBOUND_PAGE = 20;
/** The most inbound mails one address's list grows to while the page is open. */
const INBOUND_KEPT = 200;

/** Objects without an identity of their own: stored inside their parent. */
const EMBEDDED = [
  'EmailAddress',
  'OutboundRecipient',
  'MessageEvent',
  'MessageEventDetails',
  'OutboundMessageConnection',
  'InboundAddressConnection',
  'InboundEmailConnection',
  'InboundEnvelope',
  'SpfCheck',
  'DkimVerification',
  'DkimCheck',
  'SentEmail',
  'SendDelivery',
  'SendEmailPayload',
  'SimulateInboundEmailPayload',
  'ValidationIssue',
  'ValidationError',
  'RateLimitedError',
  'NotConfiguredError',
  'NotFoundError',
  'UpstreamError',
  'SendOutcomeUnknownError',
];

const keys: KeyingConfig = {
  // Keyed by CloudMailin's UUID, the id delivery events carry (`DeliveryEvent.messageId`), so that an event
  // finds its message without a lookup.
  OutboundMessage: (message) => (typeof message.messageUuid === 'string' ? message.messageUuid : null),
  RateLimit: (budget) => (typeof budget.provider === 'string' ? budget.provider : null),
  DeliveryEvent: (event) => (typeof event.cursor === 'string' ? event.cursor : null),
  ...Object.fromEntries(EMBEDDED.map((typename) => [typename, () => null])),
};

/** Puts `key` first in the `nodes` of the cached list `field(args)`, when that list is cached. */
function prepend(cache: Cache, field: string, args: FieldArgs, key: string | null, limit: number): void {
  const list = cache.resolve('Query', field, args);
  if (typeof list !== 'string' || !key) return;
  const nodes = cache.resolve(list, 'nodes');
  const current = Array.isArray(nodes)
    ? nodes.filter((node): node is string => typeof node === 'string')
    : [];
  if (current.includes(key)) return;
  cache.link(list, 'nodes', [key, ...current].slice(0, limit));
}

export const cacheOptions: CacheExchangeOpts = {
  schema: schema as unknown as CacheExchangeOpts['schema'],
  keys,
  updates: {
    Subscription: {
      // A delivery event of a CloudMailin message in the cache joins its recipient's timeline at once.
      messageEvents(result, _args, cache) {
        const event = (result as MessageEventsSubscription).messageEvents;
        if (!event || event.provider !== 'CLOUDMAILIN') return;
        const entity = { __typename: 'OutboundMessage', messageUuid: event.messageId };
        const current = cache.readFragment(RecipientTimelinesDoc, entity);
        if (!current) return;
        const next = withEvent(current, event);
        if (next) cache.writeFragment(RecipientTimelinesDoc, next);
      },
      // New mail goes on top of its address's list, as the list query would show it.
      inboundEmailReceived(result, args, cache) {
        const mail = (result as { inboundEmailReceived?: Data | null }).inboundEmailReceived;
        if (!mail) return;
        const { addressId } = args as InboundEmailReceivedSubscriptionVariables;
        prepend(
          cache,
          'inboundEmails',
          { addressId, first: INBOUND_PAGE },
          cache.keyOfEntity(mail),
          INBOUND_KEPT,
        );
      },
    },
    Mutation: {
      // A message sent through CloudMailin joins the outbound list (Cloudflare's are listed from the send).
      sendEmail(result, _args, cache) {
        const answer = (result as SendEmailMutation).sendEmail;
        if (answer?.__typename !== 'SendEmailPayload') return;
        const message = answer.email.outboundMessage;
        if (!message || message.testMode) return;
        prepend(
          cache,
          'outboundMessages',
          { first: OUTBOUND_PAGE },
          cache.keyOfEntity({ ...message, __typename: 'OutboundMessage' }),
          OUTBOUND_PAGE * 5,
        );
      },
    },
  },
};
