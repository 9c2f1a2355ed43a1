// `npm run db:migration -- <name> [--from <git ref>]`: writes prisma/migrations/<timestamp>_<name>/
// migration.sql with the SQL that takes the schema as committed at the git ref (default HEAD)
// to the working prisma/schema.prisma. Offline: Prisma's schema engine as WebAssembly diffs the
// two schema files; no database content is read. Hand-written SQL (functions, triggers) can follow
// in the same file or in a migration of its own.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { MIGRATIONS_DIR, SCHEMA_PATH } from '../src/db/database.js';
import { diffSchemas, openSchemaEngine } from '../src/db/schema-engine.js';

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
try {
  const handle = await openSchemaEngine(db.url, SCHEMA_PATH);
  sql = await diffSchemas(handle, committed);
  await handle.close();
} finally {
  await db.stop();
  await rm(scratch, { recursive: true, force: true });
}
if (!sql.trim() || /empty migration/i.test(sql)) {
  console.log(`prisma/schema.prisma matches ${ref}: nothing to write`);
} else {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  await mkdir(dir);
  await writeFile(path.join(dir, 'migration.sql'), sql);
  console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
}
