// One rule, one place: a code's state is netflow_code_state's (prisma/functions/code_state.sql).
// Every boundary, walked through the function itself and through each caller: the login decision,
// the portal's voucher check, the admin's voucher list and batch counts, and the enforcement scan.
// Intervals are half-open: at exactly expires_at a code has expired, at exactly redeem_by a code not
// started can no longer be redeemed, at exactly the data cap its data is exhausted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../src/aaa/authorize.js';
import { listVoucherBatches, listVouchers } from '../../src/admin/vouchers.js';
import { codeStates, type CodeState, type VoucherStatus } from '../../src/entitlements/state.js';
import type { Database } from '../../src/db/database.js';
import { scanSessions } from '../../src/enforce/scan.js';
import { checkVoucher } from '../../src/portal/vouchers.js';
import { openTestDatabase } from '../support/db.js';
import { addPackage, addRouter } from '../support/fixtures.js';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const ms = (n: number) => new Date(NOW.getTime() + n);
const CAP = 1000n;

interface Case {
  name: string;
  code: { status?: 'active' | 'revoked'; expiresAt?: Date | null; redeemBy?: Date | null; bytes?: bigint };
  state: CodeState;
  /** The login's outcome, the portal's reason ('ok': accepted), the voucher's status, the scan's cut. */
  login: string;
  portal: string;
  voucher: VoucherStatus;
  scan: 'expired' | 'data_cap' | 'revoked' | null;
}

const CASES: Case[] = [
  { name: 'not started, no redeem-by', code: {}, state: 'not_started', login: 'accept', portal: 'ok', voucher: 'unused', scan: null },
  {
    name: 'not started, 1 ms before redeem-by',
    code: { redeemBy: ms(1) },
    state: 'not_started',
    login: 'accept',
    portal: 'ok',
    voucher: 'unused',
    scan: null,
  },
  {
    name: 'not started, exactly at redeem-by',
    code: { redeemBy: ms(0) },
    state: 'not_redeemed_in_time',
    login: 'not_redeemed_in_time',
    portal: 'not_redeemed_in_time',
    voucher: 'expired',
    scan: null,
  },
  {
    name: 'not started, 1 ms after redeem-by',
    code: { redeemBy: ms(-1) },
    state: 'not_redeemed_in_time',
    login: 'not_redeemed_in_time',
    portal: 'not_redeemed_in_time',
    voucher: 'expired',
    scan: null,
  },
  {
    name: 'started, redeem-by passed (no longer applies)',
    code: { expiresAt: ms(60_000), redeemBy: ms(-1) },
    state: 'running',
    login: 'accept',
    portal: 'ok',
    voucher: 'in use',
    scan: null,
  },
  {
    name: 'running, 1 ms before expires_at',
    code: { expiresAt: ms(1) },
    state: 'running',
    login: 'accept',
    portal: 'ok',
    voucher: 'in use',
    scan: null,
  },
  {
    name: 'exactly at expires_at',
    code: { expiresAt: ms(0) },
    state: 'expired',
    login: 'expired',
    portal: 'expired',
    voucher: 'expired',
    scan: 'expired',
  },
  {
    name: 'after expires_at',
    code: { expiresAt: ms(-1) },
    state: 'expired',
    login: 'expired',
    portal: 'expired',
    voucher: 'expired',
    scan: 'expired',
  },
  {
    name: 'one byte under the data cap',
    code: { expiresAt: ms(60_000), bytes: CAP - 1n },
    state: 'running',
    login: 'accept',
    portal: 'ok',
    voucher: 'in use',
    scan: null,
  },
  {
    name: 'exactly at the data cap',
    code: { expiresAt: ms(60_000), bytes: CAP },
    state: 'data_exhausted',
    login: 'data_exhausted',
    portal: 'data_exhausted',
    voucher: 'in use',
    scan: 'data_cap',
  },
  {
    name: 'not started, data cap reached',
    code: { bytes: CAP },
    state: 'data_exhausted',
    login: 'data_exhausted',
    portal: 'data_exhausted',
    voucher: 'in use',
    scan: 'data_cap',
  },
  {
    name: 'expired and out of data: expired',
    code: { expiresAt: ms(0), bytes: CAP },
    state: 'expired',
    login: 'expired',
    portal: 'expired',
    voucher: 'expired',
    scan: 'expired',
  },
  {
    name: 'revoked while running',
    code: { status: 'revoked', expiresAt: ms(60_000) },
    state: 'revoked',
    login: 'revoked',
    portal: 'revoked',
    voucher: 'revoked',
    scan: 'revoked',
  },
  {
    name: 'revoked, not started, redeem-by passed: revoked',
    code: { status: 'revoked', redeemBy: ms(-1) },
    state: 'revoked',
    login: 'revoked',
    portal: 'revoked',
    voucher: 'revoked',
    scan: 'revoked',
  },
];

