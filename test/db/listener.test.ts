// The LISTEN connections come back after the database drops them (a PostgreSQL restart does
// exactly this): a router added afterwards is served at once, not after the minute's poll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE } from '../../src/radius/codes.js';
import { startTestNetflow } from '../support/netflow.js';
import { addRouter } from '../support/fixtures.js';
import { TestRadiusClient } from '../support/radius-client.js';

const SECRET = 'listener-secret-0123456789';

describe('LISTEN after a lost connection', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;
  beforeAll(async () => {
    env = await startTestNetflow({ enforcement: 'auto' });
  });
  afterAll(() => env.stop());

  const listeners = async () =>
    (
      await env.db.pool.query<{ pid: number; query: string }>(
        "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
      )
    ).rows;

  it('reconnects and re-LISTENs at once, and a router added after the loss is served within a second or two', async () => {
    const before = await listeners();
    // The settings listen twice: the RADIUS thread (its replies) and the main thread (the stale scan).
    const all = ['LISTEN "netflow_enforcement"', 'LISTEN "netflow_routers"', 'LISTEN "netflow_settings"', 'LISTEN "netflow_settings"'];
    expect(before.map((r) => r.query).sort()).toEqual(all);
    await env.db.pool.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid', [before.map((r) => r.pid)]);

    let after = await listeners();
    for (let i = 0; i < 50 && after.filter((r) => !before.some((b) => b.pid === r.pid)).length < all.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await listeners();
    }
    expect(
      after
        .filter((r) => !before.some((b) => b.pid === r.pid))
        .map((r) => r.query)
        .sort(),
    ).toEqual(all);

    await addRouter(env.db, { ip: '127.0.0.6', secret: SECRET });
    const client = await TestRadiusClient.open('127.0.0.6');
    try {
      let reply = null;
      for (let i = 0; i < 10 && !reply; i++) {
        reply = (
          await client.send(
            CODE.accessRequest,
            [
              ['User-Name', 'nobody'],
              ['User-Password', 'x'],
              ['Calling-Station-Id', '02:00:00:00:00:06'],
            ],
            SECRET,
            env.netflow.authPort,
          )
        ).reply;
      }
      expect(reply?.code).toBe(CODE.accessReject);
    } finally {
      client.close();
    }
  });
});
