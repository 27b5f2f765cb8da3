/**
 * Entry point: config → (sandbox emulator) → app → listen → graceful shutdown.
 */
import { once } from 'node:events';
import pino from 'pino';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig, withSandboxUrls } from './config.js';
import { createEventLog } from './events/index.js';
import { createHttpServer } from './http-server.js';
import { createMetrics } from './metrics.js';
import { createProviders } from './providers.js';
import { startSandbox } from './sandbox/server.js';
import { createShutdown } from './shutdown.js';

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
  const logger = pino({ level: loaded.logLevel, base: { service: 'mailgraph' } });

  // The emulator's URLs are known only once it listens: they make a second, derived configuration.
  const sandbox = loaded.sandbox
    ? await startSandbox({ rateLimits: loaded.sandboxOptions.rateLimits })
    : null;
  const config = sandbox ? withSandboxUrls(loaded, sandbox) : loaded;

  const metrics = createMetrics();
  const providers = createProviders(config, { onCall: (call) => metrics.observeUpstream(call), logger });
  const events = createEventLog(config);
  const app = createApp({ config, providers, logger, metrics, events });
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
    },
  });
  server.listen(config.port, config.host);
  await once(server, 'listening');

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
  if (sandbox) shutdown.onClose(() => sandbox.close());
  shutdown.onClose(() => events.close());
  const stop = (signal: string) => {
    // A closer that hangs must not keep the process alive: a last deadline after the grace period.
    setTimeout(() => process.exit(1), config.http.shutdownGraceMs + 10_000).unref();
    void shutdown.run(signal).then((code) => process.exit(code));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `mailgraph: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
