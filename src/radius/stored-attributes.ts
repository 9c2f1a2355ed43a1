// Reading the accounting log: records keep their attributes as received (raw octets after the
// header), and this names them with the dictionaries for people and tests.
import { CODE } from './codes.js';
import { ensureDictionaries } from './dictionary.js';
import { MIN_LENGTH } from './packet.js';

/**
 * Attribute name → value (arrays for repeated attributes), as the dictionaries decode them; the
 * octets in hex when the codec refuses them (e.g. a vendor attribute it cannot parse).
 */
export function decodeStoredAttributes(raw: Buffer): Record<string, unknown> {
  const header = Buffer.alloc(MIN_LENGTH);
  header[0] = CODE.accountingRequest;
  header.writeUInt16BE(MIN_LENGTH + raw.length, 2);
  try {
    return ensureDictionaries().decode_without_secret({ packet: Buffer.concat([header, raw]) }).attributes;
  } catch {
    return { undecodable: raw.toString('hex') };
  }
}
