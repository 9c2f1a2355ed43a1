// A router's RouterOS side under /api/v1/admin/routers: health (every role), a reconciliation now
// (operator), the API login (admin: it opens the router) and the generated setup script (admin: it
// holds the router's RADIUS secret). The work and its audit are src/admin/router-api.ts and
// src/admin/router-script.ts, shared with `netflow router status|sync|api|script`.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { PrismaClient } from '../../db/generated/client.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { findRouterById } from '../../admin/routers.js';
import { removeRouterApi, routerStatus, setRouterApi, syncRouter, type RouterStatusView } from '../../admin/router-api.js';
import { routerScript, scriptTarget, type ScriptSettings } from '../../admin/router-script.js';
import { RouterApiError } from '../../routers/routeros-client.js';
import { SecretKeyError, type SecretBox } from '../../routers/secret-box.js';
import { adminErrorResponses, IdParams } from '../schemas/admin.js';
import {
  RouterApiBody,
  RouterApiRemoved,
  RouterApiSet,
  RouterStatus,
  RouterStatusList,
  ScriptQuery,
  SyncResult,
} from '../schemas/admin-routers.js';

export interface RouterApiDeps {
  prisma: PrismaClient;
  secretBox: () => Promise<SecretBox>;
  script: ScriptSettings;
}

/** The admin API's error shape (as index.ts's adminFail; not imported from there, which imports this file). */
const fail = (reply: FastifyReply, status: number, message: string, reason: string) =>
  reply.code(status).send({ error: message, message, reason });

const iso = (d: Date | null) => d?.toISOString() ?? null;

function shown(s: RouterStatusView): RouterStatus {
  return {
    ...s,
    checkedAt: iso(s.checkedAt),
    lastRadiusAt: iso(s.lastRadiusAt),
    lastApiAnswerAt: iso(s.lastApiAnswerAt),
    lastSyncAt: iso(s.lastSyncAt),
    lastSync: (s.lastSync ?? null) as RouterStatus['lastSync'],
  };
}

export const routerApiPlugin: FastifyPluginAsyncTypebox<RouterApiDeps> = async (app, { prisma, secretBox, script }) => {
  const routerOf = async (id: number) => {
    const r = await findRouterById(prisma, id);
    if (!r) throw new NotFoundError(`no router with id ${id}`, 'id');
    return r;
  };

  app.get(
    '/routers/status',
    { config: { role: 'viewer' }, schema: { response: { 200: RouterStatusList, ...adminErrorResponses } } },
    async () => ({ routers: (await routerStatus(prisma)).map(shown) }),
  );

  app.get(
    '/routers/:id/status',
    { config: { role: 'viewer' }, schema: { params: IdParams, response: { 200: RouterStatus, ...adminErrorResponses } } },
    async (req) => {
      const [s] = await routerStatus(prisma, (await routerOf(req.params.id)).name);
      return shown(s!);
    },
  );

  app.post(
    '/routers/:id/sync',
    { config: { role: 'operator' }, schema: { params: IdParams, response: { 200: SyncResult, ...adminErrorResponses } } },
    async (req, reply) => {
      const router = await routerOf(req.params.id);
      const has = await prisma.routerApiCredential.findUnique({ where: { routerId: router.id }, select: { routerId: true } });
      if (!has) {
        throw new ConflictError(
          `router "${router.name}" has no RouterOS API credentials: set them first (PUT /api/v1/admin/routers/${router.id}/api)`,
          'api',
        );
      }
      let r: Awaited<ReturnType<typeof syncRouter>>;
      try {
        r = await syncRouter(prisma, router.name, secretBox, req.admin!.email);
      } catch (err) {
        // The router did not answer (or refused the login): the operator's next step is on the router, not here.
        if (err instanceof RouterApiError) {
          return fail(reply, 502, `router "${router.name}" was not reconciled: ${err.message}`, 'router_unreachable');
        }
        if (err instanceof SecretKeyError) {
          return fail(reply, 500, `router "${router.name}" was not reconciled: ${err.message}`, 'secret_key');
        }
        throw err;
      }
      return {
        ...r,
        checkedAt: r.checkedAt.toISOString(),
        closed: r.closed.map((c) => ({ ...c, stoppedAt: c.stoppedAt.toISOString() })),
      };
    },
  );

  app.put(
    '/routers/:id/api',
    {
      config: { role: 'admin' },
      schema: { params: IdParams, body: RouterApiBody, response: { 200: RouterApiSet, ...adminErrorResponses } },
    },
    async (req) => {
      const router = await routerOf(req.params.id);
      return setRouterApi(prisma, router.name, req.body, await secretBox(), req.admin!.email);
    },
  );

  app.delete(
    '/routers/:id/api',
    { config: { role: 'admin' }, schema: { params: IdParams, response: { 200: RouterApiRemoved, ...adminErrorResponses } } },
    async (req) => removeRouterApi(prisma, (await routerOf(req.params.id)).name, req.admin!.email),
  );

  // text/plain, as a file: the operator pastes it into the router's terminal or /import's it.
  app.get(
    '/routers/:id/script',
    { config: { role: 'admin' }, schema: { params: IdParams, querystring: ScriptQuery } },
    async (req, reply) => {
      const router = await routerOf(req.params.id);
      const target = scriptTarget(script, req.query, { portalUrl: '?portalUrl=', netflowAddress: '?netflowAddress=' });
      const r = await routerScript(prisma, router.name, target, script, { downloadedBy: req.admin!.email });
      const file = `netflow-${r.router.replace(/[^A-Za-z0-9._-]/g, '_')}.rsc`;
      return reply.type('text/plain; charset=utf-8').header('content-disposition', `attachment; filename="${file}"`).send(r.script);
    },
  );
};
