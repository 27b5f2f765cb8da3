/**
 * What a durable `IdempotencyStore` keeps beyond the contract (idempotency-contract.ts): keys outlive the
 * store object, and an attempt whose end another store object cannot learn is in doubt there, never run
 * twice. `open()` makes another store object over the same data: the next process on the same data
 * directory (LMDB), or another instance on the same Redis prefix. Counts runs of the work, never timings.
 */
import { describe, expect, it } from 'vitest';
import { IdempotencyKeyInDoubtError, type IdempotencyStore } from '../../src/idempotency.js';

export interface DurableStores {
  open(): IdempotencyStore;
  /** Whether two store objects may be open at once (Redis: instances), or one must close first (LMDB). */
  concurrent: boolean;
  close(store: IdempotencyStore): Promise<void>;
}

export function describeDurableIdempotencyStore(name: string, make: () => DurableStores): void {
  describe(`${name} keeps its keys beyond one store object`, () => {
    it('a key bound by one replays in the next, without running the work', async () => {
      const stores = make();
      const first = stores.open();
      const sent = { sent: { id: 'message-1', to: ['a@example.net'] } };
      await first.run('client-a', 'k1', { to: 'a' }, async () => sent);
      await stores.close(first);
      const next = stores.open();
      let runs = 0;
      const again = await next.run('client-a', 'k1', { to: 'a' }, async () => {
        runs += 1;
        return { sent: { id: 'message-2', to: [] } };
      });
      expect(again).toEqual({ result: sent, replayed: true });
      expect(runs).toBe(0);
      await expect(next.run('client-a', 'k1', { to: 'b' }, async () => 'other')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await stores.close(next);
    });

    it('a key released by one is free in the next', async () => {
      const stores = make();
      const first = stores.open();
      await expect(
        first.run('p', 'k2', 1, async () => {
          throw new Error('refused: nothing sent');
        }),
      ).rejects.toThrow('refused');
      await stores.close(first);
      const next = stores.open();
      await expect(next.run('p', 'k2', 1, async () => 'sent')).resolves.toEqual({
        result: 'sent',
        replayed: false,
      });
      await stores.close(next);
    });

    it('a key held by an attempt the store cannot see the end of is in doubt: the work never runs twice', async () => {
      const stores = make();
      const first = stores.open();
      let runs = 0;
      let finish: (value: string) => void = () => {};
      const underway = first.run('p', 'k3', 1, () => {
        runs += 1;
        return new Promise<string>((resolve) => {
          finish = resolve;
        });
      });
      // Let the claim reach the store.
      for (let i = 0; i < 50 && runs === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(runs).toBe(1);
      // LMDB: the process dies during the send (its store is closed with the attempt under way).
      if (!stores.concurrent) await stores.close(first);
      const other = stores.open();
      const work = async () => {
        runs += 1;
        return 'sent again';
      };
      await expect(other.run('p', 'k3', 1, work)).rejects.toBeInstanceOf(IdempotencyKeyInDoubtError);
      expect(runs).toBe(1);
      if (stores.concurrent) {
        // Redis: the other instance ends its attempt; from then on the key replays everywhere.
        finish('sent');
        await expect(underway).resolves.toEqual({ result: 'sent', replayed: false });
        await expect(other.run('p', 'k3', 1, work)).resolves.toEqual({ result: 'sent', replayed: true });
        await stores.close(first);
      }
      expect(runs).toBe(1);
      await stores.close(other);
    });
  });
}
