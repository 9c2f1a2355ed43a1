// Prepaid voucher codes. Each voucher is an entitlement (code = User-Name = password) whose
// clock starts at first login, so a printed voucher keeps its full time until someone uses it.
import type { PrismaClient } from '../db/generated/client.js';
import { codeStates, voucherStatus, type VoucherStatus } from '../entitlements/state.js';
import { createVoucherEntitlements } from '../entitlements/create.js';
import { recordAudit } from '../audit/audit.js';
import { InputError, invalid, uniqueViolation, NotFoundError } from '../core/errors.js';
import { wholeNumber } from '../core/validate.js';
import type { VoucherExport } from './voucher-export.js';

export const MAX_VOUCHERS_PER_BATCH = 10_000;
/** Redeem-by at most ten years ahead: further is a typo, and "no limit" is leaving it out. */
export const MAX_VALID_DAYS = 3650;

export interface VoucherInput {
  /** Package name. */
  package: string;
  count: number;
  /** Printed before the random part, e.g. a site tag; letters and digits. */
  prefix?: string;
  /** Random characters per code (default 8: 31^8 ≈ 8.5·10^11 possibilities). */
  length?: number;
  /** Days to redeem (first login) in, counted to the end of the last day; absent: no limit. */
  validDays?: number;
}

export interface VoucherBatchResult {
  batchId: number;
  package: string;
  prefix: string;
  codeLength: number;
  /** Redeem-by: a voucher not used by then is refused (null: no limit). */
  validUntil: Date | null;
  codes: string[];
}

export interface VoucherView {
  code: string;
  package: string;
  batchId: number;
  status: VoucherStatus;
  startsAt: Date | null;
  expiresAt: Date | null;
  createdAt: Date;
}

/**
 * The end (23:59:59.999, server time) of the day `days` after `now`: a printed "valid until"
 * date then means the whole of that day.
 */
export function validUntilFor(days: number, now = new Date()): Date {
  const d = new Date(now);
  d.setDate(d.getDate() + days); // calendar days, so a DST change does not shift the hour
  d.setHours(23, 59, 59, 999);
  return d;
}

/** Validates the input that needs no database (the package is looked up when creating). */
export function checkVoucherInput(input: VoucherInput) {
  const packageName = input.package.trim();
  if (packageName === '') throw invalid('package', 'must not be empty');
  const count = wholeNumber('count', input.count, 1, MAX_VOUCHERS_PER_BATCH);
  // At least 6 random characters (31^6 ≈ 8.9·10^8) so codes cannot be guessed by trying.
  const length = wholeNumber('length', input.length ?? 8, 6, 20);
  const prefix = (input.prefix ?? '').trim().toUpperCase();
  if (!/^[A-Z0-9]{0,8}$/.test(prefix)) throw invalid('prefix', 'must be at most 8 letters or digits');
  const validDays = input.validDays === undefined ? null : wholeNumber('validDays', input.validDays, 1, MAX_VALID_DAYS);
  return { packageName, count, length, prefix, validDays };
}

export async function createVouchers(
  prisma: PrismaClient,
  input: VoucherInput,
  actor: string,
  now = new Date(),
): Promise<VoucherBatchResult> {
  const { packageName, count, length, prefix, validDays } = checkVoucherInput(input);
  const validUntil = validDays === null ? null : validUntilFor(validDays, now);
  const pkg = await prisma.package.findUnique({ where: { name: packageName } });
  if (!pkg) throw new InputError(`no package named "${packageName}"`, 'package');
  if (!pkg.active) throw new InputError(`package "${pkg.name}" is not active`, 'package');

  // All or nothing: a batch never exists half-created. A code taken by a concurrent writer
  // between our check and our insert fails the transaction; then we simply try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(
        async (tx) => {
          const batch = await tx.voucherBatch.create({
            data: {
              packageId: pkg.id,
              count,
              prefix,
              codeLength: length,
              validUntil,
              createdBy: actor,
              priceMinor: pkg.priceMinor,
              currency: pkg.currency,
            },
          });
          const codes = await createVoucherEntitlements(tx, {
            packageId: pkg.id,
            count,
            prefix,
            length,
            redeemBy: validUntil,
            batchId: batch.id,
          });
          await recordAudit(tx, {
            actor,
            action: 'voucher.create',
            subject: `batch ${batch.id}`,
            details: {
              batchId: batch.id,
              package: pkg.name,
              count,
              prefix,
              codeLength: length,
              validUntil: validUntil?.toISOString() ?? null,
            },
          });
          return { batchId: batch.id, package: pkg.name, prefix, codeLength: length, validUntil, codes };
        },
        { timeout: 120_000 },
      );
    } catch (err) {
      if (uniqueViolation(err) === null || attempt >= 3) throw err;
    }
  }
}

