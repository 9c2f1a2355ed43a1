// Rollups of the session reports (sessions-per-router, peak-concurrency, top-devices), so that a
// year reads stored rows instead of every session. Kept per time zone (a day in Dar es Salaam is
// not a UTC day; distinct devices and peaks cannot be summed from smaller pieces) for UTC and the
// configured zone (reports.timezone; other zones are computed live), for settled days only: the
// day ended over an hour ago and every session that touched it is closed. A day's rows are
// computed by the reports' own SQL (day-figures.ts), so they are the same figures.
//
// Computed lazily: a report first rolls up the settled days of its range that have none (a year at
// once on the first call, in a few seconds; the daily retention job does it ahead for the
// configured zone), under an advisory lock, so that of several NetFlow instances one computes and
// the others read live meanwhile. Today, and any day an open or stale session touches, is read
// live from accounting_sessions.
//
// Out of date: a trigger on accounting_sessions (prisma/functions/report_rollups.sql) marks the
// span of a changed session dirty when it can touch a rolled-up day (a late Stop of a stale
// session, a late record of a closed one, a session created late, an operator's change). Readers
// treat a day under a pending mark as not rolled up; the next refresh deletes its rows and the
// marks, and rolls it up again.
import type pg from 'pg';
import { PEAK_CONCURRENCY_SQL, SESSIONS_PER_DAY_SQL } from './day-figures.js';
import { defaultTimeZone, MAX_DAYS, type ReportParams, resolveReportParams } from './params.js';

/** "netflow:rollups" as a 64-bit advisory lock key (another constant than the retention job's). */
export const ROLLUP_LOCK_KEY = 7_146_101_835_721_002n;

/** A day of a report's range in its time zone, and whether its rollup can be read. */
export interface RangeDay {
  day: string;
  dayStart: Date;
  dayEnd: Date;
  rolled: boolean;
  /** The latest end of the sessions (with a MAC) that began that day, when rolled up. */
  startedEndMax: Date | null;
}

const RANGE_DAYS = `SELECT to_char(g::date, 'YYYY-MM-DD') AS day, g AT TIME ZONE $3 AS "dayStart",
       (g + interval '1 day') AT TIME ZONE $3 AS "dayEnd",
       d.day IS NOT NULL AND NOT EXISTS (SELECT 1 FROM report_rollup_dirty m WHERE m.from_at <= d.day_end AND m.to_at >= d.day_start) AS rolled,
       d.started_end_max AS "startedEndMax"
  FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') AS g
  LEFT JOIN report_rollup_days d ON d.tz = $3 AND d.day = g::date
 ORDER BY g`;

export async function rangeDays(client: pg.PoolClient, p: Pick<ReportParams, 'fromDate' | 'toDate' | 'tz'>): Promise<RangeDay[]> {
  return (await client.query<RangeDay>(RANGE_DAYS, [p.fromDate, p.toDate, p.tz])).rows;
}

export interface DayRun {
  fromDate: string;
  toDate: string;
  lo: Date;
  hi: Date;
}

/** The runs of consecutive days that satisfy `pick`, each as a range (`days`: every day of a range, in order). */
export function dayRuns(days: readonly RangeDay[], pick: (d: RangeDay) => boolean): DayRun[] {
  const runs: DayRun[] = [];
  let current: DayRun | null = null;
  for (const d of days) {
    if (!pick(d)) {
      current = null;
      continue;
    }
    if (current) {
      current.toDate = d.day;
      current.hi = d.dayEnd;
    } else {
      current = { fromDate: d.day, toDate: d.day, lo: d.dayStart, hi: d.dayEnd };
      runs.push(current);
    }
  }
  return runs;
}

