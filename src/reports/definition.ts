// What a report is: a name, what it shows, which optional parameters it reads, its columns in
// order (the CSV header and the JSON row keys) and the SQL that computes its rows.
import type pg from 'pg';
import type { ReportParams } from './params.js';

export type ReportOption = 'granularity' | 'limit';

export interface ReportDefinition<Row extends object = Record<string, unknown>> {
  name: string;
  title: string;
  description: string;
  /** Parameters beyond the common ones (from, to, tz, router). */
  options: readonly ReportOption[];
  columns: readonly (keyof Row & string)[];
  run(pool: pg.Pool, params: ReportParams): Promise<Row[]>;
}

/** Keeps each report's row type while collecting them in one list. */
export function defineReport<Row extends object>(def: ReportDefinition<Row>): ReportDefinition<Row> {
  return def;
}

/**
 * Runs a report's statement in a read-only transaction (one snapshot) with room to sort and hash in
 * memory (work_mem for this transaction only: a year of sessions spills to disk with the default
 * 4 MB), and on one core: parallel workers would take cores from the RADIUS path on the small
 * machines NetFlow runs on, and the planner, which takes generate_series for 1000 rows (a session
 * spans one or two days), chose them for a month of sessions, slower on a busy machine.
 */
export async function reportQuery<Row>(pool: pg.Pool, sql: string, params: unknown[]): Promise<Row[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL work_mem = '64MB'`);
    await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
    const { rows } = await client.query(sql, params);
    await client.query('COMMIT');
    return rows as Row[];
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
