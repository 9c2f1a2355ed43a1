// Mobile-money payments as operators see them, and the revenue they brought in. Amounts are
// integers in the currency's minor unit (amount_minor) and are only ever added up within one
// currency, in PostgreSQL, as bigint. Sandbox payments are test money: never revenue unless asked.
// Days are calendar days in an IANA time zone, cut in SQL (AT TIME ZONE), so a payment at 00:10 in
// Dar es Salaam (21:10 UTC the evening before) counts for the day it was made on at the hotspot.
import { Prisma, type PaymentStatus, type PrismaClient } from '../db/generated/client.js';
import { ConflictError, invalid, NotFoundError } from '../core/errors.js';
import { recordAudit } from '../audit/audit.js';
import { formatAmount } from './money.js';
import { oneOf, text, wholeNumber } from '../core/validate.js';

export const PAYMENT_STATUSES = ['pending', 'paid', 'failed', 'expired'] as const satisfies readonly PaymentStatus[];
export const REVENUE_GROUPS = ['day', 'package', 'provider'] as const;
export type RevenueGroup = (typeof REVENUE_GROUPS)[number];

export const DEFAULT_PAYMENT_LIMIT = 50;
export const MAX_PAYMENT_LIMIT = 1000;
/** `revenue` without --from covers this many days, today included. */
export const DEFAULT_REVENUE_DAYS = 30;

// ---------------------------------------------------------------------------------------------
// Dates and time zones

/** The time zone this process runs in (TZ), e.g. "Africa/Dar_es_Salaam" or "UTC". */
export function processTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * An IANA zone name, canonically spelled ("africa/dar_es_salaam" → "Africa/Dar_es_Salaam").
 * Offsets like "+03:00" are refused: PostgreSQL reads them POSIX-style, with the sign inverted.
 */
export function checkTimeZone(raw: string, field = 'timeZone'): string {
  const name = raw.trim();
  if (/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      // fall through
    }
  }
  throw invalid(field, `must be an IANA time zone like Africa/Dar_es_Salaam or UTC, got "${raw}"`);
}

/** A calendar date typed as YYYY-MM-DD that exists (no 2026-02-30). */
export function checkDate(field: string, raw: string): string {
  const value = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (y >= 1970 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d) return value;
  }
  throw invalid(field, `must be a date as YYYY-MM-DD, got "${raw}"`);
}

