// Runs the RADIUS side in a thread of its own (node:worker_threads), so that nothing on the main
// thread — an HTTP flood, a slow admin query, a burst of Prisma work — can delay a RADIUS reply:
// the thread has its own event loop, its own pg pools and its own router table (LISTEN/NOTIFY).
// Its counters are a SharedArrayBuffer the main thread reads as they change (/metrics, tests);
// its log lines come back by message to the main thread's logger.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../config/logger.js';
import { RADIUS_STATS_BYTES, readRadiusStats } from '../radius/server.js';
import type { RadiusOptions, RunningRadius } from './radius-service.js';

export interface RadiusThreadData {
  options: RadiusOptions;
  poolSize: number;
  statsBuffer: SharedArrayBuffer;
  /** The module that is the thread's body (radius-worker.ts, or .js when built). */
  body: string;
}

export type ThreadMessage =
  | { type: 'started'; authPort: number; acctPort: number; radsecPort: number | null; routers: number }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }
  | { type: 'closed' };

export interface RadiusThread extends RunningRadius {
  /** Settles only if the thread ends without being closed (a crash): NetFlow cannot serve without it. */
  died: Promise<Error>;
}

export async function startRadiusThread(options: RadiusOptions, log: Logger, poolSize = 10): Promise<RadiusThread> {
  const statsBuffer = new SharedArrayBuffer(RADIUS_STATS_BYTES);
  // Built (dist/app/radius-thread.js): the thread runs dist/app/radius-worker.js, plain
  // JavaScript. From source (tsx, vitest): radius-worker.mjs registers tsx in the thread first.
  const built = import.meta.url.endsWith('.js');
  const body = new URL(built ? './radius-worker.js' : './radius-worker.ts', import.meta.url);
  const data: RadiusThreadData = { options, poolSize, statsBuffer, body: body.href };
  const worker = new Worker(built ? body : new URL('./radius-worker.mjs', import.meta.url), { workerData: data, name: 'netflow-radius' });
  let closing = false;
  let lastError: Error | undefined;
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const closed = new Promise<void>((resolve) => {
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'log') log[m.level](m.msg, m.fields);
      else if (m.type === 'closed') resolve();
    });
  });
  worker.on('error', (err) => {
    lastError = err;
    log.error('RADIUS thread failed', { error: err.message, stack: err.stack });
  });
  const died = exited.then((code) => lastError ?? new Error(`RADIUS thread exited (code ${code})`));
  died.then(
    (err) => {
      if (!closing) log.error('RADIUS thread stopped', { error: err.message });
    },
    () => {},
  );

  const started = await new Promise<Extract<ThreadMessage, { type: 'started' }>>((resolve, reject) => {
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'started') resolve(m);
      else if (m.type === 'failed') reject(Object.assign(new Error(m.message), { code: m.code }));
    });
    void died.then(reject);
  }).catch(async (err) => {
    closing = true;
    await exited;
    throw err;
  });

  return {
    authPort: started.authPort,
    acctPort: started.acctPort,
    radsecPort: started.radsecPort,
    routers: started.routers,
    stats: () => readRadiusStats(statsBuffer),
    died: died.then((err) => (closing ? new Promise<Error>(() => {}) : err)),
    async close() {
      if (closing) return;
      closing = true;
      worker.postMessage({ type: 'close' });
      // The thread drains accounting writes in progress before it says so; a thread that hangs
      // is ended after 15 s.
      const timer = setTimeout(() => void worker.terminate(), 15_000);
      await Promise.race([closed, exited]);
      await exited;
      clearTimeout(timer);
    },
  };
}
