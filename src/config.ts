/**
 * The only reader of `process.env`. Everything is parsed and validated here, once, at start-up; a bad or
 * missing value becomes a `ConfigError` whose message is one line naming the variable and never
 * containing its value (values may be secrets).
 */
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN } from './sandbox/accounts.js';

export type Scope = 'read' | 'send' | 'manage';
export const ALL_SCOPES: readonly Scope[] = ['read', 'send', 'manage'];

export interface CloudMailinConfig {
  apiUrl: string;
  /** Management API credentials (addresses, statuses, custom domains, sending domains, outbound messages). */
  accountId: string | null;
  apiKey: string | null;
  /** Sending credentials: the SMTP username is the `{accountID}` of `POST /messages` and `outbound_account_id`. */
  smtpUsername: string | null;
  smtpToken: string | null;
  /** Calls per minute mailgraph allows itself on the management API (0 = no budget). */
  ratePerMinute: number;
}

export interface CloudflareConfig {
  apiUrl: string;
  apiToken: string | null;
  accountId: string | null;
  zoneIds: string[];
}

export interface SandboxConfig {
  /** Whether the built-in emulator enforces the providers' documented rate limits. */
  rateLimits: boolean;
  /** Port of `npm run sandbox` (the emulator alone). `npm start` puts it on an ephemeral loopback port. */
  port: number;
  /** Whether `CLOUDMAILIN_API_URL` was given explicitly (then sandbox mode talks to that server instead). */
  cloudmailinUrlOverridden: boolean;
  /** Likewise for `CLOUDFLARE_API_URL`. */
  cloudflareUrlOverridden: boolean;
}

export interface UpstreamConfig {
  timeoutMs: number;
  cacheTtlSeconds: number;
  /** How long a request may wait for rate budget before mailgraph serves stale data or a RateLimitedError. */
  rateWaitMs: number;
  maxResponseBytes: number;
}

export interface Config {
  port: number;
  host: string;
  sandbox: boolean;
  cloudmailin: CloudMailinConfig;
  cloudflare: CloudflareConfig;
  /** Client API keys and their scopes. Empty in sandbox mode when none are given: then every caller has every scope. */
  apiKeys: Map<string, Set<Scope>>;
  webhookBasicAuth: Array<{ user: string; pass: string }>;
  redisUrl: string | null;
  dataDir: string;
  logLevel: string;
  /** The most upstream calls one operation may cost, by the query cost model (`src/query-cost.ts`). */
  queryCostLimit: number;
  upstream: UpstreamConfig;
  sandboxOptions: SandboxConfig;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | null {
  const value = env[name];
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number between ${min} and ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === null) return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, 'must be true or false');
}

function url(env: Env, name: string, fallback: string): string {
  const raw = text(env, name) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(name, 'must be an absolute http(s) URL');
  }
  if (parsed.username || parsed.password) throw new ConfigError(name, 'must not carry credentials');
  return raw.replace(/\/+$/, '');
}

const SECRET_SHAPE = /^[\x21-\x7e]{1,512}$/;

function secret(env: Env, name: string): string | null {
  const raw = text(env, name);
  if (raw !== null && !SECRET_SHAPE.test(raw)) {
    throw new ConfigError(name, 'must be printable ASCII without spaces, at most 512 characters');
  }
  return raw;
}

function identifier(env: Env, name: string): string | null {
  const raw = text(env, name);
  if (raw !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(raw)) {
    throw new ConfigError(name, 'must be 1-64 letters, digits, - or _');
  }
  return raw;
}

