// `npm run bench:reports`: how long each accounting report takes on a year of data.
// Seeds (in SQL, generate_series; a few minutes) 8 routers, 6 packages in two currencies, 120,000
// sessions over the last 365 days with 10 accounting records each (1.2 M records: Start, 8 Interims,
// Stop), 60,000 mobile-money payments in every status and 40,000 vouchers (most redeemed, some
// revoked), then ANALYZE. Each report then runs warm (2 runs to warm up, then the median, min and
// max of BENCH_RUNS), over the last 30 days (the default) and over the whole year, and its plan is
// checked (EXPLAIN): no sequential scan of a large table. The seed is kept under .bench/ and reused
// by the next run (BENCH_RESEED=1 seeds again).
//   options (env): BENCH_DATABASE_URL (default: an embedded PostgreSQL under .bench/reports-data),
//   BENCH_SESSIONS=120000  BENCH_RUNS=9  BENCH_RESEED=1
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import type pg from 'pg';
import { openDatabase } from '../src/db/database.js';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { findReport, REPORTS, resolveReportParams, runReport, type RawReportParams } from '../src/reports/index.js';
import { refreshRollups } from '../src/reports/rollups.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 120_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const RECORDS_PER_SESSION = 10;
// Not vouchers: one row per printed code, hashed whole by the revenue reports' join to their batch,
// which measured faster than a lookup per sale (see src/reports/revenue.ts).
const BIG_TABLES = ['accounting_sessions', 'accounting_records', 'payments', 'entitlements', 'report_rollup_devices'];

