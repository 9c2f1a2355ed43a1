// The periodic router jobs (node-cron): health every few minutes, live-users reconciliation less
// often. Safe with several NetFlow instances on one database: before touching a router an
// instance takes its lease (router_health.lease_until), so each router is polled by one instance
// per round, and a crashed instance's lease simply runs out.
// "Last seen" needs no per-packet write: the RADIUS router table marks routers heard from in memory
// and flushes routers.last_seen_at every few seconds (src/db/router-table.ts).
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../config/logger.js';
import { recordAudit } from '../audit/audit.js';
import { apiPasswordContext, targetOf } from './api-credentials.js';
import { readHealth, type ExpectedSetup, type HealthReading } from './health.js';
import { reconcileRouter, type SyncReport } from './reconcile.js';
import { DEFAULT_API_TIMEOUT_MS, withRouterApi } from './routeros-client.js';
import type { SecretBox } from './secret-box.js';

export const UNSEEN_AFTER_MS = 10 * 60_000;

export interface RouterJobsOptions {
  prisma: PrismaClient;
  /** Opened on first need (a router with API credentials): no key file is made for routers without. */
  box: () => Promise<SecretBox>;
  log: Logger;
  expected: Omit<ExpectedSetup, 'coaPort'>;
  now?: () => Date;
  instance?: string;
  apiTimeoutMs?: number;
  healthSchedule?: string;
  syncSchedule?: string;
  /**
   * How long a router stays with the instance that polled it. Renewed by that instance's every
   * round, so a router sticks to one instance while it lives; a little under the health period, so
   * another instance takes over within one round after it dies.
   */
  leaseSeconds?: number;
}

export interface HealthOutcome {
  router: string;
  reachable: boolean | null;
  error: string | null;
  reading: HealthReading | null;
  alerts: string[];
}

export interface RouterJobs {
  /** One health round over every active router this instance can lease. */
  healthRound(): Promise<HealthOutcome[]>;
  /** One reconciliation round over every active router with API credentials. */
  syncRound(): Promise<SyncReport[]>;
  start(): void;
  stop(): Promise<void>;
}

type RouterRow = Awaited<ReturnType<typeof activeRouters>>[number];

function activeRouters(prisma: PrismaClient) {
  return prisma.router.findMany({ where: { status: 'active' }, include: { apiCredential: true, health: true }, orderBy: { id: 'asc' } });
}

/** Takes the router's lease for `seconds`, unless another instance holds it; true when taken. */
export async function leaseRouter(prisma: PrismaClient, routerId: number, instance: string, now: Date, seconds: number): Promise<boolean> {
  const rows = await prisma.$queryRaw<Array<{ router_id: number }>>`
    INSERT INTO router_health (router_id, lease_until, leased_by) VALUES (${routerId}, ${now}::timestamptz + make_interval(secs => ${seconds}), ${instance})
    ON CONFLICT (router_id) DO UPDATE SET lease_until = excluded.lease_until, leased_by = excluded.leased_by
     WHERE router_health.lease_until IS NULL OR router_health.lease_until <= ${now} OR router_health.leased_by = ${instance}
    RETURNING router_id`;
  return rows.length > 0;
}

/** Gives this instance's routers up (at stop), so another instance takes them at its next round. */
async function releaseAll(prisma: PrismaClient, instance: string): Promise<void> {
  await prisma.routerHealth.updateMany({ where: { leasedBy: instance }, data: { leaseUntil: null, leasedBy: null } });
}

