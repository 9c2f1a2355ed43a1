// Value conventions of RADIUS and RouterOS: 64-bit octet counters, MAC address formats, rate limits.

const TWO_POW_32 = 1n << 32n;

/** Acct-*-Octets + Acct-*-Gigawords × 2^32 (RFC 2869 §5.1–5.2). */
export function octets64(low: number | null, gigawords: number | null): bigint | null {
  if (low === null && gigawords === null) return null;
  return BigInt(low ?? 0) + BigInt(gigawords ?? 0) * TWO_POW_32;
}

/** A 64-bit byte count as RouterOS wants it: low 32 bits plus a gigawords attribute. */
export function splitOctets64(total: bigint): { low: number; gigawords: number } {
  const t = total < 0n ? 0n : total;
  return { low: Number(t % TWO_POW_32), gigawords: Number(t / TWO_POW_32) };
}

const CANONICAL_MAC = /^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$/;

/**
 * Any RouterOS radius-mac-format (XX:XX:XX:XX:XX:XX, XXXX:XXXX:XXXX, XXXXXX:XXXXXX,
 * XX-XX-XX-XX-XX-XX, XXXXXX-XXXXXX, XXXXXXXXXXXX, "XX XX XX XX XX XX"), any case,
 * to AA:BB:CC:DD:EE:FF; null when it is not a MAC.
 */
export function normalizeMac(value: string | null | undefined): string | null {
  if (!value) return null;
  if (value.length === 17 && CANONICAL_MAC.test(value)) return value; // RouterOS's default format, on every packet
  const v = value.trim();
  if (
    !/^[0-9A-Fa-f]{2}([:\- ]?[0-9A-Fa-f]{2}){5}$/.test(v) &&
    !/^([0-9A-Fa-f]{4}:){2}[0-9A-Fa-f]{4}$/.test(v) &&
    !/^[0-9A-Fa-f]{6}[:-][0-9A-Fa-f]{6}$/.test(v)
  ) {
    return null;
  }
  const hex = v.replace(/[:\- ]/g, '').toUpperCase();
  if (hex.length !== 12) return null;
  return hex.match(/../g)!.join(':');
}

/** Locally administered (randomised) MAC: second hex digit 2, 6, A or E. */
export function isRandomMac(mac: string): boolean {
  const n = normalizeMac(mac);
  return n !== null && '26AE'.includes(n[1]);
}

const RATE = '\\d{1,10}(?:\\.\\d{1,3})?[kKM]?'; // bounded: the whole Mikrotik-Rate-Limit must fit its 247 octets
const PAIR = `${RATE}(?:/${RATE})?`;
const TIME_PAIR = '\\d{1,10}(?:/\\d{1,10})?';
const RATE_LIMIT = new RegExp(`^${PAIR}(?: ${PAIR}(?: ${PAIR}(?: ${TIME_PAIR}(?: [1-8](?: ${PAIR})?)?)?)?)?$`);

/** Mikrotik-Rate-Limit: rx[/tx] [burst-rx[/tx] [threshold-rx[/tx] [burst-time[/tx] [priority] [min-rx[/tx]]]]]. */
export function isValidRateLimit(value: string): boolean {
  return RATE_LIMIT.test(value);
}

/** A single rate as the CLI accepts it: 2M, 512k, 1000000. */
export function isValidRate(value: string): boolean {
  return new RegExp(`^${RATE}$`).test(value);
}
