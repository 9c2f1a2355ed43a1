// The portal's rate limiter: its cost per request and its memory do not grow with the number of
// keys (a flood of made-up keys once made every request scan them all, on the event loop RADIUS
// shared), and its counts live in PostgreSQL, shared by every NetFlow instance on the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { pgCounterStore, RateLimiter, type CounterStore, type Limit } from '../../src/http/rate-limit.js';
import { addressKey } from '../../src/http/portal-routes.js';
import { openTestDatabase } from '../support/db.js';

/** Counts in a Map, by a clock the test owns. */
function memoryStore(now: () => number): CounterStore & { keys(): number } {
  const rows = new Map<string, { count: number; end: number }>();
  return {
    async hit(key, { limit, windowMs }) {
      const t = now();
      let r = rows.get(key);
      if (!r || r.end <= t) rows.set(key, (r = { count: 0, end: t + windowMs }));
      if (r.count >= limit) return { counted: false, remainingMs: r.end - t };
      r.count++;
      return { counted: true, remainingMs: r.end - t };
    },
    async sweep() {
      return 0;
    },
    keys: () => rows.size,
  };
}

const FIVE: Limit = { limit: 5, windowMs: 600_000 };

describe('rate limiter (memory)', () => {
  it('costs the same per call with 40,000 keys seen as with a few', async () => {
    const limiter = new RateLimiter(memoryStore(Date.now));
    const batch = async (from: number) => {
      const t0 = process.hrtime.bigint();
      for (let i = from; i < from + 4000; i++) await limiter.take([`k${i}`, FIVE]);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    await batch(-8000); // warm-up (JIT)
    const first = await batch(0);
    for (let i = 4000; i < 40_000; i += 4000) await batch(i);
    const late = await batch(40_000);
    // Scanning every key on every call made this batch hundreds of times slower than the first.
    expect(late).toBeLessThan(first * 4 + 20);
  });

  it('keeps at most its cap of refused keys in memory, whatever the number of keys, and still refuses a forgotten one', async () => {
    let t = 1_000_000;
    const store = memoryStore(() => t);
    const limiter = new RateLimiter(store, { cacheSize: 500, now: () => t });
    const one: Limit = { limit: 1, windowMs: 60_000 };
    for (let i = 0; i < 5000; i++) {
      expect((await limiter.take([`k${i}`, one])).ok).toBe(true);
      expect((await limiter.take([`k${i}`, one])).ok).toBe(false);
    }
    expect(limiter.stats().cached_keys).toBe(500);
    // k0 left the cache long ago: the store still says no.
    expect(await limiter.take([`k0`, one])).toEqual({ ok: false, retryAfterSeconds: 60 });
    t += 60_000;
    expect((await limiter.take([`k0`, one])).ok).toBe(true);
  });

  it('a refused key is answered from memory, without asking the store again, until its window ends', async () => {
    let t = 0;
    const store = memoryStore(() => t);
    let asked = 0;
    const counting: CounterStore = { hit: (k, l) => (asked++, store.hit(k, l)), sweep: store.sweep };
    const limiter = new RateLimiter(counting, { now: () => t });
    for (let i = 0; i < 5; i++) expect((await limiter.take(['a', FIVE])).ok).toBe(true);
    expect(await limiter.take(['a', FIVE])).toEqual({ ok: false, retryAfterSeconds: 600 });
    const before = asked;
    t += 300_000;
    for (let i = 0; i < 1000; i++) expect((await limiter.take(['a', FIVE])).ok).toBe(false);
    expect(asked).toBe(before);
    expect(limiter.stats()).toMatchObject({ refused_total: 1001, refused_from_cache_total: 1000, allowed_total: 5 });
    t += 300_000;
    expect((await limiter.take(['a', FIVE])).ok).toBe(true);
  });

  it('keys after the first refused one are neither counted nor created', async () => {
    const store = memoryStore(Date.now);
    const limiter = new RateLimiter(store);
    const one: Limit = { limit: 1, windowMs: 60_000 };
    expect((await limiter.take(['address', one], ['phone:1', FIVE])).ok).toBe(true);
    for (let i = 2; i < 100; i++) expect((await limiter.take(['address', one], [`phone:${i}`, FIVE])).ok).toBe(false);
    expect(store.keys()).toBe(2);
  });

  it('keys an address by IPv4, or by its IPv6 /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2::7')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('rate limiter (PostgreSQL)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db?.close());

  it('counts in the database: two instances share one limit, and refusals report the time left', async () => {
    const a = new RateLimiter(pgCounterStore(db.pool));
    const b = new RateLimiter(pgCounterStore(db.pool));
    const three: Limit = { limit: 3, windowMs: 120_000 };
    expect((await a.take(['shared', three])).ok).toBe(true);
    expect((await b.take(['shared', three])).ok).toBe(true);
    expect((await a.take(['shared', three])).ok).toBe(true);
    const refused = await b.take(['shared', three]);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.retryAfterSeconds).toBeGreaterThan(100);
    expect(!refused.ok && refused.retryAfterSeconds).toBeLessThanOrEqual(120);
    expect((await db.pool.query("SELECT count FROM portal_rate_limits WHERE key = 'shared'")).rows[0].count).toBe(3);
  });

  it('concurrent tries never count past the limit', async () => {
    const limiter = new RateLimiter(pgCounterStore(db.pool));
    const verdicts = await Promise.all(Array.from({ length: 40 }, () => limiter.take(['race', FIVE])));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(5);
  });

  it('a window that has ended starts again, and the sweep deletes ended windows', async () => {
    const limiter = new RateLimiter(pgCounterStore(db.pool));
    const short: Limit = { limit: 1, windowMs: 200 };
    expect((await limiter.take(['brief', short])).ok).toBe(true);
    expect((await limiter.take(['brief', short])).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect((await limiter.take(['brief', short])).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    expect(await pgCounterStore(db.pool).sweep()).toBeGreaterThanOrEqual(1);
    expect((await db.pool.query("SELECT 1 FROM portal_rate_limits WHERE key = 'brief'")).rowCount).toBe(0);
  });
});
