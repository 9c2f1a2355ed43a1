// The simulator's RADIUS client against a scriptable fake server on loopback: retransmission of
// identical bytes, fresh Identifiers, bad replies ignored, and accounting retried in new rounds
// with a growing Acct-Delay-Time. Time is a ManualClock: nothing waits for a real timeout.
import { afterEach, describe, expect, it } from 'vitest';
import { ATTR, CODE } from '../../src/radius/codes.js';
import { responseAuthenticator } from '../../src/radius/crypto.js';
import { integerAttr } from '../../src/radius/packet.js';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { RadiusPeer } from '../../tools/nas-sim/radius-peer.js';
import { acctStatus, ATTR_ACCT_DELAY_TIME, FakeRadiusServer, SECRET } from './helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(policy: Parameters<typeof FakeRadiusServer.open>[1]) {
  const s = await FakeRadiusServer.open(SECRET, policy);
  cleanups.push(() => s.close());
  return s;
}

async function peer(port: number, clock: ManualClock, extra: Partial<Parameters<typeof RadiusPeer.open>[0]> = {}) {
  const p = await RadiusPeer.open({
    host: '127.0.0.1',
    port,
    secret: SECRET,
    bindAddress: '127.0.0.1',
    clock,
    timeoutMs: 1000,
    tries: 3,
    ...extra,
  });
  cleanups.push(() => p.close());
  return p;
}

const accounting = (id: string): Parameters<RadiusPeer['request']>[0] => ({
  code: CODE.accountingRequest,
  attributes: [
    ['Acct-Status-Type', 1],
    ['Acct-Session-Id', id],
    ['User-Name', 'u'],
    ['NAS-Identifier', 'MikroTik'],
  ],
});

describe('RadiusPeer', () => {
  it('retransmits the same bytes on silence and takes the answer to the third try', async () => {
    const clock = new ManualClock();
    const server = await fake((_p, i) => (i < 2 ? 'drop' : { code: CODE.accountingResponse }));
    const p = await peer(server.port(), clock);
    const pending = p.request(accounting('a1'));
    await server.waitFor(1);
    clock.advance(1000);
    await server.waitFor(2);
    clock.advance(1000);
    await server.waitFor(3);
    const outcome = await pending;
    expect(outcome.ok).toBe(true);
    expect(outcome.attempts).toBe(3);
    expect(server.received[1].bytes.equals(server.received[0].bytes)).toBe(true);
    expect(server.received[2].bytes.equals(server.received[0].bytes)).toBe(true);
    expect(p.stats()).toMatchObject({ requests: 1, replies: 1, resends: 2, timeouts: 0 });
  });

  it('gives up after the configured tries, and uses a fresh Identifier per request', async () => {
    const clock = new ManualClock();
    const server = await fake(() => 'drop');
    const p = await peer(server.port(), clock);
    const first = p.request(accounting('b1'));
    const second = p.request(accounting('b2'));
    await server.waitFor(2);
    expect(server.received[0].packet.identifier).not.toBe(server.received[1].packet.identifier);
    for (let i = 0; i < 3; i++) clock.advance(1000);
    expect((await first).ok).toBe(false);
    expect((await second).ok).toBe(false);
    await server.waitFor(6);
    expect(server.received).toHaveLength(6);
    expect(p.stats()).toMatchObject({ requests: 2, timeouts: 2, resends: 4 });
  });

  it('ignores replies with a bad Response Authenticator or (Access) no Message-Authenticator', async () => {
    const clock = new ManualClock();
    const server = await fake((p, i) => {
      if (i === 0) return { code: CODE.accessAccept, secret: 'wrong-secret' };
      if (i === 1) {
        // A correctly signed Access-Accept without Message-Authenticator: RouterOS 7.15+ refuses it.
        const reply = Buffer.alloc(20);
        reply[0] = CODE.accessAccept;
        reply[1] = p.identifier;
        reply.writeUInt16BE(20, 2);
        responseAuthenticator(reply, p.authenticator, SECRET).copy(reply, 4);
        return reply;
      }
      return { code: CODE.accessAccept };
    });
    const p = await peer(server.port(), clock);
    const pending = p.request({
      code: CODE.accessRequest,
      attributes: [
        ['User-Name', 'u'],
        ['User-Password', 'p'],
      ],
      messageAuthenticator: true,
    });
    await server.waitFor(1);
    await new Promise((r) => setTimeout(r, 50)); // let the bad reply arrive and be judged
    clock.advance(1000);
    await server.waitFor(2);
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(1000);
    await server.waitFor(3);
    const outcome = await pending;
    expect(outcome.ok && outcome.reply.code).toBe(CODE.accessAccept);
    expect(outcome.attempts).toBe(3);
    expect(p.stats().badReplies).toBe(2);
  });
});

