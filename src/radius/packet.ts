// Parsing a datagram into a RADIUS packet with strict framing checks (RFC 2865 §3, §5), and
// typed reads of its attributes. Anything malformed throws MalformedPacket: the server drops it.
import { ATTR, KNOWN_CODES } from './codes.js';

export interface RawAttribute {
  type: number;
  /** Offset of the attribute's type octet in the packet (for Message-Authenticator). */
  offset: number;
  readonly value: Buffer;
}

/** Its value is cut from the packet when first read: most attributes of a packet never are. */
class LazyAttribute implements RawAttribute {
  private cut: Buffer | undefined;
  constructor(
    private readonly bytes: Buffer,
    readonly type: number,
    readonly offset: number,
    private readonly end: number,
  ) {}

  get value(): Buffer {
    return (this.cut ??= this.bytes.subarray(this.offset + 2, this.end));
  }
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  /** The packet bytes up to its Length field (padding beyond it dropped). */
  bytes: Buffer;
  attributes: RawAttribute[];
}

export class MalformedPacket extends Error {}

export const MIN_LENGTH = 20;
export const MAX_LENGTH = 4096;

export function parsePacket(datagram: Buffer): RadiusPacket {
  if (datagram.length < MIN_LENGTH) throw new MalformedPacket('shorter than 20 octets');
  const code = datagram[0];
  if (!KNOWN_CODES.has(code)) throw new MalformedPacket(`unknown code ${code}`);
  const length = datagram.readUInt16BE(2);
  if (length < MIN_LENGTH || length > MAX_LENGTH) throw new MalformedPacket(`length field ${length} out of range`);
  if (length > datagram.length) throw new MalformedPacket('length field exceeds datagram');
  const bytes = datagram.length === length ? datagram : datagram.subarray(0, length);
  const attributes: RawAttribute[] = [];
  let offset = MIN_LENGTH;
  while (offset < length) {
    if (offset + 2 > length) throw new MalformedPacket('truncated attribute header');
    const attrLength = bytes[offset + 1];
    if (attrLength < 2) throw new MalformedPacket(`attribute length ${attrLength}`);
    if (offset + attrLength > length) throw new MalformedPacket('attribute overruns packet');
    attributes.push(new LazyAttribute(bytes, bytes[offset], offset, offset + attrLength));
    offset += attrLength;
  }
  return { code, identifier: bytes[1], authenticator: bytes.subarray(4, 20), bytes, attributes };
}

/** The attribute octets as received, after the 20-octet header (what the accounting log stores). */
export function attributeBytes(p: RadiusPacket): Buffer {
  return p.bytes.subarray(MIN_LENGTH);
}

export function attr(p: RadiusPacket, type: number): Buffer | undefined {
  for (const a of p.attributes) if (a.type === type) return a.value;
  return undefined;
}

export function allAttrs(p: RadiusPacket, type: number): Buffer[] {
  return p.attributes.filter((a) => a.type === type).map((a) => a.value);
}

export function stringAttr(p: RadiusPacket, type: number): string | null {
  const v = attr(p, type);
  return v === undefined ? null : v.toString('utf8');
}

export function integerAttr(p: RadiusPacket, type: number): number | null {
  const v = attr(p, type);
  return v !== undefined && v.length === 4 ? v.readUInt32BE(0) : null;
}

export function ipAttr(p: RadiusPacket, type: number): string | null {
  const v = attr(p, type);
  return v !== undefined && v.length === 4 ? `${v[0]}.${v[1]}.${v[2]}.${v[3]}` : null;
}

/** A vendor sub-attribute (RFC 2865 §5.26 format: 1-octet type, 1-octet length). */
export function vendorAttr(p: RadiusPacket, vendorId: number, vendorType: number): Buffer | undefined {
  for (const a of p.attributes) {
    if (a.type !== ATTR.vendorSpecific || a.value.length < 6 || a.value.readUInt32BE(0) !== vendorId) continue;
    let o = 4;
    while (o + 2 <= a.value.length) {
      const len = a.value[o + 1];
      if (len < 2 || o + len > a.value.length) break;
      if (a.value[o] === vendorType) return a.value.subarray(o + 2, o + len);
      o += len;
    }
  }
  return undefined;
}
