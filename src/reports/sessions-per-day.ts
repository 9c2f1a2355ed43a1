// Sessions and data used per router per day. A session counts on every day it was online (a
// session across midnight counts on both days; `started` counts it on its first day only), and
// its data is shared between those days in proportion to its time in each: a session keeps only
// running totals (the raw records with their interim counters are deleted by retention), so the
// split across midnight is linear. Each session's total over all its days is exact, up to rounding.
import { defineReport, reportQuery } from './definition.js';
import { SESSIONS_IN_RANGE, sessionParams } from './sessions-in-range.js';

export interface SessionsPerDayRow {
  day: string;
  routerId: number;
  router: string;
  /** Sessions online at some time that day. */
  sessions: number;
  /** Sessions that began that day. */
  started: number;
  /** Distinct devices (MAC addresses). */
  devices: number;
  bytesUp: number;
  bytesDown: number;
  /** Session time within the day, summed. */
  onlineSeconds: number;
}

// date_part (float8), not extract (numeric): the shares are arithmetic on every row.
// Each session × the days (in tz, within the range) it overlaps, with the part of it in that day.
const SQL = `WITH ${SESSIONS_IN_RANGE}, parts AS (
  SELECT s.router_id, s.mac, s.started_at, s.bytes_up, s.bytes_down, d.day,
         d.day_start, date_part('epoch', least(s.ended_at, d.day_end) - greatest(s.started_at, d.day_start)) AS seconds,
         date_part('epoch', s.ended_at - s.started_at) AS duration
    FROM s
   CROSS JOIN LATERAL generate_series(
           date_trunc('day', greatest(s.started_at, $1::timestamptz) AT TIME ZONE $5),
           date_trunc('day', greatest(least(s.ended_at, $2::timestamptz) - interval '1 millisecond',
                                      greatest(s.started_at, $1::timestamptz)) AT TIME ZONE $5),
           interval '1 day') AS g(local_day)
   CROSS JOIN LATERAL (SELECT g.local_day::date AS day, g.local_day AT TIME ZONE $5 AS day_start,
                              (g.local_day + interval '1 day') AT TIME ZONE $5 AS day_end) d
), shared AS (
  SELECT *, CASE WHEN duration > 0 THEN greatest(seconds, 0) / duration ELSE 1 END AS share FROM parts
)
SELECT to_char(x.day, 'YYYY-MM-DD') AS day, x.router_id AS "routerId", r.name AS router, x.sessions, x.started, x.devices,
       x.bytes_up AS "bytesUp", x.bytes_down AS "bytesDown", x.online_seconds AS "onlineSeconds"
  -- Two hashed groupings (per device, then per router) rather than count(DISTINCT mac), which
  -- would sort every session-day of a long range.
  FROM (SELECT day, router_id, sum(n)::int AS sessions, sum(started)::int AS started, count(mac)::int AS devices,
               round(sum(up))::float8 AS bytes_up, round(sum(down))::float8 AS bytes_down, round(sum(seconds))::float8 AS online_seconds
          FROM (SELECT day, router_id, mac, count(*) AS n, count(*) FILTER (WHERE started_at >= day_start) AS started,
                       sum(bytes_up * share) AS up, sum(bytes_down * share) AS down, sum(greatest(seconds, 0)) AS seconds
                  FROM shared GROUP BY day, router_id, mac) per_device
         GROUP BY day, router_id) x
  JOIN routers r ON r.id = x.router_id
 ORDER BY x.day, r.name`;

export const sessionsPerDay = defineReport<SessionsPerDayRow>({
  name: 'sessions-per-router',
  title: 'Sessions and data per router per day',
  description:
    'Per router and day: sessions online, sessions started, distinct devices, data up and down and online time. ' +
    'A session across midnight counts on both days, its data shared by its time in each.',
  options: [],
  columns: ['day', 'routerId', 'router', 'sessions', 'started', 'devices', 'bytesUp', 'bytesDown', 'onlineSeconds'],
  run: (pool, p) => reportQuery<SessionsPerDayRow>(pool, SQL, [...sessionParams(p), p.tz]),
});
