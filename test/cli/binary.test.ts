// The installed entry point, bin/netflow.js, as an operator runs it: a real child process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabaseUrl } from '../support/db.js';
import { addRouter } from '../support/fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function netflow(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/netflow.js', ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// Each run starts Node and compiles the TypeScript through tsx: allow for a busy machine.
describe('bin/netflow.js', { timeout: 60_000 }, () => {
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: await createTestDatabaseUrl(), dataDir: 'unused' });
    await addRouter(db, { name: 'edge', ip: '10.9.0.1', secret: 'edge-secret-0123456789' });
  });
  afterAll(() => db.close());

  it('prints the routers as JSON with the secret masked', async () => {
    const r = await netflow(['router', 'list', '--json'], { DATABASE_URL: db.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ name: 'edge', ip: '10.9.0.1', secretMasked: 'ed…89' })]);
    expect(r.stdout).not.toContain('edge-secret-0123456789');
  });

  it('exits 2 on a bad flag with one line on stderr and no stack trace', async () => {
    const r = await netflow(['router', 'add', '--name', 'x', '--ip', '10.9.0.2', '--secret', 'edge-secret-0123456789', '--colour', 'red'], {
      DATABASE_URL: db.url,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('netflow: unknown option --colour for "netflow router add" (see: netflow router add --help)\n');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with one line when the database cannot be reached', async () => {
    const r = await netflow(['router', 'list'], { DATABASE_URL: 'postgresql://nobody:x@127.0.0.1:1/none' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^netflow: cannot open the database: [^\n]+\n$/);
  });

  it('says a DATABASE_URL database does not exist, and how to create it, instead of "denied access"', async () => {
    const url = new URL(db.url);
    url.pathname = '/netflow_never_created';
    const r = await netflow(['router', 'list'], { DATABASE_URL: url.toString() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const server = `${url.hostname}:${url.port}`;
    expect(r.stderr).toBe(
      `netflow: cannot open the database: database "netflow_never_created" does not exist on ${server}; create it with ` +
        `\`createdb -h ${url.hostname} -p ${url.port} -U ${url.username} netflow_never_created\` (or CREATE DATABASE "netflow_never_created"; in psql), ` +
        'or point DATABASE_URL at an existing database\n',
    );
  });

  it('exits 3 for a conflict with existing data (a duplicate router name), 2 for a bad value', async () => {
    const dup = await netflow(['router', 'add', '--name', 'edge', '--ip', '10.9.0.3', '--secret', 'edge-secret-0123456789'], {
      DATABASE_URL: db.url,
    });
    expect([dup.code, dup.stderr]).toEqual([3, 'netflow: a router named "edge" already exists\n']);
    const bad = await netflow(['session', 'end', 'abc'], { DATABASE_URL: db.url });
    expect([bad.code, bad.stderr]).toEqual([2, 'netflow: ID must be a session number (see `netflow session list`)\n']);
  });
});
