// Voucher batches as files: a CSV for spreadsheets and a printable HTML sheet of cut-out cards.
// Pure functions of the data (no database, no I/O) so the CLI and the dashboard render the same.
// Dates are shown in the server's time zone, as the "valid until" day was computed in it.
import { formatAmount } from './money.js';
import type { VoucherStatus } from '../entitlements/state.js';

export interface VoucherExport {
  batchId: number;
  package: {
    name: string;
    minutes: number;
    priceMinor: bigint;
    currency: string;
    dataCapBytes: bigint | null;
    devicesAllowed: number;
  };
  /** Redeem-by (null: no limit). */
  validUntil: Date | null;
  createdAt: Date;
  vouchers: Array<{ code: string; status: VoucherStatus }>;
}

export const CSV_HEADER = ['code', 'package', 'minutes', 'price', 'currency', 'valid_until', 'status'] as const;

/** Cards per A4 page: 3 columns × 8 rows, about 65 × 35 mm each. */
export const CARDS_PER_PAGE = 24;
const COLUMNS = 3;
const ROWS = CARDS_PER_PAGE / COLUMNS;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

// ---------------------------------------------------------------------------------------------
// Words and numbers for people

/** 90 → "1 hour 30 minutes", 10080 → "7 days". */
export function durationInWords(minutes: number): string {
  const parts: string[] = [];
  const unit = (n: number, word: string) => n > 0 && parts.push(`${n} ${word}${n === 1 ? '' : 's'}`);
  unit(Math.floor(minutes / 1440), 'day');
  unit(Math.floor((minutes % 1440) / 60), 'hour');
  unit(minutes % 60, 'minute');
  return parts.length > 0 ? parts.join(' ') : '0 minutes';
}

const trimZeros = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

/** Decimal units, as data caps are sold: 500000000n → "500 MB", 1500000000n → "1.5 GB". */
export function dataInWords(bytes: bigint): string {
  const n = Number(bytes);
  if (n >= 1e9) return `${trimZeros((n / 1e9).toFixed(2))} GB`;
  if (n >= 1e6) return `${trimZeros((n / 1e6).toFixed(1))} MB`;
  return `${trimZeros((n / 1e3).toFixed(1))} kB`;
}

/** The price as a plain decimal in major units ("1000.00"), for machines. */
export function priceDecimal(minor: bigint, currency: string): string {
  return formatAmount(minor, currency).slice(0, -(currency.length + 1));
}

/** The price for a card: "1,000 TZS", "2.50 USD" (no ".00" nobody pays). */
export function priceInWords(minor: bigint, currency: string): string {
  const [whole, fraction = ''] = priceDecimal(minor, currency).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped}${/^0*$/.test(fraction) ? '' : '.' + fraction} ${currency}`;
}

/** "31 Dec 2026", with the time only when it is not the end of the day. */
export function dayInWords(date: Date): string {
  const day = `${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}`;
  const endOfDay = date.getHours() === 23 && date.getMinutes() === 59;
  return endOfDay ? day : `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** ISO 8601 in server time with its offset, "2026-12-31T23:59:59+03:00": exact and readable. */
