// /api/v1/admin/packages: what guests buy. Reading: every role; adding, editing, disabling: admin.
// The work and its audit are src/admin/packages.ts, shared with `netflow package …`.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { NotFoundError } from '../../core/errors.js';
import { addPackage, changePackage, findPackage, listPackages, type PackageView as PackageRecord } from '../../admin/packages.js';
import { adminErrorResponses, IdParams } from '../schemas/admin.js';
import { PackageCreate, PackageList, PackageOne, PackagePatch, type PackageView } from '../schemas/admin-catalog.js';

export const shownPackage = (p: PackageRecord): PackageView => ({
  id: p.id,
  name: p.name,
  minutes: p.minutes,
  priceMinor: String(p.priceMinor),
  currency: p.currency,
  price: p.price,
  rateLimit: `${p.rateLimitUp}/${p.rateLimitDown}`,
  dataCapBytes: p.dataCapBytes === null ? null : String(p.dataCapBytes),
  devices: p.devicesAllowed,
  idleTimeoutSeconds: p.idleTimeoutSeconds,
  clock: p.clockStartsAt === 'first_login' ? 'first-login' : 'purchase',
  active: p.active,
  createdAt: p.createdAt.toISOString(),
});

export const packagesPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  app.get('/packages', { config: { role: 'viewer' }, schema: { response: { 200: PackageList, ...adminErrorResponses } } }, async () => ({
    packages: (await listPackages(prisma)).map(shownPackage),
  }));

  app.get(
    '/packages/:id',
    { config: { role: 'viewer' }, schema: { params: IdParams, response: { 200: PackageOne, ...adminErrorResponses } } },
    async (req) => {
      const p = await findPackage(prisma, req.params.id);
      if (!p) throw new NotFoundError(`no package with id ${req.params.id}`, 'id');
      return { package: shownPackage(p) };
    },
  );

  app.post(
    '/packages',
    { config: { role: 'admin' }, schema: { body: PackageCreate, response: { 201: PackageOne, ...adminErrorResponses } } },
    async (req, reply) => reply.code(201).send({ package: shownPackage(await addPackage(prisma, req.body, req.admin!.email)) }),
  );

  app.patch(
    '/packages/:id',
    { config: { role: 'admin' }, schema: { params: IdParams, body: PackagePatch, response: { 200: PackageOne, ...adminErrorResponses } } },
    async (req) => ({ package: shownPackage(await changePackage(prisma, req.params.id, req.body, req.admin!.email)) }),
  );
};
