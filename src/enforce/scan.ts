// The periodic checks that find sessions which must end (or were abandoned). Each is one SQL
// statement that is safe to run twice at once: queuing relies on the one-pending-per-session
// unique index, marking stale is idempotent.
import type pg from 'pg';

export interface ScanResult {
  /** Disconnects queued now, with why. */
  queued: Array<{ sessionId: bigint; reason: string }>;
  /** Sessions newly marked stale. */
  stale: bigint[];
}

/** After a NAK or giving up, wait this long before asking the same router again. */
const RETRY_AFTER_REFUSAL = "interval '10 minutes'";

const NOT_RECENTLY_REFUSED = `NOT EXISTS (
  SELECT 1 FROM enforcement_actions a
   WHERE a.session_id = s.id AND a.kind = 'disconnect' AND a.status IN ('nakked', 'failed')
     AND a.completed_at > $1::timestamptz - ${RETRY_AFTER_REFUSAL})`;

/**
 * Open sessions whose entitlement ran out of time, out of data, or was revoked: its state
 * (netflow_code_state, prisma/functions/code_state.sql). A code not started (no clock yet) past its
 * redeem-by is not cut here: it has no expiry, and its sessions came from no login of ours.
 */
const QUEUE_OVERDUE = `
  INSERT INTO enforcement_actions (kind, reason, session_id, router_id, requested_by, next_attempt_at, created_at)
  SELECT 'disconnect', CASE c.state WHEN 'data_exhausted' THEN 'data_cap' ELSE c.state END,
         s.id, s.router_id, 'enforcer', $1, $1
    FROM accounting_sessions s
    JOIN entitlements e ON e.id = s.entitlement_id
    JOIN packages p ON p.id = e.package_id
    CROSS JOIN LATERAL (SELECT netflow_code_state(e, p, $1) AS state) c
   WHERE s.status IN ('open', 'stale')
     AND c.state IN ('revoked', 'expired', 'data_exhausted')
     AND ${NOT_RECENTLY_REFUSED}
  ON CONFLICT (session_id, kind) WHERE status = 'pending' DO NOTHING
  RETURNING session_id, reason`;

/**
 * One device, one session: when a code has open sessions on more devices (router + MAC) than its
 * package allows, the devices that started last are cut and the event is flagged as possible
 * MAC spoofing or code sharing.
 */
const QUEUE_DUPLICATES = `
  WITH open AS (
    SELECT s.id, s.router_id, s.entitlement_id, coalesce(s.mac, s.acct_session_id) AS device, s.started_at,
           p.devices_allowed
      FROM accounting_sessions s
      JOIN entitlements e ON e.id = s.entitlement_id
      JOIN packages p ON p.id = e.package_id
     WHERE s.status = 'open'),
  devices AS (
    SELECT entitlement_id, router_id, device, min(started_at) AS first_start, min(id) AS first_id
      FROM open GROUP BY entitlement_id, router_id, device),
  ranked AS (
    SELECT *, row_number() OVER (PARTITION BY entitlement_id ORDER BY first_start, first_id) AS place FROM devices),
  extra AS (
    SELECT o.* FROM open o JOIN ranked r USING (entitlement_id, router_id, device) WHERE r.place > o.devices_allowed),
  queued AS (
    INSERT INTO enforcement_actions (kind, reason, session_id, router_id, requested_by, next_attempt_at, created_at)
    SELECT 'disconnect', 'duplicate_session', s.id, s.router_id, 'enforcer', $1, $1 FROM extra s
     WHERE ${NOT_RECENTLY_REFUSED}
    ON CONFLICT (session_id, kind) WHERE status = 'pending' DO NOTHING
    RETURNING session_id, reason),
  flagged AS (
    INSERT INTO audit_log (at, actor, action, subject, details)
    SELECT $1, 'enforcer', 'security.duplicate_session', 'entitlement ' || x.entitlement_id,
           jsonb_build_object('sessionId', x.id::text, 'entitlementId', x.entitlement_id, 'routerId', x.router_id,
                              'device', x.device, 'devicesAllowed', x.devices_allowed)
      FROM extra x JOIN queued q ON q.session_id = x.id)
  SELECT session_id, reason FROM queued`;

/** No Interim-Update for three intervals, by our clock (heard_at): the router lost the session (or us). */
const MARK_STALE = `
  UPDATE accounting_sessions s SET status = 'stale'
   WHERE s.status = 'open'
     AND coalesce(s.heard_at, s.updated_at) < $1::timestamptz - make_interval(secs => 3 * coalesce(s.interim_seconds, $2))
  RETURNING s.id`;

export async function scanSessions(pool: pg.Pool, now: Date, interimSeconds: number): Promise<ScanResult> {
  const overdue = await pool.query<{ session_id: bigint; reason: string }>(QUEUE_OVERDUE, [now]);
  const duplicates = await pool.query<{ session_id: bigint; reason: string }>(QUEUE_DUPLICATES, [now]);
  const stale = await pool.query<{ id: bigint }>(MARK_STALE, [now, interimSeconds]);
  return {
    queued: [...overdue.rows, ...duplicates.rows].map((r) => ({ sessionId: r.session_id, reason: r.reason })),
    stale: stale.rows.map((r) => r.id),
  };
}
