/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant in time, as an ISO 8601 string in UTC (e.g. `2026-11-01T12:00:00.000Z`). */
  DateTime: { input: string; output: string; }
  /** A JSON object, passed through with the provider’s own field names (used where the provider does not document the fields). */
  JSONObject: { input: Record<string, unknown>; output: Record<string, unknown>; }
};

/** CloudMailin's virus scan of an attachment (an opt-in feature). */
export type AttachmentScan = {
  __typename?: 'AttachmentScan';
  /** The bytes scanned. */
  contentLength?: Maybe<Scalars['Int']['output']>;
  /** When the scan ran, when reported. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** The file name scanned. */
  fileName?: Maybe<Scalars['String']['output']>;
  /** The scan's id. */
  id?: Maybe<Scalars['String']['output']>;
  /** The signatures found, e.g. `Eicar-Test-Signature`. */
  matches: Array<Scalars['String']['output']>;
  /** MD5 of the file. */
  md5?: Maybe<Scalars['String']['output']>;
  /** SHA-256 of the file (hex). */
  sha256?: Maybe<Scalars['String']['output']>;
  /** `ok`, `found`, `pending` or `failed`. */
  status?: Maybe<Scalars['String']['output']>;
  /** Where the scanned file is stored. */
  url?: Maybe<Scalars['String']['output']>;
};

/** A CloudMailin sending domain (an "outbound domain" in the dashboard). */
export type CloudMailinSendingDomain = Node & SendingDomain & {
  __typename?: 'CloudMailinSendingDomain';
  /** Where the DKIM key is published: `{selector}._domainkey.{domain}`. */
  dkimDomain?: Maybe<Scalars['String']['output']>;
  /** The DKIM TXT record value to publish. */
  dkimPublicRecord?: Maybe<Scalars['String']['output']>;
  /** The DKIM selector. */
  dkimSelector?: Maybe<Scalars['String']['output']>;
  /** Whether the DKIM record was found; null when not checked yet. */
  dkimVerified?: Maybe<Scalars['Boolean']['output']>;
  /** The DNS records to publish, each with its verification state where the provider reports it. Null, with an error, when they could not be loaded. */
  dnsRecords?: Maybe<Array<DnsRecord>>;
  /** The domain name. */
  domain: Scalars['String']['output'];
  /** CloudMailin's own id of the domain. */
  domainId: Scalars['String']['output'];
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
  /** The return-path (MTA) domain, e.g. `mta.example.com`; it needs a CNAME to `requiredCname`. */
  mtaDomain?: Maybe<Scalars['String']['output']>;
  /** The provider that sends for this domain. */
  provider: EmailProvider;
  /** Where the MTA domain must point, e.g. `feedback-smtp.cloudmta.net`. */
  requiredCname?: Maybe<Scalars['String']['output']>;
  /** Whether the return-path CNAME was found; null when not checked yet. */
  returnPathVerified?: Maybe<Scalars['Boolean']['output']>;
  /** Whether SPF passes for the return-path domain; null when not checked yet. */
  spfVerified?: Maybe<Scalars['Boolean']['output']>;
  /** Whether the provider is ready to send from the domain: CloudMailin when DKIM, return path and SPF are verified; Cloudflare when sending is enabled. */
  verified: Scalars['Boolean']['output'];
};

/** A Cloudflare Email Sending subdomain of one of the configured zones. */
export type CloudflareSendingSubdomain = Node & SendingDomain & {
  __typename?: 'CloudflareSendingSubdomain';
  /** When the subdomain was created. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** The DKIM selector used for signing, e.g. `cf-bounce`. */
  dkimSelector?: Maybe<Scalars['String']['output']>;
  /** The DNS records to publish, each with its verification state where the provider reports it. Null, with an error, when they could not be loaded. */
  dnsRecords?: Maybe<Array<DnsRecord>>;
  /** The domain name. */
  domain: Scalars['String']['output'];
  /** Whether Email Sending is enabled on the subdomain. */
  enabled: Scalars['Boolean']['output'];
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
  /** When the subdomain was last changed. */
  modifiedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Whether messages sent from the subdomain can be previewed in Cloudflare’s activity log (`preview_enabled`; change it with `updateSendingDomain`). Null when Cloudflare does not say. */
  previewEnabled?: Maybe<Scalars['Boolean']['output']>;
  /** The provider that sends for this domain. */
  provider: EmailProvider;
  /** The return-path domain used for bounce handling, e.g. `cf-bounce.sub.example.com`. */
  returnPathDomain?: Maybe<Scalars['String']['output']>;
  /** Cloudflare's identifier of the subdomain (its `tag`). */
  subdomainTag: Scalars['String']['output'];
  /** Whether the provider is ready to send from the domain: CloudMailin when DKIM, return path and SPF are verified; Cloudflare when sending is enabled. */
  verified: Scalars['Boolean']['output'];
  /** The Cloudflare zone the subdomain belongs to. */
  zoneId: Scalars['String']['output'];
};

/** A custom domain for an inbound address. Its MX records must already point at CloudMailin. */
export type CreateCustomDomainInput = {
  /** A global id or a CloudMailin address id. */
  addressId: Scalars['ID']['input'];
  /** Accept only recipients matching this regular expression. */
  authRegex?: InputMaybe<Scalars['String']['input']>;
  /** The domain, e.g. `example.com`; `*.example.com` is allowed. */
  domain: Scalars['String']['input'];
  /** A target URL for this domain's mail (not available to all accounts). */
  domainTarget?: InputMaybe<Scalars['String']['input']>;
};

/** The created custom domain, as the provider stored it. */
export type CreateCustomDomainPayload = {
  __typename?: 'CreateCustomDomainPayload';
  /** The domain. */
  customDomain: CustomDomain;
};

/** What `createCustomDomain` answers: its payload, or an expected failure (each implements `Error`). */
export type CreateCustomDomainResult = CreateCustomDomainPayload | NotConfiguredError | NotFoundError | RateLimitedError | UpstreamError | ValidationError;

/** A new inbound address. */
export type CreateInboundAddressInput = {
  /** Optional attachment store settings, as CloudMailin’s address `attachments` object (at most 50 fields, 8 KB). */
  attachmentStore?: InputMaybe<Scalars['JSONObject']['input']>;
  /** An optional short name (at most 100 characters). */
  nickname?: InputMaybe<Scalars['String']['input']>;
  /** The http(s) URL to POST mail to; may embed Basic credentials (`https://user:pass@host/path`). */
  target: Scalars['String']['input'];
  /** The POST format. */
  targetFormat: InboundFormat;
};

/** The created inbound address. */
export type CreateInboundAddressPayload = {
  __typename?: 'CreateInboundAddressPayload';
  /** The address as the provider stored it. */
  address: InboundAddress;
};

/** What `createInboundAddress` answers: its payload, or an expected failure (each implements `Error`). */
export type CreateInboundAddressResult = CreateInboundAddressPayload | NotConfiguredError | NotFoundError | RateLimitedError | UpstreamError | ValidationError;

/** The created sending domain, as the provider stored it. */
export type CreateSendingDomainPayload = {
  __typename?: 'CreateSendingDomainPayload';
  /** The domain. */
  domain: SendingDomain;
};

/** What `createSendingDomain` answers: its payload, or an expected failure (each implements `Error`). */
export type CreateSendingDomainResult = CreateSendingDomainPayload | NotConfiguredError | NotFoundError | RateLimitedError | UpstreamError | ValidationError;

/** A domain of yours whose mail an inbound address receives (its MX records point at CloudMailin). */
export type CustomDomain = Node & {
  __typename?: 'CustomDomain';
  /** The inbound address that receives mail for this domain; null, with an error, when it could not be loaded. */
  address?: Maybe<InboundAddress>;
  /** Only recipients matching this regular expression are accepted; others are rejected. */
  authRegex?: Maybe<Scalars['String']['output']>;
  /** The domain, e.g. `example.com` or `*.example.com`. */
  domain: Scalars['String']['output'];
  /** CloudMailin's own id of the custom domain. */
  domainId: Scalars['String']['output'];
  /** A target URL that replaces the address's target for mail to this domain. */
  domainTarget?: Maybe<Scalars['String']['output']>;
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
};

