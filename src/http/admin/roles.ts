import type { FastifyInstance } from 'fastify';

// Admin roles: viewer (reads everything), operator (also acts on sessions, vouchers, payments),
// admin (everything: routers, packages, admins, settings). 'public' marks the sign-in routes.
export type RouteRole = 'public' | 'viewer' | 'operator' | 'admin';

export const ROLE_RANK: Readonly<Record<RouteRole, number>> = { public: 0, viewer: 1, operator: 2, admin: 3 };

/** A registered admin route: what the role matrix test walks. */
export interface AdminRoute {
  method: string;
  url: string;
  role: RouteRole;
}

/**
 * Every route registered in `app` (and the plugins inside it) must say who may call it; one that
 * does not stops NetFlow from starting. Each is added to `routes` (HEAD, Fastify's copy of a GET,
 * is left out).
 */
export function requireRouteRoles(app: FastifyInstance, routes: AdminRoute[]): void {
  app.addHook('onRoute', (route) => {
    const role = (route.config as { role?: unknown } | undefined)?.role;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (typeof role !== 'string' || !(role in ROLE_RANK)) {
      throw new Error(
        `admin route ${methods.join(',')} ${route.url} declares no role: add config: { role: 'viewer' | 'operator' | 'admin' }`,
      );
    }
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url, role: role as RouteRole });
  });
}