function parseApiKeys(raw: string | null): Map<string, Set<Scope>> {
  const keys = new Map<string, Set<Scope>>();
  if (raw === null) return keys;
  for (const entry of raw.split(',')) {
    const item = entry.trim();
    if (item === '') continue;
    const colon = item.lastIndexOf(':');
    if (colon <= 0) throw new ConfigError('MAILGRAPH_API_KEYS', 'each entry must be key:scopes');
    const key = item.slice(0, colon);
    if (!SECRET_SHAPE.test(key) || key.length < 16) {
      throw new ConfigError('MAILGRAPH_API_KEYS', 'each key must be at least 16 printable characters');
    }
    const scopes = new Set<Scope>();
    for (const scope of item.slice(colon + 1).split('+')) {
      if (!(ALL_SCOPES as readonly string[]).includes(scope)) {
        throw new ConfigError('MAILGRAPH_API_KEYS', 'scopes must be read, send or manage joined with +');
      }
      scopes.add(scope as Scope);
    }
    if (keys.has(key)) throw new ConfigError('MAILGRAPH_API_KEYS', 'a key is listed twice');
    keys.set(key, scopes);
  }
  return keys;
}

function parseBasicAuth(raw: string | null): Array<{ user: string; pass: string }> {
  if (raw === null) return [];
  const pairs = raw.split(',').map((pair) => pair.trim());
  if (pairs.length > 2)
    throw new ConfigError('WEBHOOK_BASIC_AUTH', 'at most two user:pass pairs (for rotation)');
  return pairs.map((pair) => {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) {
      throw new ConfigError('WEBHOOK_BASIC_AUTH', 'each entry must be user:pass');
    }
    return { user: pair.slice(0, colon), pass: pair.slice(colon + 1) };
  });
}

const PROVIDER_CREDENTIALS = [
  'CLOUDMAILIN_ACCOUNT_ID',
  'CLOUDMAILIN_API_KEY',
  'CLOUDMAILIN_SMTP_USERNAME',
  'CLOUDMAILIN_SMTP_TOKEN',
  'CLOUDFLARE_API_TOKEN',
  'CLOUDFLARE_ACCOUNT_ID',
];

