// The dashboard's one way to call the admin API (/api/v1/admin): same-origin fetch with the
// session cookie, JSON in and out, and the CSRF header on every request that changes something
// (the token comes from login and from GET /me). Failures are the shared ApiError, so a view can
// show the server's own message (a 403 says which role is needed; a 429 says when to retry).
import { ApiError } from '../shared/api.js';

export { ApiError };

export const ADMIN_BASE = '/api/v1/admin';

export type Role = 'viewer' | 'operator' | 'admin';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` may do what needs `needed` (viewer < operator < admin). */
export function allows(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

export interface Me {
  id: number;
  email: string;
  role: Role;
}

type Method = 'GET' | 'POST' | 'PATCH';

let csrfToken = '';
/** Called when the server says the session is gone (401), so the app shows the login screen. */
let onSignedOut: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function onUnauthorized(handler: () => void): void {
  onSignedOut = handler;
}

export async function call<T>(method: Method, path: string, body?: unknown, timeoutMs = 15_000): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`${ADMIN_BASE}${path}`, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (err) {
    if (controller.signal.aborted) throw new ApiError('timeout', `No answer within ${timeoutMs / 1000} s`);
    throw new ApiError('network', err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(timer);
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const errorBody = parsed && typeof parsed === 'object' ? (parsed as ApiError['body'] & { message?: string }) : null;
    const message = errorBody?.message || errorBody?.error || `HTTP ${response.status}`;
    const error = new ApiError('http', message, response.status, errorBody);
    if (response.status === 401 && path !== '/login') onSignedOut();
    throw error;
  }
  return parsed as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);
export const patch = <T>(path: string, body: unknown) => call<T>('PATCH', path, body);

/** A list from a collection route, whether it answers `[...]` or `{ <key>: [...] }` (with paging fields). */
export function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    const value = (body as Record<string, unknown>)[key] ?? (body as Record<string, unknown>).items;
    if (Array.isArray(value)) return value as T[];
  }
  return [];
}

/** Query string from defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
