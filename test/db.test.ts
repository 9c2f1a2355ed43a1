import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { migrate } from '../src/db/database.js';
import { openTestDatabase } from './support/db.js';

describe('database', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it('has every migration applied, and applying again changes nothing', async () => {
    const rows = await db.pool.query('SELECT migration_name, finished_at FROM _prisma_migrations');
    expect(rows.rowCount).toBeGreaterThan(0);
    expect(rows.rows.every((r) => r.finished_at !== null)).toBe(true);
    expect(await migrate(db.url)).toEqual([]);
  });

  it('serves Prisma queries through the pg adapter', async () => {
    const router = await db.prisma.router.create({ data: { name: 'r1', ip: '10.0.0.1', secret: 's'.repeat(20) } });
    expect(router.id).toBeGreaterThan(0);
    expect(await db.prisma.router.count()).toBe(1);
  });
});
