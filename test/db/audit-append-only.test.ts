// The audit log is append-only in the database: with NetFlow's own database login (the URL
// `netflow serve` connects with), INSERT works and UPDATE, DELETE and TRUNCATE are refused, whatever
// rows they would touch (prisma/functions/audit.sql, a statement-level trigger).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/audit.js';
import type { Database } from '../../src/db/database.js';
import { openTestDatabase } from '../support/db.js';

describe('audit_log is append-only', () => {
  let db: Database;
  let client: pg.Client;
  beforeAll(async () => {
    db = await openTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.close();
  });

  it('INSERT works, through SQL and through recordAudit', async () => {
    await client.query(`INSERT INTO audit_log (actor, action, subject) VALUES ('test', 'test.insert', 'one')`);
    await recordAudit(db.prisma, { actor: 'test', action: 'test.insert', subject: 'two', details: { before: { a: 1 }, after: { a: 2 } } });
    expect(await db.prisma.auditLog.count({ where: { action: 'test.insert' } })).toBe(2);
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET actor = 'someone else'`],
    ['UPDATE', `UPDATE audit_log SET details = NULL WHERE action = 'no such action'`],
    ['DELETE', 'DELETE FROM audit_log'],
    ['DELETE', `DELETE FROM audit_log WHERE id = -1`],
    ['TRUNCATE', 'TRUNCATE audit_log'],
  ])('%s is refused: %s', async (op, sql) => {
    const err = await client.query(sql).then(
      () => null,
      (e: pg.DatabaseError) => e,
    );
    expect(err?.code).toBe('42501');
    expect(err?.message).toBe(`audit_log is append-only: ${op} is not allowed`);
    expect(await db.prisma.auditLog.count({ where: { action: 'test.insert' } })).toBe(2);
    expect(await db.prisma.auditLog.count({ where: { actor: 'someone else' } })).toBe(0);
  });

  it('Prisma deletes and updates are refused too', async () => {
    await expect(db.prisma.auditLog.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(db.prisma.auditLog.updateMany({ data: { actor: 'x' } })).rejects.toThrow(/append-only/);
    expect(await db.prisma.auditLog.count({ where: { action: 'test.insert' } })).toBe(2);
  });
});
