// The daily retention job for raw accounting records (src/retention/accounting-records.ts). Every
// instance schedules it; the advisory lock lets one of them do the work. It runs at a quiet hour of
// the server's clock; a day missed (the server was down then) is caught up by the next run, which
// deletes everything past the limit.
import cron, { type ScheduledTask } from 'node-cron';
import type pg from 'pg';
import type { Logger } from '../config/logger.js';
import { pruneAccountingRecords, retentionDays, type RetentionResult } from '../retention/accounting-records.js';

export const RETENTION_SCHEDULE = '17 3 * * *';

export interface RetentionJob {
  /** One run now (tests call it with their own clock). */
  runNow(now?: Date): Promise<RetentionResult>;
  close(): Promise<void>;
}

/** 'manual': nothing is scheduled; runNow() runs it. */
export function startRetentionJob(pool: pg.Pool, log: Logger, mode: 'auto' | 'manual' = 'auto'): RetentionJob {
  async function runNow(now?: Date): Promise<RetentionResult> {
    const setting = await retentionDays(pool);
    if (setting.problem) log.warn('accounting retention skipped', { problem: setting.problem });
    const result = await pruneAccountingRecords(pool, { now });
    if (result.deleted) log.info('accounting records past retention deleted', { deleted: result.deleted, days: result.retentionDays });
    return result;
  }
  let task: ScheduledTask | null = null;
  if (mode === 'auto') {
    task = cron.schedule(
      RETENTION_SCHEDULE,
      async () => {
        try {
          await runNow();
        } catch (err) {
          log.error('accounting retention failed; it runs again tomorrow', { error: (err as Error).message });
        }
      },
      { noOverlap: true, name: 'netflow-accounting-retention' },
    );
  }
  return {
    runNow,
    async close() {
      await task?.destroy();
    },
  };
}
