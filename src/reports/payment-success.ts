// Payment success rate per provider: of the mobile-money payments started in the range (created_at),
// how many were paid. The rate is over the decided ones (paid, failed, expired); pending payments are
// shown apart. Sandbox payments (test money) are left out. heldForReview: failed or expired
// payments whose money arrived late, waiting for an operator.
import { defineReport, reportQuery } from './definition.js';

export interface PaymentSuccessRow {
  provider: string;
  payments: number;
  paid: number;
  failed: number;
  expired: number;
  pending: number;
  heldForReview: number;
  /** paid / (paid + failed + expired), 0..1, null when none is decided yet. */
  successRate: number | null;
}

const SQL = `SELECT provider, count(*)::int AS payments,
       count(*) FILTER (WHERE status = 'paid')::int AS paid,
       count(*) FILTER (WHERE status = 'failed')::int AS failed,
       count(*) FILTER (WHERE status = 'expired')::int AS expired,
       count(*) FILTER (WHERE status = 'pending')::int AS pending,
       count(*) FILTER (WHERE needs_review AND status <> 'paid')::int AS "heldForReview",
       round(count(*) FILTER (WHERE status = 'paid')::numeric / nullif(count(*) FILTER (WHERE status <> 'pending'), 0), 4)::float8 AS "successRate"
  FROM payments
 WHERE NOT sandbox AND created_at >= $1 AND created_at < $2 AND ($3::int[] IS NULL OR router_id = ANY ($3::int[]))
 GROUP BY provider
 ORDER BY provider`;

export const paymentSuccess = defineReport<PaymentSuccessRow>({
  name: 'payment-success',
  title: 'Payment success rate per provider',
  description: 'Per provider, the mobile-money payments started in the range by outcome, and the share paid of those decided.',
  options: [],
  columns: ['provider', 'payments', 'paid', 'failed', 'expired', 'pending', 'heldForReview', 'successRate'],
  run: (pool, p) => reportQuery<PaymentSuccessRow>(pool, SQL, [p.lo, p.hi, p.routerIds]),
});
