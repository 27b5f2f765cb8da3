import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Config,
  ConfigError,
  loadConfig,
  loadSandboxServerConfig,
  withSandboxUrls,
} from '../src/config.js';
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN } from '../src/demo-accounts.js';
import { freePort } from './helpers/ports.js';

const live = {
  CLOUDMAILIN_ACCOUNT_ID: 'abcdef0123456789',
  CLOUDMAILIN_API_KEY: 'live-secret-api-key-value',
  MAILGRAPH_API_KEYS: 'client-key-0123456789:read+send',
  WEBHOOK_BASIC_AUTH: 'hook:very-secret-password',
};

function refusal(env: Record<string, string>, load: (env: Record<string, string>) => unknown = loadConfig) {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env).slice(0, 200)}`);
}

/** The refusal is one short line naming `variable`, and quotes none of `secrets`. */
function expectCleanRefusal(error: ConfigError, variable: string, secrets: string[] = []): void {
  expect(error.variable).toBe(variable);
  expect(error.message.startsWith(`${variable}: `)).toBe(true);
  expect(error.message).not.toMatch(/[\r\n\u2028\u2029\0]/);
  expect(error.message.length).toBeLessThan(200);
  for (const secret of secrets) {
    expect(error.message).not.toContain(secret);
    expect(String(error)).not.toContain(secret);
    expect(error.stack ?? '').not.toContain(secret);
  }
}

/** Every object, array, Map and Set reachable from `value` is frozen, and Maps and Sets refuse changes. */
function expectDeeplyFrozen(value: unknown, path = 'config'): void {
  if (typeof value !== 'object' || value === null) return;
  expect(Object.isFrozen(value), path).toBe(true);
  if (value instanceof Map) {
    expect(() => value.set('another-client-key-0123', new Set()), `${path}.set`).toThrow(TypeError);
    expect(() => value.delete('x'), `${path}.delete`).toThrow(TypeError);
    expect(() => value.clear(), `${path}.clear`).toThrow(TypeError);
    for (const [key, item] of value) expectDeeplyFrozen(item, `${path}.get(${key})`);
  } else if (value instanceof Set) {
    expect(() => value.add('manage'), `${path}.add`).toThrow(TypeError);
    expect(() => value.delete('read'), `${path}.delete`).toThrow(TypeError);
  } else {
    for (const [key, item] of Object.entries(value)) expectDeeplyFrozen(item, `${path}.${key}`);
  }
}

let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

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

  it('reads the HTTP front’s limits, allowed origins, GraphiQL and activity page switches and shutdown grace', () => {
    expect(loadConfig({}).http).toEqual({
      maxBodyBytes: 1024 * 1024,
      maxSendBodyBytes: 16 * 1024 * 1024,
      corsOrigins: [],
      graphiql: true,
      activityPage: true,
      shutdownGraceMs: 10_000,
    });
    // GraphiQL is on by default only in sandbox mode.
    expect(loadConfig(live).http.graphiql).toBe(false);
    expect(loadConfig({ ...live, MAILGRAPH_GRAPHIQL: 'true' }).http.graphiql).toBe(true);
    expect(loadConfig({ MAILGRAPH_GRAPHIQL: 'false' }).http.graphiql).toBe(false);
    // So is the live mail activity page at `/`, each switch on its own.
    expect(loadConfig(live).http.activityPage).toBe(false);
    expect(loadConfig({ ...live, MAILGRAPH_ACTIVITY_PAGE: 'true' }).http).toMatchObject({
      activityPage: true,
      graphiql: false,
    });
    expect(loadConfig({ MAILGRAPH_ACTIVITY_PAGE: 'off' }).http).toMatchObject({
      activityPage: false,
      graphiql: true,
    });
    expect(loadConfig({ ...live, MAILGRAPH_ACTIVITY_PAGE: ' yes ' }).http.activityPage).toBe(true);
    const custom = loadConfig({
      MAILGRAPH_MAX_BODY_BYTES: '2048',
      MAILGRAPH_MAX_SEND_BODY_BYTES: '4096',
      MAILGRAPH_CORS_ORIGINS: 'https://App.example.com:443, http://localhost:5173/,https://app.example.com',
      MAILGRAPH_SHUTDOWN_GRACE_MS: '0',
    }).http;
    expect(custom).toMatchObject({ maxBodyBytes: 2048, maxSendBodyBytes: 4096, shutdownGraceMs: 0 });
    // Stored as browsers send `Origin`: lower case, no default port, no trailing slash, once.
    expect(custom.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    for (const origins of [
      '*',
      'https://*.example.com',
      'app.example.com',
      'ftp://a.example',
      'https://a.example?x',
    ]) {
      expectCleanRefusal(refusal({ MAILGRAPH_CORS_ORIGINS: origins }), 'MAILGRAPH_CORS_ORIGINS');
    }
    expectCleanRefusal(
      refusal({ MAILGRAPH_MAX_BODY_BYTES: '4096', MAILGRAPH_MAX_SEND_BODY_BYTES: '2048' }),
      'MAILGRAPH_MAX_SEND_BODY_BYTES',
    );
  });

  it('reads Redis: the URL and the prefix of every key mailgraph writes there', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: null, redisPrefix: 'mailgraph:' });
    expect(
      loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2', MAILGRAPH_REDIS_PREFIX: 'mailgraph:staging:' }),
    ).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379/2', redisPrefix: 'mailgraph:staging:' });
  });

  it('limits live subscriptions per key and per connection, 500 and 50 unless told otherwise', () => {
    expect(loadConfig({}).subscriptions).toEqual({ perKey: 500, perConnection: 50 });
    expect(
      loadConfig({ MAILGRAPH_SUBSCRIPTIONS_PER_KEY: '2000', MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION: '4' })
        .subscriptions,
    ).toEqual({ perKey: 2000, perConnection: 4 });
  });

  it('reads OpenTelemetry tracing: off without an endpoint, the standard variables otherwise', () => {
    expect(loadConfig({}).tracing).toEqual({ tracesUrl: null, serviceName: 'mailgraph' });
    // The base endpoint gets the signal's path, as the OpenTelemetry specification says; a trailing slash or
    // a path prefix is kept right.
    for (const [base, traces] of [
      ['http://collector:4318', 'http://collector:4318/v1/traces'],
      ['https://otel.example.com/', 'https://otel.example.com/v1/traces'],
      ['https://otel.example.com/tenant-7/', 'https://otel.example.com/tenant-7/v1/traces'],
    ]) {
      expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: base as string }).tracing.tracesUrl).toBe(traces);
    }
    // The traces endpoint is taken as it is, and wins over the base one.
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest',
        OTEL_SERVICE_NAME: 'mailgraph-eu',
      }).tracing,
    ).toEqual({ tracesUrl: 'https://traces.example.com/ingest', serviceName: 'mailgraph-eu' });
    // OTEL_SDK_DISABLED=true turns it off whatever the endpoints say.
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing
        .tracesUrl,
    ).toBeNull();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }).tracing
        .tracesUrl,
    ).toBe('http://collector:4318/v1/traces');
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
  it('refuses a bad value of every variable with one line naming it', () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '70000' }],
      ['PORT', { PORT: '-1' }],
      ['PORT', { PORT: '1e3' }],
      ['HOST', { HOST: 'local\u0000host' }],
      ['MAILGRAPH_SANDBOX', { MAILGRAPH_SANDBOX: 'maybe' }],
      ['MAILGRAPH_SANDBOX_RATE_LIMITS', { MAILGRAPH_SANDBOX_RATE_LIMITS: 'sometimes' }],
      ['CLOUDMAILIN_API_URL', { CLOUDMAILIN_API_URL: 'not a url' }],
      ['CLOUDMAILIN_API_URL', { CLOUDMAILIN_API_URL: 'api.cloudmailin.com/api/v0.1' }],
      ['CLOUDMAILIN_ACCOUNT_ID', { CLOUDMAILIN_ACCOUNT_ID: 'a/b', CLOUDMAILIN_API_KEY: 'live-key-value' }],
      ['CLOUDMAILIN_API_KEY', { CLOUDMAILIN_ACCOUNT_ID: 'abc', CLOUDMAILIN_API_KEY: 'x'.repeat(513) }],
      [
        'CLOUDMAILIN_SMTP_USERNAME',
        { CLOUDMAILIN_SMTP_USERNAME: 'user name', CLOUDMAILIN_SMTP_TOKEN: 'tok' },
      ],
      ['CLOUDMAILIN_SMTP_TOKEN', { CLOUDMAILIN_SMTP_USERNAME: 'user', CLOUDMAILIN_SMTP_TOKEN: 'tok en' }],
      ['CLOUDMAILIN_RATE_LIMIT_PER_MINUTE', { CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: '100001' }],
      ['CLOUDFLARE_API_URL', { CLOUDFLARE_API_URL: 'mailto:ops@example.com' }],
      ['CLOUDFLARE_API_TOKEN', { CLOUDFLARE_API_TOKEN: 'token with spaces' }],
      ['CLOUDFLARE_ACCOUNT_ID', { CLOUDFLARE_ACCOUNT_ID: 'account!' }],
      ['CLOUDFLARE_ZONE_IDS', { CLOUDFLARE_ZONE_IDS: `${'a'.repeat(32)},${'G'.repeat(32)}` }],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: 'client-key-0123456789:read+admin' }],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: 'client-key-0123456789' }],
      [
        'MAILGRAPH_API_KEYS',
        { ...live, MAILGRAPH_API_KEYS: 'client-key-0123456789:read,client-key-0123456789:send' },
      ],
      ['WEBHOOK_BASIC_AUTH', { ...live, WEBHOOK_BASIC_AUTH: 'hook-without-colon' }],
      ['WEBHOOK_BASIC_AUTH', { ...live, WEBHOOK_BASIC_AUTH: 'hook:' }],
      ['REDIS_URL', { REDIS_URL: 'https://cache.example.com:6379' }],
      ['MAILGRAPH_REDIS_PREFIX', { MAILGRAPH_REDIS_PREFIX: 'has space:' }],
      ['MAILGRAPH_DATA_DIR', { MAILGRAPH_DATA_DIR: './data\u0000/../etc' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
      ['MAILGRAPH_QUERY_COST_LIMIT', { MAILGRAPH_QUERY_COST_LIMIT: '0' }],
      ['MAILGRAPH_UPSTREAM_TIMEOUT_MS', { MAILGRAPH_UPSTREAM_TIMEOUT_MS: '120001' }],
      ['MAILGRAPH_CACHE_TTL_SECONDS', { MAILGRAPH_CACHE_TTL_SECONDS: 'thirty' }],
      ['MAILGRAPH_RATE_LIMIT_WAIT_MS', { MAILGRAPH_RATE_LIMIT_WAIT_MS: '60001' }],
      ['MAILGRAPH_UPSTREAM_MAX_BYTES', { MAILGRAPH_UPSTREAM_MAX_BYTES: '1023' }],
      ['MAILGRAPH_MAX_BODY_BYTES', { MAILGRAPH_MAX_BODY_BYTES: '1mb' }],
      ['MAILGRAPH_MAX_SEND_BODY_BYTES', { MAILGRAPH_MAX_SEND_BODY_BYTES: '104857601' }],
      ['MAILGRAPH_CORS_ORIGINS', { MAILGRAPH_CORS_ORIGINS: 'https://app.example.com/path' }],
      ['MAILGRAPH_GRAPHIQL', { MAILGRAPH_GRAPHIQL: 'sometimes' }],
      ['MAILGRAPH_ACTIVITY_PAGE', { MAILGRAPH_ACTIVITY_PAGE: 'maybe' }],
      ['MAILGRAPH_SHUTDOWN_GRACE_MS', { MAILGRAPH_SHUTDOWN_GRACE_MS: '600001' }],
      ['MAILGRAPH_SUBSCRIPTIONS_PER_KEY', { MAILGRAPH_SUBSCRIPTIONS_PER_KEY: '0' }],
      ['MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION', { MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION: 'many' }],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:token@collector:4318' }],
      ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' }],
      ['OTEL_SDK_DISABLED', { OTEL_SDK_DISABLED: 'perhaps' }],
      ['OTEL_SERVICE_NAME', { OTEL_SERVICE_NAME: 'm'.repeat(256) }],
    ];
    for (const [variable, env] of cases) {
      const value = env[variable] ?? '';
      expectCleanRefusal(refusal(env), variable, value.length >= 3 ? [value] : []);
    }
    // SANDBOX_PORT belongs to `npm run sandbox` alone: parsed there, ignored by `npm start`.
    expectCleanRefusal(refusal({ SANDBOX_PORT: '70000' }, loadSandboxServerConfig), 'SANDBOX_PORT', [
      '70000',
    ]);
    expect(loadConfig({ SANDBOX_PORT: '70000' }).sandbox).toBe(true);
    expect(loadConfig({}).sandboxOptions).not.toHaveProperty('port');

    // Every variable of the contract (../shared/DESIGN.md, README) has a case above.
    const covered = new Set([...cases.map(([variable]) => variable), 'SANDBOX_PORT']);
    expect([...covered].sort()).toEqual(
      [
        'PORT',
        'HOST',
        'MAILGRAPH_SANDBOX',
        'MAILGRAPH_SANDBOX_RATE_LIMITS',
        'SANDBOX_PORT',
        'CLOUDMAILIN_API_URL',
        'CLOUDMAILIN_ACCOUNT_ID',
        'CLOUDMAILIN_API_KEY',
        'CLOUDMAILIN_SMTP_USERNAME',
        'CLOUDMAILIN_SMTP_TOKEN',
        'CLOUDMAILIN_RATE_LIMIT_PER_MINUTE',
        'CLOUDFLARE_API_URL',
        'CLOUDFLARE_API_TOKEN',
        'CLOUDFLARE_ACCOUNT_ID',
        'CLOUDFLARE_ZONE_IDS',
        'MAILGRAPH_API_KEYS',
        'WEBHOOK_BASIC_AUTH',
        'REDIS_URL',
        'MAILGRAPH_REDIS_PREFIX',
        'MAILGRAPH_DATA_DIR',
        'LOG_LEVEL',
        'MAILGRAPH_QUERY_COST_LIMIT',
        'MAILGRAPH_UPSTREAM_TIMEOUT_MS',
        'MAILGRAPH_CACHE_TTL_SECONDS',
        'MAILGRAPH_RATE_LIMIT_WAIT_MS',
        'MAILGRAPH_UPSTREAM_MAX_BYTES',
        'MAILGRAPH_MAX_BODY_BYTES',
        'MAILGRAPH_MAX_SEND_BODY_BYTES',
        'MAILGRAPH_CORS_ORIGINS',
        'MAILGRAPH_GRAPHIQL',
        'MAILGRAPH_ACTIVITY_PAGE',
        'MAILGRAPH_SHUTDOWN_GRACE_MS',
        'MAILGRAPH_SUBSCRIPTIONS_PER_KEY',
        'MAILGRAPH_SUBSCRIPTIONS_PER_CONNECTION',
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
        'OTEL_SDK_DISABLED',
        'OTEL_SERVICE_NAME',
      ].sort(),
    );
  });

  it('never quotes a secret from the input, whichever check refuses it', () => {
    const apiKey = 'client-key-SECRET-0123456789';
    const cases: Array<[string, Record<string, string>, string[]]> = [
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: `${apiKey}:read+admin` }, [apiKey]],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: `${apiKey}:read,${apiKey}:send` }, [apiKey]],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: 'short-SECRET:read' }, ['short-SECRET']],
      [
        'WEBHOOK_BASIC_AUTH',
        { ...live, WEBHOOK_BASIC_AUTH: 'hook:pw-SECRET-1,hook2:pw-SECRET-2,x:y' },
        ['pw-SECRET'],
      ],
      ['WEBHOOK_BASIC_AUTH', { ...live, WEBHOOK_BASIC_AUTH: 'hook:pw-SECRET-1\u2028x' }, ['pw-SECRET']],
      ['CLOUDMAILIN_API_KEY', { ...live, CLOUDMAILIN_API_KEY: 'api SECRET value' }, ['SECRET']],
      ['CLOUDMAILIN_ACCOUNT_ID', { CLOUDMAILIN_API_KEY: 'api-SECRET-value' }, ['api-SECRET-value']],
      [
        'CLOUDMAILIN_SMTP_TOKEN',
        { CLOUDMAILIN_SMTP_USERNAME: 'user', CLOUDMAILIN_SMTP_TOKEN: 'smtp\u0000SECRET' },
        ['SECRET'],
      ],
      ['CLOUDFLARE_API_TOKEN', { CLOUDFLARE_API_TOKEN: `cf-SECRET-${'t'.repeat(600)}` }, ['cf-SECRET']],
      ['REDIS_URL', { REDIS_URL: 'redis://user:redis-SECRET@cache example' }, ['redis-SECRET']],
      [
        'CLOUDMAILIN_API_URL',
        { CLOUDMAILIN_API_URL: 'https://user:url-SECRET@api.example.com' },
        ['url-SECRET'],
      ],
      ['LOG_LEVEL', { ...live, LOG_LEVEL: 'verbose' }, ['verbose', apiKey, ...Object.values(live)]],
    ];
    for (const [variable, env, secrets] of cases) expectCleanRefusal(refusal(env), variable, secrets);
  });

  it('returns a deeply frozen configuration', () => {
    const configs: Config[] = [
      loadConfig({}),
      loadConfig({ ...live, CLOUDFLARE_ZONE_IDS: 'a'.repeat(32) }),
      withSandboxUrls(loadConfig({}), {
        cloudmailinUrl: 'http://127.0.0.1:1/cm',
        cloudflareUrl: 'http://127.0.0.1:1/cf',
      }),
    ];
    for (const config of configs) {
      expectDeeplyFrozen(config);
      // Test files are ES modules, hence strict mode: assigning to a frozen property throws.
      expect(() => {
        (config as { port: number }).port = 1;
      }).toThrow(TypeError);
      expect(() => {
        (config.cloudmailin as { apiUrl: string }).apiUrl = 'http://evil.example';
      }).toThrow(TypeError);
      expect(() => (config.cloudflare.zoneIds as string[]).push('b'.repeat(32))).toThrow(TypeError);
      expect(() => (config.webhookBasicAuth as unknown[]).push({ user: 'u', pass: 'p' })).toThrow(TypeError);
    }
    const production = configs[1] as Config;
    expect(production.apiKeys.get('client-key-0123456789')).toEqual(new Set(['read', 'send']));
    expect(production.cloudflare.zoneIds).toEqual(['a'.repeat(32)]);
    expectDeeplyFrozen(loadSandboxServerConfig({}), 'sandboxServerConfig');
  });

  it('pulls the emulator’s events queue in sandbox mode, and another queue only with the credentials to pull it', () => {
    const queueId = (env: Record<string, string>) => loadConfig(env).events.cloudflareQueueId;
    expect(queueId({})).toBe(SANDBOX_CLOUDFLARE.eventsQueueId);
    expect(queueId({ CLOUDFLARE_EVENTS_QUEUE_ID: 'q-1' })).toBe('q-1');
    expect(queueId(live)).toBeNull();
    const cloudflare = {
      ...live,
      CLOUDFLARE_API_TOKEN: 'cf-live-token-0123',
      CLOUDFLARE_ACCOUNT_ID: 'acc0123',
    };
    // With its own Cloudflare account, even sandbox mode pulls no queue it was not given.
    expect(queueId({ ...cloudflare, MAILGRAPH_SANDBOX: 'true' })).toBeNull();
    expect(queueId({ ...cloudflare, CLOUDFLARE_EVENTS_QUEUE_ID: 'a'.repeat(32) })).toBe('a'.repeat(32));
    const { CLOUDFLARE_ACCOUNT_ID: _, ...tokenOnly } = cloudflare;
    for (const env of [
      { ...cloudflare, CLOUDFLARE_EVENTS_QUEUE_ID: 'a'.repeat(33) },
      { ...cloudflare, CLOUDFLARE_EVENTS_QUEUE_ID: 'a/b' },
      { ...tokenOnly, CLOUDFLARE_EVENTS_QUEUE_ID: 'q-1' },
      { ...live, CLOUDFLARE_EVENTS_QUEUE_ID: 'q-1' },
    ]) {
      expectCleanRefusal(refusal(env), 'CLOUDFLARE_EVENTS_QUEUE_ID');
    }
  });

  it('fills in the demo credentials in sandbox mode, and the emulator URLs only through withSandboxUrls', () => {
    const loaded = loadConfig({});
    expect(loaded.cloudmailin).toMatchObject({
      ...SANDBOX_CLOUDMAILIN,
      apiUrl: 'https://api.cloudmailin.com/api/v0.1',
    });
    expect(loaded.cloudflare).toMatchObject({
      apiToken: SANDBOX_CLOUDFLARE.apiToken,
      accountId: SANDBOX_CLOUDFLARE.accountId,
      zoneIds: [...SANDBOX_CLOUDFLARE.zoneIds],
    });
    const urls = {
      cloudmailinUrl: 'http://127.0.0.1:7/cloudmailin/api/v0.1/',
      cloudflareUrl: 'http://127.0.0.1:7/cf',
    };
    const derived = withSandboxUrls(loaded, urls);
    expect(derived).not.toBe(loaded);
    expect(derived.cloudmailin.apiUrl).toBe('http://127.0.0.1:7/cloudmailin/api/v0.1');
    expect(derived.cloudflare.apiUrl).toBe('http://127.0.0.1:7/cf');
    expect(loaded.cloudmailin.apiUrl).toBe('https://api.cloudmailin.com/api/v0.1');
    expect({ ...derived, cloudmailin: loaded.cloudmailin, cloudflare: loaded.cloudflare }).toEqual(loaded);

    // A URL given explicitly wins over the emulator's.
    const overridden = loadConfig({ CLOUDMAILIN_API_URL: 'http://127.0.0.1:9/api/' });
    expect(withSandboxUrls(overridden, urls).cloudmailin.apiUrl).toBe('http://127.0.0.1:9/api');
    expect(withSandboxUrls(overridden, urls).cloudflare.apiUrl).toBe('http://127.0.0.1:7/cf');
    expect(() => withSandboxUrls(loadConfig(live), urls)).toThrow(/sandbox mode/);

    // The configuration does not depend on the emulator.
    expect(readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8')).not.toMatch(
      /from '\.\/sandbox\//,
    );
  });

  it('refuses hostile input with a clean ConfigError, not a crash or a hang', () => {
    const megabyte = 'x'.repeat(1024 * 1024);
    const cases: Array<[string, Record<string, string>]> = [
      ['PORT', { PORT: '9'.repeat(1024 * 1024) }],
      ['HOST', { HOST: megabyte }],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: `${megabyte}:read` }],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: ','.repeat(1024 * 1024) + 'k' }],
      ['CLOUDMAILIN_API_URL', { CLOUDMAILIN_API_URL: `http://a/${'/'.repeat(1024 * 1024)}x` }],
      ['CLOUDFLARE_ZONE_IDS', { CLOUDFLARE_ZONE_IDS: ','.repeat(60_000) }],
      ['HOST', { HOST: '127.0.0.1\u0000' }],
      ['CLOUDMAILIN_API_KEY', { CLOUDMAILIN_ACCOUNT_ID: 'acc', CLOUDMAILIN_API_KEY: 'key\u0000-SECRET' }],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: 'client-key\u2028SECRET-0123456789:read' }],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: 'client-key\u2029SECRET-0123456789:read' }],
      ['MAILGRAPH_API_KEYS', { ...live, MAILGRAPH_API_KEYS: 'client-key-SECRET-0123456789\n:read' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'info\r\nFAKE LOG LINE' }],
      ['WEBHOOK_BASIC_AUTH', { ...live, WEBHOOK_BASIC_AUTH: 'hook:\u0085SECRET' }],
    ];
    const started = performance.now();
    for (const [variable, env] of cases) {
      expectCleanRefusal(refusal(env), variable, ['SECRET', 'FAKE LOG LINE', 'xxxxxxxx']);
    }
    // A slow (quadratic) check on 1 MB values would take minutes.
    expect(performance.now() - started).toBeLessThan(5_000);

    // Not strings at all (a caller bypassing the types): still one clean line.
    expectCleanRefusal(refusal({ PORT: 4000 as unknown as string }), 'PORT');
    expect(() => loadConfig(null as unknown as Record<string, string>)).toThrow(
      new ConfigError('environment', 'must be a record of variables'),
    );
    // Unknown variables, whatever their names, are ignored; leading and trailing whitespace is trimmed.
    const config = loadConfig({ 'PORT\u2028': 'x', '\u0000': 'y', PORT: ' 4001\n', HOST: '\t::1 ' });
    expect([config.port, config.host]).toEqual([4001, '::1']);
    // Trailing slashes of a long, valid URL are stripped in linear time.
    const long = loadConfig({ CLOUDMAILIN_API_URL: `http://a/api${'/'.repeat(60_000)}` });
    expect(long.cloudmailin.apiUrl).toBe('http://a/api');
  });

  it('starts `npm start` in sandbox mode against the embedded emulator', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    expect(output).toContain('in sandbox mode');
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ inboundAddresses(first: 1) { nodes { addressId } } }' }),
    });
    const body = (await response.json()) as {
      data?: { inboundAddresses?: { nodes: unknown[] } };
      errors?: unknown[];
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.inboundAddresses?.nodes).toHaveLength(1);
    proc.kill('SIGTERM');
    const [code] = await once(proc, 'exit');
    expect(code).toBe(0);
  }, 30_000);
});
