// The admin API's router routes against a whole NetFlow and the simulator's RouterOS API over real
// TCP/UDP on loopback: status (up/down/unknown by the unseen alert's rule), the API login set and
// removed (the password in no answer and no audit row), a reconciliation now, the script download
// (through tools/rsc-check), and the overview's router counts and open alerts.
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/admin/admins.js';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { CoaListener } from '../../tools/nas-sim/coa-listener.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { RouterOsApiServer } from '../../tools/nas-sim/routeros-api.js';
import { checkRsc } from '../../tools/rsc-check/check.js';
import { addRouter } from '../support/fixtures.js';
import { startTestNetflow } from '../support/netflow.js';
import { call, makeAdmin, PASSWORD, signIn } from './admin-support.js';
import { startTestHttp } from './support.js';
import { openTestDatabase } from '../support/db.js';

const SECRET = `radius-${randomBytes(12).toString('hex')}`;
const API_USER = 'netflow-api';
const API_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

interface Session {
  cookie: string;
  csrf: string;
}

describe('admin API: router status, sync, API login, script, overview', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;
  let hs: Hotspot;
  let coa: CoaListener;
  let api: RouterOsApiServer;
  let routerId: number;
  const as: Record<'admin' | 'operator' | 'viewer', Session> = {} as never;

  async function request(method: string, path: string, who: Session | null, body?: unknown) {
    const headers: Record<string, string> = {};
    if (who) headers.cookie = who.cookie;
    if (who && method !== 'GET') headers['x-csrf-token'] = who.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`http://127.0.0.1:${env.netflow.httpPort}/api/v1/admin${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }
  const json = (r: { text: string }) => JSON.parse(r.text);
  const audits = (action: string) => env.db.prisma.auditLog.findMany({ where: { action }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    env = await startTestNetflow(
      { apiTimeoutMs: 1500, routerJobs: 'manual' },
      { NETFLOW_SECRET_KEY: randomBytes(32).toString('hex'), PUBLIC_URL: 'https://wifi.example.com' },
    );
    hs = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: env.netflow.authPort,
      acctPort: env.netflow.acctPort,
      bindAddress: '127.0.0.1',
      clock: new ManualClock(),
      nasIdentifier: 'cafe-1-hap',
    });
    coa = await CoaListener.start({ target: hs, server: '127.0.0.1', secret: SECRET, port: 0, bindAddress: '127.0.0.1', log: hs.log });
    api = await RouterOsApiServer.start({ hotspot: hs, user: API_USER, password: API_PASSWORD, port: 0, coaPort: coa.port() });
    const router = await addRouter(env.db, { name: 'cafe-1', ip: '127.0.0.1', secret: SECRET });
    routerId = router.id;
    await env.db.prisma.router.update({ where: { id: routerId }, data: { coaPort: coa.port() } });
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      await createAdmin(env.db.prisma, { email: `${role}@example.com`, password: PASSWORD, role }, 'cli');
      const res = await fetch(`http://127.0.0.1:${env.netflow.httpPort}/api/v1/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${role}@example.com`, password: PASSWORD }),
      });
      expect(res.status).toBe(200);
      as[role] = { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0], csrf: (await res.json()).csrfToken };
    }
  });
  afterAll(async () => {
    await api?.close();
    await coa?.close();
    await hs?.stop({ endSessions: false });
    await env?.stop();
  });

  it('status before any API login: unknown (nothing heard yet), no api, reachability null', async () => {
    const r = await request('GET', `/routers/${routerId}/status`, as.viewer);
    expect(r.status, r.text).toBe(200);
    expect(json(r)).toMatchObject({ id: routerId, name: 'cafe-1', api: null, reachable: null, state: 'unknown', up: false, drift: [] });
    expect((await request('GET', '/routers/999999/status', as.viewer)).status).toBe(404);
  });

  it('sync without API credentials: 409 saying to set them first', async () => {
    const r = await request('POST', `/routers/${routerId}/sync`, as.operator);
    expect(r.status).toBe(409);
    expect(json(r).message).toBe(
      `router "cafe-1" has no RouterOS API credentials: set them first (PUT /api/v1/admin/routers/${routerId}/api)`,
    );
  });

  it('PUT /api seals the password: not in the answer, the audit row, or the status; operators may not', async () => {
    const body = { user: API_USER, password: API_PASSWORD, port: api.port() };
    expect((await request('PUT', `/routers/${routerId}/api`, as.operator, body)).status).toBe(403);
    const bad = await request('PUT', `/routers/${routerId}/api`, as.admin, { ...body, caFile: '/etc/hostname' });
    expect(bad.status).toBe(400);
    expect(json(bad).message).toContain('only applies with --tls');
    expect((await request('PUT', `/routers/${routerId}/api`, as.admin, { user: API_USER })).status).toBe(400);
    const r = await request('PUT', `/routers/${routerId}/api`, as.admin, body);
    expect(r.status, r.text).toBe(200);
    expect(json(r)).toEqual({ router: 'cafe-1', api: `${API_USER}@127.0.0.1:${api.port()}` });
    expect(r.text).not.toContain(API_PASSWORD);
    const [audit] = await audits('router.api_set');
    expect(audit).toMatchObject({ actor: 'admin@example.com', subject: 'cafe-1' });
    expect(JSON.stringify(audit.details)).not.toContain(API_PASSWORD);
    const row = await env.db.prisma.routerApiCredential.findUniqueOrThrow({ where: { routerId } });
    expect(row.passwordSealed).toMatch(/^v1\./);
  });

  it('status after a health round: reachable, identity, version, up; the list has every router', async () => {
    const [outcome] = await env.netflow.routerJobs.healthRound();
    expect(outcome).toMatchObject({ router: 'cafe-1', reachable: true });
    const one = await request('GET', `/routers/${routerId}/status`, as.viewer);
    expect(one.status, one.text).toBe(200);
    const s = json(one);
    expect(s).toMatchObject({
      api: `${API_USER}@127.0.0.1:${api.port()}`,
      reachable: true,
      identity: 'cafe-1-hap',
      version: '7.16.2 (stable)',
      freeMemory: '201326592',
      state: 'up',
      up: true,
      unseen: false,
      error: null,
    });
    expect(Date.parse(s.lastApiAnswerAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(one.text).not.toContain(API_PASSWORD);
    const list = await request('GET', '/routers/status', as.viewer);
    expect(json(list).routers.map((x: { name: string }) => x.name)).toEqual(['cafe-1']);
  });

  it('POST /sync removes a hotspot user NetFlow did not authorize, says so, and status shows the last sync', async () => {
    api.addLocalUser({ user: 'intruder', mac: '02:BB:00:00:00:01', address: '10.5.50.200' });
    expect((await request('POST', `/routers/${routerId}/sync`, as.viewer)).status).toBe(403);
    const r = await request('POST', `/routers/${routerId}/sync`, as.operator);
    expect(r.status, r.text).toBe(200);
    expect(json(r)).toMatchObject({
      router: 'cafe-1',
      onRouter: 1,
      openInNetflow: 0,
      closed: [],
      removed: [{ user: 'intruder', mac: '02:BB:00:00:00:01', address: '10.5.50.200', reason: 'not-radius' }],
    });
    expect(api.localUsers).toEqual([]);
    const [sync] = await audits('router.sync');
    expect(sync).toMatchObject({ actor: 'operator@example.com', subject: 'cafe-1', details: { onRouter: 1, closed: 0, removed: 1 } });
    const s = json(await request('GET', `/routers/${routerId}/status`, as.viewer));
    expect(s.lastSync).toEqual({ onRouter: 1, openInNetflow: 0, closed: 0, removed: 1 });
    expect(s.lastSyncAt).not.toBeNull();
  });

  it('GET /script while RADIUS listens on any free port: 400, a router needs the fixed port', async () => {
    const r = await request('GET', `/routers/${routerId}/script?netflowAddress=192.0.2.10`, as.admin);
    expect(r.status).toBe(400);
    expect(json(r).message).toBe("RADIUS_AUTH_PORT is 0 (any free port): a router needs NetFlow's fixed port");
    expect(await audits('router.script_downloaded')).toEqual([]);
  });

  it('overview: routers up/down/unknown and the alerts still open', async () => {
    const silent = await addRouter(env.db, { name: 'silent', ip: '127.0.0.21', secret: SECRET });
    await env.db.prisma.router.update({ where: { id: silent.id }, data: { createdAt: new Date(Date.now() - 20 * 60_000) } });
    await addRouter(env.db, { name: 'new', ip: '127.0.0.22', secret: SECRET });
    const outcomes = await env.netflow.routerJobs.healthRound();
    expect(outcomes.find((o) => o.router === 'silent')?.alerts).toEqual(['alert.router_unseen']);
    const o = json(await request('GET', '/overview', as.viewer));
    expect(o.routers).toEqual({ up: 1, down: 1, unknown: 1 });
    expect(o.openAlerts).toHaveLength(1);
    expect(o.openAlerts[0]).toMatchObject({ action: 'alert.router_unseen', subject: 'silent', actor: 'router-health' });
    const states = json(await request('GET', '/routers/status', as.viewer)).routers.map((r: { name: string; state: string }) => [
      r.name,
      r.state,
    ]);
    expect(states).toEqual([
      ['cafe-1', 'up'],
      ['new', 'unknown'],
      ['silent', 'down'],
    ]);
    // Heard again: up, and its alert is no longer open (the audit row stays).
    await env.db.prisma.router.update({ where: { id: silent.id }, data: { lastSeenAt: new Date() } });
    const after = json(await request('GET', '/overview', as.viewer));
    expect(after.routers).toEqual({ up: 2, down: 0, unknown: 1 });
    expect(after.openAlerts).toEqual([]);
    expect(after.securityEventsLastDay).toBeGreaterThanOrEqual(1);
  });

  it('DELETE /api removes the login (audited), a second time says there was none', async () => {
    expect((await request('DELETE', `/routers/${routerId}/api`, as.operator)).status).toBe(403);
    const r = await request('DELETE', `/routers/${routerId}/api`, as.admin);
    expect(r.status, r.text).toBe(200);
    expect(json(r)).toEqual({ router: 'cafe-1', removed: true });
    const [audit] = await audits('router.api_remove');
    expect(audit).toMatchObject({ actor: 'admin@example.com', subject: 'cafe-1', details: { after: { api: null } } });
    expect(JSON.stringify(audit.details)).not.toContain(API_PASSWORD);
    expect(json(await request('DELETE', `/routers/${routerId}/api`, as.admin))).toEqual({ router: 'cafe-1', removed: false });
    expect(json(await request('GET', `/routers/${routerId}/status`, as.viewer))).toMatchObject({ api: null, reachable: null });
  });

  it('sync against a router whose API does not answer: 502 naming the router and why, the password nowhere', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    expect(
      (await request('PUT', `/routers/${routerId}/api`, as.admin, { user: API_USER, password: API_PASSWORD, port: closed })).status,
    ).toBe(200);
    const r = await request('POST', `/routers/${routerId}/sync`, as.operator);
    expect(r.status, r.text).toBe(502);
    expect(json(r)).toMatchObject({ reason: 'router_unreachable' });
    expect(json(r).message).toMatch(/^router "cafe-1" was not reconciled: /);
    expect(r.text).not.toContain(API_PASSWORD);
  });
});

