// Bounded abuse of a real `netflow serve` process over real UDP: a fuzz of tens of thousands of
// datagrams on both ports (garbage, broken framing, and correctly signed requests full of random
// attribute values, which reach the handlers and the database), then kill -9 under accounting
// load: every Accounting-Request that was acknowledged is stored.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR, CODE } from '../../src/radius/codes.js';
import { messageAuthenticator, signedRequestAuthenticator } from '../../src/radius/crypto.js';
import { encodeRequest } from '../../src/radius/encode.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createTestDatabaseUrl } from '../support/db.js';
import { spawnNetflow, type ServeProcess } from '../support/spawn-netflow.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { TestRadiusClient } from '../support/radius-client.js';

const SECRET = 'chaos-secret-0123456789';

/** A request framed and signed correctly around arbitrary raw attributes. */
function signedRaw(code: number, identifier: number, attributes: Array<[number, Buffer]>): Buffer {
  const access = code === CODE.accessRequest;
  const body = Buffer.concat([
    ...(access ? [Buffer.from([ATTR.messageAuthenticator, 18, ...Buffer.alloc(16)])] : []),
    ...attributes.map(([type, value]) => Buffer.concat([Buffer.from([type, value.length + 2]), value])),
  ]);
  const packet = Buffer.concat([Buffer.from([code, identifier, 0, 0]), access ? randomBytes(16) : Buffer.alloc(16), body]);
  packet.writeUInt16BE(packet.length, 2);
  if (access) messageAuthenticator(packet, 20, SECRET, packet.subarray(4, 20)).copy(packet, 22);
  else signedRequestAuthenticator(packet, SECRET).copy(packet, 4);
  return packet;
}

/**
 * Random attributes: the types we read, with values of random length and content (NULs, 0xFF…),
 * after what gets a request past framing to its handler: an Acct-Status-Type (accounting), or a
 * User-Name and a well-sized User-Password (access).
 */
function randomAttributes(k: number, accounting: boolean): Array<[number, Buffer]> {
  const types = [1, 4, 5, 8, 25, 26, 30, 31, 32, 33, 41, 42, 43, 44, 45, 46, 47, 48, 49, 52, 53, 55, 87];
  const status = Buffer.alloc(4);
  status.writeUInt32BE([1, 2, 3, 1, 3, 2, 7, 8, 0, 0xffffffff, 3, 1, 2, 3, 1, 2, 3, 2, 1, 3][k % 20]);
  const name = k % 5 === 0 ? Buffer.from(`CHAOS1\0${k}`) : randomBytes(1 + (k % 40));
  const out: Array<[number, Buffer]> = accounting
    ? [[40, status]]
    : [
        [1, name],
        [2, randomBytes(16 * (1 + (k % 3)))],
      ];
  const n = 1 + (k % 12);
  for (let i = 0; i < n; i++) {
    const type = types[(k * 7 + i * 13) % types.length];
    const len = [4, 4, 4, 0, 1, 16, 17, 32, 64, 200][(k + i) % 10];
    const value = randomBytes(len);
    if (len === 4 && i % 2 === 0) value.writeUInt32BE([0xffffffff, 0x80000000, 0x7fffffff, 0][k % 4]);
    out.push([type, value]);
  }
  return out;
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

async function counters(httpPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
  );
}

