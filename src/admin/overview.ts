// The dashboard's first screen in one read: who is online now, what mobile money brought in today,
// payments waiting for an operator, and security events and alerts of the last day.
import type { PrismaClient } from '../db/generated/client.js';
import { processTimeZone, revenue, todayIn, type RevenueTotal } from './payments.js';

export interface Overview {
  onlineNow: number;
  /** Paid mobile-money payments today (the time zone's calendar day), per currency; test money left out. */
  revenueToday: RevenueTotal[];
  timeZone: string;
  paymentsNeedingReview: number;
  /** audit rows security.* and alert.* in the last 24 hours. */
  securityEventsLastDay: number;
}

export async function overview(prisma: PrismaClient, timeZone = processTimeZone(), now = new Date()): Promise<Overview> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const [onlineNow, today, paymentsNeedingReview, securityEventsLastDay] = await Promise.all([
    prisma.accountingSession.count({ where: { status: 'open' } }),
    revenue(prisma, { timeZone, from: todayIn(timeZone, now), to: todayIn(timeZone, now), groupBy: 'provider' }, now),
    prisma.payment.count({ where: { needsReview: true } }),
    prisma.auditLog.count({
      where: { at: { gte: since }, OR: [{ action: { startsWith: 'security.' } }, { action: { startsWith: 'alert.' } }] },
    }),
  ]);
  return { onlineNow, revenueToday: today.totals, timeZone, paymentsNeedingReview, securityEventsLastDay };
}
