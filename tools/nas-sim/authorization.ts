// What a RouterOS hotspot takes from an Access-Accept (MikroTik RADIUS doc, Access-Accept list;
// checklist §2.3, items 20, 21, 30–32), and the attribute values it puts on the wire.
import { ATTR, VENDOR_MIKROTIK } from '../../src/radius/codes.js';
import { allAttrs, integerAttr, type RadiusPacket, vendorAttr } from '../../src/radius/packet.js';
import { octets64 } from '../../src/radius/values.js';

export const ATTR_SESSION_TIMEOUT = 27;
export const ATTR_IDLE_TIMEOUT = 28;
export const ATTR_INTERIM_INTERVAL = 85;

export const MIKROTIK = {
  recvLimit: 1,
  xmitLimit: 2,
  group: 3,
  rateLimit: 8,
  hostIp: 10,
  markId: 11,
  advertiseUrl: 12,
  advertiseInterval: 13,
  recvLimitGigawords: 14,
  xmitLimitGigawords: 15,
  totalLimit: 17,
  totalLimitGigawords: 18,
  addressList: 19,
} as const;

export const TERMINATE_CAUSE = {
  userRequest: 1,
  lostCarrier: 2,
  lostService: 3,
  idleTimeout: 4,
  sessionTimeout: 5,
  adminReset: 6,
  adminReboot: 7,
  nasRequest: 10,
  nasReboot: 11,
} as const;

export const ACCT_STATUS = { start: 1, stop: 2, interim: 3, accountingOn: 7, accountingOff: 8 } as const;

export const ERROR_CAUSE = {
  unsupportedAttribute: 401,
  missingAttribute: 402,
  nasIdentificationMismatch: 403,
  invalidAttributeValue: 407,
  sessionContextNotFound: 503,
  resourcesUnavailable: 506,
  multipleSessionSelectionUnsupported: 508,
} as const;

/** The limits and cookies the router applies to one session. */
export interface Authorization {
  /** Seconds from login (Session-Timeout); null = none. */
  sessionTimeout: number | null;
  /** Seconds without traffic from the guest (Idle-Timeout); null = none. */
  idleTimeout: number | null;
  /** Acct-Interim-Interval in seconds; null = not sent. */
  interimInterval: number | null;
  /** Mikrotik-Rate-Limit as received (rx/tx from the router's side: rx = guest upload). Recorded only. */
  rateLimit: string | null;
  /** Mikrotik-Total-Limit(+Gigawords) in bytes, upload + download; null = no cap. */
  totalLimit: bigint | null;
  /** Mikrotik-Group (hotspot user profile); recorded only. */
  group: string | null;
  /** Every Class, in order, echoed unchanged in each Accounting-Request (RFC 2865 §5.25). */
  classes: Buffer[];
  /** Reply-Message(s) joined; RouterOS shows them on the status / error page. */
  replyMessage: string | null;
}

function vendorUint(p: RadiusPacket, type: number): number | null {
  const v = vendorAttr(p, VENDOR_MIKROTIK, type);
  return v !== undefined && v.length === 4 ? v.readUInt32BE(0) : null;
}

function vendorString(p: RadiusPacket, type: number): string | null {
  const v = vendorAttr(p, VENDOR_MIKROTIK, type);
  return v === undefined ? null : v.toString('utf8');
}

/** 0 or absent means "no timeout / no limit", as in RouterOS user profiles. */
function positive(n: number | null): number | null {
  return n === null || n === 0 ? null : n;
}

export function replyMessageOf(p: RadiusPacket): string | null {
  const parts = allAttrs(p, ATTR.replyMessage).map((v) => v.toString('utf8'));
  return parts.length ? parts.join('') : null;
}

export function authorizationFromAccept(p: RadiusPacket): Authorization {
  const low = vendorUint(p, MIKROTIK.totalLimit);
  const high = vendorUint(p, MIKROTIK.totalLimitGigawords);
  const total = octets64(low, high);
  return {
    sessionTimeout: positive(integerAttr(p, ATTR_SESSION_TIMEOUT)),
    idleTimeout: positive(integerAttr(p, ATTR_IDLE_TIMEOUT)),
    interimInterval: positive(integerAttr(p, ATTR_INTERIM_INTERVAL)),
    rateLimit: vendorString(p, MIKROTIK.rateLimit),
    totalLimit: total === null || total === 0n ? null : total,
    group: vendorString(p, MIKROTIK.group),
    classes: allAttrs(p, ATTR.class).map((v) => Buffer.from(v)),
    replyMessage: replyMessageOf(p),
  };
}

/** Uppercase AA:BB:CC:DD:EE:FF into a RouterOS `radius-mac-format` such as `XX-XX-XX-XX-XX-XX`. */
export function formatMac(mac: string, format: string): string {
  const hex = mac.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  let i = 0;
  return format.replace(/X/g, () => hex[i++] ?? '');
}
