// The admin API's resources through HTTP, as the dashboard uses them: routers, packages, sessions,
// payments, vouchers, admins, settings, the audit log and security events. Every change is in
// the audit log with the admin's email as actor and what changed before/after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { verifyPassword } from '../../src/admin/passwords.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement } from '../support/fixtures.js';
import { startTestHttp, type TestHttp } from './support.js';
import { call, makeAdmin, PASSWORD, type Signed, signIn } from './admin-support.js';

describe('admin API resources', () => {
  let db: Database;
  let http: TestHttp;
  let boss: Signed;
  let ops: Signed;
  const lastAudit = async (action: string) => db.prisma.auditLog.findFirstOrThrow({ where: { action }, orderBy: { id: 'desc' } });

  beforeAll(async () => {
    db = await openTestDatabase();
    http = await startTestHttp(db);
    await makeAdmin(db, 'boss@example.com', 'admin');
    await makeAdmin(db, 'ops@example.com', 'operator');
    boss = await signIn(http.app, 'boss@example.com');
    ops = await signIn(http.app, 'ops@example.com');
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  it('routers: add (a random secret shown once), edit, disable, rotate the secret; secrets never listed or audited', async () => {
    const added = await call(http.app, 'POST', '/routers', boss, { name: 'cafe', ip: '10.0.0.7', location: 'Main St' });
    expect(added.statusCode).toBe(201);
    const { router, secret } = added.json();
    expect(secret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(router).toMatchObject({
      name: 'cafe',
      ip: '10.0.0.7',
      status: 'active',
      openSessions: 0,
      secretMasked: `${secret.slice(0, 2)}…${secret.slice(-2)}`,
    });
    const list = await call(http.app, 'GET', '/routers', ops);
    expect(list.json().routers.map((r: { name: string }) => r.name)).toEqual(['cafe']);
    expect(list.body).not.toContain(secret);

    const dup = await call(http.app, 'POST', '/routers', boss, { name: 'other', ip: '10.0.0.7' });
    expect([dup.statusCode, dup.json().field, dup.json().reason]).toEqual([409, 'ip', 'conflict']);
    const bad = await call(http.app, 'POST', '/routers', boss, { name: 'x', ip: 'not-an-ip' });
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'ip']);

    const edited = await call(http.app, 'PATCH', `/routers/${router.id}`, boss, {
      location: 'Upstairs',
      coaPort: 3800,
      status: 'disabled',
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().router).toMatchObject({ location: 'Upstairs', coaPort: 3800, status: 'disabled' });
    const change = await lastAudit('router.change');
    expect(change).toMatchObject({ actor: 'boss@example.com', subject: 'cafe' });
    expect(change.details).toMatchObject({
      before: { location: 'Main St', coaPort: 3799, status: 'active' },
      after: { location: 'Upstairs', coaPort: 3800, status: 'disabled' },
    });

    const rotated = await call(http.app, 'POST', `/routers/${router.id}/rotate-secret`, boss, {});
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().secret).not.toBe(secret);
    expect((await db.prisma.router.findUniqueOrThrow({ where: { id: router.id } })).secret).toBe(rotated.json().secret);
    const audit = await lastAudit('router.secret_rotated');
    expect(JSON.stringify(audit.details)).not.toContain(rotated.json().secret);
    expect(JSON.stringify((await db.prisma.auditLog.findMany()).map((a) => a.details))).not.toContain(secret);
    expect((await call(http.app, 'GET', '/routers/999', ops)).statusCode).toBe(404);
  });

  it('packages: add, edit (before/after in the audit), disable', async () => {
    const made = await call(http.app, 'POST', '/packages', boss, {
      name: 'Hour',
      minutes: 60,
      price: '1000',
      currency: 'TZS',
      rateLimit: '2M/5M',
      dataMb: '500',
    });
    expect(made.statusCode).toBe(201);
    const p = made.json().package;
    expect(p).toMatchObject({
      name: 'Hour',
      priceMinor: '100000',
      price: '1000.00 TZS',
      rateLimit: '2M/5M',
      dataCapBytes: '500000000',
      active: true,
    });
    const edited = await call(http.app, 'PATCH', `/packages/${p.id}`, boss, { price: '1500', dataMb: null });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().package).toMatchObject({ priceMinor: '150000', dataCapBytes: null });
    expect((await lastAudit('package.change')).details).toEqual({
      id: p.id,
      before: { priceMinor: '100000', dataCapBytes: '500000000' },
      after: { priceMinor: '150000', dataCapBytes: null },
    });
    const off = await call(http.app, 'PATCH', `/packages/${p.id}`, boss, { active: false });
    expect(off.json().package.active).toBe(false);
    expect(await lastAudit('package.disable')).toMatchObject({
      actor: 'boss@example.com',
      details: { before: { active: true }, after: { active: false } },
    });
    const badRate = await call(http.app, 'PATCH', `/packages/${p.id}`, boss, { rateLimit: 'fast' });
    expect([badRate.statusCode, badRate.json().field]).toEqual([400, 'rateLimit']);
    const empty = await call(http.app, 'PATCH', `/packages/${p.id}`, boss, {});
    expect(empty.statusCode).toBe(400);
    await call(http.app, 'PATCH', `/packages/${p.id}`, boss, { active: true });
  });

  it('sessions: filters (router, status, search, dates), pages by id; end queues a Disconnect, audited', async () => {
    const router = await db.prisma.router.findUniqueOrThrow({ where: { name: 'cafe' } });
    const pkg = await db.prisma.package.findUniqueOrThrow({ where: { name: 'Hour' } });
    const ent = await addEntitlement(db, pkg.id, { code: 'SESSCODE' });
    const t0 = new Date('2026-12-01T10:00:00Z');
    for (let i = 0; i < 7; i++) {
      await db.prisma.accountingSession.create({
        data: {
          routerId: router.id,
          acctSessionId: `s${i}`,
          userName: i === 3 ? 'SESSCODE' : `user${i}`,
          entitlementId: i === 3 ? ent.id : null,
          mac: `02:00:00:00:00:0${i}`,
          startedAt: new Date(t0.getTime() + i * 3600_000),
          updatedAt: new Date(t0.getTime() + i * 3600_000),
          status: i % 2 === 0 ? 'closed' : 'open',
        },
      });
    }
    const page1 = await call(http.app, 'GET', '/sessions?limit=3', ops);
    expect(page1.json().sessions.map((s: { userName: string }) => s.userName)).toEqual(['user6', 'user5', 'user4']);
    const page2 = await call(http.app, 'GET', `/sessions?limit=3&before=${page1.json().nextBefore}`, ops);
    expect(page2.json().sessions.map((s: { userName: string }) => s.userName)).toEqual(['SESSCODE', 'user2', 'user1']);
    const open = await call(http.app, 'GET', '/sessions?status=open&router=cafe', ops);
    expect(open.json().sessions.map((s: { userName: string }) => s.userName)).toEqual(['user5', 'SESSCODE', 'user1']);
    const byMac = await call(http.app, 'GET', '/sessions?search=00:00:04', ops);
    expect(byMac.json().sessions.map((s: { userName: string }) => s.userName)).toEqual(['user4']);
    const byCode = await call(http.app, 'GET', '/sessions?search=sesscode', ops);
    expect(byCode.json().sessions[0]).toMatchObject({ code: 'SESSCODE', status: 'open', bytesUp: '0' });
    const dated = await call(http.app, 'GET', '/sessions?from=2026-12-01T12:00:00Z&to=2026-12-01T14:00:00Z', ops);
    expect(dated.json().sessions.map((s: { userName: string }) => s.userName)).toEqual(['SESSCODE', 'user2']);
    const badStatus = await call(http.app, 'GET', '/sessions?status=gone', ops);
    expect(badStatus.statusCode).toBe(400);

    const id = byCode.json().sessions[0].id;
    const end = await call(http.app, 'POST', `/sessions/${id}/end`, ops);
    expect(end.statusCode).toBe(200);
    expect(end.json()).toMatchObject({ sessionId: id, actions: [{ kind: 'disconnect' }] });
    expect(await lastAudit('session.end.requested')).toMatchObject({ actor: 'ops@example.com', subject: `session ${id}` });
    const closed = (await call(http.app, 'GET', '/sessions?status=closed&limit=1', ops)).json().sessions[0].id;
    const already = await call(http.app, 'POST', `/sessions/${closed}/end`, ops);
    expect([already.statusCode, already.json().message]).toEqual([400, `session ${closed} has already ended`]);
  });

  it('payments: filter by review, resolve one held for review with a reason (audited before/after)', async () => {
    const pkg = await db.prisma.package.findUniqueOrThrow({ where: { name: 'Hour' } });
    const base = {
      packageId: pkg.id,
      provider: 'daraja',
      network: 'safaricom',
      amountMinor: 100000n,
      currency: 'KES',
      expiresAt: new Date(),
      nextCheckAt: new Date(),
    };
    const held = await db.prisma.payment.create({
      data: { ...base, reference: 'HELD000001', callbackToken: 't1', phone: '254700000111', status: 'expired', needsReview: true },
    });
    await db.prisma.payment.create({
      data: { ...base, reference: 'FINE000002', callbackToken: 't2', phone: '254700000222', status: 'paid', paidAt: new Date() },
    });
    const review = await call(http.app, 'GET', '/payments?needsReview=true', ops);
    expect(review.json()).toMatchObject({ total: 1, payments: [{ reference: 'HELD000001', phone: '2547••••0111', needsReview: true }] });
    expect(
      (await call(http.app, 'GET', '/payments?search=0222', ops)).json().payments.map((p: { reference: string }) => p.reference),
    ).toEqual(['FINE000002']);
    const short = await call(http.app, 'POST', `/payments/${held.id}/resolve`, ops, { reason: 'x' });
    expect(short.statusCode).toBe(400);
    const done = await call(http.app, 'POST', `/payments/${held.id}/resolve`, ops, { reason: 'Refunded by M-Pesa reversal' });
    expect(done.json().payment).toMatchObject({
      needsReview: false,
      reviewedBy: 'ops@example.com',
      reviewNote: 'Refunded by M-Pesa reversal',
      status: 'expired',
    });
    expect(await lastAudit('payment.review_resolved')).toMatchObject({
      actor: 'ops@example.com',
      subject: 'payment HELD000001',
      details: { reason: 'Refunded by M-Pesa reversal', before: { needsReview: true }, after: { needsReview: false } },
    });
    expect((await call(http.app, 'POST', `/payments/${held.id}/resolve`, ops, { reason: 'again please' })).statusCode).toBe(409);
  });

  it('vouchers: create a batch, list its codes, CSV and printable sheet (audited), revoke one and the batch', async () => {
    const made = await call(http.app, 'POST', '/vouchers/batches', ops, { package: 'Hour', count: 3, prefix: 'CAFE', validDays: 30 });
    expect(made.statusCode).toBe(201);
    const { batchId, codes } = made.json();
    expect(codes).toHaveLength(3);
    expect((await call(http.app, 'GET', '/vouchers/batches', ops)).json().batches[0]).toMatchObject({
      id: batchId,
      count: 3,
      unused: 3,
      createdBy: 'ops@example.com',
    });
    const detail = await call(http.app, 'GET', `/vouchers/batches/${batchId}`, ops);
    expect(detail.json().vouchers.map((v: { code: string }) => v.code)).toEqual(codes);
    const csv = await call(http.app, 'GET', `/vouchers/batches/${batchId}/csv`, ops);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n')[0]).toBe('code,package,minutes,price,currency,valid_until,status');
    const sheet = await call(http.app, 'GET', `/vouchers/batches/${batchId}/sheet?site=Cafe%20Mocha`, ops);
    expect(sheet.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(sheet.body).toContain('Cafe Mocha');
    expect(sheet.body).toContain(codes[1]);
    expect((await lastAudit('voucher.export')).actor).toBe('ops@example.com');

    const one = await call(http.app, 'POST', `/vouchers/${codes[0]}/revoke`, ops, { reason: 'sold twice' });
    expect(one.json()).toEqual({ revoked: 1 });
    const rest = await call(http.app, 'POST', `/vouchers/batches/${batchId}/revoke`, ops, {});
    expect(rest.json()).toEqual({ revoked: 2 });
    expect((await call(http.app, 'GET', '/vouchers/batches', ops)).json().batches[0]).toMatchObject({ unused: 0, revoked: 3 });
    const audit = await lastAudit('voucher.revoke');
    expect(audit.details).toMatchObject({ count: 2, before: { status: 'active' }, after: { status: 'revoked' } });
    expect(JSON.stringify(audit.details)).not.toContain(codes[1]);
  });

  it('admins: create, list, change role, reset password (sessions end; audited without the password)', async () => {
    const made = await call(http.app, 'POST', '/admins', boss, { email: 'New@Example.com', password: PASSWORD, role: 'viewer' });
    expect(made.statusCode).toBe(201);
    const id = made.json().admin.id;
    expect(made.json().admin).toMatchObject({ email: 'new@example.com', role: 'viewer', disabled: false });
    expect((await call(http.app, 'GET', '/admins', boss)).json().admins.map((a: { email: string }) => a.email)).toEqual([
      'boss@example.com',
      'new@example.com',
      'ops@example.com',
    ]);
    expect(
      (await call(http.app, 'POST', '/admins', boss, { email: 'new@example.com', password: PASSWORD, role: 'viewer' })).statusCode,
    ).toBe(409);
    const theirs = await signIn(http.app, 'new@example.com');
    const role = await call(http.app, 'PATCH', `/admins/${id}`, boss, { role: 'operator' });
    expect(role.json().admin.role).toBe('operator');
    expect((await lastAudit('admin.change')).details).toMatchObject({
      before: { role: 'viewer' },
      after: { role: 'operator' },
      sessionsEnded: 1,
    });
    expect((await call(http.app, 'GET', '/me', theirs)).statusCode).toBe(401);
    const reset = await call(http.app, 'POST', `/admins/${id}/password`, boss, { password: 'a brand new passphrase' });
    expect(reset.statusCode).toBe(200);
    const row = await db.prisma.adminUser.findUniqueOrThrow({ where: { id } });
    expect(await verifyPassword('a brand new passphrase', row.passwordHash)).toBe(true);
    expect(JSON.stringify((await lastAudit('admin.password_reset')).details)).not.toContain('passphrase');
    expect((await call(http.app, 'POST', `/admins/${id}/password`, boss, { password: 'short' })).statusCode).toBe(400);
  });

  it('settings: portal branding and RADIUS settings validated, stored, audited before/after', async () => {
    expect((await call(http.app, 'GET', '/settings', ops)).json()).toEqual({
      portalBranding: { name: 'Wi-Fi' },
      radius: { interimIntervalSeconds: 300, holdSeconds: 120 },
    });
    const bad = await call(http.app, 'PATCH', '/settings', boss, { portalBranding: { name: 'Cafe', primaryColor: 'red' } });
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'primaryColor']);
    const badLogo = await call(http.app, 'PATCH', '/settings', boss, { portalBranding: { name: 'Cafe', logoUrl: 'javascript:alert(1)' } });
    expect([badLogo.statusCode, badLogo.json().field]).toEqual([400, 'logoUrl']);
    const tooFast = await call(http.app, 'PATCH', '/settings', boss, { radius: { interimIntervalSeconds: 10 } });
    expect([tooFast.statusCode, tooFast.json().field]).toEqual([400, 'interimIntervalSeconds']);
    const ok = await call(http.app, 'PATCH', '/settings', boss, {
      portalBranding: { name: 'Café Mocha', primaryColor: '#AA3300', logoUrl: '/portal/logo.png', supportPhone: '+255 754 000 111' },
      radius: { interimIntervalSeconds: 600 },
    });
    expect(ok.json()).toEqual({
      portalBranding: { name: 'Café Mocha', primaryColor: '#aa3300', logoUrl: '/portal/logo.png', supportPhone: '+255 754 000 111' },
      radius: { interimIntervalSeconds: 600, holdSeconds: 120 },
    });
    expect((await db.prisma.setting.findUniqueOrThrow({ where: { key: 'portal.branding' } })).value).toMatchObject({ name: 'Café Mocha' });
    expect((await lastAudit('settings.change')).details).toMatchObject({
      before: { portalBranding: { name: 'Wi-Fi' }, radius: { interimIntervalSeconds: 300 } },
      after: { portalBranding: { name: 'Café Mocha' }, radius: { interimIntervalSeconds: 600 } },
    });
  });

  it('audit log: newest first, paged by id, filtered by actor, action prefix and date; security events apart', async () => {
    await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { email: 'boss@example.com', password: 'wrong password!' },
    });
    const first = await call(http.app, 'GET', '/audit?limit=2', ops);
    const entries = first.json().entries;
    expect(entries).toHaveLength(2);
    expect(BigInt(entries[0].id) > BigInt(entries[1].id)).toBe(true);
    const next = await call(http.app, 'GET', `/audit?limit=2&before=${first.json().nextBefore}`, ops);
    expect(BigInt(next.json().entries[0].id) < BigInt(entries[1].id)).toBe(true);
    const byBoss = (await call(http.app, 'GET', '/audit?actor=BOSS@example.com&action=router.', ops)).json().entries;
    expect(new Set(byBoss.map((e: { action: string }) => e.action))).toEqual(
      new Set(['router.add', 'router.change', 'router.secret_rotated']),
    );
    const future = await call(http.app, 'GET', '/audit?from=2100-01-01T00:00:00Z', ops);
    expect(future.json()).toEqual({ entries: [], nextBefore: null });
    const security = (await call(http.app, 'GET', '/security-events', ops)).json().entries;
    expect(security.map((e: { action: string }) => e.action)).toEqual(['security.login_failed']);
    expect(security[0]).toMatchObject({ subject: 'boss@example.com', details: { reason: 'wrong_password' } });
  });

  it('overview: online now, mobile money paid today per currency (no test money), payments to review, recent security events', async () => {
    const pkg = await db.prisma.package.findUniqueOrThrow({ where: { name: 'Hour' } });
    const base = {
      packageId: pkg.id,
      provider: 'daraja',
      network: 'safaricom',
      currency: 'KES',
      expiresAt: new Date(),
      nextCheckAt: new Date(),
    };
    await db.prisma.payment.create({
      data: {
        ...base,
        reference: 'TODAY00001',
        callbackToken: 't3',
        phone: '254700000333',
        amountMinor: 5000n,
        status: 'paid',
        paidAt: new Date(),
      },
    });
    await db.prisma.payment.create({
      data: {
        ...base,
        reference: 'TEST000001',
        callbackToken: 't4',
        phone: '254700000444',
        amountMinor: 7000n,
        status: 'paid',
        paidAt: new Date(),
        sandbox: true,
      },
    });
    const res = await call(http.app, 'GET', '/overview', ops);
    expect(res.statusCode).toBe(200);
    // FINE000002 (1000.00 KES, paid today in the payments test) + TODAY00001 (50.00 KES).
    // Three open sessions from the sessions test (the one ended there waits for its Disconnect: no enforcer runs here).
    expect(res.json()).toMatchObject({
      onlineNow: 3,
      revenueToday: [{ currency: 'KES', count: 2, amountMinor: '105000', amount: '1050.00 KES' }],
      paymentsNeedingReview: 0,
      securityEventsLastDay: 1,
    });
  });
});
