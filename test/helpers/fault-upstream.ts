/**
 * A fault-injecting upstream for the tests: a loopback HTTP server that stands in front of a real upstream
 * (usually the sandbox emulator) and, per route, misbehaves on purpose. Requests no rule claims are passed
 * to the target unchanged (or answered 404 without a target), so a test breaks exactly one route and keeps
 * the rest of the provider working.
 *
 *   const faults = await startFaultUpstream(sandbox.cloudmailinUrl);
 *   faults.on({ method: 'POST', path: /\/messages$/ }, rateLimited('99999999'));
 *   faults.on({ path: '/addresses' }, { kind: 'reset' }, { times: 1 });
 *   // CLOUDMAILIN_API_URL = faults.url
 *
 * Faults: `delay` (then pass, or then another fault), `hang` (never answer), `drip` (headers, then the body a
 * few bytes at a time), `reset` (TCP reset before any answer), `truncate` (a Content-Length the body never
 * reaches, then the connection drops), `garbage` (bytes that are not JSON), `huge` (a body of any size,
 * streamed), and `respond` (any status, headers and body: a 429 with any Retry-After, a 5xx…).
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';

type Headers = Record<string, string | string[]>;

export type Fault =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number; then?: Fault }
  | { kind: 'hang' }
  | { kind: 'drip'; status?: number; headers?: Headers; body: string; bytesPerTick?: number; everyMs: number }
  | { kind: 'reset' }
  | { kind: 'truncate'; status?: number; body: string; keep: number }
  | { kind: 'garbage'; status?: number; bytes?: number }
  | { kind: 'huge'; status?: number; bytes: number; declareLength?: boolean }
  | { kind: 'respond'; status: number; headers?: Headers; body?: unknown };

export interface RouteMatch {
  /** Any method when absent. */
  method?: string;
  /** A substring of the request path (without the query), or a pattern it must match. */
  path: string | RegExp;
}

export interface FaultHit {
  method: string;
  /** The request path without the query string, as received. */
  path: string;
  /** What was done: the fault's kind, or `pass` for a request passed to the target. */
  fault: Fault['kind'];
  headers: IncomingMessage['headers'];
}

export interface FaultUpstream {
  /** The target's URL with this server's origin (same path prefix), or this server's own base URL. */
  url: string;
  /** Every request received, in order. */
  hits: FaultHit[];
  /**
   * Adds a rule; rules are tried in the order they were added, and a rule with `times` stops applying after
   * that many requests. Returns a function that removes the rule.
   */
  on(match: RouteMatch, fault: Fault, options?: { times?: number }): () => void;
  /** Removes every rule: from now on every request passes. */
  clear(): void;
  close(): Promise<void>;
}

/** A 429 with this `Retry-After` (omitted when null), and a body when given. */
export function rateLimited(retryAfter: string | null, body: unknown = null, headers: Headers = {}): Fault {
  return {
    kind: 'respond',
    status: 429,
    headers: { ...(retryAfter === null ? {} : { 'retry-after': retryAfter }), ...headers },
    body,
  };
}

/** A 5xx (503 by default) with a short text body. */
export function serverError(status = 503, body = 'upstream unavailable'): Fault {
  return { kind: 'respond', status, headers: { 'content-type': 'text/plain' }, body };
}

interface Rule {
  match: RouteMatch;
  fault: Fault;
  left: number;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length']);

export async function startFaultUpstream(target?: string): Promise<FaultUpstream> {
  const targetUrl = target === undefined ? undefined : new URL(target);
  const rules: Rule[] = [];
  const hits: FaultHit[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const later = (ms: number, work: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  };

  const pick = (method: string, path: string): Fault => {
    for (const rule of rules) {
      const { match } = rule;
      if (match.method !== undefined && match.method.toUpperCase() !== method) continue;
      const matches = typeof match.path === 'string' ? path.includes(match.path) : match.path.test(path);
      if (!matches || rule.left <= 0) continue;
      rule.left -= 1;
      return rule.fault;
    }
    return { kind: 'pass' };
  };

  const pass = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    if (targetUrl === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such route"}');
      return;
    }
    const upstream = await request(`${targetUrl.origin}${req.url ?? '/'}`, {
      method: (req.method ?? 'GET') as 'GET',
      headers: { ...req.headers, host: targetUrl.host },
      body: body.length > 0 ? body : undefined,
    });
    const payload = Buffer.from(await upstream.body.arrayBuffer());
    const headers: Headers = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    res.writeHead(upstream.statusCode, headers).end(payload);
  };

  const apply = async (fault: Fault, req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    switch (fault.kind) {
      case 'pass':
        return pass(req, res, body);
      case 'delay':
        later(fault.ms, () => {
          if (!res.destroyed)
            void apply(fault.then ?? { kind: 'pass' }, req, res, body).catch(() => res.destroy());
        });
        return;
      case 'hang':
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'respond': {
        const text =
          fault.body === undefined || fault.body === null
            ? ''
            : typeof fault.body === 'string'
              ? fault.body
              : JSON.stringify(fault.body);
        const type = typeof fault.body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(fault.status, { 'content-type': type, ...fault.headers }).end(text);
        return;
      }
      case 'garbage':
        res
          .writeHead(fault.status ?? 200, { 'content-type': 'application/json' })
          .end(randomBytes(fault.bytes ?? 512));
        return;
      case 'truncate': {
        const bytes = Buffer.from(fault.body);
        res.writeHead(fault.status ?? 200, {
          'content-type': 'application/json',
          'content-length': String(bytes.length),
        });
        res.write(bytes.subarray(0, Math.min(fault.keep, bytes.length - 1)));
        later(10, () => req.socket.destroy());
        return;
      }
      case 'huge': {
        const headers: Headers = { 'content-type': 'application/json' };
        if (fault.declareLength) headers['content-length'] = String(fault.bytes);
        res.writeHead(fault.status ?? 200, headers);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let left = fault.bytes;
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            const part = chunk.subarray(0, Math.min(chunk.length, left));
            left -= part.length;
            if (!res.write(part)) {
              res.once('drain', pump);
              return;
            }
          }
          if (!res.destroyed) res.end();
        };
        pump();
        return;
      }
      case 'drip': {
        res.writeHead(fault.status ?? 200, { 'content-type': 'application/json', ...fault.headers });
        const bytes = Buffer.from(fault.body);
        const step = Math.max(1, fault.bytesPerTick ?? 1);
        let offset = 0;
        const tick = () => {
          if (res.destroyed) return;
          if (offset >= bytes.length) {
            res.end();
            return;
          }
          res.write(bytes.subarray(offset, offset + step));
          offset += step;
          later(fault.everyMs, tick);
        };
        tick();
        return;
      }
    }
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const method = (req.method ?? 'GET').toUpperCase();
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const fault = pick(method, path);
      hits.push({ method, path, fault: fault.kind, headers: req.headers });
      await apply(fault, req, res, Buffer.concat(chunks));
    } catch {
      res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}${targetUrl?.pathname ?? ''}`,
    hits,
    on(match, fault, options = {}) {
      const rule: Rule = { match, fault, left: options.times ?? Number.POSITIVE_INFINITY };
      rules.push(rule);
      return () => {
        const index = rules.indexOf(rule);
        if (index >= 0) rules.splice(index, 1);
      };
    },
    clear() {
      rules.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
