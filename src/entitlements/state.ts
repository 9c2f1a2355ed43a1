// A code's (entitlement's) state is decided in one place, the SQL function netflow_code_state
// (prisma/functions/code_state.sql), which the login decision, the enforcement scan, the portal and
// the admin views all use. This is its TypeScript face: the names, a lookup for a few codes, and
// what a voucher's state reads as to an operator.
import type { PrismaClient } from '../db/generated/client.js';

/** In the order the function tests them (first match wins); the last two are usable. */
export const CODE_STATES = ['revoked', 'not_redeemed_in_time', 'expired', 'data_exhausted', 'not_started', 'running'] as const;
export type CodeState = (typeof CODE_STATES)[number];

export function isUsable(state: CodeState): state is 'not_started' | 'running' {
  return state === 'not_started' || state === 'running';
}

/** The states of the given entitlements at `now`, by entitlement id (unknown ids are left out). */
export async function codeStates(prisma: Pick<PrismaClient, '$queryRaw'>, ids: number[], now: Date): Promise<Map<number, CodeState>> {
  if (ids.length === 0) return new Map();
  const rows = await prisma.$queryRaw<Array<{ id: number; state: CodeState }>>`
    SELECT e.id, netflow_code_state(e, p, ${now}::timestamptz) AS state
      FROM entitlements e JOIN packages p ON p.id = e.package_id
     WHERE e.id = ANY (${ids}::int[])`;
  return new Map(rows.map((r) => [r.id, r.state]));
}

export type VoucherStatus = 'unused' | 'in use' | 'expired' | 'revoked';

/**
 * A voucher's status from its code's state (netflow_code_state): a code past its redeem-by counts as
 * expired; one whose data ran out, as in use (its clock still runs).
 */
export function voucherStatus(state: CodeState): VoucherStatus {
  switch (state) {
    case 'revoked':
      return 'revoked';
    case 'expired':
    case 'not_redeemed_in_time':
      return 'expired';
    case 'not_started':
      return 'unused';
    case 'running':
    case 'data_exhausted':
      return 'in use';
  }
}
