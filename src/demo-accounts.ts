/**
 * The built-in emulator's fixed demo credentials. In sandbox mode mailgraph is configured with exactly
 * these, so it talks to the emulator as it would talk to a real account. They are public on purpose: the
 * emulator only ever listens on loopback and holds demo data.
 *
 * They live here, outside `sandbox/`, because both sides need them: `config.ts` makes them the sandbox-mode
 * defaults (so `loadConfig` alone yields a complete configuration) and the emulator accepts them. The
 * configuration must not depend on the emulator, nor the emulator on the configuration.
 */
export const SANDBOX_CLOUDMAILIN = Object.freeze({
  /** The management account (`{accountID}` in the path); the spec's development default. */
  accountId: '21c3976d80ba5e42',
  apiKey: 'sandbox-cloudmailin-api-key',
  /** The outbound account: the SMTP username is both `{accountID}` for `/messages` and `outbound_account_id`. */
  smtpUsername: 'aaaa111122223333',
  smtpToken: 'sandbox-cloudmailin-smtp-token',
} as const);

export const SANDBOX_CLOUDFLARE = Object.freeze({
  accountId: '01a7362d577a6c3019a474fd6f485823',
  apiToken: 'sandbox-cloudflare-api-token',
  /** Two zones, so that listing across zones (one call each) is exercised. Zone names live in the emulator. */
  zoneIds: Object.freeze(['023e105f4ecef8ad9ca31a8372d0c353', '9a7806061c88ada191ed06f989cc3dac'] as const),
  /** The queue the emulator publishes its Email Sending events to (CLOUDFLARE_EVENTS_QUEUE_ID in sandbox mode). */
  eventsQueueId: '4f6b3c2a9e8d7c6b5a4f3e2d1c0b9a87',
} as const);

/** What the emulator's webhook playback posts with, and mailgraph accepts in sandbox mode by default. */
export const SANDBOX_WEBHOOK = Object.freeze({ user: 'sandbox', pass: 'sandbox-webhook-secret' } as const);
