/**
 * Entry point: config → (tracing) → (sandbox emulator) → app → listen → graceful shutdown.
 */
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, subscriptionsOf } from './app.js';
import { type Config, ConfigError, loadConfig, withSandboxUrls } from './config.js';
import { CloudflareQueueConsumer } from './events/cloudflare-queue.js';
import { createBlobStore } from './events/inbound-blobs.js';
import { forgetInboundStatuses } from './events/inbound.js';
import { createEventLog } from './events/index.js';
import { createHttpServer } from './http-server.js';
import { createMetrics } from './metrics.js';
import { createProviders, createStores } from './providers.js';
import { createLogger } from './request-context.js';
import { createShutdown } from './shutdown.js';
import { startTracing } from './tracing.js';

async function main(): Promise<void> {
  let loaded: Config;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mailgraph: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Each line carries the id of the request it was written for (and the trace's, while tracing).
  const logger = createLogger(loaded.logLevel);
  // Only with an OTLP endpoint configured; otherwise the OpenTelemetry SDK is never even loaded.
  const tracing = await startTracing(loaded.tracing, { logger });
  if (tracing && loaded.tracing.tracesUrl !== null) {
    logger.info(`traces exported over OTLP/HTTP to ${new URL(loaded.tracing.tracesUrl).origin}`);
  }

  // The emulator's URLs are known only once it listens: they make a second, derived configuration.
  // Loaded only in sandbox mode: live mode does not hold the emulator's code and demo data in memory.
  const sandbox = loaded.sandbox
    ? await (await import('./sandbox/server.js')).startSandbox({
        rateLimits: loaded.sandboxOptions.rateLimits,
        // The event log (MAILGRAPH_DATA_DIR) outlives this emulator: ids from a fresh seed, never an earlier run's.
        idSeed: randomInt(2 ** 31),
        logger,
      })
    : null;
  const config = sandbox ? withSandboxUrls(loaded, sandbox) : loaded;

  const metrics = createMetrics();
  // Redis (REDIS_URL) or the embedded stores: the event log, and the cache, budgets, epochs and idempotency keys.
  const events = createEventLog(config);
  // Inbound mail's large parts (attachment contents, long bodies), beside the log (src/events/inbound-blobs.ts).
  const blobs = createBlobStore(config);
  const stores = createStores(config);
  // Cache lookups and rate-budget waits and refusals, counted on /metrics.
  stores.shared.observer = metrics.upstreamObserver();
  const providers = createProviders(config, {
    shared: stores.shared,
    stores: { events: () => events.ping(), blobs: () => blobs.ping(), ...stores.checks },
    onCall: (call) => metrics.observeUpstream(call),
    logger,
  });
  // simulateInboundEmail plays mail through the embedded emulator, when mailgraph talks to it.
  const simulator = sandbox && !config.sandboxOptions.cloudmailinUrlOverridden ? sandbox.cloudmailin : null;
  const app = createApp({
    config,
    providers,
    logger,
    metrics,
    events,
    idempotency: stores.idempotency,
    inbound: { blobs, simulator },
  });
  const server = createHttpServer({
    app,
    config,
    metrics,
    ready: () => providers.readiness.report(),
    webhooks: {
      log: events,
      credentials: config.webhookBasicAuth,
      maxBytes: config.events.webhookMaxBytes,
      logger,
      blobs,
      // New inbound mail shows in incomingStatuses at once: the address's cached pages are forgotten.
      onStored: forgetInboundStatuses((addressId) => providers.cloudmailin.forgetIncomingStatuses(addressId)),
    },
  });
  server.listen(config.port, config.host);
  await once(server, 'listening');
  // Only now can the emulator learn where mailgraph's webhooks are: it plays the events of mail sent through
  // it back there, with mailgraph's own webhook credentials (SANDBOX_WEBHOOK unless WEBHOOK_BASIC_AUTH is set).
  const [webhookAuth] = config.webhookBasicAuth;
  if (sandbox && webhookAuth)
    sandbox.setWebhookTarget({ url: selfOrigin(server, config.host), auth: webhookAuth });

  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/graphql`;
  if (sandbox) {
    const limits = config.sandboxOptions.rateLimits
      ? 'provider rate limits enforced'
      : 'provider rate limits relaxed (MAILGRAPH_SANDBOX_RATE_LIMITS=true enforces them)';
    logger.info(
      `mailgraph listening on ${url} in sandbox mode: CloudMailin and Cloudflare emulator at ${sandbox.url}, ${limits}`,
    );
  } else {
    logger.info(`mailgraph listening on ${url}`);
  }

  // Stop accepting, let requests in flight finish (MAILGRAPH_SHUTDOWN_GRACE_MS), then close the rest.
  // Subscriptions and event consumers register here: onStop for streams that must end for the drain to
  // finish, onClose for what the requests in flight may still use.
  const shutdown = createShutdown({ server, graceMs: config.http.shutdownGraceMs, logger });
  // Registered first, so closed last: the spans of everything that closes before it are exported too.
  if (tracing) shutdown.onClose(() => tracing.shutdown());
  // Live subscriptions end first: SSE streams with `complete`, WebSockets with 1001 (src/subscriptions/).
  shutdown.onStop(() => subscriptionsOf(app)?.stop());
  if (sandbox) {
    shutdown.onStop(() => sandbox.setWebhookTarget(null));
    shutdown.onClose(() => sandbox.close());
  }
  shutdown.onClose(() => stores.close());
  shutdown.onClose(() => events.close());
  shutdown.onClose(() => blobs.close());

  // Cloudflare's Email Sending events come from a queue, pulled into the log (there is no webhook). Closed
  // first (hooks run last registered first): its last batch is stored and acked before the log closes.
  const queueId = config.events.cloudflareQueueId;
  if (queueId !== null) {
    const consumer = new CloudflareQueueConsumer({
      client: providers.cloudflare,
      queueId,
      log: events,
      logger,
      clientKeys: config.apiKeys.size,
      onOutcome: (outcome, count) => metrics.observeIntake('cloudflare_queue', outcome, count),
    });
    consumer.start();
    shutdown.onClose(() => consumer.stop());
  }
  // Retention (MAILGRAPH_EVENT_RETENTION_HOURS): events and inbound blobs past it are dropped every hour.
  const prune = async () => {
    try {
      const removed = (await events.prune()) + (await blobs.prune());
      if (removed > 0) logger.info({ removed }, 'pruned events and blobs past retention');
    } catch (error) {
      logger.warn({ cause: error instanceof Error ? error.message : String(error) }, 'pruning failed');
    }
  };
  const pruning = setInterval(() => void prune(), 3_600_000);
  pruning.unref();
  void prune();
  shutdown.onStop(() => clearInterval(pruning));

  const stop = (signal: string) => {
    // A closer that hangs must not keep the process alive: a last deadline after the grace period.
    setTimeout(() => process.exit(1), config.http.shutdownGraceMs + 10_000).unref();
    void shutdown.run(signal).then((code) => process.exit(code));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Where this process itself is reached over loopback (a wildcard address is not a destination). */
function selfOrigin(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `mailgraph: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
