// RFC 5176 Disconnect/CoA towards the simulated hotspot's `/radius incoming` listener, with
// requests built by NetFlow's own encodeRequest (as NetFlow's CoA sender will) and sent over
// real UDP; the resulting Stop is checked in NetFlow's database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR, CODE } from '../../src/radius/codes.js';
import type { Attribute } from '../../src/radius/encode.js';
import { verifyResponse } from '../../src/radius/encode.js';
import { integerAttr, parsePacket, type RadiusPacket } from '../../src/radius/packet.js';
import { addEntitlement, addPackage } from '../support/fixtures.js';
import { TestRadiusClient } from '../support/radius-client.js';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { CoaListener } from '../../tools/nas-sim/coa-listener.js';
import { Hotspot, type SessionView } from '../../tools/nas-sim/hotspot.js';
import { SECRET, startNetflowWithRouter, type TestNetflow } from './helpers.js';

const ERROR_CAUSE = 101;

describe('nas-sim CoA / Disconnect listener', () => {
  let env: TestNetflow;
  let hs: Hotspot;
  let coa: CoaListener;
  let client: TestRadiusClient;
  let pkgId: number;
  let guest = 0;

  beforeAll(async () => {
    ({ env } = await startNetflowWithRouter());
    pkgId = (await addPackage(env.db, { minutes: 60, rateLimitUp: '2M', rateLimitDown: '5M' })).id;
    hs = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: env.netflow.authPort,
      acctPort: env.netflow.acctPort,
      bindAddress: '127.0.0.1',
      clock: new ManualClock(),
    });
    coa = await CoaListener.start({ target: hs, server: '127.0.0.1', secret: SECRET, port: 0, bindAddress: '127.0.0.1', log: hs.log });
    client = await TestRadiusClient.open();
  });
  afterAll(async () => {
    client.close();
    await coa.close();
    await hs.stop({ endSessions: false });
    await env.stop();
  });

  async function newSession(): Promise<SessionView> {
    guest++;
    const code = `COA${guest}`;
    await addEntitlement(env.db, pkgId, { code });
    const r = await hs.login({
      method: 'pap',
      mac: `AA:BB:CC:00:20:${guest.toString(16).padStart(2, '0')}`,
      username: code,
      password: code,
    });
    if (!r.ok) throw new Error(`login refused: ${r.replyMessage}`);
    await hs.settled();
    return r.session;
  }

  /** RFC 5176 session identification as NetFlow sends it: User-Name + Acct-Session-Id + Framed-IP-Address (item 24). */
  const ids = (s: SessionView): Attribute[] => [
    ['NAS-IP-Address', '127.0.0.1'],
    ['User-Name', s.userName],
    ['Acct-Session-Id', s.acctSessionId],
    ['Framed-IP-Address', s.ip],
  ];

  async function send(
    code: number,
    attributes: Attribute[],
    secret = SECRET,
  ): Promise<{ reply: RadiusPacket | null; raw: Buffer | null; request: Buffer }> {
    return client.send(code, attributes, secret, coa.port(), true);
  }

  it('Disconnect-Request → ACK with Message-Authenticator first, then Stop with Admin-Reset in NetFlow', async () => {
    const s = await newSession();
    const { reply, raw, request } = await send(CODE.disconnectRequest, ids(s));
    expect(reply!.code).toBe(CODE.disconnectAck);
    expect(verifyResponse(raw!, request.subarray(4, 20), SECRET)).toBe('valid');
    expect(reply!.attributes[0].type).toBe(ATTR.messageAuthenticator);
    await hs.settled();
    expect(hs.session(s.acctSessionId)).toBeNull();
    expect(hs.events('logout').find((e) => e.fields.session === s.acctSessionId)!.fields.cause).toBe(6);
    const row = await env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: s.acctSessionId } });
    expect([row.status, row.terminateCause]).toEqual(['closed', 'Admin-Reset']);
  });

  it('unknown session → NAK with Error-Cause 503; a NAS-IP-Address not ours → 403', async () => {
    const s = await newSession();
    const gone = await send(CODE.disconnectRequest, [
      ['User-Name', s.userName],
      ['Acct-Session-Id', '80ffffff'],
    ]);
    expect(gone.reply!.code).toBe(CODE.disconnectNak);
    expect(integerAttr(gone.reply!, ERROR_CAUSE)).toBe(503);
    expect(verifyResponse(gone.raw!, gone.request.subarray(4, 20), SECRET)).toBe('valid');
    const coaGone = await send(CODE.coaRequest, [
      ['Acct-Session-Id', '80ffffff'],
      ['Mikrotik-Rate-Limit', '1M/1M'],
    ]);
    expect([coaGone.reply!.code, integerAttr(coaGone.reply!, ERROR_CAUSE)]).toEqual([CODE.coaNak, 503]);
    const otherNas = await send(CODE.disconnectRequest, [...ids(s).slice(1), ['NAS-IP-Address', '10.9.9.9']]);
    expect([otherNas.reply!.code, integerAttr(otherNas.reply!, ERROR_CAUSE)]).toEqual([CODE.disconnectNak, 403]);
    expect(hs.session(s.acctSessionId)).not.toBeNull();
  });

  it('drops silently: a wrong secret, a stranger address, an Access-Request', async () => {
    const s = await newSession();
    const before = coa.stats().dropped;
    expect((await send(CODE.disconnectRequest, ids(s), 'not-the-secret')).reply).toBeNull();
    const stranger = await TestRadiusClient.open('127.0.0.2');
    expect((await stranger.send(CODE.disconnectRequest, ids(s), SECRET, coa.port())).reply).toBeNull();
    stranger.close();
    expect(
      (
        await send(CODE.accessRequest, [
          ['User-Name', 'x'],
          ['User-Password', 'y'],
        ])
      ).reply,
    ).toBeNull();
    expect(coa.stats().dropped - before).toBe(3);
    expect(hs.session(s.acctSessionId)).not.toBeNull();
  });

  it('dropNext(2): the first two tries are lost, the third retransmission is answered, a fourth gets the same reply', async () => {
    const s = await newSession();
    coa.dropNext(2);
    const { bytes } = client.request(CODE.disconnectRequest, ids(s), SECRET);
    expect(await client.sendRaw(bytes, coa.port(), 300)).toBeNull();
    expect(await client.sendRaw(bytes, coa.port(), 300)).toBeNull();
    const third = await client.sendRaw(bytes, coa.port());
    expect(parsePacket(third!).code).toBe(CODE.disconnectAck);
    // Already disconnected: without the duplicate cache this would now be a NAK 503.
    const fourth = await client.sendRaw(bytes, coa.port());
    expect(fourth!.equals(third!)).toBe(true);
    expect(coa.stats().duplicates).toBeGreaterThanOrEqual(1);
    await hs.settled();
    expect(hs.events('logout').filter((e) => e.fields.session === s.acctSessionId)).toHaveLength(1);
  });

  it('CoA-Request changes the rate limit and Session-Timeout (ACK), echoing Proxy-State in order', async () => {
    const s = await newSession();
    expect(s.limits.rateLimit).toBe('2M/5M');
    const { reply } = await send(CODE.coaRequest, [
      ['Acct-Session-Id', s.acctSessionId],
      ['User-Name', s.userName],
      ['Mikrotik-Rate-Limit', '4M/8M'],
      ['Session-Timeout', 7200],
      ['Proxy-State', Buffer.from([1])],
      ['Proxy-State', Buffer.from([2])],
    ]);
    expect(reply!.code).toBe(CODE.coaAck);
    expect(reply!.attributes[0].type).toBe(ATTR.messageAuthenticator);
    expect(reply!.attributes.filter((a) => a.type === ATTR.proxyState).map((a) => a.value.toString('hex'))).toEqual(['01', '02']);
    const now = hs.session(s.acctSessionId)!;
    expect([now.limits.rateLimit, now.limits.sessionTimeout]).toEqual(['4M/8M', 7200]);
    expect(hs.events('coa-applied').at(-1)!.fields).toMatchObject({ session: s.acctSessionId, rateLimit: '4M/8M' });
  });

  it('CoA with attributes RouterOS cannot change → NAK 401; a bad rate limit → NAK 407', async () => {
    const s = await newSession();
    const total = await send(CODE.coaRequest, [
      ['Acct-Session-Id', s.acctSessionId],
      ['Mikrotik-Total-Limit', 1000],
    ]);
    expect([total.reply!.code, integerAttr(total.reply!, ERROR_CAUSE)]).toEqual([CODE.coaNak, 401]);
    const pool = await send(CODE.coaRequest, [
      ['Acct-Session-Id', s.acctSessionId],
      ['Framed-Pool', 'other'],
    ]);
    expect([pool.reply!.code, integerAttr(pool.reply!, ERROR_CAUSE)]).toEqual([CODE.coaNak, 401]);
    const bad = await send(CODE.coaRequest, [
      ['Acct-Session-Id', s.acctSessionId],
      ['Mikrotik-Rate-Limit', 'fast please'],
    ]);
    expect([bad.reply!.code, integerAttr(bad.reply!, ERROR_CAUSE)]).toEqual([CODE.coaNak, 407]);
    expect(hs.session(s.acctSessionId)!.limits.rateLimit).toBe('2M/5M');
  });

  it('fault injection: a forced NAK, and a delayed reply', async () => {
    const s = await newSession();
    coa.forceNak(1, 506);
    const forced = await send(CODE.disconnectRequest, ids(s));
    expect([forced.reply!.code, integerAttr(forced.reply!, ERROR_CAUSE)]).toEqual([CODE.disconnectNak, 506]);
    expect(hs.session(s.acctSessionId)).not.toBeNull();
    coa.setDelay(150);
    const started = Date.now();
    const { bytes } = client.request(CODE.disconnectRequest, ids(s), SECRET);
    const late = await client.sendRaw(bytes, coa.port(), 2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    coa.setDelay(0);
    expect(parsePacket(late!).code).toBe(CODE.disconnectAck);
    await hs.settled();
    expect(hs.session(s.acctSessionId)).toBeNull();
  });
});
