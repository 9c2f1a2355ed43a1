// Changing what an entitlement grants while it is in use.
import type { Prisma } from '../db/generated/client.js';

/**
 * Moves an entitlement to another package: the clock keeps its start, the expiry follows the new
 * package's minutes (a code not started yet keeps no expiry). Returns the entitlement as it was
 * and the new expiry.
 */
export async function changeEntitlementPackage(tx: Prisma.TransactionClient, entitlementId: number, pkg: { id: number; minutes: number }) {
  const ent = await tx.entitlement.findUniqueOrThrow({ where: { id: entitlementId } });
  const expiresAt = ent.startsAt ? new Date(ent.startsAt.getTime() + pkg.minutes * 60_000) : null;
  await tx.entitlement.update({ where: { id: ent.id }, data: { packageId: pkg.id, expiresAt } });
  return { before: ent, expiresAt };
}
