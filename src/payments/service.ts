// The payment state machine: pending → paid | failed | expired, in PostgreSQL. Adapters only speak
// their provider's wire format; every decision about money is made here:
// - a purchase gets one payment row before anything is sent, so nothing the provider says is lost;
// - a callback is trusted only when verified (signature, or our per-payment URL token plus a status
//   query to the provider) and its amount and currency match what we asked for;
// - "paid" is reached once, under a row lock, and is the only way a purchase entitlement is made;
// - a late success after failed/expired still grants access (the guest's money was taken) and is
//   flagged for the operator.
//
// The service is put together from its parts: purchase.ts (start a purchase, push to the phone),
// callbacks.ts (callback intake and verification), status-job.ts (asking providers, expiry),
// settle.ts (applying an outcome, granting access), views.ts (what the guest sees, recovery).
import { createPaymentContext } from './context.js';
import { createCallbackIntake } from './callbacks.js';
import { createPurchases } from './purchase.js';
import { createSettlement } from './settle.js';
import { createStatusJob } from './status-job.js';
import type { PaymentService, PaymentServiceOptions } from './types.js';
import { createPurchaseViews } from './views.js';

export * from './types.js';
export { isUuid, testMoneyRefused } from './views.js';

export function createPaymentService(options: PaymentServiceOptions): PaymentService {
  const ctx = createPaymentContext(options);
  const settlement = createSettlement(ctx);
  const { startPurchase } = createPurchases(ctx, settlement);
  const { handleCallback } = createCallbackIntake(ctx, settlement);
  const { checkDue } = createStatusJob(ctx, settlement);
  const { getPurchase, recoverPurchase } = createPurchaseViews(ctx);
  return { startPurchase, getPurchase, recoverPurchase, handleCallback, checkDue, drain: ctx.drain };
}
