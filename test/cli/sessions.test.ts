// `netflow session list [--active]`: accounting sessions with their router and code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { cliWithDatabase, expectOneLineError, type RunCli } from './run-cli.js';

describe('netflow session list', () => {
  let cli: RunCli;
  let db: Database;

  beforeAll(async () => {
    ({ cli, db } = await cliWithDatabase());
  });
  afterAll(() => db.close());

  it('says so when there are none', async () => {
    expect(await cli('session', 'list')).toEqual({ code: 0, stdout: 'no sessions\n', stderr: '' });
    expect(JSON.parse((await cli('session', 'list', '--active', '--json')).stdout)).toEqual([]);
  });

  it('lists sessions newest first with router name and entitlement code; --active keeps open ones', async () => {
    const router = await addRouter(db, { name: 'hq', ip: '10.2.0.1' });
    const pkg = await addPackage(db);
    const e = await addEntitlement(db, pkg.id, { code: 'GUEST1' });
    const t = Date.now();
    const base = { routerId: router.id, updatedAt: new Date(t) };
    await db.prisma.accountingSession.create({
      data: {
        ...base,
        acctSessionId: 's1',
        userName: 'GUEST1',
        entitlementId: e.id,
        status: 'closed',
        startedAt: new Date(t - 7_200_000),
        stoppedAt: new Date(t - 3_600_000),
        sessionTime: 3600,
        bytesUp: 5_000_000n,
        bytesDown: 6_000_000_000n,
        terminateCause: 'User-Request',
      },
    });
    await db.prisma.accountingSession.create({
      data: {
        ...base,
        acctSessionId: 's2',
        userName: 'GUEST1',
        entitlementId: e.id,
        mac: 'AA:BB:CC:00:00:01',
        framedIp: '10.5.50.10',
        startedAt: new Date(t - 250_000),
        sessionTime: 250,
        bytesUp: 1234n,
        bytesDown: 2n ** 60n,
      },
    });
    await db.prisma.accountingSession.create({
      data: { ...base, acctSessionId: 's3', userName: 'stranger', startedAt: new Date(t - 60_000), status: 'stale' },
    });

    const all = JSON.parse((await cli('session', 'list', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(all.map((s) => [s.router, s.code, s.userName, s.status])).toEqual([
      ['hq', null, 'stranger', 'stale'],
      ['hq', 'GUEST1', 'GUEST1', 'open'],
      ['hq', 'GUEST1', 'GUEST1', 'closed'],
    ]);
    // 2^60 bytes survives JSON as a string.
    expect(all[1]).toMatchObject({
      mac: 'AA:BB:CC:00:00:01',
      framedIp: '10.5.50.10',
      sessionTime: 250,
      bytesUp: '1234',
      bytesDown: String(2n ** 60n),
    });

    const active = JSON.parse((await cli('session', 'list', '--active', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(active.map((s) => s.status)).toEqual(['open']);

    const text = (await cli('session', 'list')).stdout.trimEnd().split('\n');
    expect(text[0]).toMatch(/^ID\s+ROUTER\s+CODE\s+MAC\s+IP\s+STATUS\s+STARTED\s+TIME\s+UP\s+DOWN$/);
    expect(text[1]).toMatch(/hq\s+\(stranger\)\s+-\s+-\s+stale/);
    expect(text[2]).toMatch(/hq\s+GUEST1\s+AA:BB:CC:00:00:01\s+10\.5\.50\.10\s+open\s+\S+ \S+\s+4m10s\s+1\.2 kB\s+1152921\.5 TB$/);
    expect(text[3]).toMatch(/closed\s+\S+ \S+\s+1h00m\s+5\.0 MB\s+6\.0 GB$/);
  });

  it('names the positional ID, not a --id flag, when the id is not a number', async () => {
    expect(expectOneLineError(await cli('session', 'end', 'abc'))).toBe(
      'netflow: ID must be a session number (see `netflow session list`)',
    );
    expect(expectOneLineError(await cli('session', 'change-package', 'abc', '--package', 'x'))).toBe(
      'netflow: ID must be a session number (see `netflow session list`)',
    );
  });
});
