// The devices (MAC addresses) that used the most data in the range. A session that began before
// the range or runs past it counts with the part of its data that falls inside (in proportion to
// its time inside, as in sessions-per-router).
//
// Over settled days it reads rollups (rollups.ts): per day, router and device, the closed sessions
// that began that day, whole — used when they all ended inside the range (each then counts with
// all its data, as here). The rest is read live: sessions that began before the range, and those
// that began on a day not rolled up (today, a day an open session touches, the range's last day
// when one of its sessions runs past it).
import type pg from 'pg';
import { defineReport, reportTransaction } from './definition.js';
import type { ReportParams } from './params.js';
import { dayRuns, rangeDays, refreshRollups } from './rollups.js';
import { EARLIER_SESSIONS, SESSION_COLUMNS, SESSION_ROUTERS, SESSIONS_IN_RANGE, sessionParams } from './sessions-in-range.js';

export interface TopDeviceRow {
  rank: number;
  mac: string;
  sessions: number;
  /** The routers it was seen on, by name, comma-separated. */
  routers: string;
  bytesUp: number;
  bytesDown: number;
  bytesTotal: number;
  lastSeenAt: Date;
}

const SHARED = `
  SELECT s.*, CASE WHEN s.ended_at > s.started_at
                   THEN greatest(date_part('epoch', least(s.ended_at, $2::timestamptz) - greatest(s.started_at, $1::timestamptz)), 0)
                        / date_part('epoch', s.ended_at - s.started_at)
                   ELSE 1 END AS share
    FROM s WHERE s.mac IS NOT NULL`;

/** The top devices of `devices`, with the routers each was seen on (from `routersOf`: mac, router_id). */
const top = (routersOf: string) => `top AS (
  SELECT * FROM devices ORDER BY up + down DESC, mac LIMIT $5
), top_routers AS (
  -- The routers of the top devices only, not a distinct list for every device.
  SELECT x.mac, string_agg(DISTINCT r.name, ', ' ORDER BY r.name) AS routers
    FROM (${routersOf}) x JOIN routers r ON r.id = x.router_id GROUP BY x.mac
)
SELECT (row_number() OVER (ORDER BY t.up + t.down DESC, t.mac))::int AS rank, t.mac, t.sessions, tr.routers,
       t.up::float8 AS "bytesUp", t.down::float8 AS "bytesDown", (t.up + t.down)::float8 AS "bytesTotal", t.last_seen AS "lastSeenAt"
  FROM top t JOIN top_routers tr ON tr.mac = t.mac
 ORDER BY t.up + t.down DESC, t.mac`;

const PARTS = `SELECT mac, router_id, 1 AS sessions, bytes_up * share AS up, bytes_down * share AS down, least(ended_at, $2::timestamptz) AS last_seen
    FROM shared`;

// The same figures from rollups and live sessions: $6 tz, $7 the days of the range whose rollups are
// not read (not rolled up, or not whole), $8/$9 the starts and ends of the runs of days read live,
// $10/$11 the range's first and last day. The rollup rows are read once (not kept as a CTE: a year
// is as many rows as sessions, each device being seen a few times); the routers of the top devices
// are looked up by MAC.
const ROLLED_DAYS = `tz = $6 AND day >= $10::date AND day <= $11::date AND day <> ALL ($7::date[]) AND ${SESSION_ROUTERS}`;
const SQL = `WITH s AS (
  SELECT ${SESSION_COLUMNS} FROM unnest($8::timestamptz[], $9::timestamptz[]) AS live(run_lo, run_hi)
    JOIN accounting_sessions ON started_at >= live.run_lo AND started_at < live.run_hi
   WHERE ${SESSION_ROUTERS}
  UNION ALL
  ${EARLIER_SESSIONS}
), shared AS (${SHARED}
), live_parts AS (
  ${PARTS}
), devices AS (
  SELECT mac, sum(sessions)::int AS sessions, round(sum(up)) AS up, round(sum(down)) AS down, max(last_seen) AS last_seen
    FROM (SELECT * FROM live_parts
          UNION ALL
          SELECT mac, router_id, sessions, bytes_up::float8, bytes_down::float8, last_ended_at
            FROM report_rollup_devices WHERE ${ROLLED_DAYS}) parts
   GROUP BY mac
), ${top(`SELECT mac, router_id FROM live_parts WHERE mac IN (SELECT mac FROM top)
          UNION ALL
          SELECT t.mac, d.router_id FROM top t
           CROSS JOIN LATERAL (SELECT router_id FROM report_rollup_devices WHERE mac = t.mac AND ${ROLLED_DAYS}) d`)}`;

const DIRECT_SQL = `WITH ${SESSIONS_IN_RANGE}, shared AS (${SHARED}
), parts AS (
  ${PARTS}
), devices AS (
  SELECT mac, sum(sessions)::int AS sessions, round(sum(up)) AS up, round(sum(down)) AS down, max(last_seen) AS last_seen
    FROM parts GROUP BY mac
), ${top('SELECT mac, router_id FROM parts WHERE mac IN (SELECT mac FROM top)')}`;

export const topDevices = defineReport<TopDeviceRow>({
  name: 'top-devices',
  title: 'Top devices by data used',
  description: 'The devices (MAC addresses) that used the most data (up + down) in the range, with their sessions and routers.',
  options: ['limit'],
  columns: ['rank', 'mac', 'sessions', 'routers', 'bytesUp', 'bytesDown', 'bytesTotal', 'lastSeenAt'],
  run: topDeviceRows,
});

async function topDeviceRows(pool: pg.Pool, p: ReportParams): Promise<TopDeviceRow[]> {
  await refreshRollups(pool, p);
  return reportTransaction(pool, async (client) => {
    const days = await rangeDays(client, p);
    // A day's rollup holds its sessions whole: only when they all ended inside the range.
    const whole = (d: (typeof days)[number]) => d.rolled && (d.startedEndMax === null || d.startedEndMax <= p.hi);
    const notRead = days.filter((d) => !whole(d)).map((d) => d.day);
    const live = dayRuns(days, (d) => !whole(d));
    const params = [...sessionParams(p), p.limit, p.tz, notRead, live.map((r) => r.lo), live.map((r) => r.hi), p.fromDate, p.toDate];
    return (await client.query<TopDeviceRow>(SQL, params)).rows;
  });
}

/** The report computed directly from the sessions, no rollup (the reference the tests compare with). */
export function topDevicesDirect(pool: pg.Pool, p: ReportParams): Promise<TopDeviceRow[]> {
  return reportTransaction(pool, async (client) => (await client.query<TopDeviceRow>(DIRECT_SQL, [...sessionParams(p), p.limit])).rows);
}
