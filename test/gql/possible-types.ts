
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "CreateCustomDomainResult": [
      "CreateCustomDomainPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "CreateInboundAddressResult": [
      "CreateInboundAddressPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "CreateSendingDomainResult": [
      "CreateSendingDomainPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "DeleteCustomDomainResult": [
      "DeleteCustomDomainPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "DeleteInboundAddressResult": [
      "DeleteInboundAddressPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "DeleteSendingDomainResult": [
      "DeleteSendingDomainPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "Error": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "SendOutcomeUnknownError",
      "UpstreamError",
      "ValidationError"
    ],
    "Node": [
      "CloudMailinSendingDomain",
      "CloudflareSendingSubdomain",
      "CustomDomain",
      "InboundAddress",
      "InboundEmail",
      "IncomingStatus",
      "OutboundMessage"
    ],
    "SendEmailResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "SendEmailPayload",
      "SendOutcomeUnknownError",
      "UpstreamError",
      "ValidationError"
    ],
    "SendRawEmailResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "SendEmailPayload",
      "SendOutcomeUnknownError",
      "UpstreamError",
      "ValidationError"
    ],
    "SendingDomain": [
      "CloudMailinSendingDomain",
      "CloudflareSendingSubdomain"
    ],
    "SimulateInboundEmailResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "SimulateInboundEmailPayload",
      "UpstreamError",
      "ValidationError"
    ],
    "UpdateInboundAddressResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpdateInboundAddressPayload",
      "UpstreamError",
      "ValidationError"
    ],
    "UpdateSendingDomainResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpdateSendingDomainPayload",
      "UpstreamError",
      "ValidationError"
    ],
    "VerifySendingDomainResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError",
      "VerifySendingDomainPayload"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "CreateCustomDomainResult": [
      "CreateCustomDomainPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "CreateInboundAddressResult": [
      "CreateInboundAddressPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "CreateSendingDomainResult": [
      "CreateSendingDomainPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "DeleteCustomDomainResult": [
      "DeleteCustomDomainPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "DeleteInboundAddressResult": [
      "DeleteInboundAddressPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "DeleteSendingDomainResult": [
      "DeleteSendingDomainPayload",
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError"
    ],
    "Error": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "SendOutcomeUnknownError",
      "UpstreamError",
      "ValidationError"
    ],
    "Node": [
      "CloudMailinSendingDomain",
      "CloudflareSendingSubdomain",
      "CustomDomain",
      "InboundAddress",
      "InboundEmail",
      "IncomingStatus",
      "OutboundMessage"
    ],
    "SendEmailResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "SendEmailPayload",
      "SendOutcomeUnknownError",
      "UpstreamError",
      "ValidationError"
    ],
    "SendRawEmailResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "SendEmailPayload",
      "SendOutcomeUnknownError",
      "UpstreamError",
      "ValidationError"
    ],
    "SendingDomain": [
      "CloudMailinSendingDomain",
      "CloudflareSendingSubdomain"
    ],
    "SimulateInboundEmailResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "SimulateInboundEmailPayload",
      "UpstreamError",
      "ValidationError"
    ],
    "UpdateInboundAddressResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpdateInboundAddressPayload",
      "UpstreamError",
      "ValidationError"
    ],
    "UpdateSendingDomainResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpdateSendingDomainPayload",
      "UpstreamError",
      "ValidationError"
    ],
    "VerifySendingDomainResult": [
      "NotConfiguredError",
      "NotFoundError",
      "RateLimitedError",
      "UpstreamError",
      "ValidationError",
      "VerifySendingDomainPayload"
    ]
  }
};
      export default result;
    