// Hotspot sessions as the routers report them through RADIUS accounting.
import type { AccountingSessionStatus, PrismaClient } from '../db/generated/client.js';

export interface SessionView {
  id: bigint;
  router: string;
  /** The entitlement (voucher or purchase) code, when the session matched one. */
  code: string | null;
  userName: string;
  mac: string | null;
  framedIp: string | null;
  status: AccountingSessionStatus;
  startedAt: Date;
  updatedAt: Date;
  stoppedAt: Date | null;
  sessionTime: number;
  bytesUp: bigint;
  bytesDown: bigint;
  terminateCause: string | null;
}

/** Newest first; `active` keeps only sessions still open. */
export async function listSessions(prisma: PrismaClient, options: { active?: boolean } = {}): Promise<SessionView[]> {
  const rows = await prisma.accountingSession.findMany({
    where: options.active ? { status: 'open' } : {},
    orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    include: { router: { select: { name: true } }, entitlement: { select: { code: true } } },
  });
  return rows.map((s) => ({
    id: s.id,
    router: s.router.name,
    code: s.entitlement?.code ?? null,
    userName: s.userName,
    mac: s.mac,
    framedIp: s.framedIp,
    status: s.status,
    startedAt: s.startedAt,
    updatedAt: s.updatedAt,
    stoppedAt: s.stoppedAt,
    sessionTime: s.sessionTime,
    bytesUp: s.bytesUp,
    bytesDown: s.bytesDown,
    terminateCause: s.terminateCause,
  }));
}
