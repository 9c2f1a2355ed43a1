// RadSec end to end with an independent TLS client: Debian's radsecproxy takes radclient's UDP
// requests and forwards them over RADIUS/TLS (RFC 6614) to a running `netflow serve`, presenting
// the client certificate `netflow router radsec` issued. PAP, CHAP and accounting are accepted;
// a radsecproxy with a certificate from another CA gets nothing. Then the simulator logs a guest
// in over RadSec itself.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRouterCertificate, type IssuedRouterCertificate } from '../../src/admin/router-radsec.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { initRadsecCa, issueClientCertificate, writeRouterBundle } from '../../src/routers/radsec-ca.js';
import { createTestDatabaseUrl } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { freeTcpPort, freeUdpPort, spawnNetflow, stopChild, type ServeProcess } from '../support/spawn-netflow.js';

const PROXY_SECRET = 'radclient-to-radsecproxy-secret';
const NAS = 'NAS-Identifier = "MikroTik", Called-Station-Id = "hotspot1", NAS-Port-Type = Wireless-802.11';

function radsecproxyBinary(): string {
  for (const p of ['/usr/sbin/radsecproxy', '/usr/bin/radsecproxy']) {
    if (spawnSync(p, ['-v']).error === undefined) return p;
  }
  throw new Error('radsecproxy is not installed: apt-get install -y radsecproxy (.ci/run installs it)');
}

