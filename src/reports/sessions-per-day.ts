// Sessions and data used per router per day. A session counts on every day it was online (a
// session across midnight counts on both days; `started` counts it on its first day only), and
// its data is shared between those days in proportion to its time in each: a session keeps only
// running totals (the raw records with their interim counters are deleted by retention), so the
// split across midnight is linear. Each session's total over all its days is exact, up to rounding.
//
// Settled days are read from their rollups (rollups.ts), the others computed live by the same SQL
// (day-figures.ts); a day's figures are the same either way.
import type pg from 'pg';
import { SESSIONS_PER_DAY_SQL } from './day-figures.js';
import { defineReport, reportTransaction } from './definition.js';
import type { ReportParams } from './params.js';
import { byDayAndRouter, dayRuns, rangeDays, refreshRollups, routerOrder } from './rollups.js';
import { sessionParams } from './sessions-in-range.js';

export interface SessionsPerDayRow {
  day: string;
  routerId: number;
  router: string;
  /** Sessions online at some time that day. */
  sessions: number;
  /** Sessions that began that day. */
  started: number;
  /** Distinct devices (MAC addresses). */
  devices: number;
  bytesUp: number;
  bytesDown: number;
  /** Session time within the day, summed. */
  onlineSeconds: number;
}

export const sessionsPerDay = defineReport<SessionsPerDayRow>({
  name: 'sessions-per-router',
  title: 'Sessions and data per router per day',
  description:
    'Per router and day: sessions online, sessions started, distinct devices, data up and down and online time. ' +
    'A session across midnight counts on both days, its data shared by its time in each.',
  options: [],
  columns: ['day', 'routerId', 'router', 'sessions', 'started', 'devices', 'bytesUp', 'bytesDown', 'onlineSeconds'],
  run: sessionsPerDayRows,
});

const ROLLED = `SELECT to_char(x.day, 'YYYY-MM-DD') AS day, x.router_id AS "routerId", r.name AS router, x.sessions, x.started, x.devices,
       x.bytes_up AS "bytesUp", x.bytes_down AS "bytesDown", x.online_seconds AS "onlineSeconds"
  FROM report_rollup_router_days x JOIN routers r ON r.id = x.router_id
 WHERE x.tz = $1 AND x.day = ANY ($2::date[]) AND ($3::int[] IS NULL OR x.router_id = ANY ($3::int[]))`;

async function sessionsPerDayRows(pool: pg.Pool, p: ReportParams): Promise<SessionsPerDayRow[]> {
  await refreshRollups(pool, p);
  return reportTransaction(pool, async (client) => {
    const days = await rangeDays(client, p);
    const rolled = days.filter((d) => d.rolled).map((d) => d.day);
    const rows = rolled.length > 0 ? (await client.query<SessionsPerDayRow>(ROLLED, [p.tz, rolled, p.routerIds])).rows : [];
    for (const run of dayRuns(days, (d) => !d.rolled)) {
      rows.push(...(await client.query<SessionsPerDayRow>(SESSIONS_PER_DAY_SQL, [...sessionParams({ ...p, ...run }), p.tz])).rows);
    }
    return byDayAndRouter(rows, await routerOrder(client));
  });
}

/** The report computed directly from the sessions, no rollup (the reference the tests compare with). */
export function sessionsPerDayDirect(pool: pg.Pool, p: ReportParams): Promise<SessionsPerDayRow[]> {
  return reportTransaction(
    pool,
    async (client) => (await client.query<SessionsPerDayRow>(SESSIONS_PER_DAY_SQL, [...sessionParams(p), p.tz])).rows,
  );
}
