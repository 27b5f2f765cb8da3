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
    "\n  query ApolloStatusPage($addressId: ID!, $first: Int, $after: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after) {\n      edges { cursor node { id subject from { address name } outcome } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ApolloStatusPageDocument,
    "\n  query ApolloAddressPage($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      edges { cursor node { id emailAddress } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ApolloAddressPageDocument,
    "\n  query ApolloFailures($missing: ID!, $broken: ID!) {\n    inboundAddress(id: $missing) { id }\n    incomingStatuses(addressId: $broken, first: 1) { edges { node { id } } }\n  }\n": typeof types.ApolloFailuresDocument,
    "\n  mutation ApolloSend($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { replayed email { messageId to { address name } } }\n      ... on Error { code message providerCode }\n      ... on ValidationError { issues { path code } }\n    }\n  }\n": typeof types.ApolloSendDocument,
    "\n  query CloudflareDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      edges {\n        node {\n          __typename\n          id\n          provider\n          domain\n          verified\n          dnsRecords { type rawType name value priority purpose verified }\n          ... on CloudflareSendingSubdomain { subdomainTag zoneId enabled dkimSelector returnPathDomain createdAt }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.CloudflareDomainsDocument,
    "\n  query DomainNames($provider: EmailProvider) {\n    sendingDomains(provider: $provider, first: 50) { edges { node { __typename domain provider } } }\n  }\n": typeof types.DomainNamesDocument,
    "\n  query TwiceInOneRequest($id: ID!) {\n    a: sendingDomain(id: $id) { dnsRecords { name } }\n    b: sendingDomain(id: $id) { dnsRecords { name } }\n    c: node(id: $id) { ... on SendingDomain { dnsRecords { name } } }\n  }\n": typeof types.TwiceInOneRequestDocument,
    "\n  mutation CreateSubdomain($domain: String!, $zoneId: ID) {\n    createSendingDomain(provider: CLOUDFLARE, domain: $domain, zoneId: $zoneId) {\n      __typename\n      ... on CreateSendingDomainPayload {\n        domain { id domain provider verified dnsRecords { type name purpose } ... on CloudflareSendingSubdomain { zoneId subdomainTag } }\n      }\n      ... on ValidationError { code message refusedBy providerCode issues { path message code } }\n      ... on UpstreamError { code message provider status providerCode }\n      ... on NotConfiguredError { code message }\n    }\n  }\n": typeof types.CreateSubdomainDocument,
    "\n  mutation DeleteCloudflareDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain provider } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n": typeof types.DeleteCloudflareDomainDocument,
    "\n  mutation VerifyCloudflareDomain($id: ID!) {\n    verifySendingDomain(id: $id) { __typename ... on ValidationError { code issues { path message } } }\n  }\n": typeof types.VerifyCloudflareDomainDocument,
    "\n  query CloudflareNode($id: ID!) { node(id: $id) { __typename id ... on CloudflareSendingSubdomain { domain zoneId } } }\n": typeof types.CloudflareNodeDocument,
    "\n  query CloudflareSubdomainLookup($id: ID!) { sendingDomain(id: $id) { id domain } }\n": typeof types.CloudflareSubdomainLookupDocument,
    "\n  mutation CloudflareSend($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          from { address name formatted }\n          to { address name }\n          cc { address name }\n          bcc { address }\n          subject\n          delivery { delivered queued permanentBounces }\n          outboundMessage { id }\n        }\n      }\n      ... on ValidationError { code message refusedBy providerCode issues { path message code } }\n      ... on UpstreamError { code message provider status providerCode }\n      ... on NotConfiguredError { code message provider providerCode }\n    }\n  }\n": typeof types.CloudflareSendDocument,
    "\n  mutation CloudflareSendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { email { provider messageId to { address } bcc { address } delivery { delivered queued permanentBounces } } }\n      ... on ValidationError { code refusedBy issues { path code } }\n      ... on UpstreamError { code provider status providerCode }\n    }\n  }\n": typeof types.CloudflareSendRawDocument,
    "\n  query Domains($addressId: ID!, $query: String) {\n    customDomains(addressId: $addressId, first: 20, query: $query) {\n      __typename\n      edges { node { id domainId domain authRegex domainTarget address { addressId } } }\n      nodes { domainId }\n      pageInfo { hasNextPage }\n    }\n  }\n": typeof types.DomainsDocument,
    "\n  mutation CreateDomain($input: CreateCustomDomainInput!) {\n    createCustomDomain(input: $input) {\n      __typename\n      ... on CreateCustomDomainPayload { customDomain { id domainId domain authRegex } }\n      ... on Error { code message }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on NotFoundError { resource resourceId }\n    }\n  }\n": typeof types.CreateDomainDocument,
    "\n  mutation DeleteDomain($id: ID!) {\n    deleteCustomDomain(id: $id) {\n      __typename\n      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": typeof types.DeleteDomainDocument,
    "\n  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }\n": typeof types.DomainNodeDocument,
    "\n    query CostDashboard {\n      inboundAddresses(first: 20) {\n        nodes {\n          id\n          incomingStatuses(first: 20) { nodes { id subject address { id } } pageInfo { hasNextPage endCursor } }\n          customDomains(first: 20) { nodes { domain } }\n        }\n      }\n      outboundMessages(first: 20) { nodes { id recipients { email events { kind } } } }\n    }\n  ": typeof types.CostDashboardDocument,
    "\n        query Budget { rateLimits { provider limit used remaining windowSeconds retryAfterSeconds nextCallAt resetAt } }\n      ": typeof types.BudgetDocument,
    "query SpendTwo { inboundAddresses(first: 1) { nodes { id } } outboundMessages(first: 1) { nodes { id } } }": typeof types.SpendTwoDocument,
    "query Masked { node(id: \"%%%\") { id } }": typeof types.MaskedDocument,
    "query MetricsProbe { sendingDomains(provider: CLOUDMAILIN, first: 2) { __typename } }": typeof types.MetricsProbeDocument,
    "query ScopedRead { inboundAddresses(first: 1) { __typename } }": typeof types.ScopedReadDocument,
    "\n    mutation ScopedManage { createSendingDomain(provider: CLOUDMAILIN, domain: \"scoped.example.test\") { __typename } }\n  ": typeof types.ScopedManageDocument,
    "\n  query Addresses($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      __typename\n      edges { node { id addressId emailAddress target targetFormat nickname } }\n      nodes { addressId }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AddressesDocument,
    "\n  query Address($id: ID!) {\n    inboundAddress(id: $id) {\n      __typename\n      id\n      addressId\n      nickname\n      customDomains(first: 5) { edges { node { domain } } }\n      incomingStatuses(first: 2) { edges { node { subject } } }\n    }\n  }\n": typeof types.AddressDocument,
    "\n  mutation CreateAddress($input: CreateInboundAddressInput!) {\n    createInboundAddress(input: $input) {\n      __typename\n      ... on CreateInboundAddressPayload { address { id addressId target targetFormat nickname } }\n      ... on Error { code message }\n      ... on ValidationError { refusedBy issues { path message code } }\n    }\n  }\n": typeof types.CreateAddressDocument,
    "\n  mutation UpdateAddress($input: UpdateInboundAddressInput!) {\n    updateInboundAddress(input: $input) {\n      __typename\n      ... on UpdateInboundAddressPayload { address { addressId target targetFormat nickname } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": typeof types.UpdateAddressDocument,
    "\n  mutation DeleteAddress($id: ID!) {\n    deleteInboundAddress(id: $id) {\n      __typename\n      ... on DeleteInboundAddressPayload { deletedId address { addressId } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n    }\n  }\n": typeof types.DeleteAddressDocument,
    "\n  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }\n": typeof types.AddressNodeDocument,
    "\n    query ManyNodes($ids: [ID!]!) {\n      nodes(ids: $ids) {\n        __typename\n        id\n        ... on InboundAddress { addressId }\n        ... on OutboundMessage { messageUuid }\n        ... on SendingDomain { domain provider }\n      }\n    }\n  ": typeof types.ManyNodesDocument,
    "\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      edges {\n        cursor\n        node {\n          id\n          statusId\n          subject\n          from { address name formatted }\n          to { address name formatted }\n          outcome\n          httpStatus\n          rawStatus\n          tls\n          receivedAt\n        }\n      }\n      nodes { statusId }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.StatusesDocument,
    "\n  query NestedStatuses($id: ID!, $first: Int, $after: String) {\n    inboundAddress(id: $id) {\n      incomingStatuses(first: $first, after: $after) {\n        __typename\n        edges { node { statusId } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.NestedStatusesDocument,
    "\n  query ConnectionTypenames($addressId: ID!) {\n    incomingStatuses(addressId: $addressId, first: 1) { __typename }\n    inboundAddress(id: $addressId) { incomingStatuses(first: 1) { __typename } }\n  }\n": typeof types.ConnectionTypenamesDocument,
    "\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject receivedAt address { addressId } } }\n  }\n": typeof types.StatusNodeDocument,
    "\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          messageUuid\n          subject\n          from { address name formatted }\n          to { address name formatted }\n          cc { address name formatted }\n          createdAt\n          recipients {\n            email\n            lastEvent\n            events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n          }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.OutboundWithEventsDocument,
    "\n  query OutboundDashboard {\n    outboundMessages(first: 20) {\n      edges { node { id subject from { formatted } recipients { email events { kind timestamp } } } }\n      pageInfo { endCursor }\n    }\n  }\n": typeof types.OutboundDashboardDocument,
    "\n  query OutboundSummaries {\n    outboundMessages(first: 20) { edges { node { id recipients { email lastEvent } } } }\n  }\n": typeof types.OutboundSummariesDocument,
    "\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n  }\n": typeof types.OneOutboundDocument,
    "\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }\n  }\n": typeof types.OutboundSummariesPagedDocument,
    "\n  mutation Send($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          from { address name formatted }\n          to { address name formatted }\n          cc { address name formatted }\n          replyTo { address name formatted }\n          subject\n          tags\n          testMode\n          outboundMessage { messageUuid subject recipients { email events { kind } } }\n        }\n      }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.SendDocument,
    "\n  mutation SendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { replayed email { messageId to { address name formatted } testMode } }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on Error { code message }\n    }\n  }\n": typeof types.SendRawDocument,
    "\n  query SendingDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      edges {\n        node {\n          __typename\n          id\n          provider\n          domain\n          verified\n          dnsRecords { type name value priority purpose verified }\n          ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }\n        }\n      }\n    }\n  }\n": typeof types.SendingDomainsDocument,
    "\n  query OneSendingDomain($id: ID!) {\n    sendingDomain(id: $id) { __typename id domain verified }\n  }\n": typeof types.OneSendingDomainDocument,
    "\n  mutation CreateSendingDomain($domain: String!) {\n    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {\n      __typename\n      ... on CreateSendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }\n      ... on ValidationError { code message refusedBy issues { path code } }\n    }\n  }\n": typeof types.CreateSendingDomainDocument,
    "\n  mutation VerifySendingDomain($id: ID!) {\n    verifySendingDomain(id: $id) {\n      __typename\n      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n": typeof types.VerifySendingDomainDocument,
    "\n  mutation DeleteSendingDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n": typeof types.DeleteSendingDomainDocument,
    "\n  query FailureAddresses {\n    inboundAddresses(first: 5) { edges { node { addressId } } }\n  }\n": typeof types.FailureAddressesDocument,
    "\n  query FailureOutboundEvents {\n    outboundMessages(first: 20) { edges { node { messageUuid recipients { email events { kind } } } } }\n  }\n": typeof types.FailureOutboundEventsDocument,
    "\n  mutation FailureSend {\n    sendEmail(input: { provider: CLOUDMAILIN, from: { email: \"a@example.com\" }, to: [{ email: \"b@example.net\" }], subject: \"s\", text: \"t\" }) {\n      __typename\n      ... on SendEmailPayload { email { messageId } }\n      ... on UpstreamError { provider status }\n      ... on Error { code message }\n    }\n  }\n": typeof types.FailureSendDocument,
    "\n  query NeverCached { sendingDomains(first: 1) { edges { node { id } } } }\n": typeof types.NeverCachedDocument,
    "query Missing($id: ID!) { sendingDomain(id: $id) { __typename id domain } }": typeof types.MissingDocument,
};
const documents: Documents = {
    "\n  query ApolloStatusPage($addressId: ID!, $first: Int, $after: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after) {\n      edges { cursor node { id subject from { address name } outcome } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ApolloStatusPageDocument,
    "\n  query ApolloAddressPage($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      edges { cursor node { id emailAddress } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ApolloAddressPageDocument,
    "\n  query ApolloFailures($missing: ID!, $broken: ID!) {\n    inboundAddress(id: $missing) { id }\n    incomingStatuses(addressId: $broken, first: 1) { edges { node { id } } }\n  }\n": types.ApolloFailuresDocument,
    "\n  mutation ApolloSend($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { replayed email { messageId to { address name } } }\n      ... on Error { code message providerCode }\n      ... on ValidationError { issues { path code } }\n    }\n  }\n": types.ApolloSendDocument,
    "\n  query CloudflareDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      edges {\n        node {\n          __typename\n          id\n          provider\n          domain\n          verified\n          dnsRecords { type rawType name value priority purpose verified }\n          ... on CloudflareSendingSubdomain { subdomainTag zoneId enabled dkimSelector returnPathDomain createdAt }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.CloudflareDomainsDocument,
    "\n  query DomainNames($provider: EmailProvider) {\n    sendingDomains(provider: $provider, first: 50) { edges { node { __typename domain provider } } }\n  }\n": types.DomainNamesDocument,
    "\n  query TwiceInOneRequest($id: ID!) {\n    a: sendingDomain(id: $id) { dnsRecords { name } }\n    b: sendingDomain(id: $id) { dnsRecords { name } }\n    c: node(id: $id) { ... on SendingDomain { dnsRecords { name } } }\n  }\n": types.TwiceInOneRequestDocument,
    "\n  mutation CreateSubdomain($domain: String!, $zoneId: ID) {\n    createSendingDomain(provider: CLOUDFLARE, domain: $domain, zoneId: $zoneId) {\n      __typename\n      ... on CreateSendingDomainPayload {\n        domain { id domain provider verified dnsRecords { type name purpose } ... on CloudflareSendingSubdomain { zoneId subdomainTag } }\n      }\n      ... on ValidationError { code message refusedBy providerCode issues { path message code } }\n      ... on UpstreamError { code message provider status providerCode }\n      ... on NotConfiguredError { code message }\n    }\n  }\n": types.CreateSubdomainDocument,
    "\n  mutation DeleteCloudflareDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain provider } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n": types.DeleteCloudflareDomainDocument,
    "\n  mutation VerifyCloudflareDomain($id: ID!) {\n    verifySendingDomain(id: $id) { __typename ... on ValidationError { code issues { path message } } }\n  }\n": types.VerifyCloudflareDomainDocument,
    "\n  query CloudflareNode($id: ID!) { node(id: $id) { __typename id ... on CloudflareSendingSubdomain { domain zoneId } } }\n": types.CloudflareNodeDocument,
    "\n  query CloudflareSubdomainLookup($id: ID!) { sendingDomain(id: $id) { id domain } }\n": types.CloudflareSubdomainLookupDocument,
    "\n  mutation CloudflareSend($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          from { address name formatted }\n          to { address name }\n          cc { address name }\n          bcc { address }\n          subject\n          delivery { delivered queued permanentBounces }\n          outboundMessage { id }\n        }\n      }\n      ... on ValidationError { code message refusedBy providerCode issues { path message code } }\n      ... on UpstreamError { code message provider status providerCode }\n      ... on NotConfiguredError { code message provider providerCode }\n    }\n  }\n": types.CloudflareSendDocument,
    "\n  mutation CloudflareSendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { email { provider messageId to { address } bcc { address } delivery { delivered queued permanentBounces } } }\n      ... on ValidationError { code refusedBy issues { path code } }\n      ... on UpstreamError { code provider status providerCode }\n    }\n  }\n": types.CloudflareSendRawDocument,
    "\n  query Domains($addressId: ID!, $query: String) {\n    customDomains(addressId: $addressId, first: 20, query: $query) {\n      __typename\n      edges { node { id domainId domain authRegex domainTarget address { addressId } } }\n      nodes { domainId }\n      pageInfo { hasNextPage }\n    }\n  }\n": types.DomainsDocument,
    "\n  mutation CreateDomain($input: CreateCustomDomainInput!) {\n    createCustomDomain(input: $input) {\n      __typename\n      ... on CreateCustomDomainPayload { customDomain { id domainId domain authRegex } }\n      ... on Error { code message }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on NotFoundError { resource resourceId }\n    }\n  }\n": types.CreateDomainDocument,
    "\n  mutation DeleteDomain($id: ID!) {\n    deleteCustomDomain(id: $id) {\n      __typename\n      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": types.DeleteDomainDocument,
    "\n  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }\n": types.DomainNodeDocument,
    "\n    query CostDashboard {\n      inboundAddresses(first: 20) {\n        nodes {\n          id\n          incomingStatuses(first: 20) { nodes { id subject address { id } } pageInfo { hasNextPage endCursor } }\n          customDomains(first: 20) { nodes { domain } }\n        }\n      }\n      outboundMessages(first: 20) { nodes { id recipients { email events { kind } } } }\n    }\n  ": types.CostDashboardDocument,
    "\n        query Budget { rateLimits { provider limit used remaining windowSeconds retryAfterSeconds nextCallAt resetAt } }\n      ": types.BudgetDocument,
    "query SpendTwo { inboundAddresses(first: 1) { nodes { id } } outboundMessages(first: 1) { nodes { id } } }": types.SpendTwoDocument,
    "query Masked { node(id: \"%%%\") { id } }": types.MaskedDocument,
    "query MetricsProbe { sendingDomains(provider: CLOUDMAILIN, first: 2) { __typename } }": types.MetricsProbeDocument,
    "query ScopedRead { inboundAddresses(first: 1) { __typename } }": types.ScopedReadDocument,
    "\n    mutation ScopedManage { createSendingDomain(provider: CLOUDMAILIN, domain: \"scoped.example.test\") { __typename } }\n  ": types.ScopedManageDocument,
    "\n  query Addresses($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      __typename\n      edges { node { id addressId emailAddress target targetFormat nickname } }\n      nodes { addressId }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AddressesDocument,
    "\n  query Address($id: ID!) {\n    inboundAddress(id: $id) {\n      __typename\n      id\n      addressId\n      nickname\n      customDomains(first: 5) { edges { node { domain } } }\n      incomingStatuses(first: 2) { edges { node { subject } } }\n    }\n  }\n": types.AddressDocument,
    "\n  mutation CreateAddress($input: CreateInboundAddressInput!) {\n    createInboundAddress(input: $input) {\n      __typename\n      ... on CreateInboundAddressPayload { address { id addressId target targetFormat nickname } }\n      ... on Error { code message }\n      ... on ValidationError { refusedBy issues { path message code } }\n    }\n  }\n": types.CreateAddressDocument,
    "\n  mutation UpdateAddress($input: UpdateInboundAddressInput!) {\n    updateInboundAddress(input: $input) {\n      __typename\n      ... on UpdateInboundAddressPayload { address { addressId target targetFormat nickname } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n": types.UpdateAddressDocument,
    "\n  mutation DeleteAddress($id: ID!) {\n    deleteInboundAddress(id: $id) {\n      __typename\n      ... on DeleteInboundAddressPayload { deletedId address { addressId } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n    }\n  }\n": types.DeleteAddressDocument,
    "\n  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }\n": types.AddressNodeDocument,
    "\n    query ManyNodes($ids: [ID!]!) {\n      nodes(ids: $ids) {\n        __typename\n        id\n        ... on InboundAddress { addressId }\n        ... on OutboundMessage { messageUuid }\n        ... on SendingDomain { domain provider }\n      }\n    }\n  ": types.ManyNodesDocument,
    "\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      edges {\n        cursor\n        node {\n          id\n          statusId\n          subject\n          from { address name formatted }\n          to { address name formatted }\n          outcome\n          httpStatus\n          rawStatus\n          tls\n          receivedAt\n        }\n      }\n      nodes { statusId }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.StatusesDocument,
    "\n  query NestedStatuses($id: ID!, $first: Int, $after: String) {\n    inboundAddress(id: $id) {\n      incomingStatuses(first: $first, after: $after) {\n        __typename\n        edges { node { statusId } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.NestedStatusesDocument,
    "\n  query ConnectionTypenames($addressId: ID!) {\n    incomingStatuses(addressId: $addressId, first: 1) { __typename }\n    inboundAddress(id: $addressId) { incomingStatuses(first: 1) { __typename } }\n  }\n": types.ConnectionTypenamesDocument,
    "\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject receivedAt address { addressId } } }\n  }\n": types.StatusNodeDocument,
    "\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          messageUuid\n          subject\n          from { address name formatted }\n          to { address name formatted }\n          cc { address name formatted }\n          createdAt\n          recipients {\n            email\n            lastEvent\n            events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n          }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.OutboundWithEventsDocument,
    "\n  query OutboundDashboard {\n    outboundMessages(first: 20) {\n      edges { node { id subject from { formatted } recipients { email events { kind timestamp } } } }\n      pageInfo { endCursor }\n    }\n  }\n": types.OutboundDashboardDocument,
    "\n  query OutboundSummaries {\n    outboundMessages(first: 20) { edges { node { id recipients { email lastEvent } } } }\n  }\n": types.OutboundSummariesDocument,
    "\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n  }\n": types.OneOutboundDocument,
    "\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }\n  }\n": types.OutboundSummariesPagedDocument,
    "\n  mutation Send($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          from { address name formatted }\n          to { address name formatted }\n          cc { address name formatted }\n          replyTo { address name formatted }\n          subject\n          tags\n          testMode\n          outboundMessage { messageUuid subject recipients { email events { kind } } }\n        }\n      }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on Error { code message }\n    }\n  }\n": types.SendDocument,
    "\n  mutation SendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { replayed email { messageId to { address name formatted } testMode } }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on Error { code message }\n    }\n  }\n": types.SendRawDocument,
    "\n  query SendingDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      edges {\n        node {\n          __typename\n          id\n          provider\n          domain\n          verified\n          dnsRecords { type name value priority purpose verified }\n          ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }\n        }\n      }\n    }\n  }\n": types.SendingDomainsDocument,
    "\n  query OneSendingDomain($id: ID!) {\n    sendingDomain(id: $id) { __typename id domain verified }\n  }\n": types.OneSendingDomainDocument,
    "\n  mutation CreateSendingDomain($domain: String!) {\n    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {\n      __typename\n      ... on CreateSendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }\n      ... on ValidationError { code message refusedBy issues { path code } }\n    }\n  }\n": types.CreateSendingDomainDocument,
    "\n  mutation VerifySendingDomain($id: ID!) {\n    verifySendingDomain(id: $id) {\n      __typename\n      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n": types.VerifySendingDomainDocument,
    "\n  mutation DeleteSendingDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n": types.DeleteSendingDomainDocument,
    "\n  query FailureAddresses {\n    inboundAddresses(first: 5) { edges { node { addressId } } }\n  }\n": types.FailureAddressesDocument,
    "\n  query FailureOutboundEvents {\n    outboundMessages(first: 20) { edges { node { messageUuid recipients { email events { kind } } } } }\n  }\n": types.FailureOutboundEventsDocument,
    "\n  mutation FailureSend {\n    sendEmail(input: { provider: CLOUDMAILIN, from: { email: \"a@example.com\" }, to: [{ email: \"b@example.net\" }], subject: \"s\", text: \"t\" }) {\n      __typename\n      ... on SendEmailPayload { email { messageId } }\n      ... on UpstreamError { provider status }\n      ... on Error { code message }\n    }\n  }\n": types.FailureSendDocument,
    "\n  query NeverCached { sendingDomains(first: 1) { edges { node { id } } } }\n": types.NeverCachedDocument,
    "query Missing($id: ID!) { sendingDomain(id: $id) { __typename id domain } }": types.MissingDocument,
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
export function graphql(source: "\n  query ApolloStatusPage($addressId: ID!, $first: Int, $after: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after) {\n      edges { cursor node { id subject from { address name } outcome } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ApolloStatusPage($addressId: ID!, $first: Int, $after: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after) {\n      edges { cursor node { id subject from { address name } outcome } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApolloAddressPage($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      edges { cursor node { id emailAddress } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ApolloAddressPage($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      edges { cursor node { id emailAddress } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApolloFailures($missing: ID!, $broken: ID!) {\n    inboundAddress(id: $missing) { id }\n    incomingStatuses(addressId: $broken, first: 1) { edges { node { id } } }\n  }\n"): (typeof documents)["\n  query ApolloFailures($missing: ID!, $broken: ID!) {\n    inboundAddress(id: $missing) { id }\n    incomingStatuses(addressId: $broken, first: 1) { edges { node { id } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApolloSend($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { replayed email { messageId to { address name } } }\n      ... on Error { code message providerCode }\n      ... on ValidationError { issues { path code } }\n    }\n  }\n"): (typeof documents)["\n  mutation ApolloSend($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { replayed email { messageId to { address name } } }\n      ... on Error { code message providerCode }\n      ... on ValidationError { issues { path code } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CloudflareDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      edges {\n        node {\n          __typename\n          id\n          provider\n          domain\n          verified\n          dnsRecords { type rawType name value priority purpose verified }\n          ... on CloudflareSendingSubdomain { subdomainTag zoneId enabled dkimSelector returnPathDomain createdAt }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query CloudflareDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      edges {\n        node {\n          __typename\n          id\n          provider\n          domain\n          verified\n          dnsRecords { type rawType name value priority purpose verified }\n          ... on CloudflareSendingSubdomain { subdomainTag zoneId enabled dkimSelector returnPathDomain createdAt }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DomainNames($provider: EmailProvider) {\n    sendingDomains(provider: $provider, first: 50) { edges { node { __typename domain provider } } }\n  }\n"): (typeof documents)["\n  query DomainNames($provider: EmailProvider) {\n    sendingDomains(provider: $provider, first: 50) { edges { node { __typename domain provider } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TwiceInOneRequest($id: ID!) {\n    a: sendingDomain(id: $id) { dnsRecords { name } }\n    b: sendingDomain(id: $id) { dnsRecords { name } }\n    c: node(id: $id) { ... on SendingDomain { dnsRecords { name } } }\n  }\n"): (typeof documents)["\n  query TwiceInOneRequest($id: ID!) {\n    a: sendingDomain(id: $id) { dnsRecords { name } }\n    b: sendingDomain(id: $id) { dnsRecords { name } }\n    c: node(id: $id) { ... on SendingDomain { dnsRecords { name } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSubdomain($domain: String!, $zoneId: ID) {\n    createSendingDomain(provider: CLOUDFLARE, domain: $domain, zoneId: $zoneId) {\n      __typename\n      ... on CreateSendingDomainPayload {\n        domain { id domain provider verified dnsRecords { type name purpose } ... on CloudflareSendingSubdomain { zoneId subdomainTag } }\n      }\n      ... on ValidationError { code message refusedBy providerCode issues { path message code } }\n      ... on UpstreamError { code message provider status providerCode }\n      ... on NotConfiguredError { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSubdomain($domain: String!, $zoneId: ID) {\n    createSendingDomain(provider: CLOUDFLARE, domain: $domain, zoneId: $zoneId) {\n      __typename\n      ... on CreateSendingDomainPayload {\n        domain { id domain provider verified dnsRecords { type name purpose } ... on CloudflareSendingSubdomain { zoneId subdomainTag } }\n      }\n      ... on ValidationError { code message refusedBy providerCode issues { path message code } }\n      ... on UpstreamError { code message provider status providerCode }\n      ... on NotConfiguredError { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCloudflareDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain provider } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteCloudflareDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain provider } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyCloudflareDomain($id: ID!) {\n    verifySendingDomain(id: $id) { __typename ... on ValidationError { code issues { path message } } }\n  }\n"): (typeof documents)["\n  mutation VerifyCloudflareDomain($id: ID!) {\n    verifySendingDomain(id: $id) { __typename ... on ValidationError { code issues { path message } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CloudflareNode($id: ID!) { node(id: $id) { __typename id ... on CloudflareSendingSubdomain { domain zoneId } } }\n"): (typeof documents)["\n  query CloudflareNode($id: ID!) { node(id: $id) { __typename id ... on CloudflareSendingSubdomain { domain zoneId } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CloudflareSubdomainLookup($id: ID!) { sendingDomain(id: $id) { id domain } }\n"): (typeof documents)["\n  query CloudflareSubdomainLookup($id: ID!) { sendingDomain(id: $id) { id domain } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CloudflareSend($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          from { address name formatted }\n          to { address name }\n          cc { address name }\n          bcc { address }\n          subject\n          delivery { delivered queued permanentBounces }\n          outboundMessage { id }\n        }\n      }\n      ... on ValidationError { code message refusedBy providerCode issues { path message code } }\n      ... on UpstreamError { code message provider status providerCode }\n      ... on NotConfiguredError { code message provider providerCode }\n    }\n  }\n"): (typeof documents)["\n  mutation CloudflareSend($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          from { address name formatted }\n          to { address name }\n          cc { address name }\n          bcc { address }\n          subject\n          delivery { delivered queued permanentBounces }\n          outboundMessage { id }\n        }\n      }\n      ... on ValidationError { code message refusedBy providerCode issues { path message code } }\n      ... on UpstreamError { code message provider status providerCode }\n      ... on NotConfiguredError { code message provider providerCode }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CloudflareSendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { email { provider messageId to { address } bcc { address } delivery { delivered queued permanentBounces } } }\n      ... on ValidationError { code refusedBy issues { path code } }\n      ... on UpstreamError { code provider status providerCode }\n    }\n  }\n"): (typeof documents)["\n  mutation CloudflareSendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { email { provider messageId to { address } bcc { address } delivery { delivered queued permanentBounces } } }\n      ... on ValidationError { code refusedBy issues { path code } }\n      ... on UpstreamError { code provider status providerCode }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Domains($addressId: ID!, $query: String) {\n    customDomains(addressId: $addressId, first: 20, query: $query) {\n      __typename\n      edges { node { id domainId domain authRegex domainTarget address { addressId } } }\n      nodes { domainId }\n      pageInfo { hasNextPage }\n    }\n  }\n"): (typeof documents)["\n  query Domains($addressId: ID!, $query: String) {\n    customDomains(addressId: $addressId, first: 20, query: $query) {\n      __typename\n      edges { node { id domainId domain authRegex domainTarget address { addressId } } }\n      nodes { domainId }\n      pageInfo { hasNextPage }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDomain($input: CreateCustomDomainInput!) {\n    createCustomDomain(input: $input) {\n      __typename\n      ... on CreateCustomDomainPayload { customDomain { id domainId domain authRegex } }\n      ... on Error { code message }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on NotFoundError { resource resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDomain($input: CreateCustomDomainInput!) {\n    createCustomDomain(input: $input) {\n      __typename\n      ... on CreateCustomDomainPayload { customDomain { id domainId domain authRegex } }\n      ... on Error { code message }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on NotFoundError { resource resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDomain($id: ID!) {\n    deleteCustomDomain(id: $id) {\n      __typename\n      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteDomain($id: ID!) {\n    deleteCustomDomain(id: $id) {\n      __typename\n      ... on DeleteCustomDomainPayload { deletedId customDomain { domain } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }\n"): (typeof documents)["\n  query DomainNode($id: ID!) { node(id: $id) { __typename ... on CustomDomain { domain } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query CostDashboard {\n      inboundAddresses(first: 20) {\n        nodes {\n          id\n          incomingStatuses(first: 20) { nodes { id subject address { id } } pageInfo { hasNextPage endCursor } }\n          customDomains(first: 20) { nodes { domain } }\n        }\n      }\n      outboundMessages(first: 20) { nodes { id recipients { email events { kind } } } }\n    }\n  "): (typeof documents)["\n    query CostDashboard {\n      inboundAddresses(first: 20) {\n        nodes {\n          id\n          incomingStatuses(first: 20) { nodes { id subject address { id } } pageInfo { hasNextPage endCursor } }\n          customDomains(first: 20) { nodes { domain } }\n        }\n      }\n      outboundMessages(first: 20) { nodes { id recipients { email events { kind } } } }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query Budget { rateLimits { provider limit used remaining windowSeconds retryAfterSeconds nextCallAt resetAt } }\n      "): (typeof documents)["\n        query Budget { rateLimits { provider limit used remaining windowSeconds retryAfterSeconds nextCallAt resetAt } }\n      "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SpendTwo { inboundAddresses(first: 1) { nodes { id } } outboundMessages(first: 1) { nodes { id } } }"): (typeof documents)["query SpendTwo { inboundAddresses(first: 1) { nodes { id } } outboundMessages(first: 1) { nodes { id } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Masked { node(id: \"%%%\") { id } }"): (typeof documents)["query Masked { node(id: \"%%%\") { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MetricsProbe { sendingDomains(provider: CLOUDMAILIN, first: 2) { __typename } }"): (typeof documents)["query MetricsProbe { sendingDomains(provider: CLOUDMAILIN, first: 2) { __typename } }"];
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
export function graphql(source: "\n  query Addresses($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      __typename\n      edges { node { id addressId emailAddress target targetFormat nickname } }\n      nodes { addressId }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Addresses($first: Int, $after: String) {\n    inboundAddresses(first: $first, after: $after) {\n      __typename\n      edges { node { id addressId emailAddress target targetFormat nickname } }\n      nodes { addressId }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Address($id: ID!) {\n    inboundAddress(id: $id) {\n      __typename\n      id\n      addressId\n      nickname\n      customDomains(first: 5) { edges { node { domain } } }\n      incomingStatuses(first: 2) { edges { node { subject } } }\n    }\n  }\n"): (typeof documents)["\n  query Address($id: ID!) {\n    inboundAddress(id: $id) {\n      __typename\n      id\n      addressId\n      nickname\n      customDomains(first: 5) { edges { node { domain } } }\n      incomingStatuses(first: 2) { edges { node { subject } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAddress($input: CreateInboundAddressInput!) {\n    createInboundAddress(input: $input) {\n      __typename\n      ... on CreateInboundAddressPayload { address { id addressId target targetFormat nickname } }\n      ... on Error { code message }\n      ... on ValidationError { refusedBy issues { path message code } }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateAddress($input: CreateInboundAddressInput!) {\n    createInboundAddress(input: $input) {\n      __typename\n      ... on CreateInboundAddressPayload { address { id addressId target targetFormat nickname } }\n      ... on Error { code message }\n      ... on ValidationError { refusedBy issues { path message code } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAddress($input: UpdateInboundAddressInput!) {\n    updateInboundAddress(input: $input) {\n      __typename\n      ... on UpdateInboundAddressPayload { address { addressId target targetFormat nickname } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateAddress($input: UpdateInboundAddressInput!) {\n    updateInboundAddress(input: $input) {\n      __typename\n      ... on UpdateInboundAddressPayload { address { addressId target targetFormat nickname } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n      ... on ValidationError { issues { path } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAddress($id: ID!) {\n    deleteInboundAddress(id: $id) {\n      __typename\n      ... on DeleteInboundAddressPayload { deletedId address { addressId } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteAddress($id: ID!) {\n    deleteInboundAddress(id: $id) {\n      __typename\n      ... on DeleteInboundAddressPayload { deletedId address { addressId } }\n      ... on Error { code message }\n      ... on NotFoundError { resource resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }\n"): (typeof documents)["\n  query AddressNode($id: ID!) { node(id: $id) { __typename id ... on InboundAddress { addressId } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query ManyNodes($ids: [ID!]!) {\n      nodes(ids: $ids) {\n        __typename\n        id\n        ... on InboundAddress { addressId }\n        ... on OutboundMessage { messageUuid }\n        ... on SendingDomain { domain provider }\n      }\n    }\n  "): (typeof documents)["\n    query ManyNodes($ids: [ID!]!) {\n      nodes(ids: $ids) {\n        __typename\n        id\n        ... on InboundAddress { addressId }\n        ... on OutboundMessage { messageUuid }\n        ... on SendingDomain { domain provider }\n      }\n    }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      edges {\n        cursor\n        node {\n          id\n          statusId\n          subject\n          from { address name formatted }\n          to { address name formatted }\n          outcome\n          httpStatus\n          rawStatus\n          tls\n          receivedAt\n        }\n      }\n      nodes { statusId }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Statuses($addressId: ID!, $first: Int, $after: String, $query: String) {\n    incomingStatuses(addressId: $addressId, first: $first, after: $after, query: $query) {\n      __typename\n      edges {\n        cursor\n        node {\n          id\n          statusId\n          subject\n          from { address name formatted }\n          to { address name formatted }\n          outcome\n          httpStatus\n          rawStatus\n          tls\n          receivedAt\n        }\n      }\n      nodes { statusId }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NestedStatuses($id: ID!, $first: Int, $after: String) {\n    inboundAddress(id: $id) {\n      incomingStatuses(first: $first, after: $after) {\n        __typename\n        edges { node { statusId } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query NestedStatuses($id: ID!, $first: Int, $after: String) {\n    inboundAddress(id: $id) {\n      incomingStatuses(first: $first, after: $after) {\n        __typename\n        edges { node { statusId } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConnectionTypenames($addressId: ID!) {\n    incomingStatuses(addressId: $addressId, first: 1) { __typename }\n    inboundAddress(id: $addressId) { incomingStatuses(first: 1) { __typename } }\n  }\n"): (typeof documents)["\n  query ConnectionTypenames($addressId: ID!) {\n    incomingStatuses(addressId: $addressId, first: 1) { __typename }\n    inboundAddress(id: $addressId) { incomingStatuses(first: 1) { __typename } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject receivedAt address { addressId } } }\n  }\n"): (typeof documents)["\n  query StatusNode($id: ID!) {\n    node(id: $id) { __typename id ... on IncomingStatus { statusId subject receivedAt address { addressId } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          messageUuid\n          subject\n          from { address name formatted }\n          to { address name formatted }\n          cc { address name formatted }\n          createdAt\n          recipients {\n            email\n            lastEvent\n            events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n          }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query OutboundWithEvents($first: Int, $after: String) {\n    outboundMessages(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          messageUuid\n          subject\n          from { address name formatted }\n          to { address name formatted }\n          cc { address name formatted }\n          createdAt\n          recipients {\n            email\n            lastEvent\n            events { kind rawKind timestamp details { agent replyCode deliveryStatus smtpResponse remoteHost } }\n          }\n        }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OutboundDashboard {\n    outboundMessages(first: 20) {\n      edges { node { id subject from { formatted } recipients { email events { kind timestamp } } } }\n      pageInfo { endCursor }\n    }\n  }\n"): (typeof documents)["\n  query OutboundDashboard {\n    outboundMessages(first: 20) {\n      edges { node { id subject from { formatted } recipients { email events { kind timestamp } } } }\n      pageInfo { endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OutboundSummaries {\n    outboundMessages(first: 20) { edges { node { id recipients { email lastEvent } } } }\n  }\n"): (typeof documents)["\n  query OutboundSummaries {\n    outboundMessages(first: 20) { edges { node { id recipients { email lastEvent } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n  }\n"): (typeof documents)["\n  query OneOutbound($id: ID!) {\n    outboundMessage(id: $id) { id messageUuid messageIdHeader tags testMode recipients { email events { kind } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }\n  }\n"): (typeof documents)["\n  query OutboundSummariesPaged($after: String) {\n    outboundMessages(first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Send($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          from { address name formatted }\n          to { address name formatted }\n          cc { address name formatted }\n          replyTo { address name formatted }\n          subject\n          tags\n          testMode\n          outboundMessage { messageUuid subject recipients { email events { kind } } }\n        }\n      }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation Send($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          from { address name formatted }\n          to { address name formatted }\n          cc { address name formatted }\n          replyTo { address name formatted }\n          subject\n          tags\n          testMode\n          outboundMessage { messageUuid subject recipients { email events { kind } } }\n        }\n      }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { replayed email { messageId to { address name formatted } testMode } }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation SendRaw($input: SendRawEmailInput!) {\n    sendRawEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload { replayed email { messageId to { address name formatted } testMode } }\n      ... on ValidationError { refusedBy issues { path message code } }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SendingDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      edges {\n        node {\n          __typename\n          id\n          provider\n          domain\n          verified\n          dnsRecords { type name value priority purpose verified }\n          ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SendingDomains($provider: EmailProvider, $query: String) {\n    sendingDomains(provider: $provider, query: $query, first: 50) {\n      edges {\n        node {\n          __typename\n          id\n          provider\n          domain\n          verified\n          dnsRecords { type name value priority purpose verified }\n          ... on CloudMailinSendingDomain { domainId mtaDomain requiredCname dkimSelector dkimVerified returnPathVerified spfVerified }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OneSendingDomain($id: ID!) {\n    sendingDomain(id: $id) { __typename id domain verified }\n  }\n"): (typeof documents)["\n  query OneSendingDomain($id: ID!) {\n    sendingDomain(id: $id) { __typename id domain verified }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSendingDomain($domain: String!) {\n    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {\n      __typename\n      ... on CreateSendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }\n      ... on ValidationError { code message refusedBy issues { path code } }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSendingDomain($domain: String!) {\n    createSendingDomain(provider: CLOUDMAILIN, domain: $domain) {\n      __typename\n      ... on CreateSendingDomainPayload { domain { id domain verified dnsRecords { type name purpose verified } } }\n      ... on ValidationError { code message refusedBy issues { path code } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifySendingDomain($id: ID!) {\n    verifySendingDomain(id: $id) {\n      __typename\n      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation VerifySendingDomain($id: ID!) {\n    verifySendingDomain(id: $id) {\n      __typename\n      ... on VerifySendingDomainPayload { verified domain { verified dnsRecords { purpose verified } } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSendingDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteSendingDomain($id: ID!) {\n    deleteSendingDomain(id: $id) {\n      __typename\n      ... on DeleteSendingDomainPayload { deletedId domain { domain } }\n      ... on NotFoundError { code resource resourceId }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FailureAddresses {\n    inboundAddresses(first: 5) { edges { node { addressId } } }\n  }\n"): (typeof documents)["\n  query FailureAddresses {\n    inboundAddresses(first: 5) { edges { node { addressId } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FailureOutboundEvents {\n    outboundMessages(first: 20) { edges { node { messageUuid recipients { email events { kind } } } } }\n  }\n"): (typeof documents)["\n  query FailureOutboundEvents {\n    outboundMessages(first: 20) { edges { node { messageUuid recipients { email events { kind } } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FailureSend {\n    sendEmail(input: { provider: CLOUDMAILIN, from: { email: \"a@example.com\" }, to: [{ email: \"b@example.net\" }], subject: \"s\", text: \"t\" }) {\n      __typename\n      ... on SendEmailPayload { email { messageId } }\n      ... on UpstreamError { provider status }\n      ... on Error { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation FailureSend {\n    sendEmail(input: { provider: CLOUDMAILIN, from: { email: \"a@example.com\" }, to: [{ email: \"b@example.net\" }], subject: \"s\", text: \"t\" }) {\n      __typename\n      ... on SendEmailPayload { email { messageId } }\n      ... on UpstreamError { provider status }\n      ... on Error { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NeverCached { sendingDomains(first: 1) { edges { node { id } } } }\n"): (typeof documents)["\n  query NeverCached { sendingDomains(first: 1) { edges { node { id } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Missing($id: ID!) { sendingDomain(id: $id) { __typename id domain } }"): (typeof documents)["query Missing($id: ID!) { sendingDomain(id: $id) { __typename id domain } }"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;