// Opens NetFlow's database: the configured DATABASE_URL or the embedded server, with pending
// migrations applied. Gives the hot path a pg Pool and the admin side a Prisma client.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';
import { startEmbeddedPostgres, type CrashPolicy } from './embedded-postgres.js';
import { applyMigrations, openSchemaEngine } from './schema-engine.js';

// On our own pool, Postgres bigint (int8) comes back as BigInt (byte counters pass 2^53).
// Set per pool, not globally, because Prisma's adapter expects pg's defaults.
const hotPathTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => BigInt(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

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

const UTC = '-c TimeZone=UTC';

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
  // Every connection works in UTC: Prisma's pg adapter sends Date values as UTC wall-clock times
  // without an offset, which PostgreSQL would otherwise read in the server's own time zone (an
  // operator's box in Dar es Salaam would shift every Prisma-written time by three hours).
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: hotPathTypes as pg.CustomTypesConfig, options: UTC });
  const authPool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: hotPathTypes as pg.CustomTypesConfig,
    options: `${UTC} -c synchronous_commit=off`,
  });
  for (const p of [pool, authPool]) p.on('error', (err) => log(`database pool error: ${err.message}`));
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
