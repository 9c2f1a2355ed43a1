// `netflow payment list` and `netflow payment revenue`: payments inserted straight through Prisma,
// revenue summed per currency in minor units, sandbox money left out, and calendar days cut in
// Africa/Dar_es_Salaam (UTC+3, no DST) so a payment at 00:00 local lands on the new day even
// though it is still the day before in UTC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentStatus } from '../../src/db/generated/client.js';
import type { Database } from '../../src/db/database.js';
import { addDays, listPayments, maskPhone, revenue, todayIn } from '../../src/admin/payments.js';
import { cliFor, cliWithDatabase, expectOneLineError, type RunCli } from './run-cli.js';

const DAR = 'Africa/Dar_es_Salaam';
const utc = (iso: string) => new Date(iso);

interface PaymentSpec {
  ref: string;
  pkg: number;
  provider: string;
  amountMinor: bigint;
  currency: string;
  status: PaymentStatus;
  createdAt: Date;
  paidAt?: Date;
  sandbox?: boolean;
  needsReview?: boolean;
  failureReason?: string;
  receiptNumber?: string;
  phone?: string;
}

let phoneSeq = 0;
async function addPayment(db: Database, p: PaymentSpec) {
  phoneSeq++;
  return db.prisma.payment.create({
    data: {
      reference: p.ref,
      callbackToken: `token-${p.ref}`,
      packageId: p.pkg,
      provider: p.provider,
      phone: p.phone ?? `2557540${String(phoneSeq).padStart(5, '0')}`,
      network: 'vodacom',
      amountMinor: p.amountMinor,
      currency: p.currency,
      status: p.status,
      paidAt: p.paidAt ?? null,
      sandbox: p.sandbox ?? false,
      needsReview: p.needsReview ?? false,
      failureReason: p.failureReason ?? null,
      receiptNumber: p.receiptNumber ?? null,
      createdAt: p.createdAt,
      expiresAt: new Date(p.createdAt.getTime() + 120_000),
      nextCheckAt: p.createdAt,
    },
  });
}

async function addPackage(db: Database, name: string, priceMinor: bigint, currency: string) {
  return db.prisma.package.create({ data: { name, minutes: 60, priceMinor, currency, rateLimitUp: '1M', rateLimitDown: '2M' } });
}

// Refused before the database is opened: nothing listens on port 1 (that would be exit 1).
const offline = cliFor({ DATABASE_URL: 'postgresql://nobody:x@127.0.0.1:1/none' });

