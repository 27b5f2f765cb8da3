/**
 * The only reader of `process.env`. One zod schema (`envSchema`) parses and validates every variable, once,
 * at start-up; a bad or missing value becomes a `ConfigError` whose message is one line naming the
 * variable and never containing its value (values may be secrets). The result is deeply frozen: what is
 * only known later (the sandbox emulator's URLs) is laid over it by `withSandboxUrls`, which returns a new
 * configuration.
 */
import { z } from 'zod';
// The demo credentials live outside sandbox/ so that the configuration never depends on the emulator.
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN, SANDBOX_WEBHOOK } from './demo-accounts.js';

const scopeSchema = z.enum(['read', 'send', 'manage']);
export type Scope = z.infer<typeof scopeSchema>;
export const ALL_SCOPES: readonly Scope[] = Object.freeze([...scopeSchema.options]);

export interface CloudMailinConfig {
  readonly apiUrl: string;
  /** Management API credentials (addresses, statuses, custom domains, sending domains, outbound messages). */
  readonly accountId: string | null;
  readonly apiKey: string | null;
  /** Sending credentials: the SMTP username is the `{accountID}` of `POST /messages` and `outbound_account_id`. */
  readonly smtpUsername: string | null;
  readonly smtpToken: string | null;
  /** Calls per minute mailgraph allows itself on the management API (0 = no budget). */
  readonly ratePerMinute: number;
}

export interface CloudflareConfig {
  readonly apiUrl: string;
  readonly apiToken: string | null;
  readonly accountId: string | null;
  readonly zoneIds: readonly string[];
}

export interface SandboxConfig {
  /** Whether the built-in emulator enforces the providers' documented rate limits. */
  readonly rateLimits: boolean;
  /** Whether `CLOUDMAILIN_API_URL` was given explicitly (then sandbox mode talks to that server instead). */
  readonly cloudmailinUrlOverridden: boolean;
  /** Likewise for `CLOUDFLARE_API_URL`. */
  readonly cloudflareUrlOverridden: boolean;
}

export interface UpstreamConfig {
  readonly timeoutMs: number;
  readonly cacheTtlSeconds: number;
  /** How long a request may wait for rate budget before mailgraph serves stale data or a RateLimitedError. */
  readonly rateWaitMs: number;
  readonly maxResponseBytes: number;
}

/** The HTTP front (`src/http-server.ts`) and the process around it (`src/server.ts`). */
export interface HttpConfig {
  /** The largest request body of a caller without the `send` scope (and of every unauthenticated request). */
  readonly maxBodyBytes: number;
  /** The largest request body of a caller with the `send` scope: attachments travel base64 in the variables. */
  readonly maxSendBodyBytes: number;
  /** Origins allowed to call `/graphql` from a browser (exact `scheme://host[:port]`); empty: same origin only. */
  readonly corsOrigins: readonly string[];
  /** Whether `GET /graphql` from a browser serves GraphiQL. */
  readonly graphiql: boolean;
  /** Whether `/` serves the live mail activity page (src/activity-page.ts). */
  readonly activityPage: boolean;
  /** How long a SIGTERM or SIGINT waits for requests in flight before it closes their connections. */
  readonly shutdownGraceMs: number;
}

export interface EventsConfig {
  /** How long the event log keeps events; a subscription cursor older than this must resync. */
  readonly retentionMs: number;
  /** The largest webhook body accepted (413 above it). */
  readonly webhookMaxBytes: number;
  /**
   * A Cloudflare Queue receiving Email Sending events, pulled over HTTP; null when not configured. In
   * sandbox mode with the demo Cloudflare credentials, the emulator's queue unless another is given.
   */
  readonly cloudflareQueueId: string | null;
}

/** Limits on live subscriptions (SSE and WebSocket), so that one client cannot exhaust the server. */
export interface SubscriptionsConfig {
  /** The most subscriptions one API key may hold open at once, over every transport (and the most streams). */
  readonly perKey: number;
  /** The most subscriptions one connection may carry: a WebSocket, or a graphql-sse single-connection stream. */
  readonly perConnection: number;
}