export function loadConfig(env: Env = process.env): Config {
  const anyCredential = PROVIDER_CREDENTIALS.some((name) => text(env, name) !== null);
  const sandbox = bool(env, 'MAILGRAPH_SANDBOX', !anyCredential);
  const sandboxRateLimits = bool(env, 'MAILGRAPH_SANDBOX_RATE_LIMITS', false);

  const cloudmailinUrlOverridden = text(env, 'CLOUDMAILIN_API_URL') !== null;
  // Only the relaxed built-in emulator lets mailgraph skip rationing; any other server gets the documented limit.
  const relaxedEmulator = sandbox && !sandboxRateLimits && !cloudmailinUrlOverridden;
  const cloudmailin: CloudMailinConfig = {
    apiUrl: url(env, 'CLOUDMAILIN_API_URL', 'https://api.cloudmailin.com/api/v0.1'),
    accountId: identifier(env, 'CLOUDMAILIN_ACCOUNT_ID'),
    apiKey: secret(env, 'CLOUDMAILIN_API_KEY'),
    smtpUsername: identifier(env, 'CLOUDMAILIN_SMTP_USERNAME'),
    smtpToken: secret(env, 'CLOUDMAILIN_SMTP_TOKEN'),
    // The documented limit is 5 calls per minute.
    ratePerMinute: int(env, 'CLOUDMAILIN_RATE_LIMIT_PER_MINUTE', relaxedEmulator ? 0 : 5, 0, 100_000),
  };
  if ((cloudmailin.accountId === null) !== (cloudmailin.apiKey === null)) {
    throw new ConfigError(
      cloudmailin.accountId === null ? 'CLOUDMAILIN_ACCOUNT_ID' : 'CLOUDMAILIN_API_KEY',
      'is required when the other CloudMailin management credential is set',
    );
  }
  if ((cloudmailin.smtpUsername === null) !== (cloudmailin.smtpToken === null)) {
    throw new ConfigError(
      cloudmailin.smtpUsername === null ? 'CLOUDMAILIN_SMTP_USERNAME' : 'CLOUDMAILIN_SMTP_TOKEN',
      'is required when the other CloudMailin SMTP credential is set',
    );
  }

  const zoneRaw = text(env, 'CLOUDFLARE_ZONE_IDS');
  const zoneIds = zoneRaw === null ? [] : zoneRaw.split(',').map((zone) => zone.trim());
  if (zoneIds.some((zone) => !/^[0-9a-f]{32}$/.test(zone))) {
    throw new ConfigError('CLOUDFLARE_ZONE_IDS', 'must be comma-separated 32-character hex zone ids');
  }
  const cloudflare: CloudflareConfig = {
    apiUrl: url(env, 'CLOUDFLARE_API_URL', 'https://api.cloudflare.com/client/v4'),
    apiToken: secret(env, 'CLOUDFLARE_API_TOKEN'),
    accountId: identifier(env, 'CLOUDFLARE_ACCOUNT_ID'),
    zoneIds,
  };

  if (sandbox) {
    // Sandbox mode talks to the emulator with its demo credentials unless told otherwise.
    if (cloudmailin.accountId === null) {
      cloudmailin.accountId = SANDBOX_CLOUDMAILIN.accountId;
      cloudmailin.apiKey = SANDBOX_CLOUDMAILIN.apiKey;
    }
    if (cloudmailin.smtpUsername === null) {
      cloudmailin.smtpUsername = SANDBOX_CLOUDMAILIN.smtpUsername;
      cloudmailin.smtpToken = SANDBOX_CLOUDMAILIN.smtpToken;
    }
    if (cloudflare.apiToken === null) {
      cloudflare.apiToken = SANDBOX_CLOUDFLARE.apiToken;
      cloudflare.accountId = SANDBOX_CLOUDFLARE.accountId;
      cloudflare.zoneIds = [...SANDBOX_CLOUDFLARE.zoneIds];
    }
  }

  const apiKeys = parseApiKeys(text(env, 'MAILGRAPH_API_KEYS'));
  const webhookBasicAuth = parseBasicAuth(text(env, 'WEBHOOK_BASIC_AUTH'));
  if (!sandbox) {
    if (apiKeys.size === 0) throw new ConfigError('MAILGRAPH_API_KEYS', 'is required outside sandbox mode');
    if (webhookBasicAuth.length === 0) {
      throw new ConfigError('WEBHOOK_BASIC_AUTH', 'is required outside sandbox mode');
    }
  }

  const redisUrl = text(env, 'REDIS_URL');
  if (redisUrl !== null && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  }
  const logLevel = text(env, 'LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent');
  }

  return {
    port: int(env, 'PORT', 4000, 0, 65_535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    sandbox,
    cloudmailin,
    cloudflare,
    apiKeys,
    webhookBasicAuth,
    redisUrl,
    dataDir: text(env, 'MAILGRAPH_DATA_DIR') ?? './data',
    logLevel,
    queryCostLimit: int(env, 'MAILGRAPH_QUERY_COST_LIMIT', 1000, 1, 1_000_000),
    upstream: {
      timeoutMs: int(env, 'MAILGRAPH_UPSTREAM_TIMEOUT_MS', 10_000, 100, 120_000),
      cacheTtlSeconds: int(env, 'MAILGRAPH_CACHE_TTL_SECONDS', 30, 0, 86_400),
      rateWaitMs: int(env, 'MAILGRAPH_RATE_LIMIT_WAIT_MS', 2_000, 0, 60_000),
      maxResponseBytes: int(env, 'MAILGRAPH_UPSTREAM_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    },
    sandboxOptions: {
      rateLimits: sandboxRateLimits,
      port: int(env, 'SANDBOX_PORT', 4010, 0, 65_535),
      cloudmailinUrlOverridden,
      cloudflareUrlOverridden: text(env, 'CLOUDFLARE_API_URL') !== null,
    },
  };
}

/**
 * `npm run sandbox` (the emulator alone). Unlike the sandbox inside `npm start`, it enforces the documented
 * rate limits unless told not to: tools pointed at it usually want to see what the real API would do.
 */
export function loadSandboxServerConfig(env: Env = process.env): {
  port: number;
  host: string;
  rateLimits: boolean;
} {
  return {
    port: int(env, 'SANDBOX_PORT', 4010, 0, 65_535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    rateLimits: bool(env, 'MAILGRAPH_SANDBOX_RATE_LIMITS', true),
  };
}
