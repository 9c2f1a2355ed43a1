// The simulated hotspot against a real NetFlow (real UDP on loopback, real PostgreSQL): logins
// the way RouterOS sends them, and the session lifecycle NetFlow's Access-Accept sets, run on a
// ManualClock so an hour of Session-Timeout takes no real time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addEntitlement, addPackage } from '../support/fixtures.js';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { Hotspot, type LoginRequest } from '../../tools/nas-sim/hotspot.js';
import { SECRET, startNetflowWithRouter, type TestNetflow } from './helpers.js';
import { decodeStoredAttributes } from '../../src/radius/stored-attributes.js';

describe('nas-sim hotspot against NetFlow', () => {
  let env: TestNetflow;
  let pkgId: number;
  const hotspots: Hotspot[] = [];

  beforeAll(async () => {
    ({ env } = await startNetflowWithRouter());
    pkgId = (await addPackage(env.db, { minutes: 60, rateLimitUp: '2M', rateLimitDown: '5M' })).id;
  });
  afterAll(async () => {
    for (const h of hotspots) await h.stop({ endSessions: false });
    await env.stop();
  });

  async function hotspot(clock = new ManualClock()): Promise<{ hs: Hotspot; clock: ManualClock }> {
    const hs = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: env.netflow.authPort,
      acctPort: env.netflow.acctPort,
      bindAddress: '127.0.0.1',
      clock,
    });
    hotspots.push(hs);
    return { hs, clock };
  }

  /** Moves simulated time, letting NetFlow answer each packet before time moves on. */
  const run = (hs: Hotspot, clock: ManualClock, ms: number) => clock.advanceAsync(ms, () => hs.quiesce());

  async function loginOk(hs: Hotspot, req: LoginRequest) {
    const result = await hs.login(req);
    if (!result.ok) throw new Error(`login refused: ${result.reason} ${result.replyMessage}`);
    await hs.settled(); // the Start is acknowledged
    return result.session;
  }

  const dbSession = (acctSessionId: string) => env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId } });

  it('PAP login: Accept applied (limits, Class) and the Start reaches NetFlow', async () => {
    const ent = await addEntitlement(env.db, pkgId, { code: 'PAP1' });
    const { hs } = await hotspot();
    const s = await loginOk(hs, { method: 'pap', mac: 'aa-bb-cc-00-00-01', username: 'PAP1', password: 'PAP1', ip: '10.5.50.11' });
    expect(s.mac).toBe('AA:BB:CC:00:00:01');
    expect(s.acctSessionId).toMatch(/^80[0-9a-f]{6}$/);
    expect(s.limits).toMatchObject({ sessionTimeout: 3600, interimInterval: 300, rateLimit: '2M/5M', totalLimit: null });
    expect(s.classes).toEqual([`nf:${ent.id}`]);
    const row = await dbSession(s.acctSessionId);
    expect([row.status, row.entitlementId, row.framedIp, row.mac]).toEqual(['open', ent.id, '10.5.50.11', 'AA:BB:CC:00:00:01']);
    const wrong = await hs.login({ method: 'pap', mac: 'AA:BB:CC:00:00:02', username: 'PAP1', password: 'nope' });
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.replyMessage).toMatch(/Wrong code or password/);
    expect(hs.events('login-reject')).toHaveLength(1);
  });

  it('CHAP (http-chap as the login page and router do it) and MAC login with the blank password', async () => {
    await addEntitlement(env.db, pkgId, { code: 'CHAP1', password: 'chap-secret' });
    await addEntitlement(env.db, pkgId, { code: 'MAC1' });
    const { hs } = await hotspot();
    const chap = await loginOk(hs, { method: 'chap', mac: 'AA:BB:CC:00:01:01', username: 'CHAP1', password: 'chap-secret' });
    expect(chap.method).toBe('chap');
    expect((await hs.login({ method: 'chap', mac: 'AA:BB:CC:00:01:02', username: 'CHAP1', password: 'wrong' })).ok).toBe(false);

    // MAC login works for a device that used a code before (NetFlow remembers the device).
    const mac = 'AA:BB:CC:00:01:03';
    const first = await loginOk(hs, { method: 'pap', mac, username: 'MAC1', password: 'MAC1' });
    expect(await hs.logout(mac)).toBe(true);
    await hs.settled();
    expect((await dbSession(first.acctSessionId)).terminateCause).toBe('User-Request');
    const again = await loginOk(hs, { method: 'mac', mac });
    expect(again.userName).toBe(mac);
    expect(again.acctSessionId).not.toBe(first.acctSessionId);
    expect((await dbSession(again.acctSessionId)).status).toBe('open');
  });

  it("honours the Accept's Session-Timeout: interims every Acct-Interim-Interval, then Stop with cause 5", async () => {
    await addEntitlement(env.db, pkgId, { code: 'TIME1' });
    const { hs, clock } = await hotspot();
    const s = await loginOk(hs, {
      method: 'pap',
      mac: 'AA:BB:CC:00:02:01',
      username: 'TIME1',
      password: 'TIME1',
      traffic: { upBps: 100, downBps: 1000 },
    });
    await run(hs, clock, 3600_000);
    await hs.settled();
    expect(hs.session(s.acctSessionId)).toBeNull();
    const logout = hs.events('logout').find((e) => e.fields.session === s.acctSessionId)!;
    expect(logout.fields).toMatchObject({ cause: 5, uptime: 3600 });
    // 11 interims (300 s … 3300 s); the one due at 3600 s is superseded by the Stop.
    expect(
      hs
        .events('acct-ack')
        .filter((e) => e.fields.session === s.acctSessionId)
        .map((e) => e.fields.kind),
    ).toEqual(['start', ...Array(11).fill('interim'), 'stop']);
    const row = await dbSession(s.acctSessionId);
    expect([row.status, row.terminateCause, row.sessionTime, row.bytesUp, row.bytesDown]).toEqual([
      'closed',
      'Session-Timeout',
      3600,
      360_000n,
      3_600_000n,
    ]);
  });

  it('interim updates grow the octets and NetFlow usage grows with them, past 4 GiB (Gigawords)', async () => {
    const ent = await addEntitlement(env.db, pkgId, { code: 'GIGA1' });
    const { hs, clock } = await hotspot();
    const s = await loginOk(hs, {
      method: 'pap',
      mac: 'AA:BB:CC:00:03:01',
      username: 'GIGA1',
      password: 'GIGA1',
      traffic: { upBps: 1000, downBps: 10_000_000 },
    });
    await run(hs, clock, 300_000);
    await hs.settled();
    let row = await dbSession(s.acctSessionId);
    expect([row.bytesUp, row.bytesDown, row.sessionTime]).toEqual([300_000n, 3_000_000_000n, 300]);
    let usage = await env.db.prisma.entitlement.findUniqueOrThrow({ where: { id: ent.id } });
    expect([usage.bytesUp, usage.bytesDown]).toEqual([300_000n, 3_000_000_000n]);

    await run(hs, clock, 300_000);
    await hs.settled();
    row = await dbSession(s.acctSessionId);
    expect(row.bytesDown).toBe(6_000_000_000n); // > 2^32: low word + Acct-Output-Gigawords = 1
    usage = await env.db.prisma.entitlement.findUniqueOrThrow({ where: { id: ent.id } });
    expect([usage.bytesUp, usage.bytesDown]).toEqual([600_000n, 6_000_000_000n]);
    const interims = await env.db.prisma.accountingRecord.findMany({
      where: { acctSessionId: s.acctSessionId, statusType: 3 },
      orderBy: { id: 'asc' },
    });
    const attrs = interims.map((r) => decodeStoredAttributes(Buffer.from(r.attributesRaw!)));
    expect(attrs.map((a) => a['Acct-Output-Gigawords'])).toEqual([0, 1]);
    expect(attrs[1]['Acct-Output-Octets']).toBe(6_000_000_000 - 2 ** 32);
    expect(attrs[1].Class).toBeDefined();
    expect(hs.session(s.acctSessionId)!.counters.bytesOut).toBe(6_000_000_000n);
  });

  it('Idle-Timeout: no traffic from the guest ends the session with cause 4', async () => {
    const idlePkg = await addPackage(env.db, { minutes: 60, idleTimeoutSeconds: 120 });
    await addEntitlement(env.db, idlePkg.id, { code: 'IDLE1' });
    const { hs, clock } = await hotspot();
    const s = await loginOk(hs, {
      method: 'pap',
      mac: 'AA:BB:CC:00:04:01',
      username: 'IDLE1',
      password: 'IDLE1',
      traffic: { upBps: 500, downBps: 500 },
    });
    expect(s.limits.idleTimeout).toBe(120);
    await run(hs, clock, 200_000); // busy: not idle
    expect(hs.session(s.acctSessionId)).not.toBeNull();
    hs.setTraffic(s.mac, { upBps: 0, downBps: 0 });
    await run(hs, clock, 119_000);
    expect(hs.session(s.acctSessionId)).not.toBeNull();
    await run(hs, clock, 1_000);
    await hs.settled();
    expect(hs.session(s.acctSessionId)).toBeNull();
    expect((await dbSession(s.acctSessionId)).terminateCause).toBe('Idle-Timeout');
  });

  it('Mikrotik-Total-Limit caps the session: it ends when upload + download reach the cap', async () => {
    const capPkg = await addPackage(env.db, { minutes: 60, dataCapBytes: 1_000_000n });
    await addEntitlement(env.db, capPkg.id, { code: 'CAP1' });
    const { hs, clock } = await hotspot();
    const s = await loginOk(hs, {
      method: 'pap',
      mac: 'AA:BB:CC:00:05:01',
      username: 'CAP1',
      password: 'CAP1',
      traffic: { upBps: 1000, downBps: 9000 },
    });
    expect(s.limits.totalLimit).toBe(1_000_000n);
    await run(hs, clock, 200_000);
    await hs.settled();
    const logout = hs.events('logout').find((e) => e.fields.session === s.acctSessionId)!;
    expect(logout.fields).toMatchObject({ reason: 'total-limit', cause: 5, uptime: 100, bytesIn: '100000', bytesOut: '900000' });
    const row = await dbSession(s.acctSessionId);
    expect([row.status, row.bytesUp + row.bytesDown]).toEqual(['closed', 1_000_000n]);
  });
});
