// A voucher sells for what its batch was made with: repricing the package afterwards, or moving the
// guest to another package, does not rewrite past voucher revenue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVouchers } from '../../src/admin/vouchers.js';
import type { Database } from '../../src/db/database.js';
import { runReport } from '../../src/reports/index.js';
import { openTestDatabase } from '../support/db.js';
import { addPackage, addRouter } from '../support/fixtures.js';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

describe('voucher revenue', () => {
  it('keeps the price and package of the batch after a repricing and a package change', async () => {
    const router = await addRouter(db, { name: 'cafe-price' });
    const hour = await addPackage(db, { name: 'hour-price' }); // 1,000.00 TZS
    const day = await addPackage(db, { name: 'day-price' });
    const batch = await createVouchers(db.prisma, { package: 'hour-price', count: 1 }, 'test');
    const code = batch.codes[0];
    // First use at the router on 12-01 (what a login does to a voucher's code).
    await db.pool.query(`UPDATE entitlements SET starts_at = '2026-12-01T10:00:00Z', router_id = $2, status = 'active' WHERE code = $1`, [
      code,
      router.id,
    ]);
    const sold = async () =>
      (await runReport(db.pool, 'revenue-by-package', { from: '2026-12-01', to: '2026-12-01' } as never)).rows.map((r) => {
        const row = r as { package: string; channel: string; amountMinor: number };
        return [row.package, row.channel, row.amountMinor];
      });
    expect(await sold()).toEqual([['hour-price', 'voucher', 100000]]);

    await db.prisma.package.update({ where: { id: hour.id }, data: { priceMinor: 250000n } });
    await db.pool.query(`UPDATE entitlements SET package_id = $2 WHERE code = $1`, [code, day.id]);
    expect(await sold()).toEqual([['hour-price', 'voucher', 100000]]);
  });
});
