// Starts a whole NetFlow (RADIUS + HTTP) in-process on ephemeral loopback ports, on its own database.
import type { Database } from '../../src/db/database.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger, type Logger } from '../../src/config/logger.js';
import { startNetflow, type RunningNetflow, type StartOptions } from '../../src/app/serve.js';
import { openTestDatabase } from './db.js';

/**
 * A NetFlow instance on an existing database (a restart, or a second instance beside the first).
 * Ports are ephemeral unless given (a restart keeps its ports, as routers expect).
 * Enforcement is manual unless asked: tests drive it with their own clock.
 */
export function startNetflowOn(
  db: Database,
  options: StartOptions = {},
  ports: { authPort?: number; acctPort?: number } = {},
  env: Record<string, string> = {},
  log: Logger = silentLogger,
): Promise<RunningNetflow> {
  const config = loadConfig({
    DATABASE_URL: db.url,
    RADIUS_BIND: '127.0.0.1',
    HTTP_BIND: '127.0.0.1',
    PORT: '0',
    RADIUS_AUTH_PORT: String(ports.authPort ?? 0),
    RADIUS_ACCT_PORT: String(ports.acctPort ?? 0),
    // The sandbox's simulated guest approves at once: tests wait on events, not on time.
    SANDBOX_APPROVE_SECONDS: '0.02',
    ...env,
  });
  return startNetflow(config, db, log, {
    enforcement: 'manual',
    retention: 'manual',
    ...options,
    payments: { jobs: 'manual', ...options.payments },
  });
}

export async function startTestNetflow(
  options: StartOptions = {},
  env: Record<string, string> = {},
): Promise<{ db: Database; netflow: RunningNetflow; stop(): Promise<void> }> {
  const db = await openTestDatabase();
  const netflow = await startNetflowOn(db, options, {}, env);
  return {
    db,
    netflow,
    async stop() {
      await netflow.close();
      await db.close();
    },
  };
}
