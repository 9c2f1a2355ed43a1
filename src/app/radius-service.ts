// The RADIUS side of NetFlow on a given pair of pools: the router table (kept current by
// LISTEN/NOTIFY), the operator's settings, the handlers and the UDP server. Run in its own thread
// by `netflow serve` (src/app/radius-thread.ts), or on the caller's thread.
import type pg from 'pg';
import type { Logger } from '../config/logger.js';
import { listenForever, type Listener } from '../db/listener.js';
import { openRouterTable } from '../db/router-table.js';
import { createRadiusServer, type RadiusStats } from '../radius/server.js';
import { createRadiusHandlers } from './radius-handlers.js';
import { loadRadiusSettings } from './settings.js';
import { unknownClientLog } from './unknown-clients.js';

export interface RadiusOptions {
  databaseUrl: string;
  bind: string;
  authPort: number;
  acctPort: number;
}

export interface RunningRadius {
  authPort: number;
  acctPort: number;
  /** Active routers at start. */
  routers: number;
  stats(): RadiusStats;
  /** Stops answering, waits for accounting writes in progress (drain), closes the router table. */
  close(): Promise<void>;
}

export async function startRadius(
  options: RadiusOptions,
  pools: { pool: pg.Pool; authPool: pg.Pool },
  log: Logger,
  statsBuffer?: SharedArrayBuffer,
): Promise<RunningRadius> {
  const routers = await openRouterTable(pools.pool, options.databaseUrl, (err) => log.error('router table', { error: err.message }));
  let settingsListener: Listener | undefined;
  try {
    const settings = await loadRadiusSettings(pools.pool);
    const handlers = createRadiusHandlers({ auth: pools.authPool, accounting: pools.pool }, settings, log, routers.seen);
    // Settings changed by the admin API (on any instance) apply without a restart: a trigger on the
    // settings table NOTIFYs netflow_settings.
    const reloadSettings = () =>
      void loadRadiusSettings(pools.pool).then(handlers.applySettings, (err: Error) =>
        log.warn('settings reload failed', { error: err.message }),
      );
    settingsListener = await listenForever({
      url: options.databaseUrl,
      channels: ['netflow_settings'],
      onNotify: reloadSettings,
      onReconnect: reloadSettings,
      onError: (err) => log.warn('settings listener lost; reconnecting', { error: err.message }),
    });
    const radius = createRadiusServer({
      bind: options.bind,
      authPort: options.authPort,
      acctPort: options.acctPort,
      lookupClient: (ip) => routers.byIp(ip),
      handleAccess: handlers.handleAccess,
      handleAccounting: handlers.handleAccounting,
      onError: (message, fields) => log.error(message, fields),
      onUnknownClient: unknownClientLog(log),
      onMessageAuthenticatorSeen: (client) => {
        routers.messageAuthenticatorSeen(client.id);
        log.info('router now requires Message-Authenticator (policy auto: it sent a valid one)', { router: client.name });
      },
      statsBuffer,
    });
    const ports = await radius.start().catch(async (err) => {
      await radius.stop();
      throw err;
    });
    return {
      ...ports,
      routers: routers.all().length,
      stats: () => radius.stats(),
      async close() {
        await radius.stop();
        await handlers.drain();
        await settingsListener?.close();
        await routers.close();
      },
    };
  } catch (err) {
    await settingsListener?.close();
    await routers.close();
    throw err;
  }
}
