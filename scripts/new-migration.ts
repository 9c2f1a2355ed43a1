// `npm run db:migration -- <name> [--from <git ref>]`: writes prisma/migrations/<timestamp>_<name>/
// migration.sql with the SQL that takes the schema as committed at the git ref (default HEAD)
// to the working prisma/schema.prisma. Offline: Prisma's schema engine as WebAssembly diffs the
// two schema files; no database content is read. Then the database functions: the existing
// migrations are applied to a scratch database, and every function whose file in prisma/functions/
// defines it otherwise (see src/db/functions.ts) is appended as that file's CREATE OR REPLACE
// statements. A function whose arguments or result type change needs a hand-written DROP FUNCTION
// of the old one first (CREATE OR REPLACE cannot change them). Other hand-written SQL (triggers,
// indexes) can follow in the same file or in a migration of its own.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import pg from 'pg';
import { MIGRATIONS_DIR, SCHEMA_PATH } from '../src/db/database.js';
import { functionDifferences, readFunctionFiles } from '../src/db/functions.js';
import { applyMigrations, diffSchemas, openSchemaEngine } from '../src/db/schema-engine.js';

const [name, flag, ref = 'HEAD'] = process.argv.slice(2);
if (!name || !/^[a-z0-9_]+$/.test(name) || (flag !== undefined && flag !== '--from')) {
  console.error('usage: npm run db:migration -- <name in lower_snake_case> [--from <git ref>]');
  process.exit(2);
}

const committed = execFileSync('git', ['show', `${ref}:prisma/schema.prisma`], { encoding: 'utf8' });
// The engine insists on a reachable database at start, though a schema-to-schema diff reads none.
const scratch = await mkdtemp(path.join(tmpdir(), 'netflow-migration-'));
const db = await startEmbeddedPostgres(scratch, () => {});
let sql: string;
let functions = '';
try {
  const handle = await openSchemaEngine(db.url, SCHEMA_PATH);
  try {
    sql = await diffSchemas(handle, committed);
    await applyMigrations(handle, MIGRATIONS_DIR);
  } finally {
    await handle.close();
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const files = await readFunctionFiles();
    const changed = new Set((await functionDifferences(client, files)).map((d) => d.file));
    for (const f of files.filter((f) => changed.has(f.file))) {
      functions += `\n-- prisma/functions/${f.file}\n${f.sql.trimEnd()}\n`;
      console.log(`prisma/functions/${f.file} differs from its definition in the migrations`);
    }
  } finally {
    await client.end();
  }
} finally {
  await db.stop();
  await rm(scratch, { recursive: true, force: true });
}
if (/empty migration/i.test(sql)) sql = '';
if (!sql.trim() && !functions) {
  console.log(`prisma/schema.prisma matches ${ref} and prisma/functions/ the migrations: nothing to write`);
} else {
  // Schema changes first: the functions may read new columns (SQL-language bodies are checked).
  if (functions) {
    functions =
      '\n-- Database functions, copied from prisma/functions/ (their current source: edit those files, then\n' +
      '-- run npm run db:migration), where they differ from what the migrations before this one define.\n' +
      functions;
  }
  sql = (sql.trim() ? sql.trimEnd() + '\n' : '') + functions;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  await mkdir(dir);
  await writeFile(path.join(dir, 'migration.sql'), sql);
  console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
}
