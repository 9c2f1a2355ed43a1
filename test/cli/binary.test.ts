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
    const r = await netflow(['router', 'add', '--name', 'x', '--ip', '10.9.0.2', '--secret', 'edge-secret-0123456789', '--colour', 'red'], { DATABASE_URL: db.url });
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
});
