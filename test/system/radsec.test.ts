// RadSec (RADIUS over TLS, RFC 6614) against a whole NetFlow over real TLS on loopback: routers
// known by their certificates, PAP, CHAP, accounting and Status-Server on one connection, and
// every kind of bad connection refused and counted without touching the other routers.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueRouterCertificate, type IssuedRouterCertificate } from '../../src/admin/router-radsec.js';
import type { RunningNetflow } from '../../src/app/serve.js';
import { CODE } from '../../src/radius/codes.js';
import { chapResponse } from '../../src/radius/crypto.js';
import { encodeRequest } from '../../src/radius/encode.js';
import { initRadsecCa, issueClientCertificate, type ClientCertificate } from '../../src/routers/radsec-ca.js';
import { RadsecPeer } from '../../tools/nas-sim/radsec-client.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { startNetflowOn, startTestNetflow } from '../support/netflow.js';
import { readFile } from 'node:fs/promises';

const MAC = ['Calling-Station-Id', '02:00:00:00:01:01'] as [string, string];

interface Credentials {
  cert: string;
  key: string;
  passphrase: string;
  ca: string;
}

async function credentialsOf(c: IssuedRouterCertificate): Promise<Credentials> {
  return {
    cert: await readFile(c.files.cert, 'utf8'),
    key: await readFile(c.files.key, 'utf8'),
    passphrase: c.passphrase,
    ca: await readFile(c.files.ca, 'utf8'),
  };
}

const fromIssued = (c: ClientCertificate): Credentials => ({ cert: c.certPem, key: c.keyPem, passphrase: c.passphrase, ca: c.caPem });

/** Waits until `check` holds (the router table reloads on NOTIFY, counters move in another thread). */
async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A TLS connection with these credentials (or none) that sends `bytes` once connected and
 * reports whether anything came back before the server closed it (or `ms` passed).
 */
function attempt(
  port: number,
  creds: Partial<Credentials> & { ca: string },
  bytes: Buffer,
  ms = 3000,
): Promise<{ replied: boolean; closed: boolean }> {
  return new Promise((resolve) => {
    let replied = false;
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      passphrase: creds.passphrase,
      servername: 'localhost',
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ replied, closed: false });
    }, ms);
    socket.on('secureConnect', () => socket.write(bytes));
    socket.on('data', () => (replied = true));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ replied, closed: true });
    });
  });
}

const papRequest = (code: string) =>
  encodeRequest({
    code: CODE.accessRequest,
    identifier: 7,
    secret: 'radsec',
    messageAuthenticator: true,
    attributes: [['User-Name', code], ['User-Password', code], MAC],
  });

