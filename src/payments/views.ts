// What a guest sees of a purchase: the full view (with the access code) only for the browser that
// started it or for the payer's proof (receipt + phone at that router); the status to anyone else.
import { createHash, timingSafeEqual } from 'node:crypto';
import { findActiveRouter, UNKNOWN_ROUTER_MESSAGE } from '../routers/routers.js';
import { parsePhone, PhoneError, type Country } from './phone.js';
import type { PaymentContext } from './context.js';
import { PaymentInputError, type PaymentRow, type PurchaseStatusView, type PurchaseView, type RecoverInput } from './types.js';

const GUEST_FAILURE: Record<string, string> = {
  cancelled: 'The payment was cancelled on the phone. You can try again.',
  insufficient_funds: 'Not enough money on the mobile money account. Top up and try again.',
  wrong_pin: 'The PIN was wrong. Try again and enter your mobile money PIN.',
  timeout: 'The payment prompt was not answered in time. Try again and approve it on your phone.',
  unreachable: 'Your phone could not be reached. Check it is on and has signal, then try again.',
  busy_retry_later: 'The mobile money service is busy. Please try again in a minute.',
  push_failed: 'The payment prompt could not be sent to your phone. Try again.',
  invalid_msisdn: 'This number cannot pay with the chosen mobile money service.',
  duplicate: 'A payment like this is already in progress. Check your phone.',
  config_error: 'Mobile money is not available right now. Please ask the staff.',
  provider_error: 'The mobile money service had a problem. Please try again.',
  amount_mismatch: 'The amount paid does not match the package price. Please ask the staff.',
  test_money_refused: 'This Wi-Fi network does not take test money. Please ask the staff.',
  expired: 'The payment prompt expired. Try again and approve it on your phone.',
  unknown: 'The payment did not go through. Please try again.',
};

export function createPurchaseViews(ctx: PaymentContext) {
  const { prisma, options } = ctx;

  async function getPurchase(id: string, tokens: readonly string[] = []): Promise<PurchaseView | PurchaseStatusView | null> {
    if (!isUuid(id)) return null;
    const p = await prisma.payment.findUnique({ where: { id }, include: { package: true, entitlement: true } });
    if (!p) return null;
    return tokenMatches(p.purchaseTokenHash, tokens) ? view(p) : statusView(p);
  }

  async function recoverPurchase(input: RecoverInput): Promise<PurchaseView | null> {
    const router = await findActiveRouter(prisma, input.router);
    if (!router) throw new PaymentInputError(UNKNOWN_ROUTER_MESSAGE, 404, 'router');
    const phone = guestPhone(input.phone, options.country);
    const receipt = input.receipt.trim();
    if (receipt === '') return null;
    const p = await prisma.payment.findFirst({
      where: {
        phone: phone.e164,
        routerId: router.id,
        status: 'paid',
        entitlementId: { not: null },
        receiptNumber: { equals: receipt, mode: 'insensitive' },
      },
      include: { package: true, entitlement: true },
      orderBy: { paidAt: 'desc' },
    });
    return p ? view(p) : null;
  }

  return { getPurchase, recoverPurchase };
}

/** The guest's number in E.164, or a 422 naming the phone field (in English and Swahili). */
export function guestPhone(input: string, country: Country) {
  try {
    return parsePhone(input, country);
  } catch (err) {
    throw new PaymentInputError(err instanceof PhoneError ? `${err.en} / ${err.sw}` : (err as Error).message, 422, 'phone');
  }
}

export function view(p: PaymentRow): PurchaseView {
  const reason = p.failureReason;
  const message =
    p.status === 'paid'
      ? 'Paid. You are being connected.'
      : p.status === 'pending'
        ? 'Check your phone and enter your mobile money PIN to approve the payment.'
        : (GUEST_FAILURE[reason ?? (p.status === 'expired' ? 'expired' : 'unknown')] ?? GUEST_FAILURE.unknown);
  return {
    id: p.id,
    status: p.status,
    package: { id: p.package.id, name: p.package.name, minutes: p.package.minutes },
    amountMinor: String(p.amountMinor),
    currency: p.currency,
    provider: p.provider,
    network: p.network,
    phone: p.phone.slice(0, 4) + '••••' + p.phone.slice(-4),
    testMoney: p.sandbox,
    createdAt: p.createdAt.toISOString(),
    message,
    failureReason: p.status === 'paid' ? null : reason,
    receipt: p.receiptNumber,
    access:
      p.status === 'paid' && p.entitlement
        ? { code: p.entitlement.code, password: p.entitlement.password, expiresAt: p.entitlement.expiresAt?.toISOString() ?? null }
        : null,
  };
}

/** Why a test-money purchase is refused, and what the operator does about it. */
export function testMoneyRefused(routerName: string): string {
  return `This Wi-Fi network does not take test money (NetFlow's payment sandbox is on). The operator can allow it for testing with: netflow router change ${routerName} --test yes`;
}

function statusView(p: PaymentRow): PurchaseStatusView {
  const full = view(p);
  return {
    id: full.id,
    status: full.status,
    message: full.message,
    failureReason: full.failureReason,
    testMoney: full.testMoney,
    access: null,
    receipt: null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export /** Whether one of the presented tokens is the purchase's (hashes compared in constant time). */
function tokenMatches(storedHash: string | null, tokens: readonly string[]): boolean {
  if (storedHash === null) return false;
  const stored = Buffer.from(storedHash, 'hex');
  let match = false;
  for (const t of tokens) {
    if (typeof t !== 'string' || t.length === 0 || t.length > 256) continue;
    const h = createHash('sha256').update(t, 'utf8').digest();
    if (h.length === stored.length && timingSafeEqual(h, stored)) match = true;
  }
  return match;
}
