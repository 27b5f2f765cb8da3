import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadSandboxServerConfig } from '../src/config.js';

const live = {
  CLOUDMAILIN_ACCOUNT_ID: 'abcdef0123456789',
  CLOUDMAILIN_API_KEY: 'live-secret-api-key-value',
  MAILGRAPH_API_KEYS: 'client-key-0123456789:read+send',
  WEBHOOK_BASIC_AUTH: 'hook:very-secret-password',
};

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('runs in sandbox mode exactly when no provider credentials are set', () => {
    const sandbox = loadConfig({});
    expect(sandbox.sandbox).toBe(true);
    expect(sandbox.port).toBe(4000);
    expect(sandbox.host).toBe('127.0.0.1');
    expect(sandbox.cloudmailin.ratePerMinute).toBe(0);
    expect(sandbox.apiKeys.size).toBe(0);
    const production = loadConfig(live);
    expect(production.sandbox).toBe(false);
    expect(production.cloudmailin).toMatchObject({
      apiUrl: 'https://api.cloudmailin.com/api/v0.1',
      accountId: 'abcdef0123456789',
      ratePerMinute: 5,
      smtpUsername: null,
    });
    expect(production.apiKeys.get('client-key-0123456789')).toEqual(new Set(['read', 'send']));
    expect(production.webhookBasicAuth).toEqual([{ user: 'hook', pass: 'very-secret-password' }]);
  });

  it('keeps the documented rate budget for any CloudMailin server but the relaxed built-in emulator', () => {
    expect(
      loadConfig({ CLOUDMAILIN_API_URL: 'http://127.0.0.1:9999/api/v0.1' }).cloudmailin.ratePerMinute,
    ).toBe(5);
    expect(loadConfig({ MAILGRAPH_SANDBOX_RATE_LIMITS: 'true' }).cloudmailin.ratePerMinute).toBe(5);
    expect(loadConfig({ CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '60' }).cloudmailin.ratePerMinute).toBe(60);
  });

  it('names the variable in one line and never prints a secret', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ MAILGRAPH_SANDBOX: 'maybe' }, 'MAILGRAPH_SANDBOX'],
      [{ CLOUDMAILIN_API_URL: 'ftp://x' }, 'CLOUDMAILIN_API_URL'],
      [{ CLOUDMAILIN_API_URL: 'https://user:pw@example.com' }, 'CLOUDMAILIN_API_URL'],
      [{ ...live, MAILGRAPH_API_KEYS: '' }, 'MAILGRAPH_API_KEYS'],
      [{ ...live, WEBHOOK_BASIC_AUTH: '' }, 'WEBHOOK_BASIC_AUTH'],
      [{ ...live, WEBHOOK_BASIC_AUTH: 'a:b,c:d,e:f' }, 'WEBHOOK_BASIC_AUTH'],
      [{ ...live, WEBHOOK_BASIC_AUTH: 'nopassword' }, 'WEBHOOK_BASIC_AUTH'],
      [{ ...live, MAILGRAPH_API_KEYS: 'short:read' }, 'MAILGRAPH_API_KEYS'],
      [{ ...live, MAILGRAPH_API_KEYS: 'client-key-0123456789:admin' }, 'MAILGRAPH_API_KEYS'],
      [{ ...live, CLOUDMAILIN_API_KEY: 'has space in it' }, 'CLOUDMAILIN_API_KEY'],
      [{ CLOUDMAILIN_API_KEY: 'live-secret-api-key-value' }, 'CLOUDMAILIN_ACCOUNT_ID'],
      [{ CLOUDMAILIN_SMTP_USERNAME: 'aaaa111122223333' }, 'CLOUDMAILIN_SMTP_TOKEN'],
      [{ CLOUDMAILIN_ACCOUNT_ID: '../../etc', CLOUDMAILIN_API_KEY: 'k' }, 'CLOUDMAILIN_ACCOUNT_ID'],
      [{ CLOUDFLARE_ZONE_IDS: 'not-a-zone' }, 'CLOUDFLARE_ZONE_IDS'],
      [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
      [{ MAILGRAPH_UPSTREAM_TIMEOUT_MS: '5' }, 'MAILGRAPH_UPSTREAM_TIMEOUT_MS'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ];
    for (const [env, variable] of cases) {
      const error = refusal(env);
      expect(error.variable).toBe(variable);
      expect(error.message.startsWith(`${variable}: `)).toBe(true);
      expect(error.message).not.toContain('\n');
      for (const secret of ['live-secret-api-key-value', 'very-secret-password', 'has space in it']) {
        expect(error.message).not.toContain(secret);
      }
    }
  });

  it('enforces the documented limits in `npm run sandbox` unless told not to', () => {
    expect(loadSandboxServerConfig({})).toEqual({ port: 4010, host: '127.0.0.1', rateLimits: true });
    expect(
      loadSandboxServerConfig({ MAILGRAPH_SANDBOX_RATE_LIMITS: 'false', SANDBOX_PORT: '0' }).rateLimits,
    ).toBe(false);
  });

  it('stops `npm start` with one clear line and exit code 1 on a bad value', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        PATH: process.env.PATH,
        PORT: 'eighty',
        CLOUDMAILIN_SMTP_TOKEN: 'live-secret-api-key-value',
        MAILGRAPH_SANDBOX: 'true',
        CLOUDMAILIN_SMTP_USERNAME: 'aaaa111122223333',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'mailgraph: configuration error: PORT: must be a whole number between 0 and 65535',
    ]);
    expect(result.stderr + result.stdout).not.toContain('live-secret-api-key-value');
  });
});
