// Dashboard accounts. Passwords are stored only as scrypt hashes (see passwords.ts).
import type { AdminRole, PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { ConflictError, invalid, uniqueViolation } from '../core/errors.js';
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
}

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
        select: { id: true, email: true, role: true, createdAt: true },
      });
      await recordAudit(tx, { actor, action: 'admin.create', subject: email, details: { id: admin.id, role } });
      return admin;
    });
  } catch (err) {
    if (uniqueViolation(err) === null) throw err;
    throw new ConflictError(`an admin with email ${email} already exists`, 'email');
  }
}
