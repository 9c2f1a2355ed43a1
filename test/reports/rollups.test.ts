// The session reports read rollups of settled days (src/reports/rollups.ts): they must give exactly
// what the direct SQL over every session gives, in two time zones, over ranges that cut sessions
// across midnight, per router, and after a past day changes: a late Accounting-Stop of a stale
// session, a late record of a closed one, a session whose Start was lost, all written through the
// real accounting path (netflow_record_accounting).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCT_STATUS, type AccountingEvent, createAccountingWriter } from '../../src/aaa/accounting.js';
import type { Database } from '../../src/db/database.js';
import { peakConcurrencyDirect } from '../../src/reports/peak-concurrency.js';
import { type RawReportParams, resolveReportParams, runReport } from '../../src/reports/index.js';
import { ROLLUP_LOCK_KEY, refreshRollups } from '../../src/reports/rollups.js';
import { sessionsPerDayDirect } from '../../src/reports/sessions-per-day.js';
import { topDevicesDirect } from '../../src/reports/top-devices.js';
import { openTestDatabase } from '../support/db.js';
import { NOW, type Seeded, seedReportWorld } from './seed.js';

let db: Database;
let ids: Seeded;
const writer = () => createAccountingWriter(db.pool, { onlineSeconds: 300 });

/** A month of sessions on both routers: many across midnight (UTC or UTC+3), some without a MAC. */
async function seedMonth(pool: pg.Pool): Promise<void> {
  let x = 12345;
  const rand = () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const start = Date.parse('2026-11-01T00:00:00Z');
  for (let i = 0; i < 300; i++) {
    const started = new Date(start + Math.floor(rand() * 31.4 * 86_400) * 1000);
    const minutes = rand() < 0.15 ? 300 + Math.floor(rand() * 1500) : 5 + Math.floor(rand() * 180);
    const stopped = new Date(Math.min(started.getTime() + minutes * 60_000, Date.parse('2026-12-03T10:00:00Z')));
    const mac = rand() < 0.1 ? null : `BB:00:00:00:00:${String(Math.floor(rand() * 15)).padStart(2, '0')}`;
    await pool.query(
      `INSERT INTO accounting_sessions (router_id, acct_session_id, user_name, mac, status, started_at, stopped_at, updated_at,
                                        heard_at, bytes_up, bytes_down)
       VALUES ($1, $2, 'guest', $3, 'closed', $4, $5, $5, $5, $6, $7)`,
      [rand() < 0.6 ? ids.cafeA : ids.cafeB, `m${i}`, mac, started, stopped, Math.floor(rand() * 9e6), Math.floor(rand() * 9e7)],
    );
  }
  // Stale: the router went quiet at 21:00 on 11-10 (its Stop comes late, below).
  await pool.query(
    `INSERT INTO accounting_sessions (router_id, acct_session_id, user_name, mac, status, started_at, updated_at, heard_at,
                                      session_time, bytes_up, bytes_down)
     VALUES ($1, 'late-1', 'guest', 'BB:00:00:00:00:99', 'stale', '2026-11-10T20:00:00Z', '2026-11-10T21:00:00Z',
             '2026-11-10T21:00:00Z', 3600, 1000, 10000)`,
    [ids.cafeA],
  );
}

beforeAll(async () => {
  db = await openTestDatabase();
  ids = await seedReportWorld(db);
  await seedMonth(db.pool);
  // Rollups are kept for UTC and the configured zone.
  await db.pool.query(`INSERT INTO settings (key, value) VALUES ('reports.timezone', '"Africa/Dar_es_Salaam"')`);
});
afterAll(() => db.close());

const ZONES = ['UTC', 'Africa/Dar_es_Salaam'];
const RANGES = [
  { from: '2026-11-01', to: '2026-12-03' },
  { from: '2026-11-08', to: '2026-11-20' },
  { from: '2026-11-11', to: '2026-11-11' },
];

