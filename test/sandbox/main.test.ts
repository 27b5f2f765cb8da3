import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_CLOUDFLARE } from '../../src/sandbox/accounts.js';
import { freePort } from '../helpers/ports.js';
import { CM } from './helpers.js';

let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

async function startMain(env: Record<string, string>): Promise<{ line: string; process: ChildProcess }> {
  const process_ = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = process_;
  let output = '';
  const line = await new Promise<string>((resolve, reject) => {
    process_.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.split('\n')[0] ?? '');
    });
    process_.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
  return { line, process: process_ };
}

describe('npm run sandbox (src/sandbox/main.ts)', () => {
  it('prints one start-up line, enforces rate limits by default and stops on SIGTERM', async () => {
    const port = await freePort();
    const { line, process: proc } = await startMain({ SANDBOX_PORT: String(port) });
    expect(line).toContain(`http://127.0.0.1:${port}`);
    expect(line).toContain('rate limits on');
    expect(line).toContain(CM.apiKey);
    expect(line).toContain(CM.smtpToken);
    expect(line).toContain(`CLOUDFLARE_API_URL=http://127.0.0.1:${port}/cloudflare/client/v4`);
    expect(line).toContain(`CLOUDFLARE_ZONE_IDS=${SANDBOX_CLOUDFLARE.zoneIds.join(',')}`);
    const url = `http://127.0.0.1:${port}/cloudmailin/api/v0.1/${CM.accountId}/addresses`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await fetch(url, { headers: { authorization: `Bearer ${CM.apiKey}` } })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    proc.kill('SIGTERM');
    const [code] = await once(proc, 'exit');
    expect(code).toBe(0);
  });

  it('relaxes rate limits when MAILGRAPH_SANDBOX_RATE_LIMITS=false', async () => {
    const port = await freePort();
    const { line } = await startMain({ SANDBOX_PORT: String(port), MAILGRAPH_SANDBOX_RATE_LIMITS: 'false' });
    expect(line).toContain('rate limits off');
  });
});
