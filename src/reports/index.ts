// The accounting reports by name, and the one way to run them: parameters checked and resolved
// (params.ts), then the report's SQL. Each report lives in its own module; all of them read
// indexed tables and session totals, never the raw accounting records (see sessions-in-range.ts).
import type pg from 'pg';
import { InputError } from '../core/errors.js';
import type { ReportDefinition } from './definition.js';
import { resolveReportParams, type RawReportParams, type ReportParams } from './params.js';
import { paymentSuccess } from './payment-success.js';
import { peakConcurrency } from './peak-concurrency.js';
import { revenueByPackage, revenueByRouter } from './revenue.js';
import { sessionsPerDay } from './sessions-per-day.js';
import { topDevices } from './top-devices.js';

export type { ReportDefinition, ReportOption } from './definition.js';
export { renderCsv } from './csv.js';
export * from './params.js';

export const REPORTS: readonly ReportDefinition<object>[] = [
  revenueByRouter,
  revenueByPackage,
  sessionsPerDay,
  paymentSuccess,
  topDevices,
  peakConcurrency,
] as ReportDefinition<object>[];

export const REPORT_NAMES = REPORTS.map((r) => r.name);

export function findReport(name: string): ReportDefinition<object> | undefined {
  return REPORTS.find((r) => r.name === name);
}

export interface ReportResult<Row extends object = object> {
  report: string;
  params: Pick<ReportParams, 'fromDate' | 'toDate' | 'tz' | 'routerIds'> & Partial<Pick<ReportParams, 'granularity' | 'limit'>>;
  columns: readonly string[];
  rows: Row[];
}

/** Runs a report by name; unknown names and bad parameters raise InputError (say what to send). */
export async function runReport(pool: pg.Pool, name: string, raw: RawReportParams, now = new Date()): Promise<ReportResult> {
  const report = findReport(name);
  if (!report) throw new InputError(`unknown report '${name}'; the reports are: ${REPORT_NAMES.join(', ')}`, 'name');
  const p = await resolveReportParams(pool, raw, now);
  const rows = await report.run(pool, p);
  const params: ReportResult['params'] = { fromDate: p.fromDate, toDate: p.toDate, tz: p.tz, routerIds: p.routerIds };
  if (report.options.includes('granularity')) params.granularity = p.granularity;
  if (report.options.includes('limit')) params.limit = p.limit;
  return { report: report.name, params, columns: report.columns, rows };
}
