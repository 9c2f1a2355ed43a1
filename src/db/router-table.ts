// The registered routers (NAS clients), held in memory for the per-packet lookup by source IP
// and reloaded when the routers table changes (LISTEN/NOTIFY from a trigger) or every minute.
import type pg from 'pg';
import { plainIp } from '../core/addresses.js';
import type { MessageAuthenticatorPolicy } from './generated/client.js';
import { listenForever } from './listener.js';

export interface RouterEntry {
  id: number;
  name: string;
  ip: string;
  secret: string;
  /** Access-Requests without Message-Authenticator are dropped (policy yes, or auto once seen). */
  requireMessageAuthenticator: boolean;
  /** Policy auto, none seen yet: the first valid one makes it required (messageAuthenticatorSeen). */
  learnsMessageAuthenticator: boolean;
  coaPort: number;
  /** SHA-256 of the router's RadSec client certificate (hex), when one was issued. */
  radsecFingerprint: string | null;
}

/** Whether a router's Access-Requests must carry Message-Authenticator now (BlastRADIUS policy). */
export function messageAuthenticatorRequired(policy: MessageAuthenticatorPolicy, seenAt: Date | null): boolean {
  return policy === 'yes' || (policy === 'auto' && seenAt !== null);
}

export interface RouterTable {
  byIp(ip: string): RouterEntry | undefined;
  /** The active router whose RadSec client certificate has this fingerprint. */
  byFingerprint(fingerprint: string): RouterEntry | undefined;
  all(): RouterEntry[];
  reload(): Promise<void>;
  /** Marks a router as heard from; written to last_seen_at in the background. */
  seen(id: number): void;
  /**
   * A router on auto sent a valid Message-Authenticator: from now on it is required, here at once
   * and, through the database (and its NOTIFY), on every NetFlow instance and after restarts.
   */
  messageAuthenticatorSeen(id: number): void;
  close(): Promise<void>;
}

export async function openRouterTable(pool: pg.Pool, url: string, onError: (err: Error) => void): Promise<RouterTable> {
  let byIp = new Map<string, RouterEntry>();
  let byFingerprint = new Map<string, RouterEntry>();
  const seenIds = new Set<number>();

  async function reload(): Promise<void> {
    const { rows } = await pool.query<{
      id: number;
      name: string;
      ip: string;
      secret: string;
      policy: MessageAuthenticatorPolicy;
      seen_at: Date | null;
      coa_port: number;
      radsec_fingerprint: string | null;
    }>(
      `SELECT id, name, ip, secret, message_authenticator AS policy, message_authenticator_seen_at AS seen_at, coa_port, radsec_fingerprint
         FROM routers WHERE status = 'active'`,
    );
    byIp = new Map(
      rows.map((r) => {
        const required = messageAuthenticatorRequired(r.policy, r.seen_at);
        const entry = { id: r.id, name: r.name, ip: r.ip, secret: r.secret, coaPort: r.coa_port, radsecFingerprint: r.radsec_fingerprint };
        return [r.ip, { ...entry, requireMessageAuthenticator: required, learnsMessageAuthenticator: r.policy === 'auto' && !required }];
      }),
    );
    byFingerprint = new Map([...byIp.values()].filter((r) => r.radsecFingerprint).map((r) => [r.radsecFingerprint!, r]));
  }
  const reloadQuietly = () => reload().catch(onError);

  await reload();
  // Reconnects after a PostgreSQL restart and reloads at once (the minute's poll is the backstop).
  const listener = await listenForever({
    url,
    channels: ['netflow_routers'],
    onNotify: reloadQuietly,
    onReconnect: reloadQuietly,
    onError,
  });

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
    byIp: (ip) => byIp.get(plainIp(ip)),
    byFingerprint: (fingerprint) => byFingerprint.get(fingerprint),
    all: () => [...byIp.values()],
    reload,
    seen: (id) => seenIds.add(id),
    messageAuthenticatorSeen(id) {
      const entry = [...byIp.values()].find((r) => r.id === id);
      if (!entry?.learnsMessageAuthenticator) return;
      entry.learnsMessageAuthenticator = false;
      entry.requireMessageAuthenticator = true;
      void pool
        .query(
          `WITH locked AS (
             UPDATE routers SET message_authenticator_seen_at = now()
              WHERE id = $1 AND message_authenticator = 'auto' AND message_authenticator_seen_at IS NULL
             RETURNING name)
           INSERT INTO audit_log (actor, action, subject, details)
           SELECT 'radius', 'router.message_authenticator_required', name,
                  jsonb_build_object('routerId', $1::int, 'why', 'first valid Message-Authenticator (policy auto)')
             FROM locked`,
          [id],
        )
        .catch(onError);
    },
    async close() {
      clearInterval(timer);
      clearInterval(seenTimer);
      await flushSeen();
      await listener.close();
    },
  };
}
