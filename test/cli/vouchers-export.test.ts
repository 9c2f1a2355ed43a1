// Voucher batches end to end: redeem-by dates on the entitlements RADIUS checks, the batch list
// with live status counts, `voucher list --batch`, and the CSV / printable HTML exports (plus
// the pure renderers behind them, which the dashboard will reuse).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { validUntilFor } from '../../src/admin/vouchers.js';
import { VOUCHER_ALPHABET } from '../../src/entitlements/codes.js';
import {
  CSV_HEADER,
  csvField,
  dataInWords,
  dayInWords,
  durationInWords,
  escapeHtml,
  isoLocal,
  priceDecimal,
  priceInWords,
  voucherCsv,
  voucherSheetHtml,
  type VoucherExport,
} from '../../src/admin/voucher-export.js';
import { addPackage } from '../support/fixtures.js';
import { cliWithDatabase, expectOneLineError, type RunCli } from './run-cli.js';

/** RFC 4180: fields separated by commas, optionally quoted ("" inside quotes), records by CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
        else if (text[i] === '"') break;
        else field += text[i++];
      }
      i++;
      if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`text after a closing quote at ${i}`);
    } else if (text[i] === ',') {
      row.push(field), (field = ''), i++;
    } else if (text[i] === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`bare CR at ${i}`);
      row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
    } else if (text[i] === '\n') {
      throw new Error(`bare LF at ${i}`);
    } else {
      field += text[i++];
    }
  }
  if (field !== '' || row.length > 0) throw new Error('last record does not end with CRLF');
  return rows;
}

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe('voucher rendering (pure)', () => {
  const batch: VoucherExport = {
    batchId: 7,
    package: { name: 'Day pass', minutes: 1440, priceMinor: 150000n, currency: 'TZS', dataCapBytes: 1_500_000_000n, devicesAllowed: 2 },
    validUntil: new Date(2026, 11, 31, 23, 59, 59, 999), // local time, like validUntilFor()
    createdAt: new Date(2026, 10, 1, 9, 0, 0),
    vouchers: [
      { code: 'HQ23456789', status: 'unused' },
      { code: 'HQABCDEFGH', status: 'in use' },
      { code: 'HQJKMNPQRS', status: 'unused' },
    ],
  };

  it('puts durations, data, prices and dates into words', () => {
    expect(durationInWords(30)).toBe('30 minutes');
    expect(durationInWords(60)).toBe('1 hour');
    expect(durationInWords(90)).toBe('1 hour 30 minutes');
    expect(durationInWords(1440)).toBe('1 day');
    expect(durationInWords(1501)).toBe('1 day 1 hour 1 minute');
    expect(durationInWords(43200)).toBe('30 days');
    expect(dataInWords(500_000_000n)).toBe('500 MB');
    expect(dataInWords(1_500_000_000n)).toBe('1.5 GB');
    expect(dataInWords(2_000_000_000n)).toBe('2 GB');
    expect(dataInWords(250_000n)).toBe('250 kB');
    expect(priceDecimal(100000n, 'TZS')).toBe('1000.00');
    expect(priceDecimal(5000n, 'UGX')).toBe('5000');
    expect(priceInWords(100000n, 'TZS')).toBe('1,000 TZS');
    expect(priceInWords(250n, 'USD')).toBe('2.50 USD');
    expect(priceInWords(1_234_567n, 'UGX')).toBe('1,234,567 UGX');
    expect(priceInWords(1005n, 'KWD')).toBe('1.005 KWD');
    expect(dayInWords(new Date(2026, 0, 5, 23, 59, 59, 999))).toBe('5 Jan 2026');
    expect(dayInWords(new Date(2026, 0, 5, 14, 30))).toBe('5 Jan 2026 14:30');
    const iso = isoLocal(new Date(2026, 11, 31, 23, 59, 59, 999));
    expect(iso).toMatch(/^2026-12-31T23:59:59(Z|[+-]\d\d:\d\d)$/);
    expect(new Date(iso).getTime()).toBe(new Date(2026, 11, 31, 23, 59, 59).getTime());
  });

  it('computes redeem-by as the end of the day D days ahead, in server time', () => {
    const now = new Date(2026, 1, 27, 8, 15); // 27 Feb 2026, not a leap year
    expect(validUntilFor(1, now)).toEqual(new Date(2026, 1, 28, 23, 59, 59, 999));
    expect(validUntilFor(2, now)).toEqual(new Date(2026, 2, 1, 23, 59, 59, 999));
    expect(validUntilFor(365, now)).toEqual(new Date(2027, 1, 27, 23, 59, 59, 999));
  });

  it('quotes CSV fields per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    for (const lead of ['=', '+', '-', '@', '\t']) expect(csvField(`${lead}1+1`)).toBe(`'${lead}1+1`);
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('')).toBe('');
  });

  it('writes a header and one CRLF line per voucher', () => {
    const until = isoLocal(batch.validUntil!);
    expect(voucherCsv(batch)).toBe(
      'code,package,minutes,price,currency,valid_until,status\r\n' +
        `HQ23456789,Day pass,1440,1500.00,TZS,${until},unused\r\n` +
        `HQABCDEFGH,Day pass,1440,1500.00,TZS,${until},in use\r\n` +
        `HQJKMNPQRS,Day pass,1440,1500.00,TZS,${until},unused\r\n`,
    );
    expect(voucherCsv({ ...batch, validUntil: null, vouchers: [batch.vouchers[0]] }).split('\r\n')[1]).toBe(
      'HQ23456789,Day pass,1440,1500.00,TZS,,unused',
    );
  });

  it('prints unused vouchers as cards with the package, price, data, devices and redeem-by date', () => {
    const html = voucherSheetHtml(batch, { site: 'Cafe <Mama>' });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('@media print');
    expect(html).toContain('@page { size: A4');
    expect(html).not.toMatch(/<script|<link|src=|url\(/i); // self-contained, nothing to fetch or run
    expect(occurrences(html, 'class="card"')).toBe(2);
    expect(occurrences(html, '>HQ23456789<')).toBe(1);
    expect(occurrences(html, '>HQJKMNPQRS<')).toBe(1);
    expect(html).not.toContain('HQABCDEFGH'); // in use: never printed again
    expect(html).toContain('1 in use, expired or revoked not shown');
    expect(html).toContain('Cafe &lt;Mama&gt;');
    expect(html).toContain('1 day · 1.5 GB data · up to 2 devices');
    expect(html).toContain('1,500 TZS');
    expect(html).toContain('Valid until 31 Dec 2026');
    expect(html).toContain('How to use: join the Wi-Fi, open any page, enter this code.');

    const plain = voucherSheetHtml({ ...batch, validUntil: null, package: { ...batch.package, dataCapBytes: null, devicesAllowed: 1 } });
    expect(plain).not.toContain('Valid until');
    expect(plain).not.toContain('class="site"');
    expect(plain).toContain('<div class="details">1 day</div>');
  });

  it('fills A4 pages of 24 cards and says so when nothing is left to print', () => {
    const many = {
      ...batch,
      vouchers: Array.from({ length: 49 }, (_, i) => ({ code: `C${String(i).padStart(9, '2')}`, status: 'unused' as const })),
    };
    const html = voucherSheetHtml(many);
    expect(occurrences(html, '<section class="page">')).toBe(3);
    expect(occurrences(html, 'class="card"')).toBe(49);
    const none = voucherSheetHtml({ ...batch, vouchers: [{ code: 'X', status: 'expired' }] });
    expect(none).toContain('No unused vouchers left in this batch.');
    expect(none).not.toContain('class="card"');
  });

  it('escapes all five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('netflow voucher batches and exports', () => {
  let cli: RunCli;
  let db: Database;
  const EVIL = `=HYPERLINK("http://evil") <script>alert(1)</script> & 'q'`;

  beforeAll(async () => {
    ({ cli, db } = await cliWithDatabase());
    await addPackage(db, { name: '1 hour', minutes: 60 });
    await addPackage(db, { name: EVIL, minutes: 1440, dataCapBytes: 500_000_000n, devicesAllowed: 3 });
  });
  afterAll(() => db.close());

  const createBatch = async (...argv: string[]) => {
    const r = await cli('voucher', 'create', ...argv, '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(r.stdout) as { batchId: number; codes: string[]; validUntil: string | null; codeLength: number };
  };

  it('stores the batch settings and puts the redeem-by date on every entitlement', async () => {
    const before = new Date();
    const r = await cli(
      'voucher',
      'create',
      '--package',
      '1 hour',
      '--count',
      '30',
      '--prefix',
      'hq',
      '--length',
      '10',
      '--valid-days',
      '30',
    );
    expect(r.code).toBe(0);
    const codes = r.stdout.trimEnd().split('\n');
    expect(codes).toHaveLength(30);
    for (const code of codes) expect(code).toMatch(new RegExp(`^HQ[${VOUCHER_ALPHABET}]{10}$`));
    expect(r.stderr).toMatch(/^created 30 vouchers for package "1 hour" \(batch \d+, redeem by \d{4}-\d\d-\d\d 23:59:59\)\n$/);

    const batch = await db.prisma.voucherBatch.findFirstOrThrow({ include: { vouchers: { include: { entitlement: true } } } });
    const expected = validUntilFor(30, before);
    expect(batch).toMatchObject({ count: 30, prefix: 'HQ', codeLength: 10, createdBy: 'cli', validUntil: expected });
    expect(batch.vouchers).toHaveLength(30);
    for (const v of batch.vouchers)
      expect(v.entitlement).toMatchObject({ redeemBy: expected, startsAt: null, expiresAt: null, source: 'voucher' });

    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'voucher.create' } });
    expect(audit.details).toMatchObject({ codeLength: 10, validUntil: expected.toISOString() });
  });

  it('keeps the plain form: default length 8, no redeem-by', async () => {
    const out = await createBatch('--package', '1 hour', '--count', '5');
    expect(out).toMatchObject({ codeLength: 8, validUntil: null });
    const batch = await db.prisma.voucherBatch.findUniqueOrThrow({
      where: { id: out.batchId },
      include: { vouchers: { include: { entitlement: true } } },
    });
    expect(batch).toMatchObject({ codeLength: 8, validUntil: null, createdBy: 'cli' });
    for (const v of batch.vouchers) expect(v.entitlement.redeemBy).toBeNull();
  });

  it('refuses bad batch settings with one line and exit 2, before creating anything', async () => {
    const create = (...more: string[]) => cli('voucher', 'create', '--package', '1 hour', '--count', '5', ...more);
    const before = await db.prisma.voucherBatch.count();
    expect(expectOneLineError(await create('--valid-days', '0'))).toBe('netflow: --valid-days must be a whole number from 1 to 3650');
    expect(expectOneLineError(await create('--valid-days', '3651'))).toBe('netflow: --valid-days must be a whole number from 1 to 3650');
    expect(expectOneLineError(await create('--valid-days', '1.5'))).toBe('netflow: --valid-days must be a whole number from 1 to 3650');
    expect(expectOneLineError(await create('--length', '5'))).toBe('netflow: --length must be a whole number from 6 to 20');
    expect(expectOneLineError(await create('--prefix', 'é'))).toBe('netflow: --prefix must be at most 8 letters or digits');
    expect(expectOneLineError(await create('--valid-days'))).toBe('netflow: --valid-days needs a value');
    expect(await db.prisma.voucherBatch.count()).toBe(before);
  });

  it('lists batches with live unused / in use / expired / revoked counts', async () => {
    const out = await createBatch('--package', EVIL, '--count', '6', '--valid-days', '7');
    const entitlements = await db.prisma.entitlement.findMany({ where: { code: { in: out.codes } }, orderBy: { id: 'asc' } });
    const now = Date.now();
    await db.prisma.entitlement.update({
      where: { id: entitlements[0].id },
      data: { startsAt: new Date(now - 60_000), expiresAt: new Date(now + 60_000) },
    });
    await db.prisma.entitlement.update({
      where: { id: entitlements[1].id },
      data: { startsAt: new Date(now - 120_000), expiresAt: new Date(now - 60_000) },
    });
    await db.prisma.entitlement.update({ where: { id: entitlements[2].id }, data: { redeemBy: new Date(now - 1000) } }); // never used in time
    await db.prisma.entitlement.update({ where: { id: entitlements[3].id }, data: { status: 'revoked' } });

    const r = await cli('voucher', 'batches', '--json');
    expect(r.code).toBe(0);
    const batches = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(batches.map((b) => b.id)).toEqual([out.batchId, out.batchId - 1, out.batchId - 2]); // newest first
    expect(batches[0]).toMatchObject({
      package: EVIL,
      count: 6,
      unused: 2,
      inUse: 1,
      expired: 2,
      revoked: 1,
      prefix: '',
      codeLength: 8,
      createdBy: 'cli',
      validUntil: out.validUntil,
    });
    expect(batches[2]).toMatchObject({
      package: '1 hour',
      count: 30,
      unused: 30,
      inUse: 0,
      expired: 0,
      revoked: 0,
      prefix: 'HQ',
      codeLength: 10,
    });

    // The same statuses as `voucher list` derives one by one.
    const listed = JSON.parse((await cli('voucher', 'list', '--batch', String(out.batchId), '--json')).stdout) as Array<{ status: string }>;
    expect(listed.map((v) => v.status).sort()).toEqual(['expired', 'expired', 'in use', 'revoked', 'unused', 'unused']);

    const text = (await cli('voucher', 'batches')).stdout.split('\n');
    expect(text[0]).toMatch(/^ID\s+PACKAGE\s+COUNT\s+UNUSED\s+IN USE\s+EXPIRED\s+REVOKED\s+PREFIX\s+VALID UNTIL\s+CREATED\s+BY$/);
    expect(text[3]).toMatch(
      new RegExp(`^${out.batchId - 2}\\s+1 hour\\s+30\\s+30\\s+0\\s+0\\s+0\\s+HQ\\s+\\d{4}-\\d\\d-\\d\\d 23:59:59\\s+\\d{4}-.*\\s+cli$`),
    );
    expect(text[2]).toMatch(/\s+-\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+cli$/); // no prefix, no redeem-by
  });

  it('filters `voucher list` by batch', async () => {
    const [third, , first] = JSON.parse((await cli('voucher', 'batches', '--json')).stdout) as Array<{ id: number }>;
    const list = JSON.parse((await cli('voucher', 'list', '--batch', String(first.id), '--json')).stdout) as Array<{
      code: string;
      batchId: number;
    }>;
    expect(list).toHaveLength(30);
    expect(new Set(list.map((v) => v.batchId))).toEqual(new Set([first.id]));
    expect((await cli('voucher', 'list', '--batch', String(third.id))).stdout.trimEnd().split('\n')).toHaveLength(7);
    expect(JSON.parse((await cli('voucher', 'list', '--json')).stdout)).toHaveLength(41);
  });

  it('exports a batch as RFC 4180 CSV with every voucher and its status', async () => {
    const batch = await db.prisma.voucherBatch.findFirstOrThrow({
      where: { prefix: 'HQ' },
      include: { vouchers: { orderBy: { id: 'asc' } } },
    });
    const r = await cli('voucher', 'export', '--batch', String(batch.id));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`exported 30 vouchers of batch ${batch.id} as CSV\n`);
    expect(r.stdout.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(r.stdout);
    expect(rows[0]).toEqual([...CSV_HEADER]);
    expect(rows.slice(1).map((row) => row[0])).toEqual(batch.vouchers.map((v) => v.code));
    for (const row of rows.slice(1)) {
      expect(row.slice(1, 5)).toEqual(['1 hour', '60', '1000.00', 'TZS']);
      expect(new Date(row[5]).getTime()).toBe(Math.floor(batch.validUntil!.getTime() / 1000) * 1000);
      expect(row[6]).toBe('unused');
    }
    // --format csv is the default, and the same.
    expect((await cli('voucher', 'export', '--batch', String(batch.id), '--format', 'csv')).stdout).toBe(r.stdout);
  });

  it('defuses a formula-like, quote-laden package name in the CSV', async () => {
    const [evil] = JSON.parse((await cli('voucher', 'batches', '--json')).stdout) as Array<{ id: number }>;
    const r = await cli('voucher', 'export', '--batch', String(evil.id), '--format', 'csv');
    const lines = r.stdout.split('\r\n');
    expect(lines[1]).toMatch(
      /^[A-Z0-9]{8},"'=HYPERLINK\(""http:\/\/evil""\) <script>alert\(1\)<\/script> & 'q'",1440,1000\.00,TZS,[^,]+,in use$/,
    );
    const rows = parseCsv(r.stdout).slice(1);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row[1]).toBe(`'${EVIL}`);
    expect(rows.map((row) => row[6]).sort()).toEqual(['expired', 'expired', 'in use', 'revoked', 'unused', 'unused']);
  });

  it('prints an HTML sheet with every code exactly once, escaped text, and a --site heading', async () => {
    const batch = await db.prisma.voucherBatch.findFirstOrThrow({ where: { prefix: 'HQ' }, include: { vouchers: true } });
    const r = await cli('voucher', 'export', '--batch', String(batch.id), '--format', 'html', '--site', 'Mama Lishe & Sons');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`30 unused vouchers of batch ${batch.id} on the sheet\n`);
    const html = r.stdout;
    expect(occurrences(html, 'class="card"')).toBe(30);
    expect(occurrences(html, '<section class="page">')).toBe(2);
    for (const v of batch.vouchers) expect(occurrences(html, v.code)).toBe(1);
    expect(html).toContain('Mama Lishe &amp; Sons');
    expect(html).toContain('1,000 TZS');
    expect(html).toContain(`Valid until ${dayInWords(batch.validUntil!)}`);
  });

  it('escapes a malicious package name in the HTML and leaves out used vouchers', async () => {
    const [evil] = JSON.parse((await cli('voucher', 'batches', '--json')).stdout) as Array<{ id: number }>;
    const vouchers = JSON.parse((await cli('voucher', 'list', '--batch', String(evil.id), '--json')).stdout) as Array<{
      code: string;
      status: string;
    }>;
    const r = await cli('voucher', 'export', '--batch', String(evil.id), '--format', 'html');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`2 unused vouchers of batch ${evil.id} on the sheet; 4 in use, expired or revoked left out\n`);
    const html = r.stdout;
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('"http://evil"');
    expect(html).toContain('=HYPERLINK(&quot;http://evil&quot;) &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(html).toContain('1 day · 500 MB data · up to 3 devices');
    for (const v of vouchers) expect(occurrences(html, v.code)).toBe(v.status === 'unused' ? 1 : 0);
  });

  it('gives the batch as JSON with --json and records exports in the audit log without codes', async () => {
    const [evil] = JSON.parse((await cli('voucher', 'batches', '--json')).stdout) as Array<{ id: number }>;
    const r = await cli('voucher', 'export', '--batch', String(evil.id), '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      batchId: evil.id,
      package: { name: EVIL, minutes: 1440, priceMinor: '100000', currency: 'TZS', dataCapBytes: '500000000', devicesAllowed: 3 },
    });
    expect(out.vouchers).toHaveLength(6);

    const rows = await db.prisma.auditLog.findMany({ where: { action: 'voucher.export' }, orderBy: { id: 'asc' } });
    expect(rows.map((a) => [a.actor, (a.details as { format: string }).format])).toEqual([
      ['cli', 'csv'],
      ['cli', 'csv'],
      ['cli', 'csv'],
      ['cli', 'html'],
      ['cli', 'html'],
      ['cli', 'json'],
    ]);
    const logged = JSON.stringify(rows.map((a) => [a.subject, a.details]));
    for (const v of out.vouchers as Array<{ code: string }>) expect(logged).not.toContain(v.code);
  });

  it('refuses bad export and list arguments with one line and exit 2', async () => {
    expect(expectOneLineError(await cli('voucher', 'export'))).toBe('netflow: --batch is required (see: netflow voucher export --help)');
    expect(expectOneLineError(await cli('voucher', 'export', '--batch', 'abc'))).toBe('netflow: --batch must be a positive whole number');
    expect(expectOneLineError(await cli('voucher', 'export', '--batch', '0'))).toBe('netflow: --batch must be a positive whole number');
    expect(expectOneLineError(await cli('voucher', 'export', '--batch', '1', '--format', 'pdf'))).toBe(
      'netflow: --format must be one of csv, html, got "pdf"',
    );
    expect(expectOneLineError(await cli('voucher', 'export', '--batch', '1', '--site', 'x'))).toBe(
      'netflow: --site only applies to --format html',
    );
    expect(expectOneLineError(await cli('voucher', 'export', '--batch', '1', '--format', 'html', '--site', ' '))).toBe(
      'netflow: --site must not be empty',
    );
    expect(expectOneLineError(await cli('voucher', 'export', '--batch', '999'))).toBe(
      'netflow: no voucher batch 999 (see: netflow voucher batches)',
    );
    expect(expectOneLineError(await cli('voucher', 'list', '--batch', '999'))).toBe(
      'netflow: no voucher batch 999 (see: netflow voucher batches)',
    );
    expect(expectOneLineError(await cli('voucher', 'list', '--batch', '-1'))).toBe('netflow: --batch must be a positive whole number');
    expect(expectOneLineError(await cli('voucher', 'batches', '--batch', '1'))).toBe(
      'netflow: unknown option --batch for "netflow voucher batches" (see: netflow voucher batches --help)',
    );
  });

  it('documents the new commands in the help', async () => {
    const r = await cli('voucher', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: netflow voucher batches [--json]\n');
    expect(r.stdout).toContain('usage: netflow voucher export --batch ID [--format csv|html] [--site NAME] [--json]\n');
    expect(r.stdout).toContain('usage: netflow voucher list [--batch ID] [--json]\n');
    expect(expectOneLineError(await cli('voucher'))).toBe('netflow: "netflow voucher" needs a subcommand: create, batches, export, list');
  });
});
