// The portal's in-browser MD5 (web/shared/md5.ts) against RFC 1321's test suite, Node's own MD5 on
// every length around the padding boundaries, and the http-chap response the nas-sim router (and
// RouterOS's md5.js) expects.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chapResponse, md5, toHex } from '../../web/shared/md5.js';
import { browserChapResponse, newChapChallenge } from '../../tools/nas-sim/chap.js';

const hex = (s: string) => toHex(md5(new TextEncoder().encode(s)));

describe('md5', () => {
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ])('RFC 1321: md5(%j)', (input, digest) => {
    expect(hex(input)).toBe(digest);
  });

  it('matches Node on every length from 0 to 200 bytes (all padding cases)', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = randomBytes(n);
      expect(toHex(md5(bytes))).toBe(createHash('md5').update(bytes).digest('hex'));
    }
  });

  it('the http-chap response: MD5(chap-id + password + challenge), as the router checks it', () => {
    for (let i = 0; i < 20; i++) {
      const c = newChapChallenge();
      const response = chapResponse(Buffer.from([c.id]).toString('hex'), `CODE${i}X`, c.challenge.toString('hex'));
      expect(response).toBe(browserChapResponse(c, `CODE${i}X`));
    }
  });
});