// Apply the pending marks: the rolled-up days (in every zone) they touch lose their rows. The days
// first (few rows), then their rows by key: a join of whole tables would be planned as scans.
const APPLY_MARKS = `WITH marks AS (
  DELETE FROM report_rollup_dirty RETURNING from_at, to_at
)
DELETE FROM report_rollup_days d USING marks m WHERE m.from_at <= d.day_end AND m.to_at >= d.day_start
RETURNING d.tz, to_char(d.day, 'YYYY-MM-DD') AS day`;
const DELETE_DAY_ROWS = (table: string) =>
  `DELETE FROM ${table} x USING unnest($1::text[], $2::date[]) AS g(tz, day) WHERE x.tz = g.tz AND x.day = g.day`;

async function applyMarks(client: pg.PoolClient): Promise<number> {
  await client.query('BEGIN');
  try {
    const gone = (await client.query<{ tz: string; day: string }>(APPLY_MARKS)).rows;
    if (gone.length > 0) {
      const keys = [gone.map((g) => g.tz), gone.map((g) => g.day)];
      await client.query(DELETE_DAY_ROWS('report_rollup_router_days'), keys);
      await client.query(DELETE_DAY_ROWS('report_rollup_devices'), keys);
    }
    await client.query('COMMIT');
    return gone.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

// The days of the range with no rollup that have settled: ended an hour or more ago (sessions that
// began in the last ten minutes do not mark anything dirty), and no open or stale session touches
// them (an open one runs until now; a stale one until it was last heard of; one that ends at the
// day's midnight is not in it, one that begins there is, as in the reports).
const DAYS_TO_ROLL_UP = `WITH days AS (
  SELECT g::date AS day, g AT TIME ZONE $3 AS day_start, (g + interval '1 day') AT TIME ZONE $3 AS day_end
    FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') AS g
), unsettled AS (
  SELECT least(started_at, updated_at) AS lo, CASE WHEN status = 'open' THEN 'infinity' ELSE greatest(started_at, updated_at) END AS hi
    FROM accounting_sessions WHERE stopped_at IS NULL AND status <> 'closed'
)
SELECT to_char(d.day, 'YYYY-MM-DD') AS day, d.day_start AS "dayStart", d.day_end AS "dayEnd", NULL AS "startedEndMax",
       -- rolled: nothing to do for the day (it has its rollup, or has not settled)
       NOT (d.day_end <= least($4::timestamptz, now()) - interval '1 hour'
            AND NOT EXISTS (SELECT 1 FROM report_rollup_days r WHERE r.tz = $3 AND r.day = d.day)
            AND NOT EXISTS (SELECT 1 FROM unsettled u WHERE u.lo < d.day_end AND (u.hi > d.day_start OR u.lo >= d.day_start))) AS rolled
  FROM days d
 ORDER BY d.day`;

// One run of settled days: the per-router figures (sessions-per-router joined with the peak), the
// closed sessions that began each day per router and device, and the days themselves.
const INSERT_ROUTER_DAYS = `INSERT INTO report_rollup_router_days (tz, day, router_id, sessions, started, devices, bytes_up, bytes_down,
                                       online_seconds, peak_users, peak_at)
SELECT $5, s.day::date, s."routerId", s.sessions, s.started, s.devices, s."bytesUp", s."bytesDown", s."onlineSeconds", p."peakUsers", p."peakAt"
  FROM (${SESSIONS_PER_DAY_SQL}) s
  JOIN (${PEAK_CONCURRENCY_SQL}) p ON p.day = s.day AND p."routerId" = s."routerId"
ON CONFLICT DO NOTHING`;

const INSERT_DEVICES = `INSERT INTO report_rollup_devices (tz, day, router_id, mac, sessions, bytes_up, bytes_down, last_ended_at)
SELECT $3, (started_at AT TIME ZONE $3)::date, router_id, mac, count(*), sum(bytes_up), sum(bytes_down), max(coalesce(stopped_at, updated_at))
  FROM accounting_sessions
 WHERE started_at >= $1 AND started_at < $2 AND mac IS NOT NULL
 GROUP BY 2, 3, 4
ON CONFLICT DO NOTHING`;

const INSERT_DAYS = `INSERT INTO report_rollup_days (tz, day, day_start, day_end, started_end_max)
SELECT $3, g::date, g AT TIME ZONE $3, (g + interval '1 day') AT TIME ZONE $3,
       (SELECT max(x.last_ended_at) FROM report_rollup_devices x WHERE x.tz = $3 AND x.day = g::date)
  FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') AS g
ON CONFLICT DO NOTHING`;

export interface RefreshResult {
  /** false: rollups are not kept for this zone (only UTC and the configured one); nothing was done. */
  rolledZone: boolean;
  /** false: another instance held the lock; nothing was done. */
  locked: boolean;
  invalidatedDays: number;
  rolledUpDays: number;
}

/**
 * Brings the rollups of a range in a time zone up to date: applies pending marks, then rolls up its
 * settled days that have none. Returns at once, doing nothing, when another instance is at it.
 */
export async function refreshRollups(
  pool: pg.Pool,
  range: Pick<ReportParams, 'fromDate' | 'toDate' | 'tz' | 'now'>,
): Promise<RefreshResult> {
  // Rollups cost rows per zone (a year: as many device rows as sessions), so a viewer asking for
  // every zone of the world must not make hundreds of copies: other zones are computed live.
  if (range.tz !== 'UTC' && range.tz !== (await defaultTimeZone(pool)))
    return { rolledZone: false, locked: false, invalidatedDays: 0, rolledUpDays: 0 };
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [ROLLUP_LOCK_KEY.toString()]);
    if (!rows[0]?.locked) return { rolledZone: true, locked: false, invalidatedDays: 0, rolledUpDays: 0 };
    try {
      const invalidatedDays = await applyMarks(client);
      let rolledUpDays = 0;
      // One snapshot for the check and the figures: a session that changes after it marks its days
      // dirty, and the next refresh rolls them up again.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      try {
        await client.query(`SET LOCAL work_mem = '64MB'`);
        await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
        const days = (await client.query<RangeDay>(DAYS_TO_ROLL_UP, [range.fromDate, range.toDate, range.tz, range.now])).rows;
        for (const run of dayRuns(days, (d) => !d.rolled)) {
          await client.query(INSERT_ROUTER_DAYS, [run.lo, run.hi, null, range.now, range.tz]);
          await client.query(INSERT_DEVICES, [run.lo, run.hi, range.tz]);
          const inserted = await client.query(INSERT_DAYS, [run.fromDate, run.toDate, range.tz]);
          rolledUpDays += inserted.rowCount ?? 0;
        }
        await client.query('COMMIT');
        // Many new rows (the first call over a long range): the planner must know, or it takes the
        // tables for empty and plans the reports' joins accordingly.
        if (rolledUpDays >= 7) await client.query('ANALYZE report_rollup_days, report_rollup_router_days, report_rollup_devices');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      return { rolledZone: true, locked: true, invalidatedDays, rolledUpDays };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ROLLUP_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}

/** Router ids in the order of their names as PostgreSQL sorts them (the reports' row order). */
export async function routerOrder(client: pg.PoolClient): Promise<Map<number, number>> {
  const { rows } = await client.query<{ id: number }>('SELECT id FROM routers ORDER BY name');
  return new Map(rows.map((r, i) => [r.id, i]));
}

/** Sorts rows by day, then router name (as the direct SQL orders them). */
export function byDayAndRouter<Row extends { day: string; routerId: number }>(rows: Row[], order: Map<number, number>): Row[] {
  return rows.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : (order.get(a.routerId) ?? 0) - (order.get(b.routerId) ?? 0)));
}

/**
 * Rolls up, ahead of the reports, the settled days of the longest range a report may ask for, in
 * the configured time zone (the daily job calls it: the dashboard then never pays the first call).
 */
export async function refreshDefaultRollups(pool: pg.Pool, now = new Date()): Promise<RefreshResult> {
  const p = await resolveReportParams(pool, {}, now);
  const from = new Date(`${p.toDate}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - (MAX_DAYS - 1));
  return refreshRollups(pool, { ...p, fromDate: from.toISOString().slice(0, 10) });
}
