// Session enforcement end to end: NetFlow's minute job and Disconnect/CoA sender against the
// simulated MikroTik hotspot (tools/nas-sim) over real UDP, on a real PostgreSQL. The enforcer's
// clock is moved by the test; the router's own timers are not, so the router "misses" its
// Session-Timeout and only NetFlow can end the session (the failure operators report most).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { changeSessionPackage, endSession } from '../../src/admin/sessions.js';
import type { RunningNetflow } from '../../src/app/serve.js';
import type { Database } from '../../src/db/database.js';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { CoaListener } from '../../tools/nas-sim/coa-listener.js';
import { Hotspot, type SessionView } from '../../tools/nas-sim/hotspot.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { openTestDatabase } from '../support/db.js';
import { startNetflowOn } from '../support/netflow.js';

const SECRET = 'enforcement-system-secret';
const MIN = 60_000;
// Short per-transmission timeouts (300, 600, 1200 ms) keep an unanswered attempt near two seconds,
// yet leave a loaded CI machine time to answer.
const FAST = { coaTimeoutMs: 300 };

describe('session enforcement against the hotspot simulator', () => {
  let db: Database;
  let netflow: RunningNetflow;
  let hotspot: Hotspot;
  let coa: CoaListener;
  let routerId: number;
  /** How far the enforcer's clock is ahead of real time. */
  let ahead = 0;
  const enforcerNow = () => new Date(Date.now() + ahead);
  const routerClock = new ManualClock();
  let guest = 0;

  beforeAll(async () => {
    db = await openTestDatabase();
    netflow = await startNetflowOn(db, { ...FAST, now: enforcerNow });
    hotspot = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: netflow.authPort,
      acctPort: netflow.acctPort,
      bindAddress: '127.0.0.1',
      clock: routerClock,
    });
    coa = await CoaListener.start({
      target: hotspot,
      server: '127.0.0.1',
      secret: SECRET,
      port: 0,
      bindAddress: '127.0.0.1',
      log: hotspot.log,
    });
    routerId = (await addRouter(db, { ip: '127.0.0.1', secret: SECRET })).id;
    await db.prisma.router.update({ where: { id: routerId }, data: { coaPort: coa.port() } });
    await waitForRouterTable();
  });

  afterAll(async () => {
    await coa?.close();
    await hotspot?.stop({ endSessions: false });
    await netflow?.close();
    await db?.close();
  });

  beforeEach(() => {
    coa.dropNext(0);
  });

  /** NetFlow learns new routers by NOTIFY; until then the router's packets are dropped. */
  async function waitForRouterTable(): Promise<void> {
    const pkg = await addPackage(db);
    await addEntitlement(db, pkg.id, { code: 'PROBE' });
    for (let i = 0; i < 50; i++) {
      const r = await hotspot.login({ method: 'pap', mac: '02:00:00:00:FF:FF', username: 'PROBE', password: 'PROBE' });
      if (r.ok) {
        await hotspot.logout(r.session.acctSessionId);
        await hotspot.settled();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('NetFlow never accepted the simulated router');
  }

  async function online(
    packageId: number,
    over: { devices?: number; traffic?: { upBps: number; downBps: number }; code?: string } = {},
  ): Promise<{ code: string; session: SessionView; id: bigint }> {
    guest++;
    const code = over.code ?? `ENF${guest}`;
    if (!over.code) await addEntitlement(db, packageId, { code });
    const mac = `02:EF:00:00:${(guest >> 8).toString(16).padStart(2, '0')}:${(guest & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
    const r = await hotspot.login({ method: 'chap', mac, username: code, password: code, traffic: over.traffic });
    if (!r.ok) throw new Error(`login refused: ${r.replyMessage}`);
    await hotspot.settled();
    const row = await db.prisma.accountingSession.findFirstOrThrow({ where: { routerId, acctSessionId: r.session.acctSessionId } });
    return { code, session: r.session, id: row.id };
  }

  const actionsOf = (sessionId: bigint) => db.prisma.enforcementAction.findMany({ where: { sessionId }, orderBy: { id: 'asc' } });
  const sessionRow = (id: bigint) => db.prisma.accountingSession.findUniqueOrThrow({ where: { id } });
  const auditOf = (sessionId: bigint) =>
    db.prisma.auditLog.findMany({ where: { subject: `session ${sessionId}` }, orderBy: { id: 'asc' } });

  it('cuts a 2-minute package at its expiry with a Disconnect-Request the router ACKs', async () => {
    const pkg = await addPackage(db, { minutes: 2 });
    const { session, id } = await online(pkg.id);
    expect(session.limits.sessionTimeout).toBeGreaterThan(100);

    ahead = MIN;
    await netflow.enforcer.scan();
    expect(await netflow.enforcer.deliverDue()).toBe(0);
    expect(hotspot.session(session.acctSessionId)).not.toBeNull();

    ahead = 2 * MIN + 1000;
    const scan = await netflow.enforcer.scan();
    expect(scan.queued).toContainEqual({ sessionId: id, reason: 'expired' });
    await netflow.enforcer.deliverDue();
    await hotspot.settled();

    expect(hotspot.session(session.acctSessionId)).toBeNull();
    expect(hotspot.events('logout').find((e) => e.fields.session === session.acctSessionId)?.fields.cause).toBe(6); // Admin-Reset
    expect((await actionsOf(id)).map((a) => [a.kind, a.reason, a.status, a.attempts])).toEqual([['disconnect', 'expired', 'acked', 1]]);
    expect((await sessionRow(id)).status).toBe('closed');
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['session.disconnect.acked']);
    ahead = 0;
  });

  it('retries a router that loses the first Disconnects until it ACKs: retransmission, then a later attempt', async () => {
    const pkg = await addPackage(db, { minutes: 60 });
    const { session, id } = await online(pkg.id);
    const before = coa.stats();
    coa.dropNext(4); // the three transmissions of attempt 1, and the first of attempt 2

    await endSession(db.prisma, { id: String(id) }, 'admin@test');
    await netflow.enforcer.deliverDue();
    const [pending] = await actionsOf(id);
    expect([pending.status, pending.attempts]).toEqual(['pending', 1]);
    expect(pending.lastError).toMatch(/no reply .* after 3 transmissions/);
    expect(hotspot.session(session.acctSessionId)).not.toBeNull();

    // Not due yet: nothing is sent before the backoff runs out.
    expect(await netflow.enforcer.deliverDue()).toBe(0);
    ahead = pending.nextAttemptAt.getTime() - Date.now() + 1000;
    await netflow.enforcer.deliverDue();
    ahead = 0;
    await hotspot.settled();

    const [done] = await actionsOf(id);
    expect([done.status, done.attempts, done.reason]).toEqual(['acked', 2, 'admin']);
    const seen = (st: ReturnType<CoaListener['stats']>) => st.requests + st.dropped;
    expect(seen(coa.stats()) - seen(before)).toBe(5); // 3 + 2 transmissions
    expect(coa.stats().acks - before.acks).toBe(1);
    expect(hotspot.session(session.acctSessionId)).toBeNull();
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['session.end.requested', 'session.disconnect.acked']);
  });

  it('records a NAK: the router no longer knows the session (Error-Cause 503), so NetFlow closes it too', async () => {
    const pkg = await addPackage(db, { minutes: 1 });
    const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(Date.now() - 1000) });
    // A session NetFlow believes open but the router lost (its Stop never arrived, e.g. a reboot
    // without Accounting-On).
    const ghost = await db.prisma.accountingSession.create({
      data: {
        routerId,
        acctSessionId: '80ffff01',
        entitlementId: ent.id,
        userName: ent.code,
        mac: '02:EF:00:00:EE:01',
        framedIp: '10.5.50.250',
        status: 'open',
        startedAt: new Date(Date.now() - 2 * MIN),
        updatedAt: new Date(),
      },
    });
    await netflow.enforcer.scan();
    await netflow.enforcer.deliverDue();
    const [nak] = await actionsOf(ghost.id);
    expect([nak.status, nak.errorCause]).toEqual(['nakked', 503]);
    expect((await sessionRow(ghost.id)).terminateCause).toBe('Session-Not-Found');
    const audit = await auditOf(ghost.id);
    expect(audit.map((a) => a.action)).toEqual(['session.disconnect.nakked']);
    expect(audit[0].details).toMatchObject({ errorCause: 503, reason: 'expired' });
  });

  it('cuts a data-capped code once interim octets pass the cap, although each device stayed under its own limit', async () => {
    // Two devices share a 1 MB code; each got Mikrotik-Total-Limit = 1 MB at login, so neither
    // router session ends by itself. Together they pass the cap; only NetFlow can see that.
    const pkg = await addPackage(db, { minutes: 600, devicesAllowed: 2, dataCapBytes: 1_000_000n });
    const a = await online(pkg.id, { traffic: { upBps: 0, downBps: 2_000 } });
    const b = await online(pkg.id, { code: a.code, traffic: { upBps: 0, downBps: 2_000 } });
    expect(a.session.limits.totalLimit).toBe(1_000_000n);

    await netflow.enforcer.scan();
    expect(await actionsOf(a.id)).toHaveLength(0);

    // One interim interval (300 s) on the router's clock: ~600 kB each, 1.2 MB together.
    await routerClock.advanceAsync(300_000, () => hotspot.settled());
    await hotspot.settled();
    const ent = await db.prisma.entitlement.findUniqueOrThrow({ where: { code: a.code } });
    expect(ent.bytesDown).toBeGreaterThan(1_000_000n);
    expect(hotspot.session(a.session.acctSessionId)).not.toBeNull();

    const scan = await netflow.enforcer.scan();
    expect(scan.queued).toEqual(
      expect.arrayContaining([
        { sessionId: a.id, reason: 'data_cap' },
        { sessionId: b.id, reason: 'data_cap' },
      ]),
    );
    await netflow.enforcer.deliverDue();
    await hotspot.settled();
    expect(hotspot.session(a.session.acctSessionId)).toBeNull();
    expect(hotspot.session(b.session.acctSessionId)).toBeNull();
    for (const s of [a, b]) expect((await actionsOf(s.id)).map((x) => x.status)).toEqual(['acked']);
  });

  it('sends a CoA with the new rate limit and Session-Timeout when the package changes mid-session', async () => {
    const small = await addPackage(db, { name: 'coa-small', minutes: 60, rateLimitUp: '1M', rateLimitDown: '2M' });
    await addPackage(db, { name: 'coa-big', minutes: 180, rateLimitUp: '4M', rateLimitDown: '8M' });
    const { session, id } = await online(small.id);
    expect(session.limits.rateLimit).toBe('1M/2M');

    const change = await changeSessionPackage(db.prisma, { id: String(id), package: 'coa-big' }, 'admin@test');
    await netflow.enforcer.deliverDue();
    const [coaAction] = await actionsOf(id);
    expect([coaAction.kind, coaAction.status]).toEqual(['coa', 'acked']);

    const live = hotspot.session(session.acctSessionId)!;
    expect(live.limits.rateLimit).toBe('4M/8M');
    // Session-Timeout is an uptime limit on RouterOS: the new one ends the session at the new expiry.
    const startedAt = (await sessionRow(id)).startedAt;
    const expected = (change.expiresAt!.getTime() - startedAt.getTime()) / 1000;
    expect(Math.abs(live.limits.sessionTimeout! - expected)).toBeLessThanOrEqual(2);
    expect(live.limits.sessionTimeout!).toBeGreaterThan(170 * 60);
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['session.coa.acked']);
  });

  it('finishes a disconnect after NetFlow restarts mid-retry: the queue lives in the database', async () => {
    const pkg = await addPackage(db, { minutes: 60 });
    const { session, id } = await online(pkg.id);
    coa.dropNext(3);
    await endSession(db.prisma, { id: String(id) }, 'admin@test');
    await netflow.enforcer.deliverDue();
    const [pending] = await actionsOf(id);
    expect([pending.status, pending.attempts]).toEqual(['pending', 1]);

    const ports = { authPort: netflow.authPort, acctPort: netflow.acctPort };
    await netflow.close();
    netflow = await startNetflowOn(db, { ...FAST, now: enforcerNow }, ports);
    ahead = pending.nextAttemptAt.getTime() - Date.now() + 1000;
    await netflow.enforcer.deliverDue();
    ahead = 0;
    await hotspot.settled();

    const actions = await actionsOf(id);
    expect(actions.map((a) => [a.id, a.status, a.attempts])).toEqual([[pending.id, 'acked', 2]]);
    expect(hotspot.session(session.acctSessionId)).toBeNull();
  });

  it('two NetFlow instances enforcing one database disconnect each session exactly once', async () => {
    const pkg = await addPackage(db, { minutes: 60 });
    const sessions = [];
    for (let i = 0; i < 8; i++) sessions.push(await online(pkg.id));
    // Their codes expire under both instances' feet.
    await db.prisma.entitlement.updateMany({
      where: { code: { in: sessions.map((s) => s.code) } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const second = await startNetflowOn(db, { ...FAST, now: enforcerNow });
    try {
      const before = coa.stats();
      await Promise.all([netflow.enforcer.scan(), second.enforcer.scan()]);
      await Promise.all([
        netflow.enforcer.deliverDue(),
        second.enforcer.deliverDue(),
        netflow.enforcer.deliverDue(),
        second.enforcer.deliverDue(),
      ]);
      await hotspot.settled();
      expect(coa.stats().requests - before.requests).toBe(8);
      for (const s of sessions) {
        expect((await actionsOf(s.id)).map((a) => [a.status, a.attempts])).toEqual([['acked', 1]]);
        expect(hotspot.session(s.session.acctSessionId)).toBeNull();
        expect((await auditOf(s.id)).filter((a) => a.action === 'session.disconnect.acked')).toHaveLength(1);
      }
    } finally {
      await second.close();
    }
  });
});
