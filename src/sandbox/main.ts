/**
 * `npm run sandbox`: the provider emulator alone, on loopback, for other tools to use. Unlike the
 * sandbox that `npm start` embeds, it enforces the documented rate limits unless told not to, since
 * tools pointed at it usually want to see what the real API would do.
 */
import { loadSandboxServerConfig } from '../config.js';
import { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN } from './accounts.js';
import { startSandbox } from './server.js';

async function main(): Promise<void> {
  const { port, host, rateLimits } = loadSandboxServerConfig();
  const sandbox = await startSandbox({ port, host, rateLimits });
  const c = SANDBOX_CLOUDMAILIN;
  const f = SANDBOX_CLOUDFLARE;
  // One line, ready to paste as environment for mailgraph or any other client of the two APIs.
  console.log(
    `mailgraph sandbox on ${sandbox.url} (rate limits ${rateLimits ? 'on' : 'off'}); ` +
      `CloudMailin: CLOUDMAILIN_API_URL=${sandbox.cloudmailinUrl} CLOUDMAILIN_ACCOUNT_ID=${c.accountId} ` +
      `CLOUDMAILIN_API_KEY=${c.apiKey} CLOUDMAILIN_SMTP_USERNAME=${c.smtpUsername} CLOUDMAILIN_SMTP_TOKEN=${c.smtpToken}; ` +
      `Cloudflare: CLOUDFLARE_API_URL=${sandbox.cloudflareUrl} CLOUDFLARE_ACCOUNT_ID=${f.accountId} ` +
      `CLOUDFLARE_API_TOKEN=${f.apiToken} CLOUDFLARE_ZONE_IDS=${f.zoneIds.join(',')}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`sandbox: error while stopping on ${signal}: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`sandbox: ${(error as Error).message}`);
  process.exit(1);
});