/** OpenTelemetry traces (src/tracing.ts): off unless an OTLP endpoint is configured. */
export interface TracingConfig {
  /**
   * Where spans are exported over OTLP/HTTP: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, else
   * `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended (as the OpenTelemetry specification says); null
   * when neither is set or `OTEL_SDK_DISABLED=true`: then tracing is off and its SDK is never loaded.
   */
  readonly tracesUrl: string | null;
  /** `service.name` of every span (`OTEL_SERVICE_NAME`). */
  readonly serviceName: string;
}

export interface WebhookCredential {
  readonly user: string;
  readonly pass: string;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly sandbox: boolean;
  readonly cloudmailin: CloudMailinConfig;
  readonly cloudflare: CloudflareConfig;
  /** Client API keys and their scopes. Empty in sandbox mode when none are given: then every caller has every scope. */
  readonly apiKeys: ReadonlyMap<string, ReadonlySet<Scope>>;
  readonly webhookBasicAuth: readonly WebhookCredential[];
  readonly redisUrl: string | null;
  /** Prefix of every Redis key mailgraph writes, so that deployments (or tests) can share one Redis. */
  readonly redisPrefix: string;
  readonly dataDir: string;
  readonly logLevel: string;
  /** The most upstream calls one operation may cost, by the query cost model (`src/query-cost.ts`). */
  readonly queryCostLimit: number;
  readonly events: EventsConfig;
  readonly subscriptions: SubscriptionsConfig;
  readonly upstream: UpstreamConfig;
  readonly http: HttpConfig;
  readonly tracing: TracingConfig;
  readonly sandboxOptions: SandboxConfig;
}

/** `npm run sandbox` (the emulator alone). */
export interface SandboxServerConfig {
  readonly port: number;
  readonly host: string;
  readonly rateLimits: boolean;
}

/** Where the built-in emulator listens, known only once it has started. */
export interface SandboxUrls {
  readonly cloudmailinUrl: string;
  readonly cloudflareUrl: string;
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

type Env = Readonly<Record<string, string | undefined>>;
type Ctx = z.RefinementCtx;

const DEFAULT_CLOUDMAILIN_URL = 'https://api.cloudmailin.com/api/v0.1';
const DEFAULT_CLOUDFLARE_URL = 'https://api.cloudflare.com/client/v4';
const MAX_VALUE_LENGTH = 65_536;
/** C0 and C1 controls, DEL and the Unicode line and paragraph separators: never meant, and they break log lines. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const SECRET_SHAPE = /^[\x21-\x7e]{1,512}$/;
const IDENTIFIER_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;
const ZONE_ID_SHAPE = /^[0-9a-f]{32}$/;
const TRUE = /^(true|1|yes|on)$/i;
const FALSE = /^(false|0|no|off)$/i;
const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Records a refusal of the variable being parsed (or of `variable`, from the cross-variable checks). */
function refuse(ctx: Ctx, message: string, variable?: string): never {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message, ...(variable ? { path: [variable] } : {}) });
  return z.NEVER;
}

/** Every variable: unset or blank is `undefined`; otherwise its trimmed text, of bounded size, on one line. */
const present = z
  .string()
  .optional()
  .transform((value, ctx): string | undefined => {
    if (value === undefined) return undefined;
    if (value.length > MAX_VALUE_LENGTH) return refuse(ctx, `must be at most ${MAX_VALUE_LENGTH} characters`);
    const trimmed = value.trim();
    if (trimmed === '') return undefined;
    if (CONTROL.test(trimmed)) return refuse(ctx, 'must not contain control characters or line breaks');
    return trimmed;
  });

/** A variable whose text, when set, `parse` turns into a value (or refuses); `undefined` when unset. */
function variable<T>(parse: (text: string, ctx: Ctx) => T) {
  return present.transform((text, ctx): T | undefined => (text === undefined ? undefined : parse(text, ctx)));
}

function or<T>(fallback: T): (value: T | undefined) => T {
  return (value) => value ?? fallback;
}

function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

const text = variable((value) => value);

