// Our MD5 and HMAC-MD5 against node:crypto's, over every input length a RADIUS packet can have.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacMd5, md5 } from '../../src/radius/md5.js';

describe('md5', () => {
  it('equals node:crypto for every length from 0 to 4200 octets, and for several parts', () => {
    for (let n = 0; n <= 4200; n += n < 300 ? 1 : 97) {
      const data = randomBytes(n);
      expect(md5(data).toString('hex'), `length ${n}`).toBe(createHash('md5').update(data).digest('hex'));
    }
    const a = randomBytes(20),
      b = randomBytes(133);
    expect(md5(a, 'sécret', b)).toEqual(createHash('md5').update(a).update('sécret').update(b).digest());
  });

  it('HMAC-MD5 equals node:crypto for short, block-sized and long (hashed) secrets', () => {
    for (const secret of ['s', 'testing123', 'x'.repeat(64), 'y'.repeat(65), 'ünïcode-secret-' + 'z'.repeat(80)]) {
      for (const n of [0, 1, 20, 55, 56, 64, 119, 180, 4096]) {
        const data = randomBytes(n);
        const ours = hmacMd5(secret, n, (into) => data.copy(into));
        expect(ours.toString('hex'), `secret ${secret.length}, length ${n}`).toBe(createHmac('md5', secret).update(data).digest('hex'));
      }
    }
  });
});
