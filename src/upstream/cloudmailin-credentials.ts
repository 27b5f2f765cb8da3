/**
 * Which CloudMailin credentials a call needs, and the scopes they define. Checked before any call, so a
 * missing credential is a NotConfiguredError rather than a 401 from upstream.
 */
import type { CloudMailinConfig } from '../config.js';
import { NotConfiguredError } from '../errors.js';
import { credentialScope } from './scope.js';

/** The management API: `{apiUrl}/{accountId}/…` with the account API key. */
export interface ManagementCredentials {
  accountId: string;
  apiKey: string;
  scope: string;
}

/** Sending: `{apiUrl}/{smtpUsername}/messages` with the SMTP token. */
export interface SendingCredentials {
  username: string;
  token: string;
  scope: string;
}

/**
 * Outbound messages: the account URL and the account API key (NOTES), with `outbound_account_id` = the
 * SMTP username. The SMTP token is never sent there: the reference documents it for `POST /messages`
 * only. The scope covers the username, since it selects which messages the list shows.
 */
export interface OutboundCredentials {
  management: ManagementCredentials;
  outboundAccountId: string;
  scope: string;
}

export interface CloudMailinCredentials {
  management: ManagementCredentials | null;
  sending: SendingCredentials | null;
  outbound: OutboundCredentials | null;
}

export function resolveCredentials(config: CloudMailinConfig): CloudMailinCredentials {
  const baseUrl = config.apiUrl;
  const management =
    config.accountId !== null && config.apiKey !== null
      ? {
          accountId: config.accountId,
          apiKey: config.apiKey,
          scope: credentialScope({
            provider: 'CLOUDMAILIN',
            baseUrl,
            accountId: config.accountId,
            secrets: [config.apiKey],
          }),
        }
      : null;
  const sending =
    config.smtpUsername !== null && config.smtpToken !== null
      ? {
          username: config.smtpUsername,
          token: config.smtpToken,
          scope: credentialScope({
            provider: 'CLOUDMAILIN',
            baseUrl,
            accountId: config.smtpUsername,
            secrets: [config.smtpToken],
          }),
        }
      : null;
  const outbound =
    management !== null && config.smtpUsername !== null
      ? {
          management,
          outboundAccountId: config.smtpUsername,
          scope: credentialScope({
            provider: 'CLOUDMAILIN',
            baseUrl,
            accountId: management.accountId,
            secrets: [management.apiKey, config.smtpUsername],
          }),
        }
      : null;
  return { management, sending, outbound };
}

export function requireCredentials<T>(credentials: T | null, what: string): T {
  if (credentials === null) {
    throw new NotConfiguredError(`CloudMailin ${what} credentials are not configured`, 'CLOUDMAILIN');
  }
  return credentials;
}
