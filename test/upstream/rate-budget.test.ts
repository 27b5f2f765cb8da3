import { describe, expect, it } from 'vitest';
import { RateBudget, RateBudgets } from '../../src/upstream/rate-budget.js';

function budget(calls: number, windowMs = 60_000) {
  const clock = { now: 0 };
  const waits: number[] = [];
  // The clock does not move while a caller sleeps, so concurrent callers see each other's reservations.
  const b = new RateBudget(
    { calls, windowMs },
    () => clock.now,
    async (ms) => void waits.push(ms),
  );
  return { b, clock, waits };
}

describe('RateBudget', () => {
  it('grants N calls at once, then refuses with the seconds until the oldest leaves the window', async () => {
    const { b, clock } = budget(5);
    for (let i = 0; i < 5; i++) expect(await b.acquire(0)).toEqual({ ok: true, waitedMs: 0 });
    clock.now = 20_500;
    expect(await b.acquire(1_000)).toEqual({ ok: false, retryAfterSeconds: 40 });
    clock.now = 60_000;
    expect(await b.acquire(0)).toEqual({ ok: true, waitedMs: 0 });
  });

  it('waits for the next slot when it frees within the deadline', async () => {
    const { b, clock, waits } = budget(2, 10_000);
    await b.acquire(0);
    clock.now = 4_000;
    await b.acquire(0);
    clock.now = 9_000;
    expect(await b.acquire(1_000)).toEqual({ ok: true, waitedMs: 1_000 });
    expect(waits).toEqual([1_000]);
  });

  it('reserves slots so that concurrent waiters queue rather than share one', async () => {
    const { b, clock, waits } = budget(2, 10_000);
    await b.acquire(0);
    clock.now = 1_000;
    await b.acquire(0);
    clock.now = 8_000;
    const decisions = await Promise.all([b.acquire(5_000), b.acquire(5_000), b.acquire(5_000)]);
    expect(decisions).toEqual([
      { ok: true, waitedMs: 2_000 },
      { ok: true, waitedMs: 3_000 },
      { ok: false, retryAfterSeconds: 12 },
    ]);
    expect(waits).toEqual([2_000, 3_000]);
  });

  it('a refused acquire takes nothing', async () => {
    const { b, clock } = budget(1, 10_000);
    await b.acquire(0);
    for (let i = 0; i < 3; i++) expect(await b.acquire(0)).toMatchObject({ ok: false });
    clock.now = 10_000;
    expect(await b.acquire(0)).toEqual({ ok: true, waitedMs: 0 });
  });

  it('penalize blocks until Retry-After, even an unlimited budget', async () => {
    const { b, clock } = budget(0);
    expect(await b.acquire(0)).toMatchObject({ ok: true });
    b.penalize(30);
    expect(await b.acquire(0)).toEqual({ ok: false, retryAfterSeconds: 30 });
    clock.now = 29_500;
    expect(await b.acquire(1_000)).toEqual({ ok: true, waitedMs: 500 });
  });

  it('a shorter penalty never shortens a longer one', async () => {
    const { b } = budget(0);
    b.penalize(60);
    b.penalize(5);
    expect(await b.acquire(0)).toEqual({ ok: false, retryAfterSeconds: 60 });
  });

  it('a penalty and a full window combine: the later of the two wins', async () => {
    const { b, clock } = budget(1, 10_000);
    await b.acquire(0);
    b.penalize(3);
    clock.now = 1_000;
    expect(await b.acquire(0)).toEqual({ ok: false, retryAfterSeconds: 9 });
  });
});

describe('RateBudgets', () => {
  it('keeps one budget per scope', async () => {
    const budgets = new RateBudgets({ now: () => 0, sleep: async () => {} });
    const a = budgets.forScope('a', { calls: 1, windowMs: 1_000 });
    expect(budgets.forScope('a', { calls: 1, windowMs: 1_000 })).toBe(a);
    await a.acquire(0);
    expect(await a.acquire(0)).toMatchObject({ ok: false });
    expect(await budgets.forScope('b', { calls: 1, windowMs: 1_000 }).acquire(0)).toMatchObject({ ok: true });
  });
});

