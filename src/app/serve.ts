// `netflow serve`: opens the database, starts the RADIUS server and the HTTP app, and runs
// until SIGINT/SIGTERM. startNetflow() is the same without the signal handling, for tests.
import type { Config } from '../config/config.js';
import { createLogger, type Logger } from '../config/logger.js';
import { openDatabase, type Database } from '../db/database.js';
import { openRouterTable } from '../db/router-table.js';
import { buildHttpApp } from '../http/app.js';
import { createRadiusServer, type RadiusStats } from '../radius/server.js';
import { createDynamicClient } from '../radius/dynamic-client.js';
import { createEnforcer, type Enforcer } from '../enforce/enforcer.js';
import type { RetryPolicy } from '../enforce/deliver.js';
import { createRadiusHandlers } from './radius-handlers.js';
import { loadRadiusSettings } from './settings.js';
import { checkPaymentsConfig, setupPayments, type PaymentsHandle, type PaymentsOptions } from './payments.js';

export interface RunningNetflow {
  authPort: number;
  acctPort: number;
  httpPort: number;
  radiusStats(): RadiusStats;
  enforcer: Enforcer;
  payments: PaymentsHandle;
  close(): Promise<void>;
}

export interface StartOptions {
  /** 'manual': the enforcer runs only when called (tests drive it with their own clock). */
  enforcement?: 'auto' | 'manual';
  /** The enforcer's clock. */
  now?: () => Date;
  retry?: RetryPolicy;
  /** Per-attempt wait for a router's CoA/Disconnect reply. */
  coaTimeoutMs?: number;
  /** The payment status job ('manual' in tests) and its clock. */
  payments?: PaymentsOptions;
}

function flatStats(s: RadiusStats): Record<string, number> {
  const flat: Record<string, number> = { received_total: s.received, replied_total: s.replied, duplicates_resent_total: s.duplicatesResent };
  for (const [reason, n] of Object.entries(s.dropped)) flat[`dropped_total{reason="${reason}"}`] = n;
  return flat;
}

export async function startNetflow(config: Config, db: Database, log: Logger, options: StartOptions = {}): Promise<RunningNetflow> {
  checkPaymentsConfig(config); // before any port opens: a refused configuration leaves nothing running
  const routers = await openRouterTable(db.pool, db.url, (err) => log.error('router table', { error: err.message }));
  const settings = await loadRadiusSettings(db.pool);
  const handlers = createRadiusHandlers({ auth: db.authPool, accounting: db.pool }, settings, log, routers.seen);
  const radius = createRadiusServer({
    bind: config.radiusBind,
    authPort: config.radiusAuthPort,
    acctPort: config.radiusAcctPort,
    lookupClient: (ip) => routers.byIp(ip),
    handleAccess: handlers.handleAccess,
    handleAccounting: handlers.handleAccounting,
    onError: (message, fields) => log.error(message, fields),
    onMessageAuthenticatorSeen: (client) => {
      routers.messageAuthenticatorSeen(client.id);
      log.info('router now requires Message-Authenticator (policy auto: it sent a valid one)', { router: client.name });
    },
  });
  const ports = await radius.start();
  const dynamicClient = await createDynamicClient({
    initialTimeoutMs: options.coaTimeoutMs,
    onBadReply: (from) => log.warn('bad CoA/Disconnect reply dropped', { from }),
  });
  const enforcer = createEnforcer({
    pool: db.pool,
    databaseUrl: db.url,
    client: dynamicClient,
    log,
    interimSeconds: settings.interimIntervalSeconds,
    retry: options.retry,
    now: options.now,
  });
  if (options.enforcement !== 'manual') await enforcer.start();
  const http = buildHttpApp({
    pingDatabase: async () => void (await db.pool.query('SELECT 1')),
    radiusStats: () => flatStats(radius.stats()),
    startedAt: new Date(),
    trustProxy: config.trustProxy,
  });
  const payments = setupPayments(http, config, db, log, options.payments);
  await http.listen({ port: config.httpPort, host: config.httpBind });
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : config.httpPort;
  payments.ready(httpPort);
  log.info('netflow started', { radiusAuthPort: ports.authPort, radiusAcctPort: ports.acctPort, httpPort, routers: routers.all().length });
  return {
    ...ports,
    httpPort,
    radiusStats: () => radius.stats(),
    enforcer,
    payments,
    async close() {
      await payments.close();
      await enforcer.stop();
      await dynamicClient.close();
      await radius.stop();
      await handlers.drain();
      await http.close();
      await routers.close();
    },
  };
}

export async function serve(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (line) => log.info(line) });
  let running: RunningNetflow;
  try {
    running = await startNetflow(config, db, log);
  } catch (err) {
    await db.close();
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('netflow stopping');
  await running.close();
  await db.close();
}
