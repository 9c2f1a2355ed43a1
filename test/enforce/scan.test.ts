// The minute job's decisions, on a real PostgreSQL: which sessions must be cut, and that two
// instances scanning at once queue each cut once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { scanSessions } from '../../src/enforce/scan.js';
import { openDatabase } from '../../src/db/database.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';

const MIN = 60_000;
let seq = 0;

describe('enforcement scan', () => {
  let db: Database;
  let routerId: number;

  async function session(
    entitlementId: number,
    over: Partial<{
      mac: string;
      routerId: number;
      startedAt: Date;
      updatedAt: Date;
      heardAt: Date;
      status: 'open' | 'stale' | 'closed';
    }> = {},
  ) {
    seq++;
    const startedAt = over.startedAt ?? new Date();
    return db.prisma.accountingSession.create({
      data: {
        routerId: over.routerId ?? routerId,
        acctSessionId: `scan${seq}`,
        entitlementId,
        userName: `u${seq}`,
        mac: over.mac ?? `02:00:00:00:00:${String(seq % 100).padStart(2, '0')}`,
        status: over.status ?? 'open',
        startedAt,
        updatedAt: over.updatedAt ?? startedAt,
        heardAt: over.heardAt ?? null,
      },
    });
  }

  const queuedFor = (id: bigint) => db.prisma.enforcementAction.findMany({ where: { sessionId: id } });

  beforeAll(async () => {
    db = await openTestDatabase();
    routerId = (await addRouter(db)).id;
  });
  afterAll(async () => db?.close());

  it('queues a disconnect once the code has expired, not before', async () => {
    const pkg = await addPackage(db, { minutes: 2 });
    const t0 = new Date();
    const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(t0.getTime() + 2 * MIN) });
    const s = await session(ent.id, { startedAt: t0 });
    await scanSessions(db.pool, new Date(t0.getTime() + MIN), 300);
    expect(await queuedFor(s.id)).toHaveLength(0);
    const result = await scanSessions(db.pool, new Date(t0.getTime() + 2 * MIN + 1000), 300);
    expect(result.queued).toContainEqual({ sessionId: s.id, reason: 'expired' });
    expect((await queuedFor(s.id)).map((a) => [a.kind, a.reason, a.status])).toEqual([['disconnect', 'expired', 'pending']]);
  });

  it('queues a disconnect when usage reaches the data cap, and for revoked codes', async () => {
    const capped = await addPackage(db, { dataCapBytes: 1_000_000n });
    const over = await addEntitlement(db, capped.id, { expiresAt: new Date(Date.now() + 60 * MIN) });
    await db.prisma.entitlement.update({ where: { id: over.id }, data: { bytesUp: 200_000n, bytesDown: 800_000n } });
    const under = await addEntitlement(db, capped.id, { expiresAt: new Date(Date.now() + 60 * MIN) });
    const revoked = await addEntitlement(db, capped.id, { expiresAt: new Date(Date.now() + 60 * MIN), status: 'revoked' });
    const [a, b, c] = [await session(over.id), await session(under.id), await session(revoked.id)];
    await scanSessions(db.pool, new Date(), 300);
    expect((await queuedFor(a.id)).map((x) => x.reason)).toEqual(['data_cap']);
    expect(await queuedFor(b.id)).toHaveLength(0);
    expect((await queuedFor(c.id)).map((x) => x.reason)).toEqual(['revoked']);
  });

  it('cuts the device that came second on a one-device code and flags it as a security event', async () => {
    const pkg = await addPackage(db, { devicesAllowed: 1 });
    const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(Date.now() + 60 * MIN) });
    const first = await session(ent.id, { mac: '02:AA:00:00:00:01', startedAt: new Date(Date.now() - 5 * MIN) });
    const second = await session(ent.id, { mac: '02:AA:00:00:00:02', startedAt: new Date(Date.now() - MIN) });
    await scanSessions(db.pool, new Date(), 300);
    expect(await queuedFor(first.id)).toHaveLength(0);
    expect((await queuedFor(second.id)).map((x) => x.reason)).toEqual(['duplicate_session']);
    const flags = await db.prisma.auditLog.findMany({ where: { action: 'security.duplicate_session', subject: `entitlement ${ent.id}` } });
    expect(flags).toHaveLength(1);
    // A second scan neither queues again nor flags again while the first request is pending.
    await scanSessions(db.pool, new Date(), 300);
    expect(await queuedFor(second.id)).toHaveLength(1);
    expect(await db.prisma.auditLog.count({ where: { action: 'security.duplicate_session', subject: `entitlement ${ent.id}` } })).toBe(1);
  });

  it('allows as many devices as the package says', async () => {
    const pkg = await addPackage(db, { devicesAllowed: 2 });
    const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(Date.now() + 60 * MIN) });
    const a = await session(ent.id, { mac: '02:BB:00:00:00:01' });
    const b = await session(ent.id, { mac: '02:BB:00:00:00:02' });
    await scanSessions(db.pool, new Date(), 300);
    expect([...(await queuedFor(a.id)), ...(await queuedFor(b.id))]).toHaveLength(0);
  });

  it("judges staleness by when we last heard of a session, not by the router's clock", async () => {
    const pkg = await addPackage(db);
    const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(Date.now() + 600 * MIN) });
    const now = new Date();
    const routerBehind = new Date(now.getTime() - 120 * MIN); // no battery, no NTP yet: two hours behind
    const current = await session(ent.id, { startedAt: routerBehind, updatedAt: routerBehind, heardAt: now });
    const silent = await session(ent.id, { startedAt: routerBehind, updatedAt: routerBehind, heardAt: new Date(now.getTime() - 16 * MIN) });
    const stale = (await scanSessions(db.pool, new Date(now.getTime() + MIN), 300)).stale;
    expect(stale).toContain(silent.id);
    expect(stale).not.toContain(current.id);
  });

  it('marks sessions stale after three interim intervals without news', async () => {
    const pkg = await addPackage(db);
    const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(Date.now() + 600 * MIN) });
    const t0 = new Date();
    const s = await session(ent.id, { startedAt: t0, updatedAt: t0 });
    expect((await scanSessions(db.pool, new Date(t0.getTime() + 14 * MIN), 300)).stale).not.toContain(s.id);
    expect((await scanSessions(db.pool, new Date(t0.getTime() + 16 * MIN), 300)).stale).toContain(s.id);
    expect((await db.prisma.accountingSession.findUniqueOrThrow({ where: { id: s.id } })).status).toBe('stale');
  });

  it('queues each disconnect once when two instances scan at the same moment', async () => {
    const pkg = await addPackage(db, { minutes: 1 });
    const sessions: Array<{ id: bigint }> = [];
    for (let i = 0; i < 20; i++) {
      const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(Date.now() - 1000) });
      sessions.push(await session(ent.id));
    }
    const other = await openDatabase({ databaseUrl: db.url, dataDir: 'unused' });
    try {
      const [x, y] = await Promise.all([scanSessions(db.pool, new Date(), 300), scanSessions(other.pool, new Date(), 300)]);
      const mine = (r: typeof x) => r.queued.filter((q) => sessions.some((s) => s.id === q.sessionId));
      expect(mine(x).length + mine(y).length).toBe(20);
    } finally {
      await other.close();
    }
    const actions = await db.prisma.enforcementAction.findMany({ where: { sessionId: { in: sessions.map((s) => s.id) } } });
    expect(actions).toHaveLength(20);
  });
});
