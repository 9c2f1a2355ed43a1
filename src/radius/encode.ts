// Building packets: responses with Message-Authenticator first (BlastRADIUS, CVE-2024-3596) and
// Proxy-State echoed, and requests (Access, Accounting, CoA, Disconnect) signed correctly.
// Attribute names and types come from our dictionaries as the `radius` codec loaded them; values
// and framing are written here, straight into one buffer.
import { randomBytes } from 'node:crypto';
import { ensureDictionaries } from './dictionary.js';
import { ATTR, CODE, hasSignedRequestAuthenticator } from './codes.js';
import { hideUserPassword, messageAuthenticator, responseAuthenticator, sameBytes, signedRequestAuthenticator } from './crypto.js';
import { MAX_LENGTH, parsePacket, type RadiusPacket } from './packet.js';

export type AttributeValue = string | number | Buffer | Date;
export type Attribute = [name: string, value: AttributeValue];

const VENDORS = [14988, 14122];
const ZERO16 = Buffer.alloc(16);
/** Longest value of an attribute (255 less type and length), and of a vendor one (less 6 more). */
const MAX_VALUE = 253;
const MAX_VENDOR_VALUE = 247;

/** What the dictionaries say about an attribute name: where it lives and how its value is written. */
interface AttributeDefinition {
  name: string;
  vendor: number | null;
  id: number;
  type: string;
  /** Enumerated value names (e.g. Acct-Status-Type "Start") to numbers. */
  values: Record<string, string>;
  encrypted: boolean;
}

const definitions = new Map<string, AttributeDefinition>();

function definitionOf(name: string): AttributeDefinition {
  let def = definitions.get(name);
  if (def) return def;
  const codec = ensureDictionaries();
  const vendor = codec.attr_name_to_id(name) !== undefined ? null : VENDORS.find((v) => codec.attr_name_to_id(name, v) !== undefined);
  if (vendor === undefined) throw new Error(`unknown RADIUS attribute ${name}`);
  const at = vendor ?? undefined;
  const modifiers = (codec._attr_to(name, at, DICT.modifiers) ?? {}) as Record<string, boolean>;
  if (modifiers.has_tag) throw new Error(`tagged attribute ${name} is not supported`);
  def = {
    name,
    vendor,
    id: Number(codec.attr_name_to_id(name, at)),
    type: String(codec._attr_to(name, at, DICT.type)),
    values: (codec._attr_to(name, at, DICT.valuesByName) ?? {}) as Record<string, string>,
    encrypted: modifiers['encrypt=1'] === true,
  };
  definitions.set(name, def);
  return def;
}

