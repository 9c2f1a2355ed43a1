// The devices (MAC addresses) that used the most data in the range. A session that began before
// the range or runs past it counts with the part of its data that falls inside (in proportion to
// its time inside, as in sessions-per-router).
import { defineReport } from './definition.js';
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
                   THEN greatest(extract(epoch FROM least(s.ended_at, $2::timestamptz) - greatest(s.started_at, $1::timestamptz)), 0)
                        / extract(epoch FROM s.ended_at - s.started_at)
                   ELSE 1 END AS share
    FROM s WHERE s.mac IS NOT NULL
), devices AS (
  SELECT mac, count(*)::int AS sessions, array_agg(DISTINCT router_id) AS router_ids,
         round(sum(bytes_up * share)) AS up, round(sum(bytes_down * share)) AS down, max(least(ended_at, $2::timestamptz)) AS last_seen
    FROM shared GROUP BY mac
)
SELECT (row_number() OVER (ORDER BY d.up + d.down DESC, d.mac))::int AS rank, d.mac, d.sessions,
       (SELECT string_agg(r.name, ', ' ORDER BY r.name) FROM routers r WHERE r.id = ANY (d.router_ids)) AS routers,
       d.up::float8 AS "bytesUp", d.down::float8 AS "bytesDown", (d.up + d.down)::float8 AS "bytesTotal", d.last_seen AS "lastSeenAt"
  FROM devices d
 ORDER BY d.up + d.down DESC, d.mac
 LIMIT $5`;

export const topDevices = defineReport<TopDeviceRow>({
  name: 'top-devices',
  title: 'Top devices by data used',
  description: 'The devices (MAC addresses) that used the most data (up + down) in the range, with their sessions and routers.',
  options: ['limit'],
  columns: ['rank', 'mac', 'sessions', 'routers', 'bytesUp', 'bytesDown', 'bytesTotal', 'lastSeenAt'],
  run: async (pool, p) => (await pool.query(SQL, [...sessionParams(p), p.limit])).rows as TopDeviceRow[],
});