describe('RateBudget fair shares between client keys', () => {
  const two = (key: string) => ({ key, keys: 2 });

  it('a lone key leaves one share for a key not seen yet, which then gets at least its share at once', async () => {
    const { b } = budget(5);
    const a: boolean[] = [];
    for (let i = 0; i < 10; i++) a.push((await b.acquire(0, two('A'))).ok);
    // floor(5 / 2) = 2 calls stay free for the other configured key.
    expect(a.filter(Boolean)).toHaveLength(3);
    const refused = await b.acquire(0, two('A'));
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 60, fairShare: expect.any(Object) });
    expect(await b.acquire(0, two('B'))).toEqual({ ok: true, waitedMs: 0 });
    expect(await b.acquire(0, two('B'))).toEqual({ ok: true, waitedMs: 0 });
    expect(await b.acquire(0, two('B'))).toMatchObject({ ok: false });
  });

  it('while another key uses the budget, a key at ceil(limit / active keys) is refused although calls are left', async () => {
    const { b, clock } = budget(10, 10_000);
    expect(await b.acquire(0, two('B'))).toMatchObject({ ok: true });
    const granted: number[] = [];
    for (let i = 0; i < 8; i++) {
      clock.now = 1_000 + i;
      if ((await b.acquire(0, two('A'))).ok) granted.push(clock.now);
    }
    expect(granted).toHaveLength(5);
    expect(b.status().used).toBe(6);
    // A's share frees when its oldest call leaves the window, not before.
    clock.now = 2_000;
    expect(await b.acquire(0, two('A'))).toMatchObject({ ok: false, retryAfterSeconds: 9 });
    // B, under its share, still gets the rest.
    for (let i = 0; i < 4; i++) expect(await b.acquire(0, two('B'))).toMatchObject({ ok: true });
  });

  it('a key that has not asked for a whole window no longer counts as active', async () => {
    const { b, clock } = budget(10, 10_000);
    await b.acquire(0, two('B'));
    clock.now = 10_001;
    let granted = 0;
    for (let i = 0; i < 12; i++) if ((await b.acquire(0, two('A'))).ok) granted++;
    // Alone again, A may use all but the one share kept for B.
    expect(granted).toBe(5);
  });

  it('a key refused for its share is not kept waiting, even within the deadline', async () => {
    const { b, clock, waits } = budget(4, 10_000);
    await b.acquire(0, two('B'));
    clock.now = 1;
    await b.acquire(0, two('A'));
    await b.acquire(0, two('A'));
    clock.now = 9_000;
    expect(await b.acquire(5_000, two('A'))).toMatchObject({ ok: false, retryAfterSeconds: 2 });
    expect(waits).toEqual([]);
  });

  it('applies no share with one configured key, or without a key (calls outside a request)', async () => {
    const alone = budget(5).b;
    for (let i = 0; i < 5; i++)
      expect(await alone.acquire(0, { key: 'A', keys: 1 })).toMatchObject({ ok: true });
    const anonymous = budget(5).b;
    await anonymous.acquire(0, two('B'));
    for (let i = 0; i < 4; i++) expect(await anonymous.acquire(0)).toMatchObject({ ok: true });
  });

  it('with more keys than calls, every newcomer still gets one call while the first holds the rest', async () => {
    const { b } = budget(5);
    const ten = (key: string) => ({ key, keys: 10 });
    let a = 0;
    for (let i = 0; i < 10; i++) if ((await b.acquire(0, ten('A'))).ok) a++;
    expect(a).toBe(4);
    expect(await b.acquire(0, ten('B'))).toMatchObject({ ok: true });
  });
});
