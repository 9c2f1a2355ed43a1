// `netflow serve`: opens the database, starts the RADIUS server and the HTTP app, and runs
// until SIGINT/SIGTERM. startNetflow() is the same without the signal handling, for tests.
import type { Config } from '../config/config.js';
import { createLogger, type Logger } from '../config/logger.js';
import { openDatabase, type Database } from '../db/database.js';
import { buildHttpApp } from '../http/app.js';
import type { RadiusStats } from '../radius/server.js';
import { createDynamicClient } from '../radius/dynamic-client.js';
import { createEnforcer, type Enforcer } from '../enforce/enforcer.js';
import { coaRouterControl } from '../enforce/coa-control.js';
import { withApiFallback } from '../enforce/api-fallback-control.js';
import { apiTargetFor } from '../routers/api-credentials.js';
import { createRouterJobs, type RouterJobs } from '../routers/router-jobs.js';
import { lazySecretBox } from '../routers/secret-box.js';
import type { RetryPolicy } from '../enforce/deliver.js';
import { loadRadiusSettings } from './settings.js';
import { listenForever } from '../db/listener.js';
import { startRadius, type RunningRadius } from './radius-service.js';
import { startRadiusThread } from './radius-thread.js';
import { createMetricsRegistry } from './metrics.js';
import { checkPaymentsConfig, setupPayments, type PaymentsHandle, type PaymentsOptions } from './payments.js';
import { startRetentionJob, type RetentionJob } from './retention.js';
import { announceSetupToken, setupAdmin } from './admin.js';
import type { AdminDeps } from '../http/admin/index.js';

export interface RunningNetflow {
  authPort: number;
  acctPort: number;
  httpPort: number;
  /** The RADIUS counters, current to the last packet (read from the RADIUS thread's shared memory). */
  radiusStats(): RadiusStats;
  /** Settles only if the RADIUS thread crashed: `netflow serve` then stops. */
  radiusDied: Promise<Error>;
  enforcer: Enforcer;
  /** Router health and live-users reconciliation over the RouterOS API. */
  routerJobs: RouterJobs;
  payments: PaymentsHandle;
  /** The daily deletion of raw accounting records past their retention. */
  retention: RetentionJob;
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
  /** 'manual': the accounting retention job runs only when called (tests). */
  retention?: 'auto' | 'manual';
  /** Overrides for the admin API (tests: login limits, heartbeat). */
  admin?: Partial<AdminDeps>;
  /**
   * 'worker' (default): RADIUS runs in its own thread, out of reach of HTTP load. 'main': on the
   * main thread as before (RADIUS_THREAD=main; for comparison in bench/http-flood.ts).
   */
  radiusThread?: 'worker' | 'main';
  /** The router health/sync jobs: 'auto' on their cron schedules; default: as `enforcement`. */
  routerJobs?: 'auto' | 'manual';
  /** One RouterOS API conversation's deadline (health, sync, fallback kick). */
  apiTimeoutMs?: number;
}

export async function startNetflow(config: Config, db: Database, log: Logger, options: StartOptions = {}): Promise<RunningNetflow> {
  checkPaymentsConfig(config); // before any port opens: a refused configuration leaves nothing running
  const radiusOptions = { databaseUrl: db.url, bind: config.radiusBind, authPort: config.radiusAuthPort, acctPort: config.radiusAcctPort };
  const radius: RunningRadius & { died?: Promise<Error> } =
    options.radiusThread === 'main' ? await startRadius(radiusOptions, db, log) : await startRadiusThread(radiusOptions, log);
  try {
    return await startAroundRadius(config, db, log, options, radius);
  } catch (err) {
    await radius.close(); // e.g. the HTTP port is taken: do not leave RADIUS running
    throw err;
  }
}

