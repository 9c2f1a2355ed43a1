// MD5 (RFC 1321), for the hotspot's http-chap login in the browser: the router expects
// hex MD5(chap-id byte + password + 16 challenge bytes), as MikroTik's own md5.js computes it.
// Not for anything else (MD5 is broken as a general hash; here the router chose it). Small on
// purpose: the portal's whole budget is 50 KB gzipped. Tested against RFC 1321's vectors.

const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

export function md5(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  // Padding: 0x80, zeros to 56 mod 64, then the bit length (little-endian, 64 bits).
  const total = (((n + 8) >>> 6) + 1) << 6;
  const buf = new Uint8Array(total);
  buf.set(bytes);
  buf[n] = 0x80;
  const view = new DataView(buf.buffer);
  view.setUint32(total - 8, (n * 8) >>> 0, true);
  view.setUint32(total - 4, Math.floor(n / 0x20000000), true);

  let a0 = 0x67452301;
  let b0 = 0xefcdab89;
  let c0 = 0x98badcfe;
  let d0 = 0x10325476;
  const m = new Uint32Array(16);
  for (let off = 0; off < total; off += 64) {
    for (let j = 0; j < 16; j++) m[j] = view.getUint32(off + j * 4, true);
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      const round = i >>> 4;
      let f: number;
      let g: number;
      if (round === 0) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (round === 1) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (round === 2) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = S[(round << 2) | (i & 3)];
      const x = (a + f + K[i] + m[g]) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  const out = new Uint8Array(16);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, a0 >>> 0, true);
  ov.setUint32(4, b0 >>> 0, true);
  ov.setUint32(8, c0 >>> 0, true);
  ov.setUint32(12, d0 >>> 0, true);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * The hotspot form's `password` for http-chap: hex MD5(chap-id + password + chap-challenge), the
 * chap values given as hex (the portal's chapId / chapChallenge). The password is UTF-8 (codes are
 * ASCII, where this is what md5.js's one-char-per-byte strings give).
 */
export function chapResponse(chapIdHex: string, password: string, chapChallengeHex: string): string {
  const id = fromHex(chapIdHex);
  const secret = new TextEncoder().encode(password);
  const challenge = fromHex(chapChallengeHex);
  const all = new Uint8Array(id.length + secret.length + challenge.length);
  all.set(id, 0);
  all.set(secret, id.length);
  all.set(challenge, id.length + secret.length);
  return toHex(md5(all));
}
