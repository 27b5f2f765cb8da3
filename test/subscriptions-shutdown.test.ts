/**
 * SIGTERM against the real entry point (`node --import tsx src/server.ts`) while subscriptions are live on
 * every transport: SSE streams end with `complete`, WebSockets close with 1001 (going away), the HTTP
 * drain finishes, and the process exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';
import {
  MESSAGE_EVENTS,
  TRANSPORTS,
  type Transport,
  connect,
  eventOf,
  postEvents,
} from './helpers/subscription-clients.js';

let running: ServerProcess | null = null;
let dataDir: string | null = null;
afterEach(() => {
  running?.child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  [running, dataDir] = [null, null];
});

describe('SIGTERM with live subscriptions', () => {
  it('ends SSE streams with complete and closes WebSockets with 1001, then drains and exits 0', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-subscriptions-shutdown-'));
    running = await startServerProcess({ MAILGRAPH_SANDBOX: 'true', MAILGRAPH_DATA_DIR: dataDir });
    const server = running;
    expect(
      await postEvents(server.origin, [
        { kind: 'delivery', recipient: 's@example.net', message_id: 'shutdown' },
      ]),
    ).toBe(200);

    const seen = new Map<Transport, Array<string | number>>();
    const live = await Promise.all(
      TRANSPORTS.map(async (transport) => {
        const events: Array<string | number> = [];
        seen.set(transport, events);
        const client = connect(server.origin, transport, { onEvent: (event) => events.push(event) });
        const subscription = client.subscribe(MESSAGE_EVENTS, { messageId: 'shutdown' });
        // Live: the stored event has arrived, and the stream waits for the next one.
        const [first] = await subscription.take(1);
        expect(eventOf(first).recipient).toBe('s@example.net');
        return { transport, client, next: subscription.take(1) };
      }),
    );

    server.child.kill('SIGTERM');
    await server.logged(/SIGTERM: shutting down/);
    for (const { transport, client, next } of live) {
      const after = await next;
      // No further event: the stream ended (SSE: completed; WebSocket: closed, which the client reports).
      expect(
        after.filter((outcome) => outcome.data),
        transport,
      ).toEqual([]);
      const events = seen.get(transport) ?? [];
      if (transport === 'ws') expect(events, transport).toEqual([1001]);
      else expect(events, transport).toEqual(['next', 'complete']);
      await client.dispose();
    }
    expect(await server.exited).toBe(0);
    await server.logged(/shutdown: done/);
  });
});
