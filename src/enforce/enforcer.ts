// Session enforcement: every minute (node-cron) find sessions that must end and queue a
// Disconnect-Request; deliver queued requests as soon as they are queued (LISTEN) and again when
// retries fall due (poll). Safe with several NetFlow instances on one database: queuing is
// deduplicated by a unique index and delivery is claimed with SKIP LOCKED leases.
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type pg from 'pg';
import type { Logger } from '../config/logger.js';
import { DEFAULT_RETRY, deliver, type RetryPolicy } from './deliver.js';
import { claimDue, complete } from './queue.js';
import { scanSessions, type ScanResult } from './scan.js';
import type { RouterControl } from './router-control.js';
import { listenForever, type Listener } from '../db/listener.js';

export interface EnforcerOptions {
  pool: pg.Pool;
  /** For LISTEN: a dedicated connection. Omit to rely on polling only. */
  databaseUrl?: string;
  /** How routers are told (today RFC 5176 CoA, see coa-control.ts). The enforcer does not close it. */
  control: RouterControl;
  log: Logger;
  interimSeconds: number;
  retry?: RetryPolicy;
  /** The clock; tests move it instead of waiting. */
  now?: () => Date;
  /** Names this instance in leases (locked_by). */
  instance?: string;
  /** How often due retries are looked for. */
  pollMs?: number;
  /** When the scan runs (cron syntax). */
  schedule?: string;
}

export interface Enforcer {
  /** One pass of the periodic job: queue overdue and duplicate sessions, mark stale ones. */
  scan(): Promise<ScanResult>;
  /** Delivers every due action once; resolves with how many were handled. */
  deliverDue(): Promise<number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const BATCH = 32;

export function createEnforcer(options: EnforcerOptions): Enforcer {
  const now = options.now ?? (() => new Date());
  const retry = options.retry ?? DEFAULT_RETRY;
  const instance = options.instance ?? `${hostname()}:${process.pid}`;
  const log = options.log;
  // A lease must outlast one attempt (all its transmissions, see dynamic-client).
  const leaseSeconds = 60;
  let task: ScheduledTask | null = null;
  let listener: Listener | null = null;
  let poller: NodeJS.Timeout | null = null;
  let delivering: Promise<number> | null = null;
  let wanted = false;
  let stopped = false;

  async function deliverOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const actions = await claimDue(options.pool, instance, now(), leaseSeconds, BATCH);
      if (actions.length === 0) return handled;
      await Promise.all(
        actions.map(async (action) => {
          const outcome = await deliver(options.control, action, retry, now);
          await complete(options.pool, action, outcome, now());
          const fields = {
            action: String(action.id),
            kind: action.kind,
            reason: action.reason,
            session: String(action.session_id),
            router: action.router_name,
            attempt: action.attempts,
          };
          if (outcome.status === 'retry' || outcome.status === 'failed')
            log.warn(`${action.kind} ${outcome.status}`, { ...fields, error: outcome.error });
          else
            log.info(`${action.kind} ${outcome.status}`, {
              ...fields,
              ...(outcome.status === 'nakked' ? { errorCause: outcome.errorCause } : {}),
            });
        }),
      );
      handled += actions.length;
    }
  }

  /** One delivery pass at a time per instance; a wake-up during a pass runs one more. */
  function deliverDue(): Promise<number> {
    if (delivering) {
      wanted = true;
      return delivering;
    }
    delivering = deliverOnce().finally(() => {
      delivering = null;
      if (wanted && !stopped) {
        wanted = false;
        void deliverDue().catch((err: Error) => log.error('enforcement delivery failed', { error: err.message }));
      }
    });
    return delivering;
  }

  const kick = () => void deliverDue().catch((err: Error) => log.error('enforcement delivery failed', { error: err.message }));

  async function scan(): Promise<ScanResult> {
    const result = await scanSessions(options.pool, now(), options.interimSeconds);
    for (const q of result.queued) log.info('disconnect queued', { session: String(q.sessionId), reason: q.reason });
    if (result.stale.length > 0) log.info('sessions marked stale', { count: result.stale.length });
    return result;
  }

  return {
    scan,
    deliverDue,
    async start() {
      task = cron.schedule(
        options.schedule ?? '* * * * *',
        async () => {
          try {
            const result = await scan();
            if (result.queued.length > 0) kick();
          } catch (err) {
            log.error('enforcement scan failed', { error: (err as Error).message });
          }
        },
        { noOverlap: true, name: 'netflow-enforcement' },
      );
      if (options.databaseUrl) {
        // Reconnects after a PostgreSQL restart; the 5-second poll covers the gap.
        listener = await listenForever({
          url: options.databaseUrl,
          channels: ['netflow_enforcement'],
          onNotify: kick,
          onReconnect: kick,
          onError: (err) => log.warn('enforcement listener lost; reconnecting (polling meanwhile)', { error: err.message }),
        });
      }
      poller = setInterval(kick, options.pollMs ?? 5000);
      kick();
    },
    async stop() {
      stopped = true;
      if (poller) clearInterval(poller);
      await task?.destroy();
      await listener?.close();
      await delivering?.catch(() => 0);
    },
  };
}
