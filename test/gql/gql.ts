/* eslint-disable */
import * as types from './graphql.js';
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
    "\n  query Domains($addressId: ID!, $query: String) {\n    customDomains(addressId: $addressId, first: 20, query: $query) {\n      __typename\n      ... on QueryCustomDomainsConnection { edges { node { id domainId domain authRegex domainTarget address { addressId } } } }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": typeof types.DomainsDocument,
    "\n  mutation CreateDomain($input: CreateCustomDomainInput!) {\n    createCustomDomain(input: $input) {\n      __typename\n      ... on CustomDomainPayload { customDomain { id domainId domain authRegex } }\n      ... on ValidationError { message provider issues { path message } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": typeof types.CreateDomainDocument,
    "\n  mutation DeleteDomain($id: ID!) {\n    deleteCustomDomain(id: $id) {\n      __typename\n      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }\n      ... on NotFoundError { resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": typeof types.DeleteDomainDocument,
    "\n  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }\n": typeof types.DomainNodeDocument,
    "query Masked { node(id: \"%%%\") { id } }": typeof types.MaskedDocument,
    "query ScopedRead { inboundAddresses(first: 1) { __typename } }": typeof types.ScopedReadDocument,
    "\n    mutation ScopedManage { createSendingDomain(provider: CLOUDMAILIN, domain: \"scoped.example.test\") { __typename } }\n  ": typeof types.ScopedManageDocument,
    "\n  query Addresses($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      __typename\n      ... on QueryInboundAddressesConnection {\n        edges { node { id addressId emailAddress target targetFormat nickname } }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n": typeof types.AddressesDocument,
    "\n  query Address($id: ID!) {\n    inboundAddress(id: $id) {\n      __typename\n      ... on InboundAddress {\n        id\n        addressId\n        nickname\n        customDomains(first: 5) { edges { node { domain } } }\n        incomingStatuses(first: 2) { edges { node { subject } } }\n      }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": typeof types.AddressDocument,
    "\n  mutation CreateAddress($input: CreateInboundAddressInput!) {\n    createInboundAddress(input: $input) {\n      __typename\n      ... on InboundAddressPayload { address { id addressId target targetFormat nickname } }\n      ... on ValidationError { message provider issues { path message } }\n    }\n  }\n": typeof types.CreateAddressDocument,
    "\n  mutation UpdateAddress($input: UpdateInboundAddressInput!) {\n    updateInboundAddress(input: $input) {\n      __typename\n      ... on InboundAddressPayload { address { addressId target targetFormat nickname } }\n      ... on NotFoundError { resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": typeof types.UpdateAddressDocument,
    "\n  mutation DeleteAddress($id: ID!) {\n    deleteInboundAddress(id: $id) {\n      __typename\n      ... on DeleteInboundAddressPayload { deletedId address { addressId } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": typeof types.DeleteAddressDocument,
    "\n  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }\n": typeof types.AddressNodeDocument,
    "\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      ... on QueryIncomingStatusesConnection {\n        edges { cursor node { id statusId subject from to outcome httpStatus rawStatus tls receivedAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n      ... on ValidationError { message issues { path message } }\n      ... on NotFoundError { message resource resourceId }\n      ... on Error { message }\n    }\n  }\n": typeof types.StatusesDocument,
    "\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject address { addressId } } }\n  }\n": typeof types.StatusNodeDocument,
    "\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection {\n        edges {\n          cursor\n          node {\n            id\n            messageUuid\n            subject\n            from\n            to\n            createdAt\n            recipients {\n              email\n              lastEvent\n              events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n            }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n": typeof types.OutboundWithEventsDocument,
    "\n  query OutboundSummaries {\n    outboundMessages(first: 20) {\n      ... on QueryOutboundMessagesConnection { edges { node { id recipients { email lastEvent } } } }\n    }\n  }\n": typeof types.OutboundSummariesDocument,
    "\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) {\n      __typename\n      ... on OutboundMessage { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n      ... on NotFoundError { message resource resourceId }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n": typeof types.OneOutboundDocument,
    "\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { id } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n": typeof types.OutboundSummariesPagedDocument,
    "\n  mutation Send($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        email {\n          provider\n          messageId\n          from\n          to\n          cc\n          subject\n          tags\n          testMode\n          outboundMessage { messageUuid subject recipients { email events { kind } } }\n        }\n      }\n      ... on ValidationError { message provider issues { path message } }\n      ... on Error { message }\n    }\n  }\n": typeof types.SendDocument,
    "\n  mutation SendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { email { messageId to testMode } }\n      ... on ValidationError { message provider issues { path message } }\n    }\n  }\n": typeof types.SendRawDocument,
    "\n  query SendingDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      __typename\n      ... on QuerySendingDomainsConnection {\n        edges {\n          node {\n            __typename\n            id\n            provider\n            domain\n            verified\n            dnsRecords { type name value priority purpose verified }\n            ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }\n          }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n": typeof types.SendingDomainsDocument,
    "\n  query OneSendingDomain($id: ID!) {\n    sendingDomain(id: $id) {\n      __typename\n      ... on QuerySendingDomainSuccess { data { id domain verified } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": typeof types.OneSendingDomainDocument,
    "\n  mutation CreateSendingDomain($domain: String!) {\n    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {\n      __typename\n      ... on SendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }\n      ... on ValidationError { message provider issues { path } }\n    }\n  }\n": typeof types.CreateSendingDomainDocument,
    "\n  mutation VerifySendingDomain($id: ID!) {\n    verifySendingDomain(id: $id) {\n      __typename\n      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": typeof types.VerifySendingDomainDocument,
    "\n  mutation DeleteSendingDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": typeof types.DeleteSendingDomainDocument,
    "\n  query FailureAddresses {\n    inboundAddresses(first: 5) {\n      __typename\n      ... on QueryInboundAddressesConnection { edges { node { addressId } } }\n      ... on UpstreamError { message provider status code }\n      ... on RateLimitedError { message provider retryAfterSeconds }\n      ... on NotConfiguredError { message provider }\n      ... on Error { message }\n    }\n  }\n": typeof types.FailureAddressesDocument,
    "\n  query FailureOutboundEvents {\n    outboundMessages(first: 20) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { messageUuid recipients { email events { kind } } } } }\n      ... on RateLimitedError { retryAfterSeconds }\n    }\n  }\n": typeof types.FailureOutboundEventsDocument,
    "\n  mutation FailureSend {\n    sendEmail(input: { provider: CLOUDMAILIN, from: { email: \"a@example.com\" }, to: [{ email: \"b@example.net\" }], subject: \"s\", text: \"t\" }) {\n      __typename\n      ... on SendEmailPayload { email { messageId } }\n      ... on Error { message }\n    }\n  }\n": typeof types.FailureSendDocument,
    "query NeverCached { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds provider } } }": typeof types.NeverCachedDocument,
    "query NeverCached429 { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds } } }": typeof types.NeverCached429Document,
    "query Missing($id: ID!) { sendingDomain(id: $id) { __typename ... on NotFoundError { resource resourceId } } }": typeof types.MissingDocument,
};
const documents: Documents = {
    "\n  query Domains($addressId: ID!, $query: String) {\n    customDomains(addressId: $addressId, first: 20, query: $query) {\n      __typename\n      ... on QueryCustomDomainsConnection { edges { node { id domainId domain authRegex domainTarget address { addressId } } } }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": types.DomainsDocument,
    "\n  mutation CreateDomain($input: CreateCustomDomainInput!) {\n    createCustomDomain(input: $input) {\n      __typename\n      ... on CustomDomainPayload { customDomain { id domainId domain authRegex } }\n      ... on ValidationError { message provider issues { path message } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": types.CreateDomainDocument,
    "\n  mutation DeleteDomain($id: ID!) {\n    deleteCustomDomain(id: $id) {\n      __typename\n      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }\n      ... on NotFoundError { resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": types.DeleteDomainDocument,
    "\n  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }\n": types.DomainNodeDocument,
    "query Masked { node(id: \"%%%\") { id } }": types.MaskedDocument,
    "query ScopedRead { inboundAddresses(first: 1) { __typename } }": types.ScopedReadDocument,
    "\n    mutation ScopedManage { createSendingDomain(provider: CLOUDMAILIN, domain: \"scoped.example.test\") { __typename } }\n  ": types.ScopedManageDocument,
    "\n  query Addresses($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      __typename\n      ... on QueryInboundAddressesConnection {\n        edges { node { id addressId emailAddress target targetFormat nickname } }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n": types.AddressesDocument,
    "\n  query Address($id: ID!) {\n    inboundAddress(id: $id) {\n      __typename\n      ... on InboundAddress {\n        id\n        addressId\n        nickname\n        customDomains(first: 5) { edges { node { domain } } }\n        incomingStatuses(first: 2) { edges { node { subject } } }\n      }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n": types.AddressDocument,
    "\n  mutation CreateAddress($input: CreateInboundAddressInput!) {\n    createInboundAddress(input: $input) {\n      __typename\n      ... on InboundAddressPayload { address { id addressId target targetFormat nickname } }\n      ... on ValidationError { message provider issues { path message } }\n    }\n  }\n": types.CreateAddressDocument,
    "\n  mutation UpdateAddress($input: UpdateInboundAddressInput!) {\n    updateInboundAddress(input: $input) {\n      __typename\n      ... on InboundAddressPayload { address { addressId target targetFormat nickname } }\n      ... on NotFoundError { resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": types.UpdateAddressDocument,
    "\n  mutation DeleteAddress($id: ID!) {\n    deleteInboundAddress(id: $id) {\n      __typename\n      ... on DeleteInboundAddressPayload { deletedId address { addressId } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": types.DeleteAddressDocument,
    "\n  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }\n": types.AddressNodeDocument,
    "\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      ... on QueryIncomingStatusesConnection {\n        edges { cursor node { id statusId subject from to outcome httpStatus rawStatus tls receivedAt } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n      ... on ValidationError { message issues { path message } }\n      ... on NotFoundError { message resource resourceId }\n      ... on Error { message }\n    }\n  }\n": types.StatusesDocument,
    "\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject address { addressId } } }\n  }\n": types.StatusNodeDocument,
    "\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection {\n        edges {\n          cursor\n          node {\n            id\n            messageUuid\n            subject\n            from\n            to\n            createdAt\n            recipients {\n              email\n              lastEvent\n              events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n            }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n": types.OutboundWithEventsDocument,
    "\n  query OutboundSummaries {\n    outboundMessages(first: 20) {\n      ... on QueryOutboundMessagesConnection { edges { node { id recipients { email lastEvent } } } }\n    }\n  }\n": types.OutboundSummariesDocument,
    "\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) {\n      __typename\n      ... on OutboundMessage { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n      ... on NotFoundError { message resource resourceId }\n      ... on ValidationError { message issues { path message } }\n    }\n  }\n": types.OneOutboundDocument,
    "\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { id } } pageInfo { hasNextPage endCursor } }\n    }\n  }\n": types.OutboundSummariesPagedDocument,
    "\n  mutation Send($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        email {\n          provider\n          messageId\n          from\n          to\n          cc\n          subject\n          tags\n          testMode\n          outboundMessage { messageUuid subject recipients { email events { kind } } }\n        }\n      }\n      ... on ValidationError { message provider issues { path message } }\n      ... on Error { message }\n    }\n  }\n": types.SendDocument,
    "\n  mutation SendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { email { messageId to testMode } }\n      ... on ValidationError { message provider issues { path message } }\n    }\n  }\n": types.SendRawDocument,
    "\n  query SendingDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      __typename\n      ... on QuerySendingDomainsConnection {\n        edges {\n          node {\n            __typename\n            id\n            provider\n            domain\n            verified\n            dnsRecords { type name value priority purpose verified }\n            ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }\n          }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n": types.SendingDomainsDocument,
    "\n  query OneSendingDomain($id: ID!) {\n    sendingDomain(id: $id) {\n      __typename\n      ... on QuerySendingDomainSuccess { data { id domain verified } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": types.OneSendingDomainDocument,
    "\n  mutation CreateSendingDomain($domain: String!) {\n    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {\n      __typename\n      ... on SendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }\n      ... on ValidationError { message provider issues { path } }\n    }\n  }\n": types.CreateSendingDomainDocument,
    "\n  mutation VerifySendingDomain($id: ID!) {\n    verifySendingDomain(id: $id) {\n      __typename\n      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": types.VerifySendingDomainDocument,
    "\n  mutation DeleteSendingDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n": types.DeleteSendingDomainDocument,
    "\n  query FailureAddresses {\n    inboundAddresses(first: 5) {\n      __typename\n      ... on QueryInboundAddressesConnection { edges { node { addressId } } }\n      ... on UpstreamError { message provider status code }\n      ... on RateLimitedError { message provider retryAfterSeconds }\n      ... on NotConfiguredError { message provider }\n      ... on Error { message }\n    }\n  }\n": types.FailureAddressesDocument,
    "\n  query FailureOutboundEvents {\n    outboundMessages(first: 20) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { messageUuid recipients { email events { kind } } } } }\n      ... on RateLimitedError { retryAfterSeconds }\n    }\n  }\n": types.FailureOutboundEventsDocument,
    "\n  mutation FailureSend {\n    sendEmail(input: { provider: CLOUDMAILIN, from: { email: \"a@example.com\" }, to: [{ email: \"b@example.net\" }], subject: \"s\", text: \"t\" }) {\n      __typename\n      ... on SendEmailPayload { email { messageId } }\n      ... on Error { message }\n    }\n  }\n": types.FailureSendDocument,
    "query NeverCached { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds provider } } }": types.NeverCachedDocument,
    "query NeverCached429 { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds } } }": types.NeverCached429Document,
    "query Missing($id: ID!) { sendingDomain(id: $id) { __typename ... on NotFoundError { resource resourceId } } }": types.MissingDocument,
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
export function graphql(source: "\n  query Domains($addressId: ID!, $query: String) {\n    customDomains(addressId: $addressId, first: 20, query: $query) {\n      __typename\n      ... on QueryCustomDomainsConnection { edges { node { id domainId domain authRegex domainTarget address { addressId } } } }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"): (typeof documents)["\n  query Domains($addressId: ID!, $query: String) {\n    customDomains(addressId: $addressId, first: 20, query: $query) {\n      __typename\n      ... on QueryCustomDomainsConnection { edges { node { id domainId domain authRegex domainTarget address { addressId } } } }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDomain($input: CreateCustomDomainInput!) {\n    createCustomDomain(input: $input) {\n      __typename\n      ... on CustomDomainPayload { customDomain { id domainId domain authRegex } }\n      ... on ValidationError { message provider issues { path message } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDomain($input: CreateCustomDomainInput!) {\n    createCustomDomain(input: $input) {\n      __typename\n      ... on CustomDomainPayload { customDomain { id domainId domain authRegex } }\n      ... on ValidationError { message provider issues { path message } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDomain($id: ID!) {\n    deleteCustomDomain(id: $id) {\n      __typename\n      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }\n      ... on NotFoundError { resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteDomain($id: ID!) {\n    deleteCustomDomain(id: $id) {\n      __typename\n      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }\n      ... on NotFoundError { resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }\n"): (typeof documents)["\n  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Masked { node(id: \"%%%\") { id } }"): (typeof documents)["query Masked { node(id: \"%%%\") { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ScopedRead { inboundAddresses(first: 1) { __typename } }"): (typeof documents)["query ScopedRead { inboundAddresses(first: 1) { __typename } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation ScopedManage { createSendingDomain(provider: CLOUDMAILIN, domain: \"scoped.example.test\") { __typename } }\n  "): (typeof documents)["\n    mutation ScopedManage { createSendingDomain(provider: CLOUDMAILIN, domain: \"scoped.example.test\") { __typename } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Addresses($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      __typename\n      ... on QueryInboundAddressesConnection {\n        edges { node { id addressId emailAddress target targetFormat nickname } }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  query Addresses($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      __typename\n      ... on QueryInboundAddressesConnection {\n        edges { node { id addressId emailAddress target targetFormat nickname } }\n        pageInfo { hasNextPage endCursor }\n      }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Address($id: ID!) {\n    inboundAddress(id: $id) {\n      __typename\n      ... on InboundAddress {\n        id\n        addressId\n        nickname\n        customDomains(first: 5) { edges { node { domain } } }\n        incomingStatuses(first: 2) { edges { node { subject } } }\n      }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  query Address($id: ID!) {\n    inboundAddress(id: $id) {\n      __typename\n      ... on InboundAddress {\n        id\n        addressId\n        nickname\n        customDomains(first: 5) { edges { node { domain } } }\n        incomingStatuses(first: 2) { edges { node { subject } } }\n      }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAddress($input: CreateInboundAddressInput!) {\n    createInboundAddress(input: $input) {\n      __typename\n      ... on InboundAddressPayload { address { id addressId target targetFormat nickname } }\n      ... on ValidationError { message provider issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateAddress($input: CreateInboundAddressInput!) {\n    createInboundAddress(input: $input) {\n      __typename\n      ... on InboundAddressPayload { address { id addressId target targetFormat nickname } }\n      ... on ValidationError { message provider issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAddress($input: UpdateInboundAddressInput!) {\n    updateInboundAddress(input: $input) {\n      __typename\n      ... on InboundAddressPayload { address { addressId target targetFormat nickname } }\n      ... on NotFoundError { resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateAddress($input: UpdateInboundAddressInput!) {\n    updateInboundAddress(input: $input) {\n      __typename\n      ... on InboundAddressPayload { address { addressId target targetFormat nickname } }\n      ... on NotFoundError { resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAddress($id: ID!) {\n    deleteInboundAddress(id: $id) {\n      __typename\n      ... on DeleteInboundAddressPayload { deletedId address { addressId } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteAddress($id: ID!) {\n    deleteInboundAddress(id: $id) {\n      __typename\n      ... on DeleteInboundAddressPayload { deletedId address { addressId } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }\n"): (typeof documents)["\n  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }\n"];
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
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Send($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        email {\n          provider\n          messageId\n          from\n          to\n          cc\n          subject\n          tags\n          testMode\n          outboundMessage { messageUuid subject recipients { email events { kind } } }\n        }\n      }\n      ... on ValidationError { message provider issues { path message } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation Send($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        email {\n          provider\n          messageId\n          from\n          to\n          cc\n          subject\n          tags\n          testMode\n          outboundMessage { messageUuid subject recipients { email events { kind } } }\n        }\n      }\n      ... on ValidationError { message provider issues { path message } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { email { messageId to testMode } }\n      ... on ValidationError { message provider issues { path message } }\n    }\n  }\n"): (typeof documents)["\n  mutation SendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { email { messageId to testMode } }\n      ... on ValidationError { message provider issues { path message } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SendingDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      __typename\n      ... on QuerySendingDomainsConnection {\n        edges {\n          node {\n            __typename\n            id\n            provider\n            domain\n            verified\n            dnsRecords { type name value priority purpose verified }\n            ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }\n          }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  query SendingDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      __typename\n      ... on QuerySendingDomainsConnection {\n        edges {\n          node {\n            __typename\n            id\n            provider\n            domain\n            verified\n            dnsRecords { type name value priority purpose verified }\n            ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }\n          }\n        }\n      }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OneSendingDomain($id: ID!) {\n    sendingDomain(id: $id) {\n      __typename\n      ... on QuerySendingDomainSuccess { data { id domain verified } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"): (typeof documents)["\n  query OneSendingDomain($id: ID!) {\n    sendingDomain(id: $id) {\n      __typename\n      ... on QuerySendingDomainSuccess { data { id domain verified } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSendingDomain($domain: String!) {\n    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {\n      __typename\n      ... on SendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }\n      ... on ValidationError { message provider issues { path } }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSendingDomain($domain: String!) {\n    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {\n      __typename\n      ... on SendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }\n      ... on ValidationError { message provider issues { path } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifySendingDomain($id: ID!) {\n    verifySendingDomain(id: $id) {\n      __typename\n      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation VerifySendingDomain($id: ID!) {\n    verifySendingDomain(id: $id) {\n      __typename\n      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSendingDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteSendingDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain } }\n      ... on NotFoundError { resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FailureAddresses {\n    inboundAddresses(first: 5) {\n      __typename\n      ... on QueryInboundAddressesConnection { edges { node { addressId } } }\n      ... on UpstreamError { message provider status code }\n      ... on RateLimitedError { message provider retryAfterSeconds }\n      ... on NotConfiguredError { message provider }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  query FailureAddresses {\n    inboundAddresses(first: 5) {\n      __typename\n      ... on QueryInboundAddressesConnection { edges { node { addressId } } }\n      ... on UpstreamError { message provider status code }\n      ... on RateLimitedError { message provider retryAfterSeconds }\n      ... on NotConfiguredError { message provider }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FailureOutboundEvents {\n    outboundMessages(first: 20) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { messageUuid recipients { email events { kind } } } } }\n      ... on RateLimitedError { retryAfterSeconds }\n    }\n  }\n"): (typeof documents)["\n  query FailureOutboundEvents {\n    outboundMessages(first: 20) {\n      __typename\n      ... on QueryOutboundMessagesConnection { edges { node { messageUuid recipients { email events { kind } } } } }\n      ... on RateLimitedError { retryAfterSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FailureSend {\n    sendEmail(input: { provider: CLOUDMAILIN, from: { email: \"a@example.com\" }, to: [{ email: \"b@example.net\" }], subject: \"s\", text: \"t\" }) {\n      __typename\n      ... on SendEmailPayload { email { messageId } }\n      ... on Error { message }\n    }\n  }\n"): (typeof documents)["\n  mutation FailureSend {\n    sendEmail(input: { provider: CLOUDMAILIN, from: { email: \"a@example.com\" }, to: [{ email: \"b@example.net\" }], subject: \"s\", text: \"t\" }) {\n      __typename\n      ... on SendEmailPayload { email { messageId } }\n      ... on Error { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query NeverCached { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds provider } } }"): (typeof documents)["query NeverCached { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds provider } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query NeverCached429 { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds } } }"): (typeof documents)["query NeverCached429 { sendingDomains(first: 1) { __typename ... on RateLimitedError { retryAfterSeconds } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Missing($id: ID!) { sendingDomain(id: $id) { __typename ... on NotFoundError { resource resourceId } } }"): (typeof documents)["query Missing($id: ID!) { sendingDomain(id: $id) { __typename ... on NotFoundError { resource resourceId } } }"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;