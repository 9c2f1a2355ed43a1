// Where entitlements come from: a batch of prepaid vouchers, or a paid purchase. Both run inside the
// caller's transaction, so an entitlement exists only together with what made it (batch, payment).
import type { Prisma } from '../db/generated/client.js';
import { CHUNK, freshCode, freshCodes } from './codes.js';

export interface VoucherEntitlementsInput {
  packageId: number;
  count: number;
  prefix: string;
  length: number;
  /** Redeem-by (null: no limit). */
  redeemBy: Date | null;
  batchId: number;
}

/** `count` voucher entitlements (and their voucher rows) in one batch; returns their codes. */
export async function createVoucherEntitlements(tx: Prisma.TransactionClient, input: VoucherEntitlementsInput): Promise<string[]> {
  const codes = await freshCodes(tx, input.count, input.prefix, input.length);
  for (let i = 0; i < codes.length; i += CHUNK) {
    const entitlements = await tx.entitlement.createManyAndReturn({
      // starts_at/expires_at stay empty: the clock starts at first login. redeem_by is
      // what RADIUS checks (the batch's valid_until is only the record of it).
      data: codes
        .slice(i, i + CHUNK)
        .map((code) => ({ code, password: code, packageId: input.packageId, source: 'voucher' as const, redeemBy: input.redeemBy })),
      select: { id: true, code: true },
    });
    await tx.voucher.createMany({ data: entitlements.map((e) => ({ code: e.code, batchId: input.batchId, entitlementId: e.id })) });
  }
  return codes;
}

export interface PurchaseGrant {
  package: { id: number; minutes: number; clockStartsAt: string };
  /** Bound to the router it was bought at: a code paid at one site is not good at another. */
  routerId: number | null;
  paidAt: Date;
}

/** The entitlement a paid purchase grants: a fresh code, active, its clock started now or at first login. */
export async function grantPurchase(tx: Prisma.TransactionClient, grant: PurchaseGrant) {
  const code = await freshCode(tx, 8);
  const startsNow = grant.package.clockStartsAt === 'purchase';
  return tx.entitlement.create({
    data: {
      code,
      password: code,
      packageId: grant.package.id,
      routerId: grant.routerId,
      source: 'purchase',
      status: 'active',
      startsAt: startsNow ? grant.paidAt : null,
      expiresAt: startsNow ? new Date(grant.paidAt.getTime() + grant.package.minutes * 60_000) : null,
    },
  });
}
