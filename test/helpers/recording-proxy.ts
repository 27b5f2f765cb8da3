/**
 * A loopback HTTP proxy that records what mailgraph puts on the wire (method, path, headers, body) and
 * what the emulator answered, and passes the answer on unchanged. Tests use it to check the exact request
 * bodies a provider receives, and the conformance tests to validate both sides of each exchange.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

type Headers = Record<string, string | string[] | undefined>;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

export interface Exchange {
  request: RecordedRequest;
  response: { status: number; headers: Headers; body: string };
}

export interface RecordingProxy {
  /** The target URL with this proxy's origin: same path prefix, so clients build the same paths. */
  url: string;
  exchanges: Exchange[];
  /** The requests of `exchanges`, in order. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const exchanges: Exchange[] = [];
  const targetUrl = new URL(target);
  const server: Server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? 'GET';
      const upstream = await request(`${targetUrl.origin}${req.url ?? '/'}`, {
        method: method as 'GET',
        headers: { ...req.headers, host: targetUrl.host },
        body: chunks.length > 0 ? body : undefined,
      });
      const payload = Buffer.from(await upstream.body.arrayBuffer());
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(upstream.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      exchanges.push({
        request: { method, url: req.url ?? '/', headers: req.headers, body },
        response: { status: upstream.statusCode, headers, body: payload.toString('utf8') },
      });
      res.writeHead(upstream.statusCode, headers);
      res.end(payload);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${targetUrl.pathname}`,
    exchanges,
    get requests() {
      return exchanges.map((exchange) => exchange.request);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
