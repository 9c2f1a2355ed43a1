// Voucher redemption on the captive portal: the same rules RADIUS applies at login (router,
// revoked, redeem-by, expiry, data, devices online), checked up front so the guest gets a clear
// answer before the portal submits the code to the hotspot's login form. RADIUS still decides.
import type { PrismaClient } from '../db/generated/client.js';
import { GUEST_MESSAGES } from '../aaa/reply.js';
import { codeStates, isUsable } from '../entitlements/state.js';
import { findActiveRouter, UNKNOWN_ROUTER_MESSAGE } from '../routers/routers.js';
import type { RejectReason } from '../aaa/types.js';

export type RedeemResult =
  | { ok: true; code: string; password: string; package: { name: string; minutes: number }; expiresAt: string | null }
  | { ok: false; reason: RejectReason | 'unknown_router'; message: string };

const NOT_FOUND: RedeemResult = { ok: false, reason: 'unknown_code', message: GUEST_MESSAGES.unknown_code };

/** Codes are printed in upper case without ambiguous characters; guests type what they like. */
export function normaliseCode(input: string): string {
  return input.trim().toUpperCase().replace(/[\s-]/g, '');
}

export async function checkVoucher(
  prisma: PrismaClient,
  input: { code: string; mac?: string; router: string },
  now = new Date(),
): Promise<RedeemResult> {
  const router = await findActiveRouter(prisma, input.router);
  if (!router) return { ok: false, reason: 'unknown_router', message: UNKNOWN_ROUTER_MESSAGE };
  const code = normaliseCode(input.code);
  if (!/^[A-Z0-9]{4,32}$/.test(code)) return NOT_FOUND;
  const ent = await prisma.entitlement.findUnique({ where: { code }, include: { package: true, devices: true } });
  // Only vouchers are redeemed here; a purchase's code is handed to its buyer by the purchase API.
  if (ent?.source !== 'voucher') return NOT_FOUND;
  const fail = (reason: RejectReason): RedeemResult => ({ ok: false, reason, message: GUEST_MESSAGES[reason] });
  // The code's own state, as the login decides it (netflow_code_state); then, in the login's order,
  // the router, the state's refusals, the devices online.
  const state = (await codeStates(prisma, [ent.id], now)).get(ent.id)!;
  if (state === 'revoked') return fail('revoked');
  if (ent.routerId !== null && ent.routerId !== router.id) return fail('other_router');
  if (!isUsable(state)) return fail(state);
  const mac = input.mac?.toUpperCase();
  const othersOnline = ent.devices.filter((d) => d.mac !== mac && d.onlineUntil !== null && d.onlineUntil > now).length;
  if (othersOnline >= ent.package.devicesAllowed) return fail('device_limit');
  return {
    ok: true,
    code: ent.code,
    password: ent.password,
    package: { name: ent.package.name, minutes: ent.package.minutes },
    expiresAt: ent.expiresAt?.toISOString() ?? null,
  };
}
