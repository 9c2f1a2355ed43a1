// The parameters every report takes, checked and resolved once: a date range in a time zone (whole
// days, both ends included), routers, granularity and a row limit. Bad input raises InputError with
// the field it is about and what to send instead.
import type pg from 'pg';
import { InputError, invalid } from '../core/errors.js';

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The settings key of the time zone day boundaries are drawn in when a request names none. */
export const TIMEZONE_SETTING = 'reports.timezone';
export const DEFAULT_DAYS = 30;
/** Longer ranges are refused: a report is a view for people, not an export of the whole history. */
export const MAX_DAYS = 731;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 1000;

/** As received (a query string, the CLI): everything optional, everything a string or number. */
export interface RawReportParams {
  from?: string;
  to?: string;
  tz?: string;
  router?: string;
  granularity?: string;
  limit?: number | string;
}

export interface ReportParams {
  /** First and last day, as YYYY-MM-DD in `tz` (both included). */
  fromDate: string;
  toDate: string;
  /** The range as instants: the start of fromDate and the end of toDate in `tz` (half-open). */
  lo: Date;
  hi: Date;
  tz: string;
  /** null: every router. */
  routerIds: number[] | null;
  granularity: Granularity;
  limit: number;
  /** Open sessions count as running until now. */
  now: Date;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(field: string, value: string): string {
  const m = DATE.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.toISOString().slice(0, 10) !== value) throw invalid(field, `must be a date as YYYY-MM-DD, e.g. 2026-12-01 (got '${value}')`);
  return value;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Today's date in `tz` (en-CA formats as YYYY-MM-DD). */
function today(now: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function checkTimeZone(tz: string, field: string | undefined): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    const where = field ? `${field} ` : `the setting ${TIMEZONE_SETTING} `;
    throw new InputError(`${where}must be an IANA time zone such as UTC or Africa/Dar_es_Salaam (got '${tz}')`, field ?? 'tz');
  }
}

async function defaultTimeZone(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [TIMEZONE_SETTING]);
  const value = rows[0]?.value;
  return typeof value === 'string' && value !== '' ? checkTimeZone(value, undefined) : 'UTC';
}

/** Router names or ids (comma-separated) → ids; an unknown one is refused by name. */
async function resolveRouters(pool: pg.Pool, list: string | undefined): Promise<number[] | null> {
  const wanted = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (wanted.length === 0) return null;
  const { rows } = await pool.query<{ id: number; name: string }>(
    'SELECT id, name FROM routers WHERE name = ANY($1::text[]) OR id::text = ANY($1::text[])',
    [wanted],
  );
  const unknown = wanted.filter((w) => !rows.some((r) => r.name === w || String(r.id) === w));
  if (unknown.length > 0)
    throw invalid('router', `names no known router: ${unknown.join(', ')} (give router names or ids, comma-separated)`);
  return rows.map((r) => r.id);
}

export async function resolveReportParams(pool: pg.Pool, raw: RawReportParams, now: Date): Promise<ReportParams> {
  const tz = raw.tz !== undefined && raw.tz !== '' ? checkTimeZone(raw.tz, 'tz') : await defaultTimeZone(pool);
  const toDate = raw.to ? checkDate('to', raw.to) : today(now, tz);
  const fromDate = raw.from ? checkDate('from', raw.from) : addDays(toDate, -(DEFAULT_DAYS - 1));
  if (fromDate > toDate) throw invalid('from', `(${fromDate}) must not be after to (${toDate})`);
  if (daysBetween(fromDate, toDate) + 1 > MAX_DAYS)
    throw invalid('to', `must be at most ${MAX_DAYS} days after from (both included); ask for a shorter range`);
  const granularity = raw.granularity ?? 'day';
  if (!(GRANULARITIES as readonly string[]).includes(granularity))
    throw invalid('granularity', `must be one of ${GRANULARITIES.join(', ')}`);
  const limit = raw.limit === undefined || raw.limit === '' ? DEFAULT_LIMIT : Number(raw.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw invalid('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
  const routerIds = await resolveRouters(pool, raw.router);
  // The day boundaries as PostgreSQL draws them in tz (the same zone database as Intl's, and DST-safe).
  const { rows } = await pool.query<{ lo: Date; hi: Date }>(
    `SELECT ($1::date::timestamp AT TIME ZONE $3) AS lo, (($2::date + 1)::timestamp AT TIME ZONE $3) AS hi`,
    [fromDate, toDate, tz],
  );
  return { fromDate, toDate, lo: rows[0]!.lo, hi: rows[0]!.hi, tz, routerIds, granularity: granularity as Granularity, limit, now };
}
