// Opens NetFlow's database: the configured DATABASE_URL or the embedded server, with pending
// migrations applied. Gives the hot path a pg Pool and the admin side a Prisma client.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';
import { startEmbeddedPostgres, type CrashPolicy } from './embedded-postgres.js';
import { applyMigrations, openSchemaEngine } from './schema-engine.js';
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

export async function migrate(url: string): Promise<string[]> {
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
