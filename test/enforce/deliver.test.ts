// What NetFlow sends a router, and when: the CoA's Session-Timeout (counted from the session's
// start, floored, capped), the Disconnect retry schedule (growth, cap, giving up after the 20th
// attempt) under an injected clock on a real PostgreSQL, and the growing wait between
// retransmissions of one attempt over real UDP.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeSessionPackage } from '../../src/admin/sessions.js';
import { silentLogger } from '../../src/config/logger.js';
import type { Database } from '../../src/db/database.js';
import { coaChanges, coaRouterControl } from '../../src/enforce/coa-control.js';
import { DEFAULT_RETRY, deliver, limitsOf, retryDelaySeconds, sessionOf } from '../../src/enforce/deliver.js';
import { createEnforcer } from '../../src/enforce/enforcer.js';
import { enqueue, type ClaimedAction } from '../../src/enforce/queue.js';
import { CODE } from '../../src/radius/codes.js';
import { createDynamicClient } from '../../src/radius/dynamic-client.js';
import { encodeResponse } from '../../src/radius/encode.js';
import { integerAttr, parsePacket } from '../../src/radius/packet.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';

const SECRET = 'deliver-test-secret-0123';
const MIN = 60_000;
const ATTR_SESSION_TIMEOUT = 27;

function action(over: Partial<ClaimedAction> = {}): ClaimedAction {
  return {
    id: 1n,
    kind: 'coa',
    reason: 'package_change',
    attempts: 1,
    session_id: 1n,
    session_status: 'open',
    user_name: 'CODE1',
    acct_session_id: '80000001',
    mac: '02:00:00:00:00:01',
    framed_ip: '10.5.50.2',
    started_at: new Date(),
    router_id: 1,
    router_name: 'r',
    router_ip: '127.0.0.1',
    router_secret: SECRET,
    coa_port: 9,
    rate_up: '1M',
    rate_down: '2M',
    expires_at: null,
    idle_timeout: null,
    ...over,
  };
}

const sessionTimeout = (a: ClaimedAction) => coaChanges(sessionOf(a), limitsOf(a)).find(([name]) => name === 'Session-Timeout')?.[1];

