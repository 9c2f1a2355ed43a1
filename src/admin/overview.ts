// The dashboard's first screen in one read: who is online now, what mobile money brought in today,
// payments waiting for an operator, and security events and alerts of the last day.
import type { PrismaClient } from '../db/generated/client.js';
import { processTimeZone, revenue, todayIn, type RevenueTotal } from './payments.js';
import { routerStatus, type RouterStatusView } from './router-api.js';

/** An alert.* audit row whose condition still holds. */
export interface OpenAlert {
  id: bigint;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  details: unknown;
}

const ALERTS_SHOWN = 10;

export interface Overview {
  onlineNow: number;
  /** Paid mobile-money payments today (the time zone's calendar day), per currency; test money left out. */
  revenueToday: RevenueTotal[];
  timeZone: string;
  paymentsNeedingReview: number;
  /** audit rows security.* and alert.* in the last 24 hours. */
  securityEventsLastDay: number;
  /** Routers by state (up: heard in 10 minutes; down: the unseen alert's rule; unknown: neither). */
  routers: { up: number; down: number; unknown: number };
  /** The newest alert.* rows of the last 24 hours still unresolved, one per alert and subject. */
  openAlerts: OpenAlert[];
}

/**
 * Whether an alert still stands: a router unseen until it is heard again, a drift until the router
 * matches the script again (or its router is gone); other alerts stand for the day they were raised.
 */
function stillOpen(action: string, subject: string | null, routers: Map<string, RouterStatusView>): boolean {
  if (action !== 'alert.router_unseen' && action !== 'alert.router_drift') return true;
  const r = subject === null ? undefined : routers.get(subject);
  if (!r) return false;
  return action === 'alert.router_unseen' ? r.state === 'down' : r.drift.length > 0;
}

export async function overview(prisma: PrismaClient, timeZone = processTimeZone(), now = new Date()): Promise<Overview> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const [onlineNow, today, paymentsNeedingReview, securityEventsLastDay, statuses, alerts] = await Promise.all([
    prisma.accountingSession.count({ where: { status: 'open' } }),
    revenue(prisma, { timeZone, from: todayIn(timeZone, now), to: todayIn(timeZone, now), groupBy: 'provider' }, now),
    prisma.payment.count({ where: { needsReview: true } }),
    prisma.auditLog.count({
      where: { at: { gte: since }, OR: [{ action: { startsWith: 'security.' } }, { action: { startsWith: 'alert.' } }] },
    }),
    routerStatus(prisma, undefined, now),
    prisma.auditLog.findMany({
      where: { at: { gte: since }, action: { startsWith: 'alert.' } },
      orderBy: { id: 'desc' },
      take: 200,
    }),
  ]);
  const routers = { up: 0, down: 0, unknown: 0 };
  for (const r of statuses) routers[r.state]++;
  const byName = new Map(statuses.map((r) => [r.name, r]));
  const seen = new Set<string>();
  const openAlerts: OpenAlert[] = [];
  for (const a of alerts) {
    const key = `${a.action}\u0000${a.subject ?? ''}`;
    if (seen.has(key) || !stillOpen(a.action, a.subject, byName)) continue;
    seen.add(key);
    openAlerts.push({ id: a.id, at: a.at, actor: a.actor, action: a.action, subject: a.subject, details: a.details });
    if (openAlerts.length === ALERTS_SHOWN) break;
  }
  return { onlineNow, revenueToday: today.totals, timeZone, paymentsNeedingReview, securityEventsLastDay, routers, openAlerts };
}
