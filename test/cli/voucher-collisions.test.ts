// A generated code that already exists (as any entitlement) is replaced, not inserted twice.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createVouchers } from '../../src/admin/vouchers.js';
import { VOUCHER_ALPHABET } from '../../src/entitlements/codes.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage } from '../support/fixtures.js';

// The random source, scripted: the first codes drawn collide with existing ones.
const script: number[] = [];
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, randomInt: (max: number) => (script.length > 0 ? script.shift()! : actual.randomInt(max)) };
});

const codeOf = (index: number) => VOUCHER_ALPHABET[index].repeat(6);

describe('voucher code collisions', () => {
  let db: Database;
  let packageId: number;

  beforeAll(async () => {
    db = await openTestDatabase();
    packageId = (await addPackage(db, { name: 'p' })).id;
    await addEntitlement(db, packageId, { code: codeOf(0) }); // "222222", e.g. a purchase
  });
  afterAll(() => db.close());

  it('draws again for codes already taken and for duplicates within the batch', async () => {
    // Draws: 222222 (taken), 333333, 333333 again (duplicate in batch), then 444444.
    script.push(...Array(6).fill(0), ...Array(6).fill(1), ...Array(6).fill(1), ...Array(6).fill(2));
    const batch = await createVouchers(db.prisma, { package: 'p', count: 2, length: 6 }, 'test');
    expect(batch.codes.sort()).toEqual([codeOf(1), codeOf(2)]);
    expect(script).toEqual([]);
    expect(await db.prisma.entitlement.count({ where: { code: codeOf(0) } })).toBe(1);
  });
});
