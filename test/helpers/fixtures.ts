/**
 * The providers' reference material (OpenAPI documents, SDK test parameters, webhook and event samples) is
 * kept in the repository, in `test/fixtures/providers/`; its README says where each file came from. Tests
 * read it only from there, so a plain clone runs the whole suite.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../fixtures/providers/', import.meta.url));

/**
 * Absolute path of a file under `test/fixtures/providers/`, e.g.
 * `fixturePath('cloudflare/email-sending.openapi.json')`. Throws when the file is missing.
 */
export function fixturePath(relative: string): string {
  const path = `${root}${relative}`;
  if (!existsSync(path)) {
    throw new Error(`provider fixture not found: test/fixtures/providers/${relative}`);
  }
  return path;
}

/**
 * `cloudflare/examples/sdk-test-params.json`, parsed: what the official Cloudflare SDK's generated tests
 * send, by method and variant. `T` is the shape the caller reads it as.
 */
export function cloudflareSdkParams<T>(): T {
  return JSON.parse(readFileSync(fixturePath('cloudflare/examples/sdk-test-params.json'), 'utf8')) as T;
}
