// The routers with their health joined in (GET /routers/status: the RouterOS API's last check, or
// RADIUS alone), and whether a router counts as up. Without the status route (an older NetFlow),
// a router counts as up when it sent RADIUS lately.
import { get, listOf } from './api.js';
import type { RouterRow, RouterStatus } from './types.js';

export const RECENT_MS = 15 * 60_000;

export function routerUp(r: RouterRow, now = Date.now()): boolean {
  if (r.health) return r.health.up;
  return r.status === 'active' && r.lastSeenAt !== null && now - Date.parse(r.lastSeenAt) < RECENT_MS;
}

export async function routersWithHealth(): Promise<RouterRow[]> {
  const [routers, statuses] = await Promise.all([
    get('/routers').then((body) => listOf<RouterRow>(body, 'routers')),
    get('/routers/status')
      .then((body) => listOf<RouterStatus>(body, 'routers'))
      .catch(() => [] as RouterStatus[]),
  ]);
  const byId = new Map(statuses.map((s) => [s.id, s]));
  return routers.map((r) => ({ ...r, health: byId.get(r.id) ?? null }));
}
