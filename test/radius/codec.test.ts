// Codec and crypto vectors. The hex packets were captured from FreeRADIUS's radclient 3.2.1
// (Debian freeradius-utils, secret "testing123"), an independent implementation.
import { describe, expect, it } from 'vitest';
import { ATTR, CODE } from '../../src/radius/codes.js';
import { checkMessageAuthenticator, decryptUserPassword, hideUserPassword, verifyChap } from '../../src/radius/crypto.js';
import { ensureDictionaries } from '../../src/radius/dictionary.js';
import { encodeAttributes, encodeRequest, encodeResponse, type Attribute, verifyResponse } from '../../src/radius/encode.js';
import { attr, integerAttr, MalformedPacket, parsePacket, stringAttr } from '../../src/radius/packet.js';
import { isRandomMac, isValidRateLimit, normalizeMac, octets64, splitOctets64 } from '../../src/radius/values.js';
import { verifyRequest } from '../../src/radius/verify.js';

const SECRET = 'testing123';
const RADCLIENT = {
  papWithMa:
    '0160006892a6db6f6ae0c3242a0bbe07b656e57f0107616c6963650222e8b54a49999bed2863570126e09f66b64f642ca819817ca1630324bd1c0ec4761f1333303a33393a32363a38363a43433a454104067f00000150128625bdc52df40a5d9c302ecc275c06d3',
  chapWithChallenge:
    '01870044e775a89fb009b4b42d42a456e2ae51860105626f620313bb738d280168b9e081728393aab00e8fa53c12acfb2a3b05aa9352faf8518b0c6b494404067f000001',
  acctInterimWithMa:
    '04c10049d44c3fafb67878a889a72e58b8a6d7ff2c0a38306630303030330107616c6963652806000000032a06000000053406000000025012135f7f0ef7a025aa3a0dec14a917255e',
  disconnectWithMa:
    '28c5003d4d9195b6023f5ac56fd7d0d9d05871290107616c6963652c0a383066303030303308060a0532fd5012bc9867a63f74fc6daf71d375869a571d',
};
const packet = (hex: string) => parsePacket(Buffer.from(hex, 'hex'));

describe('radclient vectors', () => {
  it('PAP: Message-Authenticator verifies and the 30-character password decrypts (chained blocks)', () => {
    const p = packet(RADCLIENT.papWithMa);
    expect(verifyRequest(p, SECRET, true)).toBe('ok');
    expect(verifyRequest(p, 'wrong', false)).toBe('bad_message_authenticator');
    expect(decryptUserPassword(attr(p, ATTR.userPassword)!, SECRET, p.authenticator)).toBe('abcdefghijklmnopqrstuvwxyz0123');
  });

  it('CHAP with CHAP-Challenge verifies against the cleartext', () => {
    const p = packet(RADCLIENT.chapWithChallenge);
    expect(verifyChap(attr(p, ATTR.chapPassword)!, attr(p, ATTR.chapChallenge)!, 'secretpass')).toBe(true);
    expect(verifyChap(attr(p, ATTR.chapPassword)!, attr(p, ATTR.chapChallenge)!, 'secretpasS')).toBe(false);
    expect(verifyRequest(p, SECRET, true)).toBe('missing_message_authenticator');
  });

  it('Accounting-Request and Disconnect-Request: MA over a zeroed authenticator, MD5 authenticator over the MA', () => {
    for (const hex of [RADCLIENT.acctInterimWithMa, RADCLIENT.disconnectWithMa]) {
      const p = packet(hex);
      expect(checkMessageAuthenticator(p, SECRET)).toBe('valid');
      expect(verifyRequest(p, SECRET, false)).toBe('ok');
      expect(verifyRequest(p, 'wrong', false)).toBe('bad_authenticator');
    }
    const p = packet(RADCLIENT.acctInterimWithMa);
    expect(octets64(integerAttr(p, ATTR.acctInputOctets), integerAttr(p, ATTR.acctInputGigawords))).toBe(8589934597n);
  });

  it('our own Disconnect-Request is byte-for-byte what radclient sends for the same content', () => {
    const theirs = Buffer.from(RADCLIENT.disconnectWithMa, 'hex');
    const ours = encodeRequest({
      code: CODE.disconnectRequest,
      identifier: theirs[1],
      secret: SECRET,
      attributes: [
        ['User-Name', 'alice'],
        ['Acct-Session-Id', '80f00003'],
        ['Framed-IP-Address', '10.5.50.253'],
      ],
      messageAuthenticator: true,
    });
    // radclient puts Message-Authenticator last; ours is first. Both must verify, same attributes.
    expect(verifyRequest(parsePacket(ours), SECRET, false)).toBe('ok');
    expect(
      parsePacket(ours)
        .attributes.map((a) => a.type)
        .sort(),
    ).toEqual(
      parsePacket(theirs)
        .attributes.map((a) => a.type)
        .sort(),
    );
  });
});