interface Proxy {
  udpPort: number;
  child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

/** radsecproxy: UDP on loopback for radclient, one TLS server block pointing at NetFlow. */
async function startRadsecproxy(
  dir: string,
  radsecPort: number,
  bundle: { ca: string; cert: string; key: string; passphrase: string },
): Promise<Proxy> {
  const udpPort = await freeUdpPort();
  const conf = path.join(dir, 'radsecproxy.conf');
  await writeFile(
    conf,
    [
      `ListenUDP 127.0.0.1:${udpPort}`,
      'LogLevel 4',
      'tls netflow {',
      `    CACertificateFile ${bundle.ca}`,
      `    CertificateFile ${bundle.cert}`,
      `    CertificateKeyFile ${bundle.key}`,
      `    CertificateKeyPassword "${bundle.passphrase}"`,
      '}',
      'client radclient {',
      '    host 127.0.0.1',
      '    type udp',
      `    secret ${PROXY_SECRET}`,
      '}',
      'server netflow {',
      '    host 127.0.0.1',
      `    port ${radsecPort}`,
      '    type tls',
      '    tls netflow',
      '    secret radsec',
      '}',
      'realm * {',
      '    server netflow',
      '    accountingServer netflow',
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(radsecproxyBinary(), ['-f', '-c', conf, '-i', path.join(dir, 'radsecproxy.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // Listening once it logs its UDP listener (or give it a moment on older versions).
  const end = Date.now() + 5000;
  while (!/listening|tlsserverrd|TLS connection/i.test(output) && Date.now() < end && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode !== null) throw new Error(`radsecproxy exited:\n${output}`);
  return {
    udpPort,
    child,
    logs: () => output,
    stop: () => stopChild(child),
  };
}

function radclient(input: string, port: number, kind: 'auth' | 'acct'): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'radclient',
      ['-x', '-r', '2', '-t', '3', `127.0.0.1:${port}`, kind, PROXY_SECRET],
      { timeout: 20_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
    child.stdin!.end(input + '\n');
  });
}

describe('RadSec: radclient → radsecproxy → TLS → netflow serve', () => {
  let db: Database;
  let server: ServeProcess;
  let dir: string;
  let radsecPort: number;
  let issued: IssuedRouterCertificate;
  let proxy: Proxy | undefined;
  let foreignProxy: Proxy | undefined;

  beforeAll(async () => {
    radsecproxyBinary(); // fail at once, clearly, when it is missing
    dir = await mkdtemp(path.join(tmpdir(), 'netflow-radsec-e2e-'));
    await initRadsecCa(path.join(dir, 'radsec'), ['localhost', '127.0.0.1']);
    const url = await createTestDatabaseUrl();
    db = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    // Its address is not where the requests come from: RadSec knows it by its certificate.
    await addRouter(db, { name: 'rp-router', ip: '192.0.2.10' });
    issued = await issueRouterCertificate(db.prisma, 'rp-router', path.join(dir, 'radsec'), 'test');
    const pkg = await addPackage(db, { minutes: 60, rateLimitUp: '2M', rateLimitDown: '5M', devicesAllowed: 3 });
    await addEntitlement(db, pkg.id, { code: 'alice', password: 'alice-pass-123' });
    await addEntitlement(db, pkg.id, { code: 'bob', password: 'bobpass' });
    await addEntitlement(db, pkg.id, { code: 'simguest', password: 'simguest' });
    radsecPort = await freeTcpPort();
    server = await spawnNetflow(url, { RADSEC: 'on', RADSEC_DIR: path.join(dir, 'radsec'), RADSEC_PORT: String(radsecPort) });
    proxy = await startRadsecproxy(await mkdtemp(path.join(dir, 'proxy-')), radsecPort, { ...issued.files, passphrase: issued.passphrase });
  });
  afterAll(async () => {
    await proxy?.stop();
    await foreignProxy?.stop();
    await server?.stop();
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('PAP over RadSec: Access-Accept with the hotspot attributes', async () => {
    const r = await radclient(
      `User-Name = "alice", User-Password = "alice-pass-123", Calling-Station-Id = "30:39:26:86:CC:01", ${NAS}, Message-Authenticator = 0x00`,
      proxy!.udpPort,
      'auth',
    );
    expect(r.out, proxy!.logs()).toContain('Received Access-Accept');
    expect(r.out).toContain('Mikrotik-Rate-Limit = "2M/5M"');
    const wrong = await radclient(
      `User-Name = "alice", User-Password = "wrong", Calling-Station-Id = "30:39:26:86:CC:01", ${NAS}, Message-Authenticator = 0x00`,
      proxy!.udpPort,
      'auth',
    );
    expect(wrong.out).toContain('Received Access-Reject');
  });

  it('CHAP over RadSec (CHAP-Challenge, as a MikroTik hotspot sends it)', async () => {
    const r = await radclient(
      `User-Name = "bob", CHAP-Password = "bobpass", CHAP-Challenge = 0xacfb2a3b05aa9352faf8518b0c6b4944, Calling-Station-Id = "30:39:26:86:CC:02", ${NAS}, Message-Authenticator = 0x00`,
      proxy!.udpPort,
      'auth',
    );
    expect(r.out, proxy!.logs()).toContain('Received Access-Accept');
  });

  it('accounting over RadSec: Accounting-Response, and the session is the router the certificate names', async () => {
    const r = await radclient(
      `Acct-Status-Type = Start, User-Name = "alice", Acct-Session-Id = "rsp-0001", Calling-Station-Id = "30:39:26:86:CC:01", Framed-IP-Address = 10.5.50.7, ${NAS}`,
      proxy!.udpPort,
      'acct',
    );
    expect(r.out, proxy!.logs()).toContain('Received Accounting-Response');
    const session = await db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: 'rsp-0001' }, include: { router: true } });
    expect(session.router.name).toBe('rp-router');
  });

  it('a radsecproxy whose certificate is from another CA gets nothing', async () => {
    const otherCa = path.join(dir, 'other-ca');
    await initRadsecCa(otherCa, ['localhost']);
    const foreign = await issueClientCertificate(otherCa, 'rp-router');
    const files = await writeRouterBundle(otherCa, 'rp-router', foreign);
    // It trusts NetFlow's server (our CA) but presents a certificate NetFlow's CA never signed.
    foreignProxy = await startRadsecproxy(await mkdtemp(path.join(dir, 'foreign-')), radsecPort, {
      ca: issued.files.ca,
      cert: files.cert,
      key: files.key,
      passphrase: foreign.passphrase,
    });
    const r = await radclient(
      `User-Name = "alice", User-Password = "alice-pass-123", Calling-Station-Id = "30:39:26:86:CC:01", ${NAS}, Message-Authenticator = 0x00`,
      foreignProxy.udpPort,
      'auth',
    );
    expect(r.out).not.toContain('Received Access-Accept');
    expect(r.out).not.toContain('Received Access-Reject');
    expect(server.logs()).toMatch(/RadSec connection refused.*handshake_failed/);
  });

  it('the simulator logs a guest in over RadSec with the issued files and passphrase', async () => {
    const sim = spawn(
      process.execPath,
      [
        'bin/run-ts.js',
        'tools/nas-sim/main.ts',
        '--radsec',
        '--server',
        '127.0.0.1',
        '--radsec-port',
        String(radsecPort),
        '--server-name',
        'localhost',
        '--cert',
        issued.files.cert,
        '--key',
        issued.files.key,
        '--key-passphrase',
        issued.passphrase,
        '--ca',
        issued.files.ca,
        '--login-code',
        'simguest',
        '--login',
        'pap',
        '--http-port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    sim.stdout!.on('data', (d) => (out += d));
    sim.stderr!.on('data', (d) => (out += d));
    try {
      const end = Date.now() + 30_000;
      while (!/ login .*user=simguest/.test(out) && Date.now() < end && sim.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/RadSec connection connected/);
      expect(out).toMatch(/ login .*user=simguest/);
      // Its accounting Start arrives over the same connection.
      const routerId = (await db.prisma.router.findUniqueOrThrow({ where: { name: 'rp-router' } })).id;
      const end2 = Date.now() + 10_000;
      let session = null;
      while (!session && Date.now() < end2) {
        session = await db.prisma.accountingSession.findFirst({ where: { userName: 'simguest', routerId } });
        if (!session) await new Promise((r) => setTimeout(r, 100));
      }
      expect(session).not.toBeNull();
    } finally {
      const exited = new Promise((r) => sim.once('exit', r));
      sim.kill('SIGTERM');
      await exited;
    }
    expect(await readFile(issued.files.key, 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
  });
});