/** A page of custom domains (Relay connection). Pass `pageInfo.endCursor` as `after` for the next page. */
export type CustomDomainConnection = {
  __typename?: 'CustomDomainConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<CustomDomainEdge>;
  /** The items of this page, without cursors (as `edges { node }`). */
  nodes: Array<CustomDomain>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** One of the custom domains, with its cursor. */
export type CustomDomainEdge = {
  __typename?: 'CustomDomainEdge';
  /** An opaque cursor for this edge, stable while the list grows. */
  cursor: Scalars['String']['output'];
  /** The item at the end of this edge. */
  node: CustomDomain;
};

/** A deleted custom domain. CloudMailin may finish the deletion a little later (202 Accepted). */
export type DeleteCustomDomainPayload = {
  __typename?: 'DeleteCustomDomainPayload';
  /** The domain as it was when deleted. */
  customDomain: CustomDomain;
  /** The global id of the deleted custom domain. */
  deletedId: Scalars['ID']['output'];
};

/** What `deleteCustomDomain` answers: its payload, or an expected failure (each implements `Error`). */
export type DeleteCustomDomainResult = DeleteCustomDomainPayload | NotConfiguredError | NotFoundError | RateLimitedError | UpstreamError | ValidationError;

/** A deleted inbound address. CloudMailin may finish the deletion a little later (202 Accepted). */
export type DeleteInboundAddressPayload = {
  __typename?: 'DeleteInboundAddressPayload';
  /** The address as it was when deleted. */
  address: InboundAddress;
  /** The global id of the deleted address. */
  deletedId: Scalars['ID']['output'];
};

/** What `deleteInboundAddress` answers: its payload, or an expected failure (each implements `Error`). */
export type DeleteInboundAddressResult = DeleteInboundAddressPayload | NotConfiguredError | NotFoundError | RateLimitedError | UpstreamError | ValidationError;

/** A deleted sending domain. CloudMailin may finish the deletion a little later (202 Accepted); Cloudflare disables sending and removes its DNS records. */
export type DeleteSendingDomainPayload = {
  __typename?: 'DeleteSendingDomainPayload';
  /** The global id of the deleted domain. */
  deletedId: Scalars['ID']['output'];
  /** The domain as it was when deleted. */
  domain: SendingDomain;
};

/** What `deleteSendingDomain` answers: its payload, or an expected failure (each implements `Error`). */
export type DeleteSendingDomainResult = DeleteSendingDomainPayload | NotConfiguredError | NotFoundError | RateLimitedError | UpstreamError | ValidationError;

/** A delivery event of one recipient of a sent message, as the provider reported it. */
export type DeliveryEvent = {
  __typename?: 'DeliveryEvent';
  /** Where this event sits in the event log; resume a subscription after it with `after`. */
  cursor: Scalars['String']['output'];
  /** SMTP details, when the event carries them. */
  details?: Maybe<MessageEventDetails>;
  /** What happened. */
  kind: MessageEventKind;
  /** The provider's id of the message (CloudMailin's UUID, or Cloudflare's Message-ID). */
  messageId: Scalars['String']['output'];
  /** The provider that reported the event. */
  provider: EmailProvider;
  /** The kind (CloudMailin) or type (Cloudflare) exactly as the provider sent it. */
  rawKind: Scalars['String']['output'];
  /** When mailgraph stored the event. */
  receivedAt: Scalars['DateTime']['output'];
  /** The recipient it concerns. */
  recipient: Scalars['String']['output'];
  /** When it happened, when the provider says. */
  timestamp?: Maybe<Scalars['DateTime']['output']>;
};

/** What CloudMailin did with a received mail, decided by the target's HTTP status. */
export type DeliveryOutcome =
  /** The target answered 5xx, timed out or was unreachable; the sender will retry (SMTP 450). */
  | 'DELAYED'
  /** The target answered 2xx; the sender got 250. */
  | 'DELIVERED'
  /** The target answered 4xx; the mail bounced back to its sender (SMTP 5xx). */
  | 'REJECTED';

/** One DKIM signature checked. */
export type DkimCheck = {
  __typename?: 'DkimCheck';
  /** The signing domain (`d=`). */
  domain?: Maybe<Scalars['String']['output']>;
  /** e.g. `pass`, `fail`, `none`. */
  result?: Maybe<Scalars['String']['output']>;
  /** The selector (`s=`). */
  selector?: Maybe<Scalars['String']['output']>;
};

/** CloudMailin's DKIM verification (an opt-in feature of the address). */
export type DkimVerification = {
  __typename?: 'DkimVerification';
  /** Each signature checked. */
  results: Array<DkimCheck>;
  /** Whether the verification ran. */
  success?: Maybe<Scalars['Boolean']['output']>;
};

/** CloudMailin's DMARC verification (an opt-in feature of the address). */
export type DmarcVerification = {
  __typename?: 'DmarcVerification';
  /** The DKIM signatures the DMARC check considered. */
  dkimResults: Array<DkimCheck>;
  /** Whether DKIM passed aligned with the From domain. */
  dmarcDkimResult?: Maybe<Scalars['String']['output']>;
  /** Whether SPF passed aligned with the From domain. */
  dmarcSpfResult?: Maybe<Scalars['String']['output']>;
  /** The From domain checked. */
  domain?: Maybe<Scalars['String']['output']>;
  /** The domain's policy, e.g. `quarantine`. */
  policy?: Maybe<Scalars['String']['output']>;
  /** `pass`, `fail`, `none`, `temperror` or `permerror`. */
  result?: Maybe<Scalars['String']['output']>;
  /** The SPF result. */
  spfResult?: Maybe<Scalars['String']['output']>;
  /** Whether the check ran. */
  success?: Maybe<Scalars['Boolean']['output']>;
};

/** A DNS record the domain must publish. */
export type DnsRecord = {
  __typename?: 'DnsRecord';
  /** The fully qualified record name. */
  name: Scalars['String']['output'];
  /** The MX priority; null for other types. */
  priority?: Maybe<Scalars['Int']['output']>;
  /** What the record is for. */
  purpose: DnsRecordPurpose;
  /** The record type as the provider wrote it, e.g. `TXT`. */
  rawType: Scalars['String']['output'];
  /** The record type. */
  type: DnsRecordType;
  /** The record value to publish. */
  value: Scalars['String']['output'];
  /** Whether the provider found the record in DNS: CloudMailin’s verification flags; Cloudflare’s DNS status of the subdomain (false for a record it reports missing or in conflict). Null when the provider does not say. */
  verified?: Maybe<Scalars['Boolean']['output']>;
};

/** What a DNS record is for. */
export type DnsRecordPurpose =
  /** Publishes the key that signs outgoing mail. */
  | 'DKIM'
  /** States the domain’s DMARC policy. */
  | 'DMARC'
  /** Routes mail (bounces, replies) for the domain to the provider. */
  | 'MX'
  /** Something else the provider asks for. */
  | 'OTHER'
  /** Points the bounce (return-path) domain at the provider. */
  | 'RETURN_PATH'
  /** Authorizes the provider to send for the domain. */
  | 'SPF';

/** The type of a DNS record. */
export type DnsRecordType =
  /** An alias to another name. */
  | 'CNAME'
  /** A mail exchanger. */
  | 'MX'
  /** Another type; see `rawType`. */
  | 'OTHER'
  /** A text record. */
  | 'TXT';

/** A mailbox: an address with an optional display name. */
export type EmailAddress = {
  __typename?: 'EmailAddress';
  /** The address, e.g. `alice@example.net`. */
  address: Scalars['String']['output'];
  /** The mailbox as an RFC 5322 header shows it, e.g. `"Alice Example" <alice@example.net>`. */
  formatted: Scalars['String']['output'];
  /** The display name, e.g. `Alice Example`; null when there is none. */
  name?: Maybe<Scalars['String']['output']>;
};

/** A mailbox, optionally with a display name. */
export type EmailAddressInput = {
  /** The address, e.g. `alice@example.com`. */
  email: Scalars['String']['input'];
  /** The display name, e.g. `Alice Example`. */
  name?: InputMaybe<Scalars['String']['input']>;
};

/** A file to attach. With `contentId` it is inline, referenced from HTML as `cid:<contentId>`. */
export type EmailAttachmentInput = {
  /** The file, base64-encoded. */
  contentBase64: Scalars['String']['input'];
  /** Makes the attachment inline under this Content-ID. */
  contentId?: InputMaybe<Scalars['String']['input']>;
  /** The MIME type, e.g. `image/png`. */
  contentType: Scalars['String']['input'];
  /** The file name shown to the recipient. */
  filename: Scalars['String']['input'];
};

/** One header line of a received mail. */
export type EmailHeader = {
  __typename?: 'EmailHeader';
  /** The name as CloudMailin gives it: lower case, `-` as `_` (e.g. `message_id`). */
  name: Scalars['String']['output'];
  /** The value, unfolded onto one line. */
  value: Scalars['String']['output'];
};

/** An extra header, e.g. `X-Campaign: autumn`. */
export type EmailHeaderInput = {
  /** The header name (letters, digits and `-`). */
  name: Scalars['String']['input'];
  /** The header value, on one line. */
  value: Scalars['String']['input'];
};

/** An email provider that mailgraph puts a graph over. */
export type EmailProvider =
  /** Cloudflare Email Sending (sending, sending subdomains and their DNS records). */
  | 'CLOUDFLARE'
  /** CloudMailin (inbound addresses, sending, outbound messages, sending domains). */
  | 'CLOUDMAILIN';

/** An expected failure of a mutation. Every error type implements it, so `... on Error { code message }` handles them all. */
export type Error = {
  /** What kind of failure, from the one documented set (README, "Errors"). */
  code: ErrorCode;
  /** What went wrong, for people. */
  message: Scalars['String']['output'];
  /** The provider's own error code whenever it gave one (e.g. Cloudflare's `10204`, sender not configured); null for mailgraph's own checks. */
  providerCode?: Maybe<Scalars['String']['output']>;
};

/** Why something failed: the same values in `Error.code` (mutations) and in `errors[].extensions.code` (reads and request-level refusals). */
export type ErrorCode =
  /** The HTTP request was refused before GraphQL saw it (media type, Accept header, size); the message says which. */
  | 'BAD_REQUEST'
  /** A variable does not have the type its definition declares. */
  | 'BAD_USER_INPUT'
  /** The provider refused because the object already exists or is in use (HTTP 409). */
  | 'CONFLICT'
  /** The query could cost more upstream calls than the limit; see `extensions.cost`. */
  | 'COST_LIMIT_EXCEEDED'
  /** The subscription cursor is older than the event retention window (MAILGRAPH_EVENT_RETENTION_HOURS): resync, then subscribe without `after`. */
  | 'CURSOR_EXPIRED'
  /** The API key lacks the scope this field needs (read, send or manage). */
  | 'FORBIDDEN'
  /** The document is not valid GraphQL syntax. */
  | 'GRAPHQL_PARSE_FAILED'
  /** The document does not fit the schema, or exceeds a depth, alias or token limit. */
  | 'GRAPHQL_VALIDATION_FAILED'
  /** Something unexpected failed inside mailgraph; the details are in its log, not here. */
  | 'INTERNAL_SERVER_ERROR'
  /** The provider has no credentials for this operation. */
  | 'NOT_CONFIGURED'
  /** The object does not exist, or does not belong to the configured account. */
  | 'NOT_FOUND'
  /** The provider's rate budget is spent and nothing cached could stand in; see `retryAfterSeconds`. */
  | 'RATE_LIMITED'
  /** A send may or may not have been accepted (no answer, a lost connection, a 5xx, an answer that could not be read). Do not resend it blindly: a retry with the same `idempotencyKey` gets this answer again and sends nothing. */
  | 'SEND_OUTCOME_UNKNOWN'
  /** Answering would take more upstream calls than one request may make (for example, finding an object far down a list). */
  | 'TOO_EXPENSIVE'
  /** The API key, or this connection, already holds as many live subscriptions as it may (MAILGRAPH_SUBSCRIPTIONS_PER_KEY, MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION): end one first. */
  | 'TOO_MANY_SUBSCRIPTIONS'
  /** The request carried no API key, or an unknown one (HTTP 401). */
  | 'UNAUTHENTICATED'
  /** The provider's credentials lack a permission (HTTP 403). */
  | 'UPSTREAM_FORBIDDEN'
  /** The provider answered something mailgraph could not read. */
  | 'UPSTREAM_MALFORMED_RESPONSE'
  /** The provider could not be reached. A write may or may not have happened. */
  | 'UPSTREAM_NETWORK'
  /** The provider's answer exceeded MAILGRAPH_UPSTREAM_MAX_BYTES. */
  | 'UPSTREAM_RESPONSE_TOO_LARGE'
  /** The provider failed (HTTP 5xx). A write may or may not have happened. */
  | 'UPSTREAM_SERVER_ERROR'
  /** The provider did not answer in time. A write may or may not have happened. */
  | 'UPSTREAM_TIMEOUT'
  /** The provider refused mailgraph's credentials (HTTP 401). */
  | 'UPSTREAM_UNAUTHORIZED'
  /** The provider answered an HTTP status its API does not document for this call. */
  | 'UPSTREAM_UNEXPECTED_STATUS'
  /** An input was refused; `issues` lists every problem at once. */
  | 'VALIDATION_FAILED';

/** A CloudMailin inbound address: mail sent to `emailAddress` (or to its custom domains) is POSTed to `target`. */
export type InboundAddress = Node & {
  __typename?: 'InboundAddress';
  /** CloudMailin's own id of the address. */
  addressId: Scalars['String']['output'];
  /** Where CloudMailin stores attachments instead of embedding them in the POST (S3, Azure, Google Cloud Storage…): CloudMailin’s address `attachments` object, with its own field names. Secrets in it (keys, passwords, tokens, signatures, a URL’s password or signature) are shown as `****`. Null when no store is configured. */
  attachmentStore?: Maybe<Scalars['JSONObject']['output']>;
  /** The custom domains of this address; null, with an error, when they could not be loaded. */
  customDomains?: Maybe<CustomDomainConnection>;
  /** The address that receives mail: `{addressId}@cloudmailin.net`. */
  emailAddress: Scalars['String']['output'];
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
  /** Mail received by this address, newest first (see `Query.incomingStatuses`); null, with an error, when it could not be loaded. */
  incomingStatuses?: Maybe<IncomingStatusConnection>;
  /** A short name to tell addresses apart. */
  nickname?: Maybe<Scalars['String']['output']>;
  /** Where received mail is POSTed. A password embedded in the URL is shown as `****`. */
  target?: Maybe<Scalars['String']['output']>;
  /** The format of the POST; null if the provider reports a format this API does not know. */
  targetFormat?: Maybe<InboundFormat>;
};


/** A CloudMailin inbound address: mail sent to `emailAddress` (or to its custom domains) is POSTed to `target`. */
export type InboundAddressCustomDomainsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};


