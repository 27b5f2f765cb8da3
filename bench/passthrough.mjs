/**
 * The limit of "one request, one upstream call": a bare node:http server that answers every request by
 * reading its body and making one upstream GET (undici, keep-alive pool), then returning the upstream's
 * answer as it came. No parsing, no validation, no GraphQL. `npm run bench` starts it as its own process
 * and reports every mailgraph figure beside it (bench/limits.ts).
 *
 * Environment: PORT, UPSTREAM_URL (the full URL to GET), UPSTREAM_AUTHORIZATION (the header to send).
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const port = Number(process.env.PORT);
const target = process.env.UPSTREAM_URL;
const authorization = process.env.UPSTREAM_AUTHORIZATION ?? '';
if (!port || !target) {
  process.stderr.write('passthrough: PORT and UPSTREAM_URL are required\n');
  process.exit(1);
}
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

const server = createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    try {
      const upstream = await request(target, {
        method: 'GET',
        headers: { authorization, accept: 'application/json' },
        dispatcher,
      });
      const body = Buffer.from(await upstream.body.arrayBuffer());
      res.writeHead(upstream.statusCode, {
        'content-type': 'application/json',
        'content-length': body.length,
      });
      res.end(body);
    } catch (error) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
});
server.keepAliveTimeout = 5_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`passthrough listening on ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
