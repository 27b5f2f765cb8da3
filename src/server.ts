/**
 * Entry point: config → (sandbox emulator) → app → listen → graceful shutdown.
 */
import { once } from 'node:events';
import pino from 'pino';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig, withSandboxUrls } from './config.js';
import { createHttpServer } from './http-server.js';
import { createMetrics } from './metrics.js';
import { createProviders } from './providers.js';
import { startSandbox } from './sandbox/server.js';

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
  const providers = createProviders(config, { onCall: (call) => metrics.observeUpstream(call) });
  const app = createApp({ config, providers, logger, metrics });
  const server = createHttpServer({ app, metrics });
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

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close();
    server.closeIdleConnections();
    await sandbox?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `mailgraph: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