describe('netflow payment list / revenue', () => {
  let cli: RunCli;
  let db: Database;

  beforeAll(async () => {
    ({ cli, db } = await cliWithDatabase());
    const hour = await addPackage(db, 'hour', 100000n, 'TZS');
    const day = await addPackage(db, 'day', 250000n, 'TZS');
    const kes = await addPackage(db, 'kes-hour', 5000n, 'KES');
    // Paid a millisecond before midnight in Dar es Salaam (20:59:59.999 UTC): 9 March.
    await addPayment(db, {
      ref: 'P01',
      pkg: hour.id,
      provider: 'vodacom',
      amountMinor: 100000n,
      currency: 'TZS',
      status: 'paid',
      createdAt: utc('2026-03-09T20:59:00Z'),
      paidAt: utc('2026-03-09T20:59:59.999Z'),
      receiptNumber: 'VC1',
      phone: '255754000111',
    });
    // Paid at midnight in Dar es Salaam (21:00 UTC, still 9 March in UTC): 10 March.
    await addPayment(db, {
      ref: 'P02',
      pkg: hour.id,
      provider: 'selcom',
      amountMinor: 100000n,
      currency: 'TZS',
      status: 'paid',
      createdAt: utc('2026-03-09T21:00:00Z'),
      paidAt: utc('2026-03-09T21:00:00.000Z'),
      receiptNumber: 'SC2',
    });
    await addPayment(db, {
      ref: 'P03',
      pkg: day.id,
      provider: 'vodacom',
      amountMinor: 250000n,
      currency: 'TZS',
      status: 'paid',
      createdAt: utc('2026-03-10T11:59:00Z'),
      paidAt: utc('2026-03-10T12:00:00Z'),
      receiptNumber: 'VC3',
    });
    // 23:30 on 10 March in Dar es Salaam; Kenyan shillings stay apart from Tanzanian ones.
    await addPayment(db, {
      ref: 'P04',
      pkg: kes.id,
      provider: 'daraja',
      amountMinor: 5000n,
      currency: 'KES',
      status: 'paid',
      createdAt: utc('2026-03-10T20:29:00Z'),
      paidAt: utc('2026-03-10T20:30:00Z'),
      receiptNumber: 'QK4',
      phone: '254712345678',
    });
    // Test money: not revenue unless asked for.
    await addPayment(db, {
      ref: 'P05',
      pkg: hour.id,
      provider: 'vodacom',
      amountMinor: 100000n,
      currency: 'TZS',
      status: 'paid',
      sandbox: true,
      createdAt: utc('2026-03-10T09:59:00Z'),
      paidAt: utc('2026-03-10T10:00:00Z'),
      receiptNumber: 'SB5',
    });
    // Not paid: never revenue.
    await addPayment(db, {
      ref: 'P06',
      pkg: hour.id,
      provider: 'airtel',
      amountMinor: 100000n,
      currency: 'TZS',
      status: 'failed',
      failureReason: 'cancelled',
      createdAt: utc('2026-03-10T13:00:00Z'),
    });
    await addPayment(db, {
      ref: 'P07',
      pkg: kes.id,
      provider: 'daraja',
      amountMinor: 5000n,
      currency: 'KES',
      status: 'pending',
      createdAt: utc('2026-03-10T14:00:00Z'),
    });
    await addPayment(db, {
      ref: 'P08',
      pkg: hour.id,
      provider: 'vodacom',
      amountMinor: 100000n,
      currency: 'TZS',
      status: 'expired',
      failureReason: 'expired',
      createdAt: utc('2026-03-10T15:00:00Z'),
    });
    await addPayment(db, {
      ref: 'P09',
      pkg: day.id,
      provider: 'yas',
      amountMinor: 250000n,
      currency: 'TZS',
      status: 'failed',
      failureReason: 'amount_mismatch',
      needsReview: true,
      createdAt: utc('2026-03-10T16:00:00Z'),
    });
    // Paid late (after expiring): revenue, and flagged.
    await addPayment(db, {
      ref: 'P10',
      pkg: day.id,
      provider: 'yas',
      amountMinor: 250000n,
      currency: 'TZS',
      status: 'paid',
      needsReview: true,
      createdAt: utc('2026-03-11T04:00:00Z'),
      paidAt: utc('2026-03-11T05:00:00Z'),
      receiptNumber: 'YS10',
    });
    // Just outside 9–11 March in Dar es Salaam: 23:59:59.999 on 8 March and 00:00 on 12 March.
    await addPayment(db, {
      ref: 'P11',
      pkg: hour.id,
      provider: 'vodacom',
      amountMinor: 100000n,
      currency: 'TZS',
      status: 'paid',
      createdAt: utc('2026-03-08T20:00:00Z'),
      paidAt: utc('2026-03-08T20:59:59.999Z'),
    });
    await addPayment(db, {
      ref: 'P12',
      pkg: hour.id,
      provider: 'vodacom',
      amountMinor: 100000n,
      currency: 'TZS',
      status: 'paid',
      createdAt: utc('2026-03-11T20:59:00Z'),
      paidAt: utc('2026-03-11T21:00:00Z'),
    });
  });
  afterAll(() => db.close());

  const range = { from: '2026-03-09', to: '2026-03-11', timeZone: DAR };
  const money = (currency: string, count: number, amountMinor: string, amount: string) => ({ currency, count, amountMinor, amount });

  describe('listPayments', () => {
    it('lists newest first with package, formatted amount, masked phone and flags', async () => {
      const all = await listPayments(db.prisma);
      expect(all.map((p) => p.reference)).toEqual(['P12', 'P10', 'P04', 'P09', 'P08', 'P07', 'P06', 'P03', 'P05', 'P02', 'P01', 'P11']);
      const p01 = all.find((p) => p.reference === 'P01')!;
      expect(p01).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        reference: 'P01',
        createdAt: utc('2026-03-09T20:59:00Z'),
        paidAt: utc('2026-03-09T20:59:59.999Z'),
        package: 'hour',
        amountMinor: '100000',
        currency: 'TZS',
        amount: '1000.00 TZS',
        provider: 'vodacom',
        phone: '2557••••0111',
        status: 'paid',
        failureReason: null,
        receiptNumber: 'VC1',
        needsReview: false,
        testMoney: false,
      });
      expect(all.find((p) => p.reference === 'P04')).toMatchObject({ amount: '50.00 KES', phone: '2547••••5678', currency: 'KES' });
      expect(all.find((p) => p.reference === 'P05')).toMatchObject({ testMoney: true, status: 'paid' });
      expect(all.find((p) => p.reference === 'P09')).toMatchObject({
        status: 'failed',
        failureReason: 'amount_mismatch',
        needsReview: true,
        paidAt: null,
      });
    });

    it('filters by status, by day started (in a time zone) and limits', async () => {
      expect((await listPayments(db.prisma, { status: 'paid' })).map((p) => p.reference)).toEqual([
        'P12',
        'P10',
        'P04',
        'P03',
        'P05',
        'P02',
        'P01',
        'P11',
      ]);
      expect((await listPayments(db.prisma, { status: 'failed' })).map((p) => p.reference)).toEqual(['P09', 'P06']);
      // From 00:00 on 10 March in Dar es Salaam = 21:00 UTC on 9 March: P02 (started then) is in,
      // P01 (started at 20:59 UTC) is not.
      const since = await listPayments(db.prisma, { since: '2026-03-10', timeZone: DAR });
      expect(since.map((p) => p.reference)).toEqual(['P12', 'P10', 'P04', 'P09', 'P08', 'P07', 'P06', 'P03', 'P05', 'P02']);
      // 10 March in UTC starts three hours later, after P02.
      expect((await listPayments(db.prisma, { since: '2026-03-10', timeZone: 'UTC' })).map((p) => p.reference)).toEqual(
        since.map((p) => p.reference).slice(0, -1),
      );
      expect((await listPayments(db.prisma, { since: '2026-03-11', timeZone: DAR, status: 'paid' })).map((p) => p.reference)).toEqual([
        'P12',
        'P10',
      ]);
      expect((await listPayments(db.prisma, { limit: 2 })).map((p) => p.reference)).toEqual(['P12', 'P10']);
    });

    it('masks phones: first 4 and last 4 digits', () => {
      expect(maskPhone('255754000111')).toBe('2557••••0111');
      expect(maskPhone('254712345678')).toBe('2547••••5678');
      expect(maskPhone('12345')).toBe('••••45');
    });
  });

  describe('revenue', () => {
    it('sums paid real money per day in Dar es Salaam, per currency, with totals', async () => {
      expect(await revenue(db.prisma, { ...range, groupBy: 'day' })).toEqual({
        from: '2026-03-09',
        to: '2026-03-11',
        timeZone: DAR,
        groupBy: 'day',
        includeTestMoney: false,
        rows: [
          { group: '2026-03-09', ...money('TZS', 1, '100000', '1000.00 TZS') },
          { group: '2026-03-10', ...money('KES', 1, '5000', '50.00 KES') },
          { group: '2026-03-10', ...money('TZS', 2, '350000', '3500.00 TZS') },
          { group: '2026-03-11', ...money('TZS', 1, '250000', '2500.00 TZS') },
        ],
        totals: [money('KES', 1, '5000', '50.00 KES'), money('TZS', 4, '700000', '7000.00 TZS')],
      });
    });

    it('cuts days where the time zone says: the same payments by UTC days differ', async () => {
      const r = await revenue(db.prisma, { ...range, timeZone: 'UTC' });
      // P01 and P02 both on 9 March; P11 (20:59Z on 8 March) out; P12 (21:00Z on 11 March) in.
      expect(r.rows).toEqual([
        { group: '2026-03-09', ...money('TZS', 2, '200000', '2000.00 TZS') },
        { group: '2026-03-10', ...money('KES', 1, '5000', '50.00 KES') },
        { group: '2026-03-10', ...money('TZS', 1, '250000', '2500.00 TZS') },
        { group: '2026-03-11', ...money('TZS', 2, '350000', '3500.00 TZS') },
      ]);
      expect(r.totals).toEqual([money('KES', 1, '5000', '50.00 KES'), money('TZS', 5, '800000', '8000.00 TZS')]);
      // A single day, both edges: 23:59:59.999 is in, 00:00 the next day is out.
      expect((await revenue(db.prisma, { from: '2026-03-09', to: '2026-03-09', timeZone: DAR })).totals).toEqual([
        money('TZS', 1, '100000', '1000.00 TZS'),
      ]);
    });

    it('counts test money only when asked', async () => {
      const r = await revenue(db.prisma, { ...range, includeTestMoney: true });
      expect(r.includeTestMoney).toBe(true);
      expect(r.rows.find((x) => x.group === '2026-03-10' && x.currency === 'TZS')).toEqual({
        group: '2026-03-10',
        ...money('TZS', 3, '450000', '4500.00 TZS'),
      });
      expect(r.totals).toEqual([money('KES', 1, '5000', '50.00 KES'), money('TZS', 5, '800000', '8000.00 TZS')]);
    });

    it('groups by package and by provider', async () => {
      expect((await revenue(db.prisma, { ...range, groupBy: 'package' })).rows).toEqual([
        { group: 'day', packageId: expect.any(Number), ...money('TZS', 2, '500000', '5000.00 TZS') },
        { group: 'hour', packageId: expect.any(Number), ...money('TZS', 2, '200000', '2000.00 TZS') },
        { group: 'kes-hour', packageId: expect.any(Number), ...money('KES', 1, '5000', '50.00 KES') },
      ]);
      const byProvider = await revenue(db.prisma, { ...range, groupBy: 'provider' });
      expect(byProvider.rows).toEqual([
        { group: 'daraja', ...money('KES', 1, '5000', '50.00 KES') },
        { group: 'selcom', ...money('TZS', 1, '100000', '1000.00 TZS') },
        { group: 'vodacom', ...money('TZS', 2, '350000', '3500.00 TZS') },
        { group: 'yas', ...money('TZS', 1, '250000', '2500.00 TZS') },
      ]);
      expect(byProvider.totals).toEqual([money('KES', 1, '5000', '50.00 KES'), money('TZS', 4, '700000', '7000.00 TZS')]);
    });

    it('reports nothing for a range without paid payments', async () => {
      expect(await revenue(db.prisma, { from: '2026-01-01', to: '2026-01-31', timeZone: DAR })).toMatchObject({ rows: [], totals: [] });
    });
  });

  describe('CLI', () => {
    it('payment list --json: amounts as minor-unit strings', async () => {
      const r = await cli('payment', 'list', '--status', 'paid', '--limit', '3', '--json');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      expect(rows.map((p) => p.reference)).toEqual(['P12', 'P10', 'P04']);
      expect(rows[2]).toMatchObject({
        amountMinor: '5000',
        currency: 'KES',
        amount: '50.00 KES',
        phone: '2547••••5678',
        createdAt: '2026-03-10T20:29:00.000Z',
        paidAt: '2026-03-10T20:30:00.000Z',
        testMoney: false,
      });
      expect(rows[1]).toMatchObject({ needsReview: true, receiptNumber: 'YS10' });
    });

    it('payment list: a table with flags and what the paid real money adds up to', async () => {
      const r = await cli('payment', 'list');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^REFERENCE\s+CREATED\s+PACKAGE\s+AMOUNT\s+PROVIDER\s+PHONE\s+STATUS\s+PAID\s+RECEIPT\s+FLAGS$/);
      expect(lines).toHaveLength(1 + 12 + 1);
      expect(lines.find((l) => l.startsWith('P09 '))).toMatch(
        /day\s+2500\.00 TZS\s+yas\s+2557••••\d{4}\s+failed \(amount_mismatch\)\s+-\s+-\s+review$/,
      );
      expect(lines.find((l) => l.startsWith('P05 '))).toMatch(/hour\s+1000\.00 TZS\s+vodacom\s+\S+\s+paid\s+\S+ \S+\s+SB5\s+test money$/);
      expect(lines.find((l) => l.startsWith('P01 '))).toMatch(/vodacom\s+2557••••0111\s+paid\s+\S+ \S+\s+VC1\s+-$/);
      expect(lines.at(-1)).toBe('paid, real money, in this list: 50.00 KES (1), 9000.00 TZS (6)');
      expect(await cli('payment', 'list', '--since', '2027-01-01')).toEqual({ code: 0, stdout: 'no payments\n', stderr: '' });
    });

    it('payment revenue: per-day table with totals per currency at the bottom', async () => {
      const r = await cli('payment', 'revenue', '--from', '2026-03-09', '--to', '2026-03-11', '--tz', DAR);
      expect(r).toEqual({
        code: 0,
        stderr: '',
        stdout: [
          'revenue 2026-03-09 to 2026-03-11 by day (days in Africa/Dar_es_Salaam; test money excluded)',
          'DAY         CURRENCY  PAYMENTS  AMOUNT',
          '2026-03-09  TZS       1         1000.00 TZS',
          '2026-03-10  KES       1         50.00 KES',
          '2026-03-10  TZS       2         3500.00 TZS',
          '2026-03-11  TZS       1         2500.00 TZS',
          'TOTAL       KES       1         50.00 KES',
          'TOTAL       TZS       4         7000.00 TZS',
          '',
        ].join('\n'),
      });
      const byProvider = await cli(
        'payment',
        'revenue',
        '--from=2026-03-09',
        '--to=2026-03-11',
        '--tz=africa/dar_es_salaam',
        '--by',
        'provider',
        '--include-test-money',
      );
      expect(byProvider.stdout.split('\n').slice(0, 2)).toEqual([
        'revenue 2026-03-09 to 2026-03-11 by provider (days in Africa/Dar_es_Salaam; test money included)',
        'PROVIDER  CURRENCY  PAYMENTS  AMOUNT',
      ]);
      expect(byProvider.stdout).toContain('\nvodacom   TZS       3         4500.00 TZS\n');
      expect(await cli('payment', 'revenue', '--from', '2026-01-01', '--to', '2026-01-02', '--tz', DAR)).toEqual({
        code: 0,
        stderr: '',
        stdout: 'revenue 2026-01-01 to 2026-01-02 by day (days in Africa/Dar_es_Salaam; test money excluded)\nno paid payments\n',
      });
    });

    it('payment revenue --json: the report with minor units as strings', async () => {
      const r = await cli('payment', 'revenue', '--from', '2026-03-09', '--to', '2026-03-11', '--tz', DAR, '--by', 'package', '--json');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(report).toEqual({
        from: '2026-03-09',
        to: '2026-03-11',
        timeZone: DAR,
        groupBy: 'package',
        includeTestMoney: false,
        rows: [
          { group: 'day', packageId: expect.any(Number), ...money('TZS', 2, '500000', '5000.00 TZS') },
          { group: 'hour', packageId: expect.any(Number), ...money('TZS', 2, '200000', '2000.00 TZS') },
          { group: 'kes-hour', packageId: expect.any(Number), ...money('KES', 1, '5000', '50.00 KES') },
        ],
        totals: [money('KES', 1, '5000', '50.00 KES'), money('TZS', 4, '700000', '7000.00 TZS')],
      });
    });

    it('refuses bad input with one line and exit 2, before opening the database', async () => {
      const cases: Array<[string[], string]> = [
        [['payment', 'revenue', '--from', '2026-13-01'], 'netflow: --from must be a date as YYYY-MM-DD, got "2026-13-01"'],
        [['payment', 'revenue', '--to', '2026-02-30'], 'netflow: --to must be a date as YYYY-MM-DD, got "2026-02-30"'],
        [['payment', 'revenue', '--from', '9 March'], 'netflow: --from must be a date as YYYY-MM-DD, got "9 March"'],
        [
          ['payment', 'revenue', '--from', '2026-03-12', '--to', '2026-03-11'],
          'netflow: --from must not be after --to (2026-03-12 is after 2026-03-11)',
        ],
        [['payment', 'revenue', '--by', 'week'], 'netflow: --by must be one of day, package, provider, got "week"'],
        [
          ['payment', 'revenue', '--tz', 'Mars/Olympus'],
          'netflow: --tz must be an IANA time zone like Africa/Dar_es_Salaam or UTC, got "Mars/Olympus"',
        ],
        [
          ['payment', 'revenue', '--tz', '+03:00'],
          'netflow: --tz must be an IANA time zone like Africa/Dar_es_Salaam or UTC, got "+03:00"',
        ],
        [['payment', 'revenue', '--include-test-money=yes'], 'netflow: --include-test-money takes no value'],
        [['payment', 'list', '--since', 'yesterday'], 'netflow: --since must be a date as YYYY-MM-DD, got "yesterday"'],
        [['payment', 'list', '--status', 'done'], 'netflow: --status must be one of pending, paid, failed, expired, got "done"'],
        [['payment', 'list', '--limit', '0'], 'netflow: --limit must be a whole number from 1 to 1000'],
        [['payment', 'list', '--limit', 'ten'], 'netflow: --limit must be a whole number from 1 to 1000'],
        [['payment'], 'netflow: "netflow payment" needs a subcommand: list, revenue'],
      ];
      for (const [argv, message] of cases) {
        expect(expectOneLineError(await offline(...argv))).toBe(message);
        expect(expectOneLineError(await cli(...argv))).toBe(message);
      }
    });
  });
});

