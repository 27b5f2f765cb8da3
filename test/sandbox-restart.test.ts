/**
 * `npm start` in sandbox mode, stopped and started again on the same data directory: the event log outlives
 * the embedded emulator, so the emulator must not hand out a message id that an earlier run already used
 * (the page and `messageEvents` would show the earlier message's events under the new one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from './helpers/server-process.js';

const SEND = `mutation Send($input: SendEmailInput!) {
  sendEmail(input: $input) { __typename ... on SendEmailPayload { email { messageId } } }
}`;

async function sendOnce(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: SEND,
      variables: {
        input: {
          provider: 'CLOUDMAILIN',
          from: { email: 'sender@example.com' },
          to: [{ email: 'someone@example.org' }],
          subject: 'Restart',
          text: 'Hello',
        },
      },
    }),
  });
  const json = (await response.json()) as {
    data?: { sendEmail: { __typename: string; email?: { messageId: string } } };
  };
  const id = json.data?.sendEmail.email?.messageId;
  if (!id) throw new Error(`send failed: ${JSON.stringify(json)}`);
  return id;
}

const dataDir = mkdtempSync(join(tmpdir(), 'mailgraph-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('sandbox mode across a restart', () => {
  it('gives a message sent after a restart an id no earlier run gave', { timeout: 60_000 }, async () => {
    const ids: string[] = [];
    for (let run = 0; run < 2; run++) {
      const server = await startServerProcess({ MAILGRAPH_SANDBOX: 'true', MAILGRAPH_DATA_DIR: dataDir });
      try {
        ids.push(await sendOnce(server.url));
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    }
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).not.toBe(ids[0]);
  });
});
