// The authorization policy against a real PostgreSQL: every accept and reject rule.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer, type Authorizer } from '../../src/aaa/authorize.js';
import type { AccessRequest } from '../../src/aaa/types.js';
import type { Database } from '../../src/db/database.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';

const MAC_A = 'AA:BB:CC:00:00:01';
const MAC_B = 'AA:BB:CC:00:00:02';
const MAC_C = 'AA:BB:CC:00:00:03';

describe('authorize', () => {
  let db: Database;
  let authorize: Authorizer;
  let routerId: number;
  let otherRouterId: number;

  const pap = (userName: string, password: string, mac: string | null, over: Partial<AccessRequest> = {}): AccessRequest => ({
    routerId,
    userName,
    credential: { kind: 'pap', password },
    mac,
    userNameAsMac: null,
    now: new Date(),
    ...over,
  });

  beforeAll(async () => {
    db = await openTestDatabase();
    authorize = createAuthorizer(db.pool, { holdSeconds: 120 }).authorize;
    routerId = (await addRouter(db, { ip: '10.0.0.1' })).id;
    otherRouterId = (await addRouter(db, { ip: '10.0.0.2' })).id;
  });
  afterAll(() => db.close());

  it('accepts a paid code with the time left, package rates and data left', async () => {
    const pkg = await addPackage(db, { minutes: 30, dataCapBytes: 5n * 1024n ** 3n, idleTimeoutSeconds: 300 });
    const e = await addEntitlement(db, pkg.id, { code: 'PAID1' });
    const d = await authorize(pap('PAID1', 'PAID1', MAC_A));
    expect(d).toEqual({
      accept: true,
      grant: { entitlementId: e.id, secondsLeft: 1800, bytesLeft: 5n * 1024n ** 3n, rateUp: '2M', rateDown: '5M', idleTimeoutSeconds: 300 },
    });
    const row = await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } });
    expect(row.routerId).toBe(routerId); // bound to the router at first login
    expect(row.expiresAt!.getTime() - row.startsAt!.getTime()).toBe(30 * 60_000);
  });

  it('verifies CHAP with CHAP-Challenge in the database', async () => {
    const pkg = await addPackage(db);
    await addEntitlement(db, pkg.id, { code: 'CHAP1', password: 'sekret' });
    const ident = Buffer.from([7]);
    const challenge = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
    const hash = (pw: string) => createHash('md5').update(ident).update(pw).update(challenge).digest();
    const ok = await authorize({ ...pap('CHAP1', '', MAC_A), credential: { kind: 'chap', ident, hash: hash('sekret'), challenge } });
    expect(ok.accept).toBe(true);
    const bad = await authorize({ ...pap('CHAP1', '', MAC_A), credential: { kind: 'chap', ident, hash: hash('wrong'), challenge } });
    expect(bad).toEqual({ accept: false, reason: 'bad_password' });
  });

  it('rejects unknown codes, wrong passwords, revoked and expired entitlements', async () => {
    const pkg = await addPackage(db);
    await addEntitlement(db, pkg.id, { code: 'REV1', status: 'revoked' });
    await addEntitlement(db, pkg.id, { code: 'OLD1', expiresAt: new Date(Date.now() - 1000) });
    await addEntitlement(db, pkg.id, { code: 'LATE1', redeemBy: new Date(Date.now() - 1000) });
    await addEntitlement(db, pkg.id, { code: 'GOOD1' });
    expect(await authorize(pap('NOPE', 'NOPE', MAC_A))).toEqual({ accept: false, reason: 'unknown_code' });
    expect(await authorize(pap('GOOD1', 'x', MAC_A))).toEqual({ accept: false, reason: 'bad_password' });
    expect(await authorize(pap('REV1', 'REV1', MAC_A))).toEqual({ accept: false, reason: 'revoked' });
    expect(await authorize(pap('OLD1', 'OLD1', MAC_A))).toEqual({ accept: false, reason: 'expired' });
    expect(await authorize(pap('LATE1', 'LATE1', MAC_A))).toEqual({ accept: false, reason: 'not_redeemed_in_time' });
    expect(await authorize(pap('GOOD1', 'GOOD1', null))).toEqual({ accept: false, reason: 'no_device' });
  });

  it('is router-bound: a code used on one router is refused on another', async () => {
    const pkg = await addPackage(db);
    await addEntitlement(db, pkg.id, { code: 'BOUND1' });
    expect((await authorize(pap('BOUND1', 'BOUND1', MAC_A))).accept).toBe(true);
    expect(await authorize(pap('BOUND1', 'BOUND1', MAC_A, { routerId: otherRouterId }))).toEqual({ accept: false, reason: 'other_router' });
  });

  it('expires on time: accepted one second before, refused at expiry', async () => {
    const pkg = await addPackage(db, { minutes: 2 });
    await addEntitlement(db, pkg.id, { code: 'TWO1' });
    const t0 = new Date();
    expect((await authorize(pap('TWO1', 'TWO1', MAC_A, { now: t0 }))).accept).toBe(true);
    const almost = await authorize(pap('TWO1', 'TWO1', MAC_A, { now: new Date(t0.getTime() + 119_000) }));
    expect(almost.accept && almost.grant.secondsLeft).toBe(1);
    expect(await authorize(pap('TWO1', 'TWO1', MAC_A, { now: new Date(t0.getTime() + 120_000) }))).toEqual({
      accept: false,
      reason: 'expired',
    });
  });

  it('refuses a second device while the first is online, and lets a new MAC take over later', async () => {
    const pkg = await addPackage(db);
    const e = await addEntitlement(db, pkg.id, { code: 'ONE1' });
    const t0 = new Date();
    expect((await authorize(pap('ONE1', 'ONE1', MAC_A, { now: t0 }))).accept).toBe(true);
    // The same device logging in again is fine.
    expect((await authorize(pap('ONE1', 'ONE1', MAC_A, { now: t0 }))).accept).toBe(true);
    expect(await authorize(pap('ONE1', 'ONE1', MAC_B, { now: t0 }))).toEqual({ accept: false, reason: 'device_limit' });
    // After the hold expires without accounting (the first device is gone), a new MAC takes over.
    const later = new Date(t0.getTime() + 121_000);
    expect((await authorize(pap('ONE1', 'ONE1', MAC_B, { now: later }))).accept).toBe(true);
    const devices = await db.prisma.entitlementDevice.findMany({ where: { entitlementId: e.id }, orderBy: { id: 'asc' } });
    expect(devices.map((d) => [d.mac, d.tookOver])).toEqual([
      [MAC_A, false],
      [MAC_B, true],
    ]);
    expect((await db.prisma.entitlement.findUniqueOrThrow({ where: { id: e.id } })).takeovers).toBe(1);
  });

  it('flags a code whose MAC changes suspiciously often', async () => {
    const pkg = await addPackage(db);
    await addEntitlement(db, pkg.id, { code: 'HOP1' });
    let t = Date.now();
    for (let i = 0; i < 4; i++) {
      const mac = `AA:BB:CC:00:01:0${i}`;
      expect((await authorize(pap('HOP1', 'HOP1', mac, { now: new Date(t) }))).accept).toBe(true);
      t += 121_000;
    }
    const alerts = await db.prisma.auditLog.findMany({ where: { action: 'security.frequent_mac_takeover', subject: 'HOP1' } });
    expect(alerts.length).toBe(1);
  });

  it('lets N devices share a multi-device package, sharing one clock', async () => {
    const pkg = await addPackage(db, { devicesAllowed: 2 });
    await addEntitlement(db, pkg.id, { code: 'TWODEV' });
    const now = new Date();
    const a = await authorize(pap('TWODEV', 'TWODEV', MAC_A, { now }));
    const b = await authorize(pap('TWODEV', 'TWODEV', MAC_B, { now }));
    expect(a.accept && b.accept).toBe(true);
    expect(a.accept && b.accept && a.grant.secondsLeft === b.grant.secondsLeft).toBe(true);
    expect(await authorize(pap('TWODEV', 'TWODEV', MAC_C, { now }))).toEqual({ accept: false, reason: 'device_limit' });
  });

  it('admits exactly one of two devices racing for the last place', async () => {
    const pkg = await addPackage(db);
    await addEntitlement(db, pkg.id, { code: 'RACE1' });
    const results = await Promise.all([authorize(pap('RACE1', 'RACE1', MAC_A)), authorize(pap('RACE1', 'RACE1', MAC_B))]);
    expect(results.filter((r) => r.accept).length).toBe(1);
  });

  it("two NetFlow instances (separate connections) racing for a code's last place: exactly one gets it", async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const other = createAuthorizer(pool, { holdSeconds: 120 }).authorize;
      const pkg = await addPackage(db);
      for (let round = 0; round < 8; round++) {
        await addEntitlement(db, pkg.id, { code: `RACE2-${round}` });
        const code = `RACE2-${round}`;
        const results = await Promise.all([authorize(pap(code, code, MAC_A)), other(pap(code, code, MAC_B))]);
        expect(results.filter((r) => r.accept).length).toBe(1);
      }
    } finally {
      await pool.end();
    }
  });

  it('refuses a used-up data allowance', async () => {
    const pkg = await addPackage(db, { dataCapBytes: 1000n });
    const e = await addEntitlement(db, pkg.id, { code: 'CAP1' });
    await db.prisma.entitlement.update({ where: { id: e.id }, data: { bytesDown: 1000n } });
    expect(await authorize(pap('CAP1', 'CAP1', MAC_A))).toEqual({ accept: false, reason: 'data_exhausted' });
  });

  it('MAC authentication: a known device with time left gets in, only as itself', async () => {
    const pkg = await addPackage(db);
    await addEntitlement(db, pkg.id, { code: 'MACAUTH' });
    const now = new Date();
    expect((await authorize(pap('MACAUTH', 'MACAUTH', MAC_C, { now }))).accept).toBe(true);
    const macReq = (mac: string | null, password: string) =>
      pap(MAC_C.replaceAll(':', '-').toLowerCase(), password, mac, { userNameAsMac: MAC_C, now });
    expect((await authorize(macReq(MAC_C, ''))).accept).toBe(true);
    expect((await authorize(macReq(MAC_C, MAC_C))).accept).toBe(true);
    expect(await authorize(macReq(MAC_C, 'guess'))).toEqual({ accept: false, reason: 'bad_password' });
    // Typing someone else's MAC into the login form does not work: the router reports the real one.
    expect(await authorize(macReq(MAC_B, ''))).toEqual({ accept: false, reason: 'mac_mismatch' });
    const unknown = 'AA:BB:CC:09:09:09';
    expect(await authorize(pap(unknown, '', unknown, { userNameAsMac: unknown }))).toEqual({ accept: false, reason: 'unknown_device' });
  });
});
