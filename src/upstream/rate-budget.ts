/**
 * A client-side call budget that keeps mailgraph under a provider's rate limit instead of tripping it.
 * A sliding window log: a scope may start at most `calls` calls in any `windowMs`. Sliding is at least as
 * strict as any fixed-window count the provider may keep, so staying inside it never trips theirs.
 *
 * The window is shared by every client key of mailgraph, so each call says which key it is for (its
 * `Claimant`) and no key may starve the others (docs/decisions.md, "Fair shares"):
 * - with N configured keys, each is guaranteed `g = max(1, floor(limit / N))` calls per window;
 * - while other keys have asked within the window, a key may hold at most
 *   `max(g, ceil(limit / active keys))`;
 * - while some configured key has not asked, a key already holding `g` may not take the last `g` calls:
 *   they are kept for that key, which then gets its share at once.
 * A key refused for its share is refused at once (it does not wait), with the time its share frees.
 */

export interface BudgetLimit {
  /** Calls allowed per window; 0 = unlimited (only a provider 429 will block). */
  calls: number;
  windowMs: number;
}

/** Where a budget stands now, for clients that pace themselves (`Query.rateLimits`). */
export interface BudgetStatus {
  /** Calls allowed per window; null when mailgraph keeps no budget (only the provider's 429 limits). */
  limit: number | null;
  windowMs: number;
  /** Calls started (or reserved by waiters) within the window ending now. */
  used: number;
  /** Calls that may start now without waiting; null when there is no budget. */
  remaining: number | null;
  /** When a call may start next (now, when one may start at once). */
  nextCallAt: number;
  /** When every call in the window will have left it, i.e. the whole budget is back. */
  resetAt: number;
  /** The budget's clock when this was read. */
  now: number;
}

/** Who a call is for: the client key of the request, and how many client keys there are. */
export interface Claimant {
  /** The client key's principal (`key:0`…), never the key itself. */
  key: string;
  /** The configured client keys; shares apply only when there is more than one. */
  keys: number;
}

/** Why a key was refused although the budget may have had calls left. */
export interface FairShare {
  /** Calls this key may hold in the window while `activeKeys` keys use the budget. */
  share: number;
  /** Keys that asked within the window, this one included. */
  activeKeys: number;
}

export type BudgetDecision =
  | { ok: true; waitedMs: number }
  | { ok: false; retryAfterSeconds: number; fairShare?: FairShare };

/**
 * A budget of calls, as the provider core uses it: `RateBudget` in one process, `RedisCallBudget`
 * (redis-budget.ts) shared by every instance through Redis. Both keep the same rules, so one test suite
 * holds both (test/upstream/rate-budget.test.ts).
 */
export interface CallBudget {
  /** Without a claimant (a call made outside any request), no share applies. */
  acquire(deadlineMs: number, claimant?: Claimant): Promise<BudgetDecision>;
  /** Fire and forget: a shared store applies it in order with the calls that follow on its connection. */
  penalize(retryAfterSeconds: number): void;
  /** Async because a shared store has to ask Redis. */
  status(): Promise<BudgetStatus>;
}

/** One budget per credential scope. */
export interface BudgetStore {
  forScope(scope: string, limit: BudgetLimit): CallBudget;
}

export interface RateBudgetOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Grant {
  at: number;
  key: string | null;
}

export class RateBudget implements CallBudget {
  /** Granted calls by start time, ascending; a waiter's reserved slot may lie in the future. */
  private readonly grants: Grant[] = [];
  /** When each client key last asked (granted or refused), for the keys active within the window. */
  private readonly asked = new Map<string, number>();
  private blockedUntil = 0;

