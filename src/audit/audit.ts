// Every change an operator makes is recorded in audit_log, in the same transaction as the
// change itself, so the log never claims something that did not happen (or misses something that did).
import type { Prisma } from '../db/generated/client.js';

export interface AuditEntry {
  /** Who: 'cli' for the command line, the admin's email for the dashboard. */
  actor: string;
  /** What, as noun.verb: 'router.add', 'voucher.create'… */
  action: string;
  /** Which record, in words an operator can search for (a router name, an email). */
  subject?: string;
  /** Anything else worth knowing. Never secrets, passwords or voucher codes. */
  details?: Prisma.InputJsonObject;
}

export async function recordAudit(tx: Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({ data: { actor: entry.actor, action: entry.action, subject: entry.subject ?? null, details: entry.details } });
}
