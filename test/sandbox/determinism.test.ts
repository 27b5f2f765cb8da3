import { describe, expect, it } from 'vitest';
import { DEMO_CLOUDMAILIN } from '../../src/sandbox/demo-data.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { CF, cf, cm, fakeClock, sandbox, send } from './helpers.js';

function snapshot(sb: Sandbox) {
  const emulator = sb.cloudmailin;
  return {
    addresses: emulator.addresses(),
    statuses: Object.values(DEMO_CLOUDMAILIN.addressIds).map((id) => emulator.statuses(id)),
    customDomains: Object.values(DEMO_CLOUDMAILIN.addressIds).map((id) => emulator.customDomains(id)),
    outbound: emulator.outboundMessages().map((m) => emulator.outboundMessage(m.id)),
    sendingDomains: emulator.sendingDomains(),
  };
}

describe('sandbox determinism', () => {
  it('builds identical data, and hands out identical ids, for the same seed', async () => {
    const clockA = fakeClock();
    const clockB = fakeClock();
    const a = await sandbox({ seed: 7, now: clockA.now });
    const b = await sandbox({ seed: 7, now: clockB.now });
    expect(snapshot(a)).toEqual(snapshot(b));

    const createA = await cm(a, 'POST', '/sending_domains', { json: { domain: 'new.example.com' } });
    const createB = await cm(b, 'POST', '/sending_domains', { json: { domain: 'new.example.com' } });
    expect(createA.body).toEqual(createB.body);
    const message = { from: 'a@example.com', to: 'b@example.com', plain: 'x' };
    expect((await send(a, message)).body).toEqual((await send(b, message)).body);
    expect(a.cloudmailin.receiveInbound(DEMO_CLOUDMAILIN.addressIds.support)).toEqual(
      b.cloudmailin.receiveInbound(DEMO_CLOUDMAILIN.addressIds.support),
    );
    expect(snapshot(a)).toEqual(snapshot(b));
  });

  it('keeps the documented ids for any seed but varies the bulk', async () => {
    const one = await sandbox({ seed: 1 });
    const two = await sandbox({ seed: 2 });
    expect(one.cloudmailin.addresses()).toEqual(two.cloudmailin.addresses());
    expect(one.cloudmailin.sendingDomains().map((d) => d.id)).toEqual(
      two.cloudmailin.sendingDomains().map((d) => d.id),
    );
    expect(one.cloudmailin.outboundMessages()[0]?.id).toBe(DEMO_CLOUDMAILIN.outboundMessageId);
    expect(two.cloudmailin.outboundMessages()[0]?.id).toBe(DEMO_CLOUDMAILIN.outboundMessageId);
    const support = DEMO_CLOUDMAILIN.addressIds.support;
    expect(one.cloudmailin.statuses(support)).not.toEqual(two.cloudmailin.statuses(support));
  });

  it('hands out run-time ids from idSeed, leaving the demo data as the seed builds it', async () => {
    const clock = fakeClock();
    const first = await sandbox({ seed: 1, idSeed: 11, now: clock.now });
    const again = await sandbox({ seed: 1, idSeed: 11, now: clock.now });
    const other = await sandbox({ seed: 1, idSeed: 12, now: clock.now });
    const plain = await sandbox({ seed: 1, now: clock.now });
    expect(snapshot(first)).toEqual(snapshot(plain));
    expect(snapshot(other)).toEqual(snapshot(plain));
    const message = { from: 'a@example.com', to: 'b@example.com', plain: 'x' };
    const idOf = async (sb: Sandbox) => ((await send(sb, message)).body as { id: string }).id;
    const [a, b, c, d] = [await idOf(first), await idOf(again), await idOf(other), await idOf(plain)];
    expect(a).toBe(b);
    expect(new Set([a, c, d]).size).toBe(3);
    const cloudflareSend = async (sb: Sandbox) =>
      cf(sb, 'POST', `/accounts/${CF.accountId}/email/sending/send`, {
        json: { from: 'a@mail.example.com', to: 'b@example.org', subject: 'Hi', text: 'Hi' },
      });
    const [sentFirst, sentAgain, sentOther] = [
      (await cloudflareSend(first)).body,
      (await cloudflareSend(again)).body,
      (await cloudflareSend(other)).body,
    ];
    expect(sentFirst).toEqual(sentAgain);
    expect(sentFirst).not.toEqual(sentOther);
  });

  it('does not depend on the wall clock: demo timestamps are fixed before the demo epoch', async () => {
    const early = await sandbox({ now: () => 0 });
    const late = await sandbox({ now: () => Date.parse('2030-01-01T00:00:00Z') });
    expect(snapshot(early)).toEqual(snapshot(late));
    const epoch = Date.parse(DEMO_CLOUDMAILIN.epoch);
    for (const message of early.cloudmailin.outboundMessages()) {
      expect(Date.parse(message.created_at ?? '')).toBeLessThan(epoch);
      expect(message.recipients.every((r) => r.last_event !== null)).toBe(true);
    }
  });
});
