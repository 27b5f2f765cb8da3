/**
 * `npm run sandbox`: the provider emulator alone, on loopback, for other tools to use. Unlike the
 * sandbox that `npm start` embeds, it enforces the documented rate limits unless told not to, since
 * tools pointed at it usually want to see what the real API would do.
 */
import { SANDBOX_CLOUDMAILIN } from './accounts.js';
import { startSandbox } from './server.js';

// TODO(lead): move into src/config.ts
function readSandboxEnv(env: NodeJS.ProcessEnv = process.env): { port: number; rateLimits: boolean } {
  const rawPort = env.SANDBOX_PORT?.trim() || '4010';
  if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65_535) {
    throw new Error('SANDBOX_PORT: must be a whole number between 0 and 65535');
  }
  const rawLimits = env.MAILGRAPH_SANDBOX_RATE_LIMITS?.trim() || 'true';
  if (!/^(true|false|1|0|yes|no|on|off)$/i.test(rawLimits)) {
    throw new Error('MAILGRAPH_SANDBOX_RATE_LIMITS: must be true or false');
  }
  return { port: Number(rawPort), rateLimits: /^(true|1|yes|on)$/i.test(rawLimits) };
}

async function main(): Promise<void> {
  const { port, rateLimits } = readSandboxEnv();
  const sandbox = await startSandbox({ port, rateLimits });
  const c = SANDBOX_CLOUDMAILIN;
  console.log(
    `mailgraph sandbox on ${sandbox.url} (rate limits ${rateLimits ? 'on' : 'off'}); ` +
      `CloudMailin: CLOUDMAILIN_API_URL=${sandbox.cloudmailinUrl} CLOUDMAILIN_ACCOUNT_ID=${c.accountId} ` +
      `CLOUDMAILIN_API_KEY=${c.apiKey} CLOUDMAILIN_SMTP_USERNAME=${c.smtpUsername} CLOUDMAILIN_SMTP_TOKEN=${c.smtpToken}`,
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
