// The faces around the portal, through app.inject(): health and metrics (both answers of
// /healthz), the sandbox page (this machine only), the admin face's door, and the place kept for the
// web/ client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import type { Database } from '../../src/db/database.js';
import { buildHttpApp } from '../../src/http/app.js';
import { SandboxPage } from '../../src/http/sandbox.js';
import { HealthOk, HealthUnavailable } from '../../src/http/schemas/health.js';
import { openTestDatabase } from '../support/db.js';
import { createMetricsRegistry } from '../../src/app/metrics.js';
import { RADIUS_STATS_BYTES, readRadiusStats } from '../../src/radius/server.js';

const emptyStats = readRadiusStats(new ArrayBuffer(RADIUS_STATS_BYTES));
import { startTestHttp, type TestHttp } from './support.js';

describe('health face', () => {
  it('GET /healthz: ok with the uptime; 503 when the database does not answer', async () => {
    let up = true;
    const app = buildHttpApp({
      pingDatabase: async () => {
        if (!up) throw new Error('down');
      },
      metrics: createMetricsRegistry({ radiusStats: () => ({ ...emptyStats, received: 7 }) }),
      startedAt: new Date(Date.now() - 5000),
    });
    try {
      const ok = await app.inject({ method: 'GET', url: '/healthz' });
      expect(ok.statusCode).toBe(200);
      expect(Value.Check(HealthOk, ok.json())).toBe(true);
      expect(ok.json().uptimeSeconds).toBeGreaterThanOrEqual(5);
      up = false;
      const down = await app.inject({ method: 'GET', url: '/healthz' });
      expect([down.statusCode, down.json()]).toEqual([503, { status: 'unavailable', reason: 'database not reachable' }]);
      expect(Value.Check(HealthUnavailable, down.json())).toBe(true);
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(metrics.body).toMatch(
        /^# HELP netflow_radius_received_total .+\n# TYPE netflow_radius_received_total counter\nnetflow_radius_received_total 7$/m,
      );
      expect((await app.inject({ method: 'POST', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('sandbox, admin and web faces', () => {
  let db: Database;
  let http: TestHttp;
  beforeAll(async () => {
    db = await openTestDatabase();
    http = await startTestHttp(db, { PAYMENTS_SANDBOX: 'auto' });
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  it('GET /sandbox: the page, to this machine only', async () => {
    const page = await http.app.inject({ method: 'GET', url: '/sandbox' });
    expect(page.statusCode).toBe(200);
    expect(Value.Check(SandboxPage, page.json())).toBe(true);
    expect(page.json().testPhoneSuffixes).toMatchObject({ '000': 'success' });
    const stranger = await http.app.inject({ method: 'GET', url: '/sandbox', remoteAddress: '10.1.2.3' });
    expect([stranger.statusCode, stranger.json()]).toEqual([404, { error: 'Not found.' }]);
    const forwarded = await http.app.inject({ method: 'GET', url: '/sandbox', headers: { 'x-forwarded-for': '10.1.2.3' } });
    expect(forwarded.statusCode).toBe(404);
  });

  it('no sandbox face without test money', async () => {
    const live = await startTestHttp(db, { PAYMENTS_SANDBOX: 'off' });
    try {
      expect((await live.app.inject({ method: 'GET', url: '/sandbox' })).statusCode).toBe(404);
    } finally {
      await live.close();
    }
  });

  it('the admin face answers 401 without a session (test/http/admin-*.test.ts); / sends visitors to the portal (test/http/web.test.ts)', async () => {
    expect((await http.app.inject({ method: 'GET', url: '/api/v1/admin/routers' })).statusCode).toBe(401);
    for (const url of ['/api/v1/admin', '/index.html']) {
      const res = await http.app.inject({ method: 'GET', url });
      expect([url, res.statusCode]).toEqual([url, 404]);
    }
    const root = await http.app.inject({ method: 'GET', url: '/' });
    expect([root.statusCode, root.headers.location]).toEqual([302, '/portal/']);
  });
});
