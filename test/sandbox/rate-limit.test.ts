import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../../src/sandbox/rate-limit.js';
import { CM, cm, fakeClock, sandbox, send } from './helpers.js';

describe('SlidingWindowLimiter', () => {
  it('allows `limit` calls in any window and reports when the oldest leaves it', () => {
    const clock = fakeClock(0);
    const limiter = new SlidingWindowLimiter(2, 60_000, clock.now);
    expect(limiter.take('a').allowed).toBe(true);
    clock.advance(30_000);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.take('b').allowed).toBe(true);
    clock.advance(29_500);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(500);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });
});

describe('CloudMailin rate limit (5 calls per minute)', () => {
  it('answers the 6th call with 429 and Retry-After, and recovers after the window', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ rateLimits: true, now: clock.now });
    for (let i = 0; i < 5; i++) expect((await cm(sb, 'GET', '/addresses')).status).toBe(200);
    const limited = await cm(sb, 'GET', '/sending_domains');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ status: 429, error: 'Too Many Requests' });
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(sb.calls.map((c) => c.status)).toEqual([200, 200, 200, 200, 200, 429]);

    clock.advance(59_000);
    const stillLimited = await cm(sb, 'GET', '/addresses');
    expect(stillLimited.status).toBe(429);
    expect(stillLimited.headers.get('retry-after')).toBe('1');
    clock.advance(1_000);
    expect((await cm(sb, 'GET', '/addresses')).status).toBe(200);
  });

  it('does not count POST /messages, nor calls refused for their credentials', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ rateLimits: true, now: clock.now });
    for (let i = 0; i < 8; i++) {
      expect((await send(sb, { from: 'a@example.com', to: 'b@example.com', plain: 'x' })).status).toBe(202);
    }
    for (let i = 0; i < 8; i++)
      expect((await cm(sb, 'GET', '/addresses', { token: 'wrong' })).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await cm(sb, 'GET', '/addresses')).status).toBe(200);
    expect((await cm(sb, 'GET', '/addresses')).status).toBe(429);
    // With the management budget spent, sending still works.
    expect((await send(sb, { from: 'a@example.com', to: 'b@example.com', plain: 'x' })).status).toBe(202);
  });

  it('counts outbound message reads and authenticated 404s, and honours a custom limit', async () => {
    const clock = fakeClock();
    const sb = await sandbox({ rateLimits: true, cloudmailinRatePerMinute: 2, now: clock.now });
    expect((await cm(sb, 'GET', `/outbound_messages?outbound_account_id=${CM.smtpUsername}`)).status).toBe(
      200,
    );
    expect((await cm(sb, 'GET', '/addresses/ffffffffffffffffffff')).status).toBe(404);
    expect((await cm(sb, 'GET', '/addresses')).status).toBe(429);
  });

  it('is off when rateLimits is false', async () => {
    const sb = await sandbox({ rateLimits: false });
    for (let i = 0; i < 12; i++) expect((await cm(sb, 'GET', '/addresses')).status).toBe(200);
  });
});
