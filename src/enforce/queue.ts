// The enforcement work queue (table enforcement_actions): what NetFlow owes routers, in SQL.
// Every statement takes `now` from the caller, so tests drive time instead of waiting for it.
import type pg from 'pg';

export type ActionKind = 'disconnect' | 'coa';
export type ActionReason = 'expired' | 'data_cap' | 'revoked' | 'admin' | 'package_change' | 'duplicate_session';

/** A claimed action with what is needed to address the router and name the session. */
export interface ClaimedAction {
  id: bigint;
  kind: ActionKind;
  reason: ActionReason;
  attempts: number;
  session_id: bigint;
  session_status: 'open' | 'closed' | 'stale';
  user_name: string;
  acct_session_id: string;
  mac: string | null;
  framed_ip: string | null;
  /** When the router's session began (Session-Timeout counts from here). */
  started_at: Date;
  router_id: number;
  router_name: string;
  router_ip: string;
  router_secret: string;
  coa_port: number;
  /** For CoA: the limits the session should have now. */
  rate_up: string | null;
  rate_down: string | null;
  expires_at: Date | null;
  idle_timeout: number | null;
}

/** Queues a request unless one of the same kind is already pending for the session. */
export async function enqueue(
  db: pg.Pool | pg.PoolClient,
  action: { kind: ActionKind; reason: ActionReason; sessionId: bigint; requestedBy: string; now: Date },
): Promise<bigint | null> {
  const { rows } = await db.query<{ id: bigint }>(
    `INSERT INTO enforcement_actions (kind, reason, session_id, router_id, requested_by, next_attempt_at, created_at)
     SELECT $1, $2, s.id, s.router_id, $4, $5, $5 FROM accounting_sessions s WHERE s.id = $3
     ON CONFLICT (session_id, kind) WHERE status = 'pending' DO NOTHING
     RETURNING id`,
    [action.kind, action.reason, action.sessionId, action.requestedBy, action.now],
  );
  return rows[0]?.id ?? null;
}

/**
 * Takes up to `limit` due actions for this instance. SKIP LOCKED plus a lease (locked_until) means
 * two instances never work on the same action; a crashed instance's lease simply runs out.
 */
export async function claimDue(pool: pg.Pool, instance: string, now: Date, leaseSeconds: number, limit: number): Promise<ClaimedAction[]> {
  const { rows } = await pool.query<ClaimedAction>(
    `WITH due AS (
       SELECT id FROM enforcement_actions
        WHERE status = 'pending' AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until <= $2)
        ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED),
     claimed AS (
       UPDATE enforcement_actions a SET locked_until = $2 + make_interval(secs => $3), locked_by = $1, attempts = a.attempts + 1
         FROM due WHERE a.id = due.id RETURNING a.*)
     SELECT c.id, c.kind, c.reason, c.attempts, c.session_id, s.status AS session_status, s.user_name, s.acct_session_id,
            s.mac, s.framed_ip, s.started_at, r.id AS router_id, r.name AS router_name, r.ip AS router_ip, r.secret AS router_secret,
            r.coa_port, p.rate_limit_up AS rate_up, p.rate_limit_down AS rate_down, e.expires_at,
            p.idle_timeout_seconds AS idle_timeout
       FROM claimed c
       JOIN accounting_sessions s ON s.id = c.session_id
       JOIN routers r ON r.id = c.router_id
       LEFT JOIN entitlements e ON e.id = s.entitlement_id
       LEFT JOIN packages p ON p.id = e.package_id
      ORDER BY c.id`,
    [instance, now, leaseSeconds, limit],
  );
  return rows;
}

export type Completion =
  | { status: 'acked'; sent: Record<string, unknown> }
  | { status: 'nakked'; errorCause: number | null; sent: Record<string, unknown> }
  | { status: 'obsolete' }
  | { status: 'failed'; error: string }
  | { status: 'retry'; error: string; nextAttemptAt: Date };

/**
 * Records the outcome. A Disconnect-ACK closes our view of the session at once (the router's Stop,
 * when it comes, still adds its final counters); a NAK 503 means the router no longer has the
 * session, so it is closed too.
 */
export async function complete(pool: pg.Pool, action: ClaimedAction, outcome: Completion, now: Date): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (outcome.status === 'retry') {
      await client.query(
        `UPDATE enforcement_actions SET locked_until = NULL, locked_by = NULL, next_attempt_at = $2, last_error = $3 WHERE id = $1`,
        [action.id, outcome.nextAttemptAt, outcome.error],
      );
    } else {
      await client.query(
        `UPDATE enforcement_actions SET status = $2, locked_until = NULL, completed_at = $3, error_cause = $4, last_error = $5,
                attributes = coalesce($6, attributes)
          WHERE id = $1`,
        [
          action.id,
          outcome.status,
          now,
          outcome.status === 'nakked' ? outcome.errorCause : null,
          outcome.status === 'failed' ? outcome.error : null,
          'sent' in outcome ? JSON.stringify(outcome.sent) : null,
        ],
      );
    }
    const gone =
      action.kind === 'disconnect' && (outcome.status === 'acked' || (outcome.status === 'nakked' && outcome.errorCause === 503));
    if (gone) {
      const cause = outcome.status === 'acked' ? 'Admin-Reset' : 'Session-Not-Found';
      // Session row first, then the device: the same lock order as netflow_record_accounting, so
      // the router's Stop arriving at this very moment cannot deadlock with us.
      const closed = await client.query(
        `UPDATE accounting_sessions SET status = 'closed', stopped_at = $2, terminate_cause = $3 WHERE id = $1 AND status <> 'closed'
         RETURNING entitlement_id, mac`,
        [action.session_id, now, cause],
      );
      if (closed.rowCount) {
        await client.query(`UPDATE entitlement_devices SET online_until = NULL WHERE entitlement_id = $1 AND mac = $2`, [
          closed.rows[0].entitlement_id,
          closed.rows[0].mac,
        ]);
      }
    }
    if (outcome.status !== 'retry') {
      await client.query(`INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($1, 'enforcer', $2, $3, $4)`, [
        now,
        `session.${action.kind}.${outcome.status}`,
        `session ${action.session_id}`,
        JSON.stringify({
          actionId: String(action.id),
          reason: action.reason,
          router: action.router_name,
          user: action.user_name,
          acctSessionId: action.acct_session_id,
          attempts: action.attempts,
          ...(outcome.status === 'nakked' ? { errorCause: outcome.errorCause } : {}),
          ...(outcome.status === 'failed' ? { error: outcome.error } : {}),
          // How a fallback kick went (RouterOS API after the CoA was NAKed or unanswered).
          ...('sent' in outcome && outcome.sent.fallback ? { fallback: outcome.sent.fallback } : {}),
        }),
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
