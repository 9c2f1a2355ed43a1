// `npm run bench:http-flood`: does an HTTP flood of the portal slow RADIUS down?
// Starts the real `netflow serve` as its own process on a benchmark database, seeds paid codes, and
// measures RADIUS authorization replies/s (PAP, 32 in flight) three times:
//   (a) with no HTTP load;
//   (b) during a full-speed flood of POST /api/v1/portal/vouchers/redeem with one fixed `mac`;
//   (c) during the same flood with a new `mac` on every request (what used to grow the limiter).
// After each it prints the server's resident memory and the rate limiter's gauges from /metrics.
//   options (env): BENCH_DATABASE_URL (default: an embedded PostgreSQL under .bench/flood-data),
//   BENCH_SECONDS=8 (per phase)  BENCH_CONNECTIONS=16 (flood connections)  BENCH_USERS=2000
//   BENCH_RADIUS_THREAD=main (RADIUS on the main thread, as before its own thread, for comparison)
import { mkdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { openDatabase } from '../src/db/database.js';
import { spawnNetflow } from '../test/support/spawn-netflow.js';
import { authLoad, floodRouter, limiterMetrics, seedFloodData, startFlood, type FloodResult } from './http-flood-lib.js';
import type { LoadResult } from './load.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const users = Number(process.env.BENCH_USERS ?? 2000);

async function rssMb(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  await mkdir('.bench', { recursive: true });
  const embedded = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres('.bench/flood-data', () => {});
  const url = process.env.BENCH_DATABASE_URL ?? embedded!.url;
  const db = await openDatabase({ databaseUrl: url, dataDir: '.bench/flood-data' });
  await db.pool.query(
    'TRUNCATE accounting_records, accounting_sessions, entitlement_devices, entitlements, packages, routers RESTART IDENTITY CASCADE',
  );
  const hasTable = async () => (await db.pool.query("SELECT to_regclass('portal_rate_limits') AS t")).rows[0].t !== null;
  if (await hasTable()) await db.pool.query('TRUNCATE portal_rate_limits');
  await seedFloodData(db.pool, users);
  await db.pool.query('VACUUM ANALYZE');
  const server = await spawnNetflow(url, process.env.BENCH_RADIUS_THREAD ? { RADIUS_THREAD: process.env.BENCH_RADIUS_THREAD } : {});
  const pid = server.child.pid!;
  console.log(
    `NetFlow HTTP-flood benchmark — ${cpus().length} cores (${cpus()[0].model}), Node ${process.version}, ${seconds} s per phase, ${connections} flood connections`,
  );
  const rows: Array<{ name: string; auth: LoadResult; flood?: FloodResult }> = [];
  const report = async (name: string, auth: LoadResult, flood?: FloodResult) => {
    rows.push({ name, auth, flood });
    const limiter = await limiterMetrics(server.httpPort);
    const dbRows = (await hasTable()) ? Number((await db.pool.query('SELECT count(*) AS n FROM portal_rate_limits')).rows[0].n) : NaN;
    const floodText = flood
      ? `  | flood ${flood.rps.toFixed(0)} req/s (${Object.entries(flood.statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}${flood.errors ? `, ${flood.errors} errors` : ''})`
      : '';
    console.log(
      `${name.padEnd(24)} RADIUS auth ${auth.rps.toFixed(0).padStart(5)} replies/s  p50 ${auth.p50ms.toFixed(2)} ms  p99 ${auth.p99ms.toFixed(1)} ms  timeouts ${auth.timeouts}${floodText}`,
    );
    console.log(
      `${''.padEnd(24)} server RSS ${(await rssMb(pid)).toFixed(0)} MB  limiter ${
        Object.entries(limiter)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || '(no gauges)'
      }  rows in portal_rate_limits: ${Number.isNaN(dbRows) ? 'n/a' : dbRows}`,
    );
  };
  try {
    // Warm-up: every user's first login, and the HTTP side (JIT, Prisma's first queries).
    await authLoad(server.authPort, users, Math.max(3, users / 1000));
    // Two floods, each on a fresh key until it is refused: whichever flood phase came first was
    // otherwise measured slower (JIT of the refused path, background work after the first logins).
    for (const router of [floodRouter(1), floodRouter(4)]) {
      const warm = startFlood({ httpPort: server.httpPort, router, rotateMac: true, connections });
      await new Promise((r) => setTimeout(r, 4000));
      await warm.stop();
    }
    // Statistics and visibility maps for the tables the first logins filled, as autovacuum would
    // give a running server (as bench/radius-bench.ts does; else the first phase is skewed).
    await db.pool.query('VACUUM ANALYZE');
    await report('(a) no flood', await authLoad(server.authPort, users, seconds));
    // Each flood names a router of its own: both start from a fresh key (router + address), whose
    // first tries are allowed (and reach the database) until the limit refuses the rest.
    for (const [name, rotateMac, router] of [
      ['(b) flood, fixed mac', false, floodRouter(2)],
      ['(c) flood, rotating mac', true, floodRouter(3)],
    ] as const) {
      const flood = startFlood({ httpPort: server.httpPort, router, rotateMac, connections });
      await new Promise((r) => setTimeout(r, 1000)); // let the flood reach full speed
      const auth = await authLoad(server.authPort, users, seconds);
      await report(name, auth, await flood.stop());
    }
    const [a, b, c] = rows.map((r) => r.auth.rps);
    console.log(
      `ratios: (c)/(b) = ${(c / b).toFixed(2)} (goal ≥ 0.80)   (c)/(a) = ${(c / a).toFixed(2)} (goal ≥ 0.50)   (b)/(a) = ${(b / a).toFixed(2)}`,
    );
  } finally {
    await server.stop();
    await db.close();
    await embedded?.stop();
  }
}

await main();
