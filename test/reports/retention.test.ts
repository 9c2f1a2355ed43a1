// Retention of raw accounting records: only old records of sessions that are over go, in batches,
// by one instance at a time, and no report changes.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { runReport } from '../../src/reports/index.js';
import { pruneAccountingRecords, RETENTION_LOCK_KEY } from '../../src/retention/accounting-records.js';
import { openTestDatabase } from '../support/db.js';
import { startNetflowOn } from '../support/netflow.js';
import { NOW, seedReportWorld, type Seeded } from './seed.js';

let db: Database;
let ids: Seeded;
const DAY = 86_400_000;

beforeAll(async () => {
  db = await openTestDatabase();
  ids = await seedReportWorld(db);
});
afterAll(() => db.close());

// [dedupe key, session key (null: Accounting-On), status type, days before NOW]
const RECORDS: Array<[string, string | null, number, number]> = [
  ['old-s1-start', 's1', 1, 100],
  ['old-s1-stop', 's1', 2, 100],
  ['old-s3-interim', 's3', 3, 95],
  ['old-on', null, 7, 120],
  ['old-renamed', 's9#77', 2, 100], // a session renamed when its id was reused: no row under this key
  ['old-open-s5', 's5', 1, 100], // open session: kept however old
  ['old-stale-s6', 's6', 3, 100], // stale session: kept
  ['new-s1-interim', 's1', 3, 10], // within the limit: kept
  ['new-s4-stop', 's4', 2, 1],
];

beforeEach(async () => {
  await db.pool.query('DELETE FROM accounting_records');
  await db.pool.query(`DELETE FROM settings WHERE key = 'accounting.retention_days'`);
  for (const [key, session, type, daysAgo] of RECORDS) {
    const at = new Date(NOW.getTime() - daysAgo * DAY);
    const router = session === 's4' || session === 's6' ? ids.cafeB : ids.cafeA;
    await db.pool.query(
      `INSERT INTO accounting_records (received_at, event_at, router_id, status_type, acct_session_id, dedupe_key)
       VALUES ($1, $1, $2, $3, $4, $5)`,
      [at, router, type, session, key],
    );
  }
});

const remaining = async () =>
  (await db.pool.query<{ dedupe_key: string }>('SELECT dedupe_key FROM accounting_records ORDER BY id')).rows.map((r) => r.dedupe_key);

describe('accounting retention', () => {
  it('deletes, in small batches, only records past the limit whose session is over, and no report changes', async () => {
    const reports = ['sessions-per-router', 'top-devices', 'peak-concurrency'];
    const before = await Promise.all(reports.map((n) => runReport(db.pool, n, { from: '2026-08-01', to: '2026-12-03' }, NOW)));
    const result = await pruneAccountingRecords(db.pool, { now: NOW, batchSize: 2 });
    expect(result).toMatchObject({ deleted: 5, retentionDays: 90 });
    expect(result.batches).toBeGreaterThan(2);
    expect(await remaining()).toEqual(['old-open-s5', 'old-stale-s6', 'new-s1-interim', 'new-s4-stop']);
    const after = await Promise.all(reports.map((n) => runReport(db.pool, n, { from: '2026-08-01', to: '2026-12-03' }, NOW)));
    expect(after).toEqual(before);
  });

  it('reads its limit from the settings, and deletes nothing when the setting is unusable', async () => {
    await db.pool.query(`INSERT INTO settings (key, value) VALUES ('accounting.retention_days', '5')`);
    expect((await pruneAccountingRecords(db.pool, { now: NOW })).deleted).toBe(6);
    expect(await remaining()).toEqual(['old-open-s5', 'old-stale-s6', 'new-s4-stop']);

    await db.pool.query(`UPDATE settings SET value = '"a week"' WHERE key = 'accounting.retention_days'`);
    await db.pool.query(
      `INSERT INTO accounting_records (received_at, event_at, router_id, status_type, dedupe_key)
                         VALUES ($1, $1, $2, 7, 'very-old-on')`,
      [new Date(NOW.getTime() - 400 * DAY), ids.cafeA],
    );
    expect(await pruneAccountingRecords(db.pool, { now: NOW })).toMatchObject({ deleted: 0, retentionDays: null });
    expect(await remaining()).toContain('very-old-on');
  });

  it('skips its run while another instance holds the lock', async () => {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK_KEY.toString()]);
      expect(await pruneAccountingRecords(db.pool, { now: NOW })).toMatchObject({ deleted: null });
      expect(await remaining()).toHaveLength(RECORDS.length);
      await other.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY.toString()]);
      expect((await pruneAccountingRecords(db.pool, { now: NOW })).deleted).toBe(5);
    } finally {
      await other.end();
    }
  });

  it("runs as NetFlow's daily job (manual in tests)", async () => {
    const netflow = await startNetflowOn(db);
    try {
      expect((await netflow.retention.runNow(NOW)).deleted).toBe(5);
    } finally {
      await netflow.close();
    }
  });
});
