// Sign-in for the admin API: POST /login, POST /logout, GET /me, and the first-run setup.
//
// The model: a server-side session (src/admin/sign-in.ts) behind an httpOnly cookie,
// `netflow_admin=<random 32 bytes>`, Path=/api/v1/admin, SameSite=Strict, Secure when the request
// came over TLS (ADMIN_COOKIE_SECURE=always|never overrides; behind a TLS proxy set TRUST_PROXY so
// X-Forwarded-Proto counts). Page scripts cannot read the cookie; other sites cannot send it
// (SameSite=Strict), and every request other than GET must also carry the session's CSRF token in
// X-CSRF-Token, which only our own pages can read (from the login answer or GET /me).
// Login attempts are counted per source address and per account in PostgreSQL (every instance
// shares the counts); a failed login is an audit entry `security.login_failed`.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../config/logger.js';
import type { PrismaClient } from '../../db/generated/client.js';
import { recordAudit } from '../../audit/audit.js';
import {
  adminCount,
  checkLogin,
  closeSession,
  findSession,
  openSession,
  setupFirstAdmin,
  type SessionPolicy,
  type SignedIn,
} from '../../admin/sign-in.js';
import { addressKey } from '../portal-routes.js';
import type { Limit, RateLimiter } from '../rate-limit.js';
import { adminErrorResponses, LoginBody, Me, Ok, SetupBody, SetupState } from '../schemas/admin.js';

export const ADMIN_COOKIE = 'netflow_admin';
export const ADMIN_PATH = '/api/v1/admin';

export interface LoginLimits {
  /** Login attempts per source address (IPv6: per /64). */
  perAddress: Limit;
  /** Login attempts per account (email), from anywhere. */
  perAccount: Limit;
}

const FIFTEEN_MINUTES = 15 * 60_000;
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddress: { limit: 30, windowMs: FIFTEEN_MINUTES },
  perAccount: { limit: 10, windowMs: FIFTEEN_MINUTES },
};

interface AuthDeps {
  prisma: PrismaClient;
  limiter: RateLimiter;
  loginLimits: LoginLimits;
  session: SessionPolicy;
  cookieSecure: 'auto' | 'always' | 'never';
  log?: Logger;
}

