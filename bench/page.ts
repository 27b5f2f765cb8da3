/**
 * The `page` part of `npm run bench` (issue 11 §2: "first render under 1 s on this machine"): mailgraph as
 * `npm start` runs it (`dist/server.js`, sandbox mode, a fresh data directory), and headless Chromium
 * (Debian's, as the browser tests drive it) opening, in a fresh browser context each time (no cache, no
 * storage):
 * - the live mail activity page at `/`: first contentful paint, and the time until the first outbound
 *   message card is drawn (the first frame after it joins the DOM: the answers to `rateLimits` and
 *   `outboundMessages` have come and been rendered);
 * - GraphiQL at `/graphql` (a browser's `Accept: text/html`), the reference beside it: first contentful
 *   paint, and the time until its editor is usable (the execute button is drawn; it asks for no data).
 * Both also record the bytes transferred (HTML, JavaScript, CSS: compressed, as on the wire, from Resource
 * Timing). Runs alternate (page, GraphiQL, page…) after one unmeasured warm-up of each (the server
 * compresses each body once per process), and the figures are medians with the page-to-GraphiQL ratios.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/helpers/browser.js';
import { startServerProcess } from '../test/helpers/server-process.js';

export interface PageBenchOptions {
  /** Measured loads of each (after one warm-up of each). */
  runs: number;
  log?: (line: string) => void;
}

interface Load {
  firstContentfulPaintMs: number;
  /** The page: first outbound message card drawn; GraphiQL: execute button drawn. */
  readyMs: number;
  /**
   * Transferred bytes (compressed, headers included): the document, scripts, stylesheets, GraphQL answers
   * (`/graphql`: the page's first queries, GraphiQL's introspection) and the rest (the icon); `assets` is
   * all but the answers.
   */
  bytes: {
    html: number;
    js: number;
    css: number;
    graphql: number;
    other: number;
    assets: number;
    total: number;
  };
  requests: number;
}

interface Summary {
  firstContentfulPaintMs: number;
  readyMs: number;
  readyWhat: string;
  bytes: Load['bytes'];
  requests: number;
  samples: { firstContentfulPaintMs: number[]; readyMs: number[] };
}

export interface PageBenchResult {
  scenario: 'activity-page-first-render';
  runs: number;
  chromium: string;
  viewport: { width: number; height: number };
  page: Summary;
  graphiql: Summary;
  /** page ÷ GraphiQL, of the medians. */
  ratio: { firstContentfulPaint: number; ready: number; assetBytes: number };
  goal: { firstRenderUnderMs: number; met: boolean };
}

const VIEWPORT = { width: 1280, height: 800 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * One load in a fresh context. The marker is a CSS selector; a MutationObserver set up before any of the
 * page's scripts notes the first frame after an element matches it (CDP's init scripts are not the page's, so
 * the page's CSP does not apply to them).
 */
async function load(browser: Browser, url: string, marker: string): Promise<Load> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    // No named function in here: tsx wraps those in a `__name` helper the page does not have.
    await context.addInitScript((selector: string) => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector(selector)) return;
        observer.disconnect();
        requestAnimationFrame(() => {
          (window as unknown as { readyAt: number }).readyAt = performance.now();
        });
      });
      observer.observe(document, { childList: true, subtree: true });
    }, marker);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(
      () =>
        typeof (window as unknown as { readyAt?: number }).readyAt === 'number' &&
        performance.getEntriesByName('first-contentful-paint').length > 0,
      undefined,
      { timeout: 30_000, polling: 50 },
    );
    return await page.evaluate(() => {
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const bytes = {
        html: navigation.transferSize,
        js: 0,
        css: 0,
        graphql: 0,
        other: 0,
        assets: 0,
        total: 0,
      };
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      for (const resource of resources) {
        const path = new URL(resource.name).pathname;
        if (path === '/graphql' || path.startsWith('/graphql/')) bytes.graphql += resource.transferSize;
        else if (path.endsWith('.js')) bytes.js += resource.transferSize;
        else if (path.endsWith('.css')) bytes.css += resource.transferSize;
        else bytes.other += resource.transferSize;
      }
      bytes.assets = bytes.html + bytes.js + bytes.css + bytes.other;
      bytes.total = bytes.assets + bytes.graphql;
      const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1;
      return {
        firstContentfulPaintMs: paint,
        // Nothing is on screen before the first contentful paint, whatever the frame of the marker.
        readyMs: Math.max(paint, (window as unknown as { readyAt: number }).readyAt),
        bytes,
        requests: 1 + resources.length,
      };
    });
  } finally {
    await context.close();
  }
}

function summarise(loads: Load[], readyWhat: string): Summary {
  const last = loads[loads.length - 1];
  return {
    firstContentfulPaintMs: round(median(loads.map((one) => one.firstContentfulPaintMs))),
    readyMs: round(median(loads.map((one) => one.readyMs))),
    readyWhat,
    // The same bytes each time (a fresh context has no cache); the last load's.
    bytes: last?.bytes ?? { html: 0, js: 0, css: 0, graphql: 0, other: 0, assets: 0, total: 0 },
    requests: last?.requests ?? 0,
    samples: {
      firstContentfulPaintMs: loads.map((one) => round(one.firstContentfulPaintMs)),
      readyMs: loads.map((one) => round(one.readyMs)),
    },
  };
}

export async function runPageBench(options: PageBenchOptions): Promise<PageBenchResult> {
  const log = options.log ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-bench-page-'));
  const running = await startServerProcess(
    { MAILGRAPH_SANDBOX: 'true', MAILGRAPH_DATA_DIR: dataDir },
    { compiled: true },
  );
  const browser = await launchChromium();
  const pageUrl = `${running.origin}/`;
  const graphiqlUrl = `${running.origin}/graphql`;
  const CARD = '#panel-outbound article';
  const EDITOR = '.graphiql-execute-button';
  try {
    await load(browser, pageUrl, CARD);
    await load(browser, graphiqlUrl, EDITOR);
    const pages: Load[] = [];
    const graphiqls: Load[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const page = await load(browser, pageUrl, CARD);
      const graphiql = await load(browser, graphiqlUrl, EDITOR);
      pages.push(page);
      graphiqls.push(graphiql);
      log(
        `run ${run}: page FCP ${round(page.firstContentfulPaintMs)} ms, first card ${round(page.readyMs)} ms; GraphiQL FCP ${round(graphiql.firstContentfulPaintMs)} ms, editor ${round(graphiql.readyMs)} ms`,
      );
    }
    const page = summarise(pages, 'first outbound message card drawn');
    const graphiql = summarise(graphiqls, 'GraphiQL execute button drawn');
    return {
      scenario: 'activity-page-first-render',
      runs: options.runs,
      chromium: browser.version(),
      viewport: VIEWPORT,
      page,
      graphiql,
      ratio: {
        firstContentfulPaint: round(page.firstContentfulPaintMs / graphiql.firstContentfulPaintMs, 3),
        ready: round(page.readyMs / graphiql.readyMs, 3),
        assetBytes: round(page.bytes.assets / graphiql.bytes.assets, 4),
      },
      goal: { firstRenderUnderMs: 1000, met: page.readyMs < 1000 },
    };
  } finally {
    await browser.close();
    running.child.kill('SIGTERM');
    await running.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
