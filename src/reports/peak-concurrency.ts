// Peak concurrent users (sessions online at once) per router per day: a sweep over the sessions'
// starts (+1) and ends (−1) in time order, the running sum being the number online. A marker (0) at
// each midnight carries into the day the sessions still running from the day before, so a day's
// peak is right even when nothing starts or stops in it. At one instant ends come before the
// marker and the marker before starts: a guest who leaves as another arrives is not counted twice.
// Rows: every day of the range for each router that had a session in it (0 on a day without one).
import { defineReport, reportQuery } from './definition.js';
import { SESSIONS_IN_RANGE, sessionParams } from './sessions-in-range.js';

export interface PeakConcurrencyRow {
  day: string;
  routerId: number;
  router: string;
  peakUsers: number;
  /** When the peak was first reached that day. */
  peakAt: Date;
}

const SQL = `WITH ${SESSIONS_IN_RANGE}, days AS (
  SELECT g.local_day::date AS day, g.local_day AT TIME ZONE $5 AS day_start
    FROM generate_series(($1::timestamptz AT TIME ZONE $5), ($2::timestamptz AT TIME ZONE $5) - interval '1 day', interval '1 day') AS g(local_day)
), events AS (
  SELECT router_id, greatest(started_at, $1::timestamptz) AS at, 1 AS delta FROM s
  UNION ALL
  SELECT router_id, ended_at, -1 FROM s WHERE ended_at < $2::timestamptz
  UNION ALL
  SELECT r.router_id, d.day_start, 0 FROM (SELECT DISTINCT router_id FROM s) r CROSS JOIN days d
), running AS (
  SELECT router_id, at, sum(delta) OVER (PARTITION BY router_id ORDER BY at, delta ROWS UNBOUNDED PRECEDING) AS online
    FROM events
), daily AS (
  -- Each router's day at its highest, the earliest such moment.
  SELECT DISTINCT ON (router_id, day) day, router_id, online AS peak, at AS peak_at
    FROM (SELECT router_id, at, online, (at AT TIME ZONE $5)::date AS day FROM running) x
   ORDER BY router_id, day, online DESC, at
)
SELECT to_char(d.day, 'YYYY-MM-DD') AS day, d.router_id AS "routerId", r.name AS router, d.peak::int AS "peakUsers", d.peak_at AS "peakAt"
  FROM daily d JOIN routers r ON r.id = d.router_id
 ORDER BY d.day, r.name`;

export const peakConcurrency = defineReport<PeakConcurrencyRow>({
  name: 'peak-concurrency',
  title: 'Peak concurrent users per router per day',
  description: 'Per router and day, the most sessions online at the same time, and when that peak was first reached.',
  options: [],
  columns: ['day', 'routerId', 'router', 'peakUsers', 'peakAt'],
  run: (pool, p) => reportQuery<PeakConcurrencyRow>(pool, SQL, [...sessionParams(p), p.tz]),
});
