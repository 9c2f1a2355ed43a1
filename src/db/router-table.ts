// The registered routers (NAS clients), held in memory for the per-packet lookup by source IP
// and reloaded when the routers table changes (LISTEN/NOTIFY from a trigger) or every minute.
import pg from 'pg';

export interface RouterEntry {
  id: number;
  name: string;
  ip: string;
  secret: string;
  requireMessageAuthenticator: boolean;
  coaPort: number;
}

export interface RouterTable {
  byIp(ip: string): RouterEntry | undefined;
  all(): RouterEntry[];
  reload(): Promise<void>;
  /** Marks a router as heard from; written to last_seen_at in the background. */
  seen(id: number): void;
  close(): Promise<void>;
}

export async function openRouterTable(pool: pg.Pool, url: string, onError: (err: Error) => void): Promise<RouterTable> {
  let byIp = new Map<string, RouterEntry>();
  const seenIds = new Set<number>();

  async function reload(): Promise<void> {
    const { rows } = await pool.query<{ id: number; name: string; ip: string; secret: string; rma: boolean; coa_port: number }>(
      "SELECT id, name, ip, secret, require_message_authenticator AS rma, coa_port FROM routers WHERE status = 'active'",
    );
    byIp = new Map(
      rows.map((r) => [r.ip, { id: r.id, name: r.name, ip: r.ip, secret: r.secret, requireMessageAuthenticator: r.rma, coaPort: r.coa_port }]),
    );
  }
  const reloadQuietly = () => reload().catch(onError);

  await reload();
  const listener = new pg.Client({ connectionString: url });
  listener.on('error', onError);
  listener.on('notification', () => void reloadQuietly());
  await listener.connect();
  await listener.query('LISTEN netflow_routers');

  const flushSeen = async () => {
    if (seenIds.size === 0) return;
    const ids = [...seenIds];
    seenIds.clear();
    await pool.query('UPDATE routers SET last_seen_at = now() WHERE id = ANY($1::int[])', [ids]).catch(onError);
  };
  const timer = setInterval(() => {
    void reloadQuietly();
    void flushSeen();
  }, 60_000);
  timer.unref();
  const seenTimer = setInterval(() => void flushSeen(), 10_000);
  seenTimer.unref();

  return {
    byIp: (ip) => byIp.get(ip.startsWith('::ffff:') ? ip.slice(7) : ip),
    all: () => [...byIp.values()],
    reload,
    seen: (id) => seenIds.add(id),
    async close() {
      clearInterval(timer);
      clearInterval(seenTimer);
      await flushSeen();
      await listener.end();
    },
  };
}