async function startAroundRadius(
  config: Config,
  db: Database,
  log: Logger,
  options: StartOptions,
  radius: RunningRadius & { died?: Promise<Error> },
): Promise<RunningNetflow> {
  const ports = { authPort: radius.authPort, acctPort: radius.acctPort };
  const settings = await loadRadiusSettings(db.pool);
  const dynamicClient = await createDynamicClient({
    initialTimeoutMs: options.coaTimeoutMs,
    onBadReply: (from) => log.warn('bad CoA/Disconnect reply dropped', { from }),
  });
  // The RouterOS API key is read (or its file created) only once a router has API credentials.
  const secretBox = lazySecretBox(config.env, config.dataDir);
  const routerControl = withApiFallback(coaRouterControl(dynamicClient, options.now), {
    targetFor: async (router) => {
      const has = await db.prisma.routerApiCredential.findUnique({ where: { routerId: router.id }, select: { routerId: true } });
      return has ? apiTargetFor(db.prisma, await secretBox(), router.id) : null;
    },
    apiTimeoutMs: options.apiTimeoutMs,
    onError: (message, fields) => log.warn(message, fields),
  });
  const routerJobs = createRouterJobs({
    prisma: db.prisma,
    box: secretBox,
    log,
    expected: { authPort: config.radiusAuthPort, acctPort: config.radiusAcctPort },
    now: options.now,
    apiTimeoutMs: options.apiTimeoutMs,
  });
  // Kept: the stale scan reads interimSeconds per run, and a settings change updates it (below).
  const enforcerOptions = {
    pool: db.pool,
    databaseUrl: db.url,
    control: routerControl,
    log,
    interimSeconds: settings.interimIntervalSeconds,
    retry: options.retry,
    now: options.now,
  };
  const enforcer = createEnforcer(enforcerOptions);
  const reloadSettings = () =>
    void loadRadiusSettings(db.pool).then(
      (s) => void (enforcerOptions.interimSeconds = s.interimIntervalSeconds),
      (err: Error) => log.warn('settings reload failed', { error: err.message }),
    );
  const settingsListener = await listenForever({
    url: db.url,
    channels: ['netflow_settings'],
    onNotify: reloadSettings,
    onReconnect: reloadSettings,
    onError: (err) => log.warn('settings listener lost; reconnecting', { error: err.message }),
  });
  if (options.enforcement !== 'manual') await enforcer.start();
  if ((options.routerJobs ?? options.enforcement ?? 'auto') !== 'manual') routerJobs.start();
  const payments = setupPayments(config, db, log, options.payments);
  const admin = setupAdmin(config, db, log, options.admin);
  const http = buildHttpApp({
    pingDatabase: async () => void (await db.pool.query('SELECT 1')),
    metrics: createMetricsRegistry({
      radiusStats: () => radius.stats(),
      limiterStats: () => payments.limiterStats(),
      pool: db.pool,
      onError: (message, fields) => log.warn(message, fields),
    }),
    startedAt: new Date(),
    trustProxy: config.trustProxy,
    log,
    payments: payments.faces,
    admin: admin.deps,
  });
  let httpPort: number;
  try {
    await http.listen({ port: config.httpPort, host: config.httpBind });
    const address = http.server.address();
    httpPort = typeof address === 'object' && address ? address.port : config.httpPort;
  } catch (err) {
    // e.g. the port is taken: stop what setupPayments started (the rate limiter's sweep) and the jobs.
    await payments.close();
    admin.close();
    await routerJobs.stop();
    await settingsListener.close();
    await http.close();
    throw err;
  }
  payments.ready(httpPort);
  const retention = startRetentionJob(db.pool, log, options.retention);
  await announceSetupToken(db, log, httpPort);
  log.info('netflow started', {
    radiusAuthPort: ports.authPort,
    radiusAcctPort: ports.acctPort,
    httpPort,
    routers: radius.routers,
    radiusThread: options.radiusThread ?? 'worker',
  });
  return {
    ...ports,
    httpPort,
    radiusStats: () => radius.stats(),
    radiusDied: radius.died ?? new Promise<Error>(() => {}),
    enforcer,
    routerJobs,
    payments,
    retention,
    async close() {
      await retention.close();
      await payments.close();
      admin.close();
      await enforcer.stop();
      await routerJobs.stop();
      await settingsListener.close();
      await routerControl.close();
      await radius.close(); // stops answering, drains accounting writes, closes the router table
      await http.close();
    },
  };
}

export async function serve(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  // The embedded database is restarted if it dies (3 times in 10 minutes at most); past that,
  // serve stops with an error (exit code 1) for its supervisor to restart everything.
  let fatal: Error | null = null;
  let stopForFatal: () => void = () => {};
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    log: (line) => log.info(line),
    crashPolicy: {
      onUnrecoverable(err) {
        log.error('database lost; netflow stops', { error: err.message });
        fatal = err;
        stopForFatal();
      },
    },
  });
  let running: RunningNetflow;
  try {
    running = await startNetflow(config, db, log, { radiusThread: config.env.RADIUS_THREAD === 'main' ? 'main' : 'worker' });
  } catch (err) {
    await db.close();
    throw err;
  }
  const crashed = await new Promise<boolean>((resolve) => {
    const stop = () => resolve(false);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    stopForFatal = () => resolve(false);
    void running.radiusDied.then(() => resolve(true));
  });
  log.info('netflow stopping');
  await running.close();
  await db.close();
  if (fatal) throw fatal;
  // Without RADIUS NetFlow serves nobody: exit non-zero so that a supervisor restarts it.
  if (crashed) process.exitCode = 1;
}
