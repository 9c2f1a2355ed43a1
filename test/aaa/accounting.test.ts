// Accounting against a real PostgreSQL: durable records, session lifecycle, usage without double counting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountingWriter, terminateCauseName, type AccountingEvent, type AccountingWriter } from '../../src/aaa/accounting.js';
import { createAuthorizer } from '../../src/aaa/authorize.js';
import type { Database } from '../../src/db/database.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';

const MAC = '02:AB:00:00:01:11';

describe('accounting', () => {
  let db: Database;
  let writer: AccountingWriter;
  let routerId: number;

  const event = (over: Partial<AccountingEvent>): AccountingEvent => ({
    routerId,
    statusType: 1,
    sessionId: '80f00001',
    userName: null,
    mac: MAC,
    framedIp: '10.5.50.10',
    nasPortId: 'bridge-hotspot',
    sessionTime: null,
    bytesUp: null,
    bytesDown: null,
    terminateCause: null,
    delaySeconds: 0,
    eventTimestamp: null,
    receivedAt: new Date(),
    entitlementHint: null,
    attributesRaw: Buffer.from([40, 6, 0, 0, 0, over.statusType ?? 1]), // Acct-Status-Type
    ...over,
  });
  const session = (sid: string) =>
    db.prisma.accountingSession.findUniqueOrThrow({ where: { routerId_acctSessionId: { routerId, acctSessionId: sid } } });

  beforeAll(async () => {
    db = await openTestDatabase();
    writer = createAccountingWriter(db.pool, { onlineSeconds: 900 });
    routerId = (await addRouter(db)).id;
  });
  afterAll(() => db.close());

  it('Start, Interim, Stop: stores every packet, keeps the session and the usage, frees the device', async () => {
    const pkg = await addPackage(db, { dataCapBytes: 10n ** 12n });
    const e = await addEntitlement(db, pkg.id, { code: 'ACCT1' });
    await createAuthorizer(db.pool, { holdSeconds: 120 }).authorize({
      routerId,
      userName: 'ACCT1',
      credential: { kind: 'pap', password: 'ACCT1' },
      mac: MAC,
      userNameAsMac: null,
      now: new Date(),
    });
    const base = { sessionId: 'a1', userName: 'ACCT1', entitlementHint: e.id };
    await writer.record(event({ ...base, statusType: 1 }));
    expect((await session('a1')).status).toBe('open');
    // Gigawords: 5 + 2·2^32 = 8589934597 (RFC 2869 §5.1).
    await writer.record(event({ ...base, statusType: 3, sessionTime: 300, bytesUp: 8589934597n, bytesDown: 1000n }));
    let s = await session('a1');
    expect([s.bytesUp, s.bytesDown, s.sessionTime]).toEqual([8589934597n, 1000n, 300]);
    const device = await db.prisma.entitlementDevice.findFirstOrThrow({ where: { entitlementId: e.id, mac: MAC } });
    expect(device.onlineUntil!.getTime()).toBeGreaterThan(Date.now() + 800_000);
    await writer.record(event({ ...base, statusType: 2, sessionTime: 600, bytesUp: 8589934600n, bytesDown: 5000n, terminateCause: 1 }));
    s = await session('a1');
    expect([s.status, s.terminateCause, s.bytesUp, s.bytesDown]).toEqual(['closed', 'User-Request', 8589934600n, 5000n]);
    const ent = await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } });
    expect([ent.bytesUp, ent.bytesDown]).toEqual([8589934600n, 5000n]);
    expect((await db.prisma.entitlementDevice.findFirstOrThrow({ where: { entitlementId: e.id, mac: MAC } })).onlineUntil).toBeNull();
    expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: 'a1' } })).toBe(3);
  });

  it('a retransmission (new Identifier, new Acct-Delay-Time) is stored and counted once', async () => {
    const pkg = await addPackage(db);
    const e = await addEntitlement(db, pkg.id, { code: 'DUP1' });
    const base = { sessionId: 'd1', userName: 'DUP1' };
    await writer.record(event({ ...base, statusType: 1 }));
    const interim = { ...base, statusType: 3, sessionTime: 60, bytesUp: 100n, bytesDown: 200n };
    await writer.record(event({ ...interim, delaySeconds: 0 }));
    await writer.record(event({ ...interim, delaySeconds: 5 }));
    expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: 'd1' } })).toBe(2);
    const ent = await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } });
    expect([ent.bytesUp, ent.bytesDown]).toEqual([100n, 200n]);
  });

  it('usage of several sessions adds up per code; counters are cumulative, not deltas', async () => {
    const pkg = await addPackage(db, { devicesAllowed: 2 });
    const e = await addEntitlement(db, pkg.id, { code: 'SUM1' });
    for (const sid of ['s1', 's2']) {
      await writer.record(event({ sessionId: sid, userName: 'SUM1', statusType: 1, mac: sid === 's1' ? MAC : '02:AB:00:00:02:11' }));
      await writer.record(event({ sessionId: sid, userName: 'SUM1', statusType: 3, sessionTime: 60, bytesUp: 10n, bytesDown: 100n }));
      await writer.record(event({ sessionId: sid, userName: 'SUM1', statusType: 3, sessionTime: 120, bytesUp: 30n, bytesDown: 300n }));
    }
    const ent = await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } });
    expect([ent.bytesUp, ent.bytesDown]).toEqual([60n, 600n]);
  });

  it('an Interim without its Start creates the session; a new Start from the device closes a session whose Stop was lost', async () => {
    const pkg = await addPackage(db);
    await addEntitlement(db, pkg.id, { code: 'LOST1' });
    const t = new Date();
    await writer.record(
      event({ sessionId: 'l1', userName: 'LOST1', statusType: 3, sessionTime: 120, bytesUp: 1n, bytesDown: 2n, eventTimestamp: t }),
    );
    const s = await session('l1');
    expect(s.status).toBe('open');
    expect(s.startedAt.getTime()).toBe(t.getTime() - 120_000);
    await writer.record(event({ sessionId: 'l2', userName: 'LOST1', statusType: 1 }));
    expect((await session('l1')).status).toBe('closed');
    expect((await session('l1')).terminateCause).toBe('Lost-Stop');
    expect((await session('l2')).status).toBe('open');
  });

  it('Accounting-On closes every open session of that router only', async () => {
    const other = await addRouter(db, { ip: '10.9.9.9' });
    await writer.record(event({ sessionId: 'on1', userName: 'x', statusType: 1, mac: '02:AB:00:00:03:11' }));
    await writer.record(event({ sessionId: 'on2', userName: 'y', statusType: 1, mac: '02:AB:00:00:04:11', routerId: other.id }));
    await writer.record(event({ sessionId: '0', statusType: 7, mac: null, userName: null }));
    expect((await session('on1')).status).toBe('closed');
    expect((await session('on1')).terminateCause).toBe('NAS-Reboot');
    const untouched = await db.prisma.accountingSession.findUniqueOrThrow({
      where: { routerId_acctSessionId: { routerId: other.id, acctSessionId: 'on2' } },
    });
    expect(untouched.status).toBe('open');
  });

  it('Accounting-Off closes every open session of that router and frees their devices', async () => {
    const router = await addRouter(db, { ip: '10.9.9.8' });
    const pkg = await addPackage(db);
    const e = await addEntitlement(db, pkg.id, { code: 'OFF1' });
    const mac = '02:AB:00:00:0A:11';
    const login = await createAuthorizer(db.pool, { holdSeconds: 120 }).authorize({
      routerId: router.id,
      userName: 'OFF1',
      credential: { kind: 'pap', password: 'OFF1' },
      mac,
      userNameAsMac: null,
      now: new Date(),
    });
    expect(login.accept).toBe(true);
    await writer.record(event({ routerId: router.id, sessionId: 'off1', userName: 'OFF1', statusType: 1, mac, entitlementHint: e.id }));
    await writer.record(
      event({ routerId: router.id, sessionId: '0', statusType: 8, mac: null, userName: null, eventTimestamp: new Date() }),
    );
    const s = await db.prisma.accountingSession.findUniqueOrThrow({
      where: { routerId_acctSessionId: { routerId: router.id, acctSessionId: 'off1' } },
    });
    expect([s.status, s.terminateCause]).toEqual(['closed', 'Accounting-Off']);
    expect((await db.prisma.entitlementDevice.findFirstOrThrow({ where: { entitlementId: e.id, mac } })).onlineUntil).toBeNull();
  });

  it('a retransmitted Accounting-On (same Event-Timestamp) does not close sessions started since the reboot', async () => {
    const boot = new Date(Date.now() - 60_000);
    const on = event({ sessionId: '0', statusType: 7, mac: null, userName: null, eventTimestamp: boot });
    await writer.record(on);
    await writer.record(event({ sessionId: 'after-boot', userName: 'z', statusType: 1, mac: '02:AB:00:00:07:11' }));
    await writer.record({ ...on, delaySeconds: 10 });
    expect((await session('after-boot')).status).toBe('open');
    expect(await db.prisma.accountingRecord.count({ where: { statusType: 7, eventAt: boot } })).toBe(1);
  });

  it('Start, Interim and Stop of one session arriving together are applied in order, usage counted once', async () => {
    const pkg = await addPackage(db);
    const e = await addEntitlement(db, pkg.id, { code: 'BURST1' });
    const base = { sessionId: 'burst', userName: 'BURST1', mac: '02:AB:00:00:08:11' };
    await Promise.all([
      writer.record(event({ ...base, statusType: 1 })),
      writer.record(event({ ...base, statusType: 3, sessionTime: 60, bytesUp: 10n, bytesDown: 100n })),
      writer.record(event({ ...base, statusType: 3, sessionTime: 120, bytesUp: 30n, bytesDown: 300n })),
      writer.record(event({ ...base, statusType: 2, sessionTime: 150, bytesUp: 40n, bytesDown: 400n, terminateCause: 4 })),
      writer.record(event({ sessionId: 'burst-other', userName: 'BURST1', mac: '02:AB:00:00:09:11', statusType: 1 })),
    ]);
    const s = await session('burst');
    expect([s.status, s.terminateCause, s.bytesUp, s.bytesDown, s.sessionTime]).toEqual(['closed', 'Idle-Timeout', 40n, 400n, 150]);
    const ent = await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } });
    expect([ent.bytesUp, ent.bytesDown]).toEqual([40n, 400n]);
    expect((await session('burst-other')).status).toBe('open');
  });

  it('names the Acct-Terminate-Cause of a Stop as RFC 2866 does, and says so when it is missing or unknown', async () => {
    expect([
      terminateCauseName(1),
      terminateCauseName(11),
      terminateCauseName(18),
      terminateCauseName(40),
      terminateCauseName(null),
    ]).toEqual(['User-Request', 'NAS-Reboot', 'Host-Request', 'Cause-40', 'Unknown']);
    await writer.record(event({ sessionId: 'tc1', userName: 'tc', statusType: 1, mac: '02:AB:00:00:0B:11' }));
    await writer.record(
      event({ sessionId: 'tc1', userName: 'tc', statusType: 2, mac: '02:AB:00:00:0B:11', sessionTime: 5, terminateCause: 15 }),
    );
    expect((await session('tc1')).terminateCause).toBe('Service-Unavailable');
    await writer.record(event({ sessionId: 'tc2', userName: 'tc', statusType: 2, mac: '02:AB:00:00:0C:11', sessionTime: 5 }));
    expect((await session('tc2')).terminateCause).toBe('Unknown');
  });

  it('a Stop and the next Start of one device arriving together leave the device online, holding its place', async () => {
    const pkg = await addPackage(db); // one device
    await addEntitlement(db, pkg.id, { code: 'RELOG1' });
    const mac = '02:AB:00:00:0D:11';
    const auth = createAuthorizer(db.pool, { holdSeconds: 120 });
    const login = (m: string) =>
      auth.authorize({
        routerId,
        userName: 'RELOG1',
        credential: { kind: 'pap', password: 'RELOG1' },
        mac: m,
        userNameAsMac: null,
        now: new Date(),
      });
    expect((await login(mac)).accept).toBe(true);
    await writer.record(event({ sessionId: 'relog-a', userName: 'RELOG1', mac, statusType: 1 }));
    await Promise.all([
      writer.record(event({ sessionId: 'relog-other', userName: 'other', mac: '02:AB:00:00:11:11', statusType: 1 })), // keeps the writer busy: the next two queue together
      writer.record(event({ sessionId: 'relog-a', userName: 'RELOG1', mac, statusType: 2, sessionTime: 60, terminateCause: 1 })),
      writer.record(event({ sessionId: 'relog-b', userName: 'RELOG1', mac, statusType: 1 })),
    ]);
    const device = await db.prisma.entitlementDevice.findFirstOrThrow({ where: { mac, entitlement: { code: 'RELOG1' } } });
    expect(device.onlineUntil).not.toBeNull();
    expect(await login('02:AB:00:00:0E:11')).toEqual({ accept: false, reason: 'device_limit' });
  });

  it('an Interim of a session and a new Start from its device arriving together: the old session is closed as Lost-Stop', async () => {
    const mac = '02:AB:00:00:0F:11';
    await writer.record(event({ sessionId: 'ls-a', userName: 'ls', mac, statusType: 1 }));
    await Promise.all([
      writer.record(event({ sessionId: 'ls-a', userName: 'ls', mac, statusType: 3, sessionTime: 60, bytesUp: 1n, bytesDown: 1n })),
      writer.record(event({ sessionId: 'ls-b', userName: 'ls', mac, statusType: 1 })),
      writer.record(event({ sessionId: 'ls-c', userName: 'ls', mac, statusType: 1 })),
    ]);
    expect([(await session('ls-a')).terminateCause, (await session('ls-b')).terminateCause, (await session('ls-c')).status]).toEqual([
      'Lost-Stop',
      'Lost-Stop',
      'open',
    ]);
  });

  it('takes locks in the order authorization does (codes, then devices): a login and an Interim of one device do not deadlock', async () => {
    const pkg = await addPackage(db);
    const e = await addEntitlement(db, pkg.id, { code: 'LOCK1' });
    const mac = '02:AB:00:00:10:11';
    const auth = createAuthorizer(db.pool, { holdSeconds: 120 });
    expect(
      (
        await auth.authorize({
          routerId,
          userName: 'LOCK1',
          credential: { kind: 'pap', password: 'LOCK1' },
          mac,
          userNameAsMac: null,
          now: new Date(),
        })
      ).accept,
    ).toBe(true);
    await writer.record(event({ sessionId: 'lock-a', userName: 'LOCK1', mac, statusType: 1, entitlementHint: e.id }));
    const login = JSON.stringify([{ seq: 1, router_id: routerId, code: 'LOCK1', password: 'LOCK1', mac, now_ms: Date.now() }]);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT id FROM entitlements WHERE id = $1 FOR UPDATE', [e.id]); // a login holding the code
      const interim = writer.record(
        event({
          sessionId: 'lock-a',
          userName: 'LOCK1',
          mac,
          statusType: 3,
          sessionTime: 60,
          bytesUp: 5n,
          bytesDown: 5n,
          entitlementHint: e.id,
        }),
      );
      await new Promise((r) => setTimeout(r, 300)); // the Interim now waits for the code
      const decided = await client.query('SELECT outcome FROM netflow_decide_logins($1::json, 120)', [login]); // wants the device
      await client.query('COMMIT');
      expect(decided.rows[0].outcome).toBe('accept');
      await interim;
    } finally {
      client.release();
    }
    expect((await session('lock-a')).bytesUp).toBe(5n);
  });

  it('Accounting-On closes sessions before freeing their devices, as the enforcer does: the two do not deadlock', async () => {
    const router = await addRouter(db, { ip: '10.9.9.10' });
    const pkg = await addPackage(db);
    const e = await addEntitlement(db, pkg.id, { code: 'LOCK2' });
    const mac = '02:AB:00:00:11:11';
    const auth = createAuthorizer(db.pool, { holdSeconds: 120 });
    expect(
      (
        await auth.authorize({
          routerId: router.id,
          userName: 'LOCK2',
          credential: { kind: 'pap', password: 'LOCK2' },
          mac,
          userNameAsMac: null,
          now: new Date(),
        })
      ).accept,
    ).toBe(true);
    await writer.record(event({ routerId: router.id, sessionId: 'lock-b', userName: 'LOCK2', mac, statusType: 1, entitlementHint: e.id }));
    const open = await db.prisma.accountingSession.findUniqueOrThrow({
      where: { routerId_acctSessionId: { routerId: router.id, acctSessionId: 'lock-b' } },
    });
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE accounting_sessions SET status = 'closed' WHERE id = $1`, [open.id]); // the enforcer closes the session …
      const reboot = writer.record(event({ routerId: router.id, sessionId: '0', statusType: 7, mac: null, userName: null }));
      await new Promise((r) => setTimeout(r, 300)); // the Accounting-On now waits for that session
      await client.query('UPDATE entitlement_devices SET online_until = NULL WHERE entitlement_id = $1 AND mac = $2', [e.id, mac]); // … then frees its device
      await client.query('COMMIT');
      await reboot;
    } finally {
      client.release();
    }
    const device = await db.prisma.entitlementDevice.findFirstOrThrow({ where: { entitlementId: e.id, mac } });
    expect(device.onlineUntil).toBeNull();
  });

  it('an Acct-Session-Id the router reuses days later (its per-boot digit wrapped) starts a new session, counted from zero', async () => {
    const pkg = await addPackage(db, { devicesAllowed: 3 });
    const e = await addEntitlement(db, pkg.id, { code: 'REUSE1' });
    const mac = '02:AB:00:00:07:11';
    const day = 86_400_000;
    const t0 = new Date(Date.now() - 20 * day);
    const base = { sessionId: '80300007', userName: 'REUSE1', entitlementHint: e.id, mac };
    await writer.record(event({ ...base, statusType: 1, eventTimestamp: t0 }));
    await writer.record(
      event({
        ...base,
        statusType: 2,
        sessionTime: 600,
        bytesUp: 5000n,
        bytesDown: 9000n,
        terminateCause: 1,
        eventTimestamp: new Date(t0.getTime() + 600_000),
      }),
    );
    // A late copy of the old Stop, and of the old Start (new Identifier, new delay): the old session still.
    await writer.record(
      event({
        ...base,
        statusType: 2,
        sessionTime: 600,
        bytesUp: 5000n,
        bytesDown: 9000n,
        terminateCause: 1,
        eventTimestamp: new Date(t0.getTime() + 600_000),
        delaySeconds: 40,
      }),
    );
    await writer.record(event({ ...base, statusType: 1, eventTimestamp: t0, delaySeconds: 9 }));
    expect(await db.prisma.accountingSession.count({ where: { acctSessionId: { startsWith: '80300007' } } })).toBe(1);

    // Sixteen reboots later the same id names a new session: Start, Interim with counters below the old ones.
    const t1 = new Date(t0.getTime() + 16 * day);
    await writer.record(event({ ...base, statusType: 1, eventTimestamp: t1 }));
    let now = await session('80300007');
    expect([now.status, now.startedAt.getTime(), now.bytesUp]).toEqual(['open', t1.getTime(), 0n]);
    const old = await db.prisma.accountingSession.findFirstOrThrow({
      where: {
        acctSessionId: `80300007#${(await db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: { startsWith: '80300007#' } } })).id}`,
      },
    });
    expect([old.status, old.terminateCause, old.bytesUp, old.bytesDown]).toEqual(['closed', 'User-Request', 5000n, 9000n]);
    await writer.record(
      event({ ...base, statusType: 3, sessionTime: 300, bytesUp: 100n, bytesDown: 200n, eventTimestamp: new Date(t1.getTime() + 300_000) }),
    );
    now = await session('80300007');
    expect([now.status, now.bytesUp, now.bytesDown]).toEqual(['open', 100n, 200n]);
    let ent = await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } });
    expect([ent.bytesUp, ent.bytesDown]).toEqual([5100n, 9200n]);

    // The next reuse arrives without its Start (lost), and the router sends no Event-Timestamp:
    // the Interim alone opens it; the session before it had no Stop and is closed as Lost-Stop.
    const t2 = new Date(t1.getTime() + 16 * day);
    await writer.record(event({ ...base, statusType: 3, sessionTime: 120, bytesUp: 10n, bytesDown: 20n, receivedAt: t2 }));
    now = await session('80300007');
    expect([now.status, now.startedAt.getTime(), now.bytesUp]).toEqual(['open', t2.getTime() - 120_000, 10n]);
    const previous = await db.prisma.accountingSession.findMany({
      where: { acctSessionId: { startsWith: '80300007#' } },
      orderBy: { id: 'asc' },
    });
    expect(previous.map((p) => [p.status, p.terminateCause, p.bytesUp])).toEqual([
      ['closed', 'User-Request', 5000n],
      ['closed', 'Lost-Stop', 100n],
    ]);
    ent = await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } });
    expect([ent.bytesUp, ent.bytesDown]).toEqual([5110n, 9220n]);
    expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: '80300007' } })).toBe(5);
  });

  it('a Start without Event-Timestamp is one event for retransmissions minutes apart, another for a reuse days later', async () => {
    const received = new Date(Date.now() - 40 * 86_400_000);
    const base = { sessionId: '80500002', userName: 'nobody', mac: '02:AB:00:00:08:11', statusType: 1 };
    await writer.record(event({ ...base, receivedAt: received }));
    await writer.record(event({ ...base, receivedAt: new Date(received.getTime() + 3_000), delaySeconds: 3 }));
    expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: '80500002' } })).toBe(1);
    await writer.record(event({ ...base, receivedAt: new Date(received.getTime() + 16 * 86_400_000) }));
    expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: '80500002' } })).toBe(2);
    expect(await db.prisma.accountingSession.count({ where: { acctSessionId: { startsWith: '80500002' } } })).toBe(2);
  });

  it("a session the enforcer closed (our clock) and a router clock hours ahead: the router's Stop still lands on it, its usage counted once", async () => {
    const pkg = await addPackage(db);
    const e = await addEntitlement(db, pkg.id, { code: 'AHEAD1' });
    const base = { sessionId: '80700004', userName: 'AHEAD1', entitlementHint: e.id, mac: '02:AB:00:00:0B:11' };
    const routerNow = Date.now() + 2 * 3_600_000; // the router's clock two hours ahead of ours
    await writer.record(event({ ...base, statusType: 1, eventTimestamp: new Date(routerNow) }));
    await writer.record(
      event({ ...base, statusType: 3, sessionTime: 60, bytesUp: 100n, bytesDown: 200n, eventTimestamp: new Date(routerNow + 60_000) }),
    );
    // The enforcer's Disconnect was acknowledged: it closes the session at our time (src/enforce/queue.ts).
    await db.pool.query(
      `UPDATE accounting_sessions SET status = 'closed', stopped_at = now(), terminate_cause = 'Admin-Reset' WHERE acct_session_id = '80700004'`,
    );
    await writer.record(
      event({
        ...base,
        statusType: 2,
        sessionTime: 120,
        bytesUp: 150n,
        bytesDown: 250n,
        terminateCause: 6,
        eventTimestamp: new Date(routerNow + 120_000),
      }),
    );
    const rows = await db.prisma.accountingSession.findMany({ where: { acctSessionId: { startsWith: '80700004' } } });
    expect(rows.map((r) => [r.acctSessionId, r.status, r.bytesUp, r.bytesDown])).toEqual([['80700004', 'closed', 150n, 250n]]);
    const ent = await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } });
    expect([ent.bytesUp, ent.bytesDown]).toEqual([150n, 250n]);
  });

  it('an Interim without Acct-Session-Time long after the last one stays in its session', async () => {
    const base = { sessionId: '80800005', userName: 'nobody', mac: '02:AB:00:00:0C:11' };
    const t = Date.now() - 3_600_000;
    await writer.record(event({ ...base, statusType: 1, eventTimestamp: new Date(t) }));
    await writer.record(
      event({ ...base, statusType: 3, sessionTime: 60, bytesUp: 5n, bytesDown: 6n, eventTimestamp: new Date(t + 60_000) }),
    );
    await writer.record(
      event({ ...base, statusType: 3, sessionTime: null, bytesUp: 10n, bytesDown: 20n, eventTimestamp: new Date(t + 12 * 60_000) }),
    );
    const rows = await db.prisma.accountingSession.findMany({ where: { acctSessionId: { startsWith: '80800005' } } });
    expect(rows.map((r) => [r.acctSessionId, r.status, r.bytesUp])).toEqual([['80800005', 'open', 10n]]);
  });

  it('a router clock set forward mid-session does not split the session (counters keep growing)', async () => {
    const base = { sessionId: '80600003', userName: 'nobody', mac: '02:AB:00:00:09:11' };
    const boot = new Date('1970-01-02T00:00:00Z'); // RouterOS without a clock battery, before NTP
    await writer.record(event({ ...base, statusType: 1, eventTimestamp: boot }));
    await writer.record(
      event({ ...base, statusType: 3, sessionTime: 60, bytesUp: 50n, bytesDown: 60n, eventTimestamp: new Date(boot.getTime() + 60_000) }),
    );
    await writer.record(event({ ...base, statusType: 3, sessionTime: 120, bytesUp: 80n, bytesDown: 90n, eventTimestamp: new Date() }));
    const rows = await db.prisma.accountingSession.findMany({ where: { acctSessionId: { startsWith: '80600003' } } });
    expect(rows.map((r) => [r.acctSessionId, r.status, r.bytesUp])).toEqual([['80600003', 'open', 80n]]);
  });

  it('uses Event-Timestamp, else arrival minus Acct-Delay-Time, as the event time', async () => {
    const received = new Date('2026-11-25T10:00:00Z');
    await writer.record(
      event({ sessionId: 't1', userName: 't', statusType: 1, mac: '02:AB:00:00:05:11', receivedAt: received, delaySeconds: 30 }),
    );
    const rec = await db.prisma.accountingRecord.findFirstOrThrow({ where: { acctSessionId: 't1' } });
    expect(rec.eventAt.toISOString()).toBe('2026-11-25T09:59:30.000Z');
    const stamp = new Date('2026-11-25T08:00:00Z');
    await writer.record(event({ sessionId: 't2', userName: 't', statusType: 1, mac: '02:AB:00:00:06:11', eventTimestamp: stamp }));
    expect((await db.prisma.accountingRecord.findFirstOrThrow({ where: { acctSessionId: 't2' } })).eventAt.toISOString()).toBe(
      stamp.toISOString(),
    );
    // The session's times are the router's; when we heard of it is ours.
    const t2 = await session('t2');
    expect(t2.updatedAt.toISOString()).toBe(stamp.toISOString());
    expect(Math.abs(t2.heardAt!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('group commit: many concurrent packets are all stored before their promises resolve', async () => {
    const events = Array.from({ length: 300 }, (_, i) =>
      event({
        sessionId: `g${i}`,
        userName: 'g',
        statusType: 1,
        mac: `02:AB:00:01:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
      }),
    );
    await Promise.all(events.map((ev) => writer.record(ev)));
    expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: { startsWith: 'g' } } })).toBe(300);
  });

  it('rejects (so the router gets no response and retries) when the database cannot store', async () => {
    const broken = createAccountingWriter(db.pool, { onlineSeconds: 900 });
    await expect(broken.record(event({ routerId: 999999, sessionId: 'x1', statusType: 1 }))).rejects.toThrow();
    expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: 'x1' } })).toBe(0);
  });
});

describe('accounting batches', () => {
  it('one packet the database refuses does not fail the others written with it', async () => {
    const db = await openTestDatabase();
    try {
      const routerId = (await addRouter(db)).id;
      const writer = createAccountingWriter(db.pool, { onlineSeconds: 900 });
      const base: AccountingEvent = {
        routerId,
        statusType: 1,
        sessionId: 'b0',
        userName: 'u',
        mac: '02:AB:00:00:09:11',
        framedIp: null,
        nasPortId: null,
        sessionTime: null,
        bytesUp: null,
        bytesDown: null,
        terminateCause: null,
        delaySeconds: 0,
        eventTimestamp: null,
        receivedAt: new Date(),
        entitlementHint: null,
        attributesRaw: Buffer.alloc(0),
      };
      const results = await Promise.allSettled([
        writer.record({ ...base, sessionId: 'b1' }),
        writer.record({ ...base, sessionId: 'b2', routerId: 424242 }),
        writer.record({ ...base, sessionId: 'b3', mac: '02:AB:00:00:0A:11' }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await db.prisma.accountingRecord.count()).toBe(2);
    } finally {
      await db.close();
    }
  });
});
