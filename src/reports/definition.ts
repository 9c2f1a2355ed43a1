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
