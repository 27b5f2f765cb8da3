/**
 * The live mail activity page at `/` (web/, built into dist/web by scripts/build-web.mjs): `GET /` (and
 * `HEAD`) answers index.html, `/assets/<name>` the content-hashed bundles. Served in sandbox mode, and
 * otherwise only with `MAILGRAPH_ACTIVITY_PAGE=true`, like GraphiQL.
 *
 * - Only the files the build wrote are served: the assets are listed once and looked up by exact name, so
 *   no path (`..`, encoded or not) can reach another file.
 * - Each file is compressed at most once per encoding (src/http-compression.ts). index.html is revalidated
 *   on every load (`no-cache`, with an ETag); the hashed assets are kept for a year (`immutable`).
 * - index.html goes out with a strict Content-Security-Policy (scripts, styles and requests from this
 *   origin only, no inline script, no framing, no `<base>`, no form submission).
 * - index.html learns the server's mode from a meta tag (`mailgraph-mode`: `sandbox` or `live`), and whether
 *   requests need a key from another (`mailgraph-keys`: `required` or `none`).
 * - A missing build is answered 503 with what to run, never a crash; once built, the next request serves it.
 */
import { readFile, readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EncodedBody, sendEncoded } from './http-compression.js';

export const ASSETS_PREFIX = '/assets/';

/** The page's Content-Security-Policy: everything from this origin, nothing inline, nothing framing it. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A name the build writes: letters, digits, `-`, `_` and dots, never a path. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Bodies below this are sent as they are: compressing them saves nothing. */
const COMPRESS_FROM_BYTES = 256;

const NOT_SERVED =
  'The live mail activity page is not served here (MAILGRAPH_ACTIVITY_PAGE=true serves it).\n';

/**
 * dist/web beside the compiled module (dist/activity-page.js); from the TypeScript sources (tsx, vitest), the
 * checkout's dist/web, which `npm run build` writes.
 */
export function defaultActivityPageRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return import.meta.url.endsWith('.ts') ? join(here, '..', 'dist', 'web') : join(here, 'web');
}

/** Whether `path` (without its query) belongs to the page. */
export function isActivityPagePath(path: string): boolean {
  return path === '/' || path.startsWith(ASSETS_PREFIX);
}

export interface ActivityPageOptions {
  /** Whether the page is served (`MAILGRAPH_ACTIVITY_PAGE`; sandbox mode by default). */
  enabled: boolean;
  /** Whether mailgraph runs in sandbox mode, as the page is told. */
  sandbox: boolean;
  /**
   * Whether requests need a client key (MAILGRAPH_API_KEYS is set), as the page is told: it then asks for
   * one before its first request instead of learning it from a 401.
   */
  keyRequired: boolean;
  /** Where the built page is; `defaultActivityPageRoot()` when omitted. */
  root?: string;
}

interface Asset {
  body: EncodedBody;
  type: string;
}

interface Built {
  index: EncodedBody;
  assets: ReadonlyMap<string, Asset>;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/** Writes a built file: compressed when that saves something, with the headers every answer here has. */
function send(req: IncomingMessage, res: ServerResponse, body: EncodedBody, headers: Record<string, string>) {
  return sendEncoded(req, res, body, {
    headers: { ...COMMON_HEADERS, ...headers, vary: 'Accept-Encoding' },
    compressFromBytes: COMPRESS_FROM_BYTES,
  });
}

/** Serves the page's paths (see `isActivityPagePath`). */
export function createActivityPage(
  options: ActivityPageOptions,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  const root = options.root ?? defaultActivityPageRoot();
  let built: Promise<Built | null> | null = null;

  const read = async (): Promise<Built | null> => {
    let html: string;
    try {
      html = await readFile(join(root, 'index.html'), 'utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    html = html.replace(
      /<meta name="mailgraph-mode" content="[^"]*"\s*\/?>/,
      `<meta name="mailgraph-mode" content="${options.sandbox ? 'sandbox' : 'live'}" />`,
    );
    html = html.replace(
      /<meta name="mailgraph-keys" content="[^"]*"\s*\/?>/,
      `<meta name="mailgraph-keys" content="${options.keyRequired ? 'required' : 'none'}" />`,
    );
    const assets = new Map<string, Asset>();
    const names = await readdir(join(root, 'assets')).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    for (const name of names) {
      const type = TYPES[extname(name)];
      if (!type || !ASSET_NAME.test(name)) continue;
      assets.set(name, { body: new EncodedBody(await readFile(join(root, 'assets', name))), type });
    }
    return { index: new EncodedBody(Buffer.from(html)), assets };
  };

  /** The build, read once; a missing one is looked for again on the next request. */
  const load = async (): Promise<Built | null> => {
    built ??= read();
    try {
      const result = await built;
      if (!result) built = null;
      return result;
    } catch (error) {
      built = null;
      throw error;
    }
  };

  return async (req, res, path) => {
    if (!options.enabled) {
      text(res, 404, NOT_SERVED);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      text(res, 405, 'Only GET and HEAD are served here.\n', { allow: 'GET, HEAD' });
      return;
    }
    const page = await load();
    if (path === '/') {
      if (!page) {
        text(
          res,
          503,
          'The live mail activity page is not built (dist/web/index.html is missing): run `npm run build` (npm install runs it).\n',
        );
        return;
      }
      await send(req, res, page.index, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        // Checked with the ETag on every load: a new build is seen at once, an unchanged page costs a 304.
        'cache-control': 'no-cache',
      });
      return;
    }
    const asset = page?.assets.get(path.slice(ASSETS_PREFIX.length));
    if (!asset) {
      text(res, 404, 'Not found.\n');
      return;
    }
    await send(req, res, asset.body, {
      'content-type': asset.type,
      // The name carries a hash of the content: a new build has new names.
      'cache-control': 'public, max-age=31536000, immutable',
    });
  };
}