/** Every session report, in both zones, over each range, all routers and one: rollups = direct SQL. */
async function expectSameAsDirect(): Promise<void> {
  for (const tz of ZONES) {
    for (const range of RANGES) {
      for (const router of [undefined, 'cafe-b']) {
        const raw: RawReportParams = { ...range, tz, router, limit: 100 };
        const p = await resolveReportParams(db.pool, raw, NOW);
        const at = `${tz} ${range.from}..${range.to} ${router ?? 'all'}`;
        expect((await runReport(db.pool, 'sessions-per-router', raw, NOW)).rows, at).toEqual(await sessionsPerDayDirect(db.pool, p));
        expect((await runReport(db.pool, 'peak-concurrency', raw, NOW)).rows, at).toEqual(await peakConcurrencyDirect(db.pool, p));
        expect((await runReport(db.pool, 'top-devices', raw, NOW)).rows, at).toEqual(await topDevicesDirect(db.pool, p));
      }
    }
  }
}

const rolledDays = async (tz: string) =>
  (
    await db.pool.query<{ day: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM report_rollup_days WHERE tz = $1 ORDER BY day`, [
      tz,
    ])
  ).rows.map((r) => r.day);

const sessionsOn = async (day: string, tz = 'UTC') =>
  (await runReport(db.pool, 'sessions-per-router', { from: day, to: day, tz, router: 'cafe-a' }, NOW)).rows as Array<{ sessions: number }>;

function event(over: Partial<AccountingEvent>): AccountingEvent {
  return {
    routerId: ids.cafeA,
    statusType: ACCT_STATUS.interim,
    sessionId: null,
    userName: 'guest',
    mac: null,
    framedIp: null,
    nasPortId: null,
    sessionTime: null,
    bytesUp: null,
    bytesDown: null,
    terminateCause: null,
    delaySeconds: null,
    eventTimestamp: null,
    receivedAt: new Date(),
    entitlementHint: null,
    attributesRaw: Buffer.alloc(0),
    ...over,
  };
}

describe('report rollups', () => {
  it('give the direct SQL figures in two time zones, per router and over ranges, and are what the reports read', async () => {
    await expectSameAsDirect();
    // Settled days only: not today (12-03), not 11-10 (the stale session), not 12-02 (seed.ts's stale one).
    for (const tz of ZONES) {
      const days = await rolledDays(tz);
      expect(days).toContain('2026-11-11');
      expect(days).toContain('2026-12-01');
      expect(days).not.toContain('2026-11-10');
      expect(days).not.toContain('2026-12-02');
      expect(days).not.toContain('2026-12-03');
    }
    // The report reads the stored row (a tampered one shows), and the direct SQL does not.
    const before = (await sessionsOn('2026-11-15'))[0]!.sessions;
    await db.pool.query(`UPDATE report_rollup_router_days SET sessions = sessions + 1000 WHERE tz = 'UTC' AND day = '2026-11-15'`);
    expect((await sessionsOn('2026-11-15'))[0]!.sessions).toBe(before + 1000);
    await db.pool.query(`UPDATE report_rollup_router_days SET sessions = sessions - 1000 WHERE tz = 'UTC' AND day = '2026-11-15'`);
  });

  it('follow a late Accounting-Stop that carries a stale session into a rolled-up day', async () => {
    const before = (await sessionsOn('2026-11-11'))[0]!.sessions;
    const w = writer();
    // The router was up but out of reach: the Stop says the session ran until 02:00 the next day.
    await w.record(
      event({
        statusType: ACCT_STATUS.stop,
        sessionId: 'late-1',
        mac: 'BB:00:00:00:00:99',
        sessionTime: 6 * 3600,
        bytesUp: 5000n,
        bytesDown: 50_000n,
        terminateCause: 1,
        eventTimestamp: new Date('2026-11-11T02:00:00Z'),
      }),
    );
    await w.drain();
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM report_rollup_dirty`)).rows[0].n).toBeGreaterThan(0);
    expect((await sessionsOn('2026-11-11'))[0]!.sessions).toBe(before + 1);
    await expectSameAsDirect();
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM report_rollup_dirty`)).rows[0].n).toBe(0);
    expect(await rolledDays('UTC')).toContain('2026-11-10'); // now closed: settled
  });

  it('follow a late record of a closed session and a session whose Start was lost', async () => {
    const w = writer();
    const { rows } = await db.pool.query(
      `SELECT acct_session_id, router_id, mac, session_time, started_at, stopped_at FROM accounting_sessions
        WHERE acct_session_id LIKE 'm%' AND stopped_at < '2026-11-25' ORDER BY id LIMIT 1`,
    );
    const closed = rows[0];
    // A retransmitted Interim of a closed session, with bigger counters (late, after its Stop).
    await w.record(
      event({
        routerId: closed.router_id,
        sessionId: closed.acct_session_id,
        mac: closed.mac,
        sessionTime: Math.round((closed.stopped_at.getTime() - closed.started_at.getTime()) / 1000),
        bytesUp: 99_000_000n,
        bytesDown: 990_000_000n,
        eventTimestamp: closed.stopped_at,
      }),
    );
    // A Stop for a session never seen (its Start was lost): created on 11-20, across midnight UTC+3.
    await w.record(
      event({
        routerId: ids.cafeB,
        statusType: ACCT_STATUS.stop,
        sessionId: 'lost-start-1',
        mac: 'BB:00:00:00:00:03',
        sessionTime: 3 * 3600,
        bytesUp: 7777n,
        bytesDown: 77_777n,
        terminateCause: 1,
        eventTimestamp: new Date('2026-11-20T22:30:00Z'),
      }),
    );
    await w.drain();
    await expectSameAsDirect();
  });

  it('cost the RADIUS path nothing for a live session: its Start, Interim-Updates and Stop mark nothing dirty', async () => {
    await expectSameAsDirect(); // marks applied
    const w = writer();
    const t0 = Date.now();
    const base = { sessionId: 'live-1', mac: 'BB:00:00:00:00:42' };
    await w.record(event({ ...base, statusType: ACCT_STATUS.start, eventTimestamp: new Date(t0 - 60_000) }));
    await w.drain();
    await w.record(event({ ...base, sessionTime: 30, bytesUp: 10n, bytesDown: 100n, eventTimestamp: new Date(t0 - 30_000) }));
    await w.drain();
    await w.record(
      event({
        ...base,
        statusType: ACCT_STATUS.stop,
        sessionTime: 60,
        bytesUp: 20n,
        bytesDown: 200n,
        terminateCause: 1,
        eventTimestamp: new Date(t0),
      }),
    );
    await w.drain();
    expect((await db.pool.query(`SELECT status FROM accounting_sessions WHERE acct_session_id = 'live-1'`)).rows[0].status).toBe('closed');
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM report_rollup_dirty`)).rows[0].n).toBe(0);
  });

  it('are kept for UTC and the configured zone only; another zone is computed live, with the same figures', async () => {
    const raw = { ...RANGES[0], tz: 'Asia/Kolkata', limit: 100 }; // UTC+5:30
    const p = await resolveReportParams(db.pool, raw, NOW);
    expect(await refreshRollups(db.pool, p)).toEqual({ rolledZone: false, locked: false, invalidatedDays: 0, rolledUpDays: 0 });
    expect((await runReport(db.pool, 'sessions-per-router', raw, NOW)).rows).toEqual(await sessionsPerDayDirect(db.pool, p));
    expect((await runReport(db.pool, 'peak-concurrency', raw, NOW)).rows).toEqual(await peakConcurrencyDirect(db.pool, p));
    expect((await runReport(db.pool, 'top-devices', raw, NOW)).rows).toEqual(await topDevicesDirect(db.pool, p));
    expect(await rolledDays('Asia/Kolkata')).toEqual([]);
  });

  it('are computed by one instance at a time; meanwhile another reads the days live, with the same figures', async () => {
    await db.pool.query('TRUNCATE report_rollup_days, report_rollup_router_days, report_rollup_devices');
    const holder = await db.pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [ROLLUP_LOCK_KEY.toString()]);
      const p = await resolveReportParams(db.pool, { ...RANGES[0], tz: 'UTC' }, NOW);
      expect(await refreshRollups(db.pool, p)).toEqual({ rolledZone: true, locked: false, invalidatedDays: 0, rolledUpDays: 0 });
      await expectSameAsDirect();
      expect(await rolledDays('UTC')).toEqual([]);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [ROLLUP_LOCK_KEY.toString()]);
      holder.release();
    }
    await expectSameAsDirect();
    expect((await rolledDays('UTC')).length).toBeGreaterThan(25);
  });
});