/** Indexes into the codec's per-attribute dictionary entry (radius 1.1.4, lib/radius.js ATTR_*). */
const DICT = { type: 2, valuesByName: 4, modifiers: 5 } as const;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Writes one value at `at` as its dictionary type says (RFC 2865 §5); returns its length. */
function writeValue(def: AttributeDefinition, value: AttributeValue, target: Buffer, at: number): number {
  const max = def.vendor === null ? MAX_VALUE : MAX_VENDOR_VALUE;
  if (Buffer.isBuffer(value)) {
    if (value.length > max) throw new RangeError(`${def.name}: ${value.length} octets exceed ${max}`);
    return value.copy(target, at);
  }
  if (def.encrypted) throw new Error(`${def.name} must be hidden before encoding`);
  switch (def.type) {
    case 'string':
    case 'text': {
      const text = String(value);
      const length = Buffer.byteLength(text, 'utf8');
      if (length > max) throw new RangeError(`${def.name}: ${length} octets exceed ${max}`);
      return target.write(text, at, length, 'utf8');
    }
    case 'integer':
    case 'time':
    case 'date': {
      const n =
        value instanceof Date
          ? Math.floor(value.getTime() / 1000)
          : typeof value === 'string'
            ? Number(Object.hasOwn(def.values, value) ? def.values[value] : /^\d{1,10}$/.test(value) ? value : NaN)
            : value;
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${def.name}: invalid value ${String(value)}`);
      target.writeUInt32BE(n, at);
      return 4;
    }
    case 'ipaddr': {
      const m = IPV4.exec(String(value));
      const octets = m ? m.slice(1).map(Number) : [];
      if (octets.length !== 4 || octets.some((o) => o > 255)) throw new Error(`${def.name}: invalid IPv4 address ${String(value)}`);
      for (let i = 0; i < 4; i++) target[at + i] = octets[i];
      return 4;
    }
    default:
      throw new Error(`${def.name}: a ${def.type} value must be given as a Buffer`);
  }
}

/**
 * Writes the attributes' TLVs at `at`, in order, one Vendor-Specific per vendor attribute
 * (RFC 2865 §5.26); returns the offset after them. An empty string or Buffer is left out (an
 * attribute's value has at least one octet). Throws if the packet would exceed 4096 octets.
 */
function writeAttributes(attributes: Attribute[], target: Buffer, at: number): number {
  let offset = at;
  for (const [name, value] of attributes) {
    const def = definitionOf(name);
    if ((value === '' && (def.type === 'string' || def.type === 'text')) || (Buffer.isBuffer(value) && value.length === 0)) continue;
    const header = def.vendor === null ? 2 : 8;
    if (offset + header + MAX_VALUE > target.length) throw new RangeError('RADIUS packet exceeds 4096 octets');
    const length = writeValue(def, value, target, offset + header);
    if (def.vendor === null) {
      target[offset] = def.id;
      target[offset + 1] = 2 + length;
    } else {
      target[offset] = ATTR.vendorSpecific;
      target[offset + 1] = 8 + length;
      target.writeUInt32BE(def.vendor, offset + 2);
      target[offset + 6] = def.id;
      target[offset + 7] = 2 + length;
    }
    offset += header + length;
  }
  return offset;
}

// Packets are assembled here and copied out once (small copies come from Node's buffer pool),
// instead of a fresh 4 KB buffer per packet. The margin lets writeAttributes check bounds once
// per attribute.
const scratch = Buffer.alloc(MAX_LENGTH + 2 * MAX_VALUE);

/** TLV bytes for the attributes, in order. */
export function encodeAttributes(attributes: Attribute[]): Buffer {
  return Buffer.from(scratch.subarray(0, writeAttributes(attributes, scratch, 0)));
}

/** Header, optional Message-Authenticator placeholder (first), attributes, then `tail` (Proxy-States). */
function frame(
  code: number,
  identifier: number,
  authenticator: Buffer,
  withMa: boolean,
  attributes: Attribute[],
  tail: Buffer[] = [],
): Buffer {
  scratch[0] = code;
  scratch[1] = identifier;
  authenticator.copy(scratch, 4);
  let offset = 20;
  if (withMa) offset += MA_PLACEHOLDER.copy(scratch, offset);
  offset = writeAttributes(attributes, scratch, offset);
  for (const t of tail) {
    if (offset + t.length > MAX_LENGTH) throw new RangeError('RADIUS packet exceeds 4096 octets');
    offset += t.copy(scratch, offset);
  }
  if (offset > MAX_LENGTH) throw new RangeError(`RADIUS packet of ${offset} octets exceeds 4096`);
  scratch.writeUInt16BE(offset, 2);
  return Buffer.from(scratch.subarray(0, offset));
}

const MA_PLACEHOLDER = Buffer.from([ATTR.messageAuthenticator, 18, ...ZERO16]);

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
  // Each Proxy-State as received, its type and length octets included (RFC 2865 §5.33).
  const proxyStates = request.attributes
    .filter((a) => a.type === ATTR.proxyState)
    .map((a) => request.bytes.subarray(a.offset, a.offset + request.bytes[a.offset + 1]));
  const packet = frame(code, request.identifier, request.authenticator, withMa, attributes, proxyStates);
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
  const packet = frame(spec.code, spec.identifier, authenticator, spec.messageAuthenticator === true, attributes);
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
