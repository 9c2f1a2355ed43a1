// The captive portal's budgets (npm run bench:portal), measured the way a guest meets the portal:
//   size   the JavaScript and CSS the portal page loads, gzipped (what NetFlow sends: the build's
//          .gz files), budget < 50 KB;
//   speed  Debian's Chromium with network emulation (CDP Network.emulateNetworkConditions), a
//          cold cache (a fresh browser context per run), starting at the hotspot's login page
//          (NetFlow's login.html served by the MikroTik simulator), which forwards to the portal:
//          the time until the package list is painted, and the portal's first contentful paint,
//          both from the moment the browser asks for the hotspot page.
//          1.6 Mbit/s down, 150 ms round trips: budget < 1 s; 400 kbit/s, 400 ms: budget < 2.5 s.
// Everything runs on loopback: NetFlow in-process on an embedded PostgreSQL under .bench/portal-data
// (or BENCH_DATABASE_URL), the simulator beside it, one unmeasured guest first (a server's first
// requests after start are slow; the budget is about a site in use, with a browser that has never
// seen it). BENCH_RUNS (default 5) runs per profile; the table shows the median and the worst.
// BENCH_WATERFALL=1 prints each run's resource timings. Exits 1 when a budget is missed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openDatabase } from '../src/db/database.js';
import { launchChromium, newPhoneContext } from '../test/support/browser.js';
import { buildWebIfStale, startPortalSite } from '../test/support/portal-site.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'web', 'dist');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZE_BUDGET = 50 * 1024;

interface Profile {
  name: string;
  downKbit: number;
  upKbit: number;
  rttMs: number;
  budgetMs: number;
}

const PROFILES: Profile[] = [
  { name: '1.6 Mbit/s, 150 ms RTT', downKbit: 1600, upKbit: 750, rttMs: 150, budgetMs: 1000 },
  { name: '400 kbit/s, 400 ms RTT', downKbit: 400, upKbit: 400, rttMs: 400, budgetMs: 2500 },
];

/** The scripts and styles portal/index.html loads (entry, preloaded chunks, stylesheets). */
function portalAssets(): Array<{ file: string; raw: number; gzip: number }> {
  const html = readFileSync(path.join(DIST, 'portal', 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  return [...new Set(refs)].map((ref) => {
    const data = readFileSync(path.join(DIST, ref));
    return { file: ref, raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  buildWebIfStale();
  const assets = portalAssets();
  const totalGzip = assets.reduce((s, a) => s + a.gzip, 0);
  console.log('Portal size (JS + CSS the page loads, gzip -9, as served):');
  for (const a of assets) console.log(`  ${a.file.padEnd(34)} ${kb(a.raw).padStart(9)} raw  ${kb(a.gzip).padStart(8)} gzipped`);
  console.log(`  ${'total'.padEnd(34)} ${''.padStart(9)}      ${kb(totalGzip).padStart(8)} gzipped  (budget ${kb(SIZE_BUDGET)})`);

  const db = await openDatabase({ databaseUrl: process.env.BENCH_DATABASE_URL, dataDir: '.bench/portal-data' });
  await db.pool.query(
    'TRUNCATE accounting_records, accounting_sessions, entitlement_devices, entitlements, payments, packages, routers RESTART IDENTITY CASCADE',
  );
  const site = await startPortalSite(db);
  const browser = await launchChromium();
  const results: Array<{ profile: Profile; shown: number[]; fcp: number[] }> = [];
  try {
    // One guest first, unmeasured and unthrottled: a server that has just started answers its first
    // requests slowly (code loading, the database's first queries); a site in use does not.
    const warm = await newPhoneContext(browser);
    const warmPage = await warm.newPage();
    await warmPage.goto(site.hotspotLoginUrl({ mac: 'AA:BB:CC:B0:00:01', ip: '10.5.50.199' }));
    await warmPage.waitForFunction(() => performance.getEntriesByName('netflow:packages-shown').length > 0, null, { timeout: 30_000 });
    await warm.close();

    for (const profile of PROFILES) {
      const shown: number[] = [];
      const fcp: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const ctx = await newPhoneContext(browser);
        const page = await ctx.newPage();
        const cdp = await ctx.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: profile.rttMs,
          downloadThroughput: (profile.downKbit * 1000) / 8,
          uploadThroughput: (profile.upKbit * 1000) / 8,
        });
        const dev = { mac: `AA:BB:CC:B0:00:${(run + 16).toString(16).toUpperCase()}`, ip: `10.5.50.${200 + run}` };
        const started = Date.now();
        await page.goto(site.hotspotLoginUrl(dev), { waitUntil: 'commit' });
        await page.waitForURL((u) => u.pathname === '/portal/', { timeout: 30_000, waitUntil: 'commit' });
        await page.waitForFunction(() => performance.getEntriesByName('netflow:packages-shown').length > 0, null, {
          timeout: 30_000,
          polling: 20,
        });
        const t = await page.evaluate(() => ({
          origin: performance.timeOrigin,
          shown: performance.getEntriesByName('netflow:packages-shown')[0].startTime,
          fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
        }));
        if (process.env.BENCH_WATERFALL) {
          const w = await page.evaluate(() => ({
            nav: performance.getEntriesByType('navigation').map((e) => {
              const n = e as PerformanceNavigationTiming;
              return { req: n.requestStart, resp: n.responseStart, end: n.responseEnd, dcl: n.domContentLoadedEventEnd };
            }),
            res: performance.getEntriesByType('resource').map((e) => {
              const r = e as PerformanceResourceTiming;
              return {
                name: r.name.replace(/^https?:\/\/[^/]+/, '').slice(0, 40),
                start: Math.round(r.startTime),
                req: Math.round(r.requestStart),
                resp: Math.round(r.responseStart),
                end: Math.round(r.responseEnd),
              };
            }),
          }));
          console.log(profile.name, 'portal timeOrigin after start:', Math.round(t.origin - started), JSON.stringify(w));
        }
        shown.push(t.origin + t.shown - started);
        fcp.push(t.origin + t.fcp - started);
        await ctx.close();
      }
      results.push({ profile, shown, fcp });
    }
  } finally {
    await browser.close();
    await site.close();
    await db.close();
  }

  console.log(`\nPackage list painted, cold cache, from the hotspot's login page (${RUNS} runs each, Chromium ${browser.version()}):`);
  console.log('| Network                 | Package list (median) | worst    | Portal FCP (median) | Budget  | Verdict |');
  console.log('|-------------------------|-----------------------|----------|---------------------|---------|---------|');
  let ok = totalGzip < SIZE_BUDGET;
  for (const r of results) {
    const m = median(r.shown);
    const pass = m < r.profile.budgetMs;
    ok &&= pass;
    console.log(
      `| ${r.profile.name.padEnd(23)} | ${`${Math.round(m)} ms`.padStart(21)} | ${`${Math.round(Math.max(...r.shown))} ms`.padStart(8)} | ${`${Math.round(median(r.fcp))} ms`.padStart(19)} | ${`< ${r.profile.budgetMs / 1000} s`.padStart(7)} | ${(pass ? 'ok' : 'OVER').padStart(7)} |`,
    );
  }
  console.log(
    `| JS + CSS gzipped        | ${kb(totalGzip).padStart(21)} |          |                     | < 50 KB | ${(totalGzip < SIZE_BUDGET ? 'ok' : 'OVER').padStart(7)} |`,
  );
  process.exitCode = ok ? 0 : 1;
}

await main();
