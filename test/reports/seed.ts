// A small, hand-checkable world for the report tests (figures in reports.test.ts are computed
// from this by hand): two routers, two packages in two currencies, mobile-money payments in every
// status, vouchers sold, unsold and revoked, and sessions including one across midnight, one open,
// one stale and three overlapping ones for the concurrency peak.
import type { Database } from '../../src/db/database.js';

export const NOW = new Date('2026-12-03T12:00:00Z');

export interface Seeded {
  cafeA: number;
  cafeB: number;
  hour: number;
  day: number;
}

export async function seedReportWorld(db: Database, names = { a: 'cafe-a', b: 'cafe-b' }): Promise<Seeded> {
  const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
  const {
    rows: [a, b],
  } = await q(
    `INSERT INTO routers (name, ip, secret, updated_at) VALUES ($1, '10.0.0.1', 'secretsecret', now()), ($2, '10.0.0.2', 'secretsecret', now())
               RETURNING id`,
    [names.a, names.b],
  );
  const {
    rows: [hour, day],
  } = await q(`INSERT INTO packages (name, minutes, price_minor, currency, rate_limit_up, rate_limit_down, updated_at)
               VALUES ('1 hour', 60, 1000, 'TZS', '1M', '2M', now()), ('1 day', 1440, 500, 'KES', '1M', '2M', now()) RETURNING id`);
  const ids = { cafeA: a.id as number, cafeB: b.id as number, hour: hour.id as number, day: day.id as number };

  // Payments: [ref, provider, router, package, amount, currency, status, created, paid, sandbox, needs_review]
  const payments: Array<[string, string, number, number, number, string, string, string, string | null, boolean, boolean]> = [
    ['PAY1', 'mpesa', ids.cafeA, ids.hour, 1000, 'TZS', 'paid', '2026-12-01T09:59:00Z', '2026-12-01T10:00:00Z', false, false],
    ['PAY2', 'mpesa', ids.cafeA, ids.hour, 1000, 'TZS', 'failed', '2026-12-01T11:00:00Z', null, false, false],
    ['PAY3', 'airtel', ids.cafeB, ids.day, 500, 'KES', 'paid', '2026-12-02T23:29:00Z', '2026-12-02T23:30:00Z', false, false],
    ['PAY4', 'airtel', ids.cafeB, ids.day, 500, 'KES', 'pending', '2026-12-03T11:58:00Z', null, false, false],
    ['PAY5', 'mpesa', ids.cafeA, ids.hour, 1000, 'TZS', 'paid', '2026-12-01T12:00:00Z', '2026-12-01T12:01:00Z', true, false], // test money
    ['PAY6', 'airtel', ids.cafeB, ids.day, 500, 'KES', 'expired', '2026-12-02T08:00:00Z', null, false, true], // money arrived late
    ['PAY7', 'mpesa', ids.cafeB, ids.hour, 1000, 'TZS', 'paid', '2026-12-03T09:59:00Z', '2026-12-03T10:00:00Z', false, false],
    ['PAY8', 'mpesa', ids.cafeA, ids.hour, 1000, 'TZS', 'paid', '2026-11-30T23:00:00Z', '2026-11-30T23:01:00Z', false, false], // before the range (UTC)
  ];
  for (const [ref, provider, router, pkg, amount, currency, status, created, paid, sandbox, review] of payments) {
    await q(
      `INSERT INTO payments (id, reference, callback_token, package_id, router_id, provider, phone, network, amount_minor, currency,
                             status, created_at, updated_at, paid_at, sandbox, needs_review, expires_at, next_check_at)
       VALUES (gen_random_uuid(), $1, $1 || 'tok', $2, $3, $4, '255754000111', 'vodacom', $5, $6, $7, $8, $8, $9, $10, $11, $8, $8)`,
      [ref, pkg, router, provider, amount, currency, status, created, paid, sandbox, review],
    );
  }

  // Vouchers: [code, package, router, starts_at, status]
  // One batch per package, as NetFlow makes them (a voucher sells for its batch's package).
  const {
    rows: [hourBatch],
  } = await q(`INSERT INTO voucher_batches (package_id, count) VALUES ($1, 3) RETURNING id`, [ids.hour]);
  const {
    rows: [dayBatch],
  } = await q(`INSERT INTO voucher_batches (package_id, count) VALUES ($1, 1) RETURNING id`, [ids.day]);
  const vouchers: Array<[string, number, number | null, string | null, string]> = [
    ['V1', ids.hour, ids.cafeA, '2026-12-01T12:00:00Z', 'active'], // sold at cafe-a on 12-01
    ['V2', ids.hour, null, null, 'active'], // never redeemed: not sold
    ['V3', ids.hour, ids.cafeB, '2026-12-02T08:00:00Z', 'revoked'], // revoked: not counted
    ['V4', ids.day, ids.cafeB, '2026-12-02T09:00:00Z', 'active'], // sold at cafe-b on 12-02, in KES
  ];
  for (const [code, pkg, router, starts, status] of vouchers) {
    await q(
      `WITH e AS (INSERT INTO entitlements (code, password, package_id, router_id, source, status, starts_at, updated_at)
                  VALUES ($1, $1, $2, $3, 'voucher', $5, $4, now()) RETURNING id)
       INSERT INTO vouchers (code, batch_id, entitlement_id) SELECT $1, $6, id FROM e`,
      [code, pkg, router, starts, status, pkg === ids.day ? dayBatch.id : hourBatch.id],
    );
  }

  // Sessions: [key, router, mac, status, started, stopped, updated, up, down]
  const sessions: Array<[string, number, string, string, string, string | null, string, number, number]> = [
    ['s1', ids.cafeA, 'AA:00:00:00:00:01', 'closed', '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z', '2026-12-01T11:00:00Z', 100, 1000],
    ['s2', ids.cafeA, 'AA:00:00:00:00:02', 'closed', '2026-12-01T10:30:00Z', '2026-12-01T12:00:00Z', '2026-12-01T12:00:00Z', 200, 2000],
    // Starts as s1 ends: not three at once.
    ['s7', ids.cafeA, 'AA:00:00:00:00:02', 'closed', '2026-12-01T11:00:00Z', '2026-12-01T11:30:00Z', '2026-12-01T11:30:00Z', 0, 0],
    // Across midnight (UTC): half of it on each day.
    ['s3', ids.cafeA, 'AA:00:00:00:00:01', 'closed', '2026-12-01T23:00:00Z', '2026-12-02T01:00:00Z', '2026-12-02T01:00:00Z', 400, 4000],
    ['s4', ids.cafeB, 'AA:00:00:00:00:03', 'closed', '2026-12-02T09:00:00Z', '2026-12-02T09:30:00Z', '2026-12-02T09:30:00Z', 50, 50],
    // Stale: the router went quiet at 21:00.
    ['s6', ids.cafeB, 'AA:00:00:00:00:05', 'stale', '2026-12-02T20:00:00Z', null, '2026-12-02T21:00:00Z', 0, 0],
    // Still open at NOW (12:00): runs until now.
    ['s5', ids.cafeA, 'AA:00:00:00:00:04', 'open', '2026-12-03T11:00:00Z', null, '2026-12-03T11:55:00Z', 10, 20],
  ];
  for (const [key, router, mac, status, started, stopped, updated, up, down] of sessions) {
    await q(
      `INSERT INTO accounting_sessions (router_id, acct_session_id, user_name, mac, status, started_at, stopped_at, updated_at,
                                        heard_at, bytes_up, bytes_down)
       VALUES ($1, $2, 'guest', $3, $4, $5, $6, $7, $7, $8, $9)`,
      [router, key, mac, status, started, stopped, updated, up, down],
    );
  }
  return ids;
}
