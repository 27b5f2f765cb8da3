/**
 * A client-side call budget that keeps mailgraph under a provider's rate limit instead of tripping it.
 * A sliding window log: a scope may start at most `calls` calls in any `windowMs`. Sliding is at least as
 * strict as any fixed-window count the provider may keep, so staying inside it never trips theirs.
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

export type BudgetDecision = { ok: true; waitedMs: number } | { ok: false; retryAfterSeconds: number };

/** A budget of calls, as the provider core uses it; a shared store (Redis) can implement it later. */
export interface CallBudget {
  acquire(deadlineMs: number): Promise<BudgetDecision>;
  penalize(retryAfterSeconds: number): void;
  status(): BudgetStatus;
}

/** One budget per credential scope. */
export interface BudgetStore {
  forScope(scope: string, limit: BudgetLimit): CallBudget;
}

export interface RateBudgetOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class RateBudget implements CallBudget {
  /** Start times of granted calls, ascending; a waiter's reserved slot may lie in the future. */
  private readonly grants: number[] = [];
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
  async acquire(deadlineMs: number): Promise<BudgetDecision> {
    const now = this.now();
    const at = this.nextSlot(now);
    const waitMs = at - now;
    if (waitMs > deadlineMs) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    if (this.limit.calls > 0) this.grants.push(at);
    if (waitMs > 0) await this.sleep(waitMs);
    return { ok: true, waitedMs: waitMs };
  }

  status(): BudgetStatus {
    const now = this.now();
    const { calls, windowMs } = this.limit;
    this.prune(now);
    const nextCallAt = this.nextSlot(now);
    const blocked = this.blockedUntil > now;
    const last = this.grants[this.grants.length - 1];
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
    while (this.grants.length > 0 && (this.grants[0] ?? 0) <= now - this.limit.windowMs) this.grants.shift();
  }

  private nextSlot(now: number): number {
    const { calls, windowMs } = this.limit;
    let at = Math.max(now, this.blockedUntil);
    if (calls > 0) {
      this.prune(now);
      // With `calls` grants already in the window ending at `at`, the next one may start once the
      // `calls`-th most recent grant has left the window.
      const limiting = this.grants[this.grants.length - calls];
      if (limiting !== undefined) at = Math.max(at, limiting + windowMs);
    }
    return at;
  }
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
