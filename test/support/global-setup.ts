// Starts one real PostgreSQL for the whole test run (embedded, in a temp dir, unless
// TEST_DATABASE_URL names a server), migrates a template database once, and hands its URL to
// the test files, which each clone their own database from it (see test/support/db.ts).
// TEST_TEMPLATE_DATABASE_URL names a template migrated beforehand instead.
// It also rebuilds dist/ when src/ has changed since the last build: tests that spawn
// bin/netflow.js then run the JavaScript of the code under test, never an older build.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded-postgres.js';
import { migrate } from '../../src/db/database.js';
import { ROOT, staleReason } from '../../bin/freshness.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
  }
}

export const TEMPLATE_DB = 'netflow_test_template';

let embedded: EmbeddedDatabase | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (staleReason() !== null) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  // A template already migrated by the caller (scripts/mutation-check.mjs runs vitest many times
  // over one unchanged schema): used as is.
  if (process.env.TEST_TEMPLATE_DATABASE_URL) {
    project.provide('templateDatabaseUrl', process.env.TEST_TEMPLATE_DATABASE_URL);
    return;
  }
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'netflow-test-'));
    embedded = await startEmbeddedPostgres(dataDir, () => {});
    serverUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = withDatabase(serverUrl, TEMPLATE_DB);
  await migrate(templateUrl);
  project.provide('templateDatabaseUrl', templateUrl);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}
