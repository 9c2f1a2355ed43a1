// 50 poison packets a second (values the database cannot hold) beside valid traffic, against a
// real `netflow serve` process. `npm run bench:poison` measures the cost (goal: under 10 %); this
// test only guards against the collapse it replaced (each poison failed its whole batch, which
// was then retried request by request: valid throughput fell to a few per cent).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { acctJob, authJob, poisonStream, SECRET, seedBenchData } from '../../bench/hotspot-load.js';
import { runLoad } from '../../bench/load.js';
import { createTestDatabaseUrl } from '../support/db.js';
import { spawnNetflow, type ServeProcess } from '../support/spawn-netflow.js';

const REQUESTS = 2000;

describe('poison packets beside valid traffic', () => {
  let db: Database;
  let serve: ServeProcess;

  beforeAll(async () => {
    const url = await createTestDatabaseUrl();
    db = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    await seedBenchData(db);
    serve = await spawnNetflow(url);
  });
  afterAll(async () => {
    await serve?.stop();
    await db?.close();
  });

  async function measure(mode: 'pap' | 'acct', poison: boolean): Promise<{ rps: number; poisonSent: number }> {
    const stream = poison ? await poisonStream(serve.authPort, serve.acctPort, 50) : null;
    const job = mode === 'acct' ? acctJob(REQUESTS) : authJob(REQUESTS, false);
    const r = await runLoad({
      host: '127.0.0.1',
      port: mode === 'acct' ? serve.acctPort : serve.authPort,
      secret: SECRET,
      window: 32,
      job,
    });
    const poisonSent = (await stream?.stop()) ?? 0;
    expect([r.ok, r.wrong, r.timeouts]).toEqual([REQUESTS, 0, 0]);
    return { rps: r.rps, poisonSent };
  }

  it('valid authorization and accounting keep at least half their throughput; every poison packet is dropped and counted', async () => {
    await measure('pap', false); // warm-up: first logins, JIT, prepared statements
    await measure('acct', false);
    const metricsBefore = await (await fetch(`http://127.0.0.1:${serve.httpPort}/metrics`)).text();
    let poisonSent = 0;
    for (const mode of ['pap', 'acct'] as const) {
      const clean = await measure(mode, false);
      const poisoned = await measure(mode, true);
      poisonSent += poisoned.poisonSent;
      expect(poisoned.poisonSent).toBeGreaterThan(5);
      expect(poisoned.rps / clean.rps).toBeGreaterThan(0.5);
    }
    await new Promise((r) => setTimeout(r, 300));
    const metricsAfter = await (await fetch(`http://127.0.0.1:${serve.httpPort}/metrics`)).text();
    const malformedValue = (text: string) => Number(/dropped_total\{reason="malformed_value"\} (\d+)/.exec(text)![1]);
    expect(malformedValue(metricsAfter) - malformedValue(metricsBefore)).toBe(poisonSent);
  }, 120_000);
});
