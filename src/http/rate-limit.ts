// The captive portal's rate limits: fixed windows counted in PostgreSQL, so that every NetFlow
// instance on one database shares them, with a bounded in-memory cache of the keys that are over
// their limit, so that a flood against a refused key costs no database work at all.
//
// Why not @fastify/rate-limit: its stores are in-process (toad-cache) or Redis, and NetFlow's only
// shared service is PostgreSQL, so the store — the substance — would be ours either way; its hook
// counts every request (refused ones too) with one key per hook, while the portal counts keys in an
// order (the router + address before the phone number, so that rotating phone numbers cannot
// create rows faster than the address's own limit allows) and refuses from memory once over.
// Measured (bench/http-flood.ts, 2 cores, floods of 16 connections): of ~20,000–30,000 requests per
// 8 s flood, 300 reach the database (the limit) and every refusal after the first is answered from
// memory (e.g. 22,590 of 22,593), whether the flood keeps or rotates its `mac`; RADIUS authorization
// during the rotating-mac flood stays within noise of the fixed-mac one (ratio 0.75–2.0 over runs
// on a shared machine), where the per-mac in-memory limiter fell to 0.43 of it. A query per flood
// request (3,000–5,000 req/s) would instead have loaded the PostgreSQL RADIUS authorizes against.
// Per-call cost does not grow with the keys seen (test/http/rate-limit.test.ts: 4,000 calls after
// 40,000 keys cost what the first 4,000 did; the old limiter took 2.8 s instead of 6 ms).
//
// Bounded whatever the number of keys: the cache holds at most `cacheSize` keys (an LRU; a key it
// forgot is asked of the database again, which still says "over"), and the table holds one row
// per key seen in the last window (rows past their window are deleted every minute), keyed only
// by what a guest cannot rotate for free (src/http/portal-routes.ts).
import { LRUCache } from 'lru-cache';
import type pg from 'pg';

export interface Limit {
  /** Tries allowed per window. */
  limit: number;
  windowMs: number;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Where the counts live. */
export interface CounterStore {
  /**
   * Counts one try for `key` unless it is already at its limit in the current window.
   * remainingMs: time left in the key's window.
   */
  hit(key: string, limit: Limit): Promise<{ counted: boolean; remainingMs: number }>;
  /** Deletes keys whose window has ended; returns how many. */
  sweep(): Promise<number>;
}

/** The counts in portal_rate_limits, by the database's clock (the same for every instance). */
export function pgCounterStore(pool: pg.Pool): CounterStore {
  return {
    async hit(key, { limit, windowMs }) {
      // One statement: the upsert counts the try (or starts a new window) only while under the
      // limit (the row lock makes check and count atomic across instances); when it does not, the
      // second branch reads the unchanged row for Retry-After.
      const { rows } = await pool.query<{ counted: boolean; remaining_ms: number }>(
        `WITH hit AS (
           INSERT INTO portal_rate_limits AS r (key, count, window_end)
           VALUES ($1, 1, now() + $2::int * interval '1 millisecond')
           ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN r.window_end <= now() THEN 1 ELSE r.count + 1 END,
             window_end = CASE WHEN r.window_end <= now() THEN EXCLUDED.window_end ELSE r.window_end END
           WHERE r.window_end <= now() OR r.count < $3::int
           RETURNING window_end
         )
         SELECT true AS counted, extract(epoch FROM window_end - now()) * 1000 AS remaining_ms FROM hit
         UNION ALL
         SELECT false, extract(epoch FROM window_end - now()) * 1000 FROM portal_rate_limits WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM hit)`,
        [key, windowMs, limit],
      );
      const row = rows[0];
      return row ? { counted: row.counted, remainingMs: Number(row.remaining_ms) } : { counted: true, remainingMs: windowMs };
    },
    async sweep() {
      return (await pool.query('DELETE FROM portal_rate_limits WHERE window_end < now()')).rowCount ?? 0;
    },
  };
}

export interface RateLimiterStats {
  /** Keys known (in this instance's memory) to be over their limit. */
  cached_keys: number;
  cached_keys_cap: number;
  allowed_total: number;
  refused_total: number;
  /** Refusals answered from memory, without a query. */
  refused_from_cache_total: number;
}

export class RateLimiter {
  /** key → when its window ends (ms, this process's clock). */
  private readonly blocked: LRUCache<string, number>;
  private readonly counters = { allowed: 0, refused: 0, refusedFromCache: 0 };
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: CounterStore,
    private readonly options: { cacheSize?: number; now?: () => number; onError?: (err: Error) => void } = {},
  ) {
    this.blocked = new LRUCache({ max: options.cacheSize ?? 10_000 });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Counts one try for each key in turn; refused at the first key over its limit (later keys are
   * then neither counted nor created).
   */
  async take(...keys: Array<[key: string, limit: Limit]>): Promise<Verdict> {
    for (const [key, limit] of keys) {
      const until = this.blocked.get(key);
      const t = this.now();
      if (until !== undefined) {
        if (until > t) {
          this.counters.refused++;
          this.counters.refusedFromCache++;
          return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((until - t) / 1000)) };
        }
        this.blocked.delete(key);
      }
      const { counted, remainingMs } = await this.store.hit(key, limit);
      if (!counted) {
        this.blocked.set(key, t + remainingMs);
        this.counters.refused++;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
      }
    }
    this.counters.allowed++;
    return { ok: true };
  }

  /** Deletes ended windows every `everyMs` (each instance does; a DELETE of nothing is cheap). */
  startSweeping(everyMs = 60_000): void {
    this.sweeper = setInterval(() => {
      this.store.sweep().catch((err: Error) => this.options.onError?.(err));
    }, everyMs);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  stats(): RateLimiterStats {
    return {
      cached_keys: this.blocked.size,
      cached_keys_cap: this.blocked.max,
      allowed_total: this.counters.allowed,
      refused_total: this.counters.refused,
      refused_from_cache_total: this.counters.refusedFromCache,
    };
  }
}
