import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './helpers/stack.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('GraphiQL', () => {
  it('is served by mailgraph itself (no CDN) with the example operations', async () => {
    const response = await fetch(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/);
    expect(html).toContain('OutboundWithEvents');
    expect(html).toContain('query InboundAddresses');
    expect(html).toContain('mailgraph');
  });

  // Skipped only outside CI when Chromium is missing; .ci/run installs it, so there it always runs.
  it.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(
    'renders and runs the first example in headless Chromium with the internet cut off',
    async () => {
      let browser: Browser | undefined;
      try {
        browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        });
        const page = await browser.newPage();
        const external: string[] = [];
        await page.route('**/*', (route) => {
          const url = new URL(route.request().url());
          if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:')
            return route.continue();
          external.push(url.href);
          return route.abort();
        });
        await page.goto(`${stack.url}/graphql`);
        await page.locator('.graphiql-execute-button').waitFor({ timeout: 15_000 });
        for (const tab of [
          'InboundAddresses',
          'RejectedMail',
          'OutboundWithEvents',
          'SendingDomains',
          'SendEmail',
          'SendWithCloudflare',
        ]) {
          await expect
            .poll(() => page.locator('.graphiql-tab', { hasText: tab }).count(), { timeout: 10_000 })
            .toBe(1);
        }
        await page.locator('.graphiql-execute-button').click();
        const result = page.locator('.result-window');
        await expect
          .poll(async () => (await result.textContent()) ?? '', { timeout: 15_000 })
          .toContain('emailAddress');
        expect(await result.textContent()).toContain('aaaa740b4c5c37b1aaaa@cloudmailin.net');
        expect(external).toEqual([]);
      } finally {
        await browser?.close();
      }
    },
  );
});
