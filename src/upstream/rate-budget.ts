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

export type BudgetDecision = { ok: true; waitedMs: number } | { ok: false; retryAfterSeconds: number };

export interface RateBudgetOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class RateBudget {
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

  /** The provider said 429 anyway (another client on the same account, clock skew): stop until it allows. */
  penalize(retryAfterSeconds: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + retryAfterSeconds * 1000);
  }

  private nextSlot(now: number): number {
    const { calls, windowMs } = this.limit;
    let at = Math.max(now, this.blockedUntil);
    if (calls > 0) {
      while (this.grants.length > 0 && (this.grants[0] ?? 0) <= now - windowMs) this.grants.shift();
      // With `calls` grants already in the window ending at `at`, the next one may start once the
      // `calls`-th most recent grant has left the window.
      const limiting = this.grants[this.grants.length - calls];
      if (limiting !== undefined) at = Math.max(at, limiting + windowMs);
    }
    return at;
  }
}

/** One budget per credential scope, created on first use. */
export class RateBudgets {
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
