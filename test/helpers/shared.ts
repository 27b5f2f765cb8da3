/**
 * The project's shared reference material (provider specs, samples, fixtures) lives beside the repository
 * in `shared/`, not inside it. Tests find it there, or where MAILGRAPH_SHARED_DIR points.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const candidates = [
  process.env.MAILGRAPH_SHARED_DIR,
  fileURLToPath(new URL('../../../shared', import.meta.url)),
  '/work/shared',
].filter((dir): dir is string => Boolean(dir));

const root = candidates.find((dir) => existsSync(`${dir}/upstream`));

/** Absolute path of a file under `shared/`, e.g. `sharedPath('upstream/cloudflare/NOTES.md')`. */
export function sharedPath(relative: string): string {
  if (!root) {
    throw new Error(`shared/ not found (looked in ${candidates.join(', ')}); set MAILGRAPH_SHARED_DIR`);
  }
  return `${root}/${relative}`;
}

/**
 * `upstream/cloudflare/examples/sdk-test-params.json`, parsed: what the official Cloudflare SDK's generated
 * tests send, by method and variant. `T` is the shape the caller reads it as.
 */
export function cloudflareSdkParams<T>(): T {
  return JSON.parse(
    readFileSync(sharedPath('upstream/cloudflare/examples/sdk-test-params.json'), 'utf8'),
  ) as T;
}
