/**
 * Debian's headless Chromium driven by playwright-core (no browser download), as the activity page's browser
 * tests, `npm run screenshots` and the bench's `page` part use it: one launch, the two layouts the page must
 * be readable at, and `watch()`, which records what a page must never do (ask another host, log an error).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Skipped only outside CI when Chromium is missing; .ci/run installs it, so there it always runs. */
export const NO_CHROMIUM = !existsSync(CHROMIUM) && !process.env.CI;

export const LAYOUTS = [
  { name: '1280', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  // 200 % zoom of a 1280 × 800 window: half as many CSS pixels, each drawn twice as large.
  { name: 'zoom-200', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
] as const;

export type Layout = (typeof LAYOUTS)[number];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

export interface Watched {
  /** Every request to anything but the server (data: URLs aside). */
  elsewhere: string[];
  /** Console errors and warnings, and uncaught errors. */
  problems: string[];
  /** The operationName of every POST to /graphql, in order. */
  operations: string[];
}

/** Requests to anything but the server, console errors and warnings, and uncaught errors of a page. */
export function watch(page: Page, origin: string): Watched {
  const seen: Watched = { elsewhere: [], problems: [], operations: [] };
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin && url.protocol !== 'data:') seen.elsewhere.push(url.href);
    const body = request.postData();
    if (url.pathname === '/graphql' && body) seen.operations.push(String(JSON.parse(body).operationName));
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') seen.problems.push(message.text());
  });
  page.on('pageerror', (error) => seen.problems.push(error.message));
  return seen;
}

let axeSource: string | undefined;

/** axe-core's own bundle (a devDependency), evaluated in the page: the page's CSP forbids a script tag. */
export function axeScript(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core (WCAG 2.0-2.2 A and AA, and best practices) on what the page shows now. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeScript());
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: AxeGlobal }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
}

/** The part of axe-core's API `runAxe` uses (its types are for the page, not for Node). */
interface AxeGlobal {
  run(
    context: unknown,
    options: { resultTypes: string[] },
  ): Promise<{
    violations: Array<{
      id: string;
      impact?: string | null;
      help: string;
      nodes: Array<{ target: string[] }>;
    }>;
  }>;
}

/**
 * What would make a person scroll sideways or lose text: the document wider than the window, and every
 * visible element whose box reaches past the window's right edge (with its tag, class and width).
 */
export function overflow(
  page: Page,
): Promise<{ scrollWidth: number; clientWidth: number; wide: string[]; clipped: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const wide: string[] = [];
    const clipped: string[] = [];
    // No helper function in here: tsx and vitest wrap named functions in a `__name` the page does not have.
    for (const element of document.body.querySelectorAll('*')) {
      const name = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}.${String(element.className)}`;
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.right > root.clientWidth + 0.5 || box.left < -0.5) {
        wide.push(`${name} (${Math.round(box.left)} to ${Math.round(box.right)} px)`);
      }
      // Text cut off by its box: content wider than an element that hides or scrolls its overflow. Form
      // fields scroll their own value by design, and an empty visually hidden live region holds no text.
      if (/^(INPUT|TEXTAREA|SELECT|METER)$/.test(element.tagName) || !element.textContent?.trim()) continue;
      const style = getComputedStyle(element);
      if (style.overflowX !== 'visible' && element.scrollWidth > element.clientWidth + 1) {
        clipped.push(`${name} (${element.scrollWidth} in ${element.clientWidth} px)`);
      }
    }
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide, clipped };
  });
}
