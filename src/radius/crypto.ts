// The RADIUS cryptography we own rather than trust to the codec: authenticators (RFC 2865 §3,
// RFC 2866 §3, RFC 5176 §3.4), Message-Authenticator (RFC 3579 §3.2), PAP hiding (RFC 2865 §5.2)
// and CHAP (RFC 2865 §5.3). All on raw bytes.
import { timingSafeEqual } from 'node:crypto';
import { ATTR, hasSignedRequestAuthenticator } from './codes.js';
import { hmacMd5, md5 } from './md5.js';
import type { RadiusPacket } from './packet.js';

const ZERO16 = Buffer.alloc(16);

/** Equal in constant time (for authenticators). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** MD5(code+id+length + 16 zero octets + attributes + secret): Accounting/CoA/Disconnect requests. */
export function signedRequestAuthenticator(bytes: Buffer, secret: string): Buffer {
  return md5(bytes.subarray(0, 4), ZERO16, bytes.subarray(20), secret);
}

/** MD5(code+id+length + request authenticator + attributes + secret): every response. */
export function responseAuthenticator(bytes: Buffer, requestAuthenticator: Buffer, secret: string): Buffer {
  return md5(bytes.subarray(0, 4), requestAuthenticator, bytes.subarray(20), secret);
}

/**
 * HMAC-MD5 over the packet with the Message-Authenticator value zeroed. The authenticator field
 * holds the request authenticator for Access-Request and every response, but zeros for
 * Accounting/CoA/Disconnect requests (RFC 5176 §3.4; the `radius` package gets that one wrong).
 */
export function messageAuthenticator(bytes: Buffer, maOffset: number, secret: string, authenticator: Buffer): Buffer {
  return hmacMd5(secret, bytes.length, (copy) => {
    bytes.copy(copy, 0);
    authenticator.copy(copy, 4);
    copy.fill(0, maOffset + 2, maOffset + 18);
  });
}

export type MessageAuthenticatorCheck = 'absent' | 'valid' | 'invalid';

export function checkMessageAuthenticator(p: RadiusPacket, secret: string): MessageAuthenticatorCheck {
  const ma = p.attributes.find((a) => a.type === ATTR.messageAuthenticator);
  if (!ma) return 'absent';
  if (ma.value.length !== 16) return 'invalid';
  const auth = hasSignedRequestAuthenticator(p.code) ? ZERO16 : p.authenticator;
  return sameBytes(messageAuthenticator(p.bytes, ma.offset, secret, auth), ma.value) ? 'valid' : 'invalid';
}

export function signedRequestAuthenticatorValid(p: RadiusPacket, secret: string): boolean {
  return sameBytes(signedRequestAuthenticator(p.bytes, secret), p.authenticator);
}

/** User-Password: 16..128 octets in 16-octet blocks, each XORed with MD5(secret + previous cipher block). */
export function decryptUserPassword(hidden: Buffer, secret: string, requestAuthenticator: Buffer): string | null {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) return null;
  const out = Buffer.alloc(hidden.length);
  let previous = requestAuthenticator;
  for (let i = 0; i < hidden.length; i += 16) {
    const key = md5(secret, previous);
    for (let j = 0; j < 16; j++) out[i + j] = hidden[i + j] ^ key[j];
    previous = hidden.subarray(i, i + 16);
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end).toString('utf8');
}

export function hideUserPassword(password: string, secret: string, requestAuthenticator: Buffer): Buffer {
  const plain = Buffer.from(password, 'utf8');
  if (plain.length > 128) throw new RangeError('User-Password longer than 128 octets');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(plain.length / 16) * 16));
  plain.copy(padded);
  let previous = requestAuthenticator;
  for (let i = 0; i < padded.length; i += 16) {
    const key = md5(secret, previous);
    for (let j = 0; j < 16; j++) padded[i + j] ^= key[j];
    previous = padded.subarray(i, i + 16);
  }
  return padded;
}

/** CHAP-Password = ident (1 octet) + MD5(ident + password + challenge). */
export function chapResponse(ident: number, password: string, challenge: Buffer): Buffer {
  const id = Buffer.from([ident]);
  return Buffer.concat([id, md5(id, Buffer.from(password, 'utf8'), challenge)]);
}

export function verifyChap(chapPassword: Buffer, challenge: Buffer, password: string): boolean {
  if (chapPassword.length !== 17) return false;
  return sameBytes(chapResponse(chapPassword[0], password, challenge), chapPassword);
}
