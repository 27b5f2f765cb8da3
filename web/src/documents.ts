/**
 * Every GraphQL document of the page, typed by graphql-codegen (codegen.ts writes `./gql/` from these).
 * Fragments shared by a query, a subscription and a mutation make the normalized cache hold one complete copy
 * of each object, whichever operation brought it. Fragments are not nested: the server's depth limit
 * (graphql-armor, 10 levels) counts every spread as a level.
 */
import { graphql } from './gql/index.js';

export const RateLimitsDoc = graphql(`
  query RateLimits {
    rateLimits {
      provider
      limit
      used
      remaining
      windowSeconds
      retryAfterSeconds
      nextCallAt
      resetAt
    }
  }
`);

/**
 * The recipients of a message with their timelines: what a delivery event changes in the cache. The same
 * fields as in `OutboundMessageFields`, written out there rather than spread: the server's depth limit
 * (graphql-armor, 10) counts each fragment spread as a level.
 */
export const RecipientTimelinesDoc = graphql(`
  fragment RecipientTimelines on OutboundMessage {
    messageUuid
    recipients {
      email
      lastEvent
      events {
        kind
        rawKind
        timestamp
        details {
          replyCode
          smtpResponse
          remoteHost
          deliveryStatus
        }
      }
    }
  }
`);

export const OutboundMessageFieldsDoc = graphql(`
  fragment OutboundMessageFields on OutboundMessage {
    id
    messageUuid
    subject
    createdAt
    testMode
    from {
      address
      name
    }
    to {
      address
      name
    }
    recipients {
      email
      lastEvent
      events {
        kind
        rawKind
        timestamp
        details {
          replyCode
          smtpResponse
          remoteHost
          deliveryStatus
        }
      }
    }
  }
`);

export const OutboundMessagesDoc = graphql(`
  query OutboundMessages($first: Int!) {
    outboundMessages(first: $first) {
      nodes {
        ...OutboundMessageFields
      }
    }
  }
`);

export const MessageEventsDoc = graphql(`
  subscription MessageEvents($last: Int) {
    messageEvents(last: $last) {
      cursor
      provider
      messageId
      recipient
      kind
      rawKind
      timestamp
      receivedAt
      details {
        replyCode
        smtpResponse
        remoteHost
        deliveryStatus
      }
    }
  }
`);

export const SendEmailDoc = graphql(`
  mutation SendEmail($input: SendEmailInput!) {
    sendEmail(input: $input) {
      __typename
      ... on SendEmailPayload {
        replayed
        email {
          provider
          messageId
          subject
          testMode
          from {
            address
            name
          }
          to {
            address
            name
          }
          delivery {
            delivered
            queued
            permanentBounces
          }
          outboundMessage {
            ...OutboundMessageFields
          }
        }
      }
      ... on ValidationError {
        issues {
          path
          code
          message
        }
      }
      ... on RateLimitedError {
        provider
        retryAfterSeconds
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const InboundAddressesDoc = graphql(`
  query InboundAddresses {
    inboundAddresses(first: 50) {
      nodes {
        id
        addressId
        emailAddress
        nickname
      }
    }
  }
`);

export const InboundMailFieldsDoc = graphql(`
  fragment InboundMailFields on InboundEmail {
    id
    cursor
    addressId
    subject
    receivedAt
    plain
    from {
      address
      name
    }
    envelope {
      from {
        address
      }
      spf {
        result
        domain
      }
      dkim {
        success
        results {
          domain
          result
        }
      }
    }
  }
`);

export const InboundEmailsDoc = graphql(`
  query InboundEmails($addressId: ID!, $first: Int!) {
    inboundEmails(addressId: $addressId, first: $first) {
      nodes {
        ...InboundMailFields
      }
    }
  }
`);

export const InboundEmailReceivedDoc = graphql(`
  subscription InboundEmailReceived($addressId: ID!, $after: String) {
    inboundEmailReceived(addressId: $addressId, after: $after) {
      ...InboundMailFields
    }
  }
`);

export const SimulateInboundEmailDoc = graphql(`
  mutation SimulateInboundEmail($input: SimulateInboundEmailInput!) {
    simulateInboundEmail(input: $input) {
      __typename
      ... on SimulateInboundEmailPayload {
        httpStatus
        email {
          id
          subject
        }
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
      ... on RateLimitedError {
        provider
        retryAfterSeconds
      }
      ... on Error {
        code
        message
      }
    }
  }
`);
