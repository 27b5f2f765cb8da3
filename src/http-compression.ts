/**
 * Static bodies that mailgraph serves itself (GraphiQL, the live mail activity page): the encoding chosen
 * from `Accept-Encoding` (brotli, then gzip), each body compressed at most once per encoding for the life of
 * the process, and a strong ETag per encoding, as RFC 9110 asks of representations.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { constants, brotliCompress, gzip } from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'identity';

const compressors: Record<Exclude<Encoding, 'identity'>, (body: Buffer) => Promise<Buffer>> = {
  // Quality 9: within 10 % of the smallest brotli output, in under a second even for GraphiQL's 9 MB
  // (11 takes about 12 s there).
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 9,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 9 }),
};

/** The encoding to send for `Accept-Encoding`: brotli, then gzip, else none. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params
      .map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1])
      .find((value) => value !== undefined);
    if (name) weights.set(name, q === undefined ? 1 : Number(q));
  }
  const accepts = (name: string) => (weights.get(name) ?? weights.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}

/** Whether `ifNoneMatch` names one of `tags` (weak or strong, or `*`). */
export function matchesETag(ifNoneMatch: string | undefined, tags: readonly string[]): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tags.includes(tag));
}

/**
 * One body and its encodings: each computed on its first request and kept, so that a body is compressed at
 * most once per encoding. A compression that fails is forgotten, so the next request tries again.
 */
export class EncodedBody {
  readonly hash: string;
  private readonly encoded = new Map<Encoding, Promise<Buffer>>();

  constructor(readonly body: Buffer) {
    this.hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
    this.encoded.set('identity', Promise.resolve(body));
  }

  /** The strong ETag of the body in `encoding`. */
  etag(encoding: Encoding): string {
    return `"${this.hash}${encoding === 'identity' ? '' : `-${encoding}`}"`;
  }

  /** Whether `ifNoneMatch` names this body in any encoding. */
  matches(ifNoneMatch: string | undefined): boolean {
    return matchesETag(ifNoneMatch, [this.etag('identity'), this.etag('br'), this.etag('gzip')]);
  }

  in(encoding: Encoding): Promise<Buffer> {
    let bytes = this.encoded.get(encoding);
    if (!bytes) {
      bytes = compressors[encoding as Exclude<Encoding, 'identity'>](this.body).catch((error: unknown) => {
        this.encoded.delete(encoding);
        throw error;
      });
      this.encoded.set(encoding, bytes);
    }
    return bytes;
  }
}

export interface SendEncodedOptions {
  /** Sent with the 200 and with the 304 (caching, `vary`, security headers). */
  headers: Record<string, string>;
  /** Sent with the 200 only (the representation's own, e.g. `content-type`). */
  representation?: Record<string, string>;
  /** Bodies shorter than this go uncompressed: compressing them saves nothing (default 0: always). */
  compressFromBytes?: number;
}

/**
 * Writes `body` in the encoding the request accepts with its ETag, a 304 when the request already has it in
 * any encoding, and the headers alone for HEAD.
 */
export async function sendEncoded(
  req: IncomingMessage,
  res: ServerResponse,
  body: EncodedBody,
  options: SendEncodedOptions,
): Promise<void> {
  const encoding =
    body.body.length < (options.compressFromBytes ?? 0)
      ? 'identity'
      : chooseEncoding(req.headers['accept-encoding']);
  const headers = { ...options.headers, etag: body.etag(encoding) };
  if (body.matches(req.headers['if-none-match'])) {
    res.writeHead(304, headers).end();
    return;
  }
  const bytes = await body.in(encoding);
  res.writeHead(200, {
    ...headers,
    ...options.representation,
    'content-length': String(bytes.length),
    ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
  });
  if (req.method === 'HEAD') res.end();
  else res.end(bytes);
}