describe('hotspot accounting retries', () => {
  it('resends an unacknowledged Start in new rounds with a new Identifier and a growing Acct-Delay-Time', async () => {
    const clock = new ManualClock();
    const auth = await fake(() => ({
      code: CODE.accessAccept,
      attributes: [
        ['Class', Buffer.from('nf:1')],
        ['Acct-Interim-Interval', 300],
      ],
    }));
    // Drops a whole round (3 tries) plus the first try of the next.
    const acct = await fake((_p, i) => (i < 4 ? 'drop' : { code: CODE.accountingResponse }));
    const hs = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: auth.port(),
      acctPort: acct.port(),
      bindAddress: '127.0.0.1',
      clock,
      timeoutMs: 1000,
      tries: 3,
    });
    cleanups.push(() => hs.stop({ endSessions: false }));
    const login = await hs.login({ method: 'pap', mac: 'AA:BB:CC:00:10:01', username: 'CODE', password: 'CODE' });
    expect(login.ok).toBe(true);
    await acct.waitFor(1);
    for (let n = 2; n <= 5; n++) {
      clock.advance(1000);
      await acct.waitFor(n);
    }
    await hs.settled();
    const sent = acct.received.map((r) => r.packet);
    expect(sent.every((p) => acctStatus(p) === 1)).toBe(true);
    // Round 1: one packet three times.
    expect(acct.received[1].bytes.equals(acct.received[0].bytes)).toBe(true);
    expect(acct.received[2].bytes.equals(acct.received[0].bytes)).toBe(true);
    expect(integerAttr(sent[0], ATTR_ACCT_DELAY_TIME)).toBe(0);
    // Round 2: a new packet (RFC 2866 §5.2), delayed by the 3 s already spent.
    expect(sent[3].identifier).not.toBe(sent[0].identifier);
    expect(integerAttr(sent[3], ATTR_ACCT_DELAY_TIME)).toBe(3);
    expect(acct.received[4].bytes.equals(acct.received[3].bytes)).toBe(true);
    expect(sent[3].attributes.find((a) => a.type === ATTR.class)?.value.toString()).toBe('nf:1');
    expect(hs.events('acct-retry')).toHaveLength(1);
    expect(hs.events('acct-ack')).toHaveLength(1);
  });
});

describe('hotspot wire format', () => {
  it('Access-Request and accounting attributes as a RouterOS hotspot sends them', async () => {
    const clock = new ManualClock();
    const auth = await fake(() => ({
      code: CODE.accessAccept,
      attributes: [
        ['Class', Buffer.from('nf:7')],
        ['Class', Buffer.from('second')],
        ['Acct-Interim-Interval', 60],
      ],
    }));
    const acct = await fake(() => ({ code: CODE.accountingResponse }));
    const hs = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: auth.port(),
      acctPort: acct.port(),
      bindAddress: '127.0.0.1',
      clock,
      nasIdentifier: 'hs-router',
      hotspotName: 'hotspot7',
      interfaceName: 'wlan1',
      bootId: 0xf,
      sessionCounterStart: 3,
    });
    cleanups.push(() => hs.stop({ endSessions: false }));
    const chap = await hs.login({ method: 'chap', mac: '30:39:26:86:cc:ea', ip: '10.5.50.253', username: 'alice', password: 'secretpass' });
    expect(chap.ok && chap.session.acctSessionId).toBe('80f00003');
    const req = auth.received[0].packet;
    const s = (t: number) => req.attributes.find((a) => a.type === t)?.value;
    expect(req.attributes[0].type).toBe(ATTR.messageAuthenticator);
    expect(s(1)!.toString()).toBe('alice');
    expect(s(3)!.length).toBe(17); // CHAP-Password: ident + MD5
    expect(s(60)!.length).toBe(16); // CHAP-Challenge
    expect(s(2)).toBeUndefined();
    expect(integerAttr(req, 61)).toBe(19); // Wireless-802.11
    expect(s(31)!.toString()).toBe('30:39:26:86:CC:EA');
    expect(s(30)!.toString()).toBe('hotspot7');
    expect(s(87)!.toString()).toBe('wlan1');
    expect(integerAttr(req, 5)).toBe(0x80f00003); // NAS-Port = 2163212291, as in the capture
    expect(s(44)!.toString()).toBe('80f00003');
    expect([...s(8)!]).toEqual([10, 5, 50, 253]);
    expect(s(32)!.toString()).toBe('hs-router');
    expect([...s(4)!]).toEqual([127, 0, 0, 1]);
    expect(integerAttr(req, 6)).toBe(1); // Login-User

    const macLogin = await hs.login({ method: 'mac', mac: 'AA:BB:CC:DD:EE:FF' });
    expect(macLogin.ok).toBe(true);
    const macReq = auth.received[1].packet;
    expect(macReq.attributes.find((a) => a.type === 1)!.value.toString()).toBe('AA:BB:CC:DD:EE:FF');
    expect(macReq.attributes.find((a) => a.type === 2)!.value.length).toBe(16); // the blank password, one hidden block

    await hs.settled();
    await clock.advanceAsync(60_000, () => hs.quiesce());
    await hs.logout('30:39:26:86:CC:EA');
    await hs.settled();
    const mine = acct.received.map((r) => r.packet).filter((p) => p.attributes.find((a) => a.type === 44)!.value.toString() === '80f00003');
    expect(mine.map(acctStatus)).toEqual([1, 3, 2]);
    const [start, interim, stop] = mine;
    expect(start.attributes.filter((a) => a.type === ATTR.class).map((a) => a.value.toString())).toEqual(['nf:7', 'second']);
    expect(integerAttr(start, 46)).toBeNull(); // no counters in a Start
    expect(integerAttr(interim, 46)).toBe(60);
    expect(integerAttr(interim, 42)).toBe(120_000); // default traffic: 2000 B/s up
    expect(integerAttr(interim, 43)).toBe(1_200_000);
    expect(integerAttr(interim, 52)).toBe(0);
    expect(integerAttr(stop, 49)).toBe(1); // User-Request
    expect(integerAttr(stop, ATTR_ACCT_DELAY_TIME)).toBe(0);
    expect(stop.attributes.filter((a) => a.type === ATTR.class)).toHaveLength(2);
  });
});
