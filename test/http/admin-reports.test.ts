// The reports plugin on a bare Fastify (the admin plugin's sign-in hook is tested with it): JSON,
// CSV, bad parameters and unknown reports, and every route declaring its role.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { reportsPlugin } from '../../src/http/admin/reports.js';
import { openTestDatabase } from '../support/db.js';
import { NOW, seedReportWorld } from '../reports/seed.js';

let db: Database;
let app: FastifyInstance;
const roles: Array<{ url: string; role: unknown }> = [];

beforeAll(async () => {
  db = await openTestDatabase();
  // A router name a spreadsheet would run as a formula, with a comma and quotes in it.
  await seedReportWorld(db, { a: '=HYPERLINK("http://evil","a"),x', b: 'cafe-b' });
  app = Fastify();
  app.addHook('onRoute', (r) => void roles.push({ url: r.url, role: (r.config as { role?: unknown } | undefined)?.role }));
  await app.register(reportsPlugin, { pool: db.pool, now: () => NOW, prefix: '/api/v1/admin' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('GET /reports/:name', () => {
  it('declares the viewer role on every route', () => {
    expect(roles.length).toBeGreaterThanOrEqual(2);
    for (const r of roles) expect(r.role, r.url).toBe('viewer');
  });

  it('lists the reports', async () => {
    const res = await app.inject({ url: '/api/v1/admin/reports' });
    expect(res.statusCode).toBe(200);
    expect(res.json().reports.map((r: { name: string }) => r.name)).toEqual([
      'revenue-by-router',
      'revenue-by-package',
      'sessions-per-router',
      'payment-success',
      'top-devices',
      'peak-concurrency',
    ]);
  });

  it('answers JSON with the resolved parameters and the rows', async () => {
    const res = await app.inject({ url: '/api/v1/admin/reports/revenue-by-router?from=2026-12-01&to=2026-12-03&router=cafe-b' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.params).toEqual({
      fromDate: '2026-12-01',
      toDate: '2026-12-03',
      tz: 'UTC',
      routerIds: [expect.any(Number)],
      granularity: 'day',
    });
    expect(body.rows.map((r: Record<string, unknown>) => [r.period, r.channel, r.currency, r.amountMinor])).toEqual([
      ['2026-12-02', 'mobile_money', 'KES', 500],
      ['2026-12-02', 'voucher', 'KES', 500],
      ['2026-12-03', 'mobile_money', 'TZS', 1000],
    ]);
    const peaks = await app.inject({ url: '/api/v1/admin/reports/peak-concurrency?from=2026-12-02&to=2026-12-02&router=cafe-b' });
    expect(peaks.json().rows).toEqual([
      { day: '2026-12-02', routerId: expect.any(Number), router: 'cafe-b', peakUsers: 1, peakAt: '2026-12-02T09:00:00.000Z' },
    ]);
  });

  it('answers CSV as a download, formulas neutralised', async () => {
    const res = await app.inject({ url: '/api/v1/admin/reports/revenue-by-router?from=2026-12-01&to=2026-12-01&format=csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="revenue-by-router_2026-12-01_2026-12-01.csv"');
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('period,routerId,router,channel,currency,sales,amountMinor');
    expect(lines[1]).toMatch(/^2026-12-01,\d+,"'=HYPERLINK\(""http:\/\/evil"",""a""\),x",mobile_money,TZS,1,1000$/);
    expect(lines).toHaveLength(4); // header, two rows, and the empty string after the final CRLF
  });

  it.each([
    ['revenue-by-router?from=2026-13-01', 'from', 'from must be a date as YYYY-MM-DD'],
    ['revenue-by-router?from=2026-12-03&to=2026-12-01', 'from', 'must not be after to'],
    ['sessions-per-router?tz=Nowhere/Land', 'tz', 'IANA time zone'],
    ['payment-success?router=nowhere', 'router', 'no known router: nowhere'],
    ['revenue-by-package?granularity=hour', 'granularity', 'must be one of day, week, month'],
    ['top-devices?limit=5000', 'limit', 'from 1 to 1000'],
  ])('answers 400 with the field for %s', async (query, field, message) => {
    const res = await app.inject({ url: `/api/v1/admin/reports/${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.stringContaining(message), field });
  });

  it('answers 400 for a format it does not write, and 404 naming the reports for an unknown one', async () => {
    const bad = await app.inject({ url: '/api/v1/admin/reports/top-devices?format=xlsx' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/format/);
    const unknown = await app.inject({ url: '/api/v1/admin/reports/profit' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatch(/no report 'profit'.*revenue-by-router/);
  });
});
