// The admin API's sign-in: login, logout, me; cookie flags; tampered, expired and logged-out
// sessions; CSRF; login throttling per account and per address (shared in PostgreSQL); the
// first-run setup token; role changes and disables ending sessions at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { openTestDatabase } from '../support/db.js';
import { startTestHttp, type TestHttp } from './support.js';
import { call, cookieOf, makeAdmin, PASSWORD, signIn } from './admin-support.js';
import { tokenHash } from '../../src/admin/sign-in.js';
import { announceSetupToken } from '../../src/app/admin.js';
import { startNetflowOn } from '../support/netflow.js';
import { createLogger } from '../../src/config/logger.js';

describe('admin sign-in', () => {
  let db: Database;
  let http: TestHttp;
  beforeAll(async () => {
    db = await openTestDatabase();
    http = await startTestHttp(
      db,
      {},
      { loginLimits: { perAccount: { limit: 5, windowMs: 60_000 }, perAddress: { limit: 12, windowMs: 60_000 } } },
    );
    await makeAdmin(db, 'boss@example.com', 'admin');
    await makeAdmin(db, 'ops@example.com', 'operator');
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  it('login sets an httpOnly, SameSite=Strict cookie scoped to the admin API and answers who and the CSRF token', async () => {
    const res = await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { email: ' Boss@Example.com ', password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ admin: { email: 'boss@example.com', role: 'admin' }, idleMinutes: 120 });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^netflow_admin=[A-Za-z0-9_-]{43}; Path=\/api\/v1\/admin; Max-Age=86400; HttpOnly; SameSite=Strict$/);
    // Only the token's hash is stored.
    const token = cookieOf(res).split('=')[1];
    const rows = await db.prisma.adminSession.findMany();
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(JSON.stringify(rows)).not.toContain(token);
    const me = await call(http.app, 'GET', '/me', { email: 'boss@example.com', cookie: cookieOf(res), csrf: body.csrfToken });
    expect(me.json()).toMatchObject({ admin: { email: 'boss@example.com', role: 'admin' }, csrfToken: body.csrfToken });
  });

  it('Secure when the request came over TLS (a trusted proxy said so), or always when configured', async () => {
    const proxied = await startTestHttp(db, { TRUST_PROXY: '127.0.0.1' });
    const always = await startTestHttp(db, { ADMIN_COOKIE_SECURE: 'always' });
    try {
      const viaTls = await proxied.app.inject({
        method: 'POST',
        url: '/api/v1/admin/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { email: 'ops@example.com', password: PASSWORD },
      });
      expect(String(viaTls.headers['set-cookie'])).toMatch(/; Secure$/);
      const plain = await always.app.inject({
        method: 'POST',
        url: '/api/v1/admin/login',
        payload: { email: 'ops@example.com', password: PASSWORD },
      });
      expect(String(plain.headers['set-cookie'])).toMatch(/; Secure$/);
    } finally {
      await proxied.close();
      await always.close();
    }
  });

  it('401 without a session, with a tampered cookie, after logout, after expiry', async () => {
    expect((await call(http.app, 'GET', '/me', null)).statusCode).toBe(401);
    const s = await signIn(http.app, 'ops@example.com');
    const tampered = { ...s, cookie: s.cookie.slice(0, -2) + (s.cookie.endsWith('AA') ? 'BB' : 'AA') };
    const t = await call(http.app, 'GET', '/me', tampered);
    expect([t.statusCode, t.json().reason]).toEqual([401, 'unauthenticated']);
    expect((await call(http.app, 'GET', '/me', s)).statusCode).toBe(200);

    const out = await call(http.app, 'POST', '/logout', s);
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^netflow_admin=; Path=\/api\/v1\/admin; Max-Age=0;/);
    expect((await call(http.app, 'GET', '/me', s)).statusCode).toBe(401);

    const idle = await signIn(http.app, 'ops@example.com');
    await db.prisma.adminSession.updateMany({ data: { lastSeenAt: new Date(Date.now() - 3 * 3600_000) } });
    expect((await call(http.app, 'GET', '/me', idle)).statusCode).toBe(401);
    const old = await signIn(http.app, 'ops@example.com');
    await db.prisma.adminSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await call(http.app, 'GET', '/me', old)).statusCode).toBe(401);
  });

  it('requests other than GET need the session CSRF token: missing or wrong → 403', async () => {
    const s = await signIn(http.app, 'boss@example.com');
    const body = { name: 'Starter', minutes: 60, price: '500', currency: 'TZS', rateLimit: '1M/2M' };
    const missing = await call(http.app, 'POST', '/packages', s, body, { csrf: null });
    expect([missing.statusCode, missing.json().reason]).toEqual([403, 'csrf']);
    const other = await signIn(http.app, 'boss@example.com');
    const wrong = await call(http.app, 'POST', '/packages', s, body, { csrf: other.csrf });
    expect([wrong.statusCode, wrong.json().reason]).toEqual([403, 'csrf']);
    expect(await db.prisma.package.count()).toBe(0);
    expect((await call(http.app, 'POST', '/packages', s, body)).statusCode).toBe(201);
  });

  it('a failed login is a 401 with one message for unknown email and wrong password, audited as security.login_failed', async () => {
    const unknown = await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { email: 'nobody@example.com', password: PASSWORD },
      remoteAddress: '10.9.0.1',
    });
    const wrong = await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { email: 'boss@example.com', password: 'not the password' },
      remoteAddress: '10.9.0.1',
    });
    expect([unknown.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(unknown.json().error).toBe(wrong.json().error);
    const audit = await db.prisma.auditLog.findMany({ where: { action: 'security.login_failed' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.subject, (a.details as { reason: string }).reason])).toEqual([
      ['nobody@example.com', 'unknown_email'],
      ['boss@example.com', 'wrong_password'],
    ]);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain('not the password');
  });

  it('throttles logins per account (from any address) and per address (any account), with Retry-After', async () => {
    await makeAdmin(db, 'target@example.com', 'viewer');
    const attempt = (email: string, ip: string, password = 'wrong wrong wrong') =>
      http.app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { email, password }, remoteAddress: ip });
    for (let i = 0; i < 5; i++) expect((await attempt('target@example.com', `10.1.0.${i + 1}`)).statusCode).toBe(401);
    const refused = await attempt('target@example.com', '10.1.0.99', PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ reason: 'throttled' });
    expect(refused.json().message).toMatch(/^Too many sign-in attempts\. Wait \d+ minutes? and try again/);

    // Per address: 12 tries from one address over many accounts.
    for (let i = 0; i < 12; i++) expect((await attempt(`guess${i}@example.com`, '10.2.0.1')).statusCode).toBe(401);
    expect((await attempt('boss@example.com', '10.2.0.1', PASSWORD)).statusCode).toBe(429);
    // Another address is still served.
    expect((await attempt('boss@example.com', '10.2.0.2', PASSWORD)).statusCode).toBe(200);
  });

  it('the throttle holds across instances: the counts live in PostgreSQL', async () => {
    const other = await startTestHttp(db, {}, { loginLimits: { perAccount: { limit: 5, windowMs: 60_000 } } });
    try {
      // target@ used its 5 on the first instance (previous test).
      const res = await other.app.inject({
        method: 'POST',
        url: '/api/v1/admin/login',
        payload: { email: 'target@example.com', password: PASSWORD },
        remoteAddress: '10.3.0.1',
      });
      expect(res.statusCode).toBe(429);
    } finally {
      await other.close();
    }
  });

  it('a role change or a disable ends the admin’s sessions at once; a disabled admin cannot sign in', async () => {
    await makeAdmin(db, 'chief@example.com', 'admin');
    const boss = await signIn(http.app, 'chief@example.com', PASSWORD, '10.5.0.1');
    const victim = await makeAdmin(db, 'temp@example.com', 'operator');
    const s = await signIn(http.app, 'temp@example.com', PASSWORD, '10.5.0.2');
    expect((await call(http.app, 'PATCH', `/admins/${victim.id}`, boss, { role: 'viewer' })).statusCode).toBe(200);
    expect((await call(http.app, 'GET', '/me', s)).statusCode).toBe(401);
    const again = await signIn(http.app, 'temp@example.com', PASSWORD, '10.5.0.2');
    expect((await call(http.app, 'GET', '/me', again)).json().admin.role).toBe('viewer');
    expect((await call(http.app, 'PATCH', `/admins/${victim.id}`, boss, { disabled: true })).statusCode).toBe(200);
    expect((await call(http.app, 'GET', '/me', again)).statusCode).toBe(401);
    const refused = await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/login',
      payload: { email: 'temp@example.com', password: PASSWORD },
      remoteAddress: '10.5.0.3',
    });
    expect([refused.statusCode, refused.json().reason]).toEqual([403, 'disabled']);
    // Nobody demotes themselves, and the last admin stays.
    const self = await call(
      http.app,
      'PATCH',
      `/admins/${(await db.prisma.adminUser.findUniqueOrThrow({ where: { email: 'chief@example.com' } })).id}`,
      boss,
      { role: 'viewer' },
    );
    expect(self.statusCode).toBe(400);
  });
});

