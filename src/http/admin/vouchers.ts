// /api/v1/admin/vouchers: prepaid voucher batches. Listing batches (counts only): every role; the
// codes themselves (list, CSV, printable sheet), creating and revoking: operator. Work and audit:
// src/admin/vouchers.ts; files rendered by src/admin/voucher-export.ts, as the CLI renders them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../db/generated/client.js';
import { NotFoundError } from '../../core/errors.js';
import {
  createVouchers,
  exportVoucherBatch,
  listVoucherBatches,
  listVouchers,
  revokeVouchers,
  type VoucherBatchView as BatchRecord,
} from '../../admin/vouchers.js';
import { voucherCsv, voucherSheetHtml } from '../../admin/voucher-export.js';
import { adminErrorResponses, IdParams } from '../schemas/admin.js';
import {
  CodeParams,
  RevokeBody,
  Revoked,
  SheetQuery,
  VoucherBatchDetail,
  VoucherBatchList,
  VoucherCreate,
  VoucherCreated,
  type VoucherBatchView,
} from '../schemas/admin-money.js';

const shownBatch = (b: BatchRecord): VoucherBatchView => ({
  ...b,
  validUntil: b.validUntil?.toISOString() ?? null,
  createdAt: b.createdAt.toISOString(),
});

export const vouchersPlugin: FastifyPluginAsyncTypebox<{ prisma: PrismaClient }> = async (app, { prisma }) => {
  const batchOf = async (id: number) => {
    const batch = (await listVoucherBatches(prisma)).find((b) => b.id === id);
    if (!batch) throw new NotFoundError(`no voucher batch ${id}`, 'id');
    return batch;
  };

  app.get(
    '/vouchers/batches',
    { config: { role: 'viewer' }, schema: { response: { 200: VoucherBatchList, ...adminErrorResponses } } },
    async () => ({ batches: (await listVoucherBatches(prisma)).map(shownBatch) }),
  );

  app.post(
    '/vouchers/batches',
    { config: { role: 'operator' }, schema: { body: VoucherCreate, response: { 201: VoucherCreated, ...adminErrorResponses } } },
    async (req, reply) => {
      const r = await createVouchers(prisma, req.body, req.admin!.email);
      return reply.code(201).send({ ...r, validUntil: r.validUntil?.toISOString() ?? null });
    },
  );

  app.get(
    '/vouchers/batches/:id',
    { config: { role: 'operator' }, schema: { params: IdParams, response: { 200: VoucherBatchDetail, ...adminErrorResponses } } },
    async (req) => {
      const batch = await batchOf(req.params.id);
      const vouchers = await listVouchers(prisma, { batchId: batch.id });
      return {
        batch: shownBatch(batch),
        vouchers: vouchers.map((v) => ({
          ...v,
          startsAt: v.startsAt?.toISOString() ?? null,
          expiresAt: v.expiresAt?.toISOString() ?? null,
          createdAt: v.createdAt.toISOString(),
        })),
      };
    },
  );

  app.get('/vouchers/batches/:id/csv', { config: { role: 'operator' }, schema: { params: IdParams } }, async (req, reply) => {
    const data = await exportVoucherBatch(prisma, req.params.id, 'csv', req.admin!.email);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="vouchers-batch-${data.batchId}.csv"`)
      .send(voucherCsv(data));
  });

  app.get(
    '/vouchers/batches/:id/sheet',
    { config: { role: 'operator' }, schema: { params: IdParams, querystring: SheetQuery } },
    async (req, reply) => {
      const data = await exportVoucherBatch(prisma, req.params.id, 'html', req.admin!.email);
      // The sheet's own CSP (inline style only) replaces the API's.
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(voucherSheetHtml(data, { site: req.query.site }));
    },
  );

  app.post(
    '/vouchers/batches/:id/revoke',
    { config: { role: 'operator' }, schema: { params: IdParams, body: RevokeBody, response: { 200: Revoked, ...adminErrorResponses } } },
    async (req) => revokeVouchers(prisma, { batchId: req.params.id }, req.body.reason ?? '', req.admin!.email),
  );

  app.post(
    '/vouchers/:code/revoke',
    { config: { role: 'operator' }, schema: { params: CodeParams, body: RevokeBody, response: { 200: Revoked, ...adminErrorResponses } } },
    async (req) => revokeVouchers(prisma, { code: req.params.code }, req.body.reason ?? '', req.admin!.email),
  );
};