describe('admin API: GET /routers/:id/script', () => {
  it('the .rsc as a download that passes rsc-check, audited without the secret; admin only; a clear 400 without an IPv4 address', async () => {
    const db = await openTestDatabase();
    const http = await startTestHttp(db, { PUBLIC_URL: 'https://wifi.example.com', RADIUS_AUTH_PORT: '1812', RADIUS_ACCT_PORT: '1813' });
    try {
      const router = await addRouter(db, { name: 'cafe-1', ip: '10.0.0.1', secret: SECRET });
      await makeAdmin(db, 'admin@example.com', 'admin');
      await makeAdmin(db, 'operator@example.com', 'operator');
      const admin = await signIn(http.app, 'admin@example.com');
      const operator = await signIn(http.app, 'operator@example.com');
      const get = (query: string, who = admin) => call(http.app, 'GET', `/routers/${router.id}/script${query}`, who);
      expect((await get('?netflowAddress=192.0.2.10', operator)).statusCode).toBe(403);
      // PUBLIC_URL names a host, not an IPv4 address: the address must be asked for.
      const none = await get('');
      expect(none.statusCode).toBe(400);
      expect(none.json().message).toBe(
        'give ?netflowAddress=: the IPv4 address the router sends RADIUS to (the portal host wifi.example.com is not one)',
      );
      const notV4 = await get('?netflowAddress=example.com');
      expect(notV4.statusCode).toBe(400);
      expect(notV4.json().message).toBe('?netflowAddress= must be an IPv4 address, got "example.com"');
      expect((await get('?netflowAddress=192.0.2.10&portalUrl=ftp%3A%2F%2Fx%2F')).statusCode).toBe(400);
      const r = await get('?netflowAddress=192.0.2.10');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.headers['content-disposition']).toBe('attachment; filename="netflow-cafe-1.rsc"');
      expect(checkRsc(r.body).problems).toEqual([]);
      expect(r.body).toContain('192.0.2.10');
      expect(r.body).toContain('https://wifi.example.com/portal/');
      expect(r.body).toContain(SECRET);
      // A portal on an IPv4 address gives the NetFlow address itself.
      const byPortal = await get(`?portalUrl=${encodeURIComponent('http://10.8.0.1:3000/portal/')}`);
      expect(byPortal.statusCode, byPortal.body).toBe(200);
      expect(checkRsc(byPortal.body).problems).toEqual([]);
      expect(byPortal.body).toContain('http://10.8.0.1:3000/portal/');
      const downloads = await db.prisma.auditLog.findMany({ where: { action: 'router.script_downloaded' }, orderBy: { id: 'asc' } });
      expect(downloads).toHaveLength(2);
      expect(downloads[0]).toMatchObject({
        actor: 'admin@example.com',
        subject: 'cafe-1',
        details: { routerId: router.id, portalUrl: 'https://wifi.example.com/portal/', netflowAddress: '192.0.2.10' },
      });
      expect(downloads[1].details).toMatchObject({ netflowAddress: '10.8.0.1' });
      expect(JSON.stringify(downloads.map((d) => [d.subject, d.details]))).not.toContain(SECRET);
    } finally {
      await http.close();
      await db.close();
    }
  });
});
