import { once } from 'node:events';
import { createServer } from 'node:net';

/** A loopback port that was free a moment ago, for a child process that must listen on a known port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
