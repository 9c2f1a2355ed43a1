// MD5 (RFC 1321) for the small inputs RADIUS hashes: every packet is signed or checked with it
// two to four times. node:crypto costs 2–5 µs per digest here, most of it creating the native hash
// object, against ~0.4 µs per 64-octet block in plain JavaScript; measured, that made the
// authenticators a tenth of the server's CPU. Tested against node:crypto (test/radius/md5.test.ts).

const T = new Int32Array(64);
for (let i = 0; i < 64; i++) T[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;
const SHIFT = new Uint8Array([7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]);
const X = new Int32Array(16);

/** Room md5Of needs after the input for its padding. */
const MD5_PADDING = 72;

/**
 * The digest of buf[0, length). Pads in place: buf must hold length + MD5_PADDING octets, and the
 * octets after the input are overwritten.
 */
function md5Of(buf: Buffer, length: number): Buffer {
  const total = (((length + 8) >>> 6) + 1) << 6;
  if (buf.length < total) throw new RangeError('md5Of: no room for the padding');
  buf[length] = 0x80;
  buf.fill(0, length + 1, total - 8);
  buf.writeUInt32LE((length * 8) >>> 0, total - 8);
  buf.writeUInt32LE(Math.floor(length / 0x20000000), total - 4);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let block = 0; block < total; block += 64) {
    for (let i = 0; i < 16; i++) {
      const o = block + 4 * i;
      X[i] = buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = SHIFT[((i >> 4) << 2) | (i & 3)];
      const x = (a + f + T[i] + X[g]) | 0;
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
  const digest = Buffer.allocUnsafe(16);
  digest.writeInt32LE(a0, 0);
  digest.writeInt32LE(b0, 4);
  digest.writeInt32LE(c0, 8);
  digest.writeInt32LE(d0, 12);
  return digest;
}

// Inputs are assembled here (the code is synchronous: one digest at a time), so hashing allocates
// nothing but the digest.
const shared = Buffer.alloc(4096 + 64 + 256 + MD5_PADDING);

/** A buffer with room for `length` octets of input and the padding: the shared one when it fits. */
function md5Workspace(length: number): Buffer {
  return length + MD5_PADDING <= shared.length ? shared : Buffer.alloc(length + MD5_PADDING);
}

/** MD5 of the parts one after the other (strings as UTF-8). */
export function md5(...parts: (Buffer | string)[]): Buffer {
  let length = 0;
  for (const p of parts) length += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
  const buf = md5Workspace(length);
  let at = 0;
  for (const p of parts) at += typeof p === 'string' ? buf.write(p, at) : p.copy(buf, at);
  return md5Of(buf, length);
}

const HMAC_BLOCK = 64;
const pads = new Map<string, { inner: Buffer; outer: Buffer }>();

/** RFC 2104's key pads for a secret (a key longer than the block is hashed first), cached per secret. */
function hmacPads(secret: string): { inner: Buffer; outer: Buffer } {
  let p = pads.get(secret);
  if (!p) {
    let key: Buffer = Buffer.from(secret, 'utf8');
    if (key.length > HMAC_BLOCK) key = md5(key);
    const inner = Buffer.alloc(HMAC_BLOCK, 0x36);
    const outer = Buffer.alloc(HMAC_BLOCK, 0x5c);
    for (let i = 0; i < key.length; i++) {
      inner[i] ^= key[i];
      outer[i] ^= key[i];
    }
    if (pads.size >= 1024) pads.clear(); // secrets are per router: a bound, not an eviction policy
    p = { inner, outer };
    pads.set(secret, p);
  }
  return p;
}

/**
 * HMAC-MD5 (RFC 2104) of a message the caller writes into the workspace it is given, at offset 0,
 * `length` octets long. The workspace is the shared one: `write` must only copy, never hash.
 */
export function hmacMd5(secret: string, length: number, write: (into: Buffer) => void): Buffer {
  const { inner, outer } = hmacPads(secret);
  const buf = md5Workspace(HMAC_BLOCK + length);
  write(buf.subarray(HMAC_BLOCK));
  inner.copy(buf, 0);
  const innerDigest = md5Of(buf, HMAC_BLOCK + length);
  outer.copy(buf, 0);
  innerDigest.copy(buf, HMAC_BLOCK);
  return md5Of(buf, HMAC_BLOCK + 16);
}
