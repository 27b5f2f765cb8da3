/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      ... on QueryIncomingStatusesConnection {\n        edges { cursor node { id statusId subject from to outcome httpStatus rawStatus tls receivedAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n      ... on ValidationError { message issues { path message } }\n      ... on NotFoundError { message resource resourceId }\n      ... on Error { message }\n    }\n  }\n": typeof types.StatusesDocument,
    "\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject address { addressId } } }\n  }\n": typeof types.StatusNodeDocument,
    "\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection {\n        edges {\n          cursor\n          node {\n            id\n            messageUuid\n            subject\n            from\n            to\n            createdAt\n            recipients {\n              email\n              lastEvent\n              events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n            }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n": typeof types.OutboundWithEventsDocument,
    "\n  query OutboundSummaries {\n    outboundMessages(first: 20) {\n      ... on QueryOutboundMessagesConnection { edges { node { id recipients { email lastEvent } } } }\n    }\n  }\n": typeof types.OutboundSummariesDocument,
    "\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) {\n      __typename\n      ... on OutboundMessage { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n      ... on NotFoundError { message resource resourceId }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n": typeof types.OneOutboundDocument,
    "\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { id } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n": typeof types.OutboundSummariesPagedDocument,
};
const documents: Documents = {
    "\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      ... on QueryIncomingStatusesConnection {\n        edges { cursor node { id statusId subject from to outcome httpStatus rawStatus tls receivedAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n      ... on ValidationError { message issues { path message } }\n      ... on NotFoundError { message resource resourceId }\n      ... on Error { message }\n    }\n  }\n": types.StatusesDocument,
    "\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject address { addressId } } }\n  }\n": types.StatusNodeDocument,
    "\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection {\n        edges {\n          cursor\n          node {\n            id\n            messageUuid\n            subject\n            from\n            to\n            createdAt\n            recipients {\n              email\n              lastEvent\n              events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n            }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n": types.OutboundWithEventsDocument,
    "\n  query OutboundSummaries {\n    outboundMessages(first: 20) {\n      ... on QueryOutboundMessagesConnection { edges { node { id recipients { email lastEvent } } } }\n    }\n  }\n": types.OutboundSummariesDocument,
    "\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) {\n      __typename\n      ... on OutboundMessage { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n      ... on NotFoundError { message resource resourceId }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n": types.OneOutboundDocument,
    "\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { id } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n": types.OutboundSummariesPagedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      ... on QueryIncomingStatusesConnection {\n        edges { cursor node { id statusId subject from to outcome httpStatus rawStatus tls receivedAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n      ... on ValidationError { message issues { path message } }\n      ... on NotFoundError { message resource resourceId }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      ... on QueryIncomingStatusesConnection {\n        edges { cursor node { id statusId subject from to outcome httpStatus rawStatus tls receivedAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n      ... on ValidationError { message issues { path message } }\n      ... on NotFoundError { message resource resourceId }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject address { addressId } } }\n  }\n"): (typeof documents)["\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject address { addressId } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection {\n        edges {\n          cursor\n          node {\n            id\n            messageUuid\n            subject\n            from\n            to\n            createdAt\n            recipients {\n              email\n              lastEvent\n              events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n            }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection {\n        edges {\n          cursor\n          node {\n            id\n            messageUuid\n            subject\n            from\n            to\n            createdAt\n            recipients {\n              email\n              lastEvent\n              events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n            }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OutboundSummaries {\n    outboundMessages(first: 20) {\n      ... on QueryOutboundMessagesConnection { edges { node { id recipients { email lastEvent } } } }\n    }\n  }\n"): (typeof documents)["\n  query OutboundSummaries {\n    outboundMessages(first: 20) {\n      ... on QueryOutboundMessagesConnection { edges { node { id recipients { email lastEvent } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) {\n      __typename\n      ... on OutboundMessage { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n      ... on NotFoundError { message resource resourceId }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) {\n      __typename\n      ... on OutboundMessage { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n      ... on NotFoundError { message resource resourceId }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { id } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n"): (typeof documents)["\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { id } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;