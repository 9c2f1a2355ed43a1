// Hotspot sessions as the routers report them through RADIUS accounting.
import type { AccountingSessionStatus, Prisma, PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { InputError, invalid, NotFoundError } from '../core/errors.js';
import { oneOf, wholeNumber } from '../core/validate.js';
import { changeEntitlementPackage } from '../entitlements/change.js';

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

const SESSION_INCLUDE = { router: { select: { name: true } }, entitlement: { select: { code: true } } } as const;

/** Newest first; `active` keeps only sessions still open. */
export async function listSessions(prisma: PrismaClient, options: { active?: boolean } = {}): Promise<SessionView[]> {
  const rows = await prisma.accountingSession.findMany({
    where: options.active ? { status: 'open' } : {},
    orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    include: SESSION_INCLUDE,
  });
  return rows.map(sessionView);
}

export const SESSION_STATUSES = ['open', 'closed', 'stale'] as const satisfies readonly AccountingSessionStatus[];
export const DEFAULT_SESSION_PAGE = 50;
export const MAX_SESSION_PAGE = 500;

export interface SessionQuery {
  /** Router name. */
  router?: string;
  status?: string;
  /** Part of the MAC, the User-Name or the code (case-insensitive). */
  search?: string;
  /** Sessions started at or after / before these instants. */
  from?: Date;
  to?: Date;
  /** Paging: sessions with an id below this one (the previous page's nextBefore). */
  before?: string;
  limit?: number;
}

/** One page of sessions, newest (highest id) first, with the cursor for the next page. */
export async function findSessions(
  prisma: PrismaClient,
  q: SessionQuery = {},
): Promise<{ sessions: SessionView[]; nextBefore: string | null }> {
  const status = q.status === undefined ? undefined : oneOf('status', q.status, SESSION_STATUSES);
  const limit = wholeNumber('limit', q.limit ?? DEFAULT_SESSION_PAGE, 1, MAX_SESSION_PAGE);
  if (q.before !== undefined && !/^\d{1,18}$/.test(q.before))
    throw invalid('before', 'must be a session id (nextBefore of the previous page)');
  const search = q.search?.trim();
  const where: Prisma.AccountingSessionWhereInput = {
    ...(status ? { status } : {}),
    ...(q.router ? { router: { name: q.router } } : {}),
    ...(q.before ? { id: { lt: BigInt(q.before) } } : {}),
    ...(q.from || q.to ? { startedAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
    ...(search
      ? {
          OR: [
            { mac: { contains: search, mode: 'insensitive' } },
            { userName: { contains: search, mode: 'insensitive' } },
            { entitlement: { code: { contains: search, mode: 'insensitive' } } },
          ],
        }
      : {}),
  };
  const rows = await prisma.accountingSession.findMany({ where, orderBy: { id: 'desc' }, take: limit + 1, include: SESSION_INCLUDE });
  const page = rows.slice(0, limit).map(sessionView);
  return { sessions: page, nextBefore: rows.length > limit ? String(page[page.length - 1].id) : null };
}

export async function findSession(prisma: PrismaClient, id: bigint): Promise<SessionView | null> {
  const s = await prisma.accountingSession.findUnique({ where: { id }, include: SESSION_INCLUDE });
  return s ? sessionView(s) : null;
}

function sessionView(s: Prisma.AccountingSessionGetPayload<{ include: typeof SESSION_INCLUDE }>): SessionView {
  return {
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
  };
}

export interface EnforcementRequest {
  sessionId: bigint;
  /** The queued Disconnect/CoA (an already pending one is reused). */
  actionIds: bigint[];
}

async function openSession(prisma: PrismaClient, id: string) {
  if (!/^\d{1,18}$/.test(id)) throw invalid('id', 'must be a session number (see `netflow session list`)');
  const session = await prisma.accountingSession.findUnique({ where: { id: BigInt(id) } });
  if (!session) throw new NotFoundError(`session ${id} not found`, 'id');
  if (session.status === 'closed') throw new InputError(`session ${id} has already ended`, 'id');
  return session;
}

/** Queues a request (or finds the one already pending) for a session; returns its id. */
async function queue(tx: Tx, kind: 'disconnect' | 'coa', reason: string, sessionId: bigint, actor: string): Promise<bigint> {
  const inserted = await tx.$queryRaw<Array<{ id: bigint }>>`
    INSERT INTO enforcement_actions (kind, reason, session_id, router_id, requested_by)
    SELECT ${kind}::"EnforcementKind", ${reason}, s.id, s.router_id, ${actor} FROM accounting_sessions s WHERE s.id = ${sessionId}
    ON CONFLICT (session_id, kind) WHERE status = 'pending' DO NOTHING
    RETURNING id`;
  if (inserted[0]) return inserted[0].id;
  const pending = await tx.enforcementAction.findFirstOrThrow({ where: { sessionId, kind, status: 'pending' } });
  return pending.id;
}

type Tx = Prisma.TransactionClient;

/** An admin ends a guest's session: NetFlow sends the router a Disconnect-Request at once. */
export async function endSession(prisma: PrismaClient, input: { id: string }, actor: string): Promise<EnforcementRequest> {
  const session = await openSession(prisma, input.id);
  return prisma.$transaction(async (tx) => {
    const actionId = await queue(tx, 'disconnect', 'admin', session.id, actor);
    await recordAudit(tx, {
      actor,
      action: 'session.end.requested',
      subject: `session ${session.id}`,
      details: { actionId: String(actionId) },
    });
    return { sessionId: session.id, actionIds: [actionId] };
  });
}

/**
 * Moves the guest's code to another package while online: the clock keeps its start, the expiry
 * follows the new package's minutes, and every open session of the code gets a CoA-Request with
 * the new Mikrotik-Rate-Limit and Session-Timeout (read when it is sent, so it is never stale).
 */
export async function changeSessionPackage(
  prisma: PrismaClient,
  input: { id: string; package: string },
  actor: string,
): Promise<EnforcementRequest & { package: string; expiresAt: Date | null }> {
  const session = await openSession(prisma, input.id);
  if (session.entitlementId === null) throw new InputError(`session ${input.id} is not tied to a NetFlow code`, 'id');
  const pkg = await prisma.package.findUnique({ where: { name: input.package } });
  if (!pkg) throw new InputError(`package "${input.package}" not found (see \`netflow package list\`)`, 'package');
  if (!pkg.active) throw new InputError(`package "${input.package}" is not active`, 'package');
  return prisma.$transaction(async (tx) => {
    const { before: ent, expiresAt } = await changeEntitlementPackage(tx, session.entitlementId!, pkg);
    const live = await tx.accountingSession.findMany({
      where: { entitlementId: ent.id, status: { in: ['open', 'stale'] } },
      select: { id: true },
    });
    const actionIds: bigint[] = [];
    for (const s of live) actionIds.push(await queue(tx, 'coa', 'package_change', s.id, actor));
    await recordAudit(tx, {
      actor,
      action: 'entitlement.package_changed',
      subject: `entitlement ${ent.id}`,
      details: { from: ent.packageId, to: pkg.id, expiresAt: expiresAt?.toISOString() ?? null, sessions: live.map((s) => String(s.id)) },
    });
    return { sessionId: session.id, actionIds, package: pkg.name, expiresAt };
  });
}

export interface ActionOutcome {
  id: bigint;
  kind: string;
  status: string;
  errorCause: number | null;
  lastError: string | null;
}

/** Waits (polling) until the actions are no longer pending or the time is up. */
export async function waitForActions(prisma: PrismaClient, ids: bigint[], timeoutMs: number): Promise<ActionOutcome[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await prisma.enforcementAction.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    const outcomes = rows.map((a) => ({ id: a.id, kind: a.kind, status: a.status, errorCause: a.errorCause, lastError: a.lastError }));
    if (outcomes.every((o) => o.status !== 'pending') || Date.now() >= deadline) return outcomes;
    await new Promise((r) => setTimeout(r, 250));
  }
}
