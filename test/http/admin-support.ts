// Helpers for the admin API tests: accounts of each role, signing in through POST /login, and
// requests carrying the session cookie and CSRF token as a browser would.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Database } from '../../src/db/database.js';
import { createAdmin } from '../../src/admin/admins.js';

export const PASSWORD = 'correct horse battery';
export type Role = 'admin' | 'operator' | 'viewer';

export interface Signed {
  email: string;
  cookie: string;
  csrf: string;
}

export async function makeAdmin(db: Database, email: string, role: Role, password = PASSWORD) {
  return createAdmin(db.prisma, { email, password, role }, 'cli');
}

/** The session cookie's name=value out of a Set-Cookie header. */
export function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const line = Array.isArray(header) ? header[0] : String(header ?? '');
  return line.split(';')[0];
}

export async function signIn(app: FastifyInstance, email: string, password = PASSWORD, remoteAddress?: string): Promise<Signed> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/admin/login', payload: { email, password }, remoteAddress });
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
  return { email, cookie: cookieOf(res), csrf: res.json().csrfToken };
}

export function call(
  app: FastifyInstance,
  method: string,
  url: string,
  as: Signed | null,
  payload?: unknown,
  options: { csrf?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  if (as) headers.cookie = as.cookie;
  const csrf = options.csrf === undefined ? as?.csrf : options.csrf;
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  return app.inject({
    method: method as 'GET',
    url: `/api/v1/admin${url}`,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}
