// Live users reconciliation: the router's /ip/hotspot/active against NetFlow's open sessions.
// - A session NetFlow thinks open that the router does not have is closed, terminate_cause
//   'Not-On-Router', stopped at the last moment NetFlow heard of it (the only time it is known to
//   have been alive; it ended somewhere between then and the check). A session heard from after
//   the router's list was read is left alone: it is alive.
// - A user on the router NetFlow never authorized (a local /ip/hotspot/user, an unknown name) or
//   whose code has expired or been revoked is removed from the router (security event).
import type { PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { listActive, matchesSession, removeActive, type ActiveUser } from './hotspot-active.js';
import type { ApiSession } from './routeros-client.js';

export interface SyncReport {
  router: string;
  checkedAt: Date;
  onRouter: number;
  openInNetflow: number;
  closed: Array<{ sessionId: string; user: string; mac: string | null; stoppedAt: Date }>;
  removed: Array<{ user: string; mac: string | null; address: string | null; reason: UnauthorizedReason }>;
}

export type UnauthorizedReason = 'not-radius' | 'unknown-user' | 'expired' | 'revoked';

/** A session younger than this may not be on the router's list yet (or its Start not here yet). */
const YOUNG_MS = 60_000;

interface Entitlement {
  status: string;
  expiresAt: Date | null;
}

function verdict(e: Entitlement | null | undefined, now: Date): UnauthorizedReason | null {
  if (!e) return 'unknown-user';
  if (e.status !== 'active') return 'revoked';
  if (e.expiresAt && e.expiresAt.getTime() <= now.getTime()) return 'expired';
  return null;
}

export async function reconcileRouter(
  prisma: PrismaClient,
  api: ApiSession,
  router: { id: number; name: string },
  options: { now: () => Date; actor: string },
): Promise<SyncReport> {
  const checkedAt = options.now();
  const active = await listActive(api);
  const open = await prisma.accountingSession.findMany({
    where: { routerId: router.id, status: { in: ['open', 'stale'] } },
    include: { entitlement: { select: { status: true, expiresAt: true } } },
  });
  const report: SyncReport = {
    router: router.name,
    checkedAt,
    onRouter: active.length,
    openInNetflow: open.length,
    closed: [],
    removed: [],
  };

  for (const s of open) {
    if (active.some((row) => matchesSession(row, s))) continue;
    if (checkedAt.getTime() - s.startedAt.getTime() < YOUNG_MS) continue;
    const closed = await prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ stopped_at: Date; entitlement_id: number | null; mac: string | null }>>`
        UPDATE accounting_sessions SET status = 'closed', terminate_cause = 'Not-On-Router',
               stopped_at = greatest(started_at, coalesce(heard_at, updated_at))
         WHERE id = ${s.id} AND status <> 'closed' AND coalesce(heard_at, updated_at) < ${checkedAt}
        RETURNING stopped_at, entitlement_id, mac`;
      const row = rows[0];
      if (!row) return null;
      if (row.entitlement_id !== null && row.mac !== null) {
        await tx.entitlementDevice.updateMany({ where: { entitlementId: row.entitlement_id, mac: row.mac }, data: { onlineUntil: null } });
      }
      await recordAudit(tx, {
        actor: options.actor,
        action: 'session.closed_not_on_router',
        subject: `session ${s.id}`,
        details: {
          router: router.name,
          mac: s.mac,
          acctSessionId: s.acctSessionId,
          before: { status: s.status },
          after: { status: 'closed', terminateCause: 'Not-On-Router', stoppedAt: row.stopped_at.toISOString() },
          why: 'the router no longer lists this session in /ip/hotspot/active; stopped at the last moment NetFlow heard of it',
        },
      });
      return row.stopped_at;
    });
    if (closed) report.closed.push({ sessionId: String(s.id), user: s.userName, mac: s.mac, stoppedAt: closed });
  }

  for (const row of active) {
    const reason = await unauthorized(prisma, row, open, checkedAt);
    if (!reason) continue;
    if (!(await removeActive(api, row.id))) continue; // gone already
    await recordAudit(prisma, {
      actor: options.actor,
      action: 'security.unauthorized_hotspot_user',
      subject: `${router.name} ${row.mac ?? row.address ?? row.id}`,
      // A NetFlow code is a bearer credential: the audit log shows only its ends.
      details: {
        router: router.name,
        user: reason === 'expired' || reason === 'revoked' ? maskCode(row.user) : row.user,
        mac: row.mac,
        address: row.address,
        radius: row.radius,
        reason,
        removed: true,
      },
    });
    report.removed.push({ user: row.user, mac: row.mac, address: row.address, reason });
  }
  return report;
}

const maskCode = (code: string) => (code.length > 6 ? `${code.slice(0, 2)}…${code.slice(-2)}` : '…');

/** Why this router user should not be online, or null when NetFlow authorized it and it still may be. */
async function unauthorized(
  prisma: PrismaClient,
  row: ActiveUser,
  open: Array<{ userName: string; mac: string | null; framedIp: string | null; entitlement: Entitlement | null }>,
  now: Date,
): Promise<UnauthorizedReason | null> {
  if (!row.radius) return 'not-radius';
  const session = open.find((s) => matchesSession(row, s));
  if (session?.entitlement) return verdict(session.entitlement, now);
  // No open session here yet (its Start may be on its way): the code itself, or a MAC login's device.
  const byCode = await prisma.entitlement.findUnique({ where: { code: row.user }, select: { status: true, expiresAt: true } });
  if (byCode) return verdict(byCode, now);
  if (row.mac) {
    const devices = await prisma.entitlementDevice.findMany({
      where: { mac: row.mac },
      include: { entitlement: { select: { status: true, expiresAt: true } } },
    });
    if (devices.length > 0) {
      const reasons = devices.map((d) => verdict(d.entitlement, now));
      return reasons.includes(null) ? null : reasons[0];
    }
  }
  return 'unknown-user';
}
