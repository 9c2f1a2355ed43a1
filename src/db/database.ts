// Opens NetFlow's database: the configured DATABASE_URL or the embedded server, with pending
// migrations applied. Gives the hot path a pg Pool and the admin side a Prisma client.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';
import { startEmbeddedPostgres, type CrashPolicy } from './embedded-postgres.js';
import { openHotPathPools, UTC } from './pools.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCHEMA_PATH = path.join(ROOT, 'prisma', 'schema.prisma');
export const MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');

export interface Database {
  url: string;
  pool: pg.Pool;
  /**
   * Pool for Access-Request decisions. Its commits do not wait for the WAL flush
   * (synchronous_commit=off): what an auth writes is a device hold and a clock start, and a crash
   * can lose at most the last fraction of a second of them (PostgreSQL never corrupts data this way).
   * Accounting keeps using `pool`, which waits for the flush before the router gets its response.
   */
  authPool: pg.Pool;
  prisma: PrismaClient;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize?: number;
  log?: (line: string) => void;
  /** For the embedded server (see startEmbeddedPostgres): restart it when it dies, within limits. */
  crashPolicy?: CrashPolicy;
}

/**
 * True when every migration under prisma/migrations is recorded as applied, unchanged (Prisma's
 * checksum: SHA-256 of migration.sql), and none failed or is half done. One plain query instead
 * of starting the schema engine (WebAssembly, a few hundred milliseconds): every CLI command opens
 * the database, and on most runs there is nothing to migrate. Anything else, including a table
 * that does not exist yet, goes to the engine, which applies or explains.
 */
export async function migrationsUpToDate(url: string, migrationsDir = MIGRATIONS_DIR): Promise<boolean> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const wanted = new Map<string, string>();
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const sql = await readFile(path.join(migrationsDir, e.name, 'migration.sql'));
    wanted.set(e.name, createHash('sha256').update(sql).digest('hex'));
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((err: unknown) => {
    throw explainConnectError(err, url);
  });
  try {
    const {
      rows: [exists],
    } = await client.query<{ t: string | null }>("SELECT to_regclass('_prisma_migrations')::text AS t");
    if (!exists?.t) return false;
    // Rolled-back rows are history; a row neither finished nor rolled back is a failed migration.
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished: boolean; rolled_back: boolean }>(
      'SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations',
    );
    const applied = new Map<string, string>();
    for (const r of rows) {
      if (r.rolled_back) continue;
      if (!r.finished) return false;
      applied.set(r.migration_name, r.checksum);
    }
    return [...wanted].every(([name, sum]) => applied.get(name) === sum);
  } finally {
    await client.end();
  }
}

/**
 * The connection errors an operator meets first, said plainly. A DATABASE_URL naming a database
 * that was never created otherwise surfaces from the schema engine as "denied access".
 */
export function explainConnectError(err: unknown, url: string): unknown {
  const code = (err as { code?: unknown }).code;
  const u = new URL(url);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused: is PostgreSQL running and listening there?'
        : code === 'ETIMEDOUT' || code === 'EHOSTUNREACH'
          ? 'no answer'
          : 'host not found';
    return new Error(`Can't reach database server at \`${u.hostname || 'localhost'}:${u.port || 5432}\` (${why})`);
  }
  if (code !== '3D000') return err;
  const name = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username);
  const server = `${u.hostname || 'localhost'}:${u.port || 5432}`;
  const user = u.username ? ` -U ${decodeURIComponent(u.username)}` : '';
  return new Error(
    `database "${name}" does not exist on ${server}; create it with \`createdb -h ${u.hostname || 'localhost'} -p ${u.port || 5432}${user} ${name}\` ` +
      `(or CREATE DATABASE "${name}"; in psql), or point DATABASE_URL at an existing database`,
  );
}

export async function migrate(url: string): Promise<string[]> {
  if (await migrationsUpToDate(url)) return [];
  // Loaded only when there is something to migrate (the engine is 5 MB of WebAssembly).
  const { applyMigrations, openSchemaEngine } = await import('./schema-engine.js');
  const handle = await openSchemaEngine(url, SCHEMA_PATH);
  try {
    return await applyMigrations(handle, MIGRATIONS_DIR);
  } finally {
    await handle.close();
  }
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const log = options.log ?? (() => {});
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres(options.dataDir, log, options.crashPolicy);
  const url = options.databaseUrl ?? embedded!.url;
  try {
    const applied = await migrate(url);
    if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  const { pool, authPool } = openHotPathPools(url, options.poolSize ?? 10, log);
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 3, options: UTC }) });
  return {
    url,
    pool,
    authPool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await Promise.all([pool.end(), authPool.end()]);
      await embedded?.stop();
    },
  };
}
