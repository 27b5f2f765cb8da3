/** The in-memory idempotency store, held to the store contract (test/helpers/idempotency-contract.ts). */
import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from '../src/idempotency.js';
import { DAY, describeIdempotencyStore, manualClock } from './helpers/idempotency-contract.js';

describeIdempotencyStore(
  'MemoryIdempotencyStore',
  (clock) => new MemoryIdempotencyStore(undefined, undefined, clock.now),
);

describe('MemoryIdempotencyStore', () => {
  it('forgets a key after its time to live, and the oldest keys first when full', async () => {
    const clock = manualClock();
    const store = new MemoryIdempotencyStore(DAY, 2, clock.now);
    let runs = 0;
    const work = async () => {
      runs += 1;
      return runs;
    };
    await store.run('p', 'old', 1, work);
    clock.advance(DAY);
    await expect(store.run('p', 'old', 1, work)).resolves.toEqual({ result: 2, replayed: false });
    await store.run('p', 'b', 1, work);
    await store.run('p', 'c', 1, work);
    // Full with two keys: the third pushed out the oldest ('old'), the others are still bound.
    await expect(store.run('p', 'c', 1, work)).resolves.toMatchObject({ replayed: true });
    await expect(store.run('p', 'old', 1, work)).resolves.toMatchObject({ replayed: false });
    expect(runs).toBe(5);
  });
});