describe('crypto and framing', () => {
  it('PAP round-trips 1..128 characters, and refuses bad lengths', () => {
    const auth = Buffer.alloc(16, 7);
    for (const n of [1, 15, 16, 17, 31, 32, 33, 128]) {
      const pw = 'p'.repeat(n);
      const hidden = hideUserPassword(pw, SECRET, auth);
      expect(hidden.length % 16).toBe(0);
      expect(decryptUserPassword(hidden, SECRET, auth)).toBe(pw);
    }
    expect(decryptUserPassword(Buffer.alloc(15), SECRET, auth)).toBeNull();
    expect(decryptUserPassword(Buffer.alloc(144), SECRET, auth)).toBeNull();
  });

  it('responses: Message-Authenticator first, Proxy-State echoed, authenticators verify', () => {
    const req = parsePacket(
      encodeRequest({
        code: CODE.accessRequest,
        identifier: 5,
        secret: SECRET,
        attributes: [
          ['User-Name', 'u'],
          ['Proxy-State', Buffer.from('a')],
          ['Proxy-State', Buffer.from('b')],
        ],
      }),
    );
    const bytes = encodeResponse({
      request: req,
      code: CODE.accessAccept,
      secret: SECRET,
      attributes: [
        ['Session-Timeout', 60],
        ['Mikrotik-Rate-Limit', '2M/5M'],
      ],
    });
    const reply = parsePacket(bytes);
    expect(reply.identifier).toBe(5);
    expect(reply.attributes.map((a) => a.type)).toEqual([
      ATTR.messageAuthenticator,
      27,
      ATTR.vendorSpecific,
      ATTR.proxyState,
      ATTR.proxyState,
    ]);
    expect(verifyResponse(bytes, req.authenticator, SECRET)).toBe('valid');
    expect(verifyResponse(bytes, req.authenticator, 'wrong')).toBe('bad_authenticator');
  });

  it('attribute values are encoded as the radius codec encodes them, for every type our replies and requests use', () => {
    const attributes: Attribute[] = [
      ['User-Name', 'alice ü'],
      ['Session-Timeout', 3600],
      ['Idle-Timeout', 0],
      ['Acct-Interim-Interval', 4294967295],
      ['Framed-IP-Address', '10.5.50.253'],
      ['NAS-IP-Address', '0.0.0.0'],
      ['Class', Buffer.from('nf:42')],
      ['Acct-Status-Type', 'Interim-Update'],
      ['Service-Type', 'Login-User'],
      ['Event-Timestamp', new Date(1_790_000_300_500)],
      ['Reply-Message', 'x'.repeat(253)],
      ['Mikrotik-Rate-Limit', '2M/5M'],
      ['Mikrotik-Total-Limit', 123456789],
      ['Mikrotik-Total-Limit-Gigawords', 2],
      ['WISPr-Bandwidth-Max-Down', 5_000_000],
      ['Proxy-State', Buffer.from([0, 1, 2])],
      ['Reply-Message', ''], // empty strings are left out by both
    ];
    const reference = Buffer.alloc(4096);
    const codec = ensureDictionaries();
    const list = attributes.map(([name, value]) => {
      const vendor = [14988, 14122].find((v) => codec.attr_name_to_id(name) === undefined && codec.attr_name_to_id(name, v) !== undefined);
      return vendor === undefined ? [name, value] : ['Vendor-Specific', vendor, [[name, value]]];
    }) as Parameters<typeof codec.encode_attributes>[1];
    const length = codec.encode_attributes(reference, list, -1);
    expect(encodeAttributes(attributes).toString('hex')).toBe(reference.subarray(0, length).toString('hex'));
  });

  it('refuses values that cannot be encoded instead of writing a wrong length', () => {
    expect(() => encodeAttributes([['Reply-Message', 'x'.repeat(254)]])).toThrow(RangeError);
    expect(() => encodeAttributes([['Class', Buffer.alloc(254)]])).toThrow(RangeError);
    expect(() => encodeAttributes([['Session-Timeout', -1]])).toThrow(RangeError);
    expect(() => encodeAttributes([['Session-Timeout', 'soon']])).toThrow(RangeError);
    expect(() => encodeAttributes([['Session-Timeout', '']])).toThrow(RangeError);
    expect(() => encodeAttributes([['Session-Timeout', '0x10']])).toThrow(RangeError);
    expect(
      encodeAttributes([
        ['Session-Timeout', '16'],
        ['Class', Buffer.alloc(0)],
      ]).toString('hex'),
    ).toBe('1b0600000010');
    expect(() => encodeAttributes([['Acct-Status-Type', 'toString']])).toThrow(RangeError);
    // A vendor attribute's value has 247 octets at most: 255 less the Vendor-Specific header.
    expect(encodeAttributes([['Mikrotik-Rate-Limit', 'r'.repeat(247)]]).length).toBe(255);
    expect(() => encodeAttributes([['Mikrotik-Rate-Limit', 'r'.repeat(248)]])).toThrow(RangeError);
    expect(() => encodeAttributes([['Framed-IP-Address', '10.0.0.256']])).toThrow(/IPv4/);
    expect(() => encodeAttributes([['User-Password', 'plain']])).toThrow(/hidden/);
    expect(() => encodeAttributes([['No-Such-Attribute', 1]])).toThrow(/unknown RADIUS attribute/);
    const many: Attribute[] = Array.from({ length: 20 }, () => ['Reply-Message', 'y'.repeat(253)]);
    expect(() =>
      encodeResponse({
        request: parsePacket(encodeRequest({ code: CODE.accessRequest, identifier: 1, secret: SECRET, attributes: [] })),
        code: CODE.accessReject,
        secret: SECRET,
        attributes: many,
      }),
    ).toThrow(/4096/);
  });

  it('rejects malformed framing', () => {
    const good = encodeRequest({ code: CODE.accessRequest, identifier: 1, secret: SECRET, attributes: [['User-Name', 'abc']] });
    const bad = (mutate: (b: Buffer) => Buffer) => () => parsePacket(mutate(Buffer.from(good)));
    expect(bad((b) => b.subarray(0, 19))).toThrow(MalformedPacket);
    expect(bad((b) => (b.writeUInt16BE(b.length + 1, 2), b))).toThrow(MalformedPacket);
    expect(bad((b) => ((b[21] = 1), b))).toThrow(MalformedPacket);
    expect(bad((b) => ((b[21] = 60), b))).toThrow(MalformedPacket);
    expect(bad((b) => ((b[0] = 99), b))).toThrow(MalformedPacket);
    // Octets beyond Length are padding and ignored.
    expect(stringAttr(parsePacket(Buffer.concat([good, Buffer.alloc(5)])), ATTR.userName)).toBe('abc');
  });
});

