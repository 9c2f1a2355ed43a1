// A whole captive-portal site on loopback, for the Chromium tests (test/e2e/portal.test.ts) and the
// budget script (bench/portal-budget.ts): NetFlow (RADIUS + HTTP with the payment sandbox serving
// test money), a router registered for 127.0.0.1, packages and vouchers, and the MikroTik
// simulator's hotspot (RADIUS client + its login web server). The guest's way in is the hotspot's
// login page (routeros-scripts/hotspot/login.html), which forwards the browser to the portal.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/config/logger.js';
import type { Database } from '../../src/db/database.js';
import { CODE } from '../../src/radius/codes.js';
import { startNetflow, type RunningNetflow } from '../../src/app/serve.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { HttpLogin } from '../../tools/nas-sim/http-login.js';
import { TestRadiusClient } from './radius-client.js';

export const SITE_SECRET = 'portal-e2e-secret-0123456789';
export const SITE_ROUTER = 'cafe-bahari';

export interface PortalSite {
  db: Database;
  netflow: RunningNetflow;
  hotspot: Hotspot;
  web: HttpLogin;
  routerId: number;
  /** http://127.0.0.1:<port> of NetFlow and of the hotspot's web server. */
  netflowBase: string;
  hotspotBase: string;
  packages: { hour: number; day: number };
  /** The hotspot's login page for a device, as RouterOS shows it to a guest who is not logged in (it forwards to the portal). */
  hotspotLoginUrl(device: { mac: string; ip: string }, dst?: string): string;
  close(): Promise<void>;
}

export async function startPortalSite(db: Database, options: { approveSeconds?: number } = {}): Promise<PortalSite> {
  const config = loadConfig({
    DATABASE_URL: db.url,
    RADIUS_BIND: '127.0.0.1',
    HTTP_BIND: '127.0.0.1',
    PORT: '0',
    RADIUS_AUTH_PORT: '0',
    RADIUS_ACCT_PORT: '0',
    PAYMENTS_SANDBOX: 'on',
    // Long enough to see "approve on your phone", short enough for a test.
    SANDBOX_APPROVE_SECONDS: String(options.approveSeconds ?? 1),
  });
  const netflow = await startNetflow(config, db, silentLogger, { enforcement: 'manual', payments: { jobs: 'manual' } });
  const router = await db.prisma.router.create({
    data: { name: SITE_ROUTER, ip: '127.0.0.1', secret: SITE_SECRET, location: 'Stone Town', acceptsTestMoney: true },
  });
  const hour = await db.prisma.package.create({
    data: {
      name: '1 hour',
      minutes: 60,
      priceMinor: 100_000n,
      currency: 'TZS',
      rateLimitUp: '2M',
      rateLimitDown: '5M',
      clockStartsAt: 'first_login',
    },
  });
  const day = await db.prisma.package.create({
    data: {
      name: 'Day pass',
      minutes: 24 * 60,
      priceMinor: 300_000n,
      currency: 'TZS',
      rateLimitUp: '2M',
      rateLimitDown: '10M',
      dataCapBytes: 2_000_000_000n,
      devicesAllowed: 2,
      clockStartsAt: 'first_login',
    },
  });
  await waitForRouterTable(netflow.authPort);
  const hotspot = await Hotspot.start({
    server: '127.0.0.1',
    secret: SITE_SECRET,
    authPort: netflow.authPort,
    acctPort: netflow.acctPort,
    bindAddress: '127.0.0.1',
    nasIdentifier: 'CafeBahari-AP',
  });
  const netflowBase = `http://127.0.0.1:${netflow.httpPort}`;
  // NetFlow's own hotspot pages (routeros-scripts/hotspot), filled in as RouterOS fills them, with
  // the values `netflow router script` writes in: login.html forwards the guest to the portal.
  const web = await HttpLogin.start({
    hotspot,
    port: 0,
    htmlDir: HOTSPOT_DIR,
    netflowPages: { portalUrl: `${netflowBase}/portal/`, routerName: SITE_ROUTER },
  });
  const hotspotBase = `http://127.0.0.1:${web.port()}`;
  return {
    db,
    netflow,
    hotspot,
    web,
    routerId: router.id,
    netflowBase,
    hotspotBase,
    packages: { hour: hour.id, day: day.id },
    hotspotLoginUrl: ({ mac, ip }, dst = 'http://neverssl.com/') =>
      `${hotspotBase}/login?${new URLSearchParams({ mac, ip, dst }).toString()}`,
    async close() {
      await web.close();
      await hotspot.stop({ endSessions: false });
      await netflow.close();
    },
  };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOTSPOT_DIR = path.join(ROOT, 'routeros-scripts', 'hotspot');

/**
 * Rebuilds web/dist when a source of the pages is newer than the build (as the test setup does for
 * dist/), so the browser tests and the budget measure the pages as they are in the tree.
 */
export function buildWebIfStale(): void {
  const built = (() => {
    try {
      return statSync(path.join(ROOT, 'web/dist/portal/index.html')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = [
    ...['web/portal', 'web/shared', 'web/dashboard', 'src/http/schemas'].flatMap((dir) =>
      readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name)),
    ),
    path.join(ROOT, 'web/vite.config.ts'),
    path.join(ROOT, 'src/portal/hotspot-params.ts'),
  ];
  if (sources.some((f) => statSync(f).mtimeMs > built)) {
    execFileSync(process.execPath, ['scripts/build-web.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
}

/** NetFlow's router table reloads on NOTIFY; until then the new router's requests are dropped. */
async function waitForRouterTable(authPort: number): Promise<void> {
  const probe = await TestRadiusClient.open();
  try {
    for (let i = 0; i < 50; i++) {
      const { reply } = await probe.send(
        CODE.accessRequest,
        [
          ['User-Name', 'probe'],
          ['User-Password', 'x'],
          ['NAS-Identifier', 'probe'],
        ],
        SITE_SECRET,
        authPort,
      );
      if (reply) return;
    }
    throw new Error('NetFlow never answered the router: its router table did not load');
  } finally {
    probe.close();
  }
}