describe('chaos: a real netflow serve process', () => {
  let url: string;
  let db: Database;
  let serve: ServeProcess;

  beforeAll(async () => {
    url = await createTestDatabaseUrl();
    db = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    await addRouter(db, { ip: '127.0.0.1', secret: SECRET, messageAuthenticator: 'no' });
    const pkg = await addPackage(db, { minutes: 60, devicesAllowed: 5 });
    await addEntitlement(db, pkg.id, { code: 'CHAOS1' });
    serve = await spawnNetflow(url);
  });
  afterAll(async () => {
    await serve?.stop();
    await db?.close();
  });

  it('30,000 fuzzed datagrams on both ports: no crash, no internal error, memory flat, valid requests answered afterwards', async () => {
    const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const valid = encodeRequest({
      code: CODE.accessRequest,
      identifier: 1,
      attributes: [
        ['User-Name', 'CHAOS1'],
        ['User-Password', 'CHAOS1'],
        ['Calling-Station-Id', '02:00:00:00:0C:01'],
      ],
      secret: SECRET,
    });
    const before = await counters(serve.httpPort);
    const TOTAL = 30_000;
    const settled = (c: Record<string, number>) =>
      c.netflow_radius_replied_total +
        Object.entries(c)
          .filter(([k]) => k.startsWith('netflow_radius_dropped_total'))
          .reduce((n, [, v]) => n + v, 0) >=
      c.netflow_radius_received_total;
    /** Waits until every datagram that arrived has been answered or dropped (a backlog of
     * Accounting-On/Off, each written alone, takes a few seconds on a busy machine). */
    const settle = async () => {
      let c = await counters(serve.httpPort);
      for (let i = 0; i < 60 && !settled(c); i++) {
        await new Promise((r) => setTimeout(r, 500));
        c = await counters(serve.httpPort);
      }
      return c;
    };
    const rss: number[] = [];
    // Four rounds: the first grows the heaps to their working size; after it, resident memory moves
    // by tens of MB either way (garbage collection, two threads' heaps) but must not keep growing.
    for (const [from, to] of [
      [0, TOTAL / 4],
      [TOTAL / 4, TOTAL / 2],
      [TOTAL / 2, (3 * TOTAL) / 4],
      [(3 * TOTAL) / 4, TOTAL],
    ]) {
      for (let k = from; k < to; k++) {
        let d: Buffer;
        const port = k % 2 === 0 ? serve.authPort : serve.acctPort;
        switch (k % 3) {
          case 0:
            d = randomBytes(k % 600);
            break; // garbage of any length, 0 included
          case 1: {
            // broken framing of a valid packet
            d = Buffer.from(valid);
            if (k % 4 === 0) d.writeUInt16BE(d.length + 1 + (k % 50), 2);
            else if (k % 4 === 1) d[20 + ((k * 7) % (d.length - 21))] = k % 2;
            else d = d.subarray(0, Math.max(1, d.length - 1 - (k % 30)));
            break;
          }
          default: // correctly signed, random content: reaches the handlers and the database
            d = signedRaw(
              port === serve.authPort ? CODE.accessRequest : CODE.accountingRequest,
              k & 255,
              randomAttributes(k, port === serve.acctPort),
            );
        }
        socket.send(d, port, '127.0.0.1');
        if (k % 200 === 199) await new Promise((r) => setTimeout(r, 4)); // paced: a burst, then a breath
      }
      await settle();
      rss.push(await rssKb(serve.child.pid!));
    }
    socket.close();
    const after = await settle();
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    expect(settled(after)).toBe(true);
    expect(serve.child.exitCode).toBeNull();
    expect(delta('netflow_radius_received_total')).toBeGreaterThan(TOTAL * 0.9); // the kernel may drop some in bursts
    // Nothing reached a failure inside NetFlow: every datagram was answered or dropped for a reason.
    expect(delta('netflow_radius_dropped_total{reason="handler_error"}')).toBe(0);
    expect(delta('netflow_radius_dropped_total{reason="not_stored"}')).toBe(0);
    expect(delta('netflow_radius_dropped_total{reason="malformed"}')).toBeGreaterThan(TOTAL / 3);
    expect(rss[3] - rss[0]).toBeLessThan(128_000);

    const client = await TestRadiusClient.open();
    try {
      const login = await client.send(
        CODE.accessRequest,
        [
          ['User-Name', 'CHAOS1'],
          ['User-Password', 'CHAOS1'],
          ['Calling-Station-Id', '02:00:00:00:0C:02'],
        ],
        SECRET,
        serve.authPort,
      );
      expect(login.reply!.code).toBe(CODE.accessAccept);
      const start = await client.send(
        CODE.accountingRequest,
        [
          ['User-Name', 'CHAOS1'],
          ['Acct-Status-Type', 1],
          ['Acct-Session-Id', 'after-fuzz'],
          ['Calling-Station-Id', '02:00:00:00:0C:02'],
        ],
        SECRET,
        serve.acctPort,
      );
      expect(start.reply!.code).toBe(CODE.accountingResponse);
      expect(await db.prisma.accountingRecord.count({ where: { acctSessionId: 'after-fuzz' } })).toBe(1);
    } finally {
      client.close();
    }
  }, 90_000);

  it('logs never show an access code: rejected logins are logged with the code masked', async () => {
    await db.prisma.entitlement.create({
      data: { code: 'LOGSECRET9', password: 'LOGSECRET9', packageId: (await db.prisma.package.findFirstOrThrow()).id, source: 'voucher' },
    });
    const client = await TestRadiusClient.open();
    try {
      for (const [user, password] of [
        ['LOGSECRET9', 'wrong-password'],
        ['LOGSECRET8', 'LOGSECRET8'],
      ]) {
        const { reply } = await client.send(
          CODE.accessRequest,
          [
            ['User-Name', user],
            ['User-Password', password],
            ['Calling-Station-Id', '02:00:00:00:0C:03'],
          ],
          SECRET,
          serve.authPort,
        );
        expect(reply!.code).toBe(CODE.accessReject);
      }
    } finally {
      client.close();
    }
    await new Promise((r) => setTimeout(r, 200));
    const rejected = serve
      .logs()
      .split('\n')
      .filter((l) => l.includes('access rejected') && l.includes('LO********'));
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    expect(serve.logs()).not.toMatch(/LOGSECRET/);
  });

  it('a packet from an address no router is registered with is logged, saying what to do', async () => {
    const stranger = await TestRadiusClient.open('127.0.0.2');
    try {
      expect(
        (
          await stranger.send(
            CODE.accessRequest,
            [
              ['User-Name', 'x'],
              ['User-Password', 'x'],
            ],
            SECRET,
            serve.authPort,
          )
        ).reply,
      ).toBeNull();
    } finally {
      stranger.close();
    }
    expect(serve.logs()).toMatch(
      /"RADIUS packet from an unknown address dropped.*"address":"127\.0\.0\.2".*netflow router add --ip 127\.0\.0\.2/,
    );
  });

  it('kill -9 under accounting load: every acknowledged record is stored', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const inFlight = new Map<number, string>();
    const acked: string[] = [];
    let seq = 0;
    let killed = false;
    const sendNext = (identifier: number) => {
      if (killed) return;
      const sessionId = `kill9-${seq++}`;
      inFlight.set(identifier, sessionId);
      const bytes = encodeRequest({
        code: CODE.accountingRequest,
        identifier,
        secret: SECRET,
        attributes: [
          ['User-Name', 'CHAOS1'],
          ['Acct-Status-Type', 1],
          ['Acct-Session-Id', sessionId],
          ['Calling-Station-Id', `02:00:00:${(seq >> 8) & 255}:${seq & 255}:09`.replace(/:(\d)(?=:|$)/g, ':0$1')],
        ],
      });
      socket.send(bytes, serve.acctPort, '127.0.0.1');
    };
    socket.on('message', (msg) => {
      const sessionId = inFlight.get(msg[1]);
      if (sessionId === undefined || msg[0] !== CODE.accountingResponse) return;
      inFlight.delete(msg[1]);
      acked.push(sessionId);
      sendNext(msg[1]);
    });
    for (let id = 0; id < 32; id++) sendNext(id);
    await new Promise((r) => setTimeout(r, 1500));
    serve.child.kill('SIGKILL');
    killed = true;
    await new Promise((r) => serve.child.once('exit', r));
    socket.close();

    expect(acked.length).toBeGreaterThan(200); // the load was real
    const stored = new Set(
      (
        await db.prisma.accountingRecord.findMany({ where: { acctSessionId: { startsWith: 'kill9-' } }, select: { acctSessionId: true } })
      ).map((r) => r.acctSessionId),
    );
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    // NetFlow starts again on the same database.
    serve = await spawnNetflow(url);
  }, 90_000);
});
