import { mkdtempSync, rmSync } from 'node:fs';
/**
 * The real stack for tests: the sandbox emulator and mailgraph, each on its own loopback port, talking
 * over HTTP exactly as in production. `gql` sends typed documents (test/gql, from codegen.ts) over HTTP.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, print } from 'graphql';
import { createApp, responseCacheOf } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import {
  CloudflareQueueConsumer,
  type CloudflareQueueConsumerOptions,
} from '../../src/events/cloudflare-queue.js';
import { createBlobStore } from '../../src/events/inbound-blobs.js';
import { forgetInboundStatuses } from '../../src/events/inbound.js';
import { createEventLog } from '../../src/events/index.js';
import { LmdbEventLog } from '../../src/events/lmdb-log.js';
import type { EventLog } from '../../src/events/log.js';
import { createHttpServer } from '../../src/http-server.js';
import { createMetrics } from '../../src/metrics.js';
import { type UpstreamLogger, createProviders, createStores } from '../../src/providers.js';
import type { GraphQLResponseCache } from '../../src/response-cache.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/server.js';
import type { UpstreamCall } from '../../src/upstream/http.js';

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

export interface Stack {
  url: string;
  events: EventLog;
  /** The Cloudflare events queue consumer, when `cloudflareEvents` asked for one. */
  cloudflareEvents: CloudflareQueueConsumer | null;
  sandbox: Sandbox;
  /** Calls mailgraph made upstream (as the transport saw them). */
  upstreamCalls: UpstreamCall[];
  /** The whole-answer cache, when the configuration has one (src/response-cache.ts). */
  responseCache: GraphQLResponseCache | undefined;
  gql<T, V>(
    document: TypedDocumentNode<T, V> | DocumentNode,
    variables?: V,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Another event log (e.g. Redis) instead of a fresh embedded one. */
  events?: EventLog;
  sandbox?: SandboxOptions;
  env?: Record<string, string>;
  /** One clock for the emulator and mailgraph's cache and rate budget (ms). */
  now?: () => number;
  /** Point mailgraph at another CloudMailin server instead of the sandbox (given the sandbox's URL). */
  cloudmailinUrl?: (sandboxUrl: string) => string | Promise<string>;
  /** Likewise for Cloudflare. */
  cloudflareUrl?: (sandboxUrl: string) => string | Promise<string>;
  /** Where upstream failures are logged (see src/providers.ts); not logged when absent. */
  upstreamLogger?: UpstreamLogger;
  /**
   * Pull the emulator's Cloudflare events queue into the log, as src/server.ts does when
   * CLOUDFLARE_EVENTS_QUEUE_ID is set (sandbox mode sets it); off by default, so that no other test
   * sees the consumer's calls. An object overrides the consumer's options.
   */
  cloudflareEvents?: boolean | Partial<CloudflareQueueConsumerOptions>;
  /**
   * Keep the event log, the response cache, the rate budgets, the epochs and the idempotency keys in this
   * Redis, under this prefix, as REDIS_URL does: stacks with the same prefix are instances of one deployment.
   */
  redis?: { url: string; prefix: string };
  /** Use this running emulator (shared with other stacks, not closed by this one) instead of starting one. */
  emulator?: Sandbox;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox =
    options.emulator ??
    (await startSandbox({
      rateLimits: false,
      ...(options.now ? { now: options.now } : {}),
      // Dropped webhook POSTs (playback after a stack closed) are logged only when asked.
      ...(process.env.MAILGRAPH_TEST_LOG ? {} : { logger: { warn: () => {} } }),
      ...options.sandbox,
    }));
  // Each stack has its own data directory (embedded event log and idempotency keys), removed on close.
  const eventsDir = mkdtempSync(join(tmpdir(), 'mailgraph-stack-'));
  const config = loadConfig({
    MAILGRAPH_SANDBOX: 'true',
    CLOUDMAILIN_API_URL: options.cloudmailinUrl
      ? await options.cloudmailinUrl(sandbox.cloudmailinUrl)
      : sandbox.cloudmailinUrl,
    CLOUDFLARE_API_URL: options.cloudflareUrl
      ? await options.cloudflareUrl(sandbox.cloudflareUrl)
      : sandbox.cloudflareUrl,
    LOG_LEVEL: 'silent',
    // The emulator here stands in for the relaxed one `npm start` embeds, unless a test turns its limits on.
    CLOUDMAILIN_RATE_LIMIT_PER_MINUTE: options.sandbox?.rateLimits ? '5' : '0',
    MAILGRAPH_DATA_DIR: eventsDir,
    ...(options.redis ? { REDIS_URL: options.redis.url, MAILGRAPH_REDIS_PREFIX: options.redis.prefix } : {}),
    ...options.env,
  });
  const stores = createStores(config, options.now ? { now: options.now } : {});
  const upstreamCalls: UpstreamCall[] = [];
  const metrics = createMetrics();
  const providers = createProviders(config, {
    shared: stores.shared,
    stores: { ...stores.checks, events: () => events.ping() },
    onCall: (call) => {
      upstreamCalls.push(call);
      metrics.observeUpstream(call);
    },
    ...(options.upstreamLogger ? { logger: options.upstreamLogger } : {}),
  });
  const events: EventLog =
    options.events ??
    (options.redis ? createEventLog(config) : new LmdbEventLog(eventsDir, { retentionMs: 24 * 3_600_000 }));
  const logger = process.env.MAILGRAPH_TEST_LOG ? console : undefined;
  // Inbound mail's large parts: in the data directory, or in Redis with the log.
  const blobs = createBlobStore(config);
  const app = createApp({
    config,
    providers,
    logger,
    metrics,
    events,
    idempotency: stores.idempotency,
    inbound: { blobs, simulator: sandbox.cloudmailin },
  });
  const server: Server = createHttpServer({
    app,
    config,
    metrics,
    ready: () => providers.readiness.report(),
    webhooks: {
      log: events,
      credentials: config.webhookBasicAuth,
      maxBytes: config.events.webhookMaxBytes,
      blobs,
      onStored: forgetInboundStatuses((addressId) => providers.cloudmailin.forgetIncomingStatuses(addressId)),
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Only now does the emulator learn where mailgraph's webhooks are: it plays sent mail's events back there.
  const [webhookAuth] = config.webhookBasicAuth;
  if (!options.emulator && webhookAuth) sandbox.setWebhookTarget({ url, auth: webhookAuth });
  const queueId = config.events.cloudflareQueueId;
  const cloudflareEvents =
    options.cloudflareEvents && queueId !== null
      ? new CloudflareQueueConsumer({
          client: providers.cloudflare,
          queueId,
          log: events,
          clientKeys: config.apiKeys.size,
          ...(options.cloudflareEvents === true ? {} : options.cloudflareEvents),
        })
      : null;
  cloudflareEvents?.start();

  return {
    url,
    events,
    cloudflareEvents,
    sandbox,
    upstreamCalls,
    responseCache: responseCacheOf(app),
    async gql(document, variables, headers = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...headers,
        },
        body: JSON.stringify({ query: print(document as DocumentNode), variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<never>, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<never>;
    },
    async close() {
      if (!options.emulator) sandbox.setWebhookTarget(null);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cloudflareEvents?.stop();
      if (!options.emulator) await sandbox.close();
      if (!options.events) await events.close();
      await blobs.close();
      await stores.close();
      rmSync(eventsDir, { recursive: true, force: true });
    },
  };
}

/** Narrows a result union member by `__typename`, failing the test with the whole value otherwise. */
export function expectTypename<T extends { __typename?: string }, N extends string>(
  value: T | null | undefined,
  typename: N,
): Extract<T, { __typename?: N }> {
  if (!value || value.__typename !== typename) {
    throw new Error(`expected ${typename}, got ${JSON.stringify(value)}`);
  }
  return value as Extract<T, { __typename?: N }>;
}

export function globalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}
