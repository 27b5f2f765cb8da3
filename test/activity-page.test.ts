/**
 * The live mail activity page as mailgraph serves it (src/activity-page.ts), over real HTTP against the real
 * app: where it is served, its headers, compression, caching, HEAD, and that no path reaches another file.
 * The page itself is the build in dist/web (`npm run build`, which `npm install` runs); its budget of
 * 150 KB of gzipped JavaScript is checked on those files, and the pure functions that lay delivery events
 * into messages (web/src/timeline.ts) are checked here too. The browser test is activity-page-browser.test.ts.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { type IncomingHttpHeaders, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityPage, defaultActivityPageRoot } from '../src/activity-page.js';
import type { OutboundMessageFieldsFragment } from '../web/src/gql/graphql.js';
import {
  type DeliveryEventFields,
  EVENTS_KEPT,
  type SentByPage,
  mergeEvents,
  messageRows,
  withEvent,
} from '../web/src/timeline.js';
import { type Stack, startStack } from './helpers/stack.js';

const BUILT = defaultActivityPageRoot();
const JS_BUDGET_BYTES = 150 * 1024;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request as it crosses the wire: the path is sent exactly as given (no URL normalisation). */
function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
) {
  const { hostname, port } = new URL(base);
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      { hostname, port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The asset paths index.html names (script, stylesheet, icon). */
function assetPaths(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] as string);
}

function directives(policy: string | string[] | undefined): Map<string, string> {
  return new Map(
    String(policy)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );
}

const LIVE_ENV = {
  MAILGRAPH_SANDBOX: 'false',
  MAILGRAPH_API_KEYS: 'page-reader-0123456789:read',
  WEBHOOK_BASIC_AUTH: 'hook:page-test-password',
};

