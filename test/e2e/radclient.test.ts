// FreeRADIUS's radclient (Debian freeradius-utils), an independent RADIUS implementation,
// against a running `netflow serve`: PAP, CHAP, MAC auth, accounting, drops. Replies and the
// database are both checked.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createTestDatabaseUrl } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { spawnNetflow, type ServeProcess } from '../support/spawn-netflow.js';

const SECRET = 'e2e-secret-0123456789';
const NAS =
  'NAS-Identifier = "MikroTik", NAS-IP-Address = 127.0.0.1, Called-Station-Id = "hotspot1", NAS-Port-Type = Wireless-802.11, Service-Type = Login-User';

function radclient(input: string, port: number, kind: 'auth' | 'acct', secret = SECRET): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'radclient',
      ['-x', '-r', '1', '-t', '2', `127.0.0.1:${port}`, kind, secret],
      { timeout: 15_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
      },
    );
    child.stdin!.end(input + '\n');
  });
}

/** The attribute lines radclient printed for the received reply, in packet order. */
function replyAttributes(out: string): string[] {
  const after = out.split(/Received (?:Access-Accept|Access-Reject|Accounting-Response)[^\n]*\n/)[1] ?? '';
  return after
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[A-Za-z-]+ = /.test(l));
}

describe('radclient against netflow serve', () => {
  let db: Database;
  let server: ServeProcess;

  beforeAll(async () => {
    const url = await createTestDatabaseUrl();
    db = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    await addRouter(db, { ip: '127.0.0.1', secret: SECRET });
    const pkg = await addPackage(db, { minutes: 60, rateLimitUp: '2M', rateLimitDown: '5M' });
    await addEntitlement(db, pkg.id, { code: 'alice', password: 'abcdefghijklmnopqrstuvwxyz0123' });
    await addEntitlement(db, pkg.id, { code: 'bob', password: 'secretpass' });
    await addEntitlement(db, pkg.id, { code: 'carol', password: 'carolpass' });
    server = await spawnNetflow(url);
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('PAP (30-character password): Access-Accept, Message-Authenticator first, hotspot attributes', async () => {
    const r = await radclient(
      `User-Name = "alice", User-Password = "abcdefghijklmnopqrstuvwxyz0123", Calling-Station-Id = "30:39:26:86:CC:EA", ${NAS}, Message-Authenticator = 0x00`,
      server.authPort,
      'auth',
    );
    expect(r.out).toContain('Received Access-Accept');
    const attrs = replyAttributes(r.out);
    expect(attrs[0]).toMatch(/^Message-Authenticator = 0x/);
    expect(attrs).toContain('Session-Timeout = 3600');
    expect(attrs).toContain('Mikrotik-Rate-Limit = "2M/5M"');
    expect(attrs).toContain('Acct-Interim-Interval = 300');
  });

  it('CHAP as a MikroTik hotspot sends it (CHAP-Challenge), and via the Request Authenticator', async () => {
    const chap = `User-Name = "bob", CHAP-Password = "secretpass", CHAP-Challenge = 0xacfb2a3b05aa9352faf8518b0c6b4944, Calling-Station-Id = "30:39:26:86:CC:EB", Acct-Session-Id = "80f00003", Framed-IP-Address = 10.5.50.253, Mikrotik-Host-IP = 10.5.50.253, WISPr-Logoff-URL = "http://10.5.50.1/logout", ${NAS}, Message-Authenticator = 0x00`;
    expect((await radclient(chap, server.authPort, 'auth')).out).toContain('Received Access-Accept');
    const viaAuthenticator = `User-Name = "bob", CHAP-Password = "secretpass", Calling-Station-Id = "30:39:26:86:CC:EB", ${NAS}, Message-Authenticator = 0x00`;
    expect((await radclient(viaAuthenticator, server.authPort, 'auth')).out).toContain('Received Access-Accept');
    const wrong = await radclient(
      `User-Name = "bob", CHAP-Password = "nope", Calling-Station-Id = "30:39:26:86:CC:EB", ${NAS}, Message-Authenticator = 0x00`,
      server.authPort,
      'auth',
    );
    expect(wrong.out).toContain('Received Access-Reject');
    expect(replyAttributes(wrong.out)[0]).toMatch(/^Message-Authenticator = 0x/);
    expect(wrong.out).toMatch(/Reply-Message = "Wrong code or password/);
  });

  it('a second device is refused while the first is online; MAC auth lets the first back in', async () => {
    const other = await radclient(
      `User-Name = "alice", User-Password = "abcdefghijklmnopqrstuvwxyz0123", Calling-Station-Id = "30:39:26:86:CC:FF", ${NAS}, Message-Authenticator = 0x00`,
      server.authPort,
      'auth',
    );
    expect(other.out).toContain('Received Access-Reject');
    expect(other.out).toContain('already in use on another device');
    const mac = await radclient(
      `User-Name = "30:39:26:86:CC:EA", User-Password = "30:39:26:86:CC:EA", Calling-Station-Id = "30:39:26:86:CC:EA", ${NAS}, Message-Authenticator = 0x00`,
      server.authPort,
      'auth',
    );
    expect(mac.out).toContain('Received Access-Accept');
  });

  it('BlastRADIUS auto: once the router has signed an Access-Request, its unsigned ones get no reply (accounting needs none)', async () => {
    const unsigned = await radclient(
      `User-Name = "carol", User-Password = "carolpass", Calling-Station-Id = "30:39:26:86:CC:ED", ${NAS}`,
      server.authPort,
      'auth',
    );
    expect(unsigned.out).not.toContain('Received Access-');
    const signed = await radclient(
      `User-Name = "nobody", User-Password = "x", Calling-Station-Id = "30:39:26:86:CC:ED", ${NAS}, Message-Authenticator = 0x00`,
      server.authPort,
      'auth',
    );
    expect(signed.out).toContain('Received Access-Reject');
    expect((await db.prisma.router.findFirstOrThrow({ where: { ip: '127.0.0.1' } })).messageAuthenticatorSeenAt).not.toBeNull();
  });

  it('accounting Start / Interim (Gigawords, Message-Authenticator) / Stop, and a wrong secret gets no reply', async () => {
    const S = `Acct-Session-Id = "80f00042", User-Name = "carol", Calling-Station-Id = "30:39:26:86:CC:EC", Framed-IP-Address = 10.5.50.254, ${NAS}`;
    const login = await radclient(
      `User-Name = "carol", User-Password = "carolpass", Calling-Station-Id = "30:39:26:86:CC:EC", ${NAS}, Message-Authenticator = 0x00`,
      server.authPort,
      'auth',
    );
    expect(login.out).toContain('Received Access-Accept');
    expect(
      (
        await radclient(
          `${S}, Acct-Status-Type = Start, Acct-Delay-Time = 0, Event-Timestamp = ${Math.floor(Date.now() / 1000)}`,
          server.acctPort,
          'acct',
        )
      ).out,
    ).toContain('Received Accounting-Response');
    const interim = await radclient(
      `${S}, Acct-Status-Type = Interim-Update, Acct-Session-Time = 300, Acct-Input-Octets = 5, Acct-Input-Gigawords = 2, Acct-Output-Octets = 1000, Acct-Output-Gigawords = 0, Message-Authenticator = 0x00`,
      server.acctPort,
      'acct',
    );
    expect(interim.out).toContain('Received Accounting-Response');
    let s = await db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: '80f00042' } });
    expect([s.status, s.bytesUp, s.bytesDown]).toEqual(['open', 8589934597n, 1000n]);
    expect(
      (
        await radclient(
          `${S}, Acct-Status-Type = Stop, Acct-Session-Time = 600, Acct-Terminate-Cause = User-Request, Acct-Delay-Time = 30`,
          server.acctPort,
          'acct',
        )
      ).out,
    ).toContain('Received Accounting-Response');
    s = await db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: '80f00042' } });
    expect([s.status, s.terminateCause]).toEqual(['closed', 'User-Request']);
    const stopRecord = await db.prisma.accountingRecord.findFirstOrThrow({ where: { acctSessionId: '80f00042', statusType: 2 } });
    expect(Math.abs(stopRecord.receivedAt.getTime() - 30_000 - stopRecord.eventAt.getTime())).toBeLessThan(1000);
    const wrong = await radclient(`${S}, Acct-Status-Type = Stop`, server.acctPort, 'acct', 'wrongsecret');
    expect(wrong.out).not.toContain('Received Accounting-Response');
    expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: '80f00042' } })).toBe(3);
  });

  it("Accounting-On closes the router's open sessions", async () => {
    const S = `Acct-Session-Id = "80f00050", User-Name = "carol", Calling-Station-Id = "30:39:26:86:CC:EC", ${NAS}`;
    await radclient(`${S}, Acct-Status-Type = Start`, server.acctPort, 'acct');
    const on = await radclient(
      `Acct-Status-Type = Accounting-On, NAS-Identifier = "MikroTik", NAS-IP-Address = 127.0.0.1, Acct-Session-Id = "0"`,
      server.acctPort,
      'acct',
    );
    expect(on.out).toContain('Received Accounting-Response');
    const s = await db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: '80f00050' } });
    expect([s.status, s.terminateCause]).toEqual(['closed', 'NAS-Reboot']);
  });
});
