// Every admin route × every role, allowed and denied, generated from the routes the admin plugin
// registered: a route added without a sample request here fails this test. Denied: 403; allowed:
// anything but 401/403 (a 400/404/409 means the role check let it through to the work); no
// session: 401. Public routes (login, setup) answer without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import type { AdminRoute } from '../../src/http/admin/index.js';
import { ROLE_RANK } from '../../src/http/admin/roles.js';
import { createVouchers } from '../../src/admin/vouchers.js';
import { openTestDatabase } from '../support/db.js';
import { addPackage, addRouter } from '../support/fixtures.js';
import { startTestHttp, type TestHttp } from './support.js';
import { call, makeAdmin, PASSWORD, type Role, type Signed, signIn } from './admin-support.js';

interface Sample {
  url: string;
  body?: unknown;
  /** A session of its own (logout ends the one it is called with). */
  fresh?: boolean;
}

describe('every admin route × every role', () => {
  let db: Database;
  let http: TestHttp;
  const routes: AdminRoute[] = [];
  const samples = new Map<string, (role: Role | null) => Sample>();
  let n = 0;

  beforeAll(async () => {
    db = await openTestDatabase();
    http = await startTestHttp(
      db,
      {},
      { routes, loginLimits: { perAccount: { limit: 1000, windowMs: 60_000 }, perAddress: { limit: 1000, windowMs: 60_000 } } },
    );
    for (const role of ['admin', 'operator', 'viewer'] as const) await makeAdmin(db, `${role}@example.com`, role);
    const target = await makeAdmin(db, 'target@example.com', 'viewer');
    const router = await addRouter(db, { name: 'cafe', ip: '10.0.0.1' });
    const pkg = await addPackage(db, { name: 'hour' });
    const session = await db.prisma.accountingSession.create({
      data: { routerId: router.id, acctSessionId: 'a1', userName: 'U1', startedAt: new Date(), updatedAt: new Date(), status: 'closed' },
    });
    const payment = await db.prisma.payment.create({
      data: {
        reference: 'REF0000001',
        callbackToken: 'cb-token-1',
        packageId: pkg.id,
        provider: 'daraja',
        phone: '254700000111',
        network: 'safaricom',
        amountMinor: 100000n,
        currency: 'KES',
        status: 'expired',
        needsReview: true,
        expiresAt: new Date(),
        nextCheckAt: new Date(),
      },
    });
    const batch = await createVouchers(db.prisma, { package: 'hour', count: 3 }, 'cli');
    const s =
      (url: string, body?: unknown, fresh = false) =>
      () => ({ url, body, fresh });
    const add = (key: string, f: (role: Role | null) => Sample) => samples.set(key, f);
    add('POST /api/v1/admin/login', () => ({ url: '/login', body: { email: 'viewer@example.com', password: PASSWORD } }));
    add('POST /api/v1/admin/logout', s('/logout', undefined, true));
    add('GET /api/v1/admin/me', s('/me'));
    add('GET /api/v1/admin/setup', s('/setup'));
    add('POST /api/v1/admin/setup', s('/setup', { token: 'not-it', email: 'x@example.com', password: PASSWORD }));
    add('GET /api/v1/admin/routers', s('/routers'));
    add('GET /api/v1/admin/routers/:id', s(`/routers/${router.id}`));
    add('POST /api/v1/admin/routers', () => ({ url: '/routers', body: { name: `r${++n}`, ip: `10.9.0.${n}` } }));
    add('PATCH /api/v1/admin/routers/:id', s(`/routers/${router.id}`, { location: 'Upstairs' }));
    add('POST /api/v1/admin/routers/:id/rotate-secret', s(`/routers/${router.id}/rotate-secret`, {}));
    // The RouterOS side (src/http/admin/router-api.ts). No API credentials on the router: sync is a
    // 409, PUT with a caFile but no tls a 400 (the role check let it through), DELETE answers removed: false.
    add('GET /api/v1/admin/routers/status', s('/routers/status'));
    add('GET /api/v1/admin/routers/:id/status', s(`/routers/${router.id}/status`));
    add('POST /api/v1/admin/routers/:id/sync', s(`/routers/${router.id}/sync`));
    add('PUT /api/v1/admin/routers/:id/api', s(`/routers/${router.id}/api`, { user: 'api', password: 'pw', caFile: '/etc/hostname' }));
    add('DELETE /api/v1/admin/routers/:id/api', s(`/routers/${router.id}/api`));
    add('GET /api/v1/admin/routers/:id/script', s(`/routers/${router.id}/script?netflowAddress=192.0.2.10`));
    add('GET /api/v1/admin/packages', s('/packages'));
    add('GET /api/v1/admin/packages/:id', s(`/packages/${pkg.id}`));
    add('POST /api/v1/admin/packages', () => ({
      url: '/packages',
      body: { name: `p${++n}`, minutes: 60, price: '500', currency: 'TZS', rateLimit: '1M/2M' },
    }));
    add('PATCH /api/v1/admin/packages/:id', s(`/packages/${pkg.id}`, { minutes: 90 }));
    add('GET /api/v1/admin/sessions', s('/sessions?status=closed&limit=5'));
    add('GET /api/v1/admin/sessions/events', s('/sessions/events'));
    add('GET /api/v1/admin/sessions/:id', s(`/sessions/${session.id}`));
    add('POST /api/v1/admin/sessions/:id/end', s(`/sessions/${session.id}/end`));
    add('POST /api/v1/admin/sessions/:id/package', s(`/sessions/${session.id}/package`, { package: 'hour' }));
    add('GET /api/v1/admin/payments', s('/payments?needsReview=true'));
    add('GET /api/v1/admin/payments/:id', s(`/payments/${payment.id}`));
    add('POST /api/v1/admin/payments/:id/resolve', s(`/payments/${payment.id}/resolve`, { reason: 'refunded by M-Pesa reversal' }));
    add('GET /api/v1/admin/vouchers/batches', s('/vouchers/batches'));
    add('POST /api/v1/admin/vouchers/batches', s('/vouchers/batches', { package: 'hour', count: 2 }));
    add('GET /api/v1/admin/vouchers/batches/:id', s(`/vouchers/batches/${batch.batchId}`));
    add('GET /api/v1/admin/vouchers/batches/:id/csv', s(`/vouchers/batches/${batch.batchId}/csv`));
    add('GET /api/v1/admin/vouchers/batches/:id/sheet', s(`/vouchers/batches/${batch.batchId}/sheet`));
    add('POST /api/v1/admin/vouchers/batches/:id/revoke', s(`/vouchers/batches/${batch.batchId}/revoke`, { reason: 'lost' }));
    add('POST /api/v1/admin/vouchers/:code/revoke', s(`/vouchers/${batch.codes[0]}/revoke`, {}));
    add('GET /api/v1/admin/admins', s('/admins'));
    add('POST /api/v1/admin/admins', () => ({
      url: '/admins',
      body: { email: `new${++n}@example.com`, password: PASSWORD, role: 'viewer' },
    }));
    add('PATCH /api/v1/admin/admins/:id', s(`/admins/${target.id}`, { role: 'operator' }));
    add('POST /api/v1/admin/admins/:id/password', s(`/admins/${target.id}/password`, { password: 'another long password' }));
    add('GET /api/v1/admin/settings', s('/settings'));
    add('PATCH /api/v1/admin/settings', s('/settings', { portalBranding: { name: 'Café Mocha' } }));
    add('GET /api/v1/admin/audit', s('/audit?limit=5'));
    add('GET /api/v1/admin/security-events', s('/security-events'));
    add('GET /api/v1/admin/overview', s('/overview'));
    // Registered by src/http/admin/reports.ts once merged.
    add('GET /api/v1/admin/reports', s('/reports'));
    add('GET /api/v1/admin/reports/:name', s('/reports/revenue'));
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  /** The status a request gets; the event stream's is read off a real connection, which is then dropped. */
  async function statusOf(method: string, sample: Sample, as: Signed | null): Promise<number> {
    if (sample.url === '/sessions/events') {
      const { port } = http.app.server.address() as { port: number };
      const ac = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/admin${sample.url}`, {
        headers: as ? { cookie: as.cookie } : {},
        signal: ac.signal,
      });
      ac.abort();
      return res.status;
    }
    const res = await call(http.app, method, sample.url, as, sample.body);
    if (res.statusCode >= 500) throw new Error(`${method} ${sample.url}: ${res.statusCode} ${res.body}`);
    return res.statusCode;
  }

  it('every registered route has a sample request here', () => {
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.map((r) => `${r.method} ${r.url}`).filter((k) => !samples.has(k));
    expect(missing).toEqual([]);
  });

  it('no session: 401 on every route but the public ones', async () => {
    for (const r of routes) {
      const status = await statusOf(r.method, samples.get(`${r.method} ${r.url}`)!(null), null);
      if (r.role === 'public') expect([r.method, r.url, status]).not.toEqual([r.method, r.url, 401]);
      else expect([r.method, r.url, status]).toEqual([r.method, r.url, 401]);
    }
  });

  for (const role of ['viewer', 'operator', 'admin'] as const) {
    it(`${role}: allowed where the route's role is at most ${role}, 403 elsewhere`, async () => {
      const session = await signIn(http.app, `${role}@example.com`);
      const seen: string[] = [];
      for (const r of routes) {
        const sample = samples.get(`${r.method} ${r.url}`)!(role);
        const as = sample.fresh ? await signIn(http.app, `${role}@example.com`) : session;
        const status = await statusOf(r.method, sample, as);
        const allowed = ROLE_RANK[role] >= ROLE_RANK[r.role];
        if (allowed) expect([r.method, r.url, status], `${role} allowed`).not.toSatisfy(([, , s]) => s === 401 || s === 403);
        else expect([r.method, r.url, status]).toEqual([r.method, r.url, 403]);
        seen.push(`${r.method} ${r.url} ${status}`);
      }
      expect(seen.length).toBe(routes.length);
    });
  }

  it('the role of each route, as documented (docs/readme-drafts/admin-api.md)', () => {
    const table = Object.fromEntries(routes.map((r) => [`${r.method} ${r.url.replace('/api/v1/admin', '')}`, r.role]));
    expect(table).toMatchObject({
      'POST /login': 'public',
      'GET /me': 'viewer',
      'POST /routers': 'admin',
      'PATCH /routers/:id': 'admin',
      'GET /routers': 'viewer',
      'GET /routers/status': 'viewer',
      'POST /sessions/:id/end': 'operator',
      'POST /payments/:id/resolve': 'operator',
      'POST /vouchers/batches': 'operator',
      'GET /vouchers/batches/:id/csv': 'operator',
      'GET /admins': 'admin',
      'PATCH /settings': 'admin',
      'GET /sessions/events': 'viewer',
    });
  });
});

describe('a route without a role', () => {
  it('stops the plugin from starting (the admin plugin runs this same check)', async () => {
    const Fastify = (await import('fastify')).default;
    const { requireRouteRoles } = await import('../../src/http/admin/roles.js');
    const app = Fastify();
    const seen: AdminRoute[] = [];
    void app.register(async (scope) => {
      requireRouteRoles(scope, seen);
      scope.get('/fine', { config: { role: 'viewer' } }, async () => 'x');
      await scope.register(async (inner) => {
        inner.get('/forgot', async () => 'x');
      });
    });
    await expect(app.ready()).rejects.toThrow(/admin route GET \/forgot declares no role/);
    expect(seen).toEqual([{ method: 'GET', url: '/fine', role: 'viewer' }]);
    await app.close().catch(() => {});
  });
});