/** The session token the request's cookie carries, if any. */
export function sessionToken(req: FastifyRequest): string | null {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === ADMIN_COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** The signed-in admin behind the request's cookie, or null. */
export async function authenticate(req: FastifyRequest, deps: { prisma: PrismaClient; session: SessionPolicy }): Promise<SignedIn | null> {
  const token = sessionToken(req);
  return token ? findSession(deps.prisma, token, deps.session) : null;
}

export function csrfOk(req: FastifyRequest, admin: SignedIn): boolean {
  const header = req.headers['x-csrf-token'];
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(admin.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(req: FastifyRequest, deps: AuthDeps, value: string, maxAgeSeconds: number): string {
  const secure = deps.cookieSecure === 'always' || (deps.cookieSecure === 'auto' && req.protocol === 'https');
  return `${ADMIN_COOKIE}=${value}; Path=${ADMIN_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

const meOf = (
  admin: { adminId: number; email: string; role: SignedIn['role'] },
  csrfToken: string,
  expiresAt: Date,
  policy: SessionPolicy,
) => ({
  admin: { id: admin.adminId, email: admin.email, role: admin.role },
  csrfToken,
  expiresAt: expiresAt.toISOString(),
  idleMinutes: Math.round(policy.idleMs / 60_000),
});

function fail(reply: FastifyReply, status: number, message: string, reason: string, field?: string) {
  return reply.code(status).send({ error: message, message, reason, ...(field ? { field } : {}) });
}

const WRONG = 'Wrong email or password.';

export const authPlugin: FastifyPluginAsyncTypebox<AuthDeps> = async (app, deps) => {
  app.post(
    '/login',
    { config: { role: 'public' }, schema: { body: LoginBody, response: { 200: Me, ...adminErrorResponses } } },
    async (req, reply) => {
      const email = req.body.email.trim().toLowerCase();
      // The address first: guessing across many accounts from one address stops at its limit
      // without creating a counter per made-up email.
      const verdict = await deps.limiter.take(
        [`admin-login-address:${addressKey(req.ip)}`, deps.loginLimits.perAddress],
        [`admin-login-account:${email.slice(0, 254)}`, deps.loginLimits.perAccount],
      );
      if (!verdict.ok) {
        reply.header('retry-after', String(verdict.retryAfterSeconds));
        const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
        return fail(
          reply,
          429,
          `Too many sign-in attempts. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again, or ask an admin to reset your password.`,
          'throttled',
        );
      }
      const outcome = await checkLogin(deps.prisma, email, req.body.password);
      if (!outcome.ok) {
        await recordAudit(deps.prisma, {
          actor: email.slice(0, 254),
          action: 'security.login_failed',
          subject: email.slice(0, 254),
          details: { reason: outcome.reason, ip: req.ip },
        });
        if (outcome.reason === 'disabled') return fail(reply, 403, 'This account is disabled; ask an admin to enable it.', 'disabled');
        return fail(reply, 401, WRONG, 'wrong_credentials');
      }
      const session = await openSession(deps.prisma, outcome.admin, deps.session, {
        ip: req.ip,
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
      });
      await recordAudit(deps.prisma, {
        actor: outcome.admin.email,
        action: 'admin.login',
        subject: outcome.admin.email,
        details: { ip: req.ip },
      });
      reply.header('set-cookie', cookie(req, deps, session.token, Math.floor(deps.session.absoluteMs / 1000)));
      return meOf(
        { adminId: outcome.admin.id, email: outcome.admin.email, role: outcome.admin.role },
        session.csrfToken,
        session.expiresAt,
        deps.session,
      );
    },
  );

  app.post('/logout', { config: { role: 'viewer' }, schema: { response: { 200: Ok, ...adminErrorResponses } } }, async (req, reply) => {
    const admin = req.admin!;
    await closeSession(deps.prisma, admin.tokenHash);
    await recordAudit(deps.prisma, { actor: admin.email, action: 'admin.logout', subject: admin.email });
    reply.header('set-cookie', cookie(req, deps, '', 0));
    return { ok: true as const };
  });

  app.get('/me', { config: { role: 'viewer' }, schema: { response: { 200: Me, ...adminErrorResponses } } }, async (req) => {
    const admin = req.admin!;
    return meOf(admin, admin.csrfToken, admin.expiresAt, deps.session);
  });

  // First run: `netflow serve` prints a one-time setup token while no admin exists.
  app.get('/setup', { config: { role: 'public' }, schema: { response: { 200: SetupState, ...adminErrorResponses } } }, async () => ({
    needed: (await adminCount(deps.prisma)) === 0,
  }));

  app.post(
    '/setup',
    { config: { role: 'public' }, schema: { body: SetupBody, response: { 200: Me, ...adminErrorResponses } } },
    async (req, reply) => {
      const verdict = await deps.limiter.take([`admin-login-address:${addressKey(req.ip)}`, deps.loginLimits.perAddress]);
      if (!verdict.ok) {
        reply.header('retry-after', String(verdict.retryAfterSeconds));
        return fail(reply, 429, 'Too many attempts. Wait a few minutes and try again.', 'throttled');
      }
      const admin = await setupFirstAdmin(deps.prisma, req.body, req.ip);
      const session = await openSession(deps.prisma, admin, deps.session, { ip: req.ip });
      reply.header('set-cookie', cookie(req, deps, session.token, Math.floor(deps.session.absoluteMs / 1000)));
      return meOf({ adminId: admin.id, email: admin.email, role: admin.role }, session.csrfToken, session.expiresAt, deps.session);
    },
  );
};
