// Routers as every part of NetFlow needs them: found by the name or address the hotspot gives,
// their addresses normalized as RADIUS sees them, their secrets never shown whole.
import { isIP } from 'node:net';
import type { PrismaClient } from '../db/generated/client.js';
import { invalid } from '../core/errors.js';

/** BlastRADIUS (CVE-2024-3596) guidance: shared secrets of at least 16 random characters. */
export const MIN_SECRET_LENGTH = 16;

/** "ab…yz": enough to tell secrets apart, not enough to use one. Short ones show nothing. */
export function maskSecret(secret: string): string {
  return secret.length >= MIN_SECRET_LENGTH ? `${secret.slice(0, 2)}…${secret.slice(-2)}` : '****';
}

/**
 * The address as the RADIUS server will see it as a packet's source: IPv6 in its canonical
 * compressed lower-case form, and an IPv4-mapped IPv6 address as plain IPv4.
 */
export function normalizeIp(raw: string): string {
  const ip = raw.trim();
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped && isIP(mapped[1]) === 4) return mapped[1];
    try {
      return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
    } catch {
      // A zone index (fe80::1%eth0) is not a router address NetFlow can match.
    }
  }
  throw invalid('ip', 'must be an IPv4 or IPv6 address');
}

/** What a guest sees when the portal names a router NetFlow does not serve. */
export const UNKNOWN_ROUTER_MESSAGE = 'This Wi-Fi network is not registered with NetFlow.';

/**
 * The active router the captive portal names, by its name or its address (what the hotspot's
 * login page passes on); null when there is none.
 */
export async function findActiveRouter(prisma: PrismaClient, nameOrIp: string) {
  const router =
    (await prisma.router.findUnique({ where: { name: nameOrIp } })) ?? (await prisma.router.findUnique({ where: { ip: nameOrIp } }));
  return router && router.status === 'active' ? router : null;
}
