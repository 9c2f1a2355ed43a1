// Dashboard sign-in: passwords checked against the scrypt hashes `netflow admin create` stores, and
// sessions kept in PostgreSQL (admin_sessions). The browser holds a random 32-byte token; the table
// holds only its SHA-256, so reading the table signs nobody in. Every NetFlow instance reads the
// same table, so a logout, a role change or a disable ends a session everywhere at once.
import { createHash, randomBytes } from 'node:crypto';
import type { AdminRole, PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { ConflictError, InputError } from '../core/errors.js';
import { checkAdminInput, type AdminView } from './admins.js';
import { hashPassword, verifyPassword } from './passwords.js';

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however active. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 2 * 3600_000, absoluteMs: 24 * 3600_000 };

/** Who is signed in, as every admin route sees it. */
export interface SignedIn {
  adminId: number;
  email: string;
  role: AdminRole;
  csrfToken: string;
  tokenHash: string;
  expiresAt: Date;
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

// Checked against when the email is unknown, so that "no such admin" costs what a wrong password
// costs and the answer time does not tell which emails exist.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

export type LoginOutcome =
  | { ok: true; admin: AdminView }
  | { ok: false; reason: 'unknown_email' | 'wrong_password' | 'disabled' | 'bad_input' };

/** Checks an email and password; the same work (one scrypt) whatever the outcome. */
export async function checkLogin(prisma: PrismaClient, email: string, password: string): Promise<LoginOutcome> {
  const normalized = email.trim().toLowerCase();
  if (password.length > 1024 || normalized.length > 254) {
    await verifyPassword('x', await dummy());
    return { ok: false, reason: 'bad_input' };
  }
  const admin = await prisma.adminUser.findUnique({ where: { email: normalized } });
  if (!admin) {
    await verifyPassword(password, await dummy());
    return { ok: false, reason: 'unknown_email' };
  }
  if (!(await verifyPassword(password, admin.passwordHash))) return { ok: false, reason: 'wrong_password' };
  // Told only to someone who knows the password.
  if (admin.disabledAt !== null) return { ok: false, reason: 'disabled' };
  return { ok: true, admin: { id: admin.id, email: admin.email, role: admin.role, createdAt: admin.createdAt, disabledAt: null } };
}

/** Opens a session; returns the token for the cookie (never stored) and the CSRF token. */
export async function openSession(
  prisma: PrismaClient,
  admin: { id: number },
  policy: SessionPolicy,
  client: { ip?: string; userAgent?: string },
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + policy.absoluteMs);
  await prisma.adminSession.create({
    data: {
      tokenHash: tokenHash(token),
      adminId: admin.id,
      csrfToken,
      expiresAt,
      ip: client.ip?.slice(0, 64) ?? null,
      userAgent: client.userAgent?.slice(0, 256) ?? null,
    },
  });
  return { token, csrfToken, expiresAt };
}

/**
 * The session a token opens, if it is still valid: not past its absolute end, used within the idle
 * time, its admin not disabled. Marks it used (at most once a minute: a write per request would
 * cost more than the minute of idle time it could add).
 */
export async function findSession(prisma: PrismaClient, token: string, policy: SessionPolicy): Promise<SignedIn | null> {
  if (token.length < 20 || token.length > 100) return null;
  const hash = tokenHash(token);
  const rows = await prisma.$queryRaw<
    Array<{ admin_id: number; email: string; role: AdminRole; csrf_token: string; expires_at: Date; stale: boolean }>
  >`
    SELECT s.admin_id, u.email, u.role, s.csrf_token, s.expires_at, s.last_seen_at < now() - interval '1 minute' AS stale
      FROM admin_sessions s JOIN admin_users u ON u.id = s.admin_id
     WHERE s.token_hash = ${hash} AND s.expires_at > now() AND u.disabled_at IS NULL
       AND s.last_seen_at > now() - ${policy.idleMs}::int * interval '1 millisecond'`;
  const row = rows[0];
  if (!row) return null;
  if (row.stale) await prisma.$executeRaw`UPDATE admin_sessions SET last_seen_at = now() WHERE token_hash = ${hash}`;
  return { adminId: row.admin_id, email: row.email, role: row.role, csrfToken: row.csrf_token, tokenHash: hash, expiresAt: row.expires_at };
}

