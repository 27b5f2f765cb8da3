/** Properties that must hold for every input, not just the examples. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePathSegment } from '../../src/upstream/http.js';
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from '../../src/upstream/retry-after.js';

const MAX = MAX_RETRY_AFTER_SECONDS.CLOUDFLARE;
const clamp = (n: number) => Math.min(Math.max(n, 1), MAX);

describe('path segment encoding', () => {
  const segment = fc
    .oneof(fc.string(), fc.fullUnicodeString(), fc.constantFrom('..', '.', '../..', '%2e%2e', 'a/b?c#d', '/'))
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    // A lone surrogate cannot be encoded at all (and is refused, tested elsewhere).
    .filter((s) => {
      try {
        encodeURIComponent(s);
        return true;
      } catch {
        return false;
      }
    });

  it('any id stays exactly one segment that a URL parser leaves alone and decodes back', () => {
    fc.assert(
      fc.property(segment, (id) => {
        const encoded = encodePathSegment(id);
        expect(encoded).not.toMatch(/[/?#]/);
        const path = `/api/v0.1/acct/addresses/${encoded}`;
        const url = new URL(path, 'https://cloudmailin.test');
        expect(url.pathname).toBe(path);
        expect(url.search).toBe('');
        const segments = url.pathname.split('/');
        expect(segments).toHaveLength(6);
        expect(segments[5]).toBe(encoded);
        expect(decodeURIComponent(encoded)).toBe(id);
      }),
      { numRuns: 500 },
    );
  });
});

describe('Retry-After parsing', () => {
  const now = 1_700_000_000_000;

  it('reads delay-seconds, clamped to [1, the cap]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), now, MAX)).toBe(clamp(seconds));
      }),
    );
  });

  it('reads an HTTP-date relative to now, clamped the same way', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (offset) => {
        const date = new Date(now + offset * 1000).toUTCString();
        expect(parseRetryAfter(date, now, MAX)).toBe(clamp(offset));
      }),
    );
  });

  it('returns null for anything else instead of guessing', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\s*\d/.test(s) && !/^\s*(mon|tue|wed|thu|fri|sat|sun)/i.test(s)),
        (text) => {
          expect(parseRetryAfter(text, now, MAX)).toBeNull();
        },
      ),
    );
    expect(parseRetryAfter(undefined, now, MAX)).toBeNull();
    expect(parseRetryAfter('-5', now, MAX)).toBeNull();
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 7), MAX)).toBe(30);
  });
});