export function isoLocal(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`
  );
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180)

/**
 * One field. Spreadsheets run a cell starting with = + - @ (or tab/CR) as a formula, and a
 * package name is operator-typed text: such cells get a leading apostrophe (OWASP CSV injection).
 * Quoted when it holds a comma, quote or line break, quotes doubled.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Header row and one row per voucher, CRLF line ends (RFC 4180), every voucher with its status. */
export function voucherCsv(batch: VoucherExport): string {
  const p = batch.package;
  const price = priceDecimal(p.priceMinor, p.currency);
  const validUntil = batch.validUntil === null ? '' : isoLocal(batch.validUntil);
  const rows = batch.vouchers.map((v) => [v.code, p.name, String(p.minutes), price, p.currency, validUntil, v.status]);
  return [CSV_HEADER, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

// ---------------------------------------------------------------------------------------------
// Printable sheet (HTML)

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface SheetOptions {
  /** Printed above the package name, e.g. the café or the Wi-Fi network's name. */
  site?: string;
}

/** Vouchers the sheet prints: only unused ones, so a reprint never sells a used code again. */
export function printableVouchers(batch: VoucherExport) {
  return batch.vouchers.filter((v) => v.status === 'unused');
}

/**
 * A self-contained A4 page set (inline CSS, no scripts, fonts or images) of cut-out cards. The
 * Content-Security-Policy forbids everything but the inline style, so even a missed escape
 * could not run anything when the dashboard serves it.
 */
export function voucherSheetHtml(batch: VoucherExport, options: SheetOptions = {}): string {
  const p = batch.package;
  const vouchers = printableVouchers(batch);
  const skipped = batch.vouchers.length - vouchers.length;
  const site = options.site?.trim() || null;

  const details = [durationInWords(p.minutes)];
  if (p.dataCapBytes !== null) details.push(`${dataInWords(p.dataCapBytes)} data`);
  if (p.devicesAllowed > 1) details.push(`up to ${p.devicesAllowed} devices`);
  const price = priceInWords(p.priceMinor, p.currency);
  const validUntil = batch.validUntil === null ? null : dayInWords(batch.validUntil);

  // One size for the batch: the longest code must fit a card's width (~58 mm ≈ 160 pt) at
  // about 0.65 em per monospace character including the letter spacing.
  const longest = Math.max(1, ...vouchers.map((v) => v.code.length));
  const codeSize = Math.min(22, Math.floor((160 / (0.65 * longest)) * 10) / 10);

  const card = (code: string) =>
    [
      '<div class="card">',
      `<div class="head"><div class="name">${site ? `<span class="site">${escapeHtml(site)}</span>` : ''}` +
        `<span class="package">${escapeHtml(p.name)}</span></div><div class="price">${escapeHtml(price)}</div></div>`,
      `<div class="details">${escapeHtml(details.join(' · '))}</div>`,
      `<div class="code">${escapeHtml(code)}</div>`,
      validUntil === null ? '' : `<div class="valid">Valid until ${escapeHtml(validUntil)}</div>`,
      '<div class="how">How to use: join the Wi-Fi, open any page, enter this code.</div>',
      '</div>',
    ].join('');

  const pages: string[] = [];
  for (let i = 0; i < vouchers.length; i += CARDS_PER_PAGE) {
    pages.push(
      `<section class="page">\n${vouchers
        .slice(i, i + CARDS_PER_PAGE)
        .map((v) => card(v.code))
        .join('\n')}\n</section>`,
    );
  }

  const title = `Vouchers: batch ${batch.batchId}, ${p.name}`;
  const summary =
    `${vouchers.length} unused voucher${vouchers.length === 1 ? '' : 's'} on ${pages.length} A4 page${pages.length === 1 ? '' : 's'}` +
    (skipped > 0 ? `; ${skipped} in use, expired or revoked not shown` : '') +
    '. Print at 100% scale (no "fit to page") and cut along the dashed lines.';

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
@page { size: A4; margin: 8mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #000; background: #ddd; }
.toolbar { padding: 12px 16px; background: #fff; border-bottom: 1px solid #bbb; font-size: 14px; }
.toolbar h1 { margin: 0 0 4px; font-size: 16px; }
.page { width: 194mm; height: 281mm; margin: 12px auto; background: #fff; display: grid;
  grid-template-columns: repeat(${COLUMNS}, 1fr); grid-template-rows: repeat(${ROWS}, 1fr); }
.card { border: 1px dashed #888; padding: 2.5mm 3mm; overflow: hidden; display: flex; flex-direction: column; justify-content: space-between; }
.head { display: flex; justify-content: space-between; align-items: baseline; gap: 2mm; }
.name { min-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font-size: 9pt; font-weight: 700; }
.site { display: block; font-size: 7pt; font-weight: 400; text-transform: uppercase; letter-spacing: 0.04em; }
.price { font-size: 10pt; font-weight: 700; white-space: nowrap; }
.details, .valid { font-size: 7.5pt; }
.code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, "Courier New", monospace; font-size: ${codeSize}pt;
  font-weight: 700; letter-spacing: 0.05em; text-align: center; white-space: nowrap; }
.how { font-size: 6.5pt; color: #333; }
.empty { text-align: center; padding: 40px; font-size: 16px; }
@media print {
  body { background: #fff; }
  .toolbar, .empty { display: none; }
  .page { margin: 0; break-after: page; }
  .page:last-of-type { break-after: auto; }
  .card { break-inside: avoid; }
}
</style>
</head>
<body>
<div class="toolbar"><h1>${escapeHtml(title)}</h1>${escapeHtml(summary)}</div>
${pages.length > 0 ? pages.join('\n') : '<p class="empty">No unused vouchers left in this batch.</p>'}
</body>
</html>
`;
}
