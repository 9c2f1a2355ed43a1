// Revenue per day, week or month, by router or by package; mobile money and vouchers apart, one
// row per currency (amounts in different currencies are never added up).
//
// What counts as a sale:
// - mobile money: a payment whose status is `paid`, on the day it was paid (paid_at). Pending,
//   failed and expired payments do not count (nor one held for review until it is resolved as
//   paid), nor sandbox payments (test money).
// - a voucher: when it is first redeemed (its code's clock starts: entitlements.starts_at), at the
//   router it was first used on (the code is bound to it then), for the price and package its batch
//   was made with (voucher_batches.price_minor: a later repricing, or the guest moved to another
//   package, does not rewrite the sale; a batch without a recorded price uses its package's
//   current one). Unredeemed vouchers are stock, not sales; revoked vouchers do not count, even if
//   revoked after use.
import type pg from 'pg';
import { defineReport, reportQuery } from './definition.js';
import type { ReportParams } from './params.js';

export type SalesChannel = 'mobile_money' | 'voucher';

interface RevenueRowBase {
  /** The period's first day, YYYY-MM-DD in the report's time zone (weeks start on Monday). */
  period: string;
  channel: SalesChannel;
  currency: string;
  sales: number;
  /** In the currency's minor unit (as packages.price_minor). */
  amountMinor: number;
}
export interface RevenueByRouterRow extends RevenueRowBase {
  routerId: number | null;
  router: string | null;
}
export interface RevenueByPackageRow extends RevenueRowBase {
  packageId: number;
  package: string;
}

// Both parts read a partial index that holds exactly the sales (see the report_indexes migration).
const SALES = `sales AS (
  SELECT 'mobile_money' AS channel, p.paid_at AS at, p.router_id, p.package_id, p.amount_minor, p.currency
    FROM payments p
   WHERE p.status = 'paid' AND NOT p.sandbox AND p.paid_at >= $1 AND p.paid_at < $2
     AND ($3::int[] IS NULL OR p.router_id = ANY ($3::int[]))
  UNION ALL
  SELECT 'voucher', e.starts_at, e.router_id, b.package_id, coalesce(b.price_minor, pk.price_minor), coalesce(b.currency, pk.currency)
    FROM entitlements e
    -- Each sold code's batch. PostgreSQL hashes vouchers (one row per printed code) for this join;
    -- looked up per sale by its unique entitlement_id index instead, the reports were slower here:
    -- 30 days 29 ms vs 15 ms, a year 137-232 ms vs 73 ms (bench:reports, 40,000 vouchers).
    JOIN vouchers v ON v.entitlement_id = e.id
    JOIN voucher_batches b ON b.id = v.batch_id
    JOIN packages pk ON pk.id = b.package_id
   WHERE e.source = 'voucher' AND e.starts_at IS NOT NULL AND e.status <> 'revoked' AND e.starts_at >= $1 AND e.starts_at < $2
     AND ($3::int[] IS NULL OR e.router_id = ANY ($3::int[]))
)`;

function revenueSql(by: 'router' | 'package'): string {
  const [key, nameJoin, nameCol] =
    by === 'router'
      ? ['router_id', 'LEFT JOIN routers n ON n.id = t.router_id', 'n.name AS router, t.router_id AS "routerId"']
      : ['package_id', 'JOIN packages n ON n.id = t.package_id', 'n.name AS package, t.package_id AS "packageId"'];
  return `WITH ${SALES}, totals AS (
    SELECT date_trunc($5, at AT TIME ZONE $4)::date AS period, ${key}, channel, currency,
           count(*) AS sales, sum(amount_minor) AS amount
      FROM sales GROUP BY 1, 2, 3, 4
  )
  SELECT to_char(t.period, 'YYYY-MM-DD') AS period, ${nameCol}, t.channel, t.currency::text AS currency,
         t.sales::int AS sales, t.amount::float8 AS "amountMinor"
    FROM totals t ${nameJoin}
   ORDER BY t.period, n.name NULLS LAST, t.channel, t.currency`;
}

function run<Row>(by: 'router' | 'package') {
  const sql = revenueSql(by);
  return (pool: pg.Pool, p: ReportParams): Promise<Row[]> => reportQuery<Row>(pool, sql, [p.lo, p.hi, p.routerIds, p.tz, p.granularity]);
}

export const revenueByRouter = defineReport<RevenueByRouterRow>({
  name: 'revenue-by-router',
  title: 'Revenue by router',
  description:
    'Sales per period and router: mobile money (settled payments, by the day paid) and vouchers (at first redemption, ' +
    'on the router first used, at the package price), one row per currency.',
  options: ['granularity'],
  columns: ['period', 'routerId', 'router', 'channel', 'currency', 'sales', 'amountMinor'],
  run: run<RevenueByRouterRow>('router'),
});

export const revenueByPackage = defineReport<RevenueByPackageRow>({
  name: 'revenue-by-package',
  title: 'Revenue by package',
  description: 'Sales per period and package, mobile money and vouchers apart, one row per currency (same rules as revenue-by-router).',
  options: ['granularity'],
  columns: ['period', 'packageId', 'package', 'channel', 'currency', 'sales', 'amountMinor'],
  run: run<RevenueByPackageRow>('package'),
});
