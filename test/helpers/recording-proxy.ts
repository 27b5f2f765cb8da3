/**
 * A loopback HTTP proxy that records what mailgraph puts on the wire (method, path, headers, body) and
 * forwards it to the real emulator, so tests can check the exact request bodies the provider receives.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const targetUrl = new URL(target);
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
    const upstream = await request(`${targetUrl.origin}${req.url}`, {
      method: (req.method ?? 'GET') as 'GET',
      headers: { ...req.headers, host: targetUrl.host },
      body: chunks.length > 0 ? body : undefined,
    });
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection') headers[name] = value;
    }
    res.writeHead(upstream.statusCode, headers);
    res.end(Buffer.from(await upstream.body.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${targetUrl.pathname}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
