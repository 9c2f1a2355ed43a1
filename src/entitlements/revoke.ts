// Ending entitlements before their time. Revoked codes stop working at once: the login refuses
// them (netflow_code_state says 'revoked') and the enforcement scan disconnects their sessions.
import type { Prisma } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';

/**
 * Revokes the codes bought with test money (the payment sandbox) at a router that no longer takes
 * it, in the caller's transaction, and records it. Returns how many were revoked. A grant in flight
 * holds the router row (FOR SHARE) until it commits, so a caller that updated the row sees it.
 */
export async function revokeTestMoneyCodes(
  tx: Prisma.TransactionClient,
  router: { id: number; name: string },
  actor: string,
): Promise<number> {
  const revoked = await tx.$queryRaw<Array<{ id: number }>>`
    UPDATE entitlements e SET status = 'revoked', updated_at = now()
      FROM payments p, packages pk
     WHERE p.entitlement_id = e.id AND p.sandbox AND e.router_id = ${router.id} AND pk.id = e.package_id
       AND netflow_code_state(e, pk, now()) NOT IN ('revoked', 'expired') -- not already over
    RETURNING e.id`;
  if (revoked.length > 0) {
    await recordAudit(tx, {
      actor,
      action: 'entitlement.revoke',
      subject: router.name,
      details: { reason: 'test money no longer accepted at this router', count: revoked.length, entitlements: revoked.map((r) => r.id) },
    });
  }
  return revoked.length;
}
