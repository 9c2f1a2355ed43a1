// /api/v1/admin/admins: dashboard accounts (admin role only). A role change, a disable or a
// password reset ends the account's sessions at once. Work and audit: src/admin/admins.ts, shared
// with `netflow admin create`.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { changeAdmin, createAdmin, listAdmins, resetAdminPassword, type AdminView as AdminRecord } from '../../admin/admins.js';
import { adminErrorResponses, IdParams } from '../schemas/admin.js';
import { AdminCreate, AdminList, AdminOne, AdminPatch, PasswordBody, type AdminView } from '../schemas/admin-accounts.js';

const shown = (a: AdminRecord): AdminView => ({
  id: a.id,
  email: a.email,
  role: a.role,
  createdAt: a.createdAt.toISOString(),
  disabled: (a.disabledAt ?? null) !== null,
  disabledAt: a.disabledAt?.toISOString() ?? null,
});

export const adminsPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  app.get('/admins', { config: { role: 'admin' }, schema: { response: { 200: AdminList, ...adminErrorResponses } } }, async () => ({
    admins: (await listAdmins(prisma)).map(shown),
  }));

  app.post(
    '/admins',
    { config: { role: 'admin' }, schema: { body: AdminCreate, response: { 201: AdminOne, ...adminErrorResponses } } },
    async (req, reply) => reply.code(201).send({ admin: shown(await createAdmin(prisma, req.body, req.admin!.email)) }),
  );

  app.patch(
    '/admins/:id',
    { config: { role: 'admin' }, schema: { params: IdParams, body: AdminPatch, response: { 200: AdminOne, ...adminErrorResponses } } },
    async (req) => ({ admin: shown(await changeAdmin(prisma, req.params.id, req.body, req.admin!.email)) }),
  );

  app.post(
    '/admins/:id/password',
    { config: { role: 'admin' }, schema: { params: IdParams, body: PasswordBody, response: { 200: AdminOne, ...adminErrorResponses } } },
    async (req) => ({ admin: shown(await resetAdminPassword(prisma, req.params.id, req.body.password, req.admin!.email)) }),
  );
};
