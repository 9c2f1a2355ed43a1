// `/ip/hotspot/active` over the RouterOS API: who is online on a router, and removing one of them
// (RouterOS then logs the user out and sends its Accounting-Stop, Acct-Terminate-Cause Admin-Reset).
import type { ApiSession } from './routeros-client.js';

export interface ActiveUser {
  /** RouterOS's row id (e.g. *1A); not the Acct-Session-Id, which /ip/hotspot/active does not show. */
  id: string;
  user: string;
  mac: string | null;
  address: string | null;
  uptime: string | null;
  /** Whether RADIUS authorized the login (false: a local /ip/hotspot/user, or a trial user). */
  radius: boolean;
}

const normalizeMac = (mac: string | undefined) => (mac ? mac.toUpperCase() : null);

export async function listActive(api: ApiSession, filter: string[] = []): Promise<ActiveUser[]> {
  const rows = await api.run('/ip/hotspot/active/print', ['=.proplist=.id,user,address,mac-address,uptime,radius', ...filter]);
  return rows.map((r) => ({
    id: r['.id'],
    user: r.user ?? '',
    mac: normalizeMac(r['mac-address']),
    address: r.address ?? null,
    uptime: r.uptime ?? null,
    radius: r.radius === 'true',
  }));
}

/** False when the row is already gone (the guest left between the print and the remove). */
export async function removeActive(api: ApiSession, id: string): Promise<boolean> {
  try {
    await api.run('/ip/hotspot/active/remove', [`=.id=${id}`]);
    return true;
  } catch (err) {
    if (/no such item/.test((err as Error).message)) return false;
    throw err;
  }
}

/** The rows that are this session: the same user, and the same MAC or address where NetFlow knows them. */
export function matchesSession(row: ActiveUser, session: { userName: string; mac: string | null; framedIp: string | null }): boolean {
  if (row.user !== session.userName) return false;
  const mac = normalizeMac(session.mac ?? undefined);
  if (mac && row.mac) return row.mac === mac;
  if (session.framedIp && row.address) return row.address === session.framedIp;
  return true;
}

/** Removes the session's rows from the router; how many there were (0: the router does not have it). */
export async function kickSession(
  api: ApiSession,
  session: { userName: string; mac: string | null; framedIp: string | null },
): Promise<ActiveUser[]> {
  const rows = (await listActive(api, [`?user=${session.userName}`])).filter((r) => matchesSession(r, session));
  const removed: ActiveUser[] = [];
  for (const r of rows) if (await removeActive(api, r.id)) removed.push(r);
  return removed;
}