  constructor(
    private readonly limit: BudgetLimit,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /**
   * Takes a slot now, or waits for the next one when it frees within `deadlineMs`; otherwise takes nothing
   * and says how long until a slot frees. The slot is reserved before waiting, so concurrent waiters
   * queue for distinct slots rather than racing for the same one.
   */
  async acquire(deadlineMs: number, claimant?: Claimant): Promise<BudgetDecision> {
    const now = this.now();
    const at = this.nextSlot(now);
    const share = this.shareOf(claimant, now);
    // Waiting for one's own share would reserve a slot out of order; the key is told when to come back.
    if (share !== undefined && share.freeAt > at) {
      const { freeAt, ...fairShare } = share;
      return { ok: false, retryAfterSeconds: seconds(freeAt - now), fairShare };
    }
    const waitMs = at - now;
    if (waitMs > deadlineMs) return { ok: false, retryAfterSeconds: seconds(waitMs) };
    if (this.limit.calls > 0) this.grants.push({ at, key: claimant?.key ?? null });
    if (waitMs > 0) await this.sleep(waitMs);
    return { ok: true, waitedMs: waitMs };
  }

  async status(): Promise<BudgetStatus> {
    const now = this.now();
    const { calls, windowMs } = this.limit;
    this.prune(now);
    const nextCallAt = this.nextSlot(now);
    const blocked = this.blockedUntil > now;
    const last = this.grants[this.grants.length - 1]?.at;
    return {
      limit: calls > 0 ? calls : null,
      windowMs,
      used: this.grants.length,
      remaining: calls > 0 ? (blocked ? 0 : Math.max(0, calls - this.grants.length)) : null,
      nextCallAt,
      resetAt: Math.max(last === undefined ? now : last + windowMs, this.blockedUntil, now),
      now,
    };
  }

  /** The provider said 429 anyway (another client on the same account, clock skew): stop until it allows. */
  penalize(retryAfterSeconds: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + retryAfterSeconds * 1000);
  }

  private prune(now: number): void {
    const since = now - this.limit.windowMs;
    while (this.grants.length > 0 && (this.grants[0]?.at ?? 0) <= since) this.grants.shift();
  }

  /**
   * Records that `claimant` asked, and works out its share (see the file comment): when the key may take a
   * call as far as its share goes (now, when it is under its share). Undefined when no share applies.
   */
  private shareOf(claimant: Claimant | undefined, now: number): (FairShare & { freeAt: number }) | undefined {
    const { calls, windowMs } = this.limit;
    if (claimant === undefined || claimant.keys <= 1 || calls <= 0) return undefined;
    this.asked.set(claimant.key, now);
    for (const [key, at] of this.asked) if (at <= now - windowMs) this.asked.delete(key);
    this.prune(now);
    const activeKeys = this.asked.size;
    const keys = Math.max(claimant.keys, activeKeys);
    const guaranteed = Math.max(1, Math.floor(calls / keys));
    const share = Math.max(guaranteed, Math.ceil(calls / activeKeys));
    const reserve = activeKeys < keys ? guaranteed : 0;
    const own = this.grants.filter((grant) => grant.key === claimant.key);
    const held = own.length;
    const used = this.grants.length;
    let freeAt = now;
    // Over its share: until enough of its own calls have left the window.
    if (held >= share) freeAt = Math.max(freeAt, (own[held - share]?.at ?? now) + windowMs);
    // Into the reserve for keys not seen yet: until it is back under its guarantee, or the reserve is free.
    if (reserve > 0 && held >= guaranteed && used + 1 > calls - reserve) {
      const ownBack = (own[held - guaranteed]?.at ?? now) + windowMs;
      const reserveFree = (this.grants[used - (calls - reserve)]?.at ?? now) + windowMs;
      freeAt = Math.max(freeAt, Math.min(ownBack, reserveFree));
    }
    return { share: reserve > 0 ? Math.min(share, calls - reserve) : share, activeKeys, freeAt };
  }

  private nextSlot(now: number): number {
    const { calls, windowMs } = this.limit;
    let at = Math.max(now, this.blockedUntil);
    if (calls > 0) {
      this.prune(now);
      // With `calls` grants already in the window ending at `at`, the next one may start once the
      // `calls`-th most recent grant has left the window.
      const limiting = this.grants[this.grants.length - calls];
      if (limiting !== undefined) at = Math.max(at, limiting.at + windowMs);
    }
    return at;
  }
}

/** Whole seconds to wait, at least 1: what a refusal's `retryAfterSeconds` says. */
export function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** One budget per credential scope, created on first use. */
export class RateBudgets implements BudgetStore {
  private readonly budgets = new Map<string, RateBudget>();
  readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RateBudgetOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  forScope(scope: string, limit: BudgetLimit): RateBudget {
    let budget = this.budgets.get(scope);
    if (budget === undefined) {
      budget = new RateBudget(limit, this.now, this.sleep);
      this.budgets.set(scope, budget);
    }
    return budget;
  }
}
