// The devices (MAC addresses) that used the most data in the range. A session that began before
// the range or runs past it counts with the part of its data that falls inside (in proportion to
// its time inside, as in sessions-per-router).
import { defineReport, reportQuery } from './definition.js';
import { SESSIONS_IN_RANGE, sessionParams } from './sessions-in-range.js';

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

const SQL = `WITH ${SESSIONS_IN_RANGE}, shared AS (
  SELECT s.*, CASE WHEN s.ended_at > s.started_at
                   THEN greatest(date_part('epoch', least(s.ended_at, $2::timestamptz) - greatest(s.started_at, $1::timestamptz)), 0)
                        / date_part('epoch', s.ended_at - s.started_at)
                   ELSE 1 END AS share
    FROM s WHERE s.mac IS NOT NULL
), devices AS (
  SELECT mac, count(*)::int AS sessions, round(sum(bytes_up * share)) AS up, round(sum(bytes_down * share)) AS down,
         max(least(ended_at, $2::timestamptz)) AS last_seen
    FROM shared GROUP BY mac
), top AS (
  SELECT * FROM devices ORDER BY up + down DESC, mac LIMIT $5
), top_routers AS (
  -- The routers of the top devices only (one hash join), not a distinct list for every device.
  SELECT x.mac, string_agg(DISTINCT r.name, ', ' ORDER BY r.name) AS routers
    FROM shared x JOIN top t ON t.mac = x.mac JOIN routers r ON r.id = x.router_id GROUP BY x.mac
)
SELECT (row_number() OVER (ORDER BY t.up + t.down DESC, t.mac))::int AS rank, t.mac, t.sessions, tr.routers,
       t.up::float8 AS "bytesUp", t.down::float8 AS "bytesDown", (t.up + t.down)::float8 AS "bytesTotal", t.last_seen AS "lastSeenAt"
  FROM top t JOIN top_routers tr ON tr.mac = t.mac
 ORDER BY t.up + t.down DESC, t.mac`;

export const topDevices = defineReport<TopDeviceRow>({
  name: 'top-devices',
  title: 'Top devices by data used',
  description: 'The devices (MAC addresses) that used the most data (up + down) in the range, with their sessions and routers.',
  options: ['limit'],
  columns: ['rank', 'mac', 'sessions', 'routers', 'bytesUp', 'bytesDown', 'bytesTotal', 'lastSeenAt'],
  run: (pool, p) => reportQuery<TopDeviceRow>(pool, SQL, [...sessionParams(p), p.limit]),
});
