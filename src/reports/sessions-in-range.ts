// The accounting sessions that overlap a report's range, as a CTE named `s`: reports read session
// totals (accounting_sessions), never the raw accounting_records, which the retention job deletes.
// Three index scans, not one walk over every session that began before the range ends: sessions
// that began within it (started_at index), earlier ones that stopped within or after it (stopped_at
// index) and earlier ones still open or stale (stopped_at IS NULL, same index).
//
// Each row has ended_at: the Stop's time; for an open session, now (it is still running); for a
// stale one (the router went quiet without a Stop), the last time it was heard of.
//
// Not MATERIALIZED: PostgreSQL inlines it where a report reads it once and keeps it where it reads
// it more often (peak-concurrency).
//
// Parameters: $1 lo, $2 hi (timestamptz, half-open), $3 router ids (int[], null: all), $4 now.
const COLUMNS = `id, router_id, mac, started_at, bytes_up, bytes_down,
       coalesce(stopped_at, CASE WHEN status = 'open' THEN greatest(updated_at, $4::timestamptz) ELSE updated_at END) AS ended_at`;
const ROUTERS = `($3::int[] IS NULL OR router_id = ANY ($3::int[]))`;

export const SESSIONS_IN_RANGE = `s AS (
  SELECT ${COLUMNS} FROM accounting_sessions
   WHERE started_at >= $1::timestamptz AND started_at < $2::timestamptz AND ${ROUTERS}
  UNION ALL
  SELECT ${COLUMNS} FROM accounting_sessions
   WHERE stopped_at > $1::timestamptz AND started_at < $1::timestamptz AND ${ROUTERS}
  UNION ALL
  SELECT * FROM (SELECT ${COLUMNS} FROM accounting_sessions
                  WHERE stopped_at IS NULL AND started_at < $1::timestamptz AND ${ROUTERS}) still
   WHERE ended_at > $1::timestamptz
)`;

/** The parameters SESSIONS_IN_RANGE reads, in order ($1..$4). */
export function sessionParams(p: { lo: Date; hi: Date; routerIds: number[] | null; now: Date }): unknown[] {
  return [p.lo, p.hi, p.routerIds, p.now];
}
