// The status job: asks providers about due pending payments (backing off), expires dead ones, and
// keeps asking for a while after expiry or a late "paid" (money can arrive late).
import type { Outcome } from './provider.js';
import type { PaymentContext } from './context.js';
import type { Settlement } from './settle.js';
import type { PaymentStatus } from './types.js';

/** After the push dies, still ask the provider for a while: money can arrive late. */
const EXPIRY_MARGIN_SECONDS = 120;
const MAX_CHECK_INTERVAL_SECONDS = 300;
/** After expiry, or for a late "paid", how often we still ask, and for how long. */
const LATE_CHECK_SECONDS = 600;
const GIVE_UP_CONFIRMING_SECONDS = 24 * 3600;

export function createStatusJob(ctx: PaymentContext, { settle, confirmWithProvider }: Settlement) {
  const { prisma, providers, log, now } = ctx;

  async function checkDue(limit = 20): Promise<number> {
    const t = now();
    // Signatures kept for the replay check are useless once their timestamp window has passed.
    await prisma.seenCallback.deleteMany({ where: { seenAt: { lt: new Date(t.getTime() - 3600_000) } } });
    // Claim by pushing next_check_at forward (a lease longer than a batch of slow providers), so a
    // second instance does not ask at the same time. Pending payments, and any payment a provider
    // said was paid that we have not confirmed yet.
    const due = await prisma.$queryRaw<
      Array<{ id: string; provider: string; status: PaymentStatus; checks: number; expires_at: Date; created_at: Date }>
    >`
      UPDATE payments SET next_check_at = ${t}::timestamptz + interval '10 minutes', checks = checks + 1
       WHERE id IN (SELECT id FROM payments WHERE (status = 'pending' OR confirm_due) AND next_check_at <= ${t}::timestamptz
                     ORDER BY next_check_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id, provider, status, checks, expires_at, created_at`;
    for (const p of due) {
      try {
        await checkOne(p, t);
      } catch (err) {
        log.warn('payment status check failed', { payment: p.id, provider: p.provider, error: (err as Error).message });
      }
    }
    return due.length;
  }

  async function checkOne(p: { id: string; provider: string; checks: number; expires_at: Date; created_at: Date }, t: Date): Promise<void> {
    const provider = providers.get(p.provider);
    let outcome: Outcome = 'unknown';
    if (provider) {
      try {
        outcome = await confirmWithProvider(p.id, provider, 'status job');
      } catch (err) {
        log.warn('payment status query failed', { payment: p.id, provider: p.provider, error: (err as Error).message });
      }
    }
    const after = await prisma.payment.findUniqueOrThrow({ where: { id: p.id } });
    const backoff = (base: number, cap: number) => Math.min(base * 2 ** Math.max(p.checks - 1, 0), cap) * 1000;
    if (after.status === 'pending') {
      const deadline = after.expiresAt.getTime() + EXPIRY_MARGIN_SECONDS * 1000;
      if (t.getTime() >= deadline) {
        await settle(p.id, { outcome: 'failed', reason: 'expired' }, 'status job');
        // The provider could not say (no answer, "unknown"): money may still arrive, keep asking now and then.
        if (outcome !== 'failed' && provider) {
          await prisma.payment.update({
            where: { id: p.id },
            data: { confirmDue: true, nextCheckAt: new Date(t.getTime() + LATE_CHECK_SECONDS * 1000) },
          });
        }
        return;
      }
      const next = Math.min(
        t.getTime() + backoff(provider?.minPollDelaySeconds ?? 30, MAX_CHECK_INTERVAL_SECONDS),
        Math.max(deadline, t.getTime() + 1000),
      );
      await prisma.payment.update({ where: { id: p.id }, data: { nextCheckAt: new Date(next) } });
      return;
    }
    if (!after.confirmDue) return;
    // Not pending but a confirmation is owed (a late "paid", or an expiry we could not confirm).
    if (t.getTime() - after.createdAt.getTime() > GIVE_UP_CONFIRMING_SECONDS * 1000) {
      await prisma.payment.update({ where: { id: p.id }, data: { confirmDue: false, needsReview: true } });
      log.warn('payment could not be confirmed; flagged for review', { payment: p.id, provider: p.provider });
      return;
    }
    await prisma.payment.update({ where: { id: p.id }, data: { nextCheckAt: new Date(t.getTime() + backoff(LATE_CHECK_SECONDS, 3600)) } });
  }

  return { checkDue };
}
