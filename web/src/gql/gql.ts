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
    "\n  query RateLimits {\n    rateLimits {\n      provider\n      limit\n      used\n      remaining\n      windowSeconds\n      retryAfterSeconds\n      nextCallAt\n      resetAt\n    }\n  }\n": typeof types.RateLimitsDocument,
    "\n  fragment RecipientTimelines on OutboundMessage {\n    messageUuid\n    recipients {\n      email\n      lastEvent\n      events {\n        kind\n        rawKind\n        timestamp\n        details {\n          replyCode\n          smtpResponse\n          remoteHost\n          deliveryStatus\n        }\n      }\n    }\n  }\n": typeof types.RecipientTimelinesFragmentDoc,
    "\n  fragment OutboundMessageFields on OutboundMessage {\n    id\n    messageUuid\n    subject\n    createdAt\n    testMode\n    from {\n      address\n      name\n    }\n    to {\n      address\n      name\n    }\n    recipients {\n      email\n      lastEvent\n      events {\n        kind\n        rawKind\n        timestamp\n        details {\n          replyCode\n          smtpResponse\n          remoteHost\n          deliveryStatus\n        }\n      }\n    }\n  }\n": typeof types.OutboundMessageFieldsFragmentDoc,
    "\n  query OutboundMessages($first: Int!) {\n    outboundMessages(first: $first) {\n      nodes {\n        ...OutboundMessageFields\n      }\n    }\n  }\n": typeof types.OutboundMessagesDocument,
    "\n  subscription MessageEvents($last: Int) {\n    messageEvents(last: $last) {\n      cursor\n      provider\n      messageId\n      recipient\n      kind\n      rawKind\n      timestamp\n      receivedAt\n      details {\n        replyCode\n        smtpResponse\n        remoteHost\n        deliveryStatus\n      }\n    }\n  }\n": typeof types.MessageEventsDocument,
    "\n  mutation SendEmail($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          subject\n          testMode\n          from {\n            address\n            name\n          }\n          to {\n            address\n            name\n          }\n          delivery {\n            delivered\n            queued\n            permanentBounces\n          }\n          outboundMessage {\n            ...OutboundMessageFields\n          }\n        }\n      }\n      ... on ValidationError {\n        issues {\n          path\n          code\n          message\n        }\n      }\n      ... on RateLimitedError {\n        provider\n        retryAfterSeconds\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.SendEmailDocument,
    "\n  query InboundAddresses {\n    inboundAddresses(first: 50) {\n      nodes {\n        id\n        addressId\n        emailAddress\n        nickname\n      }\n    }\n  }\n": typeof types.InboundAddressesDocument,
    "\n  fragment InboundMailFields on InboundEmail {\n    id\n    cursor\n    addressId\n    subject\n    receivedAt\n    plain\n    from {\n      address\n      name\n    }\n    envelope {\n      from {\n        address\n      }\n      spf {\n        result\n        domain\n      }\n      dkim {\n        success\n        results {\n          domain\n          result\n        }\n      }\n    }\n  }\n": typeof types.InboundMailFieldsFragmentDoc,
    "\n  query InboundEmails($addressId: ID!, $first: Int!) {\n    inboundEmails(addressId: $addressId, first: $first) {\n      nodes {\n        ...InboundMailFields\n      }\n    }\n  }\n": typeof types.InboundEmailsDocument,
    "\n  subscription InboundEmailReceived($addressId: ID!, $after: String) {\n    inboundEmailReceived(addressId: $addressId, after: $after) {\n      ...InboundMailFields\n    }\n  }\n": typeof types.InboundEmailReceivedDocument,
    "\n  mutation SimulateInboundEmail($input: SimulateInboundEmailInput!) {\n    simulateInboundEmail(input: $input) {\n      __typename\n      ... on SimulateInboundEmailPayload {\n        httpStatus\n        email {\n          id\n          subject\n        }\n      }\n      ... on ValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on RateLimitedError {\n        provider\n        retryAfterSeconds\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.SimulateInboundEmailDocument,
};
const documents: Documents = {
    "\n  query RateLimits {\n    rateLimits {\n      provider\n      limit\n      used\n      remaining\n      windowSeconds\n      retryAfterSeconds\n      nextCallAt\n      resetAt\n    }\n  }\n": types.RateLimitsDocument,
    "\n  fragment RecipientTimelines on OutboundMessage {\n    messageUuid\n    recipients {\n      email\n      lastEvent\n      events {\n        kind\n        rawKind\n        timestamp\n        details {\n          replyCode\n          smtpResponse\n          remoteHost\n          deliveryStatus\n        }\n      }\n    }\n  }\n": types.RecipientTimelinesFragmentDoc,
    "\n  fragment OutboundMessageFields on OutboundMessage {\n    id\n    messageUuid\n    subject\n    createdAt\n    testMode\n    from {\n      address\n      name\n    }\n    to {\n      address\n      name\n    }\n    recipients {\n      email\n      lastEvent\n      events {\n        kind\n        rawKind\n        timestamp\n        details {\n          replyCode\n          smtpResponse\n          remoteHost\n          deliveryStatus\n        }\n      }\n    }\n  }\n": types.OutboundMessageFieldsFragmentDoc,
    "\n  query OutboundMessages($first: Int!) {\n    outboundMessages(first: $first) {\n      nodes {\n        ...OutboundMessageFields\n      }\n    }\n  }\n": types.OutboundMessagesDocument,
    "\n  subscription MessageEvents($last: Int) {\n    messageEvents(last: $last) {\n      cursor\n      provider\n      messageId\n      recipient\n      kind\n      rawKind\n      timestamp\n      receivedAt\n      details {\n        replyCode\n        smtpResponse\n        remoteHost\n        deliveryStatus\n      }\n    }\n  }\n": types.MessageEventsDocument,
    "\n  mutation SendEmail($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          subject\n          testMode\n          from {\n            address\n            name\n          }\n          to {\n            address\n            name\n          }\n          delivery {\n            delivered\n            queued\n            permanentBounces\n          }\n          outboundMessage {\n            ...OutboundMessageFields\n          }\n        }\n      }\n      ... on ValidationError {\n        issues {\n          path\n          code\n          message\n        }\n      }\n      ... on RateLimitedError {\n        provider\n        retryAfterSeconds\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.SendEmailDocument,
    "\n  query InboundAddresses {\n    inboundAddresses(first: 50) {\n      nodes {\n        id\n        addressId\n        emailAddress\n        nickname\n      }\n    }\n  }\n": types.InboundAddressesDocument,
    "\n  fragment InboundMailFields on InboundEmail {\n    id\n    cursor\n    addressId\n    subject\n    receivedAt\n    plain\n    from {\n      address\n      name\n    }\n    envelope {\n      from {\n        address\n      }\n      spf {\n        result\n        domain\n      }\n      dkim {\n        success\n        results {\n          domain\n          result\n        }\n      }\n    }\n  }\n": types.InboundMailFieldsFragmentDoc,
    "\n  query InboundEmails($addressId: ID!, $first: Int!) {\n    inboundEmails(addressId: $addressId, first: $first) {\n      nodes {\n        ...InboundMailFields\n      }\n    }\n  }\n": types.InboundEmailsDocument,
    "\n  subscription InboundEmailReceived($addressId: ID!, $after: String) {\n    inboundEmailReceived(addressId: $addressId, after: $after) {\n      ...InboundMailFields\n    }\n  }\n": types.InboundEmailReceivedDocument,
    "\n  mutation SimulateInboundEmail($input: SimulateInboundEmailInput!) {\n    simulateInboundEmail(input: $input) {\n      __typename\n      ... on SimulateInboundEmailPayload {\n        httpStatus\n        email {\n          id\n          subject\n        }\n      }\n      ... on ValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on RateLimitedError {\n        provider\n        retryAfterSeconds\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.SimulateInboundEmailDocument,
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
export function graphql(source: "\n  query RateLimits {\n    rateLimits {\n      provider\n      limit\n      used\n      remaining\n      windowSeconds\n      retryAfterSeconds\n      nextCallAt\n      resetAt\n    }\n  }\n"): (typeof documents)["\n  query RateLimits {\n    rateLimits {\n      provider\n      limit\n      used\n      remaining\n      windowSeconds\n      retryAfterSeconds\n      nextCallAt\n      resetAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RecipientTimelines on OutboundMessage {\n    messageUuid\n    recipients {\n      email\n      lastEvent\n      events {\n        kind\n        rawKind\n        timestamp\n        details {\n          replyCode\n          smtpResponse\n          remoteHost\n          deliveryStatus\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment RecipientTimelines on OutboundMessage {\n    messageUuid\n    recipients {\n      email\n      lastEvent\n      events {\n        kind\n        rawKind\n        timestamp\n        details {\n          replyCode\n          smtpResponse\n          remoteHost\n          deliveryStatus\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OutboundMessageFields on OutboundMessage {\n    id\n    messageUuid\n    subject\n    createdAt\n    testMode\n    from {\n      address\n      name\n    }\n    to {\n      address\n      name\n    }\n    recipients {\n      email\n      lastEvent\n      events {\n        kind\n        rawKind\n        timestamp\n        details {\n          replyCode\n          smtpResponse\n          remoteHost\n          deliveryStatus\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment OutboundMessageFields on OutboundMessage {\n    id\n    messageUuid\n    subject\n    createdAt\n    testMode\n    from {\n      address\n      name\n    }\n    to {\n      address\n      name\n    }\n    recipients {\n      email\n      lastEvent\n      events {\n        kind\n        rawKind\n        timestamp\n        details {\n          replyCode\n          smtpResponse\n          remoteHost\n          deliveryStatus\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OutboundMessages($first: Int!) {\n    outboundMessages(first: $first) {\n      nodes {\n        ...OutboundMessageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query OutboundMessages($first: Int!) {\n    outboundMessages(first: $first) {\n      nodes {\n        ...OutboundMessageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MessageEvents($last: Int) {\n    messageEvents(last: $last) {\n      cursor\n      provider\n      messageId\n      recipient\n      kind\n      rawKind\n      timestamp\n      receivedAt\n      details {\n        replyCode\n        smtpResponse\n        remoteHost\n        deliveryStatus\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription MessageEvents($last: Int) {\n    messageEvents(last: $last) {\n      cursor\n      provider\n      messageId\n      recipient\n      kind\n      rawKind\n      timestamp\n      receivedAt\n      details {\n        replyCode\n        smtpResponse\n        remoteHost\n        deliveryStatus\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendEmail($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          subject\n          testMode\n          from {\n            address\n            name\n          }\n          to {\n            address\n            name\n          }\n          delivery {\n            delivered\n            queued\n            permanentBounces\n          }\n          outboundMessage {\n            ...OutboundMessageFields\n          }\n        }\n      }\n      ... on ValidationError {\n        issues {\n          path\n          code\n          message\n        }\n      }\n      ... on RateLimitedError {\n        provider\n        retryAfterSeconds\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SendEmail($input: SendEmailInput!) {\n    sendEmail(input: $input) {\n      __typename\n      ... on SendEmailPayload {\n        replayed\n        email {\n          provider\n          messageId\n          subject\n          testMode\n          from {\n            address\n            name\n          }\n          to {\n            address\n            name\n          }\n          delivery {\n            delivered\n            queued\n            permanentBounces\n          }\n          outboundMessage {\n            ...OutboundMessageFields\n          }\n        }\n      }\n      ... on ValidationError {\n        issues {\n          path\n          code\n          message\n        }\n      }\n      ... on RateLimitedError {\n        provider\n        retryAfterSeconds\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InboundAddresses {\n    inboundAddresses(first: 50) {\n      nodes {\n        id\n        addressId\n        emailAddress\n        nickname\n      }\n    }\n  }\n"): (typeof documents)["\n  query InboundAddresses {\n    inboundAddresses(first: 50) {\n      nodes {\n        id\n        addressId\n        emailAddress\n        nickname\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment InboundMailFields on InboundEmail {\n    id\n    cursor\n    addressId\n    subject\n    receivedAt\n    plain\n    from {\n      address\n      name\n    }\n    envelope {\n      from {\n        address\n      }\n      spf {\n        result\n        domain\n      }\n      dkim {\n        success\n        results {\n          domain\n          result\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment InboundMailFields on InboundEmail {\n    id\n    cursor\n    addressId\n    subject\n    receivedAt\n    plain\n    from {\n      address\n      name\n    }\n    envelope {\n      from {\n        address\n      }\n      spf {\n        result\n        domain\n      }\n      dkim {\n        success\n        results {\n          domain\n          result\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InboundEmails($addressId: ID!, $first: Int!) {\n    inboundEmails(addressId: $addressId, first: $first) {\n      nodes {\n        ...InboundMailFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query InboundEmails($addressId: ID!, $first: Int!) {\n    inboundEmails(addressId: $addressId, first: $first) {\n      nodes {\n        ...InboundMailFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription InboundEmailReceived($addressId: ID!, $after: String) {\n    inboundEmailReceived(addressId: $addressId, after: $after) {\n      ...InboundMailFields\n    }\n  }\n"): (typeof documents)["\n  subscription InboundEmailReceived($addressId: ID!, $after: String) {\n    inboundEmailReceived(addressId: $addressId, after: $after) {\n      ...InboundMailFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SimulateInboundEmail($input: SimulateInboundEmailInput!) {\n    simulateInboundEmail(input: $input) {\n      __typename\n      ... on SimulateInboundEmailPayload {\n        httpStatus\n        email {\n          id\n          subject\n        }\n      }\n      ... on ValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on RateLimitedError {\n        provider\n        retryAfterSeconds\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SimulateInboundEmail($input: SimulateInboundEmailInput!) {\n    simulateInboundEmail(input: $input) {\n      __typename\n      ... on SimulateInboundEmailPayload {\n        httpStatus\n        email {\n          id\n          subject\n        }\n      }\n      ... on ValidationError {\n        issues {\n          path\n          message\n        }\n      }\n      ... on RateLimitedError {\n        provider\n        retryAfterSeconds\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;