/** Today's date (YYYY-MM-DD) on the wall clocks of `timeZone`. */
export function todayIn(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** A YYYY-MM-DD date `days` calendar days later (earlier when negative). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Local midnight starting `date` in `timeZone`, as an instant (PostgreSQL knows the zone rules). */
const startOfDay = (date: string, timeZone: string) => Prisma.sql`((${date}::date)::timestamp AT TIME ZONE ${timeZone}::text)`;

// ---------------------------------------------------------------------------------------------
// Listing payments

export interface PaymentListInput {
  status?: string;
  /** YYYY-MM-DD: payments started on or after the beginning of that day. */
  since?: string;
  limit?: number;
  /** The zone `since` is a day in (default: the process's, as the CLI prints local times). */
  timeZone?: string;
}

export interface PaymentView {
  id: string;
  /** Ours, as sent to the provider. */
  reference: string;
  createdAt: Date;
  paidAt: Date | null;
  package: string;
  /** Integer minor units, as a string (e.g. "100000" for 1000.00 TZS). */
  amountMinor: string;
  currency: string;
  /** For people: major units with the currency, e.g. "1000.00 TZS". */
  amount: string;
  provider: string;
  /** 2557••••0111: enough to match a guest's complaint, not to call them. */
  phone: string;
  status: PaymentStatus;
  failureReason: string | null;
  receiptNumber: string | null;
  /** Money arrived after we had given up, or did not match: an operator should look. */
  needsReview: boolean;
  /** Sandbox payment: no real money moved. */
  testMoney: boolean;
  /** Set once an operator resolved the review. */
  reviewedAt?: Date | null;
  reviewedBy?: string | null;
  reviewNote?: string | null;
}

/** First 4 and last 4 digits; shorter numbers keep only their last 2. */
export function maskPhone(phone: string): string {
  return phone.length >= 10 ? phone.slice(0, 4) + '••••' + phone.slice(-4) : '••••' + phone.slice(-2);
}

export function checkPaymentListInput(input: PaymentListInput) {
  const status = input.status === undefined ? undefined : oneOf('status', input.status, PAYMENT_STATUSES);
  const since = input.since === undefined ? undefined : checkDate('since', input.since);
  const limit = wholeNumber('limit', input.limit ?? DEFAULT_PAYMENT_LIMIT, 1, MAX_PAYMENT_LIMIT);
  const timeZone = checkTimeZone(input.timeZone ?? processTimeZone());
  return { status, since, limit, timeZone };
}

/** Newest first (by when the purchase started), at most `limit` (default 50). */
export async function listPayments(prisma: PrismaClient, input: PaymentListInput = {}): Promise<PaymentView[]> {
  const { status, since, limit, timeZone } = checkPaymentListInput(input);
  let from: Date | undefined;
  if (since !== undefined) {
    const [row] = await prisma.$queryRaw<Array<{ start: Date }>>`SELECT ${startOfDay(since, timeZone)} AS start`;
    from = row.start;
  }
  const rows = await prisma.payment.findMany({
    where: { ...(status ? { status } : {}), ...(from ? { createdAt: { gte: from } } : {}) },
    orderBy: [{ createdAt: 'desc' }, { reference: 'desc' }],
    take: limit,
    include: { package: { select: { name: true } } },
  });
  return rows.map((p) => ({
    id: p.id,
    reference: p.reference,
    createdAt: p.createdAt,
    paidAt: p.paidAt,
    package: p.package.name,
    amountMinor: p.amountMinor.toString(),
    currency: p.currency,
    amount: formatAmount(p.amountMinor, p.currency),
    provider: p.provider,
    phone: maskPhone(p.phone),
    status: p.status,
    failureReason: p.failureReason,
    receiptNumber: p.receiptNumber,
    needsReview: p.needsReview,
    testMoney: p.sandbox,
  }));
}

// ---------------------------------------------------------------------------------------------
// Revenue

export interface RevenueInput {
  /** First day, YYYY-MM-DD (default: DEFAULT_REVENUE_DAYS days up to `to`). */
  from?: string;
  /** Last day, included (default: today in `timeZone`). */
  to?: string;
  groupBy?: string;
  /** Count sandbox payments too (test money; never by default). */
  includeTestMoney?: boolean;
  /** Whose calendar days (default: the process's time zone). */
  timeZone?: string;
}

export interface RevenueTotal {
  currency: string;
  /** Paid payments. */
  count: number;
  /** Integer minor units, as a string. */
  amountMinor: string;
  /** Major units with the currency, e.g. "1000.00 TZS". */
  amount: string;
}

export interface RevenueRow extends RevenueTotal {
  /** The day (YYYY-MM-DD in the report's time zone), package name or provider id. */
  group: string;
  /** Set when grouped by package. */
  packageId?: number;
}

export interface RevenueReport {
  from: string;
  to: string;
  timeZone: string;
  groupBy: RevenueGroup;
  includeTestMoney: boolean;
  /** Groups with at least one paid payment; day → chronological, else by name; then currency. */
  rows: RevenueRow[];
  /** One per currency, never added across currencies. */
  totals: RevenueTotal[];
}

/** Checks and completes the input; needs no database, so the CLI can refuse typos at once. */
export function checkRevenueInput(input: RevenueInput, now = new Date()) {
  const timeZone = checkTimeZone(input.timeZone ?? processTimeZone());
  const groupBy = oneOf('groupBy', input.groupBy ?? 'day', REVENUE_GROUPS);
  const to = input.to === undefined ? todayIn(timeZone, now) : checkDate('to', input.to);
  const from = input.from === undefined ? addDays(to, -(DEFAULT_REVENUE_DAYS - 1)) : checkDate('from', input.from);
  if (from > to) throw invalid('from', `must not be after --to (${from} is after ${to})`);
  return { from, to, timeZone, groupBy, includeTestMoney: input.includeTestMoney ?? false };
}

interface RevenueSqlRow {
  grand: number;
  grp: string | null;
  package_id: number | null;
  currency: string;
  n: number;
  total: bigint | string | number;
}

/**
 * Paid payments between the start of `from` and the end of `to` (by paid_at, in the report's
 * time zone), summed per group and currency, plus per-currency totals (GROUPING SETS).
 */
export async function revenue(prisma: PrismaClient, input: RevenueInput = {}, now = new Date()): Promise<RevenueReport> {
  const { from, to, timeZone, groupBy, includeTestMoney } = checkRevenueInput(input, now);
  const key = {
    day: Prisma.sql`to_char(p.paid_at AT TIME ZONE ${timeZone}::text, 'YYYY-MM-DD')`,
    package: Prisma.sql`k.name`,
    provider: Prisma.sql`p.provider`,
  }[groupBy];
  const packageId = groupBy === 'package' ? Prisma.sql`p.package_id` : Prisma.sql`NULL::int`;
  // The group is computed once, in the CTE: repeated in GROUP BY it would be a new parameter.
  const rows = await prisma.$queryRaw<RevenueSqlRow[]>`
    WITH paid AS (
      SELECT ${key} AS grp, ${packageId} AS package_id, p.currency::text AS currency, p.amount_minor
        FROM payments p JOIN packages k ON k.id = p.package_id
       WHERE p.status = 'paid'
         AND p.paid_at >= ${startOfDay(from, timeZone)}
         AND p.paid_at < ${startOfDay(addDays(to, 1), timeZone)}
         ${includeTestMoney ? Prisma.empty : Prisma.sql`AND NOT p.sandbox`})
    SELECT GROUPING(grp)::int AS grand, grp, package_id, currency, count(*)::int AS n, sum(amount_minor)::bigint AS total
      FROM paid
     GROUP BY GROUPING SETS ((grp, package_id, currency), (currency))
     ORDER BY grand, grp, currency`;
  const money = (r: RevenueSqlRow): RevenueTotal => {
    const minor = BigInt(r.total);
    return { currency: r.currency, count: r.n, amountMinor: minor.toString(), amount: formatAmount(minor, r.currency) };
  };
  return {
    from,
    to,
    timeZone,
    groupBy,
    includeTestMoney,
    rows: rows
      .filter((r) => r.grand === 0)
      .map((r) => ({ group: r.grp!, ...(groupBy === 'package' ? { packageId: r.package_id! } : {}), ...money(r) })),
    totals: rows.filter((r) => r.grand === 1).map(money),
  };
}

// ---------------------------------------------------------------------------------------------
// The dashboard's payment list (filters, pages) and resolving a payment held for review

export interface PaymentQuery {
  status?: string;
  provider?: string;
  /** Only payments an operator should look at (needsReview). */
  needsReview?: boolean;
  /** Router name. */
  router?: string;
  /** Reference, receipt number or the phone's last digits. */
  search?: string;
  /** Started at or after / before these instants. */
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

export const MAX_PAYMENT_OFFSET = 100_000;

/** Newest first (created_at, then reference: a stable order), one page by limit/offset. */
export async function findPayments(prisma: PrismaClient, q: PaymentQuery = {}): Promise<{ payments: PaymentView[]; total: number }> {
  const status = q.status === undefined ? undefined : oneOf('status', q.status, PAYMENT_STATUSES);
  const limit = wholeNumber('limit', q.limit ?? DEFAULT_PAYMENT_LIMIT, 1, MAX_PAYMENT_LIMIT);
  const offset = wholeNumber('offset', q.offset ?? 0, 0, MAX_PAYMENT_OFFSET);
  const search = q.search?.trim();
  const where: Prisma.PaymentWhereInput = {
    ...(status ? { status } : {}),
    ...(q.provider ? { provider: q.provider } : {}),
    ...(q.needsReview === undefined ? {} : { needsReview: q.needsReview }),
    ...(q.router ? { router: { name: q.router } } : {}),
    ...(q.from || q.to ? { createdAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
    ...(search
      ? {
          OR: [
            { reference: { equals: search.toUpperCase() } },
            { receiptNumber: { equals: search, mode: 'insensitive' } },
            ...(/^\d{3,}$/.test(search) ? [{ phone: { endsWith: search } }] : []),
          ],
        }
      : {}),
  };
  const [rows, total] = await Promise.all([
    prisma.payment.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { reference: 'desc' }],
      take: limit,
      skip: offset,
      include: { package: { select: { name: true } } },
    }),
    prisma.payment.count({ where }),
  ]);
  return { payments: rows.map(paymentView), total };
}

export async function findPayment(prisma: PrismaClient, id: string): Promise<PaymentView | null> {
  const p = await prisma.payment.findUnique({ where: { id }, include: { package: { select: { name: true } } } });
  return p ? paymentView(p) : null;
}

function paymentView(p: Prisma.PaymentGetPayload<{ include: { package: { select: { name: true } } } }>): PaymentView {
  return {
    id: p.id,
    reference: p.reference,
    createdAt: p.createdAt,
    paidAt: p.paidAt,
    package: p.package.name,
    amountMinor: p.amountMinor.toString(),
    currency: p.currency,
    amount: formatAmount(p.amountMinor, p.currency),
    provider: p.provider,
    phone: maskPhone(p.phone),
    status: p.status,
    failureReason: p.failureReason,
    receiptNumber: p.receiptNumber,
    needsReview: p.needsReview,
    testMoney: p.sandbox,
    reviewedAt: p.reviewedAt,
    reviewedBy: p.reviewedBy,
    reviewNote: p.reviewNote,
  };
}

/**
 * An operator closes a payment held for review (money that came late, or with the wrong amount),
 * saying what they did about it (refunded, gave the guest a voucher…). The payment's status does
 * not change: what happened with the provider stays as it happened.
 */
export async function resolvePaymentReview(prisma: PrismaClient, id: string, reason: string, actor: string): Promise<PaymentView> {
  const note = text('reason', reason, 500);
  if (note.length < 3) throw invalid('reason', 'must say what was done (at least 3 characters)');
  return prisma.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id::text FROM payments WHERE id = ${id}::uuid FOR UPDATE`;
    if (!locked) throw new NotFoundError(`no payment with id ${id}`, 'id');
    const before = await tx.payment.findUniqueOrThrow({ where: { id } });
    if (!before.needsReview) throw new ConflictError(`payment ${before.reference} is not held for review`, 'id');
    const after = await tx.payment.update({
      where: { id },
      data: { needsReview: false, reviewedAt: new Date(), reviewedBy: actor, reviewNote: note },
      include: { package: { select: { name: true } } },
    });
    await recordAudit(tx, {
      actor,
      action: 'payment.review_resolved',
      subject: `payment ${after.reference}`,
      details: { reason: note, before: { needsReview: true, status: before.status }, after: { needsReview: false, status: after.status } },
    });
    return paymentView(after);
  });
}
