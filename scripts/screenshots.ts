/**
 * `npm run screenshots`: the README's screenshots of the live mail activity page, taken in headless Chromium
 * (Debian's, as the browser tests use it) from mailgraph started in sandbox mode with a fresh data directory.
 * Each view shows something real first: a message sent from the form with its delivery events, a simulated
 * inbound mail with its text open, the Send form with a validation error from the server.
 *
 * Writes docs/screenshots/outbound.png, inbound.png, send.png (1280 × 800) and outbound-zoom-200.png (the
 * Outbound view at 200 % zoom: 640 × 400 CSS pixels drawn at twice the density). Needs `npm run build` first
 * (the page is served from dist/web).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { LAYOUTS, type Layout, launchChromium, watch } from '../test/helpers/browser.js';
import { startServerProcess } from '../test/helpers/server-process.js';

const OUT = new URL('../docs/screenshots/', import.meta.url).pathname;
const RECIPIENT = 'grace@example.org';
const SUBJECT = 'Your invoice for November';

async function openPage(browser: Browser, origin: string, layout: Layout): Promise<Page> {
  const context = await browser.newContext({
    viewport: layout.viewport,
    deviceScaleFactor: layout.deviceScaleFactor,
    locale: 'en-GB',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const seen = watch(page, origin);
  page.on('close', () => {
    if (seen.elsewhere.length > 0 || seen.problems.length > 0) {
      console.error(
        `screenshots: the page asked ${seen.elsewhere.join(', ')} or logged ${seen.problems.join(' | ')}`,
      );
      process.exitCode = 1;
    }
  });
  await page.goto(`${origin}/`);
  await page
    .getByRole('tabpanel', { name: 'Outbound' })
    .getByRole('article')
    .first()
    .waitFor({ timeout: 15_000 });
  return page;
}

/** The view from the top of the page (or from `top`), without a hover or a focus ring in the picture. */
async function shoot(page: Page, name: string, top?: Locator): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await top?.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  const path = join(OUT, name);
  await page.screenshot({ path });
  console.log(`screenshots: ${path} (${Math.round(statSync(path).size / 1024)} KB)`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-screenshots-'));
  const running = await startServerProcess({ MAILGRAPH_SANDBOX: 'true', MAILGRAPH_DATA_DIR: dataDir });
  const browser = await launchChromium();
  try {
    const page = await openPage(browser, running.origin, LAYOUTS[0]);

    // Outbound: one message sent from the form, followed until its delivery event arrived.
    await page.getByRole('tab', { name: 'Send' }).click();
    const send = page.getByRole('tabpanel', { name: 'Send' });
    await send.getByLabel('From name (optional)').fill('Example Billing');
    await send.getByLabel('To', { exact: true }).fill(RECIPIENT);
    await send.getByLabel('Subject').fill(SUBJECT);
    await send.getByLabel('Text').fill('Hello Grace, your invoice is attached.');
    await send.getByRole('button', { name: 'Send' }).click();
    await send.getByRole('button', { name: 'Show the Outbound view' }).click();
    const card = page.getByRole('tabpanel', { name: 'Outbound' }).getByRole('article', { name: SUBJECT });
    await card
      .getByRole('list', { name: `Delivery timeline of ${RECIPIENT}` })
      .getByText('delivered', { exact: true })
      .waitFor({ timeout: 10_000 });
    await shoot(page, 'outbound.png');

    // Inbound: one simulated mail, its text open.
    await page.getByRole('tab', { name: 'Inbound' }).click();
    const inbound = page.getByRole('tabpanel', { name: 'Inbound' });
    const form = inbound.getByRole('form', { name: 'Simulate inbound mail' });
    await form.getByRole('button', { name: 'Simulate inbound mail' }).click();
    const mail = inbound.getByRole('article', { name: 'Where is my order?' });
    await mail.waitFor({ timeout: 10_000 });
    await mail.getByRole('button', { name: 'Show text' }).click();
    await shoot(page, 'inbound.png');

    // Send: the server's answer to a recipient that is no address, next to its field.
    await page.getByRole('tab', { name: 'Send' }).click();
    await send.getByLabel('To', { exact: true }).fill('grace@example.org, not-an-address');
    await send.getByLabel('Subject').fill('Your invoice for December');
    await send.getByRole('button', { name: 'Send' }).click();
    await send.getByText('not-an-address: must be an email address').waitFor({ timeout: 10_000 });
    await shoot(page, 'send.png');
    await page.context().close();

    // The Outbound view at 200 % zoom.
    const zoomed = await openPage(browser, running.origin, LAYOUTS[1]);
    await zoomed
      .getByRole('tabpanel', { name: 'Outbound' })
      .getByRole('article', { name: SUBJECT })
      .waitFor({ timeout: 10_000 });
    // At 200 % the header and the budget fill the first screen: the picture starts at the tabs.
    await shoot(zoomed, 'outbound-zoom-200.png', zoomed.getByRole('tablist'));
    await zoomed.context().close();
  } finally {
    await browser.close();
    running.child.kill('SIGTERM');
    await running.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
