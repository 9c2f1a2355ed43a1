// Each report's figures on the small world of seed.ts, against figures worked out by hand there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { runReport } from '../../src/reports/index.js';
import { openTestDatabase } from '../support/db.js';
import { NOW, seedReportWorld } from './seed.js';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
  await seedReportWorld(db);
});
afterAll(() => db.close());

const range = { from: '2026-12-01', to: '2026-12-03' };
const rows = async (name: string, params: Record<string, string | number> = {}) =>
  (await runReport(db.pool, name, { ...range, ...params } as never, NOW)).rows as Array<Record<string, unknown>>;
const pick = (list: Array<Record<string, unknown>>, keys: string[]) => list.map((r) => keys.map((k) => r[k]));

describe('revenue', () => {
  it('counts settled payments and redeemed vouchers per day and router, per currency, never sandbox, failed, revoked or unsold', async () => {
    expect(pick(await rows('revenue-by-router'), ['period', 'router', 'channel', 'currency', 'sales', 'amountMinor'])).toEqual([
      ['2026-12-01', 'cafe-a', 'mobile_money', 'TZS', 1, 1000], // PAY1 (PAY2 failed, PAY5 test money, PAY8 the day before)
      ['2026-12-01', 'cafe-a', 'voucher', 'TZS', 1, 1000], // V1 at its first use (V2 unused)
      ['2026-12-02', 'cafe-b', 'mobile_money', 'KES', 1, 500], // PAY3
      ['2026-12-02', 'cafe-b', 'voucher', 'KES', 1, 500], // V4 (V3 revoked)
      ['2026-12-03', 'cafe-b', 'mobile_money', 'TZS', 1, 1000], // PAY7 (PAY4 pending)
    ]);
  });

  it('groups by package and by month, never adding two currencies', async () => {
    expect(
      pick(await rows('revenue-by-package', { granularity: 'month' }), [
        'period',
        'package',
        'channel',
        'currency',
        'sales',
        'amountMinor',
      ]),
    ).toEqual([
      ['2026-12-01', '1 day', 'mobile_money', 'KES', 1, 500],
      ['2026-12-01', '1 day', 'voucher', 'KES', 1, 500],
      ['2026-12-01', '1 hour', 'mobile_money', 'TZS', 2, 2000],
      ['2026-12-01', '1 hour', 'voucher', 'TZS', 1, 1000],
    ]);
  });

  it('draws day boundaries in the time zone asked for, and filters by router', async () => {
    // In Dar es Salaam (UTC+3) PAY3 (23:30 UTC on the 2nd) is paid on the 3rd.
    expect(
      pick(await rows('revenue-by-router', { tz: 'Africa/Dar_es_Salaam', router: 'cafe-b' }), [
        'period',
        'channel',
        'currency',
        'amountMinor',
      ]),
    ).toEqual([
      ['2026-12-02', 'voucher', 'KES', 500],
      ['2026-12-03', 'mobile_money', 'KES', 500],
      ['2026-12-03', 'mobile_money', 'TZS', 1000],
    ]);
    // PAY8 (23:01 UTC on 30 November) is 1 December there, and weeks start on Monday (30 November).
    expect(
      pick(await rows('revenue-by-router', { tz: 'Africa/Dar_es_Salaam', router: 'cafe-a', granularity: 'week' }), [
        'period',
        'channel',
        'sales',
      ]),
    ).toEqual([
      ['2026-11-30', 'mobile_money', 2],
      ['2026-11-30', 'voucher', 1],
    ]);
  });
});

describe('sessions per router', () => {
  it('counts a session across midnight on both days, its data shared by its time in each', async () => {
    expect(
      pick(await rows('sessions-per-router'), ['day', 'router', 'sessions', 'started', 'devices', 'bytesUp', 'bytesDown', 'onlineSeconds']),
    ).toEqual([
      ['2026-12-01', 'cafe-a', 4, 4, 2, 500, 5000, 14_400], // s1 s2 s7 and the first hour of s3
      ['2026-12-02', 'cafe-a', 1, 0, 1, 200, 2000, 3600], // the second hour of s3
      ['2026-12-02', 'cafe-b', 2, 2, 2, 50, 50, 5400], // s4, and s6 until it went quiet
      ['2026-12-03', 'cafe-a', 1, 1, 1, 10, 20, 3600], // s5, open: until now
    ]);
  });

  it('moves with the time zone: in UTC+3 the session of 23:00 UTC is wholly on the next day', async () => {
    const list = await rows('sessions-per-router', { tz: 'Africa/Dar_es_Salaam', router: 'cafe-a', to: '2026-12-02' });
    expect(pick(list, ['day', 'sessions', 'bytesUp', 'bytesDown'])).toEqual([
      ['2026-12-01', 3, 300, 3000],
      ['2026-12-02', 1, 400, 4000],
    ]);
  });
});

