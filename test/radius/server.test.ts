// NetFlow's RADIUS server over real UDP on loopback, answering from a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ATTR, CODE, VENDOR_MIKROTIK } from '../../src/radius/codes.js';
import { chapResponse } from '../../src/radius/crypto.js';
import { encodeRequest, verifyResponse } from '../../src/radius/encode.js';
import { attr, integerAttr, parsePacket, stringAttr, vendorAttr, type RadiusPacket } from '../../src/radius/packet.js';
import { decodeStoredAttributes } from '../../src/radius/stored-attributes.js';
import { GUEST_MESSAGES } from '../../src/aaa/reply.js';
import type { RejectReason } from '../../src/aaa/types.js';
import { startTestNetflow } from '../support/netflow.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { TestRadiusClient } from '../support/radius-client.js';

const SECRET = 'testing123testing123';
const hotspot = (user: string, mac: string): [string, string | number][] => [
  ['User-Name', user],
  ['Calling-Station-Id', mac],
  ['Called-Station-Id', 'hotspot1'],
  ['NAS-Identifier', 'MikroTik'],
  ['NAS-IP-Address', '127.0.0.1'],
  ['Service-Type', 1],
  ['NAS-Port-Type', 19],
];

describe('RADIUS server', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;
  let client: TestRadiusClient;
  let auth: number;
  let acct: number;

  beforeAll(async () => {
    env = await startTestNetflow();
    auth = env.netflow.authPort;
    acct = env.netflow.acctPort;
    await addRouter(env.db, { ip: '127.0.0.1', secret: SECRET });
    await addRouter(env.db, { ip: '127.0.0.3', secret: SECRET, messageAuthenticator: 'yes' });
    await addRouter(env.db, { ip: '127.0.0.4', secret: SECRET, messageAuthenticator: 'no' });
    await addRouter(env.db, { name: 'learner', ip: '127.0.0.5', secret: SECRET }); // auto, the default
    const pkg = await addPackage(env.db, { minutes: 60, rateLimitUp: '2M', rateLimitDown: '5M', dataCapBytes: 5n * 1024n ** 3n });
    await addEntitlement(env.db, pkg.id, { code: 'GUEST1' });
    await addEntitlement(env.db, pkg.id, { code: 'CHAPGUEST', password: 'chap-secret' });
    await addEntitlement(env.db, pkg.id, { code: 'LONGPW', password: 'abcdefghijklmnopqrstuvwxyz0123456' });
    await addEntitlement(env.db, pkg.id, { code: 'ACCT1' });
    await addEntitlement(env.db, pkg.id, { code: 'DUPAUTH' });
    // One code for each way a login is refused (the rules themselves: test/aaa/authorize.test.ts).
    const elsewhere = await addRouter(env.db, { ip: '10.9.9.7', secret: SECRET });
    const day = 86_400_000;
    await addEntitlement(env.db, pkg.id, { code: 'R-REVOKED', status: 'revoked' });
    await addEntitlement(env.db, pkg.id, { code: 'R-ELSEWHERE', routerId: elsewhere.id });
    await addEntitlement(env.db, pkg.id, { code: 'R-EXPIRED', expiresAt: new Date(Date.now() - day) });
    await addEntitlement(env.db, pkg.id, { code: 'R-UNREDEEMED', redeemBy: new Date(Date.now() - day), expiresAt: null });
    const used = await addEntitlement(env.db, pkg.id, { code: 'R-USEDUP' });
    await env.db.prisma.entitlement.update({ where: { id: used.id }, data: { bytesUp: 3n * 1024n ** 3n, bytesDown: 2n * 1024n ** 3n } });
    // A rate too long for its attribute (247 octets at most in a Vendor-Specific): put there by
    // hand, past the CLI's checks, to see the server survive a reply it cannot encode.
    const absurd = await addPackage(env.db, { rateLimitUp: '1'.repeat(200) + 'M', rateLimitDown: '1'.repeat(200) + 'M' });
    await addEntitlement(env.db, absurd.id, { code: 'ABSURD' });
    client = await TestRadiusClient.open();
    // The router table reloads on NOTIFY; wait until it knows 127.0.0.1.
    for (let i = 0; i < 50; i++) {
      const { reply } = await client.send(
        CODE.accessRequest,
        [...hotspot('nobody', '02:00:00:00:00:01'), ['User-Password', 'x']],
        SECRET,
        auth,
      );
      if (reply) break;
    }
  });
  afterAll(async () => {
    client.close();
    await env.stop();
  });

  const firstAttrType = (p: RadiusPacket) => p.attributes[0]?.type;

  it('PAP: Access-Accept with Message-Authenticator first and the hotspot attributes', async () => {
    const { reply, raw, request } = await client.send(
      CODE.accessRequest,
      [...hotspot('GUEST1', 'AA:BB:CC:00:00:01'), ['User-Password', 'GUEST1']],
      SECRET,
      auth,
    );
    expect(reply!.code).toBe(CODE.accessAccept);
    expect(verifyResponse(raw!, request.subarray(4, 20), SECRET)).toBe('valid');
    expect(firstAttrType(reply!)).toBe(ATTR.messageAuthenticator);
    expect(integerAttr(reply!, 27)).toBe(3600);
    expect(vendorAttr(reply!, VENDOR_MIKROTIK, 8)!.toString()).toBe('2M/5M');
    expect(integerAttr(reply!, 85)).toBe(300);
    expect(stringAttr(reply!, ATTR.class)).toMatch(/^nf:\d+$/);
    // 5 GiB left = Total-Limit 1073741824 + Total-Limit-Gigawords 1.
    expect(vendorAttr(reply!, VENDOR_MIKROTIK, 17)!.readUInt32BE(0)).toBe(1073741824);
    expect(vendorAttr(reply!, VENDOR_MIKROTIK, 18)!.readUInt32BE(0)).toBe(1);
  });

  it('PAP with a 33-character password (chained blocks)', async () => {
    const { reply } = await client.send(
      CODE.accessRequest,
      [...hotspot('LONGPW', 'AA:BB:CC:00:00:09'), ['User-Password', 'abcdefghijklmnopqrstuvwxyz0123456']],
      SECRET,
      auth,
    );
    expect(reply!.code).toBe(CODE.accessAccept);
  });

  it('CHAP as the hotspot sends it (CHAP-Challenge), and with the Request Authenticator as challenge', async () => {
    const challenge = randomBytes(16);
    const withChallenge = await client.send(
      CODE.accessRequest,
      [
        ...hotspot('CHAPGUEST', 'AA:BB:CC:00:00:02'),
        ['CHAP-Password', chapResponse(9, 'chap-secret', challenge)],
        ['CHAP-Challenge', challenge],
      ],
      SECRET,
      auth,
    );
    expect(withChallenge.reply!.code).toBe(CODE.accessAccept);
    const authenticator = randomBytes(16);
    const bytes = encodeRequest({
      code: CODE.accessRequest,
      identifier: 77,
      secret: SECRET,
      messageAuthenticator: true,
      authenticator,
      attributes: [...hotspot('CHAPGUEST', 'AA:BB:CC:00:00:02'), ['CHAP-Password', chapResponse(3, 'chap-secret', authenticator)]],
    });
    expect(parsePacket((await client.sendRaw(bytes, auth))!).code).toBe(CODE.accessAccept);
    const wrong = await client.send(
      CODE.accessRequest,
      [...hotspot('CHAPGUEST', 'AA:BB:CC:00:00:02'), ['CHAP-Password', chapResponse(9, 'nope', challenge)], ['CHAP-Challenge', challenge]],
      SECRET,
      auth,
    );
    expect(wrong.reply!.code).toBe(CODE.accessReject);
  });

  it('Access-Reject: Message-Authenticator first, a Reply-Message the guest understands, nothing else', async () => {
    const { reply } = await client.send(
      CODE.accessRequest,
      [...hotspot('GUEST1', 'AA:BB:CC:00:00:07'), ['User-Password', 'GUEST1']],
      SECRET,
      auth,
    );
    expect(reply!.code).toBe(CODE.accessReject);
    expect(reply!.attributes.map((a) => a.type)).toEqual([ATTR.messageAuthenticator, ATTR.replyMessage]);
    expect(stringAttr(reply!, ATTR.replyMessage)).toMatch(/already in use on another device/);
  });

  it('each refusal reaches the guest over RADIUS as its own Reply-Message', async () => {
    const mac = 'AA:BB:CC:00:00:50';
    const cases: Array<[RejectReason, [string, string | number | Buffer][]]> = [
      ['unknown_code', [...hotspot('NO-SUCH-CODE', mac), ['User-Password', 'NO-SUCH-CODE']]],
      ['bad_password', [...hotspot('CHAPGUEST', mac), ['User-Password', 'not-it']]],
      ['revoked', [...hotspot('R-REVOKED', mac), ['User-Password', 'R-REVOKED']]],
      ['other_router', [...hotspot('R-ELSEWHERE', mac), ['User-Password', 'R-ELSEWHERE']]],
      ['expired', [...hotspot('R-EXPIRED', mac), ['User-Password', 'R-EXPIRED']]],
      ['not_redeemed_in_time', [...hotspot('R-UNREDEEMED', mac), ['User-Password', 'R-UNREDEEMED']]],
      ['data_exhausted', [...hotspot('R-USEDUP', mac), ['User-Password', 'R-USEDUP']]],
      [
        'no_device',
        [
          ['User-Name', 'GUEST1'],
          ['User-Password', 'GUEST1'],
        ],
      ],
      ['unknown_device', [...hotspot('AA:BB:CC:00:00:51', 'AA:BB:CC:00:00:51'), ['User-Password', '']]],
      ['mac_mismatch', [...hotspot('AA:BB:CC:00:00:52', mac), ['User-Password', '']]],
    ];
    for (const [reason, attributes] of cases) {
      const { reply } = await client.send(CODE.accessRequest, attributes, SECRET, auth);
      expect([reason, reply!.code]).toEqual([reason, CODE.accessReject]);
      expect([reason, stringAttr(reply!, ATTR.replyMessage)]).toEqual([reason, GUEST_MESSAGES[reason]]);
    }
  });

  it('drops packets from unknown addresses, with a wrong secret, or without a required Message-Authenticator — and counts them', async () => {
    const before = env.netflow.radiusStats().dropped;
    const stranger = await TestRadiusClient.open('127.0.0.2');
    expect(
      (await stranger.send(CODE.accessRequest, [...hotspot('GUEST1', 'AA:BB:CC:00:00:01'), ['User-Password', 'GUEST1']], SECRET, auth))
        .reply,
    ).toBeNull();
    stranger.close();
    expect(
      (
        await client.send(
          CODE.accessRequest,
          [...hotspot('GUEST1', 'AA:BB:CC:00:00:01'), ['User-Password', 'GUEST1']],
          'wrong-secret',
          auth,
        )
      ).reply,
    ).toBeNull();
    expect(
      (
        await client.send(
          CODE.accountingRequest,
          [...hotspot('ACCT1', 'AA:BB:CC:00:00:01'), ['Acct-Status-Type', 1], ['Acct-Session-Id', 'zz']],
          'wrong-secret',
          acct,
          false,
        )
      ).reply,
    ).toBeNull();
    const strict = await TestRadiusClient.open('127.0.0.3');
    expect(
      (await strict.send(CODE.accessRequest, [...hotspot('GUEST1', 'AA:BB:CC:00:00:01'), ['User-Password', 'GUEST1']], SECRET, auth, false))
        .reply,
    ).toBeNull();
    expect(
      (await strict.send(CODE.accessRequest, [...hotspot('NOONE', 'AA:BB:CC:00:00:01'), ['User-Password', 'x']], SECRET, auth, true)).reply!
        .code,
    ).toBe(CODE.accessReject);
    strict.close();
    // Proxy-State without Message-Authenticator is a forgery pattern (BlastRADIUS), even from a
    // router that is not required to sign.
    const lax = await TestRadiusClient.open('127.0.0.4');
    expect(
      (await lax.send(CODE.accessRequest, [...hotspot('NOONE', 'AA:BB:CC:00:00:01'), ['User-Password', 'x']], SECRET, auth, false)).reply!
        .code,
    ).toBe(CODE.accessReject);
    expect(
      (
        await lax.send(
          CODE.accessRequest,
          [...hotspot('GUEST1', 'AA:BB:CC:00:00:01'), ['User-Password', 'GUEST1'], ['Proxy-State', Buffer.from([1])]],
          SECRET,
          auth,
          false,
        )
      ).reply,
    ).toBeNull();
    lax.close();
    const after = env.netflow.radiusStats().dropped;
    expect(after.unknown_client - before.unknown_client).toBe(1);
    expect(after.bad_message_authenticator - before.bad_message_authenticator).toBe(1);
    expect(after.bad_authenticator - before.bad_authenticator).toBe(1);
    expect(after.missing_message_authenticator - before.missing_message_authenticator).toBe(1);
    expect(after.proxy_state_without_message_authenticator - before.proxy_state_without_message_authenticator).toBe(1);
  });

  it('BlastRADIUS auto (the default): unsigned Access-Requests are answered until the router first signs one, then dropped; stored, so a reload (another instance, a restart) keeps it', async () => {
    const learner = await TestRadiusClient.open('127.0.0.5');
    const login = (signed: boolean) =>
      learner.send(CODE.accessRequest, [...hotspot('NOONE', 'AA:BB:CC:00:00:05'), ['User-Password', 'x']], SECRET, auth, signed);
    try {
      expect((await login(false)).reply!.code).toBe(CODE.accessReject);
      expect((await login(false)).reply!.code).toBe(CODE.accessReject);
      const before = env.netflow.radiusStats().dropped.missing_message_authenticator;
      expect((await login(true)).reply!.code).toBe(CODE.accessReject);
      expect((await login(false)).reply).toBeNull(); // from now on, required
      expect(env.netflow.radiusStats().dropped.missing_message_authenticator - before).toBe(1);
      // Unsigned accounting stays fine (RFC 2866 has no Message-Authenticator requirement).
      expect(
        (
          await learner.send(
            CODE.accountingRequest,
            [...hotspot('ACCT1', 'AA:BB:CC:00:00:05'), ['Acct-Status-Type', 3], ['Acct-Session-Id', 'learner-1']],
            SECRET,
            acct,
            false,
          )
        ).reply!.code,
      ).toBe(CODE.accountingResponse);
      // Stored, so it holds on every instance and after a restart; audited.
      let row = await env.db.prisma.router.findUniqueOrThrow({ where: { name: 'learner' } });
      for (let i = 0; i < 50 && row.messageAuthenticatorSeenAt === null; i++) {
        await new Promise((r) => setTimeout(r, 20));
        row = await env.db.prisma.router.findUniqueOrThrow({ where: { name: 'learner' } });
      }
      expect(row).toMatchObject({ messageAuthenticator: 'auto', messageAuthenticatorSeenAt: expect.any(Date) });
      expect(await env.db.prisma.auditLog.count({ where: { action: 'router.message_authenticator_required', subject: 'learner' } })).toBe(
        1,
      );
      await new Promise((r) => setTimeout(r, 100)); // the NOTIFY-driven reload reads the stored state
      expect((await login(false)).reply).toBeNull();
    } finally {
      learner.close();
    }
  });

  it('drops a request carrying a value the database cannot hold, alone: the good requests beside it are answered, nothing is retried', async () => {
    const before = env.netflow.radiusStats().dropped;
    const acctStart = (id: string, extra: [string, string | number | Buffer][] = []) =>
      client.send(
        CODE.accountingRequest,
        [...hotspot('NOT-A-CODE', 'AA:BB:CC:00:00:07'), ['Acct-Status-Type', 3], ['Acct-Session-Id', id], ...extra],
        SECRET,
        acct,
      );
    const poison = [
      client.send(CODE.accessRequest, [...hotspot('GUE\0ST1', 'AA:BB:CC:00:00:07'), ['User-Password', 'x']], SECRET, auth),
      client.send(CODE.accessRequest, [...hotspot('GUEST1', 'AA:BB:CC:00:00:07'), ['User-Password', 'a\0b']], SECRET, auth),
      acctStart('poison-nul\0'),
      acctStart('poison-time', [['Acct-Session-Time', 0xffffffff]]),
      acctStart('poison-octets', [
        ['Acct-Input-Octets', 1],
        ['Acct-Input-Gigawords', 0xffffffff],
      ]),
      acctStart('poison-delay', [['Acct-Delay-Time', 0x80000000]]),
      acctStart('poison-cause', [['Acct-Terminate-Cause', 0x80000000]]),
    ];
    // Sent together with the poison, so they share its batches.
    const good = [
      acctStart('good-1'),
      acctStart('good-2', [['Class', Buffer.from('nf:9999999999')]]),
      acctStart('good-3', [['Acct-Input-Gigawords', 0x7fffffff]]),
    ];
    const replies = await Promise.all([...poison, ...good]);
    expect(replies.slice(0, poison.length).map((r) => r.reply?.code ?? null)).toEqual(Array(poison.length).fill(null));
    expect(replies.slice(poison.length).map((r) => r.reply?.code)).toEqual(Array(good.length).fill(CODE.accountingResponse));
    const after = env.netflow.radiusStats().dropped;
    expect(after.malformed_value - before.malformed_value).toBe(poison.length);
    expect(after.handler_error - before.handler_error).toBe(0);
    expect(after.not_stored - before.not_stored).toBe(0);
    // A copy of a dropped request is dropped at once, not handled again.
    const { bytes } = client.request(CODE.accessRequest, [...hotspot('NUL\0AGAIN', 'AA:BB:CC:00:00:07'), ['User-Password', 'x']], SECRET);
    expect(await client.sendRaw(bytes, auth, 300)).toBeNull();
    expect(await client.sendRaw(bytes, auth, 300)).toBeNull();
    expect(env.netflow.radiusStats().dropped.malformed_value - after.malformed_value).toBe(2);
    expect(await env.db.prisma.accountingRecord.count({ where: { acctSessionId: { startsWith: 'good-' } } })).toBe(3);
    expect(await env.db.prisma.accountingRecord.count({ where: { acctSessionId: { startsWith: 'poison-' } } })).toBe(0);
    // The server answers as before.
    expect(
      (await client.send(CODE.accessRequest, [...hotspot('NOONE', 'AA:BB:CC:00:00:07'), ['User-Password', 'x']], SECRET, auth)).reply!.code,
    ).toBe(CODE.accessReject);
  });

  it('drops as malformed a User-Password of a bad length and an Accounting-Request without Acct-Status-Type; counts wrong-port codes and copies in flight', async () => {
    const before = env.netflow.radiusStats().dropped;
    // RFC 2865 §5.2: 16 to 128 octets in steps of 16. (A Buffer is sent as is, not hidden.)
    expect(
      (
        await client.send(
          CODE.accessRequest,
          [...hotspot('GUEST1', 'AA:BB:CC:00:00:01'), ['User-Password', Buffer.alloc(17, 1)]],
          SECRET,
          auth,
        )
      ).reply,
    ).toBeNull();
    // RFC 2866 §5.1: Acct-Status-Type is required.
    expect(
      (
        await client.send(
          CODE.accountingRequest,
          [...hotspot('ACCT1', 'AA:BB:CC:00:00:01'), ['Acct-Session-Id', 'no-status']],
          SECRET,
          acct,
        )
      ).reply,
    ).toBeNull();
    // An Accounting-Request sent to the authentication port.
    expect(
      (
        await client.send(
          CODE.accountingRequest,
          [...hotspot('ACCT1', 'AA:BB:CC:00:00:01'), ['Acct-Status-Type', 1], ['Acct-Session-Id', 'wrong-port']],
          SECRET,
          auth,
        )
      ).reply,
    ).toBeNull();
    // A copy that arrives while the original is still being decided is dropped; the original is answered once.
    const { bytes } = client.request(
      CODE.accountingRequest,
      [...hotspot('ACCT1', 'AA:BB:CC:00:00:02'), ['Acct-Status-Type', 1], ['Acct-Session-Id', 'in-flight-1']],
      SECRET,
    );
    const [first, second] = await Promise.all([client.sendRaw(bytes, acct), client.sendRaw(bytes, acct, 400)]);
    expect([first, second].filter((r) => r !== null)).toHaveLength(1);
    const after = env.netflow.radiusStats().dropped;
    expect(after.malformed - before.malformed).toBe(2);
    expect(after.unexpected_code - before.unexpected_code).toBe(1);
    expect(after.duplicate_in_flight - before.duplicate_in_flight).toBe(1);
    expect(await env.db.prisma.accountingRecord.count({ where: { acctSessionId: { in: ['no-status', 'wrong-port'] } } })).toBe(0);
  });

  it('a retransmitted Access-Request gets the byte-identical cached reply, not a second decision', async () => {
    const { bytes } = client.request(
      CODE.accessRequest,
      [...hotspot('DUPAUTH', 'AA:BB:CC:00:00:44'), ['User-Password', 'DUPAUTH']],
      SECRET,
    );
    const first = await client.sendRaw(bytes, auth);
    const resentBefore = env.netflow.radiusStats().duplicatesResent;
    const second = await client.sendRaw(bytes, auth);
    expect(parsePacket(first!).code).toBe(CODE.accessAccept);
    expect(second!.equals(first!)).toBe(true);
    expect(env.netflow.radiusStats().duplicatesResent - resentBefore).toBe(1); // served from the cache
  });

  it('a new request that reuses an Identifier from the same port within the window gets its own reply, not the cached one', async () => {
    // RFC 5080 §2.2.2: a duplicate is the same source, Identifier *and* Request Authenticator. A
    // router runs through its 256 Identifiers in seconds under load; keyed without the
    // authenticator, the second guest would get the first guest's Access-Accept.
    const pkg = await addPackage(env.db, { minutes: 60 });
    await addEntitlement(env.db, pkg.id, { code: 'SAMEID1' });
    const resentBefore = env.netflow.radiusStats().duplicatesResent;
    const accept = encodeRequest({
      code: CODE.accessRequest,
      identifier: 201,
      secret: SECRET,
      messageAuthenticator: true,
      attributes: [...hotspot('SAMEID1', 'AA:BB:CC:00:00:61'), ['User-Password', 'SAMEID1']],
    });
    const reject = encodeRequest({
      code: CODE.accessRequest,
      identifier: 201,
      secret: SECRET,
      messageAuthenticator: true,
      attributes: [...hotspot('NO-SUCH-SAMEID', 'AA:BB:CC:00:00:62'), ['User-Password', 'x']],
    });
    const first = await client.sendRaw(accept, auth);
    const second = await client.sendRaw(reject, auth);
    expect(parsePacket(first!).code).toBe(CODE.accessAccept);
    expect(parsePacket(second!).code).toBe(CODE.accessReject);
    expect(verifyResponse(second!, reject.subarray(4, 20), SECRET)).toBe('valid');
    expect(stringAttr(parsePacket(second!), ATTR.replyMessage)).toBe(GUEST_MESSAGES.unknown_code);

    // Accounting: two Starts with one Identifier are two records, each answered.
    const start = (id: string) =>
      encodeRequest({
        code: CODE.accountingRequest,
        identifier: 202,
        secret: SECRET,
        messageAuthenticator: false,
        attributes: [...hotspot('ACCT1', 'AA:BB:CC:00:00:63'), ['Acct-Status-Type', 1], ['Acct-Session-Id', id]],
      });
    const [s1, s2] = [start('same-id-1'), start('same-id-2')];
    const r1 = await client.sendRaw(s1, acct);
    const r2 = await client.sendRaw(s2, acct);
    expect(verifyResponse(r1!, s1.subarray(4, 20), SECRET)).toBe('valid');
    expect(verifyResponse(r2!, s2.subarray(4, 20), SECRET)).toBe('valid');
    expect(await env.db.prisma.accountingRecord.count({ where: { acctSessionId: { in: ['same-id-1', 'same-id-2'] } } })).toBe(2);
    expect(env.netflow.radiusStats().duplicatesResent - resentBefore).toBe(0);
  });

  it('a reply that cannot be encoded is dropped and counted; the server keeps answering', async () => {
    const before = env.netflow.radiusStats().dropped.handler_error;
    expect(
      (await client.send(CODE.accessRequest, [...hotspot('ABSURD', 'AA:BB:CC:00:00:45'), ['User-Password', 'ABSURD']], SECRET, auth)).reply,
    ).toBeNull();
    expect(env.netflow.radiusStats().dropped.handler_error - before).toBe(1);
    const { reply } = await client.send(
      CODE.accessRequest,
      [...hotspot('NOONE', 'AA:BB:CC:00:00:01'), ['User-Password', 'x']],
      SECRET,
      auth,
    );
    expect(reply!.code).toBe(CODE.accessReject);
  });

  it('echoes Proxy-State in order', async () => {
    const { reply } = await client.send(
      CODE.accessRequest,
      [
        ...hotspot('NOONE', 'AA:BB:CC:00:00:01'),
        ['User-Password', 'x'],
        ['Proxy-State', Buffer.from([1])],
        ['Proxy-State', Buffer.from([2])],
      ],
      SECRET,
      auth,
    );
    expect(reply!.attributes.filter((a) => a.type === ATTR.proxyState).map((a) => a.value.toString('hex'))).toEqual(['01', '02']);
  });

  it('survives a bounded fuzz of malformed datagrams without replying', async () => {
    const before = env.netflow.radiusStats();
    const valid = client.request(
      CODE.accessRequest,
      [...hotspot('GUEST1', 'AA:BB:CC:00:00:01'), ['User-Password', 'GUEST1']],
      SECRET,
    ).bytes;
    let replies = 0;
    for (let i = 0; i < 1500; i++) {
      const d = Buffer.from(valid);
      switch (i % 5) {
        case 0:
          d.writeUInt16BE(d.length + 1 + (i % 50), 2);
          break; // Length beyond the datagram
        case 1:
          d[20 + ((i * 7) % (d.length - 21))] = i % 2;
          break; // an attribute length of 0 or 1 somewhere
        case 2:
          d[0] = 200 + (i % 50);
          break; // unknown code
        case 3:
          d.writeUInt16BE(5000, 2);
          break;
        default:
          randomBytes(d.length).copy(d, 20);
      }
      const size = i % 5 === 4 ? d.length : i % 5 === 1 ? d.length : Math.max(1, d.length - (i % 3));
      if (i % 100 === 0) replies += (await client.sendRaw(d.subarray(0, size), auth, 50)) ? 1 : 0;
      else client.sendRaw(d.subarray(0, size), auth, 1).catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 300));
    // Garbage may still parse as a (rejected) Access-Request; what matters is no crash and no
    // reply to anything malformed: the server still answers a good request.
    const after = env.netflow.radiusStats();
    expect(after.dropped.malformed - before.dropped.malformed).toBeGreaterThan(500);
    const { reply } = await client.send(
      CODE.accessRequest,
      [...hotspot('NOONE', 'AA:BB:CC:00:00:01'), ['User-Password', 'x']],
      SECRET,
      auth,
    );
    expect(reply!.code).toBe(CODE.accessReject);
    expect(replies).toBeLessThanOrEqual(15);
  });

  it('a retransmitted request gets the byte-identical cached reply and one database decision', async () => {
    const { bytes } = client.request(
      CODE.accountingRequest,
      [...hotspot('ACCT1', 'AA:BB:CC:00:00:05'), ['Acct-Status-Type', 1], ['Acct-Session-Id', 'dup-1']],
      SECRET,
    );
    const first = await client.sendRaw(bytes, acct);
    const second = await client.sendRaw(bytes, acct);
    expect(first).not.toBeNull();
    expect(second!.equals(first!)).toBe(true);
    expect(env.netflow.radiusStats().duplicatesResent).toBeGreaterThanOrEqual(1);
    expect(await env.db.prisma.accountingRecord.count({ where: { acctSessionId: 'dup-1' } })).toBe(1);
  });

  it('accounting Start / Interim (Gigawords, Message-Authenticator) / Stop, stored before each response', async () => {
    const mac = 'AA:BB:CC:00:00:06';
    const login = await client.send(CODE.accessRequest, [...hotspot('ACCT1', mac), ['User-Password', 'ACCT1']], SECRET, auth);
    expect(login.reply!.code).toBe(CODE.accessAccept);
    const cls = attr(login.reply!, ATTR.class)!;
    const base: [string, string | number | Buffer][] = [
      ...hotspot('ACCT1', mac),
      ['Acct-Session-Id', '80f00003'],
      ['Framed-IP-Address', '10.5.50.253'],
      ['Class', cls],
    ];
    const start = await client.send(
      CODE.accountingRequest,
      [...base, ['Acct-Status-Type', 1], ['Acct-Delay-Time', 0]],
      SECRET,
      acct,
      false,
    );
    expect(start.reply!.code).toBe(CODE.accountingResponse);
    expect(verifyResponse(start.raw!, start.request.subarray(4, 20), SECRET)).toBe('valid');
    const interim = await client.send(
      CODE.accountingRequest,
      [
        ...base,
        ['Acct-Status-Type', 3],
        ['Acct-Session-Time', 300],
        ['Acct-Input-Octets', 5],
        ['Acct-Input-Gigawords', 2],
        ['Acct-Output-Octets', 1000],
        ['Acct-Output-Gigawords', 0],
      ],
      SECRET,
      acct,
      true,
    );
    expect(interim.reply!.code).toBe(CODE.accountingResponse);
    const s = await env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: '80f00003' } });
    expect([s.bytesUp, s.bytesDown, s.status, s.framedIp]).toEqual([8589934597n, 1000n, 'open', '10.5.50.253']);
    const stop = await client.send(
      CODE.accountingRequest,
      [
        ...base,
        ['Acct-Status-Type', 2],
        ['Acct-Session-Time', 600],
        ['Acct-Terminate-Cause', 1],
        ['Acct-Input-Octets', 9],
        ['Acct-Input-Gigawords', 2],
      ],
      SECRET,
      acct,
    );
    expect(stop.reply!.code).toBe(CODE.accountingResponse);
    const closed = await env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: '80f00003' } });
    expect([closed.status, closed.terminateCause, closed.bytesUp]).toEqual(['closed', 'User-Request', 8589934601n]);
    const record = await env.db.prisma.accountingRecord.findFirstOrThrow({ where: { acctSessionId: '80f00003', statusType: 3 } });
    const stored = decodeStoredAttributes(Buffer.from(record.attributesRaw!));
    expect([stored['Acct-Status-Type'], stored['Acct-Input-Gigawords'], stored['Acct-Session-Id']]).toEqual([
      'Interim-Update',
      2,
      '80f00003',
    ]);
  });

  it('MAC authentication with the blank password RouterOS sends', async () => {
    const mac = 'AA:BB:CC:00:00:01'; // logged in with GUEST1 above
    const { reply } = await client.send(CODE.accessRequest, [...hotspot('aa-bb-cc-00-00-01', mac), ['User-Password', '']], SECRET, auth);
    expect(reply!.code).toBe(CODE.accessAccept);
  });
});
