// The per-packet statements keep keyed lookups whatever the statistics were when their plan was made.
// Their generic plans are made once per connection and kept until statistics change: made on a
// new install's empty tables, they must not keep a scan of a table that grows afterwards.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountingWriter, type AccountingEvent } from '../../src/aaa/accounting.js';
import { createAuthorizer } from '../../src/aaa/authorize.js';
import type { AccessRequest } from '../../src/aaa/types.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createTestDatabaseUrl } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';

const GROWN_TABLES = ['accounting_sessions', 'entitlement_devices', 'entitlements'];

describe('plans of the per-packet statements', () => {
  let db: Database;
  let explained: pg.Pool;
  const plans: string[] = [];
  let routerId: number;

  beforeAll(async () => {
    const url = await createTestDatabaseUrl();
    db = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    // One connection whose every statement, nested ones included, reports its plan to us.
    explained = new pg.Pool({
      connectionString: url,
      max: 1,
      options:
        '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_nested_statements=on ' +
        '-c auto_explain.log_analyze=on -c auto_explain.log_timing=off -c client_min_messages=log',
    });
    explained.on('connect', (client) => client.on('notice', (msg) => plans.push(msg.message ?? '')));
    routerId = (await addRouter(db)).id;
    // Statistics of empty tables, as on a new install, and none taken again during the test.
    for (const table of GROWN_TABLES) await db.pool.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    await db.pool.query(`VACUUM ANALYZE ${GROWN_TABLES.join(', ')}`);
  });
  afterAll(async () => {
    await explained.end();
    await db.close();
  });

  it('accounting and authorization still look rows up by key after their tables grew from empty', async () => {
    const pkg = await addPackage(db, { devicesAllowed: 2 });
    const code = await addEntitlement(db, pkg.id, { code: 'PLAN1', password: 'pw' });
    const writer = createAccountingWriter(explained, { onlineSeconds: 900 });
    const { authorize } = createAuthorizer(explained, { holdSeconds: 120 });
    const login = (mac: string): AccessRequest => ({
      routerId,
      userName: code.code,
      credential: { kind: 'pap', password: 'pw' },
      mac,
      userNameAsMac: null,
      now: new Date(),
    });
    const record = (sessionId: string, statusType: number, mac: string, bytes: bigint | null): AccountingEvent => ({
      routerId,
      statusType,
      sessionId,
      userName: code.code,
      mac,
      framedIp: '10.5.50.10',
      nasPortId: 'bridge',
      sessionTime: bytes === null ? null : 60,
      bytesUp: bytes,
      bytesDown: bytes,
      terminateCause: null,
      delaySeconds: 0,
      eventTimestamp: null,
      receivedAt: new Date(),
      entitlementHint: null,
      attributesRaw: Buffer.from([40, 6, 0, 0, 0, statusType]),
    });

    // First calls: the generic plans are made now, on empty statistics.
    expect((await authorize(login('02:00:00:00:00:01'))).accept).toBe(true);
    await writer.record(record('s1', 1, '02:00:00:00:00:01', null));

    // The tables grow as a busy hotspot's do.
    await db.pool.query(
      `INSERT INTO entitlements (code, password, package_id, source, updated_at)
       SELECT 'GROW' || i, 'x', $1, 'voucher', now() FROM generate_series(1, 3000) i`,
      [pkg.id],
    );
    await db.pool.query(
      `INSERT INTO entitlement_devices (entitlement_id, mac, router_id, first_seen_at, last_seen_at)
       SELECT e.id, '02:11:00:00:' || lpad(to_hex(e.id / 256 % 256), 2, '0') || ':' || lpad(to_hex(e.id % 256), 2, '0'), $1, now(), now()
       FROM entitlements e WHERE e.code LIKE 'GROW%'`,
      [routerId],
    );
    await db.pool.query(
      `INSERT INTO accounting_sessions (router_id, acct_session_id, user_name, mac, status, started_at, updated_at)
       SELECT $1, 'grow' || i, 'GROW' || i, '02:11:00:00:00:00', CASE WHEN i % 2 = 0 THEN 'open' ELSE 'closed' END::"AccountingSessionStatus", now(), now()
       FROM generate_series(1, 3000) i`,
      [routerId],
    );

    plans.length = 0;
    expect((await authorize(login('02:00:00:00:00:02'))).accept).toBe(true);
    const macLogin = (mac: string): AccessRequest => ({
      ...login(mac),
      userName: mac,
      userNameAsMac: mac,
      credential: { kind: 'pap', password: '' },
    });
    expect((await authorize(macLogin('02:00:00:00:00:01'))).accept).toBe(true);
    await writer.record(record('s1', 3, '02:00:00:00:00:01', 1000n));
    await writer.record(record('s2', 1, '02:00:00:00:00:02', null)); // a Start: the Lost-Stop lookup runs

    const text = plans.join('\n');
    // The plans were seen, with row counts (the test cannot pass on an empty or count-less log) …
    expect(text).toMatch(/Update on accounting_sessions/);
    expect(text).toMatch(/Index Scan using entitlement_devices_mac_idx on entitlement_devices/);
    expect(text).toMatch(/actual rows=/);
    // … and none of them reads many rows of a grown table, by any kind of scan.
    const lines = text.split('\n');
    const heavy = lines.filter((line, i) => {
      const scan = /Scan.* on (\w+)/.exec(line);
      const counts = /actual rows=([\d.]+) loops=(\d+)/.exec(line);
      const removed = /Rows Removed by (?:Join )?Filter: (\d+)/.exec(line);
      if (removed) return Number(removed[1]) > 50 && GROWN_TABLES.some((t) => new RegExp(` on ${t}\\b`).test(lines[i - 1] ?? ''));
      return scan && GROWN_TABLES.includes(scan[1]) && counts && Number(counts[1]) * Number(counts[2]) > 50;
    });
    expect(heavy).toEqual([]);
    for (const table of GROWN_TABLES) expect(text).not.toMatch(new RegExp(`Seq Scan on ${table}\\b`));
  });
});
