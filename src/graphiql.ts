/** The operations GraphiQL opens with, one tab each: a tour of the graph that runs as-is against the sandbox. */
const EXAMPLES = `# Welcome to mailgraph: one graph over CloudMailin and Cloudflare Email Sending.
# Pick an operation with the play button. In sandbox mode everything runs against demo data.
# Lists are Relay connections (edges or nodes); a read that fails is null with an entry in "errors"
# (extensions.code); mutations answer their payload or an error: "... on Error { code message }".
# extensions.cost says what an operation may cost in upstream calls and what it did cost.

query Dashboard {
  inboundAddresses(first: 20) {
    nodes {
      id
      emailAddress
      nickname
      targetFormat
      incomingStatuses(first: 20) {
        nodes { id subject from { address } outcome httpStatus receivedAt }
        pageInfo { hasNextPage endCursor }
      }
      customDomains(first: 3) { nodes { domain authRegex } }
    }
    pageInfo { hasNextPage endCursor }
  }
  rateLimits { provider remaining limit resetAt }
}

query RejectedMail {
  inboundAddresses(first: 1) {
    nodes {
      emailAddress
      incomingStatuses(first: 10, query: "status_category:rejected") {
        nodes { subject rawStatus from { address } }
      }
    }
  }
}

query OutboundWithEvents {
  outboundMessages(first: 20) {
    nodes {
      id
      subject
      createdAt
      from { address name }
      to { address name }
      recipients {
        email
        lastEvent
        events { kind timestamp details { replyCode smtpResponse remoteHost } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}

query SendingDomains {
  sendingDomains(first: 10) {
    nodes {
      id
      provider
      domain
      verified
      dnsRecords { type name value purpose verified }
      ... on CloudflareSendingSubdomain { zoneId enabled }
    }
  }
}

query RateLimits {
  rateLimits { provider limit used remaining windowSeconds retryAfterSeconds nextCallAt resetAt }
}

mutation SendEmail {
  sendEmail(
    input: {
      provider: CLOUDMAILIN
      from: { email: "hello@example.com", name: "mailgraph demo" }
      to: [{ email: "alice@example.net", name: "Alice" }]
      subject: "Hello from mailgraph"
      text: "It works."
      tags: ["demo"]
      idempotencyKey: "demo-1"
    }
  ) {
    __typename
    ... on SendEmailPayload {
      replayed
      email { messageId testMode to { address name } outboundMessage { recipients { email lastEvent } } }
    }
    ... on ValidationError { issues { path code message } }
    ... on Error { code message providerCode }
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
    ... on ValidationError { issues { path code message } }
    ... on Error { code message providerCode }
  }
}
`;

/** One tab per operation; the first keeps the welcome comment. */
export const GRAPHIQL_TABS = (() => {
  const [welcome = '', ...operations] = EXAMPLES.split(/\n(?=query |mutation )/);
  const first = operations.shift() ?? '';
  return [`${welcome.trim()}\n\n${first}`, ...operations].map((query) => ({ query: `${query.trim()}\n` }));
})();