function int(min: number, max: number) {
  return variable((value, ctx) => {
    if (!/^\d+$/.test(value)) return refuse(ctx, `must be a whole number between ${min} and ${max}`);
    const number = Number(value);
    return number >= min && number <= max ? number : refuse(ctx, `must be between ${min} and ${max}`);
  });
}

const bool = variable((value, ctx) => {
  if (TRUE.test(value)) return true;
  if (FALSE.test(value)) return false;
  return refuse(ctx, 'must be true or false');
});

const httpUrl = variable((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse(ctx, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return refuse(ctx, 'must be an absolute http(s) URL');
  if (url.username || url.password) return refuse(ctx, 'must not carry credentials');
  return withoutTrailingSlashes(value);
});

/** `OTEL_SERVICE_NAME`: any one-line text (control characters are refused for every variable), bounded. */
const serviceName = variable((value, ctx) =>
  value.length <= 255 ? value : refuse(ctx, 'must be at most 255 characters'),
);

/** The OTLP traces URL: the signal's own endpoint as given, else the base endpoint's path + `/v1/traces`. */
function tracesUrl(base: string | undefined, traces: string | undefined): string | null {
  if (traces !== undefined) return traces;
  if (base === undefined) return null;
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return url.href;
}

const secret = variable((value, ctx) =>
  SECRET_SHAPE.test(value)
    ? value
    : refuse(ctx, 'must be printable ASCII without spaces, at most 512 characters'),
);

const identifier = variable((value, ctx) =>
  IDENTIFIER_SHAPE.test(value) ? value : refuse(ctx, 'must be 1-64 letters, digits, - or _'),
);

/** `CLOUDFLARE_ZONE_IDS`: `zone[,zone…]`. */
const zoneIds = variable((value, ctx): readonly string[] => {
  const zones = value.split(',').map((zone) => zone.trim());
  return zones.every((zone) => ZONE_ID_SHAPE.test(zone))
    ? zones
    : refuse(ctx, 'must be comma-separated 32-character hex zone ids');
});

/** `MAILGRAPH_API_KEYS`: `key:scopes[,key:scopes…]`, scopes joined by `+`. */
const apiKeys = variable((value, ctx): ReadonlyMap<string, ReadonlySet<Scope>> => {
  const keys = new Map<string, ReadonlySet<Scope>>();
  for (const entry of value.split(',')) {
    const item = entry.trim();
    if (item === '') continue;
    const colon = item.lastIndexOf(':');
    if (colon <= 0) return refuse(ctx, 'each entry must be key:scopes');
    const key = item.slice(0, colon);
    if (!SECRET_SHAPE.test(key) || key.length < 16) {
      return refuse(ctx, 'each key must be at least 16 printable characters');
    }
    const scopes = new Set<Scope>();
    for (const scope of item.slice(colon + 1).split('+')) {
      const parsed = scopeSchema.safeParse(scope);
      if (!parsed.success) return refuse(ctx, 'scopes must be read, send or manage joined with +');
      scopes.add(parsed.data);
    }
    if (keys.has(key)) return refuse(ctx, 'a key is listed twice');
    keys.set(key, scopes);
  }
  return keys;
});

/** `WEBHOOK_BASIC_AUTH`: `user:pass[,user:pass]` (two allow rotation). */
const webhookBasicAuth = variable((value, ctx): readonly WebhookCredential[] => {
  const pairs = value.split(',').map((pair) => pair.trim());
  if (pairs.length > 2) return refuse(ctx, 'at most two user:pass pairs (for rotation)');
  return pairs.map((pair) => {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) return refuse(ctx, 'each entry must be user:pass');
    return { user: pair.slice(0, colon), pass: pair.slice(colon + 1) };
  });
});

const redisUrl = variable((value, ctx) =>
  /^rediss?:\/\/[^\s]+$/.test(value) ? value : refuse(ctx, 'must be a redis:// or rediss:// URL'),
);

