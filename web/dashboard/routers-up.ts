// The routers with their health joined in (GET /routers/status: the RouterOS API's last check, or
// RADIUS alone), and whether a router counts as up, down or not heard yet. Without the status
// route (an older NetFlow), a router counts as up when it sent RADIUS lately.
import { get, listOf } from './api.js';
import type { RouterRow, RouterStatus } from './types.js';

export const RECENT_MS = 15 * 60_000;

/** up: heard lately; down: silent for 10 minutes (the alert rule); unknown: never heard yet (just added). */
export function routerState(r: RouterRow, now = Date.now()): 'up' | 'down' | 'unknown' {
  if (r.health?.state) return r.health.state;
  if (r.health) return r.health.up ? 'up' : 'down';
  if (r.lastSeenAt === null) return 'unknown';
  return r.status === 'active' && now - Date.parse(r.lastSeenAt) < RECENT_MS ? 'up' : 'down';
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
