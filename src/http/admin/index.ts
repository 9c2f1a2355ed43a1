// The admin face (the operators' dashboard API), registered by src/http/app.ts under /api/v1/admin.
// Encapsulated: its hooks (sign-in, roles, CSRF) and error shape touch nothing outside it.
//
// Every route declares the least role it needs in its options, `config: { role: 'viewer' }`
// ('operator', 'admin', or 'public' for the sign-in routes); registering a route without one fails
// at start. One onRequest hook enforces it: no valid session → 401, a lower role → 403, a request
// other than GET/HEAD without the session's X-CSRF-Token → 403. Resources, one file each:
//   auth.ts (login, logout, me, setup)   routers.ts   packages.ts   sessions.ts (+ session-events.ts)
//   payments.ts   vouchers.ts   admins.ts   settings.ts   audit.ts (audit log, security events)
//   reports.ts (GET /reports/:name; src/reports) registers itself here too.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, InputError, NotFoundError } from '../../core/errors.js';
import type { Logger } from '../../config/logger.js';
import type pg from 'pg';
import type { PrismaClient } from '../../db/generated/client.js';
import type { SessionPolicy, SignedIn } from '../../admin/sign-in.js';
import type { RateLimiter } from '../rate-limit.js';
import { authPlugin, authenticate, csrfOk, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './auth.js';
import { adminsPlugin } from './admins.js';
import { auditPlugin } from './audit.js';
import { packagesPlugin } from './packages.js';
import { paymentsPlugin } from './payments.js';
import { requireRouteRoles, ROLE_RANK, type AdminRoute, type RouteRole } from './roles.js';
import { routersPlugin } from './routers.js';
import { routerStatusPlugin } from './router-status.js';
import { sessionEventsPlugin, type SessionEventsOptions } from './session-events.js';
import { sessionsPlugin } from './sessions.js';
import { settingsPlugin } from './settings.js';
import { vouchersPlugin } from './vouchers.js';
import { reportsPlugin } from './reports.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs; 'public': no session (login, setup). */
    role?: RouteRole;
  }
  interface FastifyRequest {
    /** The signed-in admin (null on public routes). */
    admin: SignedIn | null;
  }
}

export interface AdminDeps {
  prisma: PrismaClient;
  /** The hot-path pool (the reports run their SQL on it). */
  pool?: pg.Pool;
  /** Login throttling, counted in the database every instance shares (src/http/rate-limit.ts). */
  limiter: RateLimiter;
  loginLimits?: Partial<LoginLimits>;
  session: SessionPolicy;
  /** The session cookie's Secure flag: auto = when the request came over TLS. */
  cookieSecure: 'auto' | 'always' | 'never';
  /** For LISTEN (live sessions); without it the event stream is not offered. */
  databaseUrl?: string;
  events?: SessionEventsOptions;
  log?: Logger;
  /** Filled with every route registered (method, url, role): the role-matrix test walks it. */
  routes?: AdminRoute[];
}

export type { AdminRoute } from './roles.js';

/** Sends an admin API error ({ error, message, reason, field }). */
export function adminFail(reply: FastifyReply, status: number, message: string, reason: string, field?: string) {
  return reply.code(status).send({ error: message, message, reason, ...(field ? { field } : {}) });
}

export const adminPlugin: FastifyPluginAsyncTypebox<AdminDeps> = async (app, options) => {
  // The register options minus the prefix (passed on, it would prefix the child plugins again).
  const { routes = [], prefix: _prefix, ...deps } = options as typeof options & { prefix?: string };
  app.decorateRequest('admin', null);

  requireRouteRoles(app, routes);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const role = req.routeOptions.config.role;
    if (role === undefined) return adminFail(reply, 404, 'Not found.', 'not_found');
    if (role === 'public') return;
    const admin = await authenticate(req, deps);
    if (!admin)
      return adminFail(
        reply,
        401,
        'Sign in first (POST /api/v1/admin/login); your session has ended or was never started.',
        'unauthenticated',
      );
    if (ROLE_RANK[admin.role] < ROLE_RANK[role]) {
      return adminFail(reply, 403, `This needs the ${role} role; you are signed in as ${admin.role}.`, 'forbidden');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && !csrfOk(req, admin)) {
      return adminFail(reply, 403, 'Missing or wrong X-CSRF-Token header: send the csrfToken from POST /login or GET /me.', 'csrf');
    }
    req.admin = admin;
  });

  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number }, req, reply) => {
    if (err.validation) return adminFail(reply, 400, err.message, 'invalid');
    if (err instanceof NotFoundError) return adminFail(reply, 404, err.message, 'not_found', (err as NotFoundError).field);
    if (err instanceof ConflictError) return adminFail(reply, 409, err.message, 'conflict', (err as ConflictError).field);
    if (err instanceof InputError) return adminFail(reply, 400, err.message, 'invalid', (err as InputError).field);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status !== 500) return adminFail(reply, status, err.message, 'invalid');
    const fields = { requestId: req.id, method: req.method, route: req.routeOptions.url ?? null, error: err.message, stack: err.stack };
    if (deps.log?.pino) req.log.error(fields, 'http request failed');
    else deps.log?.error('http request failed', fields);
    return reply
      .code(500)
      .header('x-request-id', req.id)
      .send({ error: 'Internal error; it has been logged.', message: 'Internal error; it has been logged.', requestId: req.id });
  });

  // Nothing an admin sees is for caches.
  app.addHook('onSend', async (_req, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await app.register(authPlugin, { ...deps, loginLimits: { ...DEFAULT_LOGIN_LIMITS, ...deps.loginLimits } });
  await app.register(routersPlugin, deps);
  await app.register(routerStatusPlugin, deps);
  await app.register(packagesPlugin, deps);
  await app.register(sessionsPlugin, deps);
  if (deps.databaseUrl) await app.register(sessionEventsPlugin, { ...deps, databaseUrl: deps.databaseUrl });
  await app.register(paymentsPlugin, deps);
  await app.register(vouchersPlugin, deps);
  await app.register(adminsPlugin, deps);
  await app.register(settingsPlugin, deps);
  await app.register(auditPlugin, deps);
  if (deps.pool) await app.register(reportsPlugin, { pool: deps.pool });
};