/** A batch id as typed (`--batch 3`): a positive whole number. */
export function checkBatchId(batchId: number): number {
  return wholeNumber('batch', batchId);
}

async function findBatch(prisma: PrismaClient, batchId: number) {
  const batch = await prisma.voucherBatch.findUnique({ where: { id: checkBatchId(batchId) }, include: { package: true } });
  if (!batch) throw new NotFoundError(`no voucher batch ${batchId} (see: netflow voucher batches)`, 'batch');
  return batch;
}

export async function listVouchers(prisma: PrismaClient, filter: { batchId?: number } = {}, now = new Date()): Promise<VoucherView[]> {
  if (filter.batchId !== undefined) await findBatch(prisma, filter.batchId);
  const rows = await prisma.voucher.findMany({
    where: filter.batchId === undefined ? {} : { batchId: filter.batchId },
    orderBy: { id: 'asc' },
    include: { entitlement: { select: { startsAt: true, expiresAt: true, package: { select: { name: true } } } } },
  });
  const states = await codeStates(
    prisma,
    rows.map((v) => v.entitlementId),
    now,
  );
  return rows.map((v) => ({
    code: v.code,
    package: v.entitlement.package.name,
    batchId: v.batchId,
    status: voucherStatus(states.get(v.entitlementId)!),
    startsAt: v.entitlement.startsAt,
    expiresAt: v.entitlement.expiresAt,
    createdAt: v.createdAt,
  }));
}

export interface VoucherBatchView {
  id: number;
  package: string;
  count: number;
  prefix: string;
  codeLength: number;
  validUntil: Date | null;
  createdBy: string | null;
  createdAt: Date;
  /** Vouchers per status, now. */
  unused: number;
  inUse: number;
  expired: number;
  revoked: number;
}

/** Batches, newest first, with how many of their vouchers are unused, in use, expired, revoked. */
export async function listVoucherBatches(prisma: PrismaClient, now = new Date()): Promise<VoucherBatchView[]> {
  const batches = await prisma.voucherBatch.findMany({ orderBy: { id: 'desc' }, include: { package: { select: { name: true } } } });
  // Counted in the database: batches run to 10,000 vouchers. Same mapping as voucherStatus().
  const counts = await prisma.$queryRaw<Array<{ batch_id: number; unused: number; in_use: number; expired: number; revoked: number }>>`
    WITH s AS (
      SELECT v.batch_id,
             CASE netflow_code_state(e, p, ${now}::timestamptz)
               WHEN 'revoked' THEN 'revoked'
               WHEN 'expired' THEN 'expired'
               WHEN 'not_redeemed_in_time' THEN 'expired'
               WHEN 'not_started' THEN 'unused'
               ELSE 'in use' END AS status
        FROM vouchers v JOIN entitlements e ON e.id = v.entitlement_id JOIN packages p ON p.id = e.package_id)
    SELECT batch_id,
           (count(*) FILTER (WHERE status = 'unused'))::int AS unused,
           (count(*) FILTER (WHERE status = 'in use'))::int AS in_use,
           (count(*) FILTER (WHERE status = 'expired'))::int AS expired,
           (count(*) FILTER (WHERE status = 'revoked'))::int AS revoked
      FROM s GROUP BY batch_id`;
  const byBatch = new Map(counts.map((c) => [c.batch_id, c]));
  return batches.map((b) => {
    const c = byBatch.get(b.id);
    return {
      id: b.id,
      package: b.package.name,
      count: b.count,
      prefix: b.prefix,
      codeLength: b.codeLength,
      validUntil: b.validUntil,
      createdBy: b.createdBy,
      createdAt: b.createdAt,
      unused: c?.unused ?? 0,
      inUse: c?.in_use ?? 0,
      expired: c?.expired ?? 0,
      revoked: c?.revoked ?? 0,
    };
  });
}

