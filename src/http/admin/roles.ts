// Admin roles: viewer (reads everything), operator (also acts on sessions, vouchers, payments),
// admin (everything: routers, packages, admins, settings). 'public' marks the sign-in routes.
export type RouteRole = 'public' | 'viewer' | 'operator' | 'admin';

export const ROLE_RANK: Readonly<Record<RouteRole, number>> = { public: 0, viewer: 1, operator: 2, admin: 3 };