describe('payment success', () => {
  it('gives the share paid of the decided real-money payments per provider', async () => {
    expect(await rows('payment-success')).toEqual([
      { provider: 'airtel', payments: 3, paid: 1, failed: 0, expired: 1, pending: 1, heldForReview: 1, successRate: 0.5 },
      { provider: 'mpesa', payments: 3, paid: 2, failed: 1, expired: 0, pending: 0, heldForReview: 0, successRate: 0.6667 },
    ]);
  });
});

describe('top devices', () => {
  it('ranks devices by data used in the range, counting only the part of a session inside it', async () => {
    expect(pick(await rows('top-devices'), ['rank', 'mac', 'sessions', 'routers', 'bytesTotal'])).toEqual([
      [1, 'AA:00:00:00:00:01', 2, 'cafe-a', 5500],
      [2, 'AA:00:00:00:00:02', 2, 'cafe-a', 2200],
      [3, 'AA:00:00:00:00:03', 1, 'cafe-b', 100],
      [4, 'AA:00:00:00:00:04', 1, 'cafe-a', 30],
      [5, 'AA:00:00:00:00:05', 1, 'cafe-b', 0],
    ]);
    expect(pick(await rows('top-devices', { from: '2026-12-02', limit: 2 }), ['mac', 'bytesUp', 'bytesDown'])).toEqual([
      ['AA:00:00:00:00:01', 200, 2000], // half of s3
      ['AA:00:00:00:00:03', 50, 50],
    ]);
  });
});

describe('peak concurrency', () => {
  it('sweeps starts and ends, carrying sessions over midnight, ends before starts at one instant', async () => {
    const list = await rows('peak-concurrency');
    expect(list.map((r) => [r.day, r.router, r.peakUsers, (r.peakAt as Date).toISOString()])).toEqual([
      ['2026-12-01', 'cafe-a', 2, '2026-12-01T10:30:00.000Z'], // s1 + s2 (s7 starts as s1 ends)
      ['2026-12-01', 'cafe-b', 0, '2026-12-01T00:00:00.000Z'],
      ['2026-12-02', 'cafe-a', 1, '2026-12-02T00:00:00.000Z'], // s3, carried over midnight
      ['2026-12-02', 'cafe-b', 1, '2026-12-02T09:00:00.000Z'],
      ['2026-12-03', 'cafe-a', 1, '2026-12-03T11:00:00.000Z'], // s5, open
      ['2026-12-03', 'cafe-b', 0, '2026-12-03T00:00:00.000Z'],
    ]);
  });
});

describe('parameters', () => {
  it('defaults to the last 30 days in the configured time zone', async () => {
    await db.pool.query(`INSERT INTO settings (key, value) VALUES ('reports.timezone', '"Africa/Dar_es_Salaam"')`);
    try {
      const result = await runReport(db.pool, 'revenue-by-router', {}, new Date('2026-12-03T22:00:00Z'));
      expect(result.params).toMatchObject({ fromDate: '2026-11-05', toDate: '2026-12-04', tz: 'Africa/Dar_es_Salaam', routerIds: null });
    } finally {
      await db.pool.query(`DELETE FROM settings WHERE key = 'reports.timezone'`);
    }
  });

  it.each([
    [{ from: '2026-02-30' }, 'from', /from must be a date as YYYY-MM-DD/],
    [{ from: '2026-12-05', to: '2026-12-01' }, 'from', /must not be after to/],
    [{ from: '2020-01-01', to: '2026-12-01' }, 'to', /at most 731 days/],
    [{ tz: 'Mars/Olympus' }, 'tz', /IANA time zone/],
    [{ router: 'cafe-a,nowhere' }, 'router', /no known router: nowhere/],
    [{ granularity: 'year' }, 'granularity', /day, week, month/],
    [{ limit: '0' }, 'limit', /1 to 1000/],
  ])('refuses %o, naming the field', async (params, field, message) => {
    await expect(runReport(db.pool, 'top-devices', params, NOW)).rejects.toMatchObject({ field, message: expect.stringMatching(message) });
  });

  it('refuses an unknown report, listing the reports', async () => {
    await expect(runReport(db.pool, 'profit', {}, NOW)).rejects.toThrow(/unknown report 'profit'.*revenue-by-router/);
  });
});
