/** The operations GraphiQL opens with, one tab each: a tour of the graph that runs as-is against the sandbox. */
const EXAMPLES = `# Welcome to mailgraph: one graph over CloudMailin and Cloudflare Email Sending.
# Pick an operation with the play button. In sandbox mode everything runs against demo data.

query InboundAddresses {
  inboundAddresses(first: 5) {
    __typename
    ... on QueryInboundAddressesConnection {
      edges {
        node {
          id
          emailAddress
          nickname
          targetFormat
          incomingStatuses(first: 5) {
            edges { node { subject from outcome httpStatus receivedAt } }
            pageInfo { hasNextPage endCursor }
          }
          customDomains(first: 3) { edges { node { domain authRegex } } }
        }
      }
    }
    ... on Error { message }
  }
}

query RejectedMail {
  inboundAddresses(first: 1) {
    ... on QueryInboundAddressesConnection {
      edges { node { incomingStatuses(first: 10, query: "status_category:rejected") { edges { node { subject rawStatus } } } } }
    }
  }
}

query OutboundWithEvents {
  outboundMessages(first: 10) {
    __typename
    ... on QueryOutboundMessagesConnection {
      edges {
        node {
          id
          subject
          createdAt
          recipients {
            email
            lastEvent
            events { kind timestamp details { replyCode smtpResponse remoteHost } }
          }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
    ... on RateLimitedError { retryAfterSeconds }
    ... on Error { message }
  }
}

query SendingDomains {
  sendingDomains(first: 10) {
    ... on QuerySendingDomainsConnection {
      edges {
        node {
          id
          provider
          domain
          verified
          dnsRecords { type name value purpose verified }
          ... on CloudflareSendingSubdomain { zoneId enabled }
        }
      }
    }
    ... on Error { message }
  }
}

mutation SendEmail {
  sendEmail(
    input: {
      provider: CLOUDMAILIN
      from: { email: "hello@example.com", name: "mailgraph demo" }
      to: [{ email: "alice@example.net" }]
      subject: "Hello from mailgraph"
      text: "It works."
      tags: ["demo"]
      idempotencyKey: "demo-1"
    }
  ) {
    __typename
    ... on SendEmailPayload { email { messageId testMode outboundMessage { recipients { email lastEvent } } } }
    ... on ValidationError { message issues { path message } }
    ... on Error { message }
  }
}

mutation SendWithCloudflare {
  sendEmail(
    input: {
      provider: CLOUDFLARE
      from: { email: "reports@mail.example.com", name: "Reports" }
      to: [{ email: "alice@example.net" }, { email: "bob@bounce.example.org" }]
      bcc: [{ email: "audit@example.com" }]
      subject: "Monthly report"
      html: "<h1>Hello</h1>"
    }
  ) {
    __typename
    ... on SendEmailPayload { email { messageId delivery { delivered queued permanentBounces } } }
    ... on UnsupportedFieldError { message fields }
    ... on Error { message }
  }
}
`;

/** One tab per operation; the first keeps the welcome comment. */
export const GRAPHIQL_TABS = (() => {
  const [welcome = '', ...operations] = EXAMPLES.split(/\n(?=query |mutation )/);
  const first = operations.shift() ?? '';
  return [`${welcome.trim()}\n\n${first}`, ...operations].map((query) => ({ query: `${query.trim()}\n` }));
})();