function log(line: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function seed(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM accounting_sessions WHERE acct_session_id LIKE 'bench-%'`,
  );
  if (rows[0]!.n >= SESSIONS && !process.env.BENCH_RESEED) {
    log(`reusing the seeded data (${rows[0]!.n} sessions; BENCH_RESEED=1 to seed again)`);
    return;
  }
  const client = await pool.connect();
  const step = async (what: string, sql: string, params: unknown[] = []) => {
    const t = performance.now();
    const r = await client.query(sql, params);
    log(`${what}: ${r.rowCount ?? 0} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  try {
    log('seeding a year of data');
    await client.query(`DELETE FROM settings WHERE key = 'bench.reports_seeded'`);
    await client.query(
      `TRUNCATE accounting_records, enforcement_actions, accounting_sessions, payment_events, payments, vouchers, voucher_batches,
                entitlement_devices, entitlements, packages, routers RESTART IDENTITY CASCADE`,
    );
    await client.query('SELECT setseed(0.42)');
    await step(
      'routers',
      `INSERT INTO routers (name, ip, secret, updated_at)
       SELECT 'bench-cafe-' || g, '10.9.0.' || g, 'benchsecretbench', now() FROM generate_series(1, 8) g`,
    );
    await step(
      'packages',
      `INSERT INTO packages (name, minutes, price_minor, currency, rate_limit_up, rate_limit_down, updated_at)
       VALUES ('30 min', 30, 500, 'TZS', '1M', '2M', now()), ('1 hour', 60, 1000, 'TZS', '1M', '2M', now()),
              ('1 day', 1440, 3000, 'TZS', '2M', '5M', now()), ('1 week', 10080, 15000, 'TZS', '2M', '5M', now()),
              ('1 hour KES', 60, 50, 'KES', '1M', '2M', now()), ('1 day KES', 1440, 150, 'KES', '2M', '5M', now())`,
    );
    // Sessions: uniform over the year, 5 to 180 minutes, 20,000 devices; the last ones still open or stale.
    await step(
      'sessions',
      `INSERT INTO accounting_sessions (router_id, acct_session_id, user_name, mac, status, started_at, stopped_at, updated_at, heard_at,
                                        session_time, bytes_up, bytes_down, terminate_cause)
       SELECT router_id, 'bench-' || g, 'guest', mac, 'closed', started, started + len, started + len, started + len,
              extract(epoch FROM len)::int, (random() * 50e6)::bigint, (random() * 500e6)::bigint, 'User-Request'
         FROM (SELECT g, 1 + floor(random() * 8)::int AS router_id,
                      'AA:BB:' || lpad(to_hex(floor(random() * 20000)::int), 8, '0') AS mac,
                      now() - interval '365 days' * random() - interval '3 hours' AS started,
                      interval '5 minutes' + interval '175 minutes' * random() AS len
                 FROM generate_series(1, $1::int) g) x
        ORDER BY started`, // in time order, as a running server writes them (the tables' physical order follows time)
      [SESSIONS],
    );
    await step(
      'open and stale sessions',
      `UPDATE accounting_sessions SET started_at = now() - interval '2 hours' * random(), stopped_at = NULL,
              status = CASE WHEN id % 5 = 0 THEN 'stale' ELSE 'open' END::"AccountingSessionStatus"
        WHERE id > $1::int - 300`,
      [SESSIONS],
    );
    await client.query(`UPDATE accounting_sessions SET updated_at = started_at + interval '10 minutes' WHERE stopped_at IS NULL`);
    // Records: Start, 8 Interims and Stop of each session, in chunks (progress).
    const chunks = 10;
    for (let c = 0; c < chunks; c++) {
      const lo = Math.floor((SESSIONS * c) / chunks);
      const hi = Math.floor((SESSIONS * (c + 1)) / chunks);
      await step(
        `accounting records ${c + 1}/${chunks}`,
        `INSERT INTO accounting_records (received_at, event_at, router_id, status_type, acct_session_id, user_name, mac, session_time,
                                         bytes_up, bytes_down, dedupe_key)
         SELECT at, at, s.router_id, CASE k WHEN 0 THEN 1 WHEN ${RECORDS_PER_SESSION - 1} THEN 2 ELSE 3 END, s.acct_session_id, 'guest',
                s.mac, (s.session_time * k / ${RECORDS_PER_SESSION - 1})::int, s.bytes_up * k / ${RECORDS_PER_SESSION - 1},
                s.bytes_down * k / ${RECORDS_PER_SESSION - 1}, 'bench-' || s.id || '-' || k
           FROM accounting_sessions s CROSS JOIN generate_series(0, ${RECORDS_PER_SESSION - 1}) k
          CROSS JOIN LATERAL (SELECT s.started_at + (coalesce(s.stopped_at, s.updated_at) - s.started_at) * k / ${RECORDS_PER_SESSION - 1} AS at) t
          WHERE s.id > $1 AND s.id <= $2`,
        [lo, hi],
      );
    }
    await step(
      'payments',
      `INSERT INTO payments (id, reference, callback_token, package_id, router_id, provider, phone, network, amount_minor, currency,
                             status, created_at, updated_at, paid_at, needs_review, expires_at, next_check_at)
       SELECT gen_random_uuid(), 'B' || g, 'bench-token-' || g, p.id, 1 + floor(random() * 8)::int,
              (ARRAY['mpesa', 'airtel', 'tigopesa'])[1 + floor(random() * 3)::int], '2557' || lpad(g::text, 8, '0'), 'vodacom', p.price_minor, p.currency,
              x.status::"PaymentStatus", x.created, x.created, CASE WHEN x.status = 'paid' THEN x.created + interval '40 seconds' END,
              x.status = 'expired' AND random() < 0.05, x.created + interval '3 minutes', x.created
         FROM (SELECT g, 1 + floor(random() * 6)::int AS pkg, now() - interval '365 days' * random() AS created,
                      CASE WHEN r < 0.80 THEN 'paid' WHEN r < 0.92 THEN 'failed' WHEN r < 0.98 THEN 'expired' ELSE 'pending' END AS status
                 FROM (SELECT g, random() AS r FROM generate_series(1, 60000) g) q) x
         JOIN packages p ON p.id = x.pkg
        ORDER BY x.created`,
    );
    await client.query(`INSERT INTO voucher_batches (package_id, count) SELECT id, 10000 FROM packages WHERE id <= 4`);
    await step(
      'voucher entitlements',
      `INSERT INTO entitlements (code, password, package_id, router_id, source, status, starts_at, updated_at)
       SELECT 'BV' || g, 'BV' || g, 1 + (g % 4), CASE WHEN sold THEN 1 + floor(random() * 8)::int END, 'voucher',
              CASE WHEN random() < 0.03 THEN 'revoked' ELSE 'active' END::"EntitlementStatus",
              CASE WHEN sold THEN now() - interval '365 days' * random() END, now()
         FROM (SELECT g, random() < 0.85 AS sold FROM generate_series(1, 40000) g) x
        ORDER BY g`,
    );
    await step(
      'vouchers',
      `INSERT INTO vouchers (code, batch_id, entitlement_id) SELECT e.code, e.package_id, e.id FROM entitlements e WHERE e.code LIKE 'BV%'`,
    );
    await client.query(
      `INSERT INTO settings (key, value) VALUES ('bench.reports_seeded', $1)
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [JSON.stringify(SESSIONS)],
    );
    const t = performance.now();
    await client.query('ANALYZE');
    log(`ANALYZE in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } finally {
    client.release();
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The plan's scans of large tables: the indexes used, and any sequential scan (a problem). */
function scans(node: PlanNode, out = { indexes: new Set<string>(), seq: new Set<string>() }) {
  if (node['Index Name']) out.indexes.add(node['Index Name']);
  if (node['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(node['Relation Name'] ?? '')) out.seq.add(node['Relation Name']!);
  for (const child of node.Plans ?? []) scans(child, out);
  return out;
}

/**
 * The report's plans: its run through a connection that also EXPLAINs each of its SELECTs (a report
 * may read with several statements: rollups, then the days read live), the scans of all of them.
 */
async function explain(pool: pg.Pool, name: string, raw: RawReportParams) {
  const report = findReport(name)!;
  const params = await resolveReportParams(pool, raw, new Date());
  const out = { indexes: new Set<string>(), seq: new Set<string>() };
  const real = await pool.connect();
  const client = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'release') return () => {}; // released once, below
      if (prop !== 'query') return Reflect.get(target, prop, receiver);
      return async (sql: string, values?: unknown[]) => {
        if (/^\s*(WITH|SELECT)/.test(sql) && !/pg_(try_)?advisory/.test(sql)) {
          const r = await target.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, values);
          scans(r.rows[0]!['QUERY PLAN'][0]!.Plan, out);
        }
        return target.query(sql, values);
      };
    },
  });
  try {
    const explaining = { connect: async () => client } as unknown as pg.Pool;
    await report.run(explaining, params);
  } finally {
    real.release();
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const embedded = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres('.bench/reports-data', () => {});
  const url = process.env.BENCH_DATABASE_URL ?? embedded!.url;
  const db = await openDatabase({ databaseUrl: url, dataDir: '.bench/reports-data' });
  try {
    await seed(db.pool);
    const counts = (
      await db.pool.query<{ t: string; n: number }>(
        `SELECT 'accounting_records' AS t, count(*)::int AS n FROM accounting_records UNION ALL
         SELECT 'accounting_sessions', count(*)::int FROM accounting_sessions UNION ALL
         SELECT 'payments', count(*)::int FROM payments UNION ALL SELECT 'vouchers', count(*)::int FROM vouchers`,
      )
    ).rows;
    const model = /model name\s*:\s*(.*)/.exec(await readFile('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown CPU';
    const pgVersion = (await db.pool.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
    console.log(`\nNetFlow reports benchmark — ${model}, ${cpus().length} cores, Node ${process.version}, PostgreSQL ${pgVersion}`);
    console.log(counts.map((c) => `${c.t} ${c.n.toLocaleString('en')}`).join(', '));
    // The rollups from nothing, as the first session report over a year computes them (after that,
    // only new days and days marked dirty are rolled up).
    await db.pool.query('TRUNCATE report_rollup_days, report_rollup_router_days, report_rollup_devices, report_rollup_dirty');
    const cold = performance.now();
    const yearParams = await resolveReportParams(db.pool, yearRange(undefined), new Date());
    const rolled = await refreshRollups(db.pool, yearParams);
    const coldMs = performance.now() - cold;
    log(`rolled up ${rolled.rolledUpDays} days (${yearParams.tz}) from nothing in ${(coldMs / 1000).toFixed(1)} s`);
    const cases: Array<{ name: string; range: string; raw: RawReportParams }> = [];
    for (const r of REPORTS) {
      cases.push({ name: r.name, range: 'last 30 days', raw: {} });
      cases.push({ name: r.name, range: '365 days', raw: yearRange(r.options.includes('granularity') ? 'month' : undefined) });
    }
    const table: string[] = ['| report | range | median ms | min ms | max ms | rows | plan |', '|---|---|---:|---:|---:|---:|---|'];
    const slow: string[] = [];
    const slowYear: string[] = [];
    for (const c of cases) {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < RUNS + 2; i++) {
        const t = performance.now();
        rows = (await runReport(db.pool, c.name, c.raw)).rows.length;
        if (i >= 2) times.push(performance.now() - t);
      }
      const plan = await explain(db.pool, c.name, c.raw);
      const whole = c.range !== 'last 30 days'; // a year is the whole table: reading it in order is the right plan
      const planText =
        plan.seq.size > 0 ? `${whole ? 'seq scan' : 'SEQ SCAN'} of ${[...plan.seq].join(', ')}` : [...plan.indexes].sort().join(', ');
      const m = median(times);
      if (m > 200) (whole ? slowYear : slow).push(`${c.name} (${c.range})`);
      if (plan.seq.size > 0 && !whole) slow.push(`${c.name} (${c.range}, sequential scan)`);
      const line = `| ${c.name} | ${c.range} | ${m.toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${rows} | ${planText} |`;
      table.push(line);
      log(`${c.name.padEnd(20)} ${c.range.padEnd(13)} median ${m.toFixed(1).padStart(7)} ms  rows ${rows}`);
    }
    console.log(`\n${table.join('\n')}\n`);
    console.log(`${RUNS} warm runs each (after 2 to warm up).`);
    console.log(
      `Rollups: ${rolled.rolledUpDays} settled days (${yearParams.tz}) rolled up from nothing in ${(coldMs / 1000).toFixed(1)} s ` +
        '(what the first session report over a year pays, or the daily job ahead of it).',
    );
    console.log(
      slow.length === 0
        ? 'Last 30 days: every report under 200 ms with an index plan.'
        : `Last 30 days, over 200 ms or scanning: ${slow.join(', ')}`,
    );
    console.log(slowYear.length === 0 ? 'A whole year: every report under 200 ms.' : `A whole year, over 200 ms: ${slowYear.join(', ')}`);
    if (slow.length > 0) process.exitCode = 1;
  } finally {
    await db.close();
    await embedded?.stop();
  }
}

function yearRange(granularity: string | undefined): RawReportParams {
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
  return granularity ? { from, to, granularity } : { from, to };
}

await main();