describe('a code’s state, one rule for every caller', () => {
  let db: Database;
  let router: { id: number; name: string };
  let batchId: number;
  const ids = new Map<string, number>();
  const codeOf = (c: Case) => `CS${CASES.indexOf(c)}X`;

  beforeAll(async () => {
    db = await openTestDatabase();
    router = await addRouter(db);
    const pkg = await addPackage(db, { minutes: 60, dataCapBytes: CAP, devicesAllowed: 1 });
    batchId = (await db.prisma.voucherBatch.create({ data: { packageId: pkg.id, count: CASES.length } })).id;
    for (const c of CASES) {
      const code = codeOf(c);
      const e = await db.prisma.entitlement.create({
        data: {
          code,
          password: code,
          packageId: pkg.id,
          source: 'voucher',
          status: c.code.status ?? 'active',
          startsAt: c.code.expiresAt ? ms(-3_600_000) : null,
          expiresAt: c.code.expiresAt ?? null,
          redeemBy: c.code.redeemBy ?? null,
          bytesUp: c.code.bytes ?? 0n,
        },
      });
      await db.prisma.voucher.create({ data: { code, batchId, entitlementId: e.id } });
      ids.set(c.name, e.id);
    }
  });
  afterAll(async () => db?.close());

  it('netflow_code_state', async () => {
    const states = await codeStates(db.prisma, [...ids.values()], NOW);
    expect(CASES.map((c) => [c.name, states.get(ids.get(c.name)!)])).toEqual(CASES.map((c) => [c.name, c.state]));
  });

  it('is inlined into the calling query (no function call per row: the login path is hot)', async () => {
    const { rows } = await db.pool.query(
      'EXPLAIN (VERBOSE) SELECT netflow_code_state(e, p, $1) FROM entitlements e JOIN packages p ON p.id = e.package_id',
      [NOW],
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('CASE');
    expect(plan).not.toContain('netflow_code_state');
    // … also from subqueries' rows, as netflow_decide_logins passes them.
    const lateral = await db.pool.query(
      `EXPLAIN (VERBOSE) SELECT c.state FROM (VALUES ('X')) AS input(c)
      LEFT JOIN LATERAL (SELECT * FROM entitlements en WHERE en.code = input.c OFFSET 0) e ON true
      LEFT JOIN LATERAL (SELECT * FROM packages pk WHERE pk.id = e.package_id OFFSET 0) p ON true
      CROSS JOIN LATERAL (SELECT netflow_code_state(e, p, $1) AS state) c`,
      [NOW],
    );
    expect(lateral.rows.map((r) => r['QUERY PLAN']).join('\n')).not.toContain('netflow_code_state');
  });

  it('the portal’s voucher check', async () => {
    const got = [];
    for (const c of CASES) {
      const r = await checkVoucher(db.prisma, { code: codeOf(c), mac: '02:00:00:00:77:01', router: router.name }, NOW);
      got.push([c.name, r.ok ? 'ok' : r.reason]);
    }
    expect(got).toEqual(CASES.map((c) => [c.name, c.portal]));
  });

  it('the admin’s voucher list and batch counts', async () => {
    const list = await listVouchers(db.prisma, { batchId }, NOW);
    expect(CASES.map((c) => [c.name, list.find((v) => v.code === codeOf(c))?.status])).toEqual(CASES.map((c) => [c.name, c.voucher]));
    const batch = (await listVoucherBatches(db.prisma, NOW)).find((b) => b.id === batchId)!;
    const tally = (s: VoucherStatus) => CASES.filter((c) => c.voucher === s).length;
    expect([batch.unused, batch.inUse, batch.expired, batch.revoked]).toEqual([
      tally('unused'),
      tally('in use'),
      tally('expired'),
      tally('revoked'),
    ]);
  });

  it('the enforcement scan', async () => {
    const sessions = new Map<string, bigint>();
    for (const [i, c] of CASES.entries()) {
      const s = await db.prisma.accountingSession.create({
        data: {
          routerId: router.id,
          acctSessionId: `cs-${i}`,
          entitlementId: ids.get(c.name)!,
          userName: codeOf(c),
          mac: `02:00:00:00:66:${String(i).padStart(2, '0')}`,
          status: 'open',
          startedAt: ms(-60_000),
          updatedAt: NOW,
          heardAt: NOW,
        },
      });
      sessions.set(c.name, s.id);
    }
    const { queued } = await scanSessions(db.pool, NOW, 60);
    const reasonOf = (c: Case) => queued.find((q) => q.sessionId === sessions.get(c.name))?.reason ?? null;
    expect(CASES.map((c) => [c.name, reasonOf(c)])).toEqual(CASES.map((c) => [c.name, c.scan]));
  });

  // Last: an accepted login starts the clock and claims a place.
  it('the login decision', async () => {
    const auth = createAuthorizer(db.pool, { holdSeconds: 120 });
    const got = [];
    for (const [i, c] of CASES.entries()) {
      const d = await auth.authorize({
        routerId: router.id,
        userName: codeOf(c),
        credential: { kind: 'pap', password: codeOf(c) },
        mac: `02:00:00:00:55:${String(i).padStart(2, '0')}`,
        userNameAsMac: null,
        now: NOW,
      });
      got.push([c.name, d.accept ? 'accept' : d.reason]);
    }
    await auth.drain();
    expect(got).toEqual(CASES.map((c) => [c.name, c.login]));
  });
});