describe('RadSec (RADIUS over TLS)', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;
  let dir: string;
  let otherDir: string;
  let port: number;
  let alpha: Credentials;
  let beta: Credentials;
  let disabled: Credentials;
  let ca: string;
  const peers: RadsecPeer[] = [];
  const peer = (c: Credentials, p = port) => {
    const x = new RadsecPeer({ host: '127.0.0.1', port: p, serverName: 'localhost', ...c, timeoutMs: 1000, tries: 2 });
    peers.push(x);
    return x;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'netflow-radsec-'));
    otherDir = await mkdtemp(path.join(tmpdir(), 'netflow-radsec-other-'));
    await initRadsecCa(dir, ['localhost', '127.0.0.1']);
    await initRadsecCa(otherDir, ['localhost']);
    env = await startTestNetflow({}, { RADSEC: 'on', RADSEC_DIR: dir, RADSEC_PORT: '0', RADSEC_HANDSHAKE_SECONDS: '1' });
    port = env.netflow.radsecPort!;
    // The routers' source addresses are of no use to RadSec: these are not even loopback.
    await addRouter(env.db, { name: 'alpha', ip: '198.51.100.1' });
    await addRouter(env.db, { name: 'beta', ip: '198.51.100.2' });
    await addRouter(env.db, { name: 'gone', ip: '198.51.100.3' });
    alpha = await credentialsOf(await issueRouterCertificate(env.db.prisma, 'alpha', dir, 'test'));
    beta = await credentialsOf(await issueRouterCertificate(env.db.prisma, 'beta', dir, 'test'));
    disabled = await credentialsOf(await issueRouterCertificate(env.db.prisma, 'gone', dir, 'test'));
    ca = alpha.ca;
    const pkg = await addPackage(env.db, { devicesAllowed: 5 });
    for (const code of ['PAP1', 'CHAP1', 'ACCT1', 'BETA1', 'BETA2']) await addEntitlement(env.db, pkg.id, { code });
    // Until the router table (in the RADIUS thread) knows the fingerprints.
    await until(async () => {
      const r = await peer(alpha).request({ code: CODE.statusServer, attributes: [] });
      return r.ok;
    });
  });
  afterAll(async () => {
    for (const p of peers) p.close();
    await env?.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(otherDir, { recursive: true, force: true });
  });

  it('answers PAP, CHAP, accounting and Status-Server from one router on one connection', async () => {
    const p = peer(alpha);
    const pap = await p.request({
      code: CODE.accessRequest,
      attributes: [['User-Name', 'PAP1'], ['User-Password', 'PAP1'], MAC],
      messageAuthenticator: true,
    });
    expect(pap.ok && pap.reply.code).toBe(CODE.accessAccept);
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const chap = await p.request({
      code: CODE.accessRequest,
      attributes: [
        ['User-Name', 'CHAP1'],
        ['CHAP-Password', chapResponse(9, 'CHAP1', challenge)],
        ['CHAP-Challenge', challenge],
        ['Calling-Station-Id', '02:00:00:00:01:02'],
      ],
      messageAuthenticator: true,
    });
    expect(chap.ok && chap.reply.code).toBe(CODE.accessAccept);
    const wrong = await p.request({
      code: CODE.accessRequest,
      attributes: [['User-Name', 'PAP1'], ['User-Password', 'nope'], MAC],
      messageAuthenticator: true,
    });
    expect(wrong.ok && wrong.reply.code).toBe(CODE.accessReject);
    const start = await p.request({
      code: CODE.accountingRequest,
      attributes: [
        ['Acct-Status-Type', 'Start'],
        ['User-Name', 'PAP1'],
        ['Acct-Session-Id', 'rs-0001'],
        MAC,
        ['Framed-IP-Address', '10.5.50.9'],
      ],
    });
    expect(start.ok && start.reply.code).toBe(CODE.accountingResponse);
    const status = await p.request({ code: CODE.statusServer, attributes: [] });
    expect(status.ok && status.reply.code).toBe(CODE.accessAccept);
    // The session is the router's that the certificate names, not that of any source address.
    const alphaRow = await env.db.prisma.router.findUniqueOrThrow({ where: { name: 'alpha' } });
    const session = await env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: 'rs-0001' } });
    expect(session.routerId).toBe(alphaRow.id);
    expect(p.stats().badReplies).toBe(0);
    expect(env.netflow.radiusStats().radsec.accepted).toBeGreaterThan(0);
  });

  it('refuses a client certificate from another CA, and a client without one', async () => {
    const before = env.netflow.radiusStats().radsec.refused.handshake_failed;
    const foreign = fromIssued(await issueClientCertificate(otherDir, 'alpha'));
    const r1 = await attempt(port, { ...foreign, ca }, papRequest('PAP1'));
    expect(r1).toEqual({ replied: false, closed: true });
    const r2 = await attempt(port, { ca }, papRequest('PAP1'));
    expect(r2).toEqual({ replied: false, closed: true });
    await until(() => env.netflow.radiusStats().radsec.refused.handshake_failed >= before + 2);
  });

  it('refuses a certificate of our CA that no active router holds: never issued to one, reissued, or disabled', async () => {
    const before = env.netflow.radiusStats().radsec.refused.unknown_router;
    const stray = fromIssued(await issueClientCertificate(dir, 'nobody'));
    expect(await attempt(port, stray, papRequest('PAP1'))).toEqual({ replied: false, closed: true });

    // Reissued: the old certificate is refused at once, the new one works.
    const reissued = await credentialsOf(await issueRouterCertificate(env.db.prisma, 'gone', dir, 'test'));
    await until(async () => !(await attempt(port, disabled, papRequest('PAP1'), 1000)).replied);
    disabled = reissued;
    // An open connection of a router that is then disabled is closed at its next packet.
    const p = peer(disabled);
    expect((await p.request({ code: CODE.statusServer, attributes: [] })).ok).toBe(true);
    await env.db.prisma.router.update({ where: { name: 'gone' }, data: { status: 'disabled' } });
    await until(async () => !(await p.request({ code: CODE.statusServer, attributes: [] })).ok);
    expect(await attempt(port, disabled, papRequest('PAP1'))).toEqual({ replied: false, closed: true });
    await until(() => env.netflow.radiusStats().radsec.refused.unknown_router >= before + 4);
  });

  it('closes a connection whose frame length is out of range; another router keeps working', async () => {
    const p = peer(beta);
    const ok = await p.request({
      code: CODE.accessRequest,
      attributes: [['User-Name', 'BETA1'], ['User-Password', 'BETA1'], MAC],
      messageAuthenticator: true,
    });
    expect(ok.ok && ok.reply.code).toBe(CODE.accessAccept);
    const before = env.netflow.radiusStats().radsec.refused.bad_frame;
    const bad = papRequest('PAP1');
    bad.writeUInt16BE(5000, 2); // over RADIUS's 4096
    expect(await attempt(port, alpha, bad)).toEqual({ replied: false, closed: true });
    const tiny = Buffer.from([1, 1, 0, 3]);
    expect(await attempt(port, alpha, tiny)).toEqual({ replied: false, closed: true });
    expect(env.netflow.radiusStats().radsec.refused.bad_frame).toBeGreaterThanOrEqual(before + 2);
    const metrics = await (await fetch(`http://127.0.0.1:${env.netflow.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^netflow_radsec_refused_total\{reason="bad_frame"\} [1-9]/m);
    expect(metrics).toMatch(/^netflow_radsec_connections_total [1-9]/m);
    expect(metrics).toMatch(/^netflow_radsec_open_connections \d+/m);
    const still = await p.request({
      code: CODE.accessRequest,
      attributes: [
        ['User-Name', 'BETA2'],
        ['User-Password', 'BETA2'],
        ['Calling-Station-Id', '02:00:00:00:01:03'],
      ],
      messageAuthenticator: true,
    });
    expect(still.ok && still.reply.code).toBe(CODE.accessAccept);
  });

  it('drops a packet whose RADIUS authenticator is wrong (not signed with "radsec") but keeps the connection', async () => {
    const before = env.netflow.radiusStats().dropped.bad_message_authenticator;
    const wrongSecret = encodeRequest({
      code: CODE.accessRequest,
      identifier: 3,
      secret: 'not-radsec',
      messageAuthenticator: true,
      attributes: [['User-Name', 'PAP1'], ['User-Password', 'PAP1'], MAC],
    });
    const r = await attempt(port, alpha, Buffer.concat([wrongSecret, papRequest('PAP1')]), 1500);
    expect(r).toEqual({ replied: true, closed: false }); // the second, good one is answered
    expect(env.netflow.radiusStats().dropped.bad_message_authenticator).toBe(before + 1);
  });

  it('drops a TCP connection that never completes its handshake', async () => {
    const before = env.netflow.radiusStats().radsec.refused.handshake_timeout;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const closedAt = await new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    expect(closedAt).toBeGreaterThan(0);
    await until(() => env.netflow.radiusStats().radsec.refused.handshake_timeout === before + 1);
  });

  it('RADSEC=on without a CA: serve refuses to start, saying what to run', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'netflow-radsec-empty-'));
    try {
      await expect(startNetflowOn(env.db, {}, {}, { RADSEC: 'on', RADSEC_DIR: empty })).rejects.toThrow(
        /run netflow radsec init --server-name/,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  describe('with tight limits', () => {
    let limited: RunningNetflow;
    beforeAll(async () => {
      limited = await startNetflowOn(
        env.db,
        {},
        {},
        {
          RADSEC: 'on',
          RADSEC_DIR: dir,
          RADSEC_PORT: '0',
          RADSEC_IDLE_SECONDS: '2',
          RADSEC_FRAME_SECONDS: '0.5',
          RADSEC_MAX_CONNECTIONS: '3',
          RADSEC_MAX_PER_ROUTER: '2',
        },
      );
    });
    afterAll(async () => limited?.close());

    it('closes an idle connection; the router reconnects with its next request', async () => {
      const p = peer(alpha, limited.radsecPort!);
      expect((await p.request({ code: CODE.statusServer, attributes: [] })).ok).toBe(true);
      await until(() => limited.radiusStats().radsec.refused.idle_timeout === 1, 4000);
      expect((await p.request({ code: CODE.statusServer, attributes: [] })).ok).toBe(true);
      p.close();
    });

    it('reassembles a packet sent in pieces, and closes a connection that leaves one half-sent', async () => {
      const bytes = papRequest('PAP1');
      const pieces = await new Promise<{ replied: boolean; closedAfterMs: number }>((resolve) => {
        let replied = false;
        let halfSentAt = 0;
        const socket = tls.connect({ host: '127.0.0.1', port: limited.radsecPort!, ...alpha, servername: 'localhost' });
        socket.on('secureConnect', async () => {
          socket.write(bytes.subarray(0, 3)); // not even the length field yet
          await new Promise((r) => setTimeout(r, 150));
          socket.write(bytes.subarray(3, 30));
          await new Promise((r) => setTimeout(r, 150));
          socket.write(bytes.subarray(30));
        });
        socket.on('data', () => {
          if (replied) return;
          replied = true;
          socket.write(bytes.subarray(0, 25)); // and now half a packet, never finished
          halfSentAt = Date.now();
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve({ replied, closedAfterMs: Date.now() - halfSentAt }));
      });
      expect(pieces.replied).toBe(true);
      expect(pieces.closedAfterMs).toBeLessThan(1900); // the frame limit (0.5 s), not the idle one (2 s)
      await until(() => limited.radiusStats().radsec.refused.slow_frame === 1);
    });

    it('refuses a router its third connection, and anyone past the total', async () => {
      const open = [peer(beta, limited.radsecPort!), peer(beta, limited.radsecPort!)];
      for (const p of open) expect((await p.request({ code: CODE.statusServer, attributes: [] })).ok).toBe(true);
      expect(await attempt(limited.radsecPort!, beta, papRequest('BETA1'))).toEqual({ replied: false, closed: true });
      expect(limited.radiusStats().radsec.refused.too_many_connections).toBe(1);
      // Two open: one more TCP connection is the third of three, a fourth is refused before TLS.
      const third = net.connect(limited.radsecPort!, '127.0.0.1');
      third.on('error', () => {});
      await new Promise((r) => third.once('connect', r));
      const fourth = net.connect(limited.radsecPort!, '127.0.0.1');
      fourth.on('error', () => {});
      await new Promise((r) => fourth.once('close', r));
      await until(() => limited.radiusStats().radsec.refused.too_many_connections === 2);
      expect(limited.radiusStats().radsec.refused.handshake_failed).toBe(0); // counted once, as what it is
      third.destroy();
      for (const p of open) p.close();
    });
  });
});
