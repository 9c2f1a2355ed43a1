// /api/v1/admin/audit and /api/v1/admin/security-events: the audit log (append-only in the
// database), newest first, paged by id. Security events are its security.* and alert.* rows
// (failed logins, unauthorized hotspot users, routers unseen…). Every role may read them. Also
// GET /overview, the dashboard's first screen (counts drawn from the same tables).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { findAudit, type AuditQuery as Query } from '../../admin/audit-log.js';
import { overview } from '../../admin/overview.js';
import { adminErrorResponses } from '../schemas/admin.js';
import { AuditPage, AuditQuery, OverviewView } from '../schemas/admin-accounts.js';

export const SECURITY_PREFIXES = ['security.', 'alert.'];

export const auditPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  const page = async (q: AuditQuery, extra: Partial<Query> = {}) => {
    const r = await findAudit(prisma, {
      ...q,
      from: q.from === undefined ? undefined : new Date(q.from),
      to: q.to === undefined ? undefined : new Date(q.to),
      ...extra,
    });
    return { entries: r.entries.map((e) => ({ ...e, id: String(e.id), at: e.at.toISOString() })), nextBefore: r.nextBefore };
  };

  app.get(
    '/audit',
    { config: { role: 'viewer' }, schema: { querystring: AuditQuery, response: { 200: AuditPage, ...adminErrorResponses } } },
    async (req) => page(req.query),
  );

  // The dashboard's first screen: online now, mobile money today, payments to review, recent alerts.
  app.get('/overview', { config: { role: 'viewer' }, schema: { response: { 200: OverviewView, ...adminErrorResponses } } }, async () =>
    overview(prisma),
  );

  app.get(
    '/security-events',
    { config: { role: 'viewer' }, schema: { querystring: AuditQuery, response: { 200: AuditPage, ...adminErrorResponses } } },
    async (req) => page(req.query, { prefixes: SECURITY_PREFIXES }),
  );
};