/** Whether a session (by its hash) is still valid, without marking it used (event streams poll this). */
export async function sessionStillValid(prisma: PrismaClient, hash: string, policy: SessionPolicy): Promise<boolean> {
  const rows = await prisma.$queryRaw<Array<{ ok: number }>>`
    SELECT 1 AS ok FROM admin_sessions s JOIN admin_users u ON u.id = s.admin_id
     WHERE s.token_hash = ${hash} AND s.expires_at > now() AND u.disabled_at IS NULL
       AND s.last_seen_at > now() - ${policy.idleMs}::int * interval '1 millisecond'`;
  return rows.length > 0;
}

export async function closeSession(prisma: PrismaClient, hash: string): Promise<void> {
  await prisma.adminSession.deleteMany({ where: { tokenHash: hash } });
}

/** Deletes sessions past their absolute end or idle time (each instance runs it now and then). */
export async function sweepSessions(prisma: PrismaClient, policy: SessionPolicy): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM admin_sessions WHERE expires_at <= now() OR last_seen_at <= now() - ${policy.idleMs}::int * interval '1 millisecond'`;
}

// ---------------------------------------------------------------------------------------------
// First run: a one-time setup token while no admin exists

const SETUP_KEY_PREFIX = 'admin.setup_token.';
/** A setup token is good for a day; a restart while no admin exists prints a new one. */
export const SETUP_TOKEN_HOURS = 24;

export async function adminCount(prisma: PrismaClient): Promise<number> {
  return prisma.adminUser.count();
}

/**
 * When no admin exists: a new one-time setup token, whose hash is kept in the settings table so
 * that whichever instance the setup request reaches accepts it. Null when an admin exists.
 */
export async function issueSetupToken(prisma: PrismaClient): Promise<string | null> {
  if ((await adminCount(prisma)) > 0) return null;
  // Tokens past their day are forgotten (each start while no admin exists adds one).
  await prisma.$executeRaw`
    DELETE FROM settings WHERE key LIKE 'admin.setup\\_token.%' AND updated_at < now() - ${SETUP_TOKEN_HOURS}::int * interval '1 hour'`;
  const token = randomBytes(24).toString('base64url');
  await prisma.setting.create({ data: { key: SETUP_KEY_PREFIX + tokenHash(token), value: { issuedAt: new Date().toISOString() } } });
  return token;
}

/**
 * Creates the first admin with a setup token. Refused once any admin exists (the check and the
 * insert are serialized by a lock, so two setup requests cannot both succeed); every setup token
 * is then deleted.
 */
export async function setupFirstAdmin(
  prisma: PrismaClient,
  input: { token: string; email: string; password: string },
  source: string,
): Promise<AdminView> {
  const { email, password } = checkAdminInput({ email: input.email, password: input.password, role: 'admin' });
  const passwordHash = await hashPassword(password);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('netflow_admin_users'))`;
    if ((await tx.adminUser.count()) > 0) throw new ConflictError('an admin already exists: sign in, or ask an admin for an account');
    const known = await tx.setting.findUnique({ where: { key: SETUP_KEY_PREFIX + tokenHash(input.token) } });
    if (!known || known.updatedAt.getTime() < Date.now() - SETUP_TOKEN_HOURS * 3600_000)
      throw new InputError(
        `the setup token is not valid (tokens last ${SETUP_TOKEN_HOURS} hours): use the one \`netflow serve\` printed in its log, or restart it for a new one`,
        'token',
      );
    const admin = await tx.adminUser.create({ data: { email, passwordHash, role: 'admin' } });
    await tx.setting.deleteMany({ where: { key: { startsWith: SETUP_KEY_PREFIX } } });
    await recordAudit(tx, {
      actor: email,
      action: 'admin.setup',
      subject: email,
      details: { id: admin.id, source, after: { role: 'admin' } },
    });
    return { id: admin.id, email: admin.email, role: admin.role, createdAt: admin.createdAt, disabledAt: null };
  });
}
