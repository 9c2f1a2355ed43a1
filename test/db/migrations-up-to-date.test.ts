// openDatabase() skips the schema engine when every migration is recorded as applied and
// unchanged; anything else (a new migration, an edited one, a failed one) goes to the engine.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsUpToDate } from '../../src/db/database.js';
import { createTestDatabaseUrl } from '../support/db.js';

describe('migrationsUpToDate', () => {
  let client: pg.Client;
  let url: string;
  beforeAll(async () => {
    url = await createTestDatabaseUrl(); // a clone of the migrated template
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(() => client.end());

  it('is true on a migrated database, false once a migration is missing, edited or failed', async () => {
    expect(await migrationsUpToDate(url)).toBe(true);
    const {
      rows: [last],
    } = await client.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1',
    );

    await client.query("UPDATE _prisma_migrations SET checksum = 'edited' WHERE id = $1", [last.id]);
    expect(await migrationsUpToDate(url)).toBe(false);

    await client.query('UPDATE _prisma_migrations SET checksum = $2, finished_at = NULL WHERE id = $1', [last.id, last.checksum]);
    expect(await migrationsUpToDate(url)).toBe(false); // failed: the engine says so

    await client.query('DELETE FROM _prisma_migrations WHERE id = $1', [last.id]);
    expect(await migrationsUpToDate(url)).toBe(false); // pending
  });

  it('is false on an empty database', async () => {
    const empty = new URL(url);
    await client.query(`CREATE DATABASE ${empty.pathname.slice(1)}_empty`);
    empty.pathname += '_empty';
    expect(await migrationsUpToDate(empty.toString())).toBe(false);
  });
});
