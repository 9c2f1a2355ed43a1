// NetFlow's Disconnect-Request and CoA-Request received by pyrad (Debian python3-pyrad) acting as
// the NAS: an independent decoder checks the Request Authenticator and the attributes RouterOS
// needs, and its ACK/NAK is recorded by NetFlow.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeSessionPackage, endSession } from '../../src/admin/sessions.js';
import { CODE } from '../../src/radius/codes.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { startTestNetflow } from '../support/netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';

const SECRET = 'pyrad-nas-secret-0123';

interface Seen {
  code: number;
  verified: boolean;
  attributes: Record<string, Array<string | number>>;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Disconnect/CoA received by a pyrad NAS', () => {
  let nf: Awaited<ReturnType<typeof startTestNetflow>>;
  let nas: ChildProcess;
  const seen: Seen[] = [];
  let client: TestRadiusClient;
  let routerId: number;

  async function online(code: string, mac: string, sessionId: string, ip: string): Promise<bigint> {
    const auth = await client.send(
      CODE.accessRequest,
      [
        ['User-Name', code],
        ['User-Password', code],
        ['Calling-Station-Id', mac],
        ['NAS-IP-Address', '127.0.0.1'],
      ],
      SECRET,
      nf.netflow.authPort,
    );
    expect(auth.reply?.code).toBe(CODE.accessAccept);
    const start = await client.send(
      CODE.accountingRequest,
      [
        ['Acct-Status-Type', 1],
        ['User-Name', code],
        ['Acct-Session-Id', sessionId],
        ['Calling-Station-Id', mac],
        ['Framed-IP-Address', ip],
      ],
      SECRET,
      nf.netflow.acctPort,
      false,
    );
    expect(start.reply?.code).toBe(CODE.accountingResponse);
    const s = await nf.db.prisma.accountingSession.findFirstOrThrow({ where: { routerId, acctSessionId: sessionId } });
    return s.id;
  }

  beforeAll(async () => {
    nf = await startTestNetflow({ coaTimeoutMs: 500 });
    const coaPort = await freeUdpPort();
    const router = await addRouter(nf.db, { ip: '127.0.0.1', secret: SECRET });
    routerId = router.id;
    await nf.db.prisma.router.update({ where: { id: router.id }, data: { coaPort } });
    nas = spawn(
      '/usr/bin/python3',
      ['test/e2e/pyrad-nas.py', SECRET, String(coaPort), String(await freeUdpPort()), String(await freeUdpPort()), '80f00001', '80f00002'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: nas.stdout! });
    await new Promise<void>((ready) =>
      lines.on('line', (line) => {
        const msg = JSON.parse(line) as Seen & { ready?: boolean };
        if (msg.ready) ready();
        else seen.push(msg);
      }),
    );
    client = await TestRadiusClient.open();
    await new Promise((r) => setTimeout(r, 300)); // router table picks up the new router's CoA port
  });

  afterAll(async () => {
    client?.close();
    nas?.kill();
    await nf?.stop();
  });

  it('pyrad verifies a Disconnect-Request carrying the hotspot session identity, and its ACK ends the session', async () => {
    const pkg = await addPackage(nf.db);
    await addEntitlement(nf.db, pkg.id, { code: 'PYRAD1' });
    const sessionId = await online('PYRAD1', '02:11:22:33:44:01', '80f00001', '10.5.50.11');
    const request = await endSession(nf.db.prisma, { id: String(sessionId) }, 'test');
    expect(await nf.netflow.enforcer.deliverDue()).toBe(1);

    const dm = seen.find((s) => s.code === CODE.disconnectRequest)!;
    expect(dm.verified).toBe(true);
    expect(dm.attributes['User-Name']).toEqual(['PYRAD1']);
    expect(dm.attributes['Acct-Session-Id']).toEqual(['80f00001']);
    expect(dm.attributes['Framed-IP-Address']).toEqual(['10.5.50.11']);
    expect(dm.attributes['Calling-Station-Id']).toEqual(['02:11:22:33:44:01']);
    expect(dm.attributes['NAS-IP-Address']).toEqual(['127.0.0.1']);
    expect(dm.attributes['Message-Authenticator']).toHaveLength(1);

    const action = await nf.db.prisma.enforcementAction.findUniqueOrThrow({ where: { id: request.actionIds[0] } });
    expect(action.status).toBe('acked');
    const session = await nf.db.prisma.accountingSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session.status).toBe('closed');
  });

  it('pyrad decodes the new Mikrotik-Rate-Limit in a CoA-Request after a package change', async () => {
    const slow = await addPackage(nf.db, { rateLimitUp: '1M', rateLimitDown: '2M' });
    const fast = await addPackage(nf.db, { name: 'fast-e2e', rateLimitUp: '4M', rateLimitDown: '8M' });
    await addEntitlement(nf.db, slow.id, { code: 'PYRAD2' });
    const sessionId = await online('PYRAD2', '02:11:22:33:44:02', '80f00002', '10.5.50.12');
    const request = await changeSessionPackage(nf.db.prisma, { id: String(sessionId), package: fast.name }, 'test');
    await nf.netflow.enforcer.deliverDue();
    const coa = seen.find((s) => s.code === CODE.coaRequest)!;
    expect(coa.verified).toBe(true);
    expect(coa.attributes['Mikrotik-Rate-Limit']).toEqual(['4M/8M']);
    expect(Number(coa.attributes['Session-Timeout'][0])).toBeGreaterThan(3500);
    const action = await nf.db.prisma.enforcementAction.findUniqueOrThrow({ where: { id: request.actionIds[0] } });
    expect(action.status).toBe('acked');
  });

  it("records pyrad's NAK with Error-Cause 503 and treats the session as gone", async () => {
    const pkg = await addPackage(nf.db);
    await addEntitlement(nf.db, pkg.id, { code: 'PYRAD3' });
    const sessionId = await online('PYRAD3', '02:11:22:33:44:03', '80f0dead', '10.5.50.13');
    const request = await endSession(nf.db.prisma, { id: String(sessionId) }, 'test');
    await nf.netflow.enforcer.deliverDue();
    const action = await nf.db.prisma.enforcementAction.findUniqueOrThrow({ where: { id: request.actionIds[0] } });
    expect(action).toMatchObject({ status: 'nakked', errorCause: 503 });
    const session = await nf.db.prisma.accountingSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session).toMatchObject({ status: 'closed', terminateCause: 'Session-Not-Found' });
  });
});
