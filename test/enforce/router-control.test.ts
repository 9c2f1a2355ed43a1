// The enforcer works through the RouterControl interface only: here a second implementation, an
// in-memory hotspot that behaves as RouterOS's /ip/hotspot/active does (a kick removes the entry;
// an entry that is not there cannot be removed; an unreachable router does not answer), drives
// the same scan → queue → delivery → record path as the RFC 5176 client does in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import type { Database } from '../../src/db/database.js';
import { createEnforcer } from '../../src/enforce/enforcer.js';
import { enqueue } from '../../src/enforce/queue.js';
import type {
  ControlledRouter,
  ControlledSession,
  ControlOutcome,
  RouterControl,
  SessionLimits,
} from '../../src/enforce/router-control.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';

const MIN = 60_000;
/** RFC 5176 Session-Context-Not-Found: what a router answers for a session it does not have. */
const NOT_FOUND = 503;

interface ActiveEntry {
  user: string;
  sessionId: string;
  mac: string | null;
  address: string | null;
  rateLimit: string | null;
  sessionTimeoutAt: Date | null;
  idleTimeoutSeconds: number | null;
}

/** An in-memory stand-in for routers' /ip/hotspot/active tables, reached by router id. */
class LocalHotspots implements RouterControl {
  readonly active = new Map<number, ActiveEntry[]>();
  readonly unreachable = new Set<number>();
  readonly calls: string[] = [];
  closed = false;

  login(routerId: number, entry: Omit<ActiveEntry, 'rateLimit' | 'sessionTimeoutAt' | 'idleTimeoutSeconds'>): void {
    this.active.set(routerId, [
      ...(this.active.get(routerId) ?? []),
      { ...entry, rateLimit: null, sessionTimeoutAt: null, idleTimeoutSeconds: null },
    ]);
  }

  private find(session: ControlledSession, router: ControlledRouter): number {
    return (this.active.get(router.id) ?? []).findIndex((e) => e.user === session.userName && e.sessionId === session.acctSessionId);
  }

  async disconnect(session: ControlledSession, router: ControlledRouter): Promise<ControlOutcome> {
    this.calls.push(`disconnect ${router.name} ${session.userName}`);
    const sent = { user: session.userName, sessionId: session.acctSessionId };
    if (this.unreachable.has(router.id)) return { result: 'no-answer', error: `${router.name} did not answer`, sent };
    const i = this.find(session, router);
    if (i < 0) return { result: 'nakked', cause: NOT_FOUND, message: 'no such item', sent };
    this.active.get(router.id)!.splice(i, 1);
    return { result: 'acked', sent };
  }

