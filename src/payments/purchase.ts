// Starting a purchase: one payment row before anything is sent (so nothing the provider says is
// lost), then the push to the guest's phone in the background.
import { randomBytes } from 'node:crypto';
import { findActiveRouter, UNKNOWN_ROUTER_MESSAGE } from '../routers/routers.js';
import type { Network, PaymentProvider } from './provider.js';
import type { PaymentContext } from './context.js';
import type { Settlement } from './settle.js';
import { PaymentInputError, type PaymentRow, type PurchaseInput, type PurchaseView } from './types.js';
import { guestPhone, testMoneyRefused, tokenHash, tokenMatches, view } from './views.js';

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export function createPurchases(ctx: PaymentContext, { settle }: Settlement) {
  const { prisma, providers, options, now, inBackground, recordEvent } = ctx;

  async function startPurchase(input: PurchaseInput, tokens: readonly string[] = []): Promise<PurchaseView> {
    const router = await findActiveRouter(prisma, input.router);
    if (!router) throw new PaymentInputError(UNKNOWN_ROUTER_MESSAGE, 404, 'router');
    const pkg = await prisma.package.findUnique({ where: { id: input.packageId } });
    if (!pkg?.active) throw new PaymentInputError('That package is not on sale.', 404, 'packageId');
    const phone = guestPhone(input.phone, options.country);
    const network = (input.network ?? phone.network) as Network | null;
    if (network === null) throw new PaymentInputError('Choose your mobile money network.', 422, 'network');
    const provider = input.provider ? providers.get(input.provider) : providers.forNetwork(network, pkg.currency);
    if (!provider) {
      throw new PaymentInputError(
        input.provider ? `Payment provider "${input.provider}" is not enabled here.` : `Paying from ${network} is not available here.`,
        422,
        'provider',
      );
    }
    if (!provider.currencies.includes(pkg.currency as 'TZS' | 'KES'))
      throw new PaymentInputError(`${provider.displayName} cannot take payments in ${pkg.currency}.`, 422, 'provider');
    if (!provider.networks.includes(network))
      throw new PaymentInputError(`${provider.displayName} cannot collect from ${network} numbers.`, 422, 'network');
    // The sandbox's test money buys real access: only where the operator asked for it.
    if (provider.sandbox && !router.acceptsTestMoney) throw new PaymentInputError(testMoneyRefused(router.name), 403, 'router');

    const t = now();
    const reference = Array.from({ length: 10 }, () => REFERENCE_ALPHABET[randomBytes(1)[0] % REFERENCE_ALPHABET.length]).join('');
    const token = randomBytes(32).toString('base64url');
    let payment: PaymentRow;
    try {
      payment = await prisma.payment.create({
        data: {
          reference,
          callbackToken: randomBytes(18).toString('base64url'),
          purchaseTokenHash: tokenHash(token),
          packageId: pkg.id,
          routerId: router.id,
          provider: provider.id,
          phone: phone.e164,
          network,
          mac: input.mac ? input.mac.toUpperCase() : null,
          ip: input.ip ?? null,
          amountMinor: pkg.priceMinor,
          currency: pkg.currency,
          sandbox: provider.sandbox,
          expiresAt: new Date(t.getTime() + provider.expirySeconds * 1000),
          nextCheckAt: new Date(t.getTime() + provider.minPollDelaySeconds * 1000),
          createdAt: t,
        },
        include: { package: true, entitlement: true },
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
      // One open push per phone and provider: a double submit gets the payment already under way.
      const open = await prisma.payment.findFirst({
        where: { phone: phone.e164, provider: provider.id, status: 'pending' },
        include: { package: true, entitlement: true },
      });
      if (!open) return startPurchase(input, tokens); // it just finished; this is a new purchase
      // Only the browser that started it gets it back (it holds the token): anyone else who knows
      // the number and the MAC (visible to everyone on the Wi-Fi) must not learn the payment's id,
      // let alone its token and, later, the access code.
      if (open.packageId !== pkg.id || !tokenMatches(open.purchaseTokenHash, tokens)) {
        throw new PaymentInputError(
          'A payment prompt is already open on this phone. Approve or cancel it first, then try again.',
          409,
          'phone',
        );
      }
      return view(open);
    }
    inBackground(initiate(payment, provider));
    return { ...view(payment), token };
  }

  async function initiate(payment: PaymentRow, provider: PaymentProvider): Promise<void> {
    const base = provider.sandbox && options.sandboxUrl ? options.sandboxUrl : options.publicUrl;
    const callbackUrl = `${base.replace(/\/$/, '')}/api/v1/payments/callbacks/${provider.id}?t=${payment.callbackToken}`;
    let result: Awaited<ReturnType<PaymentProvider['initiate']>>;
    try {
      result = await provider.initiate({
        paymentId: payment.id,
        reference: payment.reference,
        msisdn: payment.phone,
        network: payment.network as Network,
        amountMinor: payment.amountMinor,
        currency: payment.currency as 'TZS' | 'KES',
        label: payment.package.name.slice(0, 12),
        callbackUrl,
      });
    } catch (err) {
      // We do not know whether the push went out: the status job finds out.
      await recordEvent({
        paymentId: payment.id,
        provider: provider.id,
        kind: 'initiate',
        outcome: 'unknown',
        verdict: 'error',
        raw: { error: (err as Error).message },
      });
      return;
    }
    await recordEvent({
      paymentId: payment.id,
      provider: provider.id,
      kind: 'initiate',
      outcome: result.outcome,
      verdict: 'recorded',
      raw: result.raw,
    });
    if (result.providerRef) {
      await prisma.payment.updateMany({
        where: { id: payment.id, providerReference: null },
        data: { providerReference: result.providerRef },
      });
    }
    if (result.outcome === 'failed') await settle(payment.id, { outcome: 'failed', reason: result.reason ?? 'unknown' }, 'initiate');
    // A synchronous success (Vodacom's C2B answers after the guest approved) came over our own
    // TLS request to the provider: as trustworthy as a status query.
    // Such a provider's transaction id is its receipt (Vodacom's TransactionID is the M-Pesa receipt).
    if (result.outcome === 'succeeded')
      await settle(payment.id, { outcome: 'succeeded', receipt: result.providerRef ?? undefined }, 'initiate');
  }

  return { startPurchase };
}