export function createRouterJobs(options: RouterJobsOptions): RouterJobs {
  const { prisma, box, log } = options;
  const now = options.now ?? (() => new Date());
  const instance = options.instance ?? `${hostname()}:${process.pid}`;
  const timeoutMs = options.apiTimeoutMs ?? DEFAULT_API_TIMEOUT_MS;
  const leaseSeconds = options.leaseSeconds ?? 170;
  const tasks: ScheduledTask[] = [];
  let running: Promise<unknown> = Promise.resolve();

  async function checkOne(router: RouterRow): Promise<HealthOutcome> {
    const at = now();
    let reading: HealthReading | null = null;
    let error: string | null = null;
    if (router.apiCredential) {
      try {
        const sealer = await box();
        const target = targetOf(router.apiCredential, router.ip, sealer);
        if (router.apiCredential.keyId !== sealer.keyId) await reseal(prisma, router.id, target.password, sealer);
        reading = await withRouterApi(target, (api) => readHealth(api, { ...options.expected, coaPort: router.coaPort }), timeoutMs);
      } catch (err) {
        error = (err as Error).message;
      }
    }
    const reachable = router.apiCredential ? reading !== null : null;
    const before = router.health;
    const lastAnswerAt = reading ? at : (before?.lastAnswerAt ?? null);
    const lastHeard = Math.max(router.lastSeenAt?.getTime() ?? 0, lastAnswerAt?.getTime() ?? 0, router.createdAt.getTime());
    const unseen = at.getTime() - lastHeard >= UNSEEN_AFTER_MS;
    const drift = reading?.drift ?? null;
    const alerts: string[] = [];
    await prisma.$transaction(async (tx) => {
      let unseenAlertedAt = before?.unseenAlertedAt ?? null;
      if (unseen && !unseenAlertedAt) {
        unseenAlertedAt = at;
        alerts.push('alert.router_unseen');
        await recordAudit(tx, {
          actor: 'router-health',
          action: 'alert.router_unseen',
          subject: router.name,
          details: {
            routerId: router.id,
            lastRadiusPacketAt: router.lastSeenAt?.toISOString() ?? null,
            lastApiAnswerAt: lastAnswerAt?.toISOString() ?? null,
            apiError: error,
            why: 'no RADIUS packet and no API answer for 10 minutes',
          },
        });
      } else if (!unseen && unseenAlertedAt) {
        unseenAlertedAt = null; // the episode is over; the next silence raises a new alert
      }
      let driftAlerted = before?.driftAlerted ?? false;
      if (drift && drift.length > 0 && !driftAlerted) {
        driftAlerted = true;
        alerts.push('alert.router_drift');
        await recordAudit(tx, {
          actor: 'router-health',
          action: 'alert.router_drift',
          subject: router.name,
          details: { routerId: router.id, drift },
        });
      } else if (drift && drift.length === 0) {
        driftAlerted = false;
      }
      const data = {
        checkedAt: at,
        reachable,
        error,
        lastAnswerAt,
        unseenAlertedAt,
        driftAlerted,
        ...(reading
          ? {
              identity: reading.identity,
              version: reading.version,
              uptime: reading.uptime,
              cpuLoad: reading.cpuLoad,
              freeMemory: reading.freeMemory,
              totalMemory: reading.totalMemory,
              drift: reading.drift,
            }
          : {}),
      };
      await tx.routerHealth.upsert({ where: { routerId: router.id }, create: { routerId: router.id, ...data }, update: data });
    });
    for (const a of alerts)
      log.warn(a === 'alert.router_unseen' ? 'router unseen: no RADIUS packet and no API answer for 10 minutes' : 'router setup drifted', {
        router: router.name,
        ...(a === 'alert.router_drift' ? { drift } : { error }),
      });
    return { router: router.name, reachable, error, reading, alerts };
  }

  async function healthRound(): Promise<HealthOutcome[]> {
    const out: HealthOutcome[] = [];
    for (const router of await activeRouters(prisma)) {
      try {
        if (!(await leaseRouter(prisma, router.id, instance, now(), leaseSeconds))) continue;
        out.push(await checkOne(router));
      } catch (err) {
        // One router's bad moment (say a lost database connection mid-write) does not end the round.
        log.error('router health check failed', { router: router.name, error: (err as Error).message });
      }
    }
    return out;
  }

  async function syncRound(): Promise<SyncReport[]> {
    const out: SyncReport[] = [];
    for (const router of await activeRouters(prisma)) {
      if (!router.apiCredential) continue;
      if (!(await leaseRouter(prisma, router.id, instance, now(), leaseSeconds))) continue;
      try {
        const target = targetOf(router.apiCredential, router.ip, await box());
        const report = await withRouterApi(
          target,
          (api) => reconcileRouter(prisma, api, router, { now, actor: 'router-sync' }),
          timeoutMs * 3,
        );
        await saveSync(prisma, router.id, report);
        if (report.closed.length || report.removed.length)
          log.info('router sync', { router: router.name, closed: report.closed.length, removed: report.removed.length });
        out.push(report);
      } catch (err) {
        log.warn('router sync failed', { router: router.name, error: (err as Error).message });
      }
    }
    return out;
  }

  /** One round at a time on this instance: a slow router must not pile rounds up. */
  const serial = <T>(round: () => Promise<T>) => {
    const next = running.then(round, round);
    running = next.catch(() => {});
    return next;
  };

  return {
    healthRound: () => serial(healthRound),
    syncRound: () => serial(syncRound),
    start() {
      const guard = (name: string, round: () => Promise<unknown>) => async () => {
        try {
          await round();
        } catch (err) {
          log.error(`${name} failed`, { error: (err as Error).message });
        }
      };
      tasks.push(
        cron.schedule(
          options.healthSchedule ?? '*/3 * * * *',
          guard('router health', () => serial(healthRound)),
          {
            noOverlap: true,
            name: 'netflow-router-health',
          },
        ),
        cron.schedule(
          options.syncSchedule ?? '*/10 * * * *',
          guard('router sync', () => serial(syncRound)),
          {
            noOverlap: true,
            name: 'netflow-router-sync',
          },
        ),
      );
    },
    async stop() {
      for (const t of tasks) await t.destroy();
      await running;
      await releaseAll(prisma, instance).catch(() => {});
    },
  };
}

export async function saveSync(prisma: PrismaClient, routerId: number, report: SyncReport): Promise<void> {
  const lastSync = {
    onRouter: report.onRouter,
    openInNetflow: report.openInNetflow,
    closed: report.closed.length,
    removed: report.removed.length,
  };
  await prisma.routerHealth.upsert({
    where: { routerId },
    create: { routerId, lastSyncAt: report.checkedAt, lastSync },
    update: { lastSyncAt: report.checkedAt, lastSync },
  });
}

/** After a key rotation (old key in NETFLOW_SECRET_KEY_PREVIOUS): the password sealed again under the current key. */
async function reseal(prisma: PrismaClient, routerId: number, password: string, box: SecretBox): Promise<void> {
  await prisma.routerApiCredential.update({
    where: { routerId },
    data: { passwordSealed: box.seal(password, apiPasswordContext(routerId)), keyId: box.keyId },
  });
}
