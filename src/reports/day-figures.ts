// The per-day SQL of sessions-per-router and peak-concurrency, over any range of whole days: run
// directly for the days not rolled up, and to compute the rollups of settled days (rollups.ts).
// A day's figures do not depend on the range around it (a session's share of a day is its time in
// that day over its whole duration; the concurrency sweep starts each day from the sessions still
// running at its midnight), so a range is the union of its days, rolled up or not.
// Parameters: $1 lo, $2 hi (timestamptz, half-open, at midnights in $5), $3 router ids (int[], null:
// all), $4 now, $5 tz.
import { SESSIONS_IN_RANGE } from './sessions-in-range.js';

// date_part (float8), not extract (numeric): the shares are arithmetic on every row.
// Each session × the days (in tz, within the range) it overlaps, with the part of it in that day.
export const SESSIONS_PER_DAY_SQL = `WITH ${SESSIONS_IN_RANGE}, parts AS (
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

// Peak concurrency: see peak-concurrency.ts for the sweep.
export const PEAK_CONCURRENCY_SQL = `WITH ${SESSIONS_IN_RANGE}, days AS (
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
