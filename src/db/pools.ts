// The hot path's pg pools (RADIUS, accounting, the portal's counters), without Prisma or
// migrations: opened by openDatabase() and, on the same URL, by the RADIUS thread, which has
// connections of its own (pg pools are not shared across threads).
import pg from 'pg';

// On our own pool, Postgres bigint (int8) comes back as BigInt (byte counters pass 2^53).
// Set per pool, not globally, because Prisma's adapter expects pg's defaults.
const hotPathTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => BigInt(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

// Every connection works in UTC: Prisma's pg adapter sends Date values as UTC wall-clock times
// without an offset, which PostgreSQL would otherwise read in the server's own time zone (an
// operator's box in Dar es Salaam would shift every Prisma-written time by three hours).
export const UTC = '-c TimeZone=UTC';

export interface HotPathPools {
  /** Durable commits (accounting, everything but Access-Request decisions). */
  pool: pg.Pool;
  /** Access-Request decisions: synchronous_commit=off (see Database.authPool). */
  authPool: pg.Pool;
  close(): Promise<void>;
}

export function openHotPathPools(url: string, max: number, log: (line: string) => void = () => {}): HotPathPools {
  const pool = new pg.Pool({ connectionString: url, max, types: hotPathTypes as pg.CustomTypesConfig, options: UTC });
  const authPool = new pg.Pool({
    connectionString: url,
    max,
    types: hotPathTypes as pg.CustomTypesConfig,
    options: `${UTC} -c synchronous_commit=off`,
  });
  for (const p of [pool, authPool]) p.on('error', (err) => log(`database pool error: ${err.message}`));
  return { pool, authPool, close: async () => void (await Promise.all([pool.end(), authPool.end()])) };
}
