/**
 * GraphiQL: the operations it opens with (a tour of the graph that runs as-is against the sandbox), and the
 * page itself. The page inlines GraphiQL's whole bundle (about 9 MB), so it is rendered once, compressed
 * once per encoding (brotli, gzip) in the background, and served with an ETag that lets a browser keep it.
 * The renderer is loaded on the first request for the page, not at start-up: holding the bundle costs about
 * 30 MB of heap, which a server nobody opens GraphiQL on should not pay (docs/performance.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EncodedBody, chooseEncoding, sendEncoded } from './http-compression.js';

/** The operations GraphiQL opens with, one tab each: a tour of the graph that runs as-is against the sandbox. */
const EXAMPLES = `# Welcome to mailgraph: one graph over CloudMailin and Cloudflare Email Sending.
# Pick an operation with the play button. In sandbox mode everything runs against demo data.
# Subscriptions (MessageEvents, InboundMail) stream over SSE: POST /graphql, Accept: text/event-stream.
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

subscription MessageEvents {
  # Delivery events of both providers as mailgraph stores them: the kept ones first, then live ones.
  # Run it, then send an email from another tab and watch its events arrive. Resume after an event with
  # messageEvents(after: "<its cursor>"); narrow it with messageId, recipient and kinds.
  messageEvents {
    cursor
    provider
    messageId
    recipient
    kind
    rawKind
    timestamp
    details { replyCode smtpResponse }
    receivedAt
  }
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

subscription InboundMail {
  # Run this, then SimulateInboundEmail in its tab: the mail arrives here as mailgraph stores it.
  inboundEmailReceived(addressId: "aaaa740b4c5c37b1aaaa") {
    cursor
    subject
    from { address name }
    date
    plain
    envelope { from { address } spf { result } tls }
    attachments { fileName contentType size }
    receivedAt
  }
}

mutation SimulateInboundEmail {
  # Sandbox only: the emulator posts this mail to mailgraph's inbound webhook, as CloudMailin would.
  simulateInboundEmail(
    input: {
      addressId: "aaaa740b4c5c37b1aaaa"
      from: "Alice Example <alice@example.net>"
      subject: "Where is my order?"
      text: "Hello, order 42 has not arrived yet."
      attachments: [{ filename: "note.txt", contentType: "text/plain", contentBase64: "aGVsbG8=" }]
    }
  ) {
    __typename
    ... on SimulateInboundEmailPayload {
      httpStatus
      email { id subject attachments { fileName contentBase64 } }
      incomingStatus { subject outcome httpStatus }
    }
    ... on Error { code message }
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
  const [welcome = '', ...operations] = EXAMPLES.split(/\n(?=query |mutation |subscription )/);
  const first = operations.shift() ?? '';
  return [`${welcome.trim()}\n\n${first}`, ...operations].map((query) => ({ query: `${query.trim()}\n` }));
})();

/** What GraphiQL is rendered with. */
export const GRAPHIQL_OPTIONS = {
  title: 'mailgraph',
  // Yoga's GraphiQL puts `query` (not defaultQuery) into the first tab; without it that tab shows its own welcome text.
  query: GRAPHIQL_TABS[0]?.query,
  defaultTabs: GRAPHIQL_TABS,
  // Keys typed into the headers pane stay in the tab, never in the browser's storage.
  shouldPersistHeaders: false,
  // Subscriptions too go as POST (JSON, Accept: text/event-stream): GraphiQL would send them as GET, which
  // the CSRF prevention refuses without a header no simple cross-site request can carry.
  method: 'POST' as const,
};

/** Kept here too: test/graphiql.test.ts and earlier callers import it from this module. */
export { chooseEncoding };

/** Whether a request asks for the GraphiQL page rather than a GraphQL answer (as yoga decides it). */
export function wantsGraphiQL(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

/**
 * Serves the GraphiQL page: rendered on the first request, compressed once per encoding, answered 304 to a
 * browser that has it already. Each encoding has its own strong ETag, as RFC 9110 asks of representations.
 */
export function createGraphiQLPage(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let page: EncodedBody | null = null;
  return async (req, res) => {
    if (!page) {
      const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
      page ??= new EncodedBody(Buffer.from(renderGraphiQL(GRAPHIQL_OPTIONS)));
    }
    await sendEncoded(req, res, page, {
      headers: {
        // Kept, but checked with the ETag each time: a new version is seen at once, an unchanged one costs a 304.
        'cache-control': 'no-cache',
        vary: 'Accept, Accept-Encoding',
      },
      representation: { 'content-type': 'text/html; charset=utf-8' },
    });
  };
}
