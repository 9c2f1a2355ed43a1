// `netflow voucher create|list`: unguessable unambiguous codes, one transaction per batch,
// an entitlement per voucher whose clock starts at first login, statuses derived from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { VOUCHER_ALPHABET } from '../../src/entitlements/codes.js';
import { addPackage } from '../support/fixtures.js';
import { cliWithDatabase, expectOneLineError, type RunCli } from './run-cli.js';

const CODE = new RegExp(`^[${VOUCHER_ALPHABET}]{8}$`);

describe('netflow voucher', () => {
  let cli: RunCli;
  let db: Database;
  let packageId: number;

  beforeAll(async () => {
    ({ cli, db } = await cliWithDatabase());
    packageId = (await addPackage(db, { name: '1 hour', minutes: 60 })).id;
  });
  afterAll(() => db.close());

  it('uses an alphabet without look-alike characters', () => {
    expect(VOUCHER_ALPHABET).not.toMatch(/[01ILO]/);
    expect(new Set(VOUCHER_ALPHABET).size).toBe(VOUCHER_ALPHABET.length);
  });

  it('prints unique codes, one per line, each with its own entitlement and voucher row', async () => {
    const r = await cli('voucher', 'create', '--package', '1 hour', '--count', '200');
    expect(r.code).toBe(0);
    const codes = r.stdout.trimEnd().split('\n');
    expect(codes).toHaveLength(200);
    expect(new Set(codes).size).toBe(200);
    for (const code of codes) expect(code).toMatch(CODE);
    expect(r.stderr).toMatch(/^created 200 vouchers for package "1 hour" \(batch \d+\)\n$/);

    const batch = await db.prisma.voucherBatch.findFirstOrThrow({ include: { vouchers: { include: { entitlement: true } } } });
    expect(batch).toMatchObject({ packageId, count: 200, prefix: '' });
    expect(batch.vouchers.map((v) => v.code).sort()).toEqual([...codes].sort());
    for (const v of batch.vouchers) {
      expect(v.entitlement).toMatchObject({
        code: v.code,
        password: v.code,
        packageId,
        source: 'voucher',
        status: 'active',
        startsAt: null,
        expiresAt: null,
        routerId: null,
      });
    }
  });

  it('takes a prefix and a length, and gives JSON with --json', async () => {
    const r = await cli('voucher', 'create', '--package', '1 hour', '--count', '3', '--prefix', 'hq', '--length', '10', '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ batchId: expect.any(Number), package: '1 hour', prefix: 'HQ' });
    expect(out.codes).toHaveLength(3);
    for (const code of out.codes) expect(code).toMatch(new RegExp(`^HQ[${VOUCHER_ALPHABET}]{10}$`));
    expect(await db.prisma.entitlement.count({ where: { code: { in: out.codes } } })).toBe(3);
  });

  it('refuses an unknown package and out-of-range counts without creating anything', async () => {
    const before = await db.prisma.voucher.count();
    expect(expectOneLineError(await cli('voucher', 'create', '--package', 'nope', '--count', '5'))).toBe(
      'netflow: no package named "nope"',
    );
    expect(expectOneLineError(await cli('voucher', 'create', '--package', '1 hour', '--count', '0'))).toBe(
      'netflow: --count must be a whole number from 1 to 10000',
    );
    expect(expectOneLineError(await cli('voucher', 'create', '--package', '1 hour', '--count', '10001'))).toBe(
      'netflow: --count must be a whole number from 1 to 10000',
    );
    expect(expectOneLineError(await cli('voucher', 'create', '--package', '1 hour', '--count', '5', '--length', '4'))).toBe(
      'netflow: --length must be a whole number from 6 to 20',
    );
    expect(expectOneLineError(await cli('voucher', 'create', '--package', '1 hour', '--count', '5', '--prefix', 'a-b'))).toBe(
      'netflow: --prefix must be at most 8 letters or digits',
    );
    expect(expectOneLineError(await cli('voucher', 'create', '--package', '1 hour'))).toBe(
      'netflow: --count is required (see: netflow voucher create --help)',
    );
    expect(await db.prisma.voucher.count()).toBe(before);
    expect(await db.prisma.voucherBatch.count()).toBe(2);
  });

  it('creates the maximum batch of 10000 in one go', async () => {
    const r = await cli('voucher', 'create', '--package', '1 hour', '--count', '10000', '--json');
    expect(r.code).toBe(0);
    expect(new Set(JSON.parse(r.stdout).codes).size).toBe(10000);
    expect(await db.prisma.voucher.count()).toBe(10203);
    expect(await db.prisma.entitlement.count({ where: { source: 'voucher' } })).toBe(10203);
  });

  it('lists vouchers with status unused, in use, expired or revoked', async () => {
    const [a, b, c] = (await db.prisma.voucher.findMany({ orderBy: { id: 'asc' }, take: 3 })).map((v) => v.entitlementId);
    const now = Date.now();
    await db.prisma.entitlement.update({
      where: { id: a },
      data: { startsAt: new Date(now - 60_000), expiresAt: new Date(now + 3_540_000) },
    });
    await db.prisma.entitlement.update({
      where: { id: b },
      data: { startsAt: new Date(now - 7_200_000), expiresAt: new Date(now - 3_600_000) },
    });
    await db.prisma.entitlement.update({ where: { id: c }, data: { status: 'revoked' } });

    const list = JSON.parse((await cli('voucher', 'list', '--json')).stdout) as Array<{
      code: string;
      status: string;
      package: string;
      batchId: number;
    }>;
    expect(list).toHaveLength(10203);
    expect(list.slice(0, 4).map((v) => v.status)).toEqual(['in use', 'expired', 'revoked', 'unused']);
    expect(list[0]).toMatchObject({
      package: '1 hour',
      batchId: expect.any(Number),
      startsAt: expect.any(String),
      expiresAt: expect.any(String),
    });

    const text = (await cli('voucher', 'list')).stdout.split('\n');
    expect(text[0]).toMatch(/^CODE\s+PACKAGE\s+BATCH\s+STATUS\s+STARTED\s+EXPIRES$/);
    expect(text[1]).toMatch(new RegExp(`^${list[0].code}\\s+1 hour\\s+\\d+\\s+in use\\s+\\d{4}-`));
    expect(text[4]).toMatch(/\s+unused\s+-\s+-$/);
  });

  it('records each batch in the audit log, without the codes', async () => {
    const rows = await db.prisma.auditLog.findMany({ where: { action: 'voucher.create' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.actor, (r.details as { count: number }).count])).toEqual([
      ['cli', 200],
      ['cli', 3],
      ['cli', 10000],
    ]);
    expect(rows[1].details).toMatchObject({ package: '1 hour', prefix: 'HQ' });
    const codes = (await db.prisma.voucher.findMany({ take: 5 })).map((v) => v.code);
    const logged = JSON.stringify(rows.map((r) => [r.subject, r.details]));
    for (const code of codes) expect(logged).not.toContain(code);
  });
});
