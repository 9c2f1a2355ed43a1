// A router's RouterOS API access as operators manage it: set or remove the credentials (the
// password sealed before it is stored, never shown again), see each router's health, and run a
// live-users reconciliation now.
import { isIP } from 'node:net';
import { existsSync } from 'node:fs';
import type { PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { InputError, invalid } from '../core/errors.js';
import { text, wholeNumber } from '../core/validate.js';
import { API_PORT, API_SSL_PORT, apiPasswordContext, describeApi, targetOf } from '../routers/api-credentials.js';
import { reconcileRouter, type SyncReport } from '../routers/reconcile.js';
import { saveSync, UNSEEN_AFTER_MS } from '../routers/router-jobs.js';
import { DEFAULT_API_TIMEOUT_MS, withRouterApi } from '../routers/routeros-client.js';
import type { SecretBox } from '../routers/secret-box.js';

export interface RouterApiInput {
  user: string;
  password: string;
  /** Default 8728, or 8729 with tls. */
  port?: number;
  tls?: boolean;
  /** Default: the router's RADIUS address. */
  host?: string;
  /** PEM CA file for a router's self-signed API-SSL certificate. */
  caFile?: string;
}

export function checkRouterApiInput(input: RouterApiInput) {
  const user = text('user', input.user, 64);
  if (input.password.length === 0 || input.password.length > 256) throw invalid('password', 'must be 1 to 256 characters');
  const tls = input.tls ?? false;
  const host = input.host === undefined ? null : input.host.trim();
  if (host !== null && !isIP(host) && !/^[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*$/i.test(host))
    throw invalid('host', 'must be an IP address or a host name');
  if (input.caFile !== undefined && !tls) throw invalid('caFile', 'only applies with --tls (API-SSL)');
  if (input.caFile !== undefined && !existsSync(input.caFile)) throw invalid('caFile', `no such file: ${input.caFile}`);
  return {
    user,
    password: input.password,
    tls,
    host,
    caFile: input.caFile ?? null,
    port: wholeNumber('port', input.port ?? (tls ? API_SSL_PORT : API_PORT), 1, 65535),
  };
}

async function routerNamed(prisma: PrismaClient, name: string) {
  const router = await prisma.router.findUnique({ where: { name }, include: { apiCredential: true } });
  if (!router) throw new InputError(`no router named "${name}" (see: netflow router list)`, 'name');
  return router;
}

export async function setRouterApi(
  prisma: PrismaClient,
  name: string,
  input: RouterApiInput,
  box: SecretBox,
  actor: string,
): Promise<{ router: string; api: string }> {
  const data = checkRouterApiInput(input);
  const router = await routerNamed(prisma, name);
  const row = {
    host: data.host,
    port: data.port,
    tls: data.tls,
    caFile: data.caFile,
    username: data.user,
    passwordSealed: box.seal(data.password, apiPasswordContext(router.id)),
    keyId: box.keyId,
  };
  const api = describeApi(row, router.ip);
  await prisma.$transaction(async (tx) => {
    await tx.routerApiCredential.upsert({ where: { routerId: router.id }, create: { routerId: router.id, ...row }, update: row });
    await recordAudit(tx, {
      actor,
      action: 'router.api_set',
      subject: router.name,
      details: {
        before: router.apiCredential ? { api: describeApi(router.apiCredential, router.ip) } : { api: null },
        after: { api, caFile: data.caFile, keyId: box.keyId },
      },
    });
  });
  return { router: router.name, api };
}

export async function removeRouterApi(prisma: PrismaClient, name: string, actor: string): Promise<{ router: string; removed: boolean }> {
  const router = await routerNamed(prisma, name);
  if (!router.apiCredential) return { router: router.name, removed: false };
  await prisma.$transaction(async (tx) => {
    await tx.routerApiCredential.delete({ where: { routerId: router.id } });
    await recordAudit(tx, {
      actor,
      action: 'router.api_remove',
      subject: router.name,
      details: { before: { api: describeApi(router.apiCredential!, router.ip) }, after: { api: null } },
    });
  });
  return { router: router.name, removed: true };
}

export interface RouterStatusView {
  name: string;
  ip: string;
  api: string | null;
  /** null: no API credentials (RADIUS alone tells whether it is alive). */
  reachable: boolean | null;
  checkedAt: Date | null;
  error: string | null;
  identity: string | null;
  version: string | null;
  uptime: string | null;
  cpuLoad: number | null;
  freeMemory: string | null;
  totalMemory: string | null;
  drift: string[];
  lastRadiusAt: Date | null;
  lastApiAnswerAt: Date | null;
  /** No RADIUS packet and no API answer for 10 minutes. */
  unseen: boolean;
  lastSyncAt: Date | null;
  lastSync: unknown;
}

export async function routerStatus(prisma: PrismaClient, name?: string, now = new Date()): Promise<RouterStatusView[]> {
  if (name !== undefined) await routerNamed(prisma, name);
  const routers = await prisma.router.findMany({
    where: name === undefined ? {} : { name },
    include: { apiCredential: true, health: true },
    orderBy: { name: 'asc' },
  });
  return routers.map((r) => {
    const h = r.health;
    const lastHeard = Math.max(r.lastSeenAt?.getTime() ?? 0, h?.lastAnswerAt?.getTime() ?? 0, r.createdAt.getTime());
    return {
      name: r.name,
      ip: r.ip,
      api: r.apiCredential ? describeApi(r.apiCredential, r.ip) : null,
      reachable: r.apiCredential ? (h?.reachable ?? null) : null,
      checkedAt: h?.checkedAt ?? null,
      error: h?.error ?? null,
      identity: h?.identity ?? null,
      version: h?.version ?? null,
      uptime: h?.uptime ?? null,
      cpuLoad: h?.cpuLoad ?? null,
      freeMemory: h?.freeMemory?.toString() ?? null,
      totalMemory: h?.totalMemory?.toString() ?? null,
      drift: Array.isArray(h?.drift) ? (h.drift as string[]) : [],
      lastRadiusAt: r.lastSeenAt,
      lastApiAnswerAt: h?.lastAnswerAt ?? null,
      unseen: r.status === 'active' && now.getTime() - lastHeard >= UNSEEN_AFTER_MS,
      lastSyncAt: h?.lastSyncAt ?? null,
      lastSync: h?.lastSync ?? null,
    };
  });
}

/** Reconciles one router now (as the periodic job does). */
export async function syncRouter(
  prisma: PrismaClient,
  name: string,
  box: () => Promise<SecretBox>,
  actor: string,
  timeoutMs = DEFAULT_API_TIMEOUT_MS,
): Promise<SyncReport> {
  const router = await routerNamed(prisma, name);
  if (!router.apiCredential) {
    throw new InputError(`router "${name}" has no API credentials (set them: netflow router api ${name} --user U --password P)`, 'name');
  }
  const target = targetOf(router.apiCredential, router.ip, await box());
  const report = await withRouterApi(
    target,
    (api) => reconcileRouter(prisma, api, router, { now: () => new Date(), actor }),
    timeoutMs * 3,
  );
  await saveSync(prisma, router.id, report);
  return report;
}
