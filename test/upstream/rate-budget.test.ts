/**
 * One suite for both budget stores: `RateBudgets` (one process) and `RedisBudgets` (shared by every
 * instance through a real Redis at TEST_REDIS_URL, each test under its own key prefix). Each test brings
 * its own clock; the clock does not move while a caller sleeps, so concurrent callers see each other's
 * reservations.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { BudgetLimit, BudgetStore, CallBudget } from '../../src/upstream/rate-budget.js';
import { RateBudgets } from '../../src/upstream/rate-budget.js';
import { RedisBudgets } from '../../src/upstream/redis-budget.js';
import { dropPrefixes, testPrefix, testRedis } from '../helpers/redis.js';

type StoreFactory = (options: { now: () => number; sleep: (ms: number) => Promise<void> }) => BudgetStore;

const redis = testRedis();
const prefixes: string[] = [];
const clients = [redis];
afterAll(async () => {
  await dropPrefixes(prefixes);
  for (const client of clients) await client.quit();
});

const stores: Array<[string, StoreFactory]> = [
  ['RateBudgets (memory)', (options) => new RateBudgets(options)],
  [
    'RedisBudgets',
    (options) => {
      const prefix = testPrefix();
      prefixes.push(prefix);
      return new RedisBudgets({ client: redis, prefix, ...options });
    },
  ],
];

describe.each(stores)('%s', (_name, makeStore) => {
  function budget(
    calls: number,
    windowMs = 60_000,
  ): { b: CallBudget; clock: { now: number }; waits: number[] } {
    const clock = { now: 0 };
    const waits: number[] = [];
    const b = makeStore({ now: () => clock.now, sleep: async (ms) => void waits.push(ms) }).forScope(
      'scope',
      {
        calls,
        windowMs,
      } satisfies BudgetLimit,
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

  describe('status', () => {
    it('says what is used and left, when the next call may start and when the whole budget is back', async () => {
      const { b, clock } = budget(2, 10_000);
      expect(await b.status()).toEqual({
        limit: 2,
        windowMs: 10_000,
        used: 0,
        remaining: 2,
        nextCallAt: 0,
        resetAt: 0,
        now: 0,
      });
      await b.acquire(0);
      clock.now = 1_000;
      await b.acquire(0);
      clock.now = 2_000;
      expect(await b.status()).toEqual({
        limit: 2,
        windowMs: 10_000,
        used: 2,
        remaining: 0,
        nextCallAt: 10_000,
        resetAt: 11_000,
        now: 2_000,
      });
      b.penalize(30);
      expect(await b.status()).toMatchObject({ remaining: 0, nextCallAt: 32_000, resetAt: 32_000 });
      clock.now = 40_000;
      expect(await b.status()).toMatchObject({ used: 0, remaining: 2, nextCallAt: 40_000 });
    });

    it('an unlimited budget reports no limit', async () => {
      const { b } = budget(0);
      await b.acquire(0);
      expect(await b.status()).toMatchObject({ limit: null, used: 0, remaining: null });
    });
  });

  describe('RateBudgets', () => {
    it('keeps one budget per scope', async () => {
      const budgets = makeStore({ now: () => 0, sleep: async () => {} });
      const a = budgets.forScope('a', { calls: 1, windowMs: 1_000 });
      expect(budgets.forScope('a', { calls: 1, windowMs: 1_000 })).toBe(a);
      await a.acquire(0);
      expect(await a.acquire(0)).toMatchObject({ ok: false });
      expect(await budgets.forScope('b', { calls: 1, windowMs: 1_000 }).acquire(0)).toMatchObject({
        ok: true,
      });
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
      expect((await b.status()).used).toBe(6);
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
});

describe('RedisBudgets across instances', () => {
  /** An instance of mailgraph: its own connection, the deployment's prefix. */
  function instance(prefix: string, clock: { now: number }) {
    const client = testRedis();
    clients.push(client);
    return new RedisBudgets({ client, prefix, now: () => clock.now, sleep: async () => {} });
  }

  it('two instances share one window, and the fair shares of the keys they serve', async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const clock = { now: 0 };
    const limit = { calls: 5, windowMs: 60_000 };
    const one = instance(prefix, clock).forScope('account', limit);
    const two = instance(prefix, clock).forScope('account', limit);
    const keyOf = (key: string) => ({ key, keys: 2 });
    let a = 0;
    // Key A asks both instances in turn: together they grant it what one would (all but B's share).
    for (let i = 0; i < 6; i++) if ((await (i % 2 ? one : two).acquire(0, keyOf('A'))).ok) a++;
    expect(a).toBe(3);
    expect(await one.acquire(0, keyOf('B'))).toMatchObject({ ok: true });
    expect(await two.acquire(0, keyOf('B'))).toMatchObject({ ok: true });
    expect(await one.acquire(0, keyOf('B'))).toMatchObject({ ok: false });
    expect(await one.status()).toMatchObject({ used: 5, remaining: 0 });
    expect(await two.status()).toMatchObject({ used: 5, remaining: 0 });
  });

  it("a 429 seen by one instance blocks the other's calls too", async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const clock = { now: 0 };
    const limit = { calls: 0, windowMs: 0 };
    const one = instance(prefix, clock).forScope('sends', limit);
    const two = instance(prefix, clock).forScope('sends', limit);
    one.penalize(20);
    // Commands run in order per connection: once this answers, the penalty is in Redis.
    await one.status();
    expect(await two.acquire(0)).toEqual({ ok: false, retryAfterSeconds: 20 });
  });

  it("keeps time by Redis's clock when no clock is given", async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const budgets = new RedisBudgets({ client: redis, prefix, sleep: async () => {} });
    const b = budgets.forScope('account', { calls: 2, windowMs: 60_000 });
    expect(await b.acquire(0)).toEqual({ ok: true, waitedMs: 0 });
    expect(await b.acquire(0)).toEqual({ ok: true, waitedMs: 0 });
    const refused = await b.acquire(0);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? 0 : refused.retryAfterSeconds).toBeGreaterThanOrEqual(50);
    const status = await b.status();
    expect(status).toMatchObject({ used: 2, remaining: 0 });
    const [seconds] = await redis.time();
    expect(Math.abs(status.now - Number(seconds) * 1000)).toBeLessThan(5_000);
  });
});
