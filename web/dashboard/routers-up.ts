// Whether a router counts as up: its RouterOS health check when one ran, else whether it sent
// RADIUS lately (a hotspot with guests sends accounting every few minutes; an idle one may not).
import type { RouterRow } from './types.js';

export const RECENT_MS = 15 * 60_000;

export function routerUp(r: RouterRow, now = Date.now()): boolean {
  const up = r.health?.up;
  if (typeof up === 'boolean') return up;
  return r.status === 'active' && r.lastSeenAt !== null && now - Date.parse(r.lastSeenAt) < RECENT_MS;
}
