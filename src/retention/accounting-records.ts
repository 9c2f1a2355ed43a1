// Retention of the raw accounting log (accounting_records): records older than the configured
// number of days are deleted once their session is over. What stays: every session's totals in
// accounting_sessions (each record is rolled up into its session by the same statement that stores
// it, src/aaa/accounting.ts), which is all the reports read, and the records of sessions that are
// open or stale (a stale session can come back, and its log may be looked at).
//
// Several NetFlow instances may share the database: the run holds a PostgreSQL advisory lock, and an
// instance that finds it taken skips its run. Deletes go in bounded batches (short transactions, no
// long lock on the table the RADIUS path writes to), walking the primary key from the oldest record:
// ids grow with arrival, so the walk stops at the first batch that reaches records within the limit.
import type pg from 'pg';

export const RETENTION_SETTING = 'accounting.retention_days';
export const DEFAULT_RETENTION_DAYS = 90;
/** "netflow:retention" as a 64-bit advisory lock key (any constant no other job uses). */
export const RETENTION_LOCK_KEY = 7_146_101_835_721_001n;

export interface RetentionResult {
  /** null: another instance held the lock, nothing was done. */
  deleted: number | null;
  retentionDays: number | null;
  batches: number;
}

/**
 * The configured retention in days: the setting when it is a positive whole number, the default
 * when it is absent; null (keep everything) with a reason when it is set to anything else, since
 * deleting on a setting we cannot read is not the safe side.
 */
export async function retentionDays(pool: pg.Pool): Promise<{ days: number | null; problem?: string }> {
  const { rows } = await pool.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [RETENTION_SETTING]);
  if (rows.length === 0) return { days: DEFAULT_RETENTION_DAYS };
  const value = rows[0]!.value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return { days: value };
  return { days: null, problem: `${RETENTION_SETTING} must be a whole number of days (1 or more); nothing is deleted until it is fixed` };
}

// One batch: the next `limit` records by id after the cursor; of those older than the cutoff,
// delete the ones whose session is over (closed) or that have none (Accounting-On/Off, or a
// session renamed when RouterOS reused its id, which is closed). Returns the batch's last id, how
// many it held, how many it deleted and whether it reached records within the limit.
const BATCH = `WITH batch AS MATERIALIZED (
  SELECT id, received_at, router_id, acct_session_id FROM accounting_records WHERE id > $1 ORDER BY id LIMIT $2
), doomed AS (
  SELECT b.id FROM batch b
   WHERE b.received_at < $3
     AND NOT EXISTS (SELECT 1 FROM accounting_sessions x
                      WHERE x.router_id = b.router_id AND x.acct_session_id = b.acct_session_id AND x.status <> 'closed')
), removed AS (
  DELETE FROM accounting_records r WHERE r.id IN (SELECT id FROM doomed) RETURNING 1
)
SELECT (SELECT max(id) FROM batch)::text AS last_id, (SELECT count(*) FROM batch)::int AS seen,
       (SELECT count(*) FROM removed)::int AS deleted, coalesce((SELECT bool_or(received_at >= $3) FROM batch), false) AS reached`;

export interface PruneOptions {
  now?: Date;
  batchSize?: number;
  /** Stop after this many batches (a run resumes where the next one starts anyway). */
  maxBatches?: number;
}

/** One retention run (see above). Safe to call from every instance at once. */
export async function pruneAccountingRecords(pool: pg.Pool, options: PruneOptions = {}): Promise<RetentionResult> {
  const { days } = await retentionDays(pool);
  if (days === null) return { deleted: 0, retentionDays: null, batches: 0 };
  const cutoff = new Date((options.now ?? new Date()).getTime() - days * 86_400_000);
  const batchSize = options.batchSize ?? 5000;
  const maxBatches = options.maxBatches ?? 10_000;
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_LOCK_KEY.toString()]);
    if (!rows[0]!.locked) return { deleted: null, retentionDays: days, batches: 0 };
    try {
      let cursor = '0';
      let deleted = 0;
      let batches = 0;
      while (batches < maxBatches) {
        const r = await client.query<{ last_id: string | null; seen: number; deleted: number; reached: boolean }>(BATCH, [
          cursor,
          batchSize,
          cutoff,
        ]);
        batches++;
        const b = r.rows[0]!;
        deleted += b.deleted;
        if (b.seen === 0 || b.last_id === null || b.reached) break;
        cursor = b.last_id;
      }
      return { deleted, retentionDays: days, batches };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}
