/**
 * The `IdempotencyStore` contract, written once so that a durable store (issue 9) can be held to it too:
 * call `describeIdempotencyStore` with its factory from a test file. Counts runs of the work, never timings.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { IdempotencyStore } from '../../src/idempotency.js';

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(): Clock {
  let time = Date.parse('2026-11-21T12:00:00Z');
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

export const DAY = 24 * 60 * 60 * 1000;

export function describeIdempotencyStore(name: string, make: (clock: Clock) => IdempotencyStore): void {
  describe(`${name} keeps the IdempotencyStore contract`, () => {
    it('binds a key to the value its work resolves to, and answers it again without running the work', async () => {
      const store = make(manualClock());
      let runs = 0;
      const work = async () => {
        runs += 1;
        return { unknown: { message: 'may have been sent', status: null } };
      };
      const first = await store.run('client-a', 'k1', { to: 'x' }, work);
      const second = await store.run('client-a', 'k1', { to: 'x' }, work);
      expect(first).toEqual({
        result: { unknown: { message: 'may have been sent', status: null } },
        replayed: false,
      });
      expect(second).toEqual({ ...first, replayed: true });
      expect(runs).toBe(1);
    });

    it('releases a key whose work rejects, so that the next run does the work', async () => {
      const store = make(manualClock());
      let runs = 0;
      const failing = async () => {
        runs += 1;
        throw new Error('refused: nothing happened');
      };
      await expect(store.run('client-a', 'k2', 1, failing)).rejects.toThrow('refused');
      const counted = async () => {
        runs += 1;
        return runs;
      };
      await expect(store.run('client-a', 'k2', 1, counted)).resolves.toMatchObject({
        replayed: false,
      });
      expect(runs).toBe(2);
    });

    it('shares one run among concurrent attempts with the same key', async () => {
      const store = make(manualClock());
      let runs = 0;
      let finish: (value: string) => void = () => {};
      const work = () => {
        runs += 1;
        return new Promise<string>((resolve) => {
          finish = resolve;
        });
      };
      const attempts = [store.run('p', 'k3', 1, work), store.run('p', 'k3', 1, work)];
      // A durable store starts the work once its claim is stored.
      for (let i = 0; i < 100 && runs === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      finish('sent');
      const answers = await Promise.all(attempts);
      expect(answers.map((answer) => answer.result)).toEqual(['sent', 'sent']);
      expect(answers.map((answer) => answer.replayed).sort()).toEqual([false, true]);
      expect(runs).toBe(1);
    });

    it('refuses the key with another input, and keeps keys apart per principal', async () => {
      const store = make(manualClock());
      await store.run('client-a', 'k4', { subject: 'a' }, async () => 'first');
      await expect(store.run('client-a', 'k4', { subject: 'b' }, async () => 'other')).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.run('client-b', 'k4', { subject: 'b' }, async () => 'theirs')).resolves.toEqual({
        result: 'theirs',
        replayed: false,
      });
    });

    it('keeps a key for 24 hours', async () => {
      const clock = manualClock();
      const store = make(clock);
      let runs = 0;
      const work = async () => {
        runs += 1;
        return runs;
      };
      await store.run('p', 'k5', 1, work);
      clock.advance(DAY - 1000);
      await expect(store.run('p', 'k5', 1, work)).resolves.toEqual({ result: 1, replayed: true });
      expect(runs).toBe(1);
    });
  });
}
