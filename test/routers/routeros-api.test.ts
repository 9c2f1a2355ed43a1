// NetFlow and a simulated router over real TCP/UDP on loopback: the simulator's RouterOS API
// (tools/nas-sim/routeros-api.ts) answering node-routeros, its hotspot sending RADIUS to NetFlow.
// Credentials sealed in the database; health and drift; reconciliation both ways; the fallback
// kick after a NAK and after silence (and none without credentials); a router whose API is down.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSession } from '../../src/admin/sessions.js';
import { CODE } from '../../src/radius/codes.js';
import { RouterOSAPI } from 'node-routeros';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { CoaListener } from '../../tools/nas-sim/coa-listener.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { RouterOsApiServer } from '../../tools/nas-sim/routeros-api.js';
import { cliFor, type RunCli } from '../cli/run-cli.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { startTestNetflow } from '../support/netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';

const SECRET = 'routeros-api-secret-0123456789';
const API_USER = 'netflow-api';
const API_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const KEY = randomBytes(32).toString('hex');
const ROUTER = 'cafe-1';

describe('RouterOS API: health, reconciliation, fallback kick', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;
  let hs: Hotspot;
  let coa: CoaListener;
  let api: RouterOsApiServer;
  let cli: RunCli;
  let radius: TestRadiusClient;
  let routerId: number;
  let pkgId: number;
  let offsetMs = 0;
  let guest = 0;

  beforeAll(async () => {
    env = await startTestNetflow(
      { coaTimeoutMs: 150, apiTimeoutMs: 1500, now: () => new Date(Date.now() + offsetMs) },
      { NETFLOW_SECRET_KEY: KEY },
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
    const router = await addRouter(env.db, { name: ROUTER, ip: '127.0.0.1', secret: SECRET });
    routerId = router.id;
    await env.db.prisma.router.update({ where: { id: routerId }, data: { coaPort: coa.port() } });
    pkgId = (await addPackage(env.db, { minutes: 60 })).id;
    cli = cliFor({ DATABASE_URL: env.db.url, NETFLOW_SECRET_KEY: KEY });
    radius = await TestRadiusClient.open();
    // The RADIUS thread's router table learns the router from a NOTIFY; wait until it answers.
    for (let i = 0; i < 50; i++) {
      const { reply } = await radius.send(
        CODE.accessRequest,
        [
          ['User-Name', 'probe'],
          ['User-Password', 'x'],
          ['NAS-Identifier', 'probe'],
        ],
        SECRET,
        env.netflow.authPort,
      );
      if (reply) break;
    }
  });
  afterAll(async () => {
    radius.close();
    await api.close();
    await coa.close();
    await hs.stop({ endSessions: false });
    await env.stop();
  });

  async function login(code = `RAPI${++guest}`) {
    await addEntitlement(env.db, pkgId, { code });
    const r = await hs.login({
      method: 'pap',
      mac: `02:AA:00:00:01:${(++guest).toString(16).padStart(2, '0')}`,
      username: code,
      password: code,
    });
    if (!r.ok) throw new Error(`login refused: ${r.replyMessage}`);
    await hs.settled();
    const session = await env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: r.session.acctSessionId } });
    return { code, view: r.session, session };
  }

  const audits = (action: string) => env.db.prisma.auditLog.findMany({ where: { action }, orderBy: { id: 'asc' } });

  it('node-routeros logs in to the simulator and reads it; a wrong password is refused', async () => {
    const ok = new RouterOSAPI({ host: '127.0.0.1', port: api.port(), user: API_USER, password: API_PASSWORD, timeout: 3 });
    await ok.connect();
    const [identity] = await ok.write('/system/identity/print');
    expect(identity.name).toBe('cafe-1-hap');
    const profiles = await ok.write('/ip/hotspot/profile/print', ['?name=hsprof1', '=.proplist=name,use-radius']);
    expect(profiles).toEqual([{ name: 'hsprof1', 'use-radius': 'true' }]);
    await expect(ok.write('/no/such/menu')).rejects.toThrow('no such command prefix');
    await expect(ok.write('/ip/hotspot/active/remove', ['=.id=*FFFF'])).rejects.toThrow('no such item');
    // Commands on one connection are told apart by their .tag, answered as each completes.
    const both = await Promise.all([ok.write('/system/identity/print'), ok.write('/radius/incoming/print')]);
    expect(both[0][0].name).toBe('cafe-1-hap');
    expect(both[1][0]).toMatchObject({ accept: 'true' });
    await ok.close();
    const bad = new RouterOSAPI({ host: '127.0.0.1', port: api.port(), user: API_USER, password: 'wrong', timeout: 3 });
    await expect(bad.connect()).rejects.toMatchObject({ errno: 'CANTLOGIN' });
  });

  it('router api stores the password sealed: no table in the database holds it in plain text', async () => {
    const r = await cli('router', 'api', ROUTER, '--user', API_USER, '--password', API_PASSWORD, '--port', String(api.port()));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`router "${ROUTER}": api ${API_USER}@127.0.0.1:${api.port()} (password stored encrypted)\n`);
    expect(r.stdout + r.stderr).not.toContain(API_PASSWORD);
    // A dump of every table, row by row, as text.
    const { rows: tables } = await env.db.pool.query<{ t: string }>(
      `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    let dump = '';
    for (const { t } of tables) dump += (await env.db.pool.query(`SELECT x::text AS row FROM ${t} x`)).rows.map((x) => x.row).join('\n');
    expect(dump).toContain(API_USER);
    expect(dump).not.toContain(API_PASSWORD);
    expect(dump).not.toContain(Buffer.from(API_PASSWORD).toString('base64'));
    const row = await env.db.prisma.routerApiCredential.findUniqueOrThrow({ where: { routerId } });
    expect(row.passwordSealed).toMatch(/^v1\./);
    const list = await cli('router', 'list');
    expect(list.stdout).toContain(`api: ${API_USER}@127.0.0.1:${api.port()}`);
    expect(list.stdout).not.toContain(API_PASSWORD);
  });

  it('router api / sync refuse bad input with one line saying what to do', async () => {
    const missing = await cli('router', 'api', ROUTER, '--user', API_USER);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe('netflow: --password is required (see: netflow router api --help)\n');
    const unknown = await cli('router', 'api', 'no-such-router', '--user', 'u', '--password', 'p');
    expect(unknown.stderr).toBe('netflow: no router named "no-such-router" (see: netflow router list)\n');
    const ca = await cli('router', 'api', ROUTER, '--user', 'u', '--password', 'p', '--ca-file', '/etc/hostname');
    expect(ca.stderr).toBe('netflow: --ca-file only applies with --tls (API-SSL)\n');
    const port = await cli('router', 'api', ROUTER, '--user', 'u', '--password', 'p', '--port', '70000');
    expect(port.code).toBe(2);
    await addRouter(env.db, { name: 'no-api', ip: '127.0.0.9', secret: SECRET });
    const sync = await cli('router', 'sync', 'no-api');
    expect(sync.stderr).toBe(
      'netflow: router "no-api" has no API credentials (set them: netflow router api no-api --user U --password P)\n',
    );
    const status = await cli('router', 'status', 'no-api');
    expect(status.stdout).toContain('api: not set (RADIUS only');
  });

  it('health: reachable, identity, version, uptime, load, memory, no drift; router status shows it', async () => {
    const [outcome] = await env.netflow.routerJobs.healthRound();
    expect(outcome).toMatchObject({ router: ROUTER, reachable: true, error: null, alerts: [] });
    const status = await cli('router', 'status', ROUTER, '--json');
    expect(status.code, status.stderr).toBe(0);
    const [s] = JSON.parse(status.stdout);
    expect(s).toMatchObject({
      name: ROUTER,
      reachable: true,
      identity: 'cafe-1-hap',
      version: '7.16.2 (stable)',
      drift: [],
      unseen: false,
    });
    expect(s.uptime).toMatch(/^\d+[wdhms]/);
    expect(s.cpuLoad).toBeGreaterThanOrEqual(0);
    expect(s.freeMemory).toBe('201326592');
    const text = await cli('router', 'status');
    expect(text.stdout).toContain('setup matches the NetFlow script');
  });

  it('drift: /radius incoming refusing CoA and the hotspot profile without RADIUS are flagged, with one alert', async () => {
    api.config.incoming.accept = 'false';
    api.config.profiles[1]['use-radius'] = 'false';
    const [first] = await env.netflow.routerJobs.healthRound();
    expect(first.reading?.drift).toEqual([
      '/radius incoming: accept=false (the script sets yes: Disconnect/CoA are refused)',
      '/ip hotspot profile hsprof1: use-radius=false (the script sets yes)',
    ]);
    expect(first.alerts).toEqual(['alert.router_drift']);
    const [second] = await env.netflow.routerJobs.healthRound();
    expect(second.alerts).toEqual([]);
    expect(await audits('alert.router_drift')).toHaveLength(1);
    const status = await cli('router', 'status', ROUTER);
    expect(status.stdout).toContain('DRIFT from the NetFlow script');
    api.config.incoming.accept = 'true';
    api.config.profiles[1]['use-radius'] = 'true';
    expect((await env.netflow.routerJobs.healthRound())[0].reading?.drift).toEqual([]);
  });

  it('sync: closes sessions the router no longer has, removes users NetFlow did not authorize or whose code expired', async () => {
    const kept = await login();
    const expired = await login();
    await env.db.prisma.entitlement.update({ where: { code: expired.code }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    // A session NetFlow thinks open, which the router does not have (its Stop was lost).
    const ghost = await radius.send(
      CODE.accountingRequest,
      [
        ['User-Name', 'GHOSTCODE'],
        ['Acct-Status-Type', 1],
        ['Acct-Session-Id', 'ghost-0001'],
        ['Calling-Station-Id', '02-AA-00-00-09-99'],
        ['Framed-IP-Address', '10.5.50.250'],
        ['NAS-Identifier', 'cafe-1-hap'],
      ],
      SECRET,
      env.netflow.acctPort,
    );
    expect(ghost.reply?.code).toBe(CODE.accountingResponse);
    // A guest logged in on the router without RADIUS (a local /ip/hotspot/user).
    api.addLocalUser({ user: 'intruder', mac: '02:BB:00:00:00:01', address: '10.5.50.200' });
    // The ghost is more than a minute old when the sync looks (a younger one may still be arriving).
    offsetMs = 2 * 60_000;
    const [report] = await env.netflow.routerJobs.syncRound();
    offsetMs = 0;
    expect(report.closed.map((c) => c.user)).toEqual(['GHOSTCODE']);
    expect(report.removed.map((u) => [u.user, u.reason]).sort()).toEqual([
      [expired.code, 'expired'],
      ['intruder', 'not-radius'],
    ]);
    const ghostRow = await env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: 'ghost-0001' } });
    expect(ghostRow).toMatchObject({ status: 'closed', terminateCause: 'Not-On-Router' });
    expect(ghostRow.stoppedAt!.getTime()).toBe(ghostRow.heardAt!.getTime());
    // Removal logs the guest out on the router: its Stop reaches NetFlow.
    await hs.settled();
    expect(hs.session(expired.view.acctSessionId)).toBeNull();
    expect(hs.session(kept.view.acctSessionId)).not.toBeNull();
    expect(api.localUsers).toEqual([]);
    const expiredRow = await env.db.prisma.accountingSession.findUniqueOrThrow({ where: { id: expired.session.id } });
    expect(expiredRow).toMatchObject({ status: 'closed', terminateCause: 'Admin-Reset' });
    const security = await audits('security.unauthorized_hotspot_user');
    expect(security).toHaveLength(2);
    expect(JSON.stringify(security.map((a) => a.details))).not.toContain(expired.code); // codes are masked in the audit log
    expect(await audits('session.closed_not_on_router')).toHaveLength(1);
    // The CLI: nothing left to do.
    const again = await cli('router', 'sync', ROUTER);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to do: the router and NetFlow agree');
    await hs.logout(kept.view.acctSessionId);
    await hs.settled();
  });

  async function disconnectNow(sessionId: bigint) {
    const request = await endSession(env.db.prisma, { id: String(sessionId) }, 'test');
    await env.netflow.enforcer.deliverDue();
    return env.db.prisma.enforcementAction.findUniqueOrThrow({ where: { id: BigInt(request.actionIds[0]) } });
  }

  it('fallback kick: a Disconnect NAKed (not 503) is carried out through /ip/hotspot/active/remove, audited', async () => {
    const g = await login();
    coa.forceNak(1, 506);
    const action = await disconnectNow(g.session.id);
    expect(action.status).toBe('acked');
    await hs.settled();
    expect(hs.session(g.view.acctSessionId)).toBeNull();
    const [audit] = (await audits('session.disconnect.acked')).slice(-1);
    expect(audit.details).toMatchObject({ fallback: { via: 'routeros-api', coa: 'NAK, Error-Cause 506', removed: 1 } });
  });

  it('fallback kick: a Disconnect left unanswered after its retransmissions goes through the API', async () => {
    const g = await login();
    coa.dropNext(1000);
    const action = await disconnectNow(g.session.id);
    coa.dropNext(0);
    expect(action.status).toBe('acked');
    await hs.settled();
    expect(hs.session(g.view.acctSessionId)).toBeNull();
    const [audit] = (await audits('session.disconnect.acked')).slice(-1);
    expect(audit.details).toMatchObject({ fallback: { via: 'routeros-api', coa: 'no answer', removed: 1 } });
  });

  it('a NAK 503 (session not found) is not retried through the API', async () => {
    const g = await login();
    coa.forceNak(1, 503);
    const removedBefore = api.stats.removed;
    const action = await disconnectNow(g.session.id);
    expect(action).toMatchObject({ status: 'nakked', errorCause: 503 });
    expect(api.stats.removed).toBe(removedBefore);
    await hs.logout(g.view.acctSessionId);
    await hs.settled();
  });

  it('without API credentials a NAKed Disconnect stays NAKed, as before', async () => {
    const removed = await cli('router', 'api', ROUTER, '--remove');
    expect(removed.stdout).toBe(`router "${ROUTER}": API credentials removed\n`);
    const g = await login();
    coa.forceNak(1, 506);
    const action = await disconnectNow(g.session.id);
    expect(action).toMatchObject({ status: 'nakked', errorCause: 506 });
    expect(hs.session(g.view.acctSessionId)).not.toBeNull();
    await hs.logout(g.view.acctSessionId);
    await hs.settled();
    const r = await cli('router', 'api', ROUTER, '--user', API_USER, '--password', API_PASSWORD, '--port', String(api.port()));
    expect(r.code, r.stderr).toBe(0);
  });

  it('an API that hangs or is down: health says unreachable within the deadline; unseen for 10 minutes raises one alert', async () => {
    api.silent = true;
    const started = performance.now();
    const [hung] = await env.netflow.routerJobs.healthRound();
    expect(performance.now() - started).toBeLessThan(4000);
    expect(hung).toMatchObject({ reachable: false });
    expect(hung.error).toMatch(/no answer/);
    api.silent = false;
    await api.close();
    const [down] = await env.netflow.routerJobs.healthRound();
    expect(down.reachable).toBe(false);
    expect(down.error).toMatch(/connection refused/);
    expect(down.alerts).toEqual([]); // RADIUS heard from it moments ago
    // Eleven minutes on: no RADIUS packet and no API answer since.
    offsetMs = 11 * 60_000;
    const [unseen] = await env.netflow.routerJobs.healthRound();
    const [still] = await env.netflow.routerJobs.healthRound();
    offsetMs = 0;
    expect(unseen.alerts).toEqual(['alert.router_unseen']);
    expect(still.alerts).toEqual([]);
    // One alert per router per episode: the router without API credentials is silent on RADIUS too.
    expect((await audits('alert.router_unseen')).map((a) => a.subject).sort()).toEqual([ROUTER, 'no-api']);
    const sync = await cli('router', 'sync', ROUTER);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/^netflow: connection refused by 127\.0\.0\.1:\d+/);
    expect(sync.stderr).not.toContain(API_PASSWORD);
    // A Disconnect unanswered with the API down as well: the CoA outcome stands (retried later), both reasons recorded.
    const g = await login();
    coa.dropNext(1000);
    const action = await disconnectNow(g.session.id);
    coa.dropNext(0);
    expect(action.status).toBe('pending');
    expect(action.lastError).toMatch(/^no reply from 127\.0\.0\.1:\d+ after 3 transmissions; RouterOS API: connection refused by/);
    expect(hs.session(g.view.acctSessionId)).not.toBeNull();
    await hs.logout(g.view.acctSessionId);
    await hs.settled();
  });
});
