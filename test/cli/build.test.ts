// The JavaScript build (scripts/build.mjs → dist/) and how bin/netflow.js chooses it: the
// installed command runs dist/ only while it is a build of the current src/ (the test run's
// global setup rebuilds a stale one), and the RADIUS thread runs from dist/ without tsx.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, staleReason } from '../../bin/freshness.js';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabaseUrl } from '../support/db.js';
import { addRouter } from '../support/fixtures.js';
import { spawnNetflow } from '../support/spawn-netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';
import { CODE } from '../../src/radius/codes.js';

function netflow(args: string[], env: Record<string, string>, root = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/netflow.js', ...args], { cwd: root, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('staleReason', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'netflow-fresh-'));
    mkdirSync(path.join(root, 'src', 'cli'), { recursive: true });
    writeFileSync(path.join(root, 'src', 'cli', 'main.ts'), '');
    utimesSync(path.join(root, 'src', 'cli', 'main.ts'), new Date('2026-01-01'), new Date('2026-01-01'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is "missing" without dist/, null when the stamp is newer than every source, names a newer source', () => {
    expect(staleReason(root)).toBe('dist/ is missing (npm run build)');
    mkdirSync(path.join(root, 'dist'));
    writeFileSync(path.join(root, 'dist', '.built'), '');
    utimesSync(path.join(root, 'dist', '.built'), new Date('2026-02-01'), new Date('2026-02-01'));
    expect(staleReason(root)).toBeNull();
    utimesSync(path.join(root, 'src', 'cli', 'main.ts'), new Date('2026-03-01'), new Date('2026-03-01'));
    expect(staleReason(root)).toBe(`${path.join('src', 'cli', 'main.ts')} is newer than dist/ (npm run build)`);
  });
});

describe('bin/netflow.js from dist/', { timeout: 60_000 }, () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: await createTestDatabaseUrl(), dataDir: 'unused' });
  });
  afterAll(() => db?.close());

  it('the build is current (global setup) and the command answers from it', async () => {
    expect(staleReason()).toBeNull();
    await addRouter(db, { name: 'built', ip: '127.0.0.1', secret: 'built-secret-0123456789' });
    const r = await netflow(['router', 'list', '--json'], { DATABASE_URL: db.url, NETFLOW_BUILD: 'require' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ name: 'built' })]);
  });

  it('serve runs from dist/ and its RADIUS thread (no tsx) answers', async () => {
    // From dist/ the thread's entry is dist/app/radius-worker.js, which loads no TypeScript loader.
    expect(readFileSync(path.join(ROOT, 'dist', 'app', 'radius-worker.js'), 'utf8')).not.toContain('tsx');
    const serve = await spawnNetflow(db.url, { NETFLOW_BUILD: 'require' });
    const radius = await TestRadiusClient.open();
    try {
      const attrs: [string, string][] = [
        ['User-Name', 'NOSUCHCODE'],
        ['User-Password', 'NOSUCHCODE'],
        ['Calling-Station-Id', '02:EE:00:00:00:09'],
      ];
      const { reply } = await radius.send(CODE.accessRequest, attrs, 'built-secret-0123456789', serve.authPort);
      expect(reply?.code).toBe(CODE.accessReject);
    } finally {
      radius.close();
      await serve.stop();
    }
  });

  it('a build older than src/ is never run: the command runs the TypeScript, or refuses under NETFLOW_BUILD=require', async () => {
    // A copy of the checkout whose dist/ (links to the real build) carries an old stamp.
    const root = mkdtempSync(path.join(tmpdir(), 'netflow-stale-'));
    try {
      cpSync(path.join(ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
      for (const name of ['src', 'node_modules', 'prisma', 'radius-dictionaries', 'package.json'])
        symlinkSync(path.join(ROOT, name), path.join(root, name));
      mkdirSync(path.join(root, 'dist'));
      for (const name of readdirSync(path.join(ROOT, 'dist'))) {
        if (name !== '.built') symlinkSync(path.join(ROOT, 'dist', name), path.join(root, 'dist', name));
      }
      writeFileSync(path.join(root, 'dist', '.built'), '');
      utimesSync(path.join(root, 'dist', '.built'), new Date('2020-01-01'), new Date('2020-01-01'));

      const refused = await netflow(['router', 'list', '--json'], { DATABASE_URL: db.url, NETFLOW_BUILD: 'require' }, root);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^netflow: no current build: src\/\S+ is newer than dist\/ \(npm run build\)\n$/);

      const fromSource = await netflow(['router', 'list', '--json'], { DATABASE_URL: db.url }, root);
      expect(fromSource.stderr).toBe('');
      expect(fromSource.code).toBe(0);
      expect(JSON.parse(fromSource.stdout)).toEqual([expect.objectContaining({ name: 'built' })]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
