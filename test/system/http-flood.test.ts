// A short, bounded version of `npm run bench:http-flood` against the real `netflow serve`: a flood
// of the portal that changes `mac` on every request must cost RADIUS no more than one with a fixed
// `mac` (it once grew the rate limiter by a key per request and starved RADIUS), and the limiter
// must stay within its bounds. Only collapse is guarded here; speed is the benchmark's business.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { authLoad, floodRouter, limiterMetrics, seedFloodData, startFlood } from '../../bench/http-flood-lib.js';
import { createTestDatabaseUrl } from '../support/db.js';
import { spawnNetflow, type ServeProcess } from '../support/spawn-netflow.js';

const USERS = 200;
const SECONDS = 2.5;

describe('an HTTP flood of the portal', () => {
  let db: Database;
  let server: ServeProcess;

  beforeAll(async () => {
    const url = await createTestDatabaseUrl();
    db = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    await seedFloodData(db.pool, USERS);
    server = await spawnNetflow(url);
    await authLoad(server.authPort, USERS, 1); // first logins
    const warm = startFlood({ httpPort: server.httpPort, router: floodRouter(1), rotateMac: true, connections: 8 });
    await new Promise((r) => setTimeout(r, 1000));
    await warm.stop();
    await db.pool.query('ANALYZE');
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  async function during(router: string, rotateMac: boolean) {
    // The flood's key (router + address) starts at its limit, where an attacker is within seconds
    // (the benchmark floods from a fresh key, whose first 300 tries reach the database).
    await db.pool.query(
      "INSERT INTO portal_rate_limits (key, count, window_end) SELECT 'redeem:' || id || ':127.0.0.1', 300, now() + interval '10 minutes' FROM routers WHERE name = $1",
      [router],
    );
    const flood = startFlood({ httpPort: server.httpPort, router, rotateMac, connections: 8 });
    await new Promise((r) => setTimeout(r, 300));
    const auth = await authLoad(server.authPort, USERS, SECONDS);
    return { auth, flood: await flood.stop() };
  }

  it('rotating mac costs RADIUS no more than a fixed mac, and the limiter stays bounded', async () => {
    const fixed = await during(floodRouter(2), false);
    const rotating = await during(floodRouter(3), true);
    for (const { auth, flood } of [fixed, rotating]) {
      expect(auth.timeouts).toBe(0);
      expect(auth.wrong).toBe(0);
      expect(flood.statuses['429']).toBeGreaterThan(0); // the flood ran into the limit
    }
    expect(rotating.auth.rps).toBeGreaterThanOrEqual(0.5 * fixed.auth.rps);
    const limiter = await limiterMetrics(server.httpPort);
    expect(limiter.cached_keys).toBeLessThanOrEqual(limiter.cached_keys_cap);
    expect(limiter.cached_keys).toBeLessThanOrEqual(3); // one per router flooded: warm-up, fixed, rotating
    const rows = (await db.pool.query('SELECT key FROM portal_rate_limits')).rows.map((r) => r.key as string);
    expect(rows.length).toBeLessThanOrEqual(3);
    expect(rows.every((k) => /^redeem:\d+:127\.0\.0\.1$/.test(k))).toBe(true);
  });
});