describe('values', () => {
  it('Gigawords both ways: 5 GiB = Total-Limit 1073741824 + Gigawords 1', () => {
    expect(octets64(5, 2)).toBe(8589934597n);
    expect(splitOctets64(5n * 1024n ** 3n)).toEqual({ low: 1073741824, gigawords: 1 });
  });

  it('normalises every RouterOS radius-mac-format', () => {
    for (const f of [
      'aa:bb:cc:dd:ee:ff',
      'AABB:CCDD:EEFF',
      'AABBCC:DDEEFF',
      'AA-BB-CC-DD-EE-FF',
      'AABBCC-DDEEFF',
      'aabbccddeeff',
      'AA BB CC DD EE FF',
    ]) {
      expect(normalizeMac(f)).toBe('AA:BB:CC:DD:EE:FF');
    }
    for (const f of ['alice', 'AA:BB:CC:DD:EE', 'GG:BB:CC:DD:EE:FF', '', 'AABBCCDDEEFF00']) expect(normalizeMac(f)).toBeNull();
    expect(isRandomMac('32:8C:27:26:72:34')).toBe(true);
    expect(isRandomMac('30:8C:27:26:72:34')).toBe(false);
  });

  it('validates Mikrotik-Rate-Limit with the documented examples', () => {
    for (const ok of ['128k', '64k/128M', '64k 256k', '64k/64k 256k/256k 128k/128k 10/10', '2M/5M', '1M/2M 2M/4M 1M/2M 8/8 5 512k/1M'])
      expect(isValidRateLimit(ok)).toBe(true);
    for (const bad of ['', 'fast', '2M/', '1M/2M 2M/4M 1M/2M 8/8 9', '2G', '1M 1M 1M 1M/x', '1'.repeat(200) + 'M'])
      expect(isValidRateLimit(bad)).toBe(false);
  });
});
