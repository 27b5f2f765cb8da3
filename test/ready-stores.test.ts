/**
 * `/ready` reports the stores mailgraph depends on: the event log and the embedded idempotency store, or the
 * event log and Redis with REDIS_URL (a real Redis at TEST_REDIS_URL). A store that fails, throws or hangs
 * is `down`, and mailgraph is then not ready.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { Readiness } from '../src/readiness.js';
import { TEST_REDIS_URL, dropPrefixes, testPrefix } from './helpers/redis.js';
import { type Stack, startStack } from './helpers/stack.js';

const stacks: Stack[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.close()));
});
afterAll(() => dropPrefixes(prefixes));

async function ready(stack: Stack) {
  const response = await fetch(`${stack.url}/ready`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; stores: unknown } };
}

describe('/ready reports the stores', () => {
  it('the embedded event log and idempotency store', async () => {
    const stack = await startStack();
    stacks.push(stack);
    expect(await ready(stack)).toMatchObject({
      status: 200,
      body: { ready: true, stores: { events: 'up', idempotency: 'up' } },
    });
  });

  it('Redis and the event log in it, with REDIS_URL', async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const stack = await startStack({ redis: { url: TEST_REDIS_URL, prefix } });
    stacks.push(stack);
    expect(await ready(stack)).toMatchObject({
      status: 200,
      body: { ready: true, stores: { events: 'up', redis: 'up' } },
    });
  });

  it('a store that fails, throws or does not answer is down, and mailgraph is not ready', async () => {
    const config = loadConfig({ MAILGRAPH_SANDBOX: 'true', CLOUDMAILIN_API_URL: 'http://127.0.0.1:9/x' });
    const readiness = new Readiness({
      config: {
        ...config,
        cloudmailin: { ...config.cloudmailin, apiKey: null, smtpToken: null },
        cloudflare: { ...config.cloudflare, apiToken: null },
      },
      storeTimeoutMs: 50,
      stores: {
        ok: async () => true,
        refuses: async () => false,
        throws: async () => {
          throw new Error('connection refused');
        },
        hangs: () => new Promise<boolean>(() => {}),
      },
    });
    expect(await readiness.report()).toMatchObject({
      ready: false,
      stores: { ok: 'up', refuses: 'down', throws: 'down', hangs: 'down' },
    });
  });
});