describe('the build (dist/web)', () => {
  it('exists, and its index.html names only same-origin, content-hashed assets that exist', () => {
    expect(existsSync(join(BUILT, 'index.html')), `${BUILT}/index.html is missing: run npm run build`).toBe(
      true,
    );
    const html = readFileSync(join(BUILT, 'index.html'), 'utf8');
    const paths = assetPaths(html);
    expect(paths.filter((path) => path.endsWith('.js'))).toHaveLength(1);
    expect(paths.filter((path) => path.endsWith('.css'))).toHaveLength(1);
    for (const path of paths) {
      expect(path).toMatch(/^\/assets\/[a-z]+-[A-Za-z0-9_-]{8,}\.(js|css|svg)$/);
      expect(existsSync(join(BUILT, path))).toBe(true);
    }
    // Nothing from elsewhere: no CDN, no web font, no inline script for the CSP to refuse.
    expect(html).not.toMatch(/(src|href)=["'](https?:)?\/\//i);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).toContain('<script type="module"');
  });

  it('keeps the page’s JavaScript under 150 KB gzipped, minified, with production Preact', () => {
    const scripts = readdirSync(join(BUILT, 'assets')).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    let gzipped = 0;
    for (const name of scripts) {
      const code = readFileSync(join(BUILT, 'assets', name));
      gzipped += gzipSync(code, { level: 9 }).length;
      // Minified: few lines for its size; production: no development warnings left in.
      expect(code.toString().split('\n').length).toBeLessThan(code.length / 500);
      expect(code.toString()).not.toContain('process.env.NODE_ENV');
      expect(code.toString()).not.toContain('No client has been specified');
    }
    expect(gzipped).toBeLessThan(JS_BUDGET_BYTES);
  });
});

describe('the activity page in sandbox mode', () => {
  let stack: Stack;
  let index: Answer;
  beforeAll(async () => {
    stack = await startStack();
    index = await raw(stack.url, '/', { headers: { 'accept-encoding': 'identity' } });
  });
  afterAll(() => stack.close());

  it('is served at / with the page, told it runs in sandbox mode', () => {
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = index.body.toString();
    expect(html).toContain('<meta name="mailgraph-mode" content="sandbox" />');
    // Sandbox mode with no keys configured: the page asks for none.
    expect(html).toContain('<meta name="mailgraph-keys" content="none" />');
    expect(html).toContain('<div id="app">');
    expect(assetPaths(html)).toEqual(assetPaths(readFileSync(join(BUILT, 'index.html'), 'utf8')));
    // The query string does not change the page.
    return raw(stack.url, '/?view=inbound').then((again) => expect(again.status).toBe(200));
  });

  it('sends a strict Content-Security-Policy and the other security headers', () => {
    const policy = directives(index.headers['content-security-policy']);
    expect(policy.get('default-src')).toBe("'self'");
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('connect-src')).toBe("'self'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    expect(policy.get('base-uri')).toBe("'none'");
    expect(policy.get('object-src')).toBe("'none'");
    for (const value of policy.values()) {
      expect(value).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:|data:/);
    }
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.headers['cache-control']).toBe('no-cache');
  });

  it('serves each asset with its type, kept for a year, and revalidates index.html with its ETag', async () => {
    const types: Record<string, RegExp> = {
      js: /^text\/javascript; charset=utf-8$/,
      css: /^text\/css; charset=utf-8$/,
      svg: /^image\/svg\+xml$/,
    };
    for (const path of assetPaths(index.body.toString())) {
      const asset = await raw(stack.url, path, { headers: { 'accept-encoding': 'identity' } });
      expect(asset.status, path).toBe(200);
      expect(asset.headers['content-type']).toMatch(types[path.split('.').pop() ?? ''] ?? /^$/);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['x-content-type-options']).toBe('nosniff');
      expect(asset.body.equals(readFileSync(join(BUILT, path)))).toBe(true);
    }
    const etag = String(index.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await raw(stack.url, '/', {
      headers: { 'accept-encoding': 'identity', 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('compresses with gzip or brotli as the browser accepts, the same bytes once decoded', async () => {
    const script = assetPaths(index.body.toString()).find((path) => path.endsWith('.js')) ?? '';
    for (const path of ['/', script]) {
      const plain = await raw(stack.url, path, { headers: { 'accept-encoding': 'identity' } });
      const gzip = await raw(stack.url, path, { headers: { 'accept-encoding': 'gzip' } });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.headers.vary).toMatch(/Accept-Encoding/);
      expect(Number(gzip.headers['content-length'])).toBe(gzip.body.length);
      expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
      expect(gzip.body.length).toBeLessThan(plain.body.length);
      const br = await raw(stack.url, path, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
      // Each encoding is its own representation, with its own ETag.
      expect(new Set([plain.headers.etag, gzip.headers.etag, br.headers.etag]).size).toBe(3);
    }
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const script = assetPaths(index.body.toString()).find((path) => path.endsWith('.js')) ?? '';
    for (const path of ['/', script]) {
      const get = await raw(stack.url, path, { headers: { 'accept-encoding': 'gzip' } });
      const head = await raw(stack.url, path, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      for (const name of ['content-type', 'content-length', 'content-encoding', 'etag', 'cache-control']) {
        expect(head.headers[name], name).toBe(get.headers[name]);
      }
    }
    const post = await raw(stack.url, '/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('answers 404 to an unknown asset and to every path that tries to leave the build', async () => {
    const script = assetPaths(index.body.toString()).find((path) => path.endsWith('.js')) ?? '';
    const attempts = [
      '/assets/main.js',
      '/assets/nothing-here.js',
      '/assets/',
      '/assets/index.html',
      // dist/web/index.html, and the checkout's package.json, from dist/web/assets/.
      '/assets/../index.html',
      '/assets/..%2findex.html',
      '/assets/../../../package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/%252e%252e%252f%252e%252e%252f%252e%252e%252fpackage.json',
      '/assets/..%5c..%5c..%5cpackage.json',
      '/assets/....//....//package.json',
      '/assets//etc/passwd',
      '/assets/%2Fetc%2Fpasswd',
      `${script}/..`,
      `${script}%00.css`,
      '/assets/.%2e/index.html',
    ];
    for (const path of attempts) {
      const answer = await raw(stack.url, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.toString(), path).not.toMatch(/"name": "mailgraph"|root:|<html/);
    }
  });
});

describe('where the activity page is served', () => {
  it('is off outside sandbox mode unless MAILGRAPH_ACTIVITY_PAGE=true, and then told it runs live', async () => {
    const off = await startStack({ env: LIVE_ENV });
    const on = await startStack({ env: { ...LIVE_ENV, MAILGRAPH_ACTIVITY_PAGE: 'true' } });
    const sandboxOff = await startStack({ env: { MAILGRAPH_ACTIVITY_PAGE: 'false' } });
    try {
      for (const stack of [off, sandboxOff]) {
        for (const path of ['/', '/assets/main.js']) {
          const refused = await raw(stack.url, path);
          expect(refused.status).toBe(404);
          expect(refused.body.toString()).toBe(
            'The live mail activity page is not served here (MAILGRAPH_ACTIVITY_PAGE=true serves it).\n',
          );
        }
        // Only the page is off: the API still answers (with its own rules for keys).
        expect((await raw(stack.url, '/health')).status).toBe(200);
      }
      const page = await raw(on.url, '/');
      expect(page.status).toBe(200);
      expect(page.body.toString()).toContain('<meta name="mailgraph-mode" content="live" />');
      // Keys are configured (live mode needs them): the page asks for one before its first request.
      expect(page.body.toString()).toContain('<meta name="mailgraph-keys" content="required" />');
      // The page needs no key; the API behind it does.
      const graphql = await fetch(`${on.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ rateLimits { provider } }' }),
      });
      expect(graphql.status).toBe(401);
      await graphql.arrayBuffer();
    } finally {
      await Promise.all([off.close(), on.close(), sandboxOff.close()]);
    }
  });

  it('says plainly when the page is not built, and serves it once it is', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mailgraph-web-'));
    const serve = createActivityPage({ enabled: true, sandbox: false, keyRequired: true, root });
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      serve(req, res, path).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const missing = await raw(base, '/');
      expect(missing.status).toBe(503);
      expect(missing.body.toString()).toMatch(/not built.*npm run build/);
      expect((await raw(base, '/assets/main-abc.js')).status).toBe(404);

      mkdirSync(join(root, 'assets'));
      writeFileSync(join(root, 'assets', 'main-abc123.js'), 'console.log(1)');
      writeFileSync(join(root, 'assets', 'notes.txt'), 'not a page asset');
      writeFileSync(
        join(root, 'index.html'),
        '<!doctype html><meta name="mailgraph-mode" content="" /><script type="module" src="/assets/main-abc123.js"></script>',
      );
      const built = await raw(base, '/');
      expect(built.status).toBe(200);
      expect(built.body.toString()).toContain('<meta name="mailgraph-mode" content="live" />');
      expect((await raw(base, '/assets/main-abc123.js')).body.toString()).toBe('console.log(1)');
      // Only the page's kinds of files are served.
      expect((await raw(base, '/assets/notes.txt')).status).toBe(404);
    } finally {
      server.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('how the page lays delivery events into messages (web/src/timeline.ts)', () => {
  const event = (over: Partial<DeliveryEventFields>): DeliveryEventFields => ({
    __typename: 'DeliveryEvent',
    cursor: 'c1',
    provider: 'CLOUDMAILIN',
    messageId: 'uuid-1',
    recipient: 'alice@example.net',
    kind: 'DELIVERY',
    rawKind: 'delivery',
    timestamp: '2026-01-01T10:00:02.000Z',
    receivedAt: '2026-01-01T10:00:02.100Z',
    details: null,
    ...over,
  });
  const listed: OutboundMessageFieldsFragment = {
    __typename: 'OutboundMessage',
    id: 'T3V0Ym91bmRNZXNzYWdlOnV1aWQtMQ==',
    messageUuid: 'uuid-1',
    subject: 'Hello',
    createdAt: '2026-01-01T10:00:00.000Z',
    testMode: false,
    from: { address: 'hello@example.com', name: null },
    to: [{ address: 'alice@example.net', name: null }],
    recipients: [
      {
        email: 'alice@example.net',
        lastEvent: 'DISPATCH',
        events: [
          {
            kind: 'REGISTRATION',
            rawKind: 'registration',
            timestamp: '2026-01-01T10:00:00.000Z',
            details: null,
          },
          { kind: 'DISPATCH', rawKind: 'dispatch', timestamp: '2026-01-01T10:00:01.000Z', details: null },
        ],
      },
    ],
  };

  it('adds a live event to its recipient’s timeline in time order, once, whatever its case', () => {
    const next = withEvent(listed, event({ recipient: 'Alice@Example.NET' }));
    expect(next?.recipients[0]?.events?.map((step) => step.kind)).toEqual([
      'REGISTRATION',
      'DISPATCH',
      'DELIVERY',
    ]);
    expect(next?.recipients[0]?.lastEvent).toBe('DELIVERY');
    // Replayed (the stream starts from the oldest event kept), or already in the list: nothing changes.
    expect(next && withEvent(next, event({ cursor: 'c9' }))).toBeNull();
    expect(
      withEvent(listed, event({ kind: 'DISPATCH', rawKind: 'dispatch', timestamp: '2026-01-01T10:00:01Z' })),
    ).toBeNull();
    // An event that arrives late still lands in its place; `lastEvent` stays the latest.
    const late = withEvent(
      next ?? listed,
      event({ kind: 'OPEN', rawKind: 'open', timestamp: '2026-01-01T09:59:59Z' }),
    );
    expect(late?.recipients[0]?.events?.map((step) => step.kind)).toEqual([
      'OPEN',
      'REGISTRATION',
      'DISPATCH',
      'DELIVERY',
    ]);
    expect(late?.recipients[0]?.lastEvent).toBe('DELIVERY');
    // A recipient the message did not list (a cc, say) gets a timeline of its own.
    expect(
      withEvent(listed, event({ recipient: 'bob@example.net' }))?.recipients.map((r) => r.email),
    ).toEqual(['alice@example.net', 'bob@example.net']);
  });

  it('keeps each streamed event once, by cursor, and only the newest', () => {
    let known: DeliveryEventFields[] = [];
    known = mergeEvents(known, event({ cursor: 'a' }));
    known = mergeEvents(known, event({ cursor: 'a' }));
    known = mergeEvents(known, event({ cursor: 'b' }));
    expect(known.map((item) => item.cursor)).toEqual(['a', 'b']);
    for (let index = 0; index < EVENTS_KEPT + 5; index += 1)
      known = mergeEvents(known, event({ cursor: `n${index}` }));
    expect(known).toHaveLength(EVENTS_KEPT);
    expect(known.at(-1)?.cursor).toBe(`n${EVENTS_KEPT + 4}`);
  });

  it('lists the page’s own sends and the messages known from events beside CloudMailin’s list, newest first', () => {
    const cloudflare: SentByPage = {
      sentAt: '2026-01-01T11:00:00.000Z',
      email: {
        provider: 'CLOUDFLARE',
        messageId: '<abc@mail.example.com>',
        subject: 'Report',
        testMode: false,
        from: { address: 'reports@mail.example.com', name: 'Reports' },
        to: [
          { address: 'bob@example.net', name: null },
          { address: 'carol@bounce.example.org', name: null },
        ],
        delivery: {
          delivered: ['bob@example.net'],
          queued: [],
          permanentBounces: ['carol@bounce.example.org'],
        },
        outboundMessage: null,
      },
    };
    const sentAndListed: SentByPage = {
      sentAt: '2026-01-01T10:00:00.500Z',
      email: { ...cloudflare.email, provider: 'CLOUDMAILIN', messageId: 'uuid-1', delivery: null },
    };
    const rows = messageRows(
      [listed],
      [sentAndListed, cloudflare],
      [
        event({ cursor: '1' }),
        event({
          cursor: '2',
          provider: 'CLOUDFLARE',
          messageId: '<abc@mail.example.com>',
          recipient: 'carol@bounce.example.org',
          kind: 'BOUNCE',
          rawKind: 'cf.email.sending.message.bounced',
          timestamp: '2026-01-01T11:00:01.000Z',
        }),
        event({ cursor: '3', messageId: 'uuid-older', timestamp: '2025-12-31T08:00:00.000Z' }),
      ],
    );
    expect(rows.map((row) => [row.source, row.provider, row.messageId])).toEqual([
      ['sent', 'CLOUDFLARE', '<abc@mail.example.com>'],
      ['list', 'CLOUDMAILIN', 'uuid-1'],
      ['events', 'CLOUDMAILIN', 'uuid-older'],
    ]);
    const [report, hello, older] = rows;
    expect(report?.recipients.map((r) => [r.email, r.outcome, r.lastEvent])).toEqual([
      ['bob@example.net', 'delivered', null],
      ['carol@bounce.example.org', 'bounced', 'BOUNCE'],
    ]);
    // The listed message's timelines are the cache's (where the updater lays live events), not rebuilt here.
    expect(hello?.recipients[0]?.events).toHaveLength(2);
    expect(older?.recipients.map((r) => r.email)).toEqual(['alice@example.net']);
  });
});
