/**
 * Builds the live mail activity page (web/) into dist/web/: index.html, and under assets/ the minified
 * JavaScript and CSS bundles and the icon, each named by a hash of its content (so they can be cached for
 * good). Production Preact, no source maps, nothing fetched from elsewhere at run time. `npm run build` runs
 * it after tsc, so `npm install` and `npm ci` build the page through `prepare`.
 *
 * Prints each asset's size, and the JavaScript's gzipped size against the page's budget (150 KB).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const source = join(root, 'web');
const out = join(root, 'dist', 'web');
const assets = join(out, 'assets');
const JS_BUDGET_BYTES = 150 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { main: join(source, 'src', 'main.tsx') },
  tsconfig: join(source, 'tsconfig.json'),
  outdir: assets,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['chrome111', 'edge111', 'firefox114', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define: { 'process.env.NODE_ENV': '"production"' },
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});

/** The public path of the output whose entry point (or CSS of it) is `main`, by extension. */
function output(extension) {
  const file = Object.keys(result.metafile.outputs).find(
    (path) => extname(path) === extension && basename(path).startsWith('main-'),
  );
  if (!file) throw new Error(`build-web: no ${extension} output`);
  return `/assets/${basename(file)}`;
}

function hashed(file) {
  const content = readFileSync(file);
  const hash = createHash('sha256').update(content).digest('base64url').slice(0, 10);
  const name = `${basename(file, extname(file))}-${hash}${extname(file)}`;
  writeFileSync(join(assets, name), content);
  return `/assets/${name}`;
}

const replacements = {
  '/assets/main.js': output('.js'),
  '/assets/main.css': output('.css'),
  '/assets/icon.svg': hashed(join(source, 'src', 'icon.svg')),
};
let html = readFileSync(join(source, 'index.html'), 'utf8');
for (const [placeholder, path] of Object.entries(replacements)) {
  if (!html.includes(`"${placeholder}"`))
    throw new Error(`build-web: web/index.html does not name ${placeholder}`);
  html = html.replace(`"${placeholder}"`, `"${path}"`);
}
writeFileSync(join(out, 'index.html'), html);

let javascript = 0;
for (const path of Object.values(replacements)) {
  const file = join(out, path);
  const content = readFileSync(file);
  const gzipped = gzipSync(content, { level: 9 }).length;
  if (extname(file) === '.js') javascript += gzipped;
  console.log(`build-web: ${relative(root, file)} ${content.length} bytes, ${gzipped} gzipped`);
}
console.log(
  `build-web: JavaScript ${(javascript / 1024).toFixed(1)} KB gzipped (budget ${JS_BUDGET_BYTES / 1024} KB)`,
);
if (javascript >= JS_BUDGET_BYTES) {
  console.error('build-web: the page’s JavaScript is over its budget');
  process.exit(1);
}
