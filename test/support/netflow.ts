// Starts a whole NetFlow (RADIUS + HTTP) in-process on ephemeral loopback ports, on its own database.
import type { Database } from '../../src/db/database.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/config/logger.js';
import { startNetflow, type RunningNetflow, type StartOptions } from '../../src/app/serve.js';
import { openTestDatabase } from './db.js';

/** Enforcement is manual unless asked: tests drive it with their own clock. */
export async function startTestNetflow(options: StartOptions = {}): Promise<{ db: Database; netflow: RunningNetflow; stop(): Promise<void> }> {
  const db = await openTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, RADIUS_BIND: '127.0.0.1', HTTP_BIND: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', PORT: '0' });
  const netflow = await startNetflow(config, db, silentLogger, { enforcement: 'manual', ...options });
  return {
    db,
    netflow,
    async stop() {
      await netflow.close();
      await db.close();
    },
  };
}