/**
 * One batch with its package and every voucher's status, for the CSV and the printed sheet
 * (rendered by ./voucher-export.ts). Handing out codes is recorded in the audit log (without them).
 */
export async function exportVoucherBatch(
  prisma: PrismaClient,
  batchId: number,
  format: string,
  actor: string,
  now = new Date(),
): Promise<VoucherExport> {
  const batch = await findBatch(prisma, batchId);
  const vouchers = await prisma.voucher.findMany({
    where: { batchId: batch.id },
    orderBy: { id: 'asc' },
  });
  const states = await codeStates(
    prisma,
    vouchers.map((v) => v.entitlementId),
    now,
  );
  await recordAudit(prisma, {
    actor,
    action: 'voucher.export',
    subject: `batch ${batch.id}`,
    details: { batchId: batch.id, format, count: vouchers.length },
  });
  const p = batch.package;
  return {
    batchId: batch.id,
    package: {
      name: p.name,
      minutes: p.minutes,
      priceMinor: p.priceMinor,
      currency: p.currency,
      dataCapBytes: p.dataCapBytes,
      devicesAllowed: p.devicesAllowed,
    },
    validUntil: batch.validUntil,
    createdAt: batch.createdAt,
    vouchers: vouchers.map((v) => ({ code: v.code, status: voucherStatus(states.get(v.entitlementId)!) })),
  };
}

/**
 * Revokes vouchers: one code, or every voucher of a batch not yet over (used or not). A revoked
 * code stops working at once (the login refuses it) and the enforcement scan disconnects its
 * sessions. Returns how many were revoked.
 */
export async function revokeVouchers(
  prisma: PrismaClient,
  target: { batchId: number } | { code: string },
  reason: string,
  actor: string,
): Promise<{ revoked: number }> {
  const why = reason.trim().slice(0, 500) || 'revoked by an operator';
  return prisma.$transaction(async (tx) => {
    let ids: number[];
    if ('batchId' in target) {
      const batch = await tx.voucherBatch.findUnique({ where: { id: checkBatchId(target.batchId) } });
      if (!batch) throw new NotFoundError(`no voucher batch ${target.batchId}`, 'batch');
      ids = (await tx.voucher.findMany({ where: { batchId: batch.id }, select: { entitlementId: true } })).map((v) => v.entitlementId);
    } else {
      const voucher = await tx.voucher.findUnique({ where: { code: target.code.trim().toUpperCase() } });
      if (!voucher) throw new NotFoundError(`no voucher with code ${target.code.trim().toUpperCase()}`, 'code');
      ids = [voucher.entitlementId];
    }
    const revoked = await tx.$queryRaw<Array<{ id: number }>>`
      UPDATE entitlements e SET status = 'revoked', updated_at = now()
        FROM packages pk
       WHERE e.id = ANY (${ids}::int[]) AND pk.id = e.package_id
         AND netflow_code_state(e, pk, now()) NOT IN ('revoked', 'expired', 'not_redeemed_in_time')
      RETURNING e.id`;
    await recordAudit(tx, {
      actor,
      action: 'voucher.revoke',
      subject: 'batchId' in target ? `batch ${target.batchId}` : 'one voucher',
      // Never the code itself (it is a credential); the entitlement ids find it.
      details: {
        reason: why,
        count: revoked.length,
        entitlements: revoked.map((r) => r.id),
        before: { status: 'active' },
        after: { status: 'revoked' },
      },
    });
    return { revoked: revoked.length };
  });
}