/** A CloudMailin inbound address: mail sent to `emailAddress` (or to its custom domains) is POSTed to `target`. */
export type InboundAddressIncomingStatusesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};

/** A page of inbound addresses (Relay connection). Pass `pageInfo.endCursor` as `after` for the next page. */
export type InboundAddressConnection = {
  __typename?: 'InboundAddressConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<InboundAddressEdge>;
  /** The items of this page, without cursors (as `edges { node }`). */
  nodes: Array<InboundAddress>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** One of the inbound addresses, with its cursor. */
export type InboundAddressEdge = {
  __typename?: 'InboundAddressEdge';
  /** An opaque cursor for this edge, stable while the list grows. */
  cursor: Scalars['String']['output'];
  /** The item at the end of this edge. */
  node: InboundAddress;
};

/** A file attached to a received mail: posted inside the mail (its content is here) or stored by CloudMailin (`url`). */
export type InboundAttachment = {
  __typename?: 'InboundAttachment';
  /** The file itself, base64; null when none was posted (see `url`). At most 16777216 bytes of contents per request (`TOO_EXPENSIVE` past that). */
  contentBase64?: Maybe<Scalars['String']['output']>;
  /** The Content-ID an inline file is referenced by (`cid:`). */
  contentId?: Maybe<Scalars['String']['output']>;
  /** Bytes of content mailgraph holds; null when none was posted (a `url` attachment). */
  contentSize?: Maybe<Scalars['Int']['output']>;
  /** The MIME type, e.g. `image/png`. */
  contentType?: Maybe<Scalars['String']['output']>;
  /** `attachment` or `inline`; null when not sent (multipart files). */
  disposition?: Maybe<Scalars['String']['output']>;
  /** The file name. */
  fileName?: Maybe<Scalars['String']['output']>;
  /** The virus scan result, when the address scans attachments. */
  scan?: Maybe<AttachmentScan>;
  /** SHA-256 (base64url) of the content mailgraph holds; null when none was posted. */
  sha256?: Maybe<Scalars['String']['output']>;
  /** The size in bytes, as CloudMailin reports it (else the content held). */
  size?: Maybe<Scalars['Int']['output']>;
  /** Where CloudMailin's attachment store put the file (then no content was posted). */
  url?: Maybe<Scalars['String']['output']>;
};

/** A mail CloudMailin received and posted to mailgraph's inbound webhook, as stored in the event log (kept for the event retention). */
export type InboundEmail = Node & {
  __typename?: 'InboundEmail';
  /** The CloudMailin address that received it (the webhook URL's `?address=`, or a `<id>@cloudmailin.net` recipient); null when unknown. */
  addressId?: Maybe<Scalars['String']['output']>;
  /** The attachments, with their metadata; `contentBase64` fetches one's content. */
  attachments: Array<InboundAttachment>;
  /** The Cc header. */
  cc: Array<EmailAddress>;
  /** Where this mail sits in the event log; resume `inboundEmailReceived` after it with `after`. */
  cursor: Scalars['String']['output'];
  /** The Date header (the sender's clock); null when missing or unreadable. */
  date?: Maybe<Scalars['DateTime']['output']>;
  /** The SMTP envelope and the checks CloudMailin made. */
  envelope: InboundEnvelope;
  /** How CloudMailin posted it. */
  format: InboundFormat;
  /** The From header. */
  from?: Maybe<EmailAddress>;
  /** The headers, in order; a repeated header (e.g. `received`) once per line, topmost first. */
  headers: Array<EmailHeader>;
  /** The HTML body. */
  html?: Maybe<Scalars['String']['output']>;
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
  /** The Message-ID header, without angle brackets. */
  messageId?: Maybe<Scalars['String']['output']>;
  /** The plain-text body. */
  plain?: Maybe<Scalars['String']['output']>;
  /** When mailgraph stored it. */
  receivedAt: Scalars['DateTime']['output'];
  /** The reply alone, without the quoted message, when CloudMailin could tell it apart. */
  replyPlain?: Maybe<Scalars['String']['output']>;
  /** The Reply-To header. */
  replyTo: Array<EmailAddress>;
  /** The Subject header. */
  subject?: Maybe<Scalars['String']['output']>;
  /** The To header (the envelope may differ: see `envelope`). */
  to: Array<EmailAddress>;
};


/** A mail CloudMailin received and posted to mailgraph's inbound webhook, as stored in the event log (kept for the event retention). */
export type InboundEmailHeadersArgs = {
  name?: InputMaybe<Scalars['String']['input']>;
};

/** A page of received mails (Relay connection). Pass `pageInfo.endCursor` as `after` for the next page. */
export type InboundEmailConnection = {
  __typename?: 'InboundEmailConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<InboundEmailEdge>;
  /** The items of this page, without cursors (as `edges { node }`). */
  nodes: Array<InboundEmail>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** One of the received mails, with its cursor. */
export type InboundEmailEdge = {
  __typename?: 'InboundEmailEdge';
  /** An opaque cursor for this edge, stable while the list grows. */
  cursor: Scalars['String']['output'];
  /** The item at the end of this edge. */
  node: InboundEmail;
};

/** The SMTP transaction that delivered the mail to CloudMailin, and the checks it made. */
export type InboundEnvelope = {
  __typename?: 'InboundEnvelope';
  /** The DKIM verification, when the address has it on. */
  dkim?: Maybe<DkimVerification>;
  /** The DMARC verification, when the address has it on. */
  dmarc?: Maybe<DmarcVerification>;
  /** The SMTP sender (MAIL FROM); null for a bounce (`<>`). */
  from?: Maybe<EmailAddress>;
  /** The name the sending server gave in HELO/EHLO. */
  heloDomain?: Maybe<Scalars['String']['output']>;
  /** MD5 digest of the message, when reported. */
  md5?: Maybe<Scalars['String']['output']>;
  /** Every recipient of the SMTP transaction (RCPT TO). */
  recipients: Array<EmailAddress>;
  /** The sending server's IP address. */
  remoteIp?: Maybe<Scalars['String']['output']>;
  /** The spam check, when the address has it on. */
  spam?: Maybe<SpamCheck>;
  /** The SPF check. */
  spf?: Maybe<SpfCheck>;
  /** Where CloudMailin stored the whole message, when the address stores it. */
  storeUrl?: Maybe<Scalars['String']['output']>;
  /** Whether the SMTP session was encrypted. */
  tls?: Maybe<Scalars['Boolean']['output']>;
  /** The TLS version or cipher, e.g. `TLSv1.3`, when reported. */
  tlsCipher?: Maybe<Scalars['String']['output']>;
  /** The recipient this POST is for (CloudMailin posts once per recipient). */
  to?: Maybe<EmailAddress>;
};

/** How CloudMailin POSTs received mail to the target. */
export type InboundFormat =
  /** JSON Normalized (`json+n`), `application/json`. */
  | 'JSON_NORMALIZED'
  /** Multipart Normalized (`multipart+n`), `multipart/form-data`. */
  | 'MULTIPART_NORMALIZED';

/** A mail received by an inbound address and what happened when it was POSTed to the target. */
export type IncomingStatus = Node & {
  __typename?: 'IncomingStatus';
  /** The inbound address that received the mail; null, with an error, when it could not be loaded. */
  address?: Maybe<InboundAddress>;
  /** The SMTP envelope sender (no display name); null for a bounce (`<>`). */
  from?: Maybe<EmailAddress>;
  /** The target's HTTP status code, or null when there was none (e.g. `client_timeout`). */
  httpStatus?: Maybe<Scalars['Int']['output']>;
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
  /** MD5 digest of the message, when reported. */
  md5?: Maybe<Scalars['String']['output']>;
  /** The Message-ID header, without angle brackets. */
  messageId?: Maybe<Scalars['String']['output']>;
  /** Delivered, rejected or delayed, decoded from `rawStatus`. */
  outcome: DeliveryOutcome;
  /** The status as CloudMailin reports it: an HTTP code or a server status such as `client_timeout`. */
  rawStatus?: Maybe<Scalars['String']['output']>;
  /** When CloudMailin received the mail. */
  receivedAt?: Maybe<Scalars['DateTime']['output']>;
  /** CloudMailin's own id of this status. */
  statusId: Scalars['String']['output'];
  /** The subject line. */
  subject?: Maybe<Scalars['String']['output']>;
  /** The TLS version the sending server used (e.g. `TLSv1.3`), or null without TLS. */
  tls?: Maybe<Scalars['String']['output']>;
  /** The SMTP envelope recipient (no display name). */
  to?: Maybe<EmailAddress>;
};

/** A page of incoming statuses (Relay connection). Pass `pageInfo.endCursor` as `after` for the next page. */
export type IncomingStatusConnection = {
  __typename?: 'IncomingStatusConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<IncomingStatusEdge>;
  /** The items of this page, without cursors (as `edges { node }`). */
  nodes: Array<IncomingStatus>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** One of the incoming statuses, with its cursor. */
export type IncomingStatusEdge = {
  __typename?: 'IncomingStatusEdge';
  /** An opaque cursor for this edge, stable while the list grows. */
  cursor: Scalars['String']['output'];
  /** The item at the end of this edge. */
  node: IncomingStatus;
};

/** One step in the delivery of a message to one recipient. */
export type MessageEvent = {
  __typename?: 'MessageEvent';
  /** SMTP details, when the event carries them. */
  details?: Maybe<MessageEventDetails>;
  /** What happened. */
  kind: MessageEventKind;
  /** The kind exactly as CloudMailin reported it. */
  rawKind: Scalars['String']['output'];
  /** When it happened. */
  timestamp?: Maybe<Scalars['DateTime']['output']>;
};

/** What the recipient's server said, when the event carries it. */
export type MessageEventDetails = {
  __typename?: 'MessageEventDetails';
  /** Who reported the event, e.g. `DSN`. */
  agent?: Maybe<Scalars['String']['output']>;
  /** The enhanced status code, e.g. `2.0.0`. */
  deliveryStatus?: Maybe<Scalars['String']['output']>;
  /** The recipient's mail server, e.g. `aspmx.l.google.com`. */
  remoteHost?: Maybe<Scalars['String']['output']>;
  /** The SMTP reply code, e.g. `250`. */
  replyCode?: Maybe<Scalars['String']['output']>;
  /** The full SMTP response line. */
  smtpResponse?: Maybe<Scalars['String']['output']>;
};

/** The kind of a delivery event, as CloudMailin documents them; Cloudflare's event types map onto them (`message.delivered` is DELIVERY, `deferred` SOFT_BOUNCE, `bounced` BOUNCE, `failed` ERROR, `rejected` SUPPRESSED, `complained` COMPLAINT). */
export type MessageEventKind =
  /** An automatic reply came back. */
  | 'AUTO_REPLY'
  /** The message bounced permanently. */
  | 'BOUNCE'
  /** A bounce message came back. */
  | 'BOUNCE_REPLY'
  /** The recipient clicked a link. */
  | 'CLICK'
  /** The recipient marked the message as spam (Cloudflare `message.complained`). */
  | 'COMPLAINT'
  /** The recipient's server accepted the message. */
  | 'DELIVERY'
  /** A delivery attempt to the recipient server started. */
  | 'DISPATCH'
  /** A temporary failure during dispatch; delivery will be retried. */
  | 'DISPATCH_SOFT_BOUNCE'
  /** An error stopped delivery. */
  | 'ERROR'
  /** The recipient opened the message. */
  | 'OPEN'
  /** A kind this API does not know yet; see `rawKind`. */
  | 'OTHER'
  /** Sending was slowed down by a rate limit. */
  | 'RATE_LIMIT'
  /** The recipient read the message. */
  | 'READ'
  /** The message was accepted and queued. */
  | 'REGISTRATION'
  /** Delivery was given up after all retries. */
  | 'RETRIES_EXHAUSTED'
  /** A temporary failure; delivery will be retried. */
  | 'SOFT_BOUNCE'
  /** The message was not sent to this recipient (suppression list or spam check). */
  | 'SUPPRESSED';

/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Adds a custom domain to an inbound address. */
  createCustomDomain: CreateCustomDomainResult;
  /** Creates a CloudMailin inbound address. */
  createInboundAddress: CreateInboundAddressResult;
  /** Adds a sending domain. CloudMailin: publish its `dnsRecords`, then call `verifySendingDomain`. Cloudflare: the subdomain must lie within the zone, whose DNS Cloudflare writes itself. */
  createSendingDomain: CreateSendingDomainResult;
  /** Removes a custom domain from its inbound address. */
  deleteCustomDomain: DeleteCustomDomainResult;
  /** Deletes an inbound address. */
  deleteInboundAddress: DeleteInboundAddressResult;
  /** Removes a sending domain (CloudMailin) or disables sending on a subdomain (Cloudflare). */
  deleteSendingDomain: DeleteSendingDomainResult;
  /** Sends a message through the chosen provider. */
  sendEmail: SendEmailResult;
  /** Sends a complete RFC 5322 message through the chosen provider. */
  sendRawEmail: SendRawEmailResult;
  /** Sandbox mode only: a mail reaches an emulated inbound address, and the emulator POSTs it to mailgraph's inbound webhook as CloudMailin would, then records its incoming status. Answers NOT_CONFIGURED outside sandbox mode. */
  simulateInboundEmail: SimulateInboundEmailResult;
  /** Changes an inbound address (CloudMailin replaces it whole; omitted fields are kept). */
  updateInboundAddress: UpdateInboundAddressResult;
  /** Changes a sending domain’s settings: a Cloudflare subdomain’s activity-log preview (`PATCH`, the one setting Cloudflare documents as writable). */
  updateSendingDomain: UpdateSendingDomainResult;
  /** Asks CloudMailin to check the DNS records of a sending domain now. (Cloudflare checks its subdomains itself.) */
  verifySendingDomain: VerifySendingDomainResult;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationCreateCustomDomainArgs = {
  input: CreateCustomDomainInput;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationCreateInboundAddressArgs = {
  input: CreateInboundAddressInput;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationCreateSendingDomainArgs = {
  domain: Scalars['String']['input'];
  provider: EmailProvider;
  zoneId?: InputMaybe<Scalars['ID']['input']>;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationDeleteCustomDomainArgs = {
  id: Scalars['ID']['input'];
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationDeleteInboundAddressArgs = {
  id: Scalars['ID']['input'];
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationDeleteSendingDomainArgs = {
  id: Scalars['ID']['input'];
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationSendEmailArgs = {
  input: SendEmailInput;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationSendRawEmailArgs = {
  input: SendRawEmailInput;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationSimulateInboundEmailArgs = {
  input: SimulateInboundEmailInput;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationUpdateInboundAddressArgs = {
  input: UpdateInboundAddressInput;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationUpdateSendingDomainArgs = {
  input: UpdateSendingDomainInput;
};


/** Changes to provider resources, and sending mail. Each returns a `<Field>Result` union: its payload, or an error implementing `Error`. */
export type MutationVerifySendingDomainArgs = {
  id: Scalars['ID']['input'];
};

/** An object with a global identity, fetchable through `node(id:)`. */
export type Node = {
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
};

/** The provider has no credentials configured for this operation. */
export type NotConfiguredError = Error & {
  __typename?: 'NotConfiguredError';
  /** What kind of failure, from the one documented set (README, "Errors"). */
  code: ErrorCode;
  /** What went wrong, for people. */
  message: Scalars['String']['output'];
  /** The provider lacking credentials. */
  provider: EmailProvider;
  /** The provider's own error code whenever it gave one (e.g. Cloudflare's `10204`, sender not configured); null for mailgraph's own checks. */
  providerCode?: Maybe<Scalars['String']['output']>;
};

/** The object does not exist, or does not belong to the configured account. */
export type NotFoundError = Error & {
  __typename?: 'NotFoundError';
  /** What kind of failure, from the one documented set (README, "Errors"). */
  code: ErrorCode;
  /** What went wrong, for people. */
  message: Scalars['String']['output'];
  /** The provider's own error code whenever it gave one (e.g. Cloudflare's `10204`, sender not configured); null for mailgraph's own checks. */
  providerCode?: Maybe<Scalars['String']['output']>;
  /** The GraphQL type looked for, e.g. `InboundAddress` or `CloudflareSendingSubdomain` (or `CloudflareZone`, `CloudflareAccount`, `OutboundAccount` for provider objects this graph has no type for). */
  resource: Scalars['String']['output'];
  /** The provider's id of the object looked for (the local part of a global id). */
  resourceId: Scalars['String']['output'];
};

/** A message sent through CloudMailin, by API or SMTP. */
export type OutboundMessage = Node & {
  __typename?: 'OutboundMessage';
  /** The Cc recipients. */
  cc: Array<EmailAddress>;
  /** When CloudMailin accepted the message. */
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  /** The sender (From). */
  from?: Maybe<EmailAddress>;
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
  /** The Message-ID header, e.g. `<uuid@cloudmta.net>`. */
  messageIdHeader?: Maybe<Scalars['String']['output']>;
  /** CloudMailin's id of the message (a UUID). */
  messageUuid: Scalars['String']['output'];
  /** Each recipient with its delivery events. */
  recipients: Array<OutboundRecipient>;
  /** The subject line. */
  subject?: Maybe<Scalars['String']['output']>;
  /** Tags given when sending. */
  tags: Array<Scalars['String']['output']>;
  /** Whether it was sent in test mode (validated, not delivered). */
  testMode: Scalars['Boolean']['output'];
  /** The To recipients. */
  to: Array<EmailAddress>;
};

/** A page of outbound messages (Relay connection). Pass `pageInfo.endCursor` as `after` for the next page. */
export type OutboundMessageConnection = {
  __typename?: 'OutboundMessageConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<OutboundMessageEdge>;
  /** The items of this page, without cursors (as `edges { node }`). */
  nodes: Array<OutboundMessage>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** One of the outbound messages, with its cursor. */
export type OutboundMessageEdge = {
  __typename?: 'OutboundMessageEdge';
  /** An opaque cursor for this edge, stable while the list grows. */
  cursor: Scalars['String']['output'];
  /** The item at the end of this edge. */
  node: OutboundMessage;
};

/** One recipient of an outbound message and how delivery to them went. */
export type OutboundRecipient = {
  __typename?: 'OutboundRecipient';
  /** The recipient address. */
  email: Scalars['String']['output'];
  /** Every event so far, oldest first (internal events such as spam checks are left out). Null, with an error in `errors`, when the history could not be loaded. */
  events?: Maybe<Array<MessageEvent>>;
  /** The latest event so far. */
  lastEvent?: Maybe<MessageEventKind>;
};

/** Where a page of a connection sits in the whole list. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor of the last item of this page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether at least one more item follows this page (exact: never true before an empty page). */
  hasNextPage: Scalars['Boolean']['output'];
  /** Whether items precede this page (true when `after` was given). */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The cursor of the first item of this page. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type Query = {
  __typename?: 'Query';
  /** The custom domains of an inbound address. */
  customDomains?: Maybe<CustomDomainConnection>;
  /** One inbound address, by global id or CloudMailin address id; null when it does not exist. */
  inboundAddress?: Maybe<InboundAddress>;
  /** The CloudMailin inbound addresses of the account. */
  inboundAddresses?: Maybe<InboundAddressConnection>;
  /** Mail received by an inbound address and stored by mailgraph's inbound webhook, newest first (for the event retention). Reads mailgraph's log: no upstream call. */
  inboundEmails?: Maybe<InboundEmailConnection>;
  /** Mail received by an inbound address, newest first. Cursors stay valid while new mail arrives: no row is repeated or skipped. */
  incomingStatuses?: Maybe<IncomingStatusConnection>;
  /** Fetches any object by its global id: the object, or null when it no longer exists. When it cannot be looked up now, null with an error in `errors[]` says why. */
  node?: Maybe<Node>;
  /** Fetches several objects by their global ids (at most 100), in the order given; each is null when it does not exist. */
  nodes: Array<Maybe<Node>>;
  /** One outbound message with the full event history of each recipient; null when it does not exist. */
  outboundMessage?: Maybe<OutboundMessage>;
  /** Messages sent through CloudMailin, newest first. */
  outboundMessages?: Maybe<OutboundMessageConnection>;
  /** The upstream call budget of each configured provider, now. Costs no upstream call; poll it to pace a dashboard. */
  rateLimits: Array<RateLimit>;
  /** One sending domain of either provider, by global id (or CloudMailin domain id); null when it does not exist. */
  sendingDomain?: Maybe<SendingDomain>;
  /** Sending domains of one provider, or of every configured provider when `provider` is omitted (CloudMailin first). */
  sendingDomains?: Maybe<SendingDomainConnection>;
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryCustomDomainsArgs = {
  addressId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryInboundAddressArgs = {
  id: Scalars['ID']['input'];
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryInboundAddressesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryInboundEmailsArgs = {
  addressId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryIncomingStatusesArgs = {
  addressId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryOutboundMessageArgs = {
  id: Scalars['ID']['input'];
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QueryOutboundMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QuerySendingDomainArgs = {
  id: Scalars['ID']['input'];
};


/** Reads across CloudMailin and Cloudflare Email Sending. A field that could not be read is null, with an entry in `errors[]` carrying `extensions.code`. */
export type QuerySendingDomainsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  provider?: InputMaybe<EmailProvider>;
  query?: InputMaybe<Scalars['String']['input']>;
};

/** mailgraph's budget of upstream calls for one provider: a sliding window that keeps it under the provider's documented limit. Answers served from cache cost nothing. */
export type RateLimit = {
  __typename?: 'RateLimit';
  /** Calls allowed per window (CloudMailin management API: 5 per 61 s; Cloudflare: 1200 per 301 s); null when no budget is kept. */
  limit?: Maybe<Scalars['Int']['output']>;
  /** When the next upstream call may start (now, when one may start at once). */
  nextCallAt: Scalars['DateTime']['output'];
  /** Whose budget. */
  provider: EmailProvider;
  /** Calls that may start now without waiting (0 while the provider has said 429); null without a budget. */
  remaining?: Maybe<Scalars['Int']['output']>;
  /** When the whole budget is back (every call of the window has left it). */
  resetAt: Scalars['DateTime']['output'];
  /** Seconds until the next upstream call may start; 0 when one may start now. */
  retryAfterSeconds: Scalars['Int']['output'];
  /** Calls made (or reserved by waiting requests) within the window. */
  used: Scalars['Int']['output'];
  /** The length of the sliding window, in seconds. */
  windowSeconds: Scalars['Int']['output'];
};

/** The provider's rate budget is spent and no cached answer could stand in. Retry after `retryAfterSeconds`; `Query.rateLimits` shows the budgets. */
export type RateLimitedError = Error & {
  __typename?: 'RateLimitedError';
  /** What kind of failure, from the one documented set (README, "Errors"). */
  code: ErrorCode;
  /** What went wrong, for people. */
  message: Scalars['String']['output'];
  /** Whose budget is spent. */
  provider: EmailProvider;
  /** The provider's own error code whenever it gave one (e.g. Cloudflare's `10204`, sender not configured); null for mailgraph's own checks. */
  providerCode?: Maybe<Scalars['String']['output']>;
  /** Seconds until a call can be made again. */
  retryAfterSeconds: Scalars['Int']['output'];
};

/** Who refused an input. */
export type Refuser =
  /** Cloudflare Email Sending (HTTP 400, or 409 for a conflicting input). */
  | 'CLOUDFLARE'
  /** CloudMailin (HTTP 422). */
  | 'CLOUDMAILIN'
  /** mailgraph, before calling any provider. */
  | 'MAILGRAPH';

/** Cloudflare's immediate outcome per recipient (CloudMailin reports delivery through events). */
export type SendDelivery = {
  __typename?: 'SendDelivery';
  /** Recipients whose server accepted the message. */
  delivered: Array<Scalars['String']['output']>;
  /** Recipients whose server refused the message for good. */
  permanentBounces: Array<Scalars['String']['output']>;
  /** Recipients whose delivery will be retried. */
  queued: Array<Scalars['String']['output']>;
};

/** A message to send, to either provider. At least one of `text`, `html` or `markdown` is required. A field the chosen provider cannot honour is refused, with every other problem, in one `ValidationError` (issue code UNSUPPORTED_FIELD). */
export type SendEmailInput = {
  /** Files to attach, inline ones included. */
  attachments?: InputMaybe<Array<EmailAttachmentInput>>;
  /** Blind-copy recipients (Cloudflare only). */
  bcc?: InputMaybe<Array<EmailAddressInput>>;
  /** Carbon-copy recipients. */
  cc?: InputMaybe<Array<EmailAddressInput>>;
  /** The sender; its domain must be a verified sending domain. */
  from: EmailAddressInput;
  /** Extra headers. */
  headers?: InputMaybe<Array<EmailHeaderInput>>;
  /** The HTML body. */
  html?: InputMaybe<Scalars['String']['input']>;
  /** Retrying with the same key and input returns the first answer (`replayed: true`) instead of sending again: the accepted message, or `SendOutcomeUnknownError` when the first attempt could not tell whether the provider took it. A send that certainly failed (refused before the call, or a 4xx) frees the key. The same key with another input is refused. Keys are kept 24 hours, per API key. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /** CloudMailin only: a Markdown body, converted to HTML (and to text when `text` is absent). */
  markdown?: InputMaybe<Scalars['String']['input']>;
  /** CloudMailin only: delivery priority. */
  priority?: InputMaybe<SendPriority>;
  /** Which provider sends it. */
  provider: EmailProvider;
  /** Where replies should go. */
  replyTo?: InputMaybe<EmailAddressInput>;
  /** The subject line: at most 998 characters, one line without control characters. */
  subject: Scalars['String']['input'];
  /** CloudMailin only: tags to find the message by later. */
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  /** CloudMailin only: validate without delivering. */
  testMode?: InputMaybe<Scalars['Boolean']['input']>;
  /** The plain-text body. */
  text?: InputMaybe<Scalars['String']['input']>;
  /** The To recipients (CloudMailin needs at least one; Cloudflare needs one in to, cc or bcc). */
  to: Array<EmailAddressInput>;
};

/** The accepted message (of `sendEmail` or `sendRawEmail`). */
export type SendEmailPayload = {
  __typename?: 'SendEmailPayload';
  /** The accepted message. */
  email: SentEmail;
  /** True when this `idempotencyKey` was used before with the same input: this is the first answer again, and nothing was sent now. */
  replayed: Scalars['Boolean']['output'];
};

/** What `sendEmail` answers: its payload, or an expected failure (each implements `Error`). */
export type SendEmailResult = NotConfiguredError | NotFoundError | RateLimitedError | SendEmailPayload | SendOutcomeUnknownError | UpstreamError | ValidationError;

/** A send whose outcome is unknown: the provider may have accepted the message, or not. Sending it again could deliver it twice, so check first (for CloudMailin, `outboundMessages`). Its `idempotencyKey` stays bound to this answer for 24 hours: a retry with the same key gets it again, with `replayed: true`, and nothing is sent. */
export type SendOutcomeUnknownError = Error & {
  __typename?: 'SendOutcomeUnknownError';
  /** What kind of failure, from the one documented set (README, "Errors"). */
  code: ErrorCode;
  /** What went wrong, for people. */
  message: Scalars['String']['output'];
  /** The provider the message was sent to. */
  provider: EmailProvider;
  /** The provider's own error code whenever it gave one (e.g. Cloudflare's `10204`, sender not configured); null for mailgraph's own checks. */
  providerCode?: Maybe<Scalars['String']['output']>;
  /** What left the outcome unknown: `UPSTREAM_TIMEOUT`, `UPSTREAM_NETWORK`, `UPSTREAM_SERVER_ERROR`, `UPSTREAM_MALFORMED_RESPONSE`, `UPSTREAM_RESPONSE_TOO_LARGE`, `UPSTREAM_UNEXPECTED_STATUS`, or `INTERNAL_SERVER_ERROR` for a fault inside mailgraph. Null when an earlier attempt with this key never recorded how it ended. */
  reason?: Maybe<ErrorCode>;
  /** True when this is the answer of an earlier attempt with the same `idempotencyKey`, given again without calling the provider. */
  replayed: Scalars['Boolean']['output'];
  /** The HTTP status of the answer that could not be trusted; null when no answer came. */
  status?: Maybe<Scalars['Int']['output']>;
};

/** Delivery priority (CloudMailin). */
export type SendPriority =
  /** Digest mail; CloudMailin requires this class for it. */
  | 'DIGEST'
  /** Time-critical mail, sent first. */
  | 'PRIORITY'
  /** Normal transactional mail. */
  | 'STANDARD';

/** A complete RFC 5322 message to send as it is. Its one From header must be the mailbox of `from`, and its To header must list exactly the addresses of `to` (case aside). */
export type SendRawEmailInput = {
  /** Blind-copy recipients (Cloudflare only). */
  bcc?: InputMaybe<Array<EmailAddressInput>>;
  /** Carbon-copy recipients. */
  cc?: InputMaybe<Array<EmailAddressInput>>;
  /** The envelope sender. */
  from: EmailAddressInput;
  /** As for `sendEmail`: retrying with the same key and input returns the first answer (`replayed: true`), also when it was `SendOutcomeUnknownError`, instead of sending again. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /** Which provider sends it. */
  provider: EmailProvider;
  /** The whole message: headers, a blank line, the body. */
  raw: Scalars['String']['input'];
  /** CloudMailin only: a subject that overrides the message's own Subject header (at most 998 characters, one line). */
  subject?: InputMaybe<Scalars['String']['input']>;
  /** CloudMailin only: tags to find the message by later. */
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  /** CloudMailin only: validate without delivering. */
  testMode?: InputMaybe<Scalars['Boolean']['input']>;
  /** The envelope recipients. */
  to: Array<EmailAddressInput>;
};

/** What `sendRawEmail` answers: its payload, or an expected failure (each implements `Error`). */
export type SendRawEmailResult = NotConfiguredError | NotFoundError | RateLimitedError | SendEmailPayload | SendOutcomeUnknownError | UpstreamError | ValidationError;

/** A domain mail is sent from, at any provider, with the DNS records that authenticate it. */
export type SendingDomain = {
  /** The DNS records to publish, each with its verification state where the provider reports it. Null, with an error, when they could not be loaded. */
  dnsRecords?: Maybe<Array<DnsRecord>>;
  /** The domain name. */
  domain: Scalars['String']['output'];
  /** The global id of this object (opaque; use it with `node(id:)`). */
  id: Scalars['ID']['output'];
  /** The provider that sends for this domain. */
  provider: EmailProvider;
  /** Whether the provider is ready to send from the domain: CloudMailin when DKIM, return path and SPF are verified; Cloudflare when sending is enabled. */
  verified: Scalars['Boolean']['output'];
};

/** A page of sending domains (Relay connection). Pass `pageInfo.endCursor` as `after` for the next page. */
export type SendingDomainConnection = {
  __typename?: 'SendingDomainConnection';
  /** The items of this page, each with its cursor. */
  edges: Array<SendingDomainEdge>;
  /** The items of this page, without cursors (as `edges { node }`). */
  nodes: Array<SendingDomain>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** One of the sending domains, with its cursor. */
export type SendingDomainEdge = {
  __typename?: 'SendingDomainEdge';
  /** An opaque cursor for this edge, stable while the list grows. */
  cursor: Scalars['String']['output'];
  /** The item at the end of this edge. */
  node: SendingDomain;
};

/** A message the provider accepted for delivery. */
export type SentEmail = {
  __typename?: 'SentEmail';
  /** The Bcc recipients (Cloudflare; CloudMailin has no bcc). */
  bcc: Array<EmailAddress>;
  /** The Cc recipients. */
  cc: Array<EmailAddress>;
  /** Cloudflare's immediate outcome per recipient; null for CloudMailin. */
  delivery?: Maybe<SendDelivery>;
  /** The sender as the provider recorded it. */
  from?: Maybe<EmailAddress>;
  /** The provider's id of the message: CloudMailin's UUID, or Cloudflare's Message-ID (null if the API left it out). */
  messageId?: Maybe<Scalars['String']['output']>;
  /** CloudMailin: the message with its delivery events; null until the provider lists it, in test mode, and for Cloudflare. */
  outboundMessage?: Maybe<OutboundMessage>;
  /** The provider that accepted it. */
  provider: EmailProvider;
  /** Where replies go, when the send set it (`sendEmail` only). */
  replyTo?: Maybe<EmailAddress>;
  /** The subject. */
  subject?: Maybe<Scalars['String']['output']>;
  /** The tags (CloudMailin). */
  tags: Array<Scalars['String']['output']>;
  /** Whether it was only validated, not delivered. */
  testMode: Scalars['Boolean']['output'];
  /** The To recipients. */
  to: Array<EmailAddress>;
};

/** A mail to play as if it reached an inbound address (sandbox mode). */
export type SimulateInboundEmailInput = {
  /** A global id or a CloudMailin address id. */
  addressId: Scalars['ID']['input'];
  /** Files to attach (at most 10). */
  attachments?: InputMaybe<Array<SimulatedAttachmentInput>>;
  /** How the emulator posts it; the address's own format when omitted. */
  format?: InputMaybe<InboundFormat>;
  /** The sender: `alice@example.net` or `Alice Example <alice@example.net>`. */
  from: Scalars['String']['input'];
  /** The HTML body. */
  html?: InputMaybe<Scalars['String']['input']>;
  /** The subject line. */
  subject: Scalars['String']['input'];
  /** The plain-text body. */
  text?: InputMaybe<Scalars['String']['input']>;
  /** The envelope recipient; `<addressId>@cloudmailin.net` when omitted. */
  to?: InputMaybe<Scalars['String']['input']>;
};

/** What came of a simulated inbound mail. */
export type SimulateInboundEmailPayload = {
  __typename?: 'SimulateInboundEmailPayload';
  /** The mail as mailgraph stored it; null when the webhook did not store it. */
  email?: Maybe<InboundEmail>;
  /** What mailgraph's inbound webhook answered the emulator; null when it did not answer. */
  httpStatus?: Maybe<Scalars['Int']['output']>;
  /** The incoming status the emulator recorded, as CloudMailin records one per POST. */
  incomingStatus: IncomingStatus;
};

/** What `simulateInboundEmail` answers: its payload, or an expected failure (each implements `Error`). */
export type SimulateInboundEmailResult = NotConfiguredError | NotFoundError | RateLimitedError | SimulateInboundEmailPayload | UpstreamError | ValidationError;

/** A file attached to a simulated inbound mail. */
export type SimulatedAttachmentInput = {
  /** The file, base64-encoded. */
  contentBase64: Scalars['String']['input'];
  /** The MIME type, e.g. `text/plain`. */
  contentType: Scalars['String']['input'];
  /** The file name. */
  filename: Scalars['String']['input'];
};

/** CloudMailin's SpamAssassin check (an opt-in feature of the address). */
export type SpamCheck = {
  __typename?: 'SpamCheck';
  /** What ran the check. */
  description?: Maybe<Scalars['String']['output']>;
  /** SpamAssassin's report table, when the address asks for it (several lines). */
  report?: Maybe<Scalars['String']['output']>;
  /** The spam score. */
  score?: Maybe<Scalars['Float']['output']>;
  /** Whether the check ran. */
  success?: Maybe<Scalars['Boolean']['output']>;
  /** The rules that matched. */
  symbols: Array<Scalars['String']['output']>;
};

/** The SPF check of the sending server, as CloudMailin made it. */
export type SpfCheck = {
  __typename?: 'SpfCheck';
  /** The domain checked. */
  domain?: Maybe<Scalars['String']['output']>;
  /** e.g. `pass`, `fail`, `softfail`, `neutral`, `none`. */
  result?: Maybe<Scalars['String']['output']>;
};

/** Live events from the providers, stored first and then pushed (SSE or WebSocket). */
export type Subscription = {
  __typename?: 'Subscription';
  /** Mail received by an inbound address as mailgraph's inbound webhook stores it, from the moment the subscription starts. With `after`, first every stored mail after that cursor, then the live ones: none twice, none lost (read what came before with `inboundEmails`, then subscribe after its newest cursor). */
  inboundEmailReceived: InboundEmail;
  /** Delivery events of sent messages as they arrive (both providers). First the stored ones: with `after`, every stored event after that cursor; with `last`, the newest `last` stored events; with neither, every stored event (the retention window). Then the live ones: none twice, none lost. */
  messageEvents: DeliveryEvent;
};


/** Live events from the providers, stored first and then pushed (SSE or WebSocket). */
export type SubscriptionInboundEmailReceivedArgs = {
  addressId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
};


/** Live events from the providers, stored first and then pushed (SSE or WebSocket). */
export type SubscriptionMessageEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  kinds?: InputMaybe<Array<MessageEventKind>>;
  last?: InputMaybe<Scalars['Int']['input']>;
  messageId?: InputMaybe<Scalars['String']['input']>;
  recipient?: InputMaybe<Scalars['String']['input']>;
};

/** Changes to an inbound address. Omitted fields keep their current value. */
export type UpdateInboundAddressInput = {
  /** The new attachment store settings, whole; `{}` removes the store. A `****` that mailgraph showed for a secret keeps the stored secret, so the object read from `attachmentStore` can be edited and sent back. */
  attachmentStore?: InputMaybe<Scalars['JSONObject']['input']>;
  /** A global id or a CloudMailin address id. */
  id: Scalars['ID']['input'];
  /** The new nickname; an empty string clears it. */
  nickname?: InputMaybe<Scalars['String']['input']>;
  /** The new target URL. */
  target?: InputMaybe<Scalars['String']['input']>;
  /** The new POST format. */
  targetFormat?: InputMaybe<InboundFormat>;
};

/** The changed inbound address. */
export type UpdateInboundAddressPayload = {
  __typename?: 'UpdateInboundAddressPayload';
  /** The address as the provider stored it. */
  address: InboundAddress;
};

/** What `updateInboundAddress` answers: its payload, or an expected failure (each implements `Error`). */
export type UpdateInboundAddressResult = NotConfiguredError | NotFoundError | RateLimitedError | UpdateInboundAddressPayload | UpstreamError | ValidationError;

/** Changes to a sending domain’s settings. Only Cloudflare sending subdomains have one (`previewEnabled`); CloudMailin sending domains have nothing to change. */
export type UpdateSendingDomainInput = {
  /** The global id of a Cloudflare sending subdomain. */
  id: Scalars['ID']['input'];
  /** Cloudflare only: whether messages sent from the subdomain can be previewed in Cloudflare’s activity log. */
  previewEnabled?: InputMaybe<Scalars['Boolean']['input']>;
};

/** The changed sending domain, as the provider stored it. */
export type UpdateSendingDomainPayload = {
  __typename?: 'UpdateSendingDomainPayload';
  /** The domain. */
  domain: SendingDomain;
};

/** What `updateSendingDomain` answers: its payload, or an expected failure (each implements `Error`). */
export type UpdateSendingDomainResult = NotConfiguredError | NotFoundError | RateLimitedError | UpdateSendingDomainPayload | UpstreamError | ValidationError;

/** The provider refused or failed in a way that a different input would not fix. `code` says how (the `UPSTREAM_…` codes, or CONFLICT). */
export type UpstreamError = Error & {
  __typename?: 'UpstreamError';
  /** What kind of failure, from the one documented set (README, "Errors"). */
  code: ErrorCode;
  /** What went wrong, for people. */
  message: Scalars['String']['output'];
  /** The provider that failed. */
  provider: EmailProvider;
  /** The provider's own error code whenever it gave one (e.g. Cloudflare's `10204`, sender not configured); null for mailgraph's own checks. */
  providerCode?: Maybe<Scalars['String']['output']>;
  /** The HTTP status the provider answered, or null when no answer came (timeout, network). */
  status?: Maybe<Scalars['Int']['output']>;
};

/** The input was refused, by mailgraph before any upstream call or by the provider (`refusedBy`). `issues` lists every problem at once. */
export type ValidationError = Error & {
  __typename?: 'ValidationError';
  /** What kind of failure, from the one documented set (README, "Errors"). */
  code: ErrorCode;
  /** Each refused field and why; empty when the provider gave one message for the whole input. */
  issues: Array<ValidationIssue>;
  /** What went wrong, for people. */
  message: Scalars['String']['output'];
  /** The provider's own error code whenever it gave one (e.g. Cloudflare's `10204`, sender not configured); null for mailgraph's own checks. */
  providerCode?: Maybe<Scalars['String']['output']>;
  /** Who refused the input: mailgraph (before any upstream call) or the provider. */
  refusedBy: Refuser;
};

/** One reason an input was refused. */
export type ValidationIssue = {
  __typename?: 'ValidationIssue';
  /** What kind of problem. */
  code: ValidationIssueCode;
  /** Why this field was refused. */
  message: Scalars['String']['output'];
  /** Dotted path of the offending input field, e.g. `input.to.0.email`; `input` for the whole input (empty when the provider refused it as a whole). */
  path: Scalars['String']['output'];
};

/** What is wrong with one input field. */
export type ValidationIssueCode =
  /** The value is malformed, out of range or over a limit; `message` says which. */
  | 'INVALID'
  /** The chosen provider cannot honour this field (e.g. `bcc` with CloudMailin); remove it or choose another provider. */
  | 'UNSUPPORTED_FIELD';

/** The outcome of asking the provider to check the DNS records now. */
export type VerifySendingDomainPayload = {
  __typename?: 'VerifySendingDomainPayload';
  /** The domain after the check. */
  domain: SendingDomain;
  /** Whether the check passed. When false, `domain.dnsRecords` shows which records are missing. */
  verified: Scalars['Boolean']['output'];
};

/** What `verifySendingDomain` answers: its payload, or an expected failure (each implements `Error`). */
export type VerifySendingDomainResult = NotConfiguredError | NotFoundError | RateLimitedError | UpstreamError | ValidationError | VerifySendingDomainPayload;

export type RateLimitsQueryVariables = Exact<{ [key: string]: never; }>;


export type RateLimitsQuery = { __typename?: 'Query', rateLimits: Array<{ __typename?: 'RateLimit', provider: EmailProvider, limit?: number | null, used: number, remaining?: number | null, windowSeconds: number, retryAfterSeconds: number, nextCallAt: string, resetAt: string }> };

export type RecipientTimelinesFragment = { __typename?: 'OutboundMessage', messageUuid: string, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, lastEvent?: MessageEventKind | null, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind, rawKind: string, timestamp?: string | null, details?: { __typename?: 'MessageEventDetails', replyCode?: string | null, smtpResponse?: string | null, remoteHost?: string | null, deliveryStatus?: string | null } | null }> | null }> };

export type OutboundMessageFieldsFragment = { __typename?: 'OutboundMessage', id: string, messageUuid: string, subject?: string | null, createdAt?: string | null, testMode: boolean, from?: { __typename?: 'EmailAddress', address: string, name?: string | null } | null, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null }>, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, lastEvent?: MessageEventKind | null, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind, rawKind: string, timestamp?: string | null, details?: { __typename?: 'MessageEventDetails', replyCode?: string | null, smtpResponse?: string | null, remoteHost?: string | null, deliveryStatus?: string | null } | null }> | null }> };

export type OutboundMessagesQueryVariables = Exact<{
  first: Scalars['Int']['input'];
}>;


export type OutboundMessagesQuery = { __typename?: 'Query', outboundMessages?: { __typename?: 'OutboundMessageConnection', nodes: Array<{ __typename?: 'OutboundMessage', id: string, messageUuid: string, subject?: string | null, createdAt?: string | null, testMode: boolean, from?: { __typename?: 'EmailAddress', address: string, name?: string | null } | null, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null }>, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, lastEvent?: MessageEventKind | null, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind, rawKind: string, timestamp?: string | null, details?: { __typename?: 'MessageEventDetails', replyCode?: string | null, smtpResponse?: string | null, remoteHost?: string | null, deliveryStatus?: string | null } | null }> | null }> }> } | null };

export type MessageEventsSubscriptionVariables = Exact<{
  last?: InputMaybe<Scalars['Int']['input']>;
}>;


export type MessageEventsSubscription = { __typename?: 'Subscription', messageEvents: { __typename?: 'DeliveryEvent', cursor: string, provider: EmailProvider, messageId: string, recipient: string, kind: MessageEventKind, rawKind: string, timestamp?: string | null, receivedAt: string, details?: { __typename?: 'MessageEventDetails', replyCode?: string | null, smtpResponse?: string | null, remoteHost?: string | null, deliveryStatus?: string | null } | null } };

export type SendEmailMutationVariables = Exact<{
  input: SendEmailInput;
}>;


export type SendEmailMutation = { __typename?: 'Mutation', sendEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string } | { __typename: 'RateLimitedError', provider: EmailProvider, retryAfterSeconds: number, code: ErrorCode, message: string } | { __typename: 'SendEmailPayload', replayed: boolean, email: { __typename?: 'SentEmail', provider: EmailProvider, messageId?: string | null, subject?: string | null, testMode: boolean, from?: { __typename?: 'EmailAddress', address: string, name?: string | null } | null, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null }>, delivery?: { __typename?: 'SendDelivery', delivered: Array<string>, queued: Array<string>, permanentBounces: Array<string> } | null, outboundMessage?: { __typename?: 'OutboundMessage', id: string, messageUuid: string, subject?: string | null, createdAt?: string | null, testMode: boolean, from?: { __typename?: 'EmailAddress', address: string, name?: string | null } | null, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null }>, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, lastEvent?: MessageEventKind | null, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind, rawKind: string, timestamp?: string | null, details?: { __typename?: 'MessageEventDetails', replyCode?: string | null, smtpResponse?: string | null, remoteHost?: string | null, deliveryStatus?: string | null } | null }> | null }> } | null } } | { __typename: 'SendOutcomeUnknownError', code: ErrorCode, message: string } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', code: ErrorCode, message: string, issues: Array<{ __typename?: 'ValidationIssue', path: string, code: ValidationIssueCode, message: string }> } };

export type InboundAddressesQueryVariables = Exact<{ [key: string]: never; }>;


export type InboundAddressesQuery = { __typename?: 'Query', inboundAddresses?: { __typename?: 'InboundAddressConnection', nodes: Array<{ __typename?: 'InboundAddress', id: string, addressId: string, emailAddress: string, nickname?: string | null }> } | null };

export type InboundMailFieldsFragment = { __typename?: 'InboundEmail', id: string, cursor: string, addressId?: string | null, subject?: string | null, receivedAt: string, plain?: string | null, from?: { __typename?: 'EmailAddress', address: string, name?: string | null } | null, envelope: { __typename?: 'InboundEnvelope', from?: { __typename?: 'EmailAddress', address: string } | null, spf?: { __typename?: 'SpfCheck', result?: string | null, domain?: string | null } | null, dkim?: { __typename?: 'DkimVerification', success?: boolean | null, results: Array<{ __typename?: 'DkimCheck', domain?: string | null, result?: string | null }> } | null } };

export type InboundEmailsQueryVariables = Exact<{
  addressId: Scalars['ID']['input'];
  first: Scalars['Int']['input'];
}>;


export type InboundEmailsQuery = { __typename?: 'Query', inboundEmails?: { __typename?: 'InboundEmailConnection', nodes: Array<{ __typename?: 'InboundEmail', id: string, cursor: string, addressId?: string | null, subject?: string | null, receivedAt: string, plain?: string | null, from?: { __typename?: 'EmailAddress', address: string, name?: string | null } | null, envelope: { __typename?: 'InboundEnvelope', from?: { __typename?: 'EmailAddress', address: string } | null, spf?: { __typename?: 'SpfCheck', result?: string | null, domain?: string | null } | null, dkim?: { __typename?: 'DkimVerification', success?: boolean | null, results: Array<{ __typename?: 'DkimCheck', domain?: string | null, result?: string | null }> } | null } }> } | null };

export type InboundEmailReceivedSubscriptionVariables = Exact<{
  addressId: Scalars['ID']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type InboundEmailReceivedSubscription = { __typename?: 'Subscription', inboundEmailReceived: { __typename?: 'InboundEmail', id: string, cursor: string, addressId?: string | null, subject?: string | null, receivedAt: string, plain?: string | null, from?: { __typename?: 'EmailAddress', address: string, name?: string | null } | null, envelope: { __typename?: 'InboundEnvelope', from?: { __typename?: 'EmailAddress', address: string } | null, spf?: { __typename?: 'SpfCheck', result?: string | null, domain?: string | null } | null, dkim?: { __typename?: 'DkimVerification', success?: boolean | null, results: Array<{ __typename?: 'DkimCheck', domain?: string | null, result?: string | null }> } | null } } };

export type SimulateInboundEmailMutationVariables = Exact<{
  input: SimulateInboundEmailInput;
}>;


export type SimulateInboundEmailMutation = { __typename?: 'Mutation', simulateInboundEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string } | { __typename: 'RateLimitedError', provider: EmailProvider, retryAfterSeconds: number, code: ErrorCode, message: string } | { __typename: 'SimulateInboundEmailPayload', httpStatus?: number | null, email?: { __typename?: 'InboundEmail', id: string, subject?: string | null } | null } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', code: ErrorCode, message: string, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string }> } };

export const RecipientTimelinesFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RecipientTimelines"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"rawKind"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replyCode"}},{"kind":"Field","name":{"kind":"Name","value":"smtpResponse"}},{"kind":"Field","name":{"kind":"Name","value":"remoteHost"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryStatus"}}]}}]}}]}}]}}]} as unknown as DocumentNode<RecipientTimelinesFragment, unknown>;
export const OutboundMessageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OutboundMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"testMode"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"rawKind"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replyCode"}},{"kind":"Field","name":{"kind":"Name","value":"smtpResponse"}},{"kind":"Field","name":{"kind":"Name","value":"remoteHost"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryStatus"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OutboundMessageFieldsFragment, unknown>;
export const InboundMailFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"InboundMailFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InboundEmail"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"plain"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"envelope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}}]}},{"kind":"Field","name":{"kind":"Name","value":"spf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dkim"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"success"}},{"kind":"Field","name":{"kind":"Name","value":"results"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"result"}}]}}]}}]}}]}}]} as unknown as DocumentNode<InboundMailFieldsFragment, unknown>;
export const RateLimitsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RateLimits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rateLimits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"remaining"}},{"kind":"Field","name":{"kind":"Name","value":"windowSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"nextCallAt"}},{"kind":"Field","name":{"kind":"Name","value":"resetAt"}}]}}]}}]} as unknown as DocumentNode<RateLimitsQuery, RateLimitsQueryVariables>;
export const OutboundMessagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OutboundMessages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outboundMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OutboundMessageFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OutboundMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"testMode"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"rawKind"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replyCode"}},{"kind":"Field","name":{"kind":"Name","value":"smtpResponse"}},{"kind":"Field","name":{"kind":"Name","value":"remoteHost"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryStatus"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OutboundMessagesQuery, OutboundMessagesQueryVariables>;
export const MessageEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"MessageEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"recipient"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"rawKind"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replyCode"}},{"kind":"Field","name":{"kind":"Name","value":"smtpResponse"}},{"kind":"Field","name":{"kind":"Name","value":"remoteHost"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryStatus"}}]}}]}}]}}]} as unknown as DocumentNode<MessageEventsSubscription, MessageEventsSubscriptionVariables>;
export const SendEmailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendEmail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"testMode"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"delivery"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"permanentBounces"}}]}},{"kind":"Field","name":{"kind":"Name","value":"outboundMessage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OutboundMessageFields"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RateLimitedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OutboundMessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"testMode"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"rawKind"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replyCode"}},{"kind":"Field","name":{"kind":"Name","value":"smtpResponse"}},{"kind":"Field","name":{"kind":"Name","value":"remoteHost"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryStatus"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SendEmailMutation, SendEmailMutationVariables>;
export const InboundAddressesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"InboundAddresses"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddresses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"emailAddress"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}}]}}]}}]}}]} as unknown as DocumentNode<InboundAddressesQuery, InboundAddressesQueryVariables>;
export const InboundEmailsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"InboundEmails"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundEmails"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"addressId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"InboundMailFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"InboundMailFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InboundEmail"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"plain"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"envelope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}}]}},{"kind":"Field","name":{"kind":"Name","value":"spf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dkim"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"success"}},{"kind":"Field","name":{"kind":"Name","value":"results"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"result"}}]}}]}}]}}]}}]} as unknown as DocumentNode<InboundEmailsQuery, InboundEmailsQueryVariables>;
export const InboundEmailReceivedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"InboundEmailReceived"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundEmailReceived"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"addressId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"InboundMailFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"InboundMailFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InboundEmail"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"plain"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"envelope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}}]}},{"kind":"Field","name":{"kind":"Name","value":"spf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"result"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dkim"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"success"}},{"kind":"Field","name":{"kind":"Name","value":"results"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"result"}}]}}]}}]}}]}}]} as unknown as DocumentNode<InboundEmailReceivedSubscription, InboundEmailReceivedSubscriptionVariables>;
export const SimulateInboundEmailDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SimulateInboundEmail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SimulateInboundEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"simulateInboundEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SimulateInboundEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"RateLimitedError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SimulateInboundEmailMutation, SimulateInboundEmailMutationVariables>;