// CSV as RFC 4180 writes it, with spreadsheet formulas neutralised.
import { describe, expect, it } from 'vitest';
import { csvField, renderCsv } from '../../src/reports/csv.js';

describe('csv', () => {
  it('quotes fields with commas, quotes or line breaks, doubling quotes, and ends lines with CRLF', () => {
    const rows = [
      { name: 'Café, "Mama" Ntilie', note: 'two\nlines', n: 3 },
      { name: 'plain', note: null, n: -4 },
    ];
    expect(renderCsv(['name', 'note', 'n'], rows)).toBe('name,note,n\r\n"Café, ""Mama"" Ntilie","two\nlines",3\r\nplain,,-4\r\n');
  });

  it('puts an apostrophe before text a spreadsheet would run as a formula, not before numbers', () => {
    expect(['=1+1', '+255', '-x', '@SUM(A1)', '\tcmd', 'ok'].map(csvField)).toEqual(["'=1+1", "'+255", "'-x", "'@SUM(A1)", "'\tcmd", 'ok']);
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField(-5)).toBe('-5');
  });

  it('writes dates as ISO 8601 and nothing for null', () => {
    expect(csvField(new Date('2026-12-01T10:00:00Z'))).toBe('2026-12-01T10:00:00.000Z');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });
});