describe('first run: the setup token', () => {
  let db: Database;
  let http: TestHttp;
  beforeAll(async () => {
    db = await openTestDatabase();
    http = await startTestHttp(db);
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  it('netflow serve prints the setup token while no admin exists', async () => {
    const lines: string[] = [];
    const fresh = await openTestDatabase();
    const netflow = await startNetflowOn(
      fresh,
      {},
      {},
      {},
      createLogger('info', (l) => lines.push(l)),
    );
    try {
      const line = lines.map((l) => JSON.parse(l)).find((l) => l.setupToken);
      expect(line).toMatchObject({ level: 'warn', msg: expect.stringMatching(/^no admin exists yet/) });
      const ok = await fetch(`http://127.0.0.1:${netflow.httpPort}/api/v1/admin/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: line.setupToken, email: 'owner@example.com', password: PASSWORD }),
      });
      expect(ok.status).toBe(200);
    } finally {
      await netflow.close();
      await fresh.close();
    }
  });

  it('while no admin exists, POST /setup with the logged token creates the first admin, once; audited', async () => {
    const lines: string[] = [];
    const token = await announceSetupToken(
      db,
      createLogger('info', (l) => lines.push(l)),
      3000,
    );
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(lines.join('\n')).toContain(token!);
    expect((await http.app.inject({ method: 'GET', url: '/api/v1/admin/setup' })).json()).toEqual({ needed: true });

    // A token older than a day is refused (and forgotten at the next start).
    const stale = await announceSetupToken(db, createLogger('silent'), 3000);
    const staleKey = `admin.setup_token.${tokenHash(stale!)}`;
    await db.prisma.$executeRaw`UPDATE settings SET updated_at = now() - interval '25 hours' WHERE key = ${staleKey}`;
    const old = await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/setup',
      payload: { token: stale, email: 'first@example.com', password: PASSWORD },
    });
    expect([old.statusCode, old.json().field]).toEqual([400, 'token']);
    await announceSetupToken(db, createLogger('silent'), 3000);
    expect(await db.prisma.setting.findUnique({ where: { key: staleKey } })).toBeNull();

    const bad = await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/setup',
      payload: { token: 'nope', email: 'first@example.com', password: PASSWORD },
    });
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'token']);
    const ok = await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/setup',
      payload: { token, email: 'first@example.com', password: PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().admin).toMatchObject({ email: 'first@example.com', role: 'admin' });
    expect(cookieOf(ok)).toMatch(/^netflow_admin=/);
    const again = await http.app.inject({
      method: 'POST',
      url: '/api/v1/admin/setup',
      payload: { token, email: 'second@example.com', password: PASSWORD },
    });
    expect(again.statusCode).toBe(409);
    expect((await http.app.inject({ method: 'GET', url: '/api/v1/admin/setup' })).json()).toEqual({ needed: false });
    expect(await announceSetupToken(db, createLogger('silent'), 3000)).toBeNull();
    expect(await db.prisma.setting.count({ where: { key: { startsWith: 'admin.setup_token.' } } })).toBe(0);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'admin.setup' } });
    expect(audit).toMatchObject({ actor: 'first@example.com', subject: 'first@example.com' });
  });
});
