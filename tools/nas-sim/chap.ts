// RouterOS hotspot http-chap, both halves. The router puts a random chap-id (1 octet) and
// chap-challenge (16 octets) into the login page as octal-escaped JavaScript strings; the
// page's md5.js posts password = hexMD5(chap-id + password + chap-challenge). The router never
// sees the password: it sends CHAP-Password = chap-id ‖ MD5 (from the hex) and the
// CHAP-Challenge to RADIUS (RFC 2865 §5.3, §5.40; checklist item 9), which is exactly what
// the server checks with the cleartext it stores.
import { randomBytes } from 'node:crypto';
import { chapResponse } from '../../src/radius/crypto.js';

export interface ChapChallenge {
  id: number;
  challenge: Buffer;
}

export function newChapChallenge(): ChapChallenge {
  return { id: randomBytes(1)[0], challenge: randomBytes(16) };
}

/** What the browser posts as `password` after the login page's hexMD5. */
export function browserChapResponse(c: ChapChallenge, password: string): string {
  return chapResponse(c.id, password, c.challenge).subarray(1).toString('hex');
}

/** The router side: the posted hex response becomes CHAP-Password; null if it is not 32 hex digits. */
export function chapPasswordFromPost(c: ChapChallenge, hexResponse: string): Buffer | null {
  if (!/^[0-9a-fA-F]{32}$/.test(hexResponse)) return null;
  return Buffer.concat([Buffer.from([c.id]), Buffer.from(hexResponse, 'hex')]);
}

/** `\357\022…`: how RouterOS substitutes $(chap-id) / $(chap-challenge) into its templates. */
export function octalEscape(bytes: Buffer): string {
  return [...bytes].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('');
}
