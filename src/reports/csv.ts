// Report rows as CSV (RFC 4180: CRLF line ends, a field with a comma, quote or line break in
// quotes, quotes doubled). Text that a spreadsheet would run as a formula (starting with = + - @,
// or a tab or carriage return, which some spreadsheets skip before looking) gets a leading
// apostrophe: a router named "=HYPERLINK(…)" is shown, not evaluated. Numbers are written as they
// are (a negative number is data, not a formula).

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') text = String(value);
  else {
    text = typeof value === 'string' ? value : JSON.stringify(value);
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderCsv<Row extends object>(columns: readonly (keyof Row & string)[], rows: readonly Row[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
