// GET /api/v1/admin/routers/status: every router's health (role viewer: operators and viewers
// watch it), from src/admin/router-api.ts as `netflow router status` prints it. "up" is one
// answer for the dashboard: the RouterOS API's last check where credentials are set, else whether
// the router was heard from in the last 10 minutes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { routerStatus } from '../../admin/router-api.js';
import { adminErrorResponses } from '../schemas/admin.js';
import { RouterStatusList } from '../schemas/admin-router-status.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const routerStatusPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  app.get(
    '/routers/status',
    { config: { role: 'viewer' }, schema: { response: { 200: RouterStatusList, ...adminErrorResponses } } },
    async () => {
      const [statuses, ids] = await Promise.all([routerStatus(prisma), prisma.router.findMany({ select: { id: true, name: true } })]);
      const idOf = new Map(ids.map((r) => [r.name, r.id]));
      return {
        routers: statuses.map((s) => ({
          id: idOf.get(s.name) ?? 0,
          name: s.name,
          api: s.api,
          reachable: s.reachable,
          checkedAt: iso(s.checkedAt),
          error: s.error,
          identity: s.identity,
          version: s.version,
          uptime: s.uptime,
          drift: s.drift,
          lastRadiusAt: iso(s.lastRadiusAt),
          lastApiAnswerAt: iso(s.lastApiAnswerAt),
          unseen: s.unseen,
          up: s.reachable ?? !s.unseen,
        })),
      };
    },
  );
};