/** `MAILGRAPH_REDIS_PREFIX`: printable ASCII without spaces, 1-64 characters (e.g. `mailgraph:staging:`). */
const redisPrefix = variable((value, ctx) =>
  /^[\x21-\x7e]{1,64}$/.test(value)
    ? value
    : refuse(ctx, 'must be 1-64 printable ASCII characters without spaces'),
);

/** `MAILGRAPH_CORS_ORIGINS`: `origin[,origin…]`, each exactly `http(s)://host[:port]` (no path, no `*`). */
const corsOrigins = variable((value, ctx): readonly string[] => {
  const origins: string[] = [];
  for (const entry of value.split(',')) {
    const item = entry.trim();
    if (item === '') continue;
    let url: URL | null = null;
    try {
      url = new URL(item);
    } catch {
      // refused below
    }
    // Only an origin: nothing after it but an optional `/` (the stored form is the browser's `Origin`).
    if (
      !url ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.href !== `${url.origin}/` ||
      url.hostname.includes('*')
    ) {
      return refuse(ctx, 'each entry must be an origin such as https://app.example.com (no path, no *)');
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
});

const logLevel = variable((value, ctx) =>
  logLevelSchema.safeParse(value).success
    ? value
    : refuse(ctx, `must be one of ${logLevelSchema.options.join(', ')}`),
);

/**
 * Every variable, by its contract name (../shared/DESIGN.md, README "Configuration"). A variable without a
 * default here gets one below, where it depends on other variables (sandbox mode, the relaxed emulator).
 * The loaders pick the variables they read, so each is parsed in this one place.
 */
const envSchema = z.object({
  PORT: int(0, 65_535).transform(or(4000)),
  HOST: text.transform(or('127.0.0.1')),
  MAILGRAPH_SANDBOX: bool,
  MAILGRAPH_SANDBOX_RATE_LIMITS: bool,
  SANDBOX_PORT: int(0, 65_535).transform(or(4010)),
  CLOUDMAILIN_API_URL: httpUrl,
  CLOUDMAILIN_ACCOUNT_ID: identifier,
  CLOUDMAILIN_API_KEY: secret,
  CLOUDMAILIN_SMTP_USERNAME: identifier,
  CLOUDMAILIN_SMTP_TOKEN: secret,
  CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: int(0, 100_000),
  CLOUDFLARE_API_URL: httpUrl,
  CLOUDFLARE_API_TOKEN: secret,
  CLOUDFLARE_ACCOUNT_ID: identifier,
  CLOUDFLARE_ZONE_IDS: zoneIds,
  MAILGRAPH_API_KEYS: apiKeys,
  WEBHOOK_BASIC_AUTH: webhookBasicAuth,
  REDIS_URL: redisUrl,
  MAILGRAPH_REDIS_PREFIX: redisPrefix.transform(or('mailgraph:')),
  MAILGRAPH_DATA_DIR: text.transform(or('./data')),
  LOG_LEVEL: logLevel.transform(or('info')),
  MAILGRAPH_QUERY_COST_LIMIT: int(1, 1_000_000).transform(or(1000)),
  MAILGRAPH_UPSTREAM_TIMEOUT_MS: int(100, 120_000).transform(or(10_000)),
  MAILGRAPH_CACHE_TTL_SECONDS: int(0, 86_400).transform(or(30)),
  MAILGRAPH_RATE_LIMIT_WAIT_MS: int(0, 60_000).transform(or(2_000)),
  MAILGRAPH_UPSTREAM_MAX_BYTES: int(1024, 100 * 1024 * 1024).transform(or(10 * 1024 * 1024)),
  MAILGRAPH_MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024).transform(or(1024 * 1024)),
  MAILGRAPH_MAX_SEND_BODY_BYTES: int(1024, 100 * 1024 * 1024).transform(or(16 * 1024 * 1024)),
  MAILGRAPH_CORS_ORIGINS: corsOrigins.transform(or<readonly string[]>([])),
  MAILGRAPH_GRAPHIQL: bool,
  MAILGRAPH_ACTIVITY_PAGE: bool,
  MAILGRAPH_SHUTDOWN_GRACE_MS: int(0, 600_000).transform(or(10_000)),
  MAILGRAPH_EVENT_RETENTION_HOURS: int(1, 24 * 366).transform(or(168)),
  MAILGRAPH_WEBHOOK_MAX_BYTES: int(1024, 200 * 1024 * 1024).transform(or(30 * 1024 * 1024)),
  CLOUDFLARE_EVENTS_QUEUE_ID: identifier,
  MAILGRAPH_SUBSCRIPTIONS_PER_KEY: int(1, 1_000_000).transform(or(500)),
  MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION: int(1, 10_000).transform(or(50)),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
  OTEL_SDK_DISABLED: bool,
  OTEL_SERVICE_NAME: serviceName.transform(or('mailgraph')),
});

const PROVIDER_CREDENTIALS = [
  'CLOUDMAILIN_ACCOUNT_ID',
  'CLOUDMAILIN_API_KEY',
  'CLOUDMAILIN_SMTP_USERNAME',
  'CLOUDMAILIN_SMTP_TOKEN',
  'CLOUDFLARE_API_TOKEN',
  'CLOUDFLARE_ACCOUNT_ID',
] as const;

/** `npm start`: everything but the port of `npm run sandbox`. Runs only once every variable parsed. */
const configSchema = envSchema.omit({ SANDBOX_PORT: true }).transform((env, ctx): Config => {
  const sandbox = env.MAILGRAPH_SANDBOX ?? PROVIDER_CREDENTIALS.every((name) => env[name] === undefined);
  const rateLimits = env.MAILGRAPH_SANDBOX_RATE_LIMITS ?? false;
  const cloudmailinUrlOverridden = env.CLOUDMAILIN_API_URL !== undefined;

  if ((env.CLOUDMAILIN_ACCOUNT_ID === undefined) !== (env.CLOUDMAILIN_API_KEY === undefined)) {
    return refuse(
      ctx,
      'is required when the other CloudMailin management credential is set',
      env.CLOUDMAILIN_ACCOUNT_ID === undefined ? 'CLOUDMAILIN_ACCOUNT_ID' : 'CLOUDMAILIN_API_KEY',
    );
  }
  if ((env.CLOUDMAILIN_SMTP_USERNAME === undefined) !== (env.CLOUDMAILIN_SMTP_TOKEN === undefined)) {
    return refuse(
      ctx,
      'is required when the other CloudMailin SMTP credential is set',
      env.CLOUDMAILIN_SMTP_USERNAME === undefined ? 'CLOUDMAILIN_SMTP_USERNAME' : 'CLOUDMAILIN_SMTP_TOKEN',
    );
  }
  const apiKeys = env.MAILGRAPH_API_KEYS ?? new Map<string, ReadonlySet<Scope>>();
  // In sandbox mode the emulator posts its webhooks with the demo credentials, unless others are given.
  const webhookBasicAuth = env.WEBHOOK_BASIC_AUTH ?? (sandbox ? [SANDBOX_WEBHOOK] : []);
  if (!sandbox) {
    if (apiKeys.size === 0) return refuse(ctx, 'is required outside sandbox mode', 'MAILGRAPH_API_KEYS');
    if (webhookBasicAuth.length === 0) {
      return refuse(ctx, 'is required outside sandbox mode', 'WEBHOOK_BASIC_AUTH');
    }
  }

  if (env.MAILGRAPH_MAX_SEND_BODY_BYTES < env.MAILGRAPH_MAX_BODY_BYTES) {
    return refuse(ctx, 'must not be smaller than MAILGRAPH_MAX_BODY_BYTES', 'MAILGRAPH_MAX_SEND_BODY_BYTES');
  }

  // Sandbox mode talks to the emulator with its demo credentials unless told otherwise.
  const demoManagement = sandbox && env.CLOUDMAILIN_ACCOUNT_ID === undefined;
  const demoSmtp = sandbox && env.CLOUDMAILIN_SMTP_USERNAME === undefined;
  const demoCloudflare = sandbox && env.CLOUDFLARE_API_TOKEN === undefined;
  const queueId = env.CLOUDFLARE_EVENTS_QUEUE_ID;
  if (queueId !== undefined) {
    // Queue ids are at most 32 characters (QUEUES-PULL.md §1); the queue is pulled with the account's token.
    if (queueId.length > 32) {
      return refuse(ctx, 'must be a queue id (at most 32 characters)', 'CLOUDFLARE_EVENTS_QUEUE_ID');
    }
    if (
      !demoCloudflare &&
      (env.CLOUDFLARE_API_TOKEN === undefined || env.CLOUDFLARE_ACCOUNT_ID === undefined)
    ) {
      return refuse(
        ctx,
        'needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID to pull the queue',
        'CLOUDFLARE_EVENTS_QUEUE_ID',
      );
    }
  }
  // Only the relaxed built-in emulator lets mailgraph skip rationing; any other server gets the documented limit.
  const relaxedEmulator = sandbox && !rateLimits && !cloudmailinUrlOverridden;

  return deepFreeze({
    port: env.PORT,
    host: env.HOST,
    sandbox,
    cloudmailin: {
      apiUrl: env.CLOUDMAILIN_API_URL ?? DEFAULT_CLOUDMAILIN_URL,
      accountId: demoManagement ? SANDBOX_CLOUDMAILIN.accountId : (env.CLOUDMAILIN_ACCOUNT_ID ?? null),
      apiKey: demoManagement ? SANDBOX_CLOUDMAILIN.apiKey : (env.CLOUDMAILIN_API_KEY ?? null),
      smtpUsername: demoSmtp ? SANDBOX_CLOUDMAILIN.smtpUsername : (env.CLOUDMAILIN_SMTP_USERNAME ?? null),
      smtpToken: demoSmtp ? SANDBOX_CLOUDMAILIN.smtpToken : (env.CLOUDMAILIN_SMTP_TOKEN ?? null),
      // The documented limit is 5 calls per minute.
      ratePerMinute: env.CLOUDMAILIN_RATE_LIMIT_PER_MINUTE ?? (relaxedEmulator ? 0 : 5),
    },
    cloudflare: {
      apiUrl: env.CLOUDFLARE_API_URL ?? DEFAULT_CLOUDFLARE_URL,
      apiToken: demoCloudflare ? SANDBOX_CLOUDFLARE.apiToken : (env.CLOUDFLARE_API_TOKEN ?? null),
      accountId: demoCloudflare ? SANDBOX_CLOUDFLARE.accountId : (env.CLOUDFLARE_ACCOUNT_ID ?? null),
      zoneIds: demoCloudflare ? [...SANDBOX_CLOUDFLARE.zoneIds] : (env.CLOUDFLARE_ZONE_IDS ?? []),
    },
    apiKeys,
    webhookBasicAuth,
    redisUrl: env.REDIS_URL ?? null,
    redisPrefix: env.MAILGRAPH_REDIS_PREFIX,
    dataDir: env.MAILGRAPH_DATA_DIR,
    logLevel: env.LOG_LEVEL,
    queryCostLimit: env.MAILGRAPH_QUERY_COST_LIMIT,
    events: {
      retentionMs: env.MAILGRAPH_EVENT_RETENTION_HOURS * 3_600_000,
      webhookMaxBytes: env.MAILGRAPH_WEBHOOK_MAX_BYTES,
      // In sandbox mode with the demo Cloudflare account, the emulator's events queue.
      cloudflareQueueId:
        env.CLOUDFLARE_EVENTS_QUEUE_ID ?? (demoCloudflare ? SANDBOX_CLOUDFLARE.eventsQueueId : null),
    },
    subscriptions: {
      perKey: env.MAILGRAPH_SUBSCRIPTIONS_PER_KEY,
      perConnection: env.MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION,
    },
    upstream: {
      timeoutMs: env.MAILGRAPH_UPSTREAM_TIMEOUT_MS,
      cacheTtlSeconds: env.MAILGRAPH_CACHE_TTL_SECONDS,
      rateWaitMs: env.MAILGRAPH_RATE_LIMIT_WAIT_MS,
      maxResponseBytes: env.MAILGRAPH_UPSTREAM_MAX_BYTES,
    },
    http: {
      maxBodyBytes: env.MAILGRAPH_MAX_BODY_BYTES,
      maxSendBodyBytes: env.MAILGRAPH_MAX_SEND_BODY_BYTES,
      corsOrigins: env.MAILGRAPH_CORS_ORIGINS,
      // GraphiQL is a 9 MB page: served by default only where everything is demo data.
      graphiql: env.MAILGRAPH_GRAPHIQL ?? sandbox,
      // The page shows the account's mail to whoever holds a key: by default only where it is demo data.
      activityPage: env.MAILGRAPH_ACTIVITY_PAGE ?? sandbox,
      shutdownGraceMs: env.MAILGRAPH_SHUTDOWN_GRACE_MS,
    },
    tracing: {
      tracesUrl:
        env.OTEL_SDK_DISABLED === true
          ? null
          : tracesUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
      serviceName: env.OTEL_SERVICE_NAME,
    },
    sandboxOptions: {
      rateLimits,
      cloudmailinUrlOverridden,
      cloudflareUrlOverridden: env.CLOUDFLARE_API_URL !== undefined,
    },
  });
});

/**
 * `npm run sandbox` (the emulator alone). Unlike the sandbox inside `npm start`, it enforces the documented
 * rate limits unless told not to: tools pointed at it usually want to see what the real API would do.
 */
const sandboxServerSchema = envSchema
  .pick({ SANDBOX_PORT: true, HOST: true, MAILGRAPH_SANDBOX_RATE_LIMITS: true })
  .transform(
    (env): SandboxServerConfig =>
      deepFreeze({
        port: env.SANDBOX_PORT,
        host: env.HOST,
        rateLimits: env.MAILGRAPH_SANDBOX_RATE_LIMITS ?? true,
      }),
  );

function parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, env: Env): T {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  // The first refusal, in schema order; checks across variables run only once every variable parsed.
  const issue = result.error.issues[0];
  const name = issue?.path[0];
  if (typeof name !== 'string') throw new ConfigError('environment', 'must be a record of variables');
  // Only refusals written above are shown: zod's own messages may quote the value (an enum's "received").
  throw new ConfigError(name, issue?.code === z.ZodIssueCode.custom ? issue.message : 'must be text');
}

