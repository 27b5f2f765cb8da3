/**
 * The live mail activity page in headless Chromium (Debian's, as test/graphiql.test.ts drives it), against
 * mailgraph started as `npm start` starts it in sandbox mode (a child process with its embedded emulator).
 * A smoke test: the Outbound view renders with CloudMailin's messages and their timelines, at 1280 px and at
 * 200 % zoom without horizontal scrolling, with no console error and no request to any other host, and a
 * delivery event posted to the webhook shows in the open page without a reload or a refetch.
 *
 * With MAILGRAPH_SCREENSHOTS=<dir>, it saves a screenshot of each layout there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAYOUTS, NO_CHROMIUM, launchChromium, watch } from './helpers/browser.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';
import { postEvents } from './helpers/subscription-clients.js';

let running: ServerProcess;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-page-'));
  running = await startServerProcess({ MAILGRAPH_SANDBOX: 'true', MAILGRAPH_DATA_DIR: dataDir });
}, 30_000);
afterAll(async () => {
  running?.child.kill('SIGTERM');
  await running?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the live mail activity page in a browser', () => {
  // Skipped only outside CI when Chromium is missing; .ci/run installs it, so there it always runs.
  it.skipIf(NO_CHROMIUM)(
    'renders the Outbound view with its timelines, readable at 1280 px and 200 %, and shows a new event live',
    { timeout: 60_000 },
    async () => {
      let browser: Browser | undefined;
      try {
        browser = await launchChromium();
        for (const layout of LAYOUTS) {
          const context = await browser.newContext({
            viewport: layout.viewport,
            deviceScaleFactor: layout.deviceScaleFactor,
          });
          const page = await context.newPage();
          const seen = watch(page, running.origin);
          await page.goto(`${running.origin}/`);
          await page.getByRole('tab', { name: 'Outbound', selected: true }).waitFor({ timeout: 15_000 });
          const outbound = page.getByRole('tabpanel', { name: 'Outbound' });
          const messages = outbound.getByRole('article');
          await messages.first().waitFor({ timeout: 15_000 });
          // CloudMailin's 20 newest demo messages, each recipient with a delivery timeline.
          expect(await messages.count()).toBeGreaterThanOrEqual(20);
          const first = messages.first();
          await expect
            .poll(() => first.getByRole('list', { name: /^Delivery timeline of / }).count())
            .toBeGreaterThan(0);
          expect(await page.getByRole('heading', { name: 'Upstream budget' }).count()).toBe(1);
          const widths = await page.evaluate(() => [
            document.documentElement.scrollWidth,
            document.documentElement.clientWidth,
          ]);
          expect(widths[0], `no horizontal scrolling at ${layout.name}`).toBeLessThanOrEqual(widths[1] ?? 0);

          if (layout.name === '1280') {
            // A delivery event for a listed message, posted to the webhook, joins its timeline through the one
            // messageEvents subscription and the normalized cache: no reload, no new OutboundMessages query.
            const messageId = (await first.locator('code').first().textContent()) ?? '';
            const recipient = (await first.locator('.recipient .address').first().textContent()) ?? '';
            const timeline = first.getByRole('list', { name: `Delivery timeline of ${recipient}` });
            const before = await timeline.getByText('complaint', { exact: true }).count();
            const listReads = seen.operations.filter((name) => name === 'OutboundMessages').length;
            const posted = Date.now();
            expect(
              await postEvents(running.origin, [{ kind: 'complaint', recipient, message_id: messageId }]),
            ).toBe(200);
            await expect
              .poll(() => timeline.getByText('complaint', { exact: true }).count(), {
                timeout: 2_000,
                interval: 50,
              })
              .toBe(before + 1);
            console.log(`activity page: a posted event showed after ${Date.now() - posted} ms`);
            expect(seen.operations.filter((name) => name === 'OutboundMessages').length).toBe(listReads);
            const paint = await page.evaluate(
              () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
            );
            console.log(`activity page: first contentful paint ${Math.round(paint)} ms`);
          }
          if (process.env.MAILGRAPH_SCREENSHOTS) {
            await page.screenshot({
              path: join(process.env.MAILGRAPH_SCREENSHOTS, `activity-outbound-${layout.name}.png`),
            });
          }
          expect(seen.problems).toEqual([]);
          expect(seen.elsewhere).toEqual([]);
          await context.close();
        }
      } finally {
        await browser?.close();
      }
    },
  );
});
