// The admin face (the operators' dashboard API), registered by src/http/app.ts under /api/v1/admin.
// Nothing lands here yet. What will: sign-in for admin_users (sessions, roles admin/operator/viewer),
// then JSON routes over what the CLI does today (src/admin/*: routers, packages, vouchers, sessions,
// payments, audit log), each with request and response schemas in src/http/schemas/admin.ts for
// the web/ dashboard to import, and app.inject() tests in test/http/. Everything registered in this
// plugin stays inside it (encapsulation): its auth hook will not touch the portal or callbacks.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** What the admin face will need (the database, the session store…); nothing yet. */
export type AdminDeps = object;

export const adminPlugin: FastifyPluginAsyncTypebox<AdminDeps> = async () => {
  // Intentionally empty (see above).
};
