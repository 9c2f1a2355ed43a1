// `netflow admin create`: scrypt-hashed passwords the dashboard can verify, validation, audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { hashPassword, verifyPassword } from '../../src/admin/passwords.js';
import { cliWithDatabase, expectOneLineError, type RunCli } from './run-cli.js';

const PASSWORD = 'correct horse battery';

describe('netflow admin create', () => {
  let cli: RunCli;
  let db: Database;

  beforeAll(async () => {
    ({ cli, db } = await cliWithDatabase());
  });
  afterAll(() => db.close());

  it('creates an admin with a lower-cased email and a verifiable scrypt hash', async () => {
    const r = await cli('admin', 'create', '--email', ' Amina@Example.COM ', '--password', PASSWORD, '--role', 'operator');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^admin amina@example\.com created \(id \d+, role operator\)\n$/);
    const row = await db.prisma.adminUser.findUniqueOrThrow({ where: { email: 'amina@example.com' } });
    expect(row.role).toBe('operator');
    expect(row.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword(PASSWORD, row.passwordHash)).toBe(true);
    expect(await verifyPassword(PASSWORD + '!', row.passwordHash)).toBe(false);
  });

  it('gives JSON without the hash', async () => {
    const r = await cli('admin', 'create', '--email', 'viewer@example.com', '--password', PASSWORD, '--role', 'viewer', '--json');
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      id: expect.any(Number),
      email: 'viewer@example.com',
      role: 'viewer',
      createdAt: expect.any(String),
      disabledAt: null,
    });
  });

  it('refuses short passwords, bad emails, unknown roles and duplicates', async () => {
    const create = (email: string, password: string, role: string) =>
      cli('admin', 'create', '--email', email, '--password', password, '--role', role);
    expect(expectOneLineError(await create('a@example.com', 'short', 'admin'))).toBe('netflow: --password must be at least 10 characters');
    expect(expectOneLineError(await create('not-an-email', PASSWORD, 'admin'))).toBe(
      'netflow: --email must be an email address, got "not-an-email"',
    );
    expect(expectOneLineError(await create('a@example.com', PASSWORD, 'root'))).toBe(
      'netflow: --role must be one of admin, operator, viewer, got "root"',
    );
    // A duplicate is a conflict with existing data (exit 3, as for a router name), not a bad argument (2).
    expect(expectOneLineError(await create('AMINA@example.com', PASSWORD, 'admin'), 3)).toBe(
      'netflow: an admin with email amina@example.com already exists',
    );
    expect(await db.prisma.adminUser.count()).toBe(2);
  });

  it('records each admin in the audit log, without the password', async () => {
    const rows = await db.prisma.auditLog.findMany({ where: { action: 'admin.create' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.actor, r.subject, (r.details as { role: string }).role])).toEqual([
      ['cli', 'amina@example.com', 'operator'],
      ['cli', 'viewer@example.com', 'viewer'],
    ]);
    expect(JSON.stringify(rows.map((r) => r.details))).not.toContain('horse');
  });
});

describe('password hashes', () => {
  it('salts every hash and rejects tampered or malformed ones', async () => {
    const [a, b] = [await hashPassword(PASSWORD), await hashPassword(PASSWORD)];
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, b)).toBe(true);
    const parts = a.split('$');
    const flipped = [...parts.slice(0, 5), (parts[5][0] === 'A' ? 'B' : 'A') + parts[5].slice(1)].join('$');
    expect(await verifyPassword(PASSWORD, flipped)).toBe(false);
    for (const bad of [
      '',
      'plain',
      'bcrypt$x',
      'scrypt$3$8$1$c2FsdA$aGFzaA',
      'scrypt$1073741824$8$1$c2FsdA$aGFzaA',
      'scrypt$16384$8$1$$',
    ]) {
      expect(await verifyPassword(PASSWORD, bad)).toBe(false);
    }
  });
});
