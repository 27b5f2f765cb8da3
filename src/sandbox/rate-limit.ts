/**
 * A sliding-window log: at most `limit` calls in any `windowMs` span, per key. A sliding window (rather
 * than fixed minutes) never lets a burst of 2 × limit through across a window edge, so a client that
 * passes against the emulator will not be surprised by the real API. Refused calls are not logged, or a
 * client that keeps retrying would never get back under the limit.
 */
export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until a call would be allowed again (≥ 1); 0 when allowed. */
  retryAfterSeconds: number;
}

export class SlidingWindowLimiter {
  private readonly log = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  take(key: string): RateLimitDecision {
    const now = this.now();
    const recent = (this.log.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.log.set(key, recent);
      const oldest = recent[0] ?? now;
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)),
      };
    }
    recent.push(now);
    this.log.set(key, recent);
    return { allowed: true, retryAfterSeconds: 0 };
  }

  /**
   * Where `key` stands without taking a call: the calls left in the window, and whole seconds until the
   * oldest logged call leaves it (when one more call becomes available), 0 when nothing is logged.
   */
  peek(key: string): { remaining: number; resetSeconds: number } {
    const now = this.now();
    const recent = (this.log.get(key) ?? []).filter((at) => at > now - this.windowMs);
    const oldest = recent[0];
    return {
      remaining: Math.max(0, this.limit - recent.length),
      resetSeconds: oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)),
    };
  }
}
