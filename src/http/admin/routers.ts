// /api/v1/admin/routers: the MikroTik routers (RADIUS clients). Reading: every role (operators
// watch router status); adding, editing, disabling and rotating secrets: admin. The work and its
// audit are src/admin/routers.ts, shared with `netflow router …`.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { InputError, NotFoundError } from '../../core/errors.js';
import {
  addRouter,
  changeRouter,
  findRouterById,
  generateSecret,
  listRouters,
  rotateRouterSecret,
  type RouterView as RouterRecord,
} from '../../admin/routers.js';
import { adminErrorResponses, IdParams } from '../schemas/admin.js';
import {
  type RotateSecretBody,
  RouterChanged,
  RouterCreate,
  RouterList,
  RouterPatch,
  RouterView,
  RouterWithSecret,
} from '../schemas/admin-catalog.js';

async function openSessionCounts(prisma: PrismaClient): Promise<Map<number, number>> {
  const rows = await prisma.accountingSession.groupBy({ by: ['routerId'], where: { status: 'open' }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.routerId, r._count._all]));
}

const shown = (r: RouterRecord, open: Map<number, number>): RouterView => ({
  ...r,
  messageAuthenticatorSeenAt: r.messageAuthenticatorSeenAt?.toISOString() ?? null,
  lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
  openSessions: open.get(r.id) ?? 0,
});

export const routersPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  const nameOf = async (id: number) => {
    const r = await findRouterById(prisma, id);
    if (!r) throw new NotFoundError(`no router with id ${id}`, 'id');
    return r.name;
  };

  app.get('/routers', { config: { role: 'viewer' }, schema: { response: { 200: RouterList, ...adminErrorResponses } } }, async () => {
    const [routers, open] = await Promise.all([listRouters(prisma), openSessionCounts(prisma)]);
    return { routers: routers.map((r) => shown(r, open)) };
  });

  app.get(
    '/routers/:id',
    { config: { role: 'viewer' }, schema: { params: IdParams, response: { 200: RouterView, ...adminErrorResponses } } },
    async (req) => {
      const r = await findRouterById(prisma, req.params.id);
      if (!r) throw new NotFoundError(`no router with id ${req.params.id}`, 'id');
      return shown(r, await openSessionCounts(prisma));
    },
  );

  app.post(
    '/routers',
    { config: { role: 'admin' }, schema: { body: RouterCreate, response: { 201: RouterWithSecret, ...adminErrorResponses } } },
    async (req, reply) => {
      const secret = req.body.secret ?? generateSecret();
      const r = await addRouter(prisma, { ...req.body, secret }, req.admin!.email);
      return reply.code(201).send({ router: shown(r, new Map()), secret });
    },
  );

  app.patch(
    '/routers/:id',
    {
      config: { role: 'admin' },
      schema: { params: IdParams, body: RouterPatch, response: { 200: RouterChanged, ...adminErrorResponses } },
    },
    async (req) => {
      const { revokedTestMoneyCodes, ...r } = await changeRouter(prisma, await nameOf(req.params.id), req.body, req.admin!.email);
      return { router: shown(r, await openSessionCounts(prisma)), revokedTestMoneyCodes };
    },
  );

  app.post(
    '/routers/:id/rotate-secret',
    {
      config: { role: 'admin' },
      // The body is optional (no body: a random secret), so it is checked here, not by a body schema.
      schema: { params: IdParams, response: { 200: RouterWithSecret, ...adminErrorResponses } },
    },
    async (req) => {
      const body = (req.body ?? {}) as RotateSecretBody;
      if (typeof body !== 'object' || (body.secret !== undefined && typeof body.secret !== 'string')) {
        throw new InputError('secret must be a string (or leave the body out for a random one)', 'secret');
      }
      const { secret, ...r } = await rotateRouterSecret(prisma, await nameOf(req.params.id), req.admin!.email, body.secret);
      return { router: shown(r, await openSessionCounts(prisma)), secret };
    },
  );
};
