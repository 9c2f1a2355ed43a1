// Peak concurrent users (sessions online at once) per router per day: a sweep over the sessions'
// starts (+1) and ends (−1) in time order, the running sum being the number online. A marker (0) at
// each midnight carries into the day the sessions still running from the day before, so a day's
// peak is right even when nothing starts or stops in it. At one instant ends come before the
// marker and the marker before starts: a guest who leaves as another arrives is not counted twice.
// Rows: every day of the range for each router that had a session in it (0 on a day without one).
//
// Settled days are read from their rollups (rollups.ts), the others computed live by the same SQL
// (day-figures.ts); the routers present anywhere in the range get a 0 row on their days without a
// session, as the sweep over the whole range gives them.
import type pg from 'pg';
import { PEAK_CONCURRENCY_SQL } from './day-figures.js';
import { defineReport, reportTransaction } from './definition.js';
import type { ReportParams } from './params.js';
import { byDayAndRouter, dayRuns, rangeDays, refreshRollups, routerOrder } from './rollups.js';
import { sessionParams } from './sessions-in-range.js';

export interface PeakConcurrencyRow {
  day: string;
  routerId: number;
  router: string;
  peakUsers: number;
  /** When the peak was first reached that day. */
  peakAt: Date;
}

export const peakConcurrency = defineReport<PeakConcurrencyRow>({
  name: 'peak-concurrency',
  title: 'Peak concurrent users per router per day',
  description: 'Per router and day, the most sessions online at the same time, and when that peak was first reached.',
  options: [],
  columns: ['day', 'routerId', 'router', 'peakUsers', 'peakAt'],
  run: peakConcurrencyRows,
});

const ROLLED = `SELECT to_char(x.day, 'YYYY-MM-DD') AS day, x.router_id AS "routerId", r.name AS router, x.peak_users AS "peakUsers", x.peak_at AS "peakAt"
  FROM report_rollup_router_days x JOIN routers r ON r.id = x.router_id
 WHERE x.tz = $1 AND x.day = ANY ($2::date[]) AND ($3::int[] IS NULL OR x.router_id = ANY ($3::int[]))`;

async function peakConcurrencyRows(pool: pg.Pool, p: ReportParams): Promise<PeakConcurrencyRow[]> {
  await refreshRollups(pool, p);
  return reportTransaction(pool, async (client) => {
    const days = await rangeDays(client, p);
    const rolled = days.filter((d) => d.rolled).map((d) => d.day);
    const rows = rolled.length > 0 ? (await client.query<PeakConcurrencyRow>(ROLLED, [p.tz, rolled, p.routerIds])).rows : [];
    for (const run of dayRuns(days, (d) => !d.rolled)) {
      rows.push(...(await client.query<PeakConcurrencyRow>(PEAK_CONCURRENCY_SQL, [...sessionParams({ ...p, ...run }), p.tz])).rows);
    }
    // Every day for each router with a session somewhere in the range: 0 from the day's midnight.
    const routers = new Map(rows.map((r) => [r.routerId, r.router]));
    const have = new Set(rows.map((r) => `${r.day} ${r.routerId}`));
    for (const d of days) {
      for (const [routerId, router] of routers) {
        if (!have.has(`${d.day} ${routerId}`)) rows.push({ day: d.day, routerId, router, peakUsers: 0, peakAt: d.dayStart });
      }
    }
    return byDayAndRouter(rows, await routerOrder(client));
  });
}

/** The report computed directly from the sessions, no rollup (the reference the tests compare with). */
export function peakConcurrencyDirect(pool: pg.Pool, p: ReportParams): Promise<PeakConcurrencyRow[]> {
  return reportTransaction(
    pool,
    async (client) => (await client.query<PeakConcurrencyRow>(PEAK_CONCURRENCY_SQL, [...sessionParams(p), p.tz])).rows,
  );
}
