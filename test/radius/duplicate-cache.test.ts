import { describe, expect, it } from 'vitest';
import { DuplicateCache } from '../../src/radius/duplicate-cache.js';

describe('duplicate cache (RFC 5080 §2.2)', () => {
  it('in flight, then answered with the same bytes, then forgotten after the window', () => {
    let now = 1_000;
    const cache = new DuplicateCache(10_000, 100, () => now);
    expect(cache.check('a').kind).toBe('new');
    expect(cache.check('a').kind).toBe('in_flight');
    cache.answered('a', Buffer.from('reply'));
    expect(cache.check('a')).toEqual({ kind: 'answered', reply: Buffer.from('reply') });
    now += 10_001;
    expect(cache.check('a').kind).toBe('new');
    expect(cache.size).toBe(1);
  });

  it('a forgotten request (not stored) is new again, and its old expiry does not drop the new entry early', () => {
    let now = 0;
    const cache = new DuplicateCache(1_000, 100, () => now);
    cache.check('x');
    cache.forget('x');
    now = 500;
    expect(cache.check('x').kind).toBe('new');
    now = 1_200; // the first insertion's expiry has passed, the second's has not
    expect(cache.check('x').kind).toBe('in_flight');
  });

  it('holds at most maxEntries, dropping the oldest first, over many rounds', () => {
    let now = 0;
    const cache = new DuplicateCache(60_000, 1_000, () => now);
    for (let i = 0; i < 20_000; i++) {
      now++;
      cache.check(`k${i}`);
      if (i % 3 === 0) cache.forget(`k${i}`);
    }
    expect(cache.size).toBeLessThanOrEqual(1_000);
    expect(cache.check('k19999').kind).toBe('in_flight');
    expect(cache.check('k1').kind).toBe('new');
  });
});
