// Dashboard accounts. Passwords are stored only as scrypt hashes (see passwords.ts).
import type { AdminRole, PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { ConflictError, InputError, invalid, uniqueViolation, NotFoundError } from '../core/errors.js';
import { hashPassword } from './passwords.js';
import { oneOf } from '../core/validate.js';

export const ADMIN_ROLES = ['admin', 'operator', 'viewer'] as const satisfies readonly AdminRole[];
export const MIN_PASSWORD_LENGTH = 10;

export interface AdminInput {
  email: string;
  password: string;
  role: string;
}

export interface AdminView {
  id: number;
  email: string;
  role: AdminRole;
  createdAt: Date;
  disabledAt?: Date | null;
}

const ADMIN_SELECT = { id: true, email: true, role: true, createdAt: true, disabledAt: true } as const;

/** Validates the input without touching the database. */
export function checkAdminInput(input: AdminInput): { email: string; password: string; role: AdminRole } {
  // Lower-cased so logins are case-insensitive and one person cannot get two accounts.
  const email = input.email.trim().toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw invalid('email', `must be an email address, got "${input.email}"`);
  if (input.password.length < MIN_PASSWORD_LENGTH) throw invalid('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  // An upper bound keeps one request from costing seconds of hashing.
  if (input.password.length > 1024) throw invalid('password', 'must be at most 1024 characters');
  return { email, password: input.password, role: oneOf('role', input.role, ADMIN_ROLES) };
}

export async function createAdmin(prisma: PrismaClient, input: AdminInput, actor: string): Promise<AdminView> {
  const { email, password, role } = checkAdminInput(input);
  const passwordHash = await hashPassword(password);
  try {
    return await prisma.$transaction(async (tx) => {
      const admin = await tx.adminUser.create({
        data: { email, passwordHash, role },
        select: ADMIN_SELECT,
      });
      await recordAudit(tx, { actor, action: 'admin.create', subject: email, details: { id: admin.id, role, after: { role } } });
      return admin;
    });
  } catch (err) {
    if (uniqueViolation(err) === null) throw err;
    throw new ConflictError(`an admin with email ${email} already exists`, 'email');
  }
}

export async function listAdmins(prisma: PrismaClient): Promise<AdminView[]> {
  return prisma.adminUser.findMany({ select: ADMIN_SELECT, orderBy: { email: 'asc' } });
}

export interface AdminChanges {
  role?: string;
  /** true disables (the admin cannot sign in), false enables again. */
  disabled?: boolean;
}

/**
 * Changes an admin's role or disables/enables them. Either ends every session they have (on every
 * instance: sessions live in the database), so the new rights apply from their next sign-in. An
 * admin cannot lower or disable themselves, and the last enabled admin cannot lose that role.
 */
export async function changeAdmin(prisma: PrismaClient, id: number, changes: AdminChanges, actor: string): Promise<AdminView> {
  const role = changes.role === undefined ? undefined : oneOf('role', changes.role, ADMIN_ROLES);
  if (role === undefined && changes.disabled === undefined) throw new InputError('nothing to change: give role or disabled');
  return prisma.$transaction(async (tx) => {
    // Serialized: two admins demoting each other at once must not leave none.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('netflow_admin_users'))`;
    const before = await tx.adminUser.findUnique({ where: { id }, select: ADMIN_SELECT });
    if (!before) throw new NotFoundError(`no admin with id ${id}`, 'id');
    if (before.email === actor && (changes.disabled === true || (role !== undefined && role !== before.role))) {
      throw new InputError('you cannot change your own role or disable yourself; ask another admin', 'id');
    }
    const losesAdmin =
      before.role === 'admin' && before.disabledAt === null && ((role !== undefined && role !== 'admin') || changes.disabled === true);
    if (losesAdmin) {
      const others = await tx.adminUser.count({ where: { role: 'admin', disabledAt: null, id: { not: id } } });
      if (others === 0) throw new ConflictError('this is the last enabled admin; make another admin first', 'id');
    }
    const disabledAt = changes.disabled === undefined ? before.disabledAt : changes.disabled ? (before.disabledAt ?? new Date()) : null;
    const after = await tx.adminUser.update({ where: { id }, data: { ...(role ? { role } : {}), disabledAt }, select: ADMIN_SELECT });
    const ended = await tx.adminSession.deleteMany({ where: { adminId: id } });
    await recordAudit(tx, {
      actor,
      action:
        changes.disabled === true ? 'admin.disable' : changes.disabled === false && role === undefined ? 'admin.enable' : 'admin.change',
      subject: after.email,
      details: {
        id,
        before: { role: before.role, disabled: before.disabledAt !== null },
        after: { role: after.role, disabled: after.disabledAt !== null },
        sessionsEnded: ended.count,
      },
    });
    return after;
  });
}

/** Sets a new password (and ends the admin's sessions: whoever knew the old one is signed out). */
export async function resetAdminPassword(prisma: PrismaClient, id: number, password: string, actor: string): Promise<AdminView> {
  const { password: checked } = checkAdminInput({ email: 'x@example.org', password, role: 'viewer' });
  const passwordHash = await hashPassword(checked);
  return prisma.$transaction(async (tx) => {
    const before = await tx.adminUser.findUnique({ where: { id }, select: ADMIN_SELECT });
    if (!before) throw new NotFoundError(`no admin with id ${id}`, 'id');
    const after = await tx.adminUser.update({ where: { id }, data: { passwordHash }, select: ADMIN_SELECT });
    const ended = await tx.adminSession.deleteMany({ where: { adminId: id } });
    await recordAudit(tx, {
      actor,
      action: 'admin.password_reset',
      subject: after.email,
      details: { id, before: { password: 'old' }, after: { password: 'new' }, sessionsEnded: ended.count },
    });
    return after;
  });
}
