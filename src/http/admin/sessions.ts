// /api/v1/admin/sessions: hotspot sessions as the routers report them. Reading: every role;
// ending one (Disconnect-Request) or moving its code to another package (CoA): operator. The work
// and its audit are src/admin/sessions.ts, shared with `netflow session …`. Live updates:
// ./session-events.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { NotFoundError } from '../../core/errors.js';
import {
  changeSessionPackage,
  endSession,
  findSession,
  findSessions,
  waitForActions,
  type SessionView as SessionRecord,
} from '../../admin/sessions.js';
import { adminErrorResponses, BigIdParams } from '../schemas/admin.js';
import {
  ChangePackageBody,
  EnforcementAnswer,
  SessionOne,
  SessionPage,
  SessionQuery,
  type SessionView,
} from '../schemas/admin-sessions.js';

export const shownSession = (s: SessionRecord): SessionView => ({
  ...s,
  id: String(s.id),
  startedAt: s.startedAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
  stoppedAt: s.stoppedAt?.toISOString() ?? null,
  bytesUp: String(s.bytesUp),
  bytesDown: String(s.bytesDown),
});

/** How long an end / package change waits for the router's answer before answering "pending". */
const WAIT_FOR_ROUTER_MS = 3000;

export const sessionsPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  app.get(
    '/sessions',
    { config: { role: 'viewer' }, schema: { querystring: SessionQuery, response: { 200: SessionPage, ...adminErrorResponses } } },
    async (req) => {
      const q = req.query;
      const page = await findSessions(prisma, {
        ...q,
        from: q.from === undefined ? undefined : new Date(q.from),
        to: q.to === undefined ? undefined : new Date(q.to),
      });
      return { sessions: page.sessions.map(shownSession), nextBefore: page.nextBefore };
    },
  );

  app.get(
    '/sessions/:id',
    { config: { role: 'viewer' }, schema: { params: BigIdParams, response: { 200: SessionOne, ...adminErrorResponses } } },
    async (req) => {
      const s = await findSession(prisma, BigInt(req.params.id));
      if (!s) throw new NotFoundError(`session ${req.params.id} not found`, 'id');
      return { session: shownSession(s) };
    },
  );

  const answer = async (r: { sessionId: bigint; actionIds: bigint[]; package?: string; expiresAt?: Date | null }) => ({
    sessionId: String(r.sessionId),
    actions: (await waitForActions(prisma, r.actionIds, WAIT_FOR_ROUTER_MS)).map((a) => ({ ...a, id: String(a.id) })),
    ...(r.package === undefined ? {} : { package: r.package, expiresAt: r.expiresAt?.toISOString() ?? null }),
  });

  app.post(
    '/sessions/:id/end',
    { config: { role: 'operator' }, schema: { params: BigIdParams, response: { 200: EnforcementAnswer, ...adminErrorResponses } } },
    async (req) => answer(await endSession(prisma, { id: req.params.id }, req.admin!.email)),
  );

  app.post(
    '/sessions/:id/package',
    {
      config: { role: 'operator' },
      schema: { params: BigIdParams, body: ChangePackageBody, response: { 200: EnforcementAnswer, ...adminErrorResponses } },
    },
    async (req) => answer(await changeSessionPackage(prisma, { id: req.params.id, package: req.body.package }, req.admin!.email)),
  );
};
