/**
 * What the sandbox server and its provider emulators share: the request/response shapes passed between
 * them, route matching over already-decoded path segments, and credential extraction.
 */
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which credential a call presented: CloudMailin's account API key or SMTP token, Cloudflare's API token
 * (`Authorization: Bearer`) or its X-Auth-Email + X-Auth-Key pair; `none` when there was none at all.
 */
export type AuthKind = 'api-key' | 'smtp-token' | 'api-token' | 'api-key-pair' | 'none' | 'invalid';

export interface SandboxRequest {
  method: string;
  /** Path segments after the provider's prefix, each percent-decoded on its own (so `%2F` stays inside its segment). */
  segments: string[];
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SandboxReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ProviderResult {
  reply: SandboxReply;
  auth: AuthKind;
}

/** One emulated provider, mounted by the server under `prefix`. */
export interface ProviderEmulator {
  readonly prefix: string;
  handle(request: SandboxRequest): ProviderResult;
  /** The provider's own error body, for failures the server detects before routing (413, 400). */
  error(status: number, message?: string): SandboxReply;
  classifyAuth(headers: IncomingHttpHeaders): AuthKind;
}

export type RouteMatch<R> =
  | { kind: 'found'; route: R; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/** `pattern` is split on `/`; a segment starting with `:` captures. */
export function matchRoute<R extends { method: string; pattern: string }>(
  routes: readonly R[],
  method: string,
  segments: readonly string[],
): RouteMatch<R> {
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params === null) continue;
    if (route.method === method) return { kind: 'found', route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}

function matchPattern(pattern: string, segments: readonly string[]): Record<string, string> | null {
  const parts = pattern.split('/').filter((part) => part !== '');
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return null;
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}

/**
 * The secrets an `Authorization` header presents: the Bearer token, or for Basic both halves, since the
 * CloudMailin spec allows "HTTP Basic Authentication ... with the key" without saying which half holds
 * it. `null` when there is no header at all.
 */
export function presentedCredentials(headers: IncomingHttpHeaders): string[] | null {
  const header = headers.authorization;
  if (header === undefined || header.trim() === '') return null;
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (/^bearer$/i.test(scheme)) return value === '' ? [] : [value];
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return [decoded];
    return [decoded.slice(colon + 1), decoded.slice(0, colon)].filter((part) => part !== '');
  }
  return [];
}

export function isJsonContentType(headers: IncomingHttpHeaders): boolean {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}
