// /api/v1/admin/payments: mobile-money payments. Reading: every role; resolving a payment held for
// review (with what was done about it): operator. Work and audit: src/admin/payments.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { NotFoundError } from '../../core/errors.js';
import { findPayment, findPayments, resolvePaymentReview, type PaymentView as PaymentRecord } from '../../admin/payments.js';
import { adminErrorResponses } from '../schemas/admin.js';
import { PaymentIdParams, PaymentOne, PaymentPage, PaymentQuery, ResolveBody, type PaymentView } from '../schemas/admin-money.js';

const shown = (p: PaymentRecord): PaymentView => ({
  ...p,
  createdAt: p.createdAt.toISOString(),
  paidAt: p.paidAt?.toISOString() ?? null,
  reviewedAt: p.reviewedAt?.toISOString() ?? null,
  reviewedBy: p.reviewedBy ?? null,
  reviewNote: p.reviewNote ?? null,
});

export const paymentsPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  app.get(
    '/payments',
    { config: { role: 'viewer' }, schema: { querystring: PaymentQuery, response: { 200: PaymentPage, ...adminErrorResponses } } },
    async (req) => {
      const q = req.query;
      const page = await findPayments(prisma, {
        ...q,
        from: q.from === undefined ? undefined : new Date(q.from),
        to: q.to === undefined ? undefined : new Date(q.to),
      });
      return { payments: page.payments.map(shown), total: page.total };
    },
  );

  app.get(
    '/payments/:id',
    { config: { role: 'viewer' }, schema: { params: PaymentIdParams, response: { 200: PaymentOne, ...adminErrorResponses } } },
    async (req) => {
      const p = await findPayment(prisma, req.params.id);
      if (!p) throw new NotFoundError(`no payment with id ${req.params.id}`, 'id');
      return { payment: shown(p) };
    },
  );

  app.post(
    '/payments/:id/resolve',
    {
      config: { role: 'operator' },
      schema: { params: PaymentIdParams, body: ResolveBody, response: { 200: PaymentOne, ...adminErrorResponses } },
    },
    async (req) => ({ payment: shown(await resolvePaymentReview(prisma, req.params.id, req.body.reason, req.admin!.email)) }),
  );
};
