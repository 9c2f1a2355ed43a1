// The body of the RADIUS thread: its own pg pools on the same database, the RADIUS side
// (src/app/radius-service.ts), counters in the shared buffer the parent reads, log lines sent to
// the parent's logger. Messages: parent → { type: 'close' }; here → started | failed | log | closed.
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../config/logger.js';
import { openHotPathPools } from '../db/pools.js';
import { startRadius, type RunningRadius } from './radius-service.js';
import type { RadiusThreadData, ThreadMessage } from './radius-thread.js';

const data = workerData as RadiusThreadData;
const port = parentPort!;
const post = (m: ThreadMessage) => port.postMessage(m);
const at = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) =>
  post({ type: 'log', level, msg, fields });
const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };

const pools = openHotPathPools(data.options.databaseUrl, data.poolSize, (line) => log.error(line));
let radius: RunningRadius;
try {
  radius = await startRadius(data.options, pools, log, data.statsBuffer);
  post({ type: 'started', authPort: radius.authPort, acctPort: radius.acctPort, radsecPort: radius.radsecPort, routers: radius.routers });
} catch (err) {
  await pools.close();
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err), code: (err as NodeJS.ErrnoException).code });
  port.close();
}

port.on('message', async (m: { type: 'close' }) => {
  if (m.type !== 'close') return;
  try {
    await radius.close();
    await pools.close();
  } finally {
    post({ type: 'closed' });
    port.close();
  }
});