  async changeLimits(session: ControlledSession, router: ControlledRouter, limits: SessionLimits): Promise<ControlOutcome> {
    this.calls.push(`change ${router.name} ${session.userName}`);
    const rateLimit = limits.rateUp && limits.rateDown ? `${limits.rateUp}/${limits.rateDown}` : null;
    const sent = { user: session.userName, rateLimit, sessionTimeoutAt: limits.expiresAt?.toISOString() ?? null };
    if (this.unreachable.has(router.id)) return { result: 'no-answer', error: `${router.name} did not answer`, sent };
    const i = this.find(session, router);
    if (i < 0) return { result: 'nakked', cause: NOT_FOUND, message: 'no such item', sent };
    Object.assign(this.active.get(router.id)![i], {
      rateLimit,
      sessionTimeoutAt: limits.expiresAt,
      idleTimeoutSeconds: limits.idleTimeoutSeconds,
    });
    return { result: 'acked', sent };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('the enforcer through RouterControl (a local hotspot implementation)', () => {
  let db: Database;
  let seq = 0;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  async function online(routerId: number, entitlementId: number, startedAt: Date) {
    seq++;
    return db.prisma.accountingSession.create({
      data: {
        routerId,
        acctSessionId: `rc${seq}`,
        entitlementId,
        userName: `RC${seq}`,
        mac: `02:RC:00:00:00:${String(seq).padStart(2, '0')}`.replace('RC', 'CC'),
        framedIp: `10.6.50.${seq}`,
        status: 'open',
        startedAt,
        updatedAt: startedAt,
      },
    });
  }

  it('an expired code: the scan queues a disconnect, the router removes the session, NetFlow records it acked and closes the session', async () => {
    const hotspots = new LocalHotspots();
    const router = await addRouter(db, { ip: '10.66.0.1' });
    let clock = new Date();
    const enforcer = createEnforcer({ pool: db.pool, control: hotspots, log: silentLogger, interimSeconds: 300, now: () => clock });
    try {
      const pkg = await addPackage(db, { minutes: 2 });
      const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(clock.getTime() + 2 * MIN) });
      const s = await online(router.id, ent.id, clock);
      hotspots.login(router.id, { user: s.userName, sessionId: s.acctSessionId, mac: s.mac, address: s.framedIp });

      clock = new Date(clock.getTime() + 3 * MIN);
      expect((await enforcer.scan()).queued).toContainEqual({ sessionId: s.id, reason: 'expired' });
      expect(await enforcer.deliverDue()).toBe(1);

      expect(hotspots.calls).toEqual([`disconnect ${router.name} ${s.userName}`]);
      expect(hotspots.active.get(router.id)).toEqual([]);
      const [action] = await db.prisma.enforcementAction.findMany({ where: { sessionId: s.id } });
      expect([action.kind, action.status, action.attributes]).toEqual([
        'disconnect',
        'acked',
        { user: s.userName, sessionId: s.acctSessionId },
      ]);
      const after = await db.prisma.accountingSession.findUniqueOrThrow({ where: { id: s.id } });
      expect([after.status, after.terminateCause]).toEqual(['closed', 'Admin-Reset']);
    } finally {
      await enforcer.stop();
    }
    expect(hotspots.closed).toBe(false); // the enforcer does not own the control
  });

  it('a session the router no longer has: nakked with its cause, and NetFlow closes its view of it', async () => {
    const hotspots = new LocalHotspots();
    const router = await addRouter(db, { ip: '10.66.0.2' });
    const enforcer = createEnforcer({ pool: db.pool, control: hotspots, log: silentLogger, interimSeconds: 300 });
    try {
      const pkg = await addPackage(db);
      const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(Date.now() + 60 * MIN) });
      const s = await online(router.id, ent.id, new Date());
      await enqueue(db.pool, { kind: 'disconnect', reason: 'admin', sessionId: s.id, requestedBy: 'test', now: new Date() });
      expect(await enforcer.deliverDue()).toBe(1);
      const [action] = await db.prisma.enforcementAction.findMany({ where: { sessionId: s.id } });
      expect([action.status, action.errorCause]).toEqual(['nakked', NOT_FOUND]);
      expect((await db.prisma.accountingSession.findUniqueOrThrow({ where: { id: s.id } })).terminateCause).toBe('Session-Not-Found');
    } finally {
      await enforcer.stop();
    }
  });

  it("an unreachable router: the action stays pending with the implementation's error, and is retried later", async () => {
    const hotspots = new LocalHotspots();
    const router = await addRouter(db, { ip: '10.66.0.3' });
    hotspots.unreachable.add(router.id);
    let clock = new Date();
    const enforcer = createEnforcer({ pool: db.pool, control: hotspots, log: silentLogger, interimSeconds: 300, now: () => clock });
    try {
      const pkg = await addPackage(db);
      const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(clock.getTime() + 60 * MIN) });
      const s = await online(router.id, ent.id, clock);
      hotspots.login(router.id, { user: s.userName, sessionId: s.acctSessionId, mac: s.mac, address: s.framedIp });
      const id = await enqueue(db.pool, { kind: 'disconnect', reason: 'admin', sessionId: s.id, requestedBy: 'test', now: clock });
      expect(await enforcer.deliverDue()).toBe(1);
      const row = await db.prisma.enforcementAction.findUniqueOrThrow({ where: { id: id! } });
      expect([row.status, row.lastError, (row.nextAttemptAt.getTime() - clock.getTime()) / 1000]).toEqual([
        'pending',
        `${router.name} did not answer`,
        15,
      ]);

      hotspots.unreachable.delete(router.id);
      clock = row.nextAttemptAt;
      expect(await enforcer.deliverDue()).toBe(1);
      expect((await db.prisma.enforcementAction.findUniqueOrThrow({ where: { id: id! } })).status).toBe('acked');
      expect(hotspots.active.get(router.id)).toEqual([]);
    } finally {
      await enforcer.stop();
    }
  });

  it("a CoA becomes changeLimits with the limits of the session's package and expiry", async () => {
    const hotspots = new LocalHotspots();
    const router = await addRouter(db, { ip: '10.66.0.4' });
    const enforcer = createEnforcer({ pool: db.pool, control: hotspots, log: silentLogger, interimSeconds: 300 });
    try {
      const pkg = await addPackage(db, { rateLimitUp: '3M', rateLimitDown: '7M', idleTimeoutSeconds: 300 });
      const expiresAt = new Date(Date.now() + 30 * MIN);
      const ent = await addEntitlement(db, pkg.id, { expiresAt });
      const s = await online(router.id, ent.id, new Date());
      hotspots.login(router.id, { user: s.userName, sessionId: s.acctSessionId, mac: s.mac, address: s.framedIp });
      await enqueue(db.pool, { kind: 'coa', reason: 'package_change', sessionId: s.id, requestedBy: 'test', now: new Date() });
      expect(await enforcer.deliverDue()).toBe(1);
      expect(hotspots.active.get(router.id)).toMatchObject([
        { user: s.userName, rateLimit: '3M/7M', sessionTimeoutAt: expiresAt, idleTimeoutSeconds: 300 },
      ]);
      const [action] = await db.prisma.enforcementAction.findMany({ where: { sessionId: s.id } });
      expect([action.status, (action.attributes as Record<string, unknown>).rateLimit]).toEqual(['acked', '3M/7M']);
    } finally {
      await enforcer.stop();
    }
  });
});
