// Applying a trusted outcome to a payment: the one place a payment becomes paid, failed or expired,
// and the only way a purchase entitlement is granted ("paid" is reached once, under a row lock).
import type { PaymentProvider, FailureReason, Outcome } from './provider.js';
import { recordAudit } from '../audit/audit.js';
import { grantPurchase } from '../entitlements/create.js';
import type { PaymentContext } from './context.js';

export interface Verdict {
  outcome: Outcome;
  reason?: FailureReason | 'amount_mismatch' | 'expired';
  receipt?: string;
  amountMinor?: bigint;
  currency?: string;
}

export interface Settlement {
  settle(paymentId: string, v: Verdict, source: string): Promise<string>;
  confirmWithProvider(paymentId: string, provider: PaymentProvider, source: string, hint?: Partial<Verdict>): Promise<Outcome>;
}

export function createSettlement(ctx: PaymentContext): Settlement {
  const { prisma, log, now, recordEvent } = ctx;

  /**
   * Applies a trusted outcome under a row lock. Returns what happened, for the event log.
   * Terminal states do not move, except a success after failed/expired (money arrived late).
   */
  async function settle(paymentId: string, v: Verdict, source: string): Promise<string> {
    const verdict = await settleInTransaction(paymentId, v, source);
    if (verdict.startsWith('applied') || verdict.startsWith('rejected')) log.info(`payment ${verdict}`, { payment: paymentId, source });
    return verdict;
  }

  async function settleInTransaction(paymentId: string, v: Verdict, source: string): Promise<string> {
    return prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM payments WHERE id = ${paymentId}::uuid FOR UPDATE`;
      const p = await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, include: { package: true } });
      if (v.outcome === 'pending' || v.outcome === 'unknown') return 'no change (still pending)';
      if (v.outcome === 'failed') {
        if (p.status !== 'pending') {
          if (p.confirmDue) await tx.payment.update({ where: { id: p.id }, data: { confirmDue: false } });
          return `ignored (already ${p.status})`;
        }
        await tx.payment.update({
          where: { id: p.id },
          data: { status: v.reason === 'expired' ? 'expired' : 'failed', failureReason: v.reason ?? 'unknown' },
        });
        await recordAudit(tx, {
          actor: 'payments',
          action: `payment.${v.reason === 'expired' ? 'expired' : 'failed'}`,
          subject: `payment ${p.reference}`,
          details: { reason: v.reason ?? 'unknown', source },
        });
        return `applied (${v.reason === 'expired' ? 'expired' : 'failed'})`;
      }
      // Succeeded.
      if (p.status === 'paid') {
        // A repeated report (providers resend): nothing more to grant, and no confirmation owed.
        if (p.confirmDue) await tx.payment.update({ where: { id: p.id }, data: { confirmDue: false } });
        return 'duplicate (already paid)';
      }
      if (p.failureReason === 'amount_mismatch') {
        // The provider once reported another amount: a person decides, not a later message.
        await tx.payment.update({ where: { id: p.id }, data: { needsReview: true, confirmDue: false } });
        return 'held for review (an earlier report had the wrong amount)';
      }
      const wrongAmount = v.amountMinor !== undefined && v.amountMinor !== p.amountMinor;
      const wrongCurrency = v.currency !== undefined && v.currency !== p.currency;
      if (wrongAmount || wrongCurrency) {
        await tx.payment.update({
          where: { id: p.id },
          data: {
            status: p.status === 'pending' ? 'failed' : p.status,
            failureReason: 'amount_mismatch',
            needsReview: true,
            confirmDue: false,
          },
        });
        await recordAudit(tx, {
          actor: 'payments',
          action: 'payment.amount_mismatch',
          subject: `payment ${p.reference}`,
          details: {
            expected: `${p.amountMinor} ${p.currency}`,
            got: `${v.amountMinor ?? p.amountMinor} ${v.currency ?? p.currency}`,
            source,
          },
        });
        return `rejected (paid ${v.amountMinor ?? p.amountMinor} ${v.currency ?? p.currency}, asked ${p.amountMinor} ${p.currency})`;
      }
      if (p.sandbox) {
        // Test money grants only at a router still marked for it. Locked: a `router change --test no`
        // in flight either waits for this grant (and revokes its code) or is seen here.
        const [router] = await tx.$queryRaw<
          Array<{ accepts_test_money: boolean }>
        >`SELECT accepts_test_money FROM routers WHERE id = ${p.routerId} FOR SHARE`;
        if (!router?.accepts_test_money) {
          await tx.payment.update({
            where: { id: p.id },
            data: { status: p.status === 'pending' ? 'failed' : p.status, failureReason: 'test_money_refused', confirmDue: false },
          });
          await recordAudit(tx, {
            actor: 'payments',
            action: 'payment.test_money_refused',
            subject: `payment ${p.reference}`,
            details: { router: p.routerId, source },
          });
          return 'rejected (test money, and the router does not accept test money)';
        }
      }
      const paidAt = now();
      const late = p.status !== 'pending';
      // Bound to the router it was bought at: a code paid at one site is not good at another.
      const entitlement = await grantPurchase(tx, { package: p.package, routerId: p.routerId, paidAt });
      await tx.payment.update({
        where: { id: p.id },
        data: {
          status: 'paid',
          paidAt,
          entitlementId: entitlement.id,
          receiptNumber: v.receipt ?? null,
          failureReason: null,
          needsReview: late || p.needsReview,
          confirmDue: false,
        },
      });
      await recordAudit(tx, {
        actor: 'payments',
        action: late ? 'payment.paid_late' : 'payment.paid',
        subject: `payment ${p.reference}`,
        details: {
          provider: p.provider,
          amountMinor: String(p.amountMinor),
          currency: p.currency,
          receipt: v.receipt ?? null,
          entitlement: entitlement.id,
          source,
          ...(late ? { was: p.status } : {}),
        },
      });
      return late ? `applied (paid late, after ${p.status}; flagged)` : 'applied (paid)';
    });
  }

  /**
   * Asks the provider and applies its answer. What the callback said (amount, receipt) fills gaps in
   * the status answer, never overrides it. Returns the provider's outcome.
   */
  async function confirmWithProvider(
    paymentId: string,
    provider: PaymentProvider,
    source: string,
    hint: Partial<Verdict> = {},
  ): Promise<Outcome> {
    const p = await prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    const status = await provider.queryStatus({
      reference: p.reference,
      providerRef: p.providerReference,
      msisdn: p.phone,
      createdAt: p.createdAt,
    });
    const verdict = await settle(
      p.id,
      {
        outcome: status.outcome,
        reason: status.reason,
        receipt: status.receipt ?? hint.receipt,
        amountMinor: status.amountMinor ?? hint.amountMinor,
        currency: status.currency ?? hint.currency,
      },
      source,
    );
    await recordEvent({ paymentId: p.id, provider: provider.id, kind: 'status', outcome: status.outcome, verdict, raw: status.raw });
    return status.outcome;
  }

  return { settle, confirmWithProvider };
}
