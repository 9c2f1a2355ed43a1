// Reading the audit log (it only grows: prisma/functions/audit.sql): newest first, by id, with
// filters by actor, action (or an action prefix such as "security."), subject and time.
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import { invalid } from '../core/errors.js';
import { wholeNumber } from '../core/validate.js';

export interface AuditQuery {
  actor?: string;
  /** An exact action ("router.add") or a prefix ending in a dot ("security."). */
  action?: string;
  /** Only these prefixes (security events: ['security.', 'alert.']). */
  prefixes?: string[];
  subject?: string;
  from?: Date;
  to?: Date;
  before?: string;
  limit?: number;
}

export interface AuditView {
  id: bigint;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  details: Prisma.JsonValue;
}

export async function findAudit(prisma: PrismaClient, q: AuditQuery = {}): Promise<{ entries: AuditView[]; nextBefore: string | null }> {
  const limit = wholeNumber('limit', q.limit ?? 50, 1, 500);
  if (q.before !== undefined && !/^\d{1,18}$/.test(q.before))
    throw invalid('before', 'must be an entry id (nextBefore of the previous page)');
  const action = q.action?.trim();
  const and: Prisma.AuditLogWhereInput[] = [];
  if (q.prefixes) and.push({ OR: q.prefixes.map((p) => ({ action: { startsWith: p } })) });
  if (action) and.push(action.endsWith('.') ? { action: { startsWith: action } } : { action });
  if (q.actor?.trim())
    and.push({ actor: q.actor.trim().toLowerCase() === 'cli' ? 'cli' : { equals: q.actor.trim(), mode: 'insensitive' } });
  if (q.subject?.trim()) and.push({ subject: { contains: q.subject.trim(), mode: 'insensitive' } });
  if (q.from || q.to) and.push({ at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } });
  if (q.before) and.push({ id: { lt: BigInt(q.before) } });
  const rows = await prisma.auditLog.findMany({ where: { AND: and }, orderBy: { id: 'desc' }, take: limit + 1 });
  const page = rows.slice(0, limit);
  return { entries: page, nextBefore: rows.length > limit ? String(page[page.length - 1].id) : null };
}
