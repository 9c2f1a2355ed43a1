// `netflow package add|list`: money in minor units by ISO 4217 exponent, MikroTik rates, data caps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { cliWithDatabase, expectOneLineError, type RunCli } from './run-cli.js';

describe('netflow package', () => {
  let cli: RunCli;
  let db: Database;
  const add = (name: string, ...flags: string[]) => cli('package', 'add', '--name', name, ...flags);
  const basics = (price: string, currency: string) => [
    '--minutes',
    '60',
    '--price',
    price,
    '--currency',
    currency,
    '--rate-limit',
    '2M/5M',
  ];

  beforeAll(async () => {
    ({ cli, db } = await cliWithDatabase());
  });
  afterAll(() => db.close());

  it('adds a package with every option and stores exact values', async () => {
    const r = await add(
      '1 hour',
      '--minutes',
      '60',
      '--price',
      '1000.50',
      '--currency',
      'tzs',
      '--rate-limit',
      '512k/1.5M',
      '--data-mb',
      '1.5',
      '--devices',
      '2',
      '--idle-timeout',
      '300',
      '--clock',
      'first-login',
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('package "1 hour" added (id 1, 60 min, 1000.50 TZS, 512k/1.5M)\n');
    const row = await db.prisma.package.findUniqueOrThrow({ where: { name: '1 hour' } });
    expect(row).toMatchObject({
      minutes: 60,
      priceMinor: 100050n,
      currency: 'TZS',
      rateLimitUp: '512k',
      rateLimitDown: '1.5M',
      dataCapBytes: 1_500_000n,
      devicesAllowed: 2,
      idleTimeoutSeconds: 300,
      clockStartsAt: 'first_login',
      active: true,
    });
  });

  it('uses defaults: 1 device, no cap, no idle timeout, clock at purchase', async () => {
    expect((await add('day', ...basics('2000', 'KES'))).code).toBe(0);
    expect(await db.prisma.package.findUniqueOrThrow({ where: { name: 'day' } })).toMatchObject({
      priceMinor: 200000n,
      devicesAllowed: 1,
      dataCapBytes: null,
      idleTimeoutSeconds: null,
      clockStartsAt: 'purchase',
    });
  });

  it('converts by the currency exponent: UGX and RWF have no minor unit', async () => {
    expect((await add('ug', ...basics('5000', 'UGX'))).code).toBe(0);
    expect((await db.prisma.package.findUniqueOrThrow({ where: { name: 'ug' } })).priceMinor).toBe(5000n);
    expect(expectOneLineError(await add('ug2', ...basics('5000.5', 'UGX')))).toBe(
      'netflow: --price must be a whole amount: UGX has no minor unit',
    );
    expect(expectOneLineError(await add('rw', ...basics('100.00', 'RWF')))).toMatch(/RWF has no minor unit/);
  });

  it('refuses more decimals than the currency has, unknown currencies and malformed amounts', async () => {
    expect(expectOneLineError(await add('x', ...basics('1000.505', 'TZS')))).toBe('netflow: --price has too many decimals: TZS allows 2');
    expect(expectOneLineError(await add('x', ...basics('1000', 'XYZ')))).toBe(
      'netflow: --currency "XYZ" is not a known ISO 4217 code (e.g. TZS, KES, UGX, RWF, USD)',
    );
    for (const price of ['1,000', '-5', '1e3', '.5', 'ten']) {
      expect(expectOneLineError(await add('x', ...basics(price, 'TZS')))).toMatch(
        /^netflow: --price must be an amount like 1000 or 1000\.50/,
      );
    }
  });

  it('validates the MikroTik rate limit as UP/DOWN', async () => {
    const withRate = (rate: string) => add('x', '--minutes', '60', '--price', '1', '--currency', 'USD', '--rate-limit', rate);
    for (const rate of ['fast', '2M', '2M/5M/1M', '2G/5G', '2M 5M', '/5M']) {
      expect(expectOneLineError(await withRate(rate))).toBe(
        `netflow: --rate-limit must be UP/DOWN in MikroTik form, e.g. 2M/5M or 512k/1M, got "${rate}"`,
      );
    }
  });

  it('refuses bad numbers, clocks and caps, and duplicate names', async () => {
    const flags = (over: Record<string, string>) =>
      Object.entries({ minutes: '60', price: '1', currency: 'USD', 'rate-limit': '1M/1M', ...over }).flatMap(([k, v]) => [`--${k}`, v]);
    expect(expectOneLineError(await add('x', ...flags({ minutes: '0' })))).toBe(
      'netflow: --minutes must be a whole number from 1 to 5256000',
    );
    expect(expectOneLineError(await add('x', ...flags({ minutes: '1.5' })))).toMatch(/^netflow: --minutes must be a whole number/);
    expect(expectOneLineError(await add('x', ...flags({ devices: '0' })))).toBe('netflow: --devices must be a positive whole number');
    expect(expectOneLineError(await add('x', ...flags({ 'idle-timeout': 'soon' })))).toBe(
      'netflow: --idle-timeout must be a positive whole number',
    );
    expect(expectOneLineError(await add('x', ...flags({ clock: 'login' })))).toBe(
      'netflow: --clock must be one of purchase, first-login, got "login"',
    );
    expect(expectOneLineError(await add('x', ...flags({ 'data-mb': '0' })))).toBe(
      'netflow: --data-mb must be more than 0 (leave it out for no cap)',
    );
    expect(expectOneLineError(await add('x', ...flags({ 'data-mb': '0.0000001' })))).toMatch(
      /^netflow: --data-mb must be a number of megabytes with at most 6 decimals/,
    );
    expect(
      expectOneLineError(await cli('package', 'add', '--name', 'x', '--price', '1', '--currency', 'USD', '--rate-limit', '1M/1M')),
    ).toBe('netflow: --minutes is required (see: netflow package add --help)');
    expect(expectOneLineError(await add('day', ...flags({})), 3)).toBe('netflow: a package named "day" already exists');
    expect(await db.prisma.package.count()).toBe(3);
  });

  it('lists packages with the price formatted back, as a table or JSON', async () => {
    const text = await cli('package', 'list');
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+MINUTES\s+PRICE\s+RATE UP\/DOWN\s+DATA\s+DEVICES\s+IDLE\s+CLOCK\s+ACTIVE$/);
    expect(lines[1]).toMatch(/1 hour\s+60\s+1000\.50 TZS\s+512k\/1\.5M\s+1\.5 MB\s+2\s+300s\s+first-login\s+yes/);
    expect(lines.find((l) => l.includes(' ug '))).toMatch(/5000 UGX\s+2M\/5M\s+unlimited/);

    const json = JSON.parse((await cli('package', 'list', '--json')).stdout);
    expect(json.map((p: { name: string }) => p.name)).toEqual(['1 hour', 'day', 'ug']);
    // BigInt values travel as strings so nothing is rounded.
    expect(json[0]).toMatchObject({
      priceMinor: '100050',
      currency: 'TZS',
      price: '1000.50 TZS',
      dataCapBytes: '1500000',
      clockStartsAt: 'first_login',
    });
  });

  it('records each added package in the audit log', async () => {
    const rows = await db.prisma.auditLog.findMany({ where: { action: 'package.add' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.actor, r.subject])).toEqual([
      ['cli', '1 hour'],
      ['cli', 'day'],
      ['cli', 'ug'],
    ]);
    expect(rows[0].details).toMatchObject({ price: '1000.50 TZS', minutes: 60, rateLimit: '512k/1.5M' });
  });
});
