// Building packets: responses with Message-Authenticator first (BlastRADIUS, CVE-2024-3596) and
// Proxy-State echoed, and requests (Access, Accounting, CoA, Disconnect) signed correctly.
// Attribute values are encoded by the `radius` codec from our dictionaries; we own the framing.
import { randomBytes } from 'node:crypto';
import { ensureDictionaries } from './dictionary.js';
import { ATTR, CODE, hasSignedRequestAuthenticator } from './codes.js';
import { hideUserPassword, messageAuthenticator, responseAuthenticator, sameBytes, signedRequestAuthenticator } from './crypto.js';
import { allAttrs, MAX_LENGTH, parsePacket, type RadiusPacket } from './packet.js';

export type AttributeValue = string | number | Buffer | Date;
export type Attribute = [name: string, value: AttributeValue];

const NO_VENDOR = -1;
const VENDORS = [14988, 14122];
const vendorOf = new Map<string, number | null>();
const ZERO16 = Buffer.alloc(16);
const MA_PLACEHOLDER = Buffer.from([ATTR.messageAuthenticator, 18, ...ZERO16]);

function vendorFor(name: string): number | null {
  let v = vendorOf.get(name);
  if (v === undefined) {
    const codec = ensureDictionaries();
    if (codec.attr_name_to_id(name) !== undefined) v = null;
    else {
      const found = VENDORS.find((id) => codec.attr_name_to_id(name, id) !== undefined);
      if (found === undefined) throw new Error(`unknown RADIUS attribute ${name}`);
      v = found;
    }
    vendorOf.set(name, v);
  }
  return v;
}

// The codec writes into this and the octets are copied out at once, instead of a fresh 4 KB
// buffer (too big for Node's small-buffer pool) per reply.
const scratch = Buffer.alloc(MAX_LENGTH);
const NO_ATTRIBUTES = Buffer.alloc(0);

/** TLV bytes for the attributes, in order; one Vendor-Specific per vendor attribute (RFC 2865 §5.26). */
export function encodeAttributes(attributes: Attribute[]): Buffer {
  if (attributes.length === 0) return NO_ATTRIBUTES; // e.g. every Accounting-Response
  const codec = ensureDictionaries();
  const list: Parameters<typeof codec.encode_attributes>[1] = attributes.map(([name, value]) => {
    const vendor = vendorFor(name);
    return vendor === null ? [name, value] : ['Vendor-Specific', vendor, [[name, value]]];
  });
  const length = codec.encode_attributes(scratch, list, NO_VENDOR);
  return Buffer.from(scratch.subarray(0, length));
}

function frame(code: number, identifier: number, authenticator: Buffer, parts: Buffer[]): Buffer {
  const packet = Buffer.concat([Buffer.alloc(20), ...parts]);
  if (packet.length > MAX_LENGTH) throw new RangeError(`RADIUS packet of ${packet.length} octets exceeds 4096`);
  packet[0] = code;
  packet[1] = identifier;
  packet.writeUInt16BE(packet.length, 2);
  authenticator.copy(packet, 4);
  return packet;
}

const ALWAYS_SIGNED = new Set<number>([CODE.accessAccept, CODE.accessReject, CODE.accessChallenge]);

/**
 * The authenticator field's content while a response's Message-Authenticator is computed: the
 * request's authenticator, except in an Accounting-Response, where FreeRADIUS (and so radclient
 * and every NAS built on its libraries) signs over 16 zero octets as for Accounting-Requests.
 */
function maAuthenticatorForResponse(code: number, requestAuthenticator: Buffer): Buffer {
  return code === CODE.accountingResponse ? ZERO16 : requestAuthenticator;
}

export interface ResponseSpec {
  request: RadiusPacket;
  code: number;
  attributes: Attribute[];
  secret: string;
}

export function encodeResponse({ request, code, attributes, secret }: ResponseSpec): Buffer {
  const withMa = ALWAYS_SIGNED.has(code) || request.attributes.some((a) => a.type === ATTR.messageAuthenticator);
  const proxyStates = allAttrs(request, ATTR.proxyState).map((v) => Buffer.concat([Buffer.from([ATTR.proxyState, v.length + 2]), v]));
  const parts = [...(withMa ? [MA_PLACEHOLDER] : []), encodeAttributes(attributes), ...proxyStates];
  const packet = frame(code, request.identifier, request.authenticator, parts);
  if (withMa) messageAuthenticator(packet, 20, secret, maAuthenticatorForResponse(code, request.authenticator)).copy(packet, 22);
  responseAuthenticator(packet, request.authenticator, secret).copy(packet, 4);
  return packet;
}

export interface RequestSpec {
  code: number;
  identifier: number;
  attributes: Attribute[];
  secret: string;
  /** Put Message-Authenticator first (always true for CoA/Disconnect we send). */
  messageAuthenticator?: boolean;
  /** Access-Request only; random when omitted. */
  authenticator?: Buffer;
}

/** A request as a NAS (or our CoA client) sends it. A plaintext User-Password is hidden here. */
export function encodeRequest(spec: RequestSpec): Buffer {
  const signed = hasSignedRequestAuthenticator(spec.code);
  const authenticator = signed ? ZERO16 : (spec.authenticator ?? randomBytes(16));
  const attributes: Attribute[] = spec.attributes.map(([name, value]) =>
    name === 'User-Password' && typeof value === 'string' ? [name, hideUserPassword(value, spec.secret, authenticator)] : [name, value],
  );
  const parts = [...(spec.messageAuthenticator ? [MA_PLACEHOLDER] : []), encodeAttributes(attributes)];
  const packet = frame(spec.code, spec.identifier, authenticator, parts);
  // Message-Authenticator first (over the zeroed authenticator when signed), then the MD5
  // Request Authenticator over the packet that includes it (RFC 5176 §3.4).
  if (spec.messageAuthenticator) messageAuthenticator(packet, 20, spec.secret, authenticator).copy(packet, 22);
  if (signed) signedRequestAuthenticator(packet, spec.secret).copy(packet, 4);
  return packet;
}

export type ResponseCheck = 'valid' | 'bad_authenticator' | 'bad_message_authenticator' | 'malformed';

/** Checks a response to a request we sent: Response Authenticator and, if present, Message-Authenticator. */
export function verifyResponse(bytes: Buffer, requestAuthenticator: Buffer, secret: string): ResponseCheck {
  let packet: RadiusPacket;
  try {
    packet = parsePacket(bytes);
  } catch {
    return 'malformed';
  }
  if (!sameBytes(responseAuthenticator(packet.bytes, requestAuthenticator, secret), packet.authenticator)) return 'bad_authenticator';
  const ma = packet.attributes.find((a) => a.type === ATTR.messageAuthenticator);
  const maAuthenticator = maAuthenticatorForResponse(packet.code, requestAuthenticator);
  if (ma && (ma.value.length !== 16 || !sameBytes(messageAuthenticator(packet.bytes, ma.offset, secret, maAuthenticator), ma.value))) {
    return 'bad_message_authenticator';
  }
  return 'valid';
}
