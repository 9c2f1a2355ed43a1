// The admin face (the operators' dashboard API), registered by src/http/app.ts under /api/v1/admin.
// What will land here: sign-in for admin_users (sessions, roles admin/operator/viewer), then JSON
// routes over what the CLI does today (src/admin/*: routers, packages, vouchers, sessions,
// payments, audit log), each with request and response schemas in src/http/schemas/admin*.ts for
// the web/ dashboard to import, and app.inject() tests in test/http/. Every route declares its
// minimum role (config.role). Everything registered in this plugin stays inside it (encapsulation):
// its auth hook will not touch the portal or callbacks.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { reportsPlugin } from './reports.js';

/** What the admin face needs: the database pool (reports). */
export interface AdminDeps {
  pool?: pg.Pool;
}

export const adminPlugin: FastifyPluginAsyncTypebox<AdminDeps> = async (app, deps) => {
  if (deps.pool) await app.register(reportsPlugin, { pool: deps.pool });
};
