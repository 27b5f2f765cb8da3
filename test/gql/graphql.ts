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
  JSONObject: { input: any; output: any; }
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

export type ApolloStatusPageQueryVariables = Exact<{
  addressId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type ApolloStatusPageQuery = { __typename?: 'Query', incomingStatuses?: { __typename?: 'IncomingStatusConnection', edges: Array<{ __typename?: 'IncomingStatusEdge', cursor: string, node: { __typename?: 'IncomingStatus', id: string, subject?: string | null, outcome: DeliveryOutcome, from?: { __typename?: 'EmailAddress', address: string, name?: string | null } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null };

export type ApolloAddressPageQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type ApolloAddressPageQuery = { __typename?: 'Query', inboundAddresses?: { __typename?: 'InboundAddressConnection', edges: Array<{ __typename?: 'InboundAddressEdge', cursor: string, node: { __typename?: 'InboundAddress', id: string, emailAddress: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null };

export type ApolloFailuresQueryVariables = Exact<{
  missing: Scalars['ID']['input'];
  broken: Scalars['ID']['input'];
}>;


export type ApolloFailuresQuery = { __typename?: 'Query', inboundAddress?: { __typename?: 'InboundAddress', id: string } | null, incomingStatuses?: { __typename?: 'IncomingStatusConnection', edges: Array<{ __typename?: 'IncomingStatusEdge', node: { __typename?: 'IncomingStatus', id: string } }> } | null };

export type ApolloSendMutationVariables = Exact<{
  input: SendEmailInput;
}>;


export type ApolloSendMutation = { __typename?: 'Mutation', sendEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'NotFoundError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'RateLimitedError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'SendEmailPayload', replayed: boolean, email: { __typename?: 'SentEmail', messageId?: string | null, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null }> } } | { __typename: 'SendOutcomeUnknownError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'UpstreamError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'ValidationError', code: ErrorCode, message: string, providerCode?: string | null, issues: Array<{ __typename?: 'ValidationIssue', path: string, code: ValidationIssueCode }> } };

export type FidelitySubdomainRecordsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type FidelitySubdomainRecordsQuery = { __typename?: 'Query', sendingDomain?: { __typename?: 'CloudMailinSendingDomain', domain: string, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, name: string, purpose: DnsRecordPurpose, verified?: boolean | null }> | null } | { __typename?: 'CloudflareSendingSubdomain', previewEnabled?: boolean | null, domain: string, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, name: string, purpose: DnsRecordPurpose, verified?: boolean | null }> | null } | null };

export type FidelityRecordsWithoutVerifiedQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type FidelityRecordsWithoutVerifiedQuery = { __typename?: 'Query', sendingDomain?: { __typename?: 'CloudMailinSendingDomain', dnsRecords?: Array<{ __typename?: 'DnsRecord', name: string, value: string }> | null } | { __typename?: 'CloudflareSendingSubdomain', dnsRecords?: Array<{ __typename?: 'DnsRecord', name: string, value: string }> | null } | null };

export type FidelityUpdateSendingDomainMutationVariables = Exact<{
  input: UpdateSendingDomainInput;
}>;


export type FidelityUpdateSendingDomainMutation = { __typename?: 'Mutation', updateSendingDomain: { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError', code: ErrorCode, resource: string, resourceId: string } | { __typename: 'RateLimitedError' } | { __typename: 'UpdateSendingDomainPayload', domain: { __typename?: 'CloudMailinSendingDomain', id: string, domain: string } | { __typename?: 'CloudflareSendingSubdomain', previewEnabled?: boolean | null, modifiedAt?: string | null, id: string, domain: string } } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError', code: ErrorCode, refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, code: ValidationIssueCode, message: string }> } };

export type FidelityCreateSubdomainMutationVariables = Exact<{
  domain: Scalars['String']['input'];
  zoneId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type FidelityCreateSubdomainMutation = { __typename?: 'Mutation', createSendingDomain: { __typename: 'CreateSendingDomainPayload', domain: { __typename?: 'CloudMailinSendingDomain', domain: string } | { __typename?: 'CloudflareSendingSubdomain', domain: string } } | { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError', code: ErrorCode, message: string, refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string, code: ValidationIssueCode }> } };

export type FidelityDeleteSendingDomainMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type FidelityDeleteSendingDomainMutation = { __typename?: 'Mutation', deleteSendingDomain: { __typename: 'DeleteSendingDomainPayload' } | { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError', code: ErrorCode, refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string }> } };

export type FidelityLookupQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type FidelityLookupQuery = { __typename?: 'Query', sendingDomain?: { __typename?: 'CloudMailinSendingDomain', id: string } | { __typename?: 'CloudflareSendingSubdomain', id: string } | null };

export type CloudflareDomainsQueryVariables = Exact<{
  provider?: InputMaybe<EmailProvider>;
  query?: InputMaybe<Scalars['String']['input']>;
}>;


export type CloudflareDomainsQuery = { __typename?: 'Query', sendingDomains?: { __typename?: 'SendingDomainConnection', edges: Array<{ __typename?: 'SendingDomainEdge', node: { __typename: 'CloudMailinSendingDomain', id: string, provider: EmailProvider, domain: string, verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, rawType: string, name: string, value: string, priority?: number | null, purpose: DnsRecordPurpose, verified?: boolean | null }> | null } | { __typename: 'CloudflareSendingSubdomain', subdomainTag: string, zoneId: string, enabled: boolean, dkimSelector?: string | null, returnPathDomain?: string | null, createdAt?: string | null, id: string, provider: EmailProvider, domain: string, verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, rawType: string, name: string, value: string, priority?: number | null, purpose: DnsRecordPurpose, verified?: boolean | null }> | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null };

export type DomainNamesQueryVariables = Exact<{
  provider?: InputMaybe<EmailProvider>;
}>;


export type DomainNamesQuery = { __typename?: 'Query', sendingDomains?: { __typename?: 'SendingDomainConnection', edges: Array<{ __typename?: 'SendingDomainEdge', node: { __typename: 'CloudMailinSendingDomain', domain: string, provider: EmailProvider } | { __typename: 'CloudflareSendingSubdomain', domain: string, provider: EmailProvider } }> } | null };

export type TwiceInOneRequestQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type TwiceInOneRequestQuery = { __typename?: 'Query', a?: { __typename?: 'CloudMailinSendingDomain', dnsRecords?: Array<{ __typename?: 'DnsRecord', name: string }> | null } | { __typename?: 'CloudflareSendingSubdomain', dnsRecords?: Array<{ __typename?: 'DnsRecord', name: string }> | null } | null, b?: { __typename?: 'CloudMailinSendingDomain', dnsRecords?: Array<{ __typename?: 'DnsRecord', name: string }> | null } | { __typename?: 'CloudflareSendingSubdomain', dnsRecords?: Array<{ __typename?: 'DnsRecord', name: string }> | null } | null, c?: { __typename?: 'CloudMailinSendingDomain', dnsRecords?: Array<{ __typename?: 'DnsRecord', name: string }> | null } | { __typename?: 'CloudflareSendingSubdomain', dnsRecords?: Array<{ __typename?: 'DnsRecord', name: string }> | null } | { __typename?: 'CustomDomain' } | { __typename?: 'InboundAddress' } | { __typename?: 'InboundEmail' } | { __typename?: 'IncomingStatus' } | { __typename?: 'OutboundMessage' } | null };

export type CreateSubdomainMutationVariables = Exact<{
  domain: Scalars['String']['input'];
  zoneId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type CreateSubdomainMutation = { __typename?: 'Mutation', createSendingDomain: { __typename: 'CreateSendingDomainPayload', domain: { __typename?: 'CloudMailinSendingDomain', id: string, domain: string, provider: EmailProvider, verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, name: string, purpose: DnsRecordPurpose }> | null } | { __typename?: 'CloudflareSendingSubdomain', zoneId: string, subdomainTag: string, id: string, domain: string, provider: EmailProvider, verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, name: string, purpose: DnsRecordPurpose }> | null } } | { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError', code: ErrorCode, message: string, provider: EmailProvider, status?: number | null, providerCode?: string | null } | { __typename: 'ValidationError', code: ErrorCode, message: string, refusedBy: Refuser, providerCode?: string | null, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string, code: ValidationIssueCode }> } };

export type DeleteCloudflareDomainMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type DeleteCloudflareDomainMutation = { __typename?: 'Mutation', deleteSendingDomain: { __typename: 'DeleteSendingDomainPayload', deletedId: string, domain: { __typename?: 'CloudMailinSendingDomain', domain: string, provider: EmailProvider } | { __typename?: 'CloudflareSendingSubdomain', domain: string, provider: EmailProvider } } | { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError', code: ErrorCode, resource: string, resourceId: string } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError' } };

export type VerifyCloudflareDomainMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type VerifyCloudflareDomainMutation = { __typename?: 'Mutation', verifySendingDomain: { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError', code: ErrorCode, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string }> } | { __typename: 'VerifySendingDomainPayload' } };

export type CloudflareNodeQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CloudflareNodeQuery = { __typename?: 'Query', node?: { __typename: 'CloudMailinSendingDomain', id: string } | { __typename: 'CloudflareSendingSubdomain', domain: string, zoneId: string, id: string } | { __typename: 'CustomDomain', id: string } | { __typename: 'InboundAddress', id: string } | { __typename: 'InboundEmail', id: string } | { __typename: 'IncomingStatus', id: string } | { __typename: 'OutboundMessage', id: string } | null };

export type CloudflareSubdomainLookupQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CloudflareSubdomainLookupQuery = { __typename?: 'Query', sendingDomain?: { __typename?: 'CloudMailinSendingDomain', id: string, domain: string } | { __typename?: 'CloudflareSendingSubdomain', id: string, domain: string } | null };

export type CloudflareSendMutationVariables = Exact<{
  input: SendEmailInput;
}>;


export type CloudflareSendMutation = { __typename?: 'Mutation', sendEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string, provider: EmailProvider, providerCode?: string | null } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'SendEmailPayload', replayed: boolean, email: { __typename?: 'SentEmail', provider: EmailProvider, messageId?: string | null, subject?: string | null, from?: { __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string } | null, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null }>, cc: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null }>, bcc: Array<{ __typename?: 'EmailAddress', address: string }>, delivery?: { __typename?: 'SendDelivery', delivered: Array<string>, queued: Array<string>, permanentBounces: Array<string> } | null, outboundMessage?: { __typename?: 'OutboundMessage', id: string } | null } } | { __typename: 'SendOutcomeUnknownError' } | { __typename: 'UpstreamError', code: ErrorCode, message: string, provider: EmailProvider, status?: number | null, providerCode?: string | null } | { __typename: 'ValidationError', code: ErrorCode, message: string, refusedBy: Refuser, providerCode?: string | null, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string, code: ValidationIssueCode }> } };

export type CloudflareSendRawMutationVariables = Exact<{
  input: SendRawEmailInput;
}>;


export type CloudflareSendRawMutation = { __typename?: 'Mutation', sendRawEmail: { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'SendEmailPayload', email: { __typename?: 'SentEmail', provider: EmailProvider, messageId?: string | null, to: Array<{ __typename?: 'EmailAddress', address: string }>, bcc: Array<{ __typename?: 'EmailAddress', address: string }>, delivery?: { __typename?: 'SendDelivery', delivered: Array<string>, queued: Array<string>, permanentBounces: Array<string> } | null } } | { __typename: 'SendOutcomeUnknownError' } | { __typename: 'UpstreamError', code: ErrorCode, provider: EmailProvider, status?: number | null, providerCode?: string | null } | { __typename: 'ValidationError', code: ErrorCode, refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, code: ValidationIssueCode }> } };

export type DomainsQueryVariables = Exact<{
  addressId: Scalars['ID']['input'];
  query?: InputMaybe<Scalars['String']['input']>;
}>;


export type DomainsQuery = { __typename?: 'Query', customDomains?: { __typename: 'CustomDomainConnection', edges: Array<{ __typename?: 'CustomDomainEdge', node: { __typename?: 'CustomDomain', id: string, domainId: string, domain: string, authRegex?: string | null, domainTarget?: string | null, address?: { __typename?: 'InboundAddress', addressId: string } | null } }>, nodes: Array<{ __typename?: 'CustomDomain', domainId: string }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean } } | null };

export type CreateDomainMutationVariables = Exact<{
  input: CreateCustomDomainInput;
}>;


export type CreateDomainMutation = { __typename?: 'Mutation', createCustomDomain: { __typename: 'CreateCustomDomainPayload', customDomain: { __typename?: 'CustomDomain', id: string, domainId: string, domain: string, authRegex?: string | null } } | { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string, resource: string, resourceId: string } | { __typename: 'RateLimitedError', code: ErrorCode, message: string } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', code: ErrorCode, message: string, refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string, code: ValidationIssueCode }> } };

export type DeleteDomainMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type DeleteDomainMutation = { __typename?: 'Mutation', deleteCustomDomain: { __typename: 'DeleteCustomDomainPayload', deletedId: string, customDomain: { __typename?: 'CustomDomain', domain: string } } | { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string, resource: string, resourceId: string } | { __typename: 'RateLimitedError', code: ErrorCode, message: string } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', code: ErrorCode, message: string, issues: Array<{ __typename?: 'ValidationIssue', path: string }> } };

export type DomainNodeQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type DomainNodeQuery = { __typename?: 'Query', node?: { __typename: 'CloudMailinSendingDomain' } | { __typename: 'CloudflareSendingSubdomain' } | { __typename: 'CustomDomain', domain: string } | { __typename: 'InboundAddress' } | { __typename: 'InboundEmail' } | { __typename: 'IncomingStatus' } | { __typename: 'OutboundMessage' } | null };

export type CostDashboardQueryVariables = Exact<{ [key: string]: never; }>;


export type CostDashboardQuery = { __typename?: 'Query', inboundAddresses?: { __typename?: 'InboundAddressConnection', nodes: Array<{ __typename?: 'InboundAddress', id: string, incomingStatuses?: { __typename?: 'IncomingStatusConnection', nodes: Array<{ __typename?: 'IncomingStatus', id: string, subject?: string | null, address?: { __typename?: 'InboundAddress', id: string } | null }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null, customDomains?: { __typename?: 'CustomDomainConnection', nodes: Array<{ __typename?: 'CustomDomain', domain: string }> } | null }> } | null, outboundMessages?: { __typename?: 'OutboundMessageConnection', nodes: Array<{ __typename?: 'OutboundMessage', id: string, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind }> | null }> }> } | null };

export type BudgetQueryVariables = Exact<{ [key: string]: never; }>;


export type BudgetQuery = { __typename?: 'Query', rateLimits: Array<{ __typename?: 'RateLimit', provider: EmailProvider, limit?: number | null, used: number, remaining?: number | null, windowSeconds: number, retryAfterSeconds: number, nextCallAt: string, resetAt: string }> };

export type SpendTwoQueryVariables = Exact<{ [key: string]: never; }>;


export type SpendTwoQuery = { __typename?: 'Query', inboundAddresses?: { __typename?: 'InboundAddressConnection', nodes: Array<{ __typename?: 'InboundAddress', id: string }> } | null, outboundMessages?: { __typename?: 'OutboundMessageConnection', nodes: Array<{ __typename?: 'OutboundMessage', id: string }> } | null };

export type MaskedQueryVariables = Exact<{ [key: string]: never; }>;


export type MaskedQuery = { __typename?: 'Query', node?: { __typename?: 'CloudMailinSendingDomain', id: string } | { __typename?: 'CloudflareSendingSubdomain', id: string } | { __typename?: 'CustomDomain', id: string } | { __typename?: 'InboundAddress', id: string } | { __typename?: 'InboundEmail', id: string } | { __typename?: 'IncomingStatus', id: string } | { __typename?: 'OutboundMessage', id: string } | null };

export type MetricsProbeQueryVariables = Exact<{ [key: string]: never; }>;


export type MetricsProbeQuery = { __typename?: 'Query', sendingDomains?: { __typename: 'SendingDomainConnection' } | null };

export type ScopedReadQueryVariables = Exact<{ [key: string]: never; }>;


export type ScopedReadQuery = { __typename?: 'Query', inboundAddresses?: { __typename: 'InboundAddressConnection' } | null };

export type ScopedManageMutationVariables = Exact<{ [key: string]: never; }>;


export type ScopedManageMutation = { __typename?: 'Mutation', createSendingDomain: { __typename: 'CreateSendingDomainPayload' } | { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError' } };

export type AddressesQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type AddressesQuery = { __typename?: 'Query', inboundAddresses?: { __typename: 'InboundAddressConnection', edges: Array<{ __typename?: 'InboundAddressEdge', node: { __typename?: 'InboundAddress', id: string, addressId: string, emailAddress: string, target?: string | null, targetFormat?: InboundFormat | null, nickname?: string | null } }>, nodes: Array<{ __typename?: 'InboundAddress', addressId: string }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null };

export type AddressQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type AddressQuery = { __typename?: 'Query', inboundAddress?: { __typename: 'InboundAddress', id: string, addressId: string, nickname?: string | null, customDomains?: { __typename?: 'CustomDomainConnection', edges: Array<{ __typename?: 'CustomDomainEdge', node: { __typename?: 'CustomDomain', domain: string } }> } | null, incomingStatuses?: { __typename?: 'IncomingStatusConnection', edges: Array<{ __typename?: 'IncomingStatusEdge', node: { __typename?: 'IncomingStatus', subject?: string | null } }> } | null } | null };

export type CreateAddressMutationVariables = Exact<{
  input: CreateInboundAddressInput;
}>;


export type CreateAddressMutation = { __typename?: 'Mutation', createInboundAddress: { __typename: 'CreateInboundAddressPayload', address: { __typename?: 'InboundAddress', id: string, addressId: string, target?: string | null, targetFormat?: InboundFormat | null, nickname?: string | null } } | { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string } | { __typename: 'RateLimitedError', code: ErrorCode, message: string } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', code: ErrorCode, message: string, refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string, code: ValidationIssueCode }> } };

export type UpdateAddressMutationVariables = Exact<{
  input: UpdateInboundAddressInput;
}>;


export type UpdateAddressMutation = { __typename?: 'Mutation', updateInboundAddress: { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string, resource: string, resourceId: string } | { __typename: 'RateLimitedError', code: ErrorCode, message: string } | { __typename: 'UpdateInboundAddressPayload', address: { __typename?: 'InboundAddress', addressId: string, target?: string | null, targetFormat?: InboundFormat | null, nickname?: string | null } } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', code: ErrorCode, message: string, issues: Array<{ __typename?: 'ValidationIssue', path: string }> } };

export type DeleteAddressMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type DeleteAddressMutation = { __typename?: 'Mutation', deleteInboundAddress: { __typename: 'DeleteInboundAddressPayload', deletedId: string, address: { __typename?: 'InboundAddress', addressId: string } } | { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string, resource: string, resourceId: string } | { __typename: 'RateLimitedError', code: ErrorCode, message: string } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', code: ErrorCode, message: string } };

export type AddressNodeQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type AddressNodeQuery = { __typename?: 'Query', node?: { __typename: 'CloudMailinSendingDomain', id: string } | { __typename: 'CloudflareSendingSubdomain', id: string } | { __typename: 'CustomDomain', id: string } | { __typename: 'InboundAddress', addressId: string, id: string } | { __typename: 'InboundEmail', id: string } | { __typename: 'IncomingStatus', id: string } | { __typename: 'OutboundMessage', id: string } | null };

export type ManyNodesQueryVariables = Exact<{
  ids: Array<Scalars['ID']['input']> | Scalars['ID']['input'];
}>;


export type ManyNodesQuery = { __typename?: 'Query', nodes: Array<{ __typename: 'CloudMailinSendingDomain', domain: string, provider: EmailProvider, id: string } | { __typename: 'CloudflareSendingSubdomain', domain: string, provider: EmailProvider, id: string } | { __typename: 'CustomDomain', id: string } | { __typename: 'InboundAddress', addressId: string, id: string } | { __typename: 'InboundEmail', id: string } | { __typename: 'IncomingStatus', id: string } | { __typename: 'OutboundMessage', messageUuid: string, id: string } | null> };

export type StoreCreateAddressMutationVariables = Exact<{
  input: CreateInboundAddressInput;
}>;


export type StoreCreateAddressMutation = { __typename?: 'Mutation', createInboundAddress: { __typename: 'CreateInboundAddressPayload', address: { __typename?: 'InboundAddress', addressId: string, attachmentStore?: any | null } } | { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError', refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string }> } };

export type StoreUpdateAddressMutationVariables = Exact<{
  input: UpdateInboundAddressInput;
}>;


export type StoreUpdateAddressMutation = { __typename?: 'Mutation', updateInboundAddress: { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'UpdateInboundAddressPayload', address: { __typename?: 'InboundAddress', addressId: string, nickname?: string | null, attachmentStore?: any | null } } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError', refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string }> } };

export type StoreReadAddressQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type StoreReadAddressQuery = { __typename?: 'Query', inboundAddress?: { __typename?: 'InboundAddress', addressId: string, attachmentStore?: any | null } | null };

export type StatusesQueryVariables = Exact<{
  addressId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
}>;


export type StatusesQuery = { __typename?: 'Query', incomingStatuses?: { __typename: 'IncomingStatusConnection', edges: Array<{ __typename?: 'IncomingStatusEdge', cursor: string, node: { __typename?: 'IncomingStatus', id: string, statusId: string, subject?: string | null, outcome: DeliveryOutcome, httpStatus?: number | null, rawStatus?: string | null, tls?: string | null, receivedAt?: string | null, from?: { __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string } | null, to?: { __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string } | null } }>, nodes: Array<{ __typename?: 'IncomingStatus', statusId: string }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null } } | null };

export type NestedStatusesQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type NestedStatusesQuery = { __typename?: 'Query', inboundAddress?: { __typename?: 'InboundAddress', incomingStatuses?: { __typename: 'IncomingStatusConnection', edges: Array<{ __typename?: 'IncomingStatusEdge', node: { __typename?: 'IncomingStatus', statusId: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null } | null };

export type ConnectionTypenamesQueryVariables = Exact<{
  addressId: Scalars['ID']['input'];
}>;


export type ConnectionTypenamesQuery = { __typename?: 'Query', incomingStatuses?: { __typename: 'IncomingStatusConnection' } | null, inboundAddress?: { __typename?: 'InboundAddress', incomingStatuses?: { __typename: 'IncomingStatusConnection' } | null } | null };

export type StatusNodeQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type StatusNodeQuery = { __typename?: 'Query', node?: { __typename: 'CloudMailinSendingDomain', id: string } | { __typename: 'CloudflareSendingSubdomain', id: string } | { __typename: 'CustomDomain', id: string } | { __typename: 'InboundAddress', id: string } | { __typename: 'InboundEmail', id: string } | { __typename: 'IncomingStatus', statusId: string, subject?: string | null, receivedAt?: string | null, id: string, address?: { __typename?: 'InboundAddress', addressId: string } | null } | { __typename: 'OutboundMessage', id: string } | null };

export type OutboundWithEventsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type OutboundWithEventsQuery = { __typename?: 'Query', outboundMessages?: { __typename?: 'OutboundMessageConnection', edges: Array<{ __typename?: 'OutboundMessageEdge', cursor: string, node: { __typename?: 'OutboundMessage', id: string, messageUuid: string, subject?: string | null, createdAt?: string | null, from?: { __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string } | null, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string }>, cc: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string }>, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, lastEvent?: MessageEventKind | null, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind, rawKind: string, timestamp?: string | null, details?: { __typename?: 'MessageEventDetails', agent?: string | null, replyCode?: string | null, deliveryStatus?: string | null, smtpResponse?: string | null, remoteHost?: string | null } | null }> | null }> } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null };

export type OutboundDashboardQueryVariables = Exact<{ [key: string]: never; }>;


export type OutboundDashboardQuery = { __typename?: 'Query', outboundMessages?: { __typename?: 'OutboundMessageConnection', edges: Array<{ __typename?: 'OutboundMessageEdge', node: { __typename?: 'OutboundMessage', id: string, subject?: string | null, from?: { __typename?: 'EmailAddress', formatted: string } | null, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind, timestamp?: string | null }> | null }> } }>, pageInfo: { __typename?: 'PageInfo', endCursor?: string | null } } | null };

export type OutboundSummariesQueryVariables = Exact<{ [key: string]: never; }>;


export type OutboundSummariesQuery = { __typename?: 'Query', outboundMessages?: { __typename?: 'OutboundMessageConnection', edges: Array<{ __typename?: 'OutboundMessageEdge', node: { __typename?: 'OutboundMessage', id: string, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, lastEvent?: MessageEventKind | null }> } }> } | null };

export type OneOutboundQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type OneOutboundQuery = { __typename?: 'Query', outboundMessage?: { __typename?: 'OutboundMessage', id: string, messageUuid: string, messageIdHeader?: string | null, tags: Array<string>, testMode: boolean, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind }> | null }> } | null };

export type OutboundSummariesPagedQueryVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type OutboundSummariesPagedQuery = { __typename?: 'Query', outboundMessages?: { __typename?: 'OutboundMessageConnection', edges: Array<{ __typename?: 'OutboundMessageEdge', node: { __typename?: 'OutboundMessage', id: string } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null } } | null };

export type SendMutationVariables = Exact<{
  input: SendEmailInput;
}>;


export type SendMutation = { __typename?: 'Mutation', sendEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string } | { __typename: 'RateLimitedError', code: ErrorCode, message: string } | { __typename: 'SendEmailPayload', replayed: boolean, email: { __typename?: 'SentEmail', provider: EmailProvider, messageId?: string | null, subject?: string | null, tags: Array<string>, testMode: boolean, from?: { __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string } | null, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string }>, cc: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string }>, replyTo?: { __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string } | null, outboundMessage?: { __typename?: 'OutboundMessage', messageUuid: string, subject?: string | null, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind }> | null }> } | null } } | { __typename: 'SendOutcomeUnknownError', code: ErrorCode, message: string } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', refusedBy: Refuser, code: ErrorCode, message: string, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string, code: ValidationIssueCode }> } };

export type SendRawMutationVariables = Exact<{
  input: SendRawEmailInput;
}>;


export type SendRawMutation = { __typename?: 'Mutation', sendRawEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string } | { __typename: 'RateLimitedError', code: ErrorCode, message: string } | { __typename: 'SendEmailPayload', replayed: boolean, email: { __typename?: 'SentEmail', messageId?: string | null, testMode: boolean, to: Array<{ __typename?: 'EmailAddress', address: string, name?: string | null, formatted: string }> } } | { __typename: 'SendOutcomeUnknownError', code: ErrorCode, message: string } | { __typename: 'UpstreamError', code: ErrorCode, message: string } | { __typename: 'ValidationError', refusedBy: Refuser, code: ErrorCode, message: string, issues: Array<{ __typename?: 'ValidationIssue', path: string, message: string, code: ValidationIssueCode }> } };

export type OutcomeSendMutationVariables = Exact<{
  input: SendEmailInput;
}>;


export type OutcomeSendMutation = { __typename?: 'Mutation', sendEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'NotFoundError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'RateLimitedError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'SendEmailPayload', replayed: boolean, email: { __typename?: 'SentEmail', messageId?: string | null } } | { __typename: 'SendOutcomeUnknownError', provider: EmailProvider, status?: number | null, reason?: ErrorCode | null, replayed: boolean, code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'UpstreamError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'ValidationError', code: ErrorCode, message: string, providerCode?: string | null } };

export type OutcomeSendRawMutationVariables = Exact<{
  input: SendRawEmailInput;
}>;


export type OutcomeSendRawMutation = { __typename?: 'Mutation', sendRawEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'NotFoundError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'RateLimitedError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'SendEmailPayload', replayed: boolean, email: { __typename?: 'SentEmail', messageId?: string | null } } | { __typename: 'SendOutcomeUnknownError', provider: EmailProvider, status?: number | null, reason?: ErrorCode | null, replayed: boolean, code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'UpstreamError', code: ErrorCode, message: string, providerCode?: string | null } | { __typename: 'ValidationError', code: ErrorCode, message: string, providerCode?: string | null } };

export type SendingDomainsQueryVariables = Exact<{
  provider?: InputMaybe<EmailProvider>;
  query?: InputMaybe<Scalars['String']['input']>;
}>;


export type SendingDomainsQuery = { __typename?: 'Query', sendingDomains?: { __typename?: 'SendingDomainConnection', edges: Array<{ __typename?: 'SendingDomainEdge', node: { __typename: 'CloudMailinSendingDomain', domainId: string, mtaDomain?: string | null, requiredCname?: string | null, dkimSelector?: string | null, dkimVerified?: boolean | null, returnPathVerified?: boolean | null, spfVerified?: boolean | null, id: string, provider: EmailProvider, domain: string, verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, name: string, value: string, priority?: number | null, purpose: DnsRecordPurpose, verified?: boolean | null }> | null } | { __typename: 'CloudflareSendingSubdomain', id: string, provider: EmailProvider, domain: string, verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, name: string, value: string, priority?: number | null, purpose: DnsRecordPurpose, verified?: boolean | null }> | null } }> } | null };

export type OneSendingDomainQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type OneSendingDomainQuery = { __typename?: 'Query', sendingDomain?: { __typename: 'CloudMailinSendingDomain', id: string, domain: string, verified: boolean } | { __typename: 'CloudflareSendingSubdomain', id: string, domain: string, verified: boolean } | null };

export type CreateSendingDomainMutationVariables = Exact<{
  domain: Scalars['String']['input'];
}>;


export type CreateSendingDomainMutation = { __typename?: 'Mutation', createSendingDomain: { __typename: 'CreateSendingDomainPayload', domain: { __typename?: 'CloudMailinSendingDomain', id: string, domain: string, verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, name: string, purpose: DnsRecordPurpose, verified?: boolean | null }> | null } | { __typename?: 'CloudflareSendingSubdomain', id: string, domain: string, verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', type: DnsRecordType, name: string, purpose: DnsRecordPurpose, verified?: boolean | null }> | null } } | { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError' } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError', code: ErrorCode, message: string, refusedBy: Refuser, issues: Array<{ __typename?: 'ValidationIssue', path: string, code: ValidationIssueCode }> } };

export type VerifySendingDomainMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type VerifySendingDomainMutation = { __typename?: 'Mutation', verifySendingDomain: { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError', code: ErrorCode, resource: string, resourceId: string } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError' } | { __typename: 'VerifySendingDomainPayload', verified: boolean, domain: { __typename?: 'CloudMailinSendingDomain', verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', purpose: DnsRecordPurpose, verified?: boolean | null }> | null } | { __typename?: 'CloudflareSendingSubdomain', verified: boolean, dnsRecords?: Array<{ __typename?: 'DnsRecord', purpose: DnsRecordPurpose, verified?: boolean | null }> | null } } };

export type DeleteSendingDomainMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type DeleteSendingDomainMutation = { __typename?: 'Mutation', deleteSendingDomain: { __typename: 'DeleteSendingDomainPayload', deletedId: string, domain: { __typename?: 'CloudMailinSendingDomain', domain: string } | { __typename?: 'CloudflareSendingSubdomain', domain: string } } | { __typename: 'NotConfiguredError' } | { __typename: 'NotFoundError', code: ErrorCode, resource: string, resourceId: string } | { __typename: 'RateLimitedError' } | { __typename: 'UpstreamError' } | { __typename: 'ValidationError' } };

export type FailureAddressesQueryVariables = Exact<{ [key: string]: never; }>;


export type FailureAddressesQuery = { __typename?: 'Query', inboundAddresses?: { __typename?: 'InboundAddressConnection', edges: Array<{ __typename?: 'InboundAddressEdge', node: { __typename?: 'InboundAddress', addressId: string } }> } | null };

export type FailureOutboundEventsQueryVariables = Exact<{ [key: string]: never; }>;


export type FailureOutboundEventsQuery = { __typename?: 'Query', outboundMessages?: { __typename?: 'OutboundMessageConnection', edges: Array<{ __typename?: 'OutboundMessageEdge', node: { __typename?: 'OutboundMessage', messageUuid: string, recipients: Array<{ __typename?: 'OutboundRecipient', email: string, events?: Array<{ __typename?: 'MessageEvent', kind: MessageEventKind }> | null }> } }> } | null };

export type FailureSendMutationVariables = Exact<{ [key: string]: never; }>;


export type FailureSendMutation = { __typename?: 'Mutation', sendEmail: { __typename: 'NotConfiguredError', code: ErrorCode, message: string } | { __typename: 'NotFoundError', code: ErrorCode, message: string } | { __typename: 'RateLimitedError', code: ErrorCode, message: string } | { __typename: 'SendEmailPayload', email: { __typename?: 'SentEmail', messageId?: string | null } } | { __typename: 'SendOutcomeUnknownError', code: ErrorCode, message: string } | { __typename: 'UpstreamError', provider: EmailProvider, status?: number | null, code: ErrorCode, message: string } | { __typename: 'ValidationError', code: ErrorCode, message: string } };

export type NeverCachedQueryVariables = Exact<{ [key: string]: never; }>;


export type NeverCachedQuery = { __typename?: 'Query', sendingDomains?: { __typename?: 'SendingDomainConnection', edges: Array<{ __typename?: 'SendingDomainEdge', node: { __typename?: 'CloudMailinSendingDomain', id: string } | { __typename?: 'CloudflareSendingSubdomain', id: string } }> } | null };

export type MissingQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type MissingQuery = { __typename?: 'Query', sendingDomain?: { __typename: 'CloudMailinSendingDomain', id: string, domain: string } | { __typename: 'CloudflareSendingSubdomain', id: string, domain: string } | null };


export const ApolloStatusPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApolloStatusPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"incomingStatuses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"addressId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ApolloStatusPageQuery, ApolloStatusPageQueryVariables>;
export const ApolloAddressPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApolloAddressPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddresses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"emailAddress"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ApolloAddressPageQuery, ApolloAddressPageQueryVariables>;
export const ApolloFailuresDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApolloFailures"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"missing"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"broken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"missing"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"incomingStatuses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"addressId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"broken"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ApolloFailuresQuery, ApolloFailuresQueryVariables>;
export const ApolloSendDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApolloSend"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ApolloSendMutation, ApolloSendMutationVariables>;
export const FidelitySubdomainRecordsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FidelitySubdomainRecords"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CloudflareSendingSubdomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previewEnabled"}}]}}]}}]}}]} as unknown as DocumentNode<FidelitySubdomainRecordsQuery, FidelitySubdomainRecordsQueryVariables>;
export const FidelityRecordsWithoutVerifiedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FidelityRecordsWithoutVerified"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}}]} as unknown as DocumentNode<FidelityRecordsWithoutVerifiedQuery, FidelityRecordsWithoutVerifiedQueryVariables>;
export const FidelityUpdateSendingDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"FidelityUpdateSendingDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSendingDomainInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateSendingDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CloudflareSendingSubdomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previewEnabled"}},{"kind":"Field","name":{"kind":"Name","value":"modifiedAt"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"resource"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}}]}}]}}]}}]} as unknown as DocumentNode<FidelityUpdateSendingDomainMutation, FidelityUpdateSendingDomainMutationVariables>;
export const FidelityCreateSubdomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"FidelityCreateSubdomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"domain"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"zoneId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"EnumValue","value":"CLOUDFLARE"}},{"kind":"Argument","name":{"kind":"Name","value":"domain"},"value":{"kind":"Variable","name":{"kind":"Name","value":"domain"}}},{"kind":"Argument","name":{"kind":"Name","value":"zoneId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"zoneId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSendingDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]}}]} as unknown as DocumentNode<FidelityCreateSubdomainMutation, FidelityCreateSubdomainMutationVariables>;
export const FidelityDeleteSendingDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"FidelityDeleteSendingDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]} as unknown as DocumentNode<FidelityDeleteSendingDomainMutation, FidelityDeleteSendingDomainMutationVariables>;
export const FidelityLookupDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FidelityLookup"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<FidelityLookupQuery, FidelityLookupQueryVariables>;
export const CloudflareDomainsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CloudflareDomains"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"provider"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"EmailProvider"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomains"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"Variable","name":{"kind":"Name","value":"provider"}}},{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"rawType"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CloudflareSendingSubdomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subdomainTag"}},{"kind":"Field","name":{"kind":"Name","value":"zoneId"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"dkimSelector"}},{"kind":"Field","name":{"kind":"Name","value":"returnPathDomain"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<CloudflareDomainsQuery, CloudflareDomainsQueryVariables>;
export const DomainNamesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DomainNames"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"provider"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"EmailProvider"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomains"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"Variable","name":{"kind":"Name","value":"provider"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DomainNamesQuery, DomainNamesQueryVariables>;
export const TwiceInOneRequestDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TwiceInOneRequest"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"a"},"name":{"kind":"Name","value":"sendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"b"},"name":{"kind":"Name","value":"sendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"c"},"name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendingDomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<TwiceInOneRequestQuery, TwiceInOneRequestQueryVariables>;
export const CreateSubdomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSubdomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"domain"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"zoneId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"EnumValue","value":"CLOUDFLARE"}},{"kind":"Argument","name":{"kind":"Name","value":"domain"},"value":{"kind":"Variable","name":{"kind":"Name","value":"domain"}}},{"kind":"Argument","name":{"kind":"Name","value":"zoneId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"zoneId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSendingDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CloudflareSendingSubdomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"zoneId"}},{"kind":"Field","name":{"kind":"Name","value":"subdomainTag"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpstreamError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotConfiguredError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreateSubdomainMutation, CreateSubdomainMutationVariables>;
export const DeleteCloudflareDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteCloudflareDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteSendingDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedId"}},{"kind":"Field","name":{"kind":"Name","value":"domain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"resource"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteCloudflareDomainMutation, DeleteCloudflareDomainMutationVariables>;
export const VerifyCloudflareDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VerifyCloudflareDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifySendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]} as unknown as DocumentNode<VerifyCloudflareDomainMutation, VerifyCloudflareDomainMutationVariables>;
export const CloudflareNodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CloudflareNode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CloudflareSendingSubdomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"zoneId"}}]}}]}}]}}]} as unknown as DocumentNode<CloudflareNodeQuery, CloudflareNodeQueryVariables>;
export const CloudflareSubdomainLookupDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CloudflareSubdomainLookup"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}}]}}]} as unknown as DocumentNode<CloudflareSubdomainLookupQuery, CloudflareSubdomainLookupQueryVariables>;
export const CloudflareSendDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CloudflareSend"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cc"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"bcc"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"delivery"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"permanentBounces"}}]}},{"kind":"Field","name":{"kind":"Name","value":"outboundMessage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpstreamError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotConfiguredError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}}]}}]}}]}}]} as unknown as DocumentNode<CloudflareSendMutation, CloudflareSendMutationVariables>;
export const CloudflareSendRawDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CloudflareSendRaw"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendRawEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendRawEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}}]}},{"kind":"Field","name":{"kind":"Name","value":"bcc"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}}]}},{"kind":"Field","name":{"kind":"Name","value":"delivery"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"delivered"}},{"kind":"Field","name":{"kind":"Name","value":"queued"}},{"kind":"Field","name":{"kind":"Name","value":"permanentBounces"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpstreamError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}}]}}]}}]}}]} as unknown as DocumentNode<CloudflareSendRawMutation, CloudflareSendRawMutationVariables>;
export const DomainsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Domains"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customDomains"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"addressId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"domainId"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"authRegex"}},{"kind":"Field","name":{"kind":"Name","value":"domainTarget"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domainId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]}}]} as unknown as DocumentNode<DomainsQuery, DomainsQueryVariables>;
export const CreateDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateCustomDomainInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCustomDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreateCustomDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customDomain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"domainId"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"authRegex"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resource"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}}]}}]}}]}}]} as unknown as DocumentNode<CreateDomainMutation, CreateDomainMutationVariables>;
export const DeleteDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteCustomDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteCustomDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedId"}},{"kind":"Field","name":{"kind":"Name","value":"customDomain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resource"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DeleteDomainMutation, DeleteDomainMutationVariables>;
export const DomainNodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DomainNode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CustomDomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}}]}}]}}]} as unknown as DocumentNode<DomainNodeQuery, DomainNodeQueryVariables>;
export const CostDashboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CostDashboard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddresses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"incomingStatuses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"customDomains"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"outboundMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CostDashboardQuery, CostDashboardQueryVariables>;
export const BudgetDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Budget"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rateLimits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"remaining"}},{"kind":"Field","name":{"kind":"Name","value":"windowSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"retryAfterSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"nextCallAt"}},{"kind":"Field","name":{"kind":"Name","value":"resetAt"}}]}}]}}]} as unknown as DocumentNode<BudgetQuery, BudgetQueryVariables>;
export const SpendTwoDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SpendTwo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddresses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"outboundMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<SpendTwoQuery, SpendTwoQueryVariables>;
export const MaskedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Masked"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"StringValue","value":"%%%","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<MaskedQuery, MaskedQueryVariables>;
export const MetricsProbeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MetricsProbe"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomains"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"EnumValue","value":"CLOUDMAILIN"}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"2"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]}}]} as unknown as DocumentNode<MetricsProbeQuery, MetricsProbeQueryVariables>;
export const ScopedReadDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ScopedRead"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddresses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]}}]} as unknown as DocumentNode<ScopedReadQuery, ScopedReadQueryVariables>;
export const ScopedManageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ScopedManage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"EnumValue","value":"CLOUDMAILIN"}},{"kind":"Argument","name":{"kind":"Name","value":"domain"},"value":{"kind":"StringValue","value":"scoped.example.test","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]}}]} as unknown as DocumentNode<ScopedManageMutation, ScopedManageMutationVariables>;
export const AddressesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Addresses"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddresses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"emailAddress"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"targetFormat"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<AddressesQuery, AddressesQueryVariables>;
export const AddressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Address"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"customDomains"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"incomingStatuses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"2"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"subject"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AddressQuery, AddressQueryVariables>;
export const CreateAddressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateAddress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateInboundAddressInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createInboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreateInboundAddressPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"targetFormat"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CreateAddressMutation, CreateAddressMutationVariables>;
export const UpdateAddressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateAddress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateInboundAddressInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateInboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateInboundAddressPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"targetFormat"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resource"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}}]}}]}}]}}]}}]} as unknown as DocumentNode<UpdateAddressMutation, UpdateAddressMutationVariables>;
export const DeleteAddressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteAddress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteInboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteInboundAddressPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedId"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resource"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteAddressMutation, DeleteAddressMutationVariables>;
export const AddressNodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AddressNode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InboundAddress"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}}]}}]}}]}}]} as unknown as DocumentNode<AddressNodeQuery, AddressNodeQueryVariables>;
export const ManyNodesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ManyNodes"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InboundAddress"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OutboundMessage"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendingDomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}}]}}]}}]}}]} as unknown as DocumentNode<ManyNodesQuery, ManyNodesQueryVariables>;
export const StoreCreateAddressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StoreCreateAddress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateInboundAddressInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createInboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreateInboundAddressPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"attachmentStore"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]} as unknown as DocumentNode<StoreCreateAddressMutation, StoreCreateAddressMutationVariables>;
export const StoreUpdateAddressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StoreUpdateAddress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateInboundAddressInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateInboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateInboundAddressPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"attachmentStore"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]}}]} as unknown as DocumentNode<StoreUpdateAddressMutation, StoreUpdateAddressMutationVariables>;
export const StoreReadAddressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StoreReadAddress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}},{"kind":"Field","name":{"kind":"Name","value":"attachmentStore"}}]}}]}}]} as unknown as DocumentNode<StoreReadAddressQuery, StoreReadAddressQueryVariables>;
export const StatusesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Statuses"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"incomingStatuses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"addressId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"statusId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"rawStatus"}},{"kind":"Field","name":{"kind":"Name","value":"tls"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statusId"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<StatusesQuery, StatusesQueryVariables>;
export const NestedStatusesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"NestedStatuses"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"incomingStatuses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statusId"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<NestedStatusesQuery, NestedStatusesQueryVariables>;
export const ConnectionTypenamesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConnectionTypenames"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"incomingStatuses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"addressId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}},{"kind":"Field","name":{"kind":"Name","value":"inboundAddress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"addressId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"incomingStatuses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}}]}}]}}]}}]} as unknown as DocumentNode<ConnectionTypenamesQuery, ConnectionTypenamesQueryVariables>;
export const StatusNodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StatusNode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"IncomingStatus"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statusId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}}]}}]}}]}}]}}]} as unknown as DocumentNode<StatusNodeQuery, StatusNodeQueryVariables>;
export const OutboundWithEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OutboundWithEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outboundMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cc"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"rawKind"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agent"}},{"kind":"Field","name":{"kind":"Name","value":"replyCode"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryStatus"}},{"kind":"Field","name":{"kind":"Name","value":"smtpResponse"}},{"kind":"Field","name":{"kind":"Name","value":"remoteHost"}}]}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<OutboundWithEventsQuery, OutboundWithEventsQueryVariables>;
export const OutboundDashboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OutboundDashboard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outboundMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"timestamp"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<OutboundDashboardQuery, OutboundDashboardQueryVariables>;
export const OutboundSummariesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OutboundSummaries"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outboundMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<OutboundSummariesQuery, OutboundSummariesQueryVariables>;
export const OneOutboundDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OneOutbound"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outboundMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}},{"kind":"Field","name":{"kind":"Name","value":"messageIdHeader"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"testMode"}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OneOutboundQuery, OneOutboundQueryVariables>;
export const OutboundSummariesPagedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OutboundSummariesPaged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outboundMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"7"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<OutboundSummariesPagedQuery, OutboundSummariesPagedQueryVariables>;
export const SendDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Send"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cc"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"replyTo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"testMode"}},{"kind":"Field","name":{"kind":"Name","value":"outboundMessage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SendMutation, SendMutationVariables>;
export const SendRawDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendRaw"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendRawEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendRawEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"formatted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"testMode"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<SendRawMutation, SendRawMutationVariables>;
export const OutcomeSendDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeSend"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendOutcomeUnknownError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeSendMutation, OutcomeSendMutationVariables>;
export const OutcomeSendRawDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OutcomeSendRaw"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendRawEmailInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendRawEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replayed"}},{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendOutcomeUnknownError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"providerCode"}}]}}]}}]}}]} as unknown as DocumentNode<OutcomeSendRawMutation, OutcomeSendRawMutationVariables>;
export const SendingDomainsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SendingDomains"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"provider"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"EmailProvider"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomains"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"Variable","name":{"kind":"Name","value":"provider"}}},{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CloudMailinSendingDomain"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domainId"}},{"kind":"Field","name":{"kind":"Name","value":"mtaDomain"}},{"kind":"Field","name":{"kind":"Name","value":"requiredCname"}},{"kind":"Field","name":{"kind":"Name","value":"dkimSelector"}},{"kind":"Field","name":{"kind":"Name","value":"dkimVerified"}},{"kind":"Field","name":{"kind":"Name","value":"returnPathVerified"}},{"kind":"Field","name":{"kind":"Name","value":"spfVerified"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<SendingDomainsQuery, SendingDomainsQueryVariables>;
export const OneSendingDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OneSendingDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}}]}}]}}]} as unknown as DocumentNode<OneSendingDomainQuery, OneSendingDomainQueryVariables>;
export const CreateSendingDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSendingDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"domain"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"EnumValue","value":"CLOUDMAILIN"}},{"kind":"Argument","name":{"kind":"Name","value":"domain"},"value":{"kind":"Variable","name":{"kind":"Name","value":"domain"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CreateSendingDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ValidationError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"refusedBy"}},{"kind":"Field","name":{"kind":"Name","value":"issues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CreateSendingDomainMutation, CreateSendingDomainMutationVariables>;
export const VerifySendingDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VerifySendingDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifySendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"VerifySendingDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"domain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verified"}},{"kind":"Field","name":{"kind":"Name","value":"dnsRecords"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"purpose"}},{"kind":"Field","name":{"kind":"Name","value":"verified"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"resource"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}}]}}]}}]}}]} as unknown as DocumentNode<VerifySendingDomainMutation, VerifySendingDomainMutationVariables>;
export const DeleteSendingDomainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteSendingDomain"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteSendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteSendingDomainPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedId"}},{"kind":"Field","name":{"kind":"Name","value":"domain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"resource"}},{"kind":"Field","name":{"kind":"Name","value":"resourceId"}}]}}]}}]}}]} as unknown as DocumentNode<DeleteSendingDomainMutation, DeleteSendingDomainMutationVariables>;
export const FailureAddressesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FailureAddresses"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inboundAddresses"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressId"}}]}}]}}]}}]}}]} as unknown as DocumentNode<FailureAddressesQuery, FailureAddressesQueryVariables>;
export const FailureOutboundEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FailureOutboundEvents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outboundMessages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageUuid"}},{"kind":"Field","name":{"kind":"Name","value":"recipients"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"events"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<FailureOutboundEventsQuery, FailureOutboundEventsQueryVariables>;
export const FailureSendDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"FailureSend"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendEmail"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"provider"},"value":{"kind":"EnumValue","value":"CLOUDMAILIN"}},{"kind":"ObjectField","name":{"kind":"Name","value":"from"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"StringValue","value":"a@example.com","block":false}}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"to"},"value":{"kind":"ListValue","values":[{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"StringValue","value":"b@example.net","block":false}}]}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"subject"},"value":{"kind":"StringValue","value":"s","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"text"},"value":{"kind":"StringValue","value":"t","block":false}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SendEmailPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"email"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"messageId"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UpstreamError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<FailureSendMutation, FailureSendMutationVariables>;
export const NeverCachedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"NeverCached"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomains"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]} as unknown as DocumentNode<NeverCachedQuery, NeverCachedQueryVariables>;
export const MissingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Missing"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendingDomain"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"domain"}}]}}]}}]} as unknown as DocumentNode<MissingQuery, MissingQueryVariables>;