// Prepaid voucher codes. Each voucher is an entitlement (code = User-Name = password) whose
// clock starts at first login, so a printed voucher keeps its full time until someone uses it.
import { randomInt } from 'node:crypto';
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import { recordAudit } from './audit.js';
import { InputError, invalid, uniqueViolation } from './errors.js';
import { wholeNumber } from './validate.js';

/** No 0/O, 1/I/L: codes are read off paper and typed on phones. 31 symbols, ~5 bits each. */
export const VOUCHER_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const MAX_VOUCHERS_PER_BATCH = 10_000;
const CHUNK = 1000; // rows per INSERT, well under PostgreSQL's 65535 bind parameters

export interface VoucherInput {
  /** Package name. */
  package: string;
  count: number;
  /** Printed before the random part, e.g. a site tag; letters and digits. */
  prefix?: string;
  /** Random characters per code (default 8: 31^8 ≈ 8.5·10^11 possibilities). */
  length?: number;
}

export interface VoucherBatchResult {
  batchId: number;
  package: string;
  prefix: string;
  codes: string[];
}

export type VoucherStatus = 'unused' | 'in use' | 'expired' | 'revoked';

export interface VoucherView {
  code: string;
  package: string;
  batchId: number;
  status: VoucherStatus;
  startsAt: Date | null;
  expiresAt: Date | null;
  createdAt: Date;
}

/** A code from a cryptographic RNG: vouchers are bearer credentials and must not be guessable. */
export function generateCode(length: number, prefix = ''): string {
  let code = prefix;
  for (let i = 0; i < length; i++) code += VOUCHER_ALPHABET[randomInt(VOUCHER_ALPHABET.length)];
  return code;
}

export function voucherStatus(
  e: { status: 'active' | 'revoked'; startsAt: Date | null; expiresAt: Date | null; redeemBy: Date | null },
  now = new Date(),
): VoucherStatus {
  if (e.status === 'revoked') return 'revoked';
  if (e.expiresAt !== null && e.expiresAt <= now) return 'expired';
  if (e.startsAt === null && e.redeemBy !== null && e.redeemBy <= now) return 'expired';
  return e.startsAt === null ? 'unused' : 'in use';
}

/** `count` codes that no entitlement uses yet (codes share one namespace with purchases). */
async function freshCodes(tx: Prisma.TransactionClient, count: number, prefix: string, length: number): Promise<string[]> {
  const codes = new Set<string>();
  let candidates: string[] = [];
  for (let round = 0; round < 20; round++) {
    while (codes.size + candidates.length < count) {
      const code = generateCode(length, prefix);
      if (!codes.has(code) && !candidates.includes(code)) candidates.push(code);
    }
    const taken = new Set<string>();
    for (let i = 0; i < candidates.length; i += CHUNK) {
      const rows = await tx.entitlement.findMany({ where: { code: { in: candidates.slice(i, i + CHUNK) } }, select: { code: true } });
      for (const r of rows) taken.add(r.code);
    }
    for (const c of candidates) if (!taken.has(c)) codes.add(c);
    if (codes.size === count) return [...codes];
    candidates = [];
  }
  throw invalid('length', 'is too short to find enough unused codes; use longer codes');
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
  return { packageName, count, length, prefix };
}

export async function createVouchers(prisma: PrismaClient, input: VoucherInput, actor: string): Promise<VoucherBatchResult> {
  const { packageName, count, length, prefix } = checkVoucherInput(input);
  const pkg = await prisma.package.findUnique({ where: { name: packageName } });
  if (!pkg) throw new InputError(`no package named "${packageName}"`, 'package');
  if (!pkg.active) throw new InputError(`package "${pkg.name}" is not active`, 'package');

  // All or nothing: a batch never exists half-created. A code taken by a concurrent writer
  // between our check and our insert fails the transaction; then we simply try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(
        async (tx) => {
          const codes = await freshCodes(tx, count, prefix, length);
          const batch = await tx.voucherBatch.create({ data: { packageId: pkg.id, count, prefix } });
          for (let i = 0; i < codes.length; i += CHUNK) {
            const entitlements = await tx.entitlement.createManyAndReturn({
              // starts_at/expires_at stay empty: the clock starts at first login.
              data: codes.slice(i, i + CHUNK).map((code) => ({ code, password: code, packageId: pkg.id, source: 'voucher' as const })),
              select: { id: true, code: true },
            });
            await tx.voucher.createMany({ data: entitlements.map((e) => ({ code: e.code, batchId: batch.id, entitlementId: e.id })) });
          }
          await recordAudit(tx, { actor, action: 'voucher.create', subject: `batch ${batch.id}`, details: { batchId: batch.id, package: pkg.name, count, prefix } });
          return { batchId: batch.id, package: pkg.name, prefix, codes };
        },
        { timeout: 120_000 },
      );
    } catch (err) {
      if (uniqueViolation(err) === null || attempt >= 3) throw err;
    }
  }
}

export async function listVouchers(prisma: PrismaClient, now = new Date()): Promise<VoucherView[]> {
  const rows = await prisma.voucher.findMany({
    orderBy: { id: 'asc' },
    include: { entitlement: { select: { status: true, startsAt: true, expiresAt: true, redeemBy: true, package: { select: { name: true } } } } },
  });
  return rows.map((v) => ({
    code: v.code,
    package: v.entitlement.package.name,
    batchId: v.batchId,
    status: voucherStatus(v.entitlement, now),
    startsAt: v.entitlement.startsAt,
    expiresAt: v.entitlement.expiresAt,
    createdAt: v.createdAt,
  }));
}