/** A router's `/radius incoming` that hears everything and answers nothing; keeps arrival times. */
async function silentRouter(): Promise<{ port: number; arrivals: Array<{ at: number; bytes: Buffer }>; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const arrivals: Array<{ at: number; bytes: Buffer }> = [];
  socket.on('message', (bytes) => arrivals.push({ at: performance.now(), bytes }));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, arrivals, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

/** A router that ACKs every CoA/Disconnect and keeps the Session-Timeout each CoA carried. */
async function ackingRouter(): Promise<{ port: number; sessionTimeouts: Array<number | undefined>; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const sessionTimeouts: Array<number | undefined> = [];
  socket.on('message', (bytes, rinfo) => {
    const request = parsePacket(bytes);
    if (request.code === CODE.coaRequest) sessionTimeouts.push(integerAttr(request, ATTR_SESSION_TIMEOUT) ?? undefined);
    socket.send(encodeResponse({ request, code: request.code + 1, attributes: [], secret: SECRET }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, sessionTimeouts, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

describe('CoA Session-Timeout', () => {
  it("is the uptime at which the code expires, counted from the session's start, not from now", () => {
    const now = Date.now();
    // Online for 50 minutes; the code has 10 minutes left: RouterOS must cut at 60 minutes of uptime.
    expect(sessionTimeout(action({ started_at: new Date(now - 50 * MIN), expires_at: new Date(now + 10 * MIN) }))).toBe(3600);
  });

  it('is floored to whole seconds: the router may cut a moment early, never late', () => {
    const start = new Date('2026-03-01T10:00:00.000Z');
    expect(sessionTimeout(action({ started_at: start, expires_at: new Date(start.getTime() + 100_999) }))).toBe(100);
    expect(sessionTimeout(action({ started_at: start, expires_at: new Date(start.getTime() + 100_001) }))).toBe(100);
  });

  it("is at least 1 (an expired code ends the session at once) and at most RouterOS's 21,474,720 s", () => {
    const start = new Date('2026-03-01T10:00:00.000Z');
    expect(sessionTimeout(action({ started_at: start, expires_at: new Date(start.getTime() - MIN) }))).toBe(1);
    expect(sessionTimeout(action({ started_at: start, expires_at: new Date(start.getTime() + 21_474_720_000) }))).toBe(21_474_720);
    expect(sessionTimeout(action({ started_at: start, expires_at: new Date(start.getTime() + 21_474_721_000) }))).toBe(21_474_720);
    expect(sessionTimeout(action({ started_at: start, expires_at: new Date(start.getTime() + 365 * 24 * 60 * MIN) }))).toBe(21_474_720);
  });

  it('is absent for a code without expiry (its clock has not started)', () => {
    expect(sessionTimeout(action({ expires_at: null }))).toBeUndefined();
  });
});

describe('Disconnect retry schedule', () => {
  it('waits 15 s, then doubles, up to 10 minutes', () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 20, baseDelaySeconds: 15, maxDelaySeconds: 600 });
    expect(Array.from({ length: 10 }, (_, i) => retryDelaySeconds(DEFAULT_RETRY, i + 1))).toEqual([
      15, 30, 60, 120, 240, 480, 600, 600, 600, 600,
    ]);
    expect(retryDelaySeconds(DEFAULT_RETRY, 19)).toBe(600);
    expect(retryDelaySeconds({ maxAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 5 }, 3)).toBe(4);
    expect(retryDelaySeconds({ maxAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 5 }, 4)).toBe(5);
  });

  it('an unanswered attempt retries until the last allowed one, which fails', async () => {
    const router = await silentRouter();
    const client = await createDynamicClient({ initialTimeoutMs: 5 });
    try {
      const at = new Date('2026-03-01T10:00:00.000Z');
      const policy = { maxAttempts: 3, baseDelaySeconds: 15, maxDelaySeconds: 600 };
      const send = (attempts: number) =>
        deliver(
          coaRouterControl(client, () => at),
          action({ kind: 'disconnect', attempts, coa_port: router.port }),
          policy,
          () => at,
        );
      expect(await send(2)).toMatchObject({ status: 'retry', nextAttemptAt: new Date(at.getTime() + 30_000) });
      expect(await send(3)).toEqual({ status: 'failed', error: `no reply from 127.0.0.1:${router.port} after 3 transmissions` });
    } finally {
      await client.close();
      await router.close();
    }
  });
});

describe('retransmissions of one attempt', () => {
  it('resend the same bytes after a wait that doubles each time (100, 200, 400 ms)', async () => {
    const router = await silentRouter();
    const client = await createDynamicClient({ initialTimeoutMs: 100 });
    try {
      const started = performance.now();
      const outcome = await client.send({
        kind: 'disconnect',
        host: '127.0.0.1',
        port: router.port,
        secret: SECRET,
        attributes: [['User-Name', 'X']],
      });
      const elapsed = performance.now() - started;
      expect(outcome).toEqual({ result: 'timeout', transmissions: 3 });
      expect(router.arrivals).toHaveLength(3);
      expect(router.arrivals[1].bytes.equals(router.arrivals[0].bytes) && router.arrivals[2].bytes.equals(router.arrivals[0].bytes)).toBe(
        true,
      );
      const gaps = [router.arrivals[1].at - router.arrivals[0].at, router.arrivals[2].at - router.arrivals[1].at];
      // Timers never fire early; loopback adds well under a few ms. Lower bounds only, so a slow
      // machine cannot fail this, while a wait that does not grow (100, 100) cannot pass it.
      expect(gaps[0]).toBeGreaterThanOrEqual(95);
      expect(gaps[1]).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeGreaterThanOrEqual(695);
    } finally {
      await client.close();
      await router.close();
    }
  });
});

describe('enforcement against a real PostgreSQL with an injected clock', () => {
  let db: Database;
  let routerId: number;
  let seq = 0;

  beforeAll(async () => {
    db = await openTestDatabase();
    routerId = (await addRouter(db, { ip: '127.0.0.1', secret: SECRET })).id;
  });
  afterAll(async () => db?.close());

  async function onlineSession(entitlementId: number, startedAt: Date) {
    seq++;
    return db.prisma.accountingSession.create({
      data: {
        routerId,
        acctSessionId: `dlv${seq}`,
        entitlementId,
        userName: `DLV${seq}`,
        mac: `02:DD:00:00:00:${String(seq).padStart(2, '0')}`,
        framedIp: `10.5.50.${seq}`,
        status: 'open',
        startedAt,
        updatedAt: startedAt,
      },
    });
  }

  it('a router that never answers: the Disconnect is retried with the 15 s·2ⁿ schedule capped at 10 min, and given up after the 20th attempt', async () => {
    const router = await silentRouter();
    await db.prisma.router.update({ where: { id: routerId }, data: { coaPort: router.port } });
    const client = await createDynamicClient({ initialTimeoutMs: 2 });
    let clock = new Date();
    const enforcer = createEnforcer({
      pool: db.pool,
      control: coaRouterControl(client, () => clock),
      log: silentLogger,
      interimSeconds: 300,
      now: () => clock,
    });
    try {
      const pkg = await addPackage(db, { minutes: 60 });
      const ent = await addEntitlement(db, pkg.id, { expiresAt: new Date(clock.getTime() + 60 * MIN) });
      const session = await onlineSession(ent.id, clock);
      const id = await enqueue(db.pool, { kind: 'disconnect', reason: 'admin', sessionId: session.id, requestedBy: 'test', now: clock });
      const waits: number[] = [];
      for (let attempt = 1; attempt <= 20; attempt++) {
        expect(await enforcer.deliverDue()).toBe(1);
        const row = await db.prisma.enforcementAction.findUniqueOrThrow({ where: { id: id! } });
        expect(row.attempts).toBe(attempt);
        if (attempt === 20) {
          expect([row.status, row.lastError]).toEqual(['failed', `no reply from 127.0.0.1:${router.port} after 3 transmissions`]);
          break;
        }
        expect(row.status).toBe('pending');
        waits.push((row.nextAttemptAt.getTime() - clock.getTime()) / 1000);
        // Not a moment before it is due.
        clock = new Date(row.nextAttemptAt.getTime() - 1);
        expect(await enforcer.deliverDue()).toBe(0);
        clock = row.nextAttemptAt;
      }
      expect(waits).toEqual([15, 30, 60, 120, 240, 480, ...Array(13).fill(600)]);
      expect(router.arrivals).toHaveLength(60); // 20 attempts of 3 transmissions
      clock = new Date(clock.getTime() + 24 * 60 * MIN);
      expect(await enforcer.deliverDue()).toBe(0);
      expect(router.arrivals).toHaveLength(60);
      const audit = await db.prisma.auditLog.findMany({ where: { subject: `session ${session.id}` } });
      expect(audit.map((a) => a.action)).toEqual(['session.disconnect.failed']);
      expect(audit[0].details).toMatchObject({ attempts: 20, reason: 'admin' });
    } finally {
      await enforcer.stop();
      await client.close();
      await router.close();
    }
  });

  it("session change-package: the new expiry counts from when the code started, and the CoA's Session-Timeout from when the session started", async () => {
    const router = await ackingRouter();
    await db.prisma.router.update({ where: { id: routerId }, data: { coaPort: router.port } });
    const client = await createDynamicClient({ initialTimeoutMs: 500 });
    const enforcer = createEnforcer({ pool: db.pool, control: coaRouterControl(client), log: silentLogger, interimSeconds: 300 });
    try {
      const small = await addPackage(db, { name: 'dlv-small', minutes: 60 });
      await addPackage(db, { name: 'dlv-big', minutes: 180 });
      const t = Date.now();
      // The code's clock started 50 minutes ago; this device logged in 40 minutes and 0.4 s ago.
      const ent = await addEntitlement(db, small.id, { expiresAt: new Date(t + 10 * MIN) });
      await db.prisma.entitlement.update({ where: { id: ent.id }, data: { startsAt: new Date(t - 50 * MIN) } });
      const session = await onlineSession(ent.id, new Date(t - 40 * MIN - 400));

      const change = await changeSessionPackage(db.prisma, { id: String(session.id), package: 'dlv-big' }, 'admin@test');
      expect(change.expiresAt).toEqual(new Date(t - 50 * MIN + 180 * MIN));
      expect((await db.prisma.entitlement.findUniqueOrThrow({ where: { id: ent.id } })).expiresAt).toEqual(change.expiresAt);

      expect(await enforcer.deliverDue()).toBe(1);
      // Uptime at the new expiry: 130 min from now + 40 min 0.4 s online = 10,200.4 s, floored.
      expect(router.sessionTimeouts).toEqual([10_200]);
      const [coa] = await db.prisma.enforcementAction.findMany({ where: { sessionId: session.id } });
      expect([coa.kind, coa.status]).toEqual(['coa', 'acked']);
      expect((coa.attributes as Record<string, unknown>)['Session-Timeout']).toBe(10_200);
    } finally {
      await enforcer.stop();
      await client.close();
      await router.close();
    }
  });
});