describe('netflow payment revenue defaults', () => {
  let cli: RunCli;
  let db: Database;

  beforeAll(async () => {
    ({ cli, db } = await cliWithDatabase());
  });
  afterAll(() => db.close());

  it('covers the last 30 days, today included, by day', async () => {
    const usd = await addPackage(db, 'usd', 100n, 'USD');
    const today = todayIn(DAR);
    const first = addDays(today, -29);
    // Dar es Salaam is UTC+3 all year: local midnight is 21:00 UTC the day before.
    const midnight = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 3 * 3_600_000);
    await addPayment(db, {
      ref: 'D1',
      pkg: usd.id,
      provider: 'x',
      amountMinor: 100n,
      currency: 'USD',
      status: 'paid',
      createdAt: midnight(first),
      paidAt: new Date(midnight(first).getTime() - 1),
    });
    await addPayment(db, {
      ref: 'D2',
      pkg: usd.id,
      provider: 'x',
      amountMinor: 200n,
      currency: 'USD',
      status: 'paid',
      createdAt: midnight(first),
      paidAt: midnight(first),
    });
    await addPayment(db, {
      ref: 'D3',
      pkg: usd.id,
      provider: 'x',
      amountMinor: 400n,
      currency: 'USD',
      status: 'paid',
      createdAt: midnight(today),
      paidAt: midnight(today),
    });
    const report = JSON.parse((await cli('payment', 'revenue', '--json', '--tz', DAR)).stdout) as Record<string, unknown>;
    expect(report).toEqual({
      from: first,
      to: today,
      timeZone: DAR,
      groupBy: 'day',
      includeTestMoney: false,
      rows: [
        { group: first, currency: 'USD', count: 1, amountMinor: '200', amount: '2.00 USD' },
        { group: today, currency: 'USD', count: 1, amountMinor: '400', amount: '4.00 USD' },
      ],
      totals: [{ currency: 'USD', count: 2, amountMinor: '600', amount: '6.00 USD' }],
    });
    // Without --tz: the process's time zone.
    const local = JSON.parse((await cli('payment', 'revenue', '--json')).stdout) as Record<string, unknown>;
    expect(local).toMatchObject({
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      to: todayIn(Intl.DateTimeFormat().resolvedOptions().timeZone),
    });
  });

  it('adds in bigint: sums past 2^53 stay exact', async () => {
    const big = await addPackage(db, 'big', 1n, 'UGX');
    const t = new Date();
    await addPayment(db, {
      ref: 'B1',
      pkg: big.id,
      provider: 'x',
      amountMinor: 2n ** 53n + 1n,
      currency: 'UGX',
      status: 'paid',
      createdAt: t,
      paidAt: t,
    });
    await addPayment(db, {
      ref: 'B2',
      pkg: big.id,
      provider: 'x',
      amountMinor: 2n ** 53n + 1n,
      currency: 'UGX',
      status: 'paid',
      createdAt: t,
      paidAt: t,
    });
    const r = await revenue(db.prisma, { groupBy: 'package', timeZone: 'UTC' });
    expect(r.totals.find((x) => x.currency === 'UGX')).toEqual({
      currency: 'UGX',
      count: 2,
      amountMinor: String(2n ** 54n + 2n),
      amount: `${2n ** 54n + 2n} UGX`,
    });
  });
});