/** Parses and validates `env`; throws a `ConfigError` on the first bad or missing variable. Deeply frozen. */
export function loadConfig(env: Env = process.env): Config {
  return parse(configSchema, env);
}

/** The configuration of `npm run sandbox` (`SANDBOX_PORT`, `HOST`, `MAILGRAPH_SANDBOX_RATE_LIMITS`). */
export function loadSandboxServerConfig(env: Env = process.env): SandboxServerConfig {
  return parse(sandboxServerSchema, env);
}

/**
 * `config` pointed at the started built-in emulator for each provider whose URL was not given explicitly.
 * Pure: returns a new, deeply frozen configuration.
 */
export function withSandboxUrls(config: Config, urls: SandboxUrls): Config {
  if (!config.sandbox) throw new Error('withSandboxUrls: the configuration is not in sandbox mode');
  const { cloudmailinUrlOverridden, cloudflareUrlOverridden } = config.sandboxOptions;
  return deepFreeze({
    ...config,
    cloudmailin: cloudmailinUrlOverridden
      ? config.cloudmailin
      : { ...config.cloudmailin, apiUrl: withoutTrailingSlashes(urls.cloudmailinUrl) },
    cloudflare: cloudflareUrlOverridden
      ? config.cloudflare
      : { ...config.cloudflare, apiUrl: withoutTrailingSlashes(urls.cloudflareUrl) },
  });
}

function readOnly(): never {
  throw new TypeError('the configuration is read-only');
}

/** Freezes `value` and everything it holds; Maps and Sets also refuse `set`, `add`, `delete` and `clear`. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Map || value instanceof Set) {
    for (const method of ['set', 'add', 'delete', 'clear']) {
      if (method in value) Object.defineProperty(value, method, { value: readOnly });
    }
    for (const item of value.values()) deepFreeze(item);
  } else {
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return Object.freeze(value);
}
