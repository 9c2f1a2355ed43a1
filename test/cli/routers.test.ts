// `netflow router add|list` against a real database: validation, duplicates, masking, audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { cliWithDatabase, expectOneLineError, type RunCli } from './run-cli.js';

const SECRET = 'Xq7-long-random-secret-9z';

describe('netflow router', () => {
  let cli: RunCli;
  let db: Database;

  beforeAll(async () => {
    ({ cli, db } = await cliWithDatabase());
  });
  afterAll(() => db.close());

  it('adds a router and lists it with the secret masked', async () => {
    const add = await cli(
      'router',
      'add',
      '--name',
      'hq',
      '--ip',
      '10.1.0.1',
      '--secret',
      SECRET,
      '--require-message-authenticator',
      'yes',
      '--location',
      'Main office',
      '--coa-port',
      '3800',
    );
    expect(add).toMatchObject({ code: 0, stderr: '' });
    expect(add.stdout).toMatch(/router "hq" added/);
    const row = await db.prisma.router.findUniqueOrThrow({ where: { name: 'hq' } });
    expect(row).toMatchObject({
      ip: '10.1.0.1',
      secret: SECRET,
      location: 'Main office',
      messageAuthenticator: 'yes',
      acceptsTestMoney: false,
      coaPort: 3800,
      status: 'active',
    });

    await db.prisma.router.update({ where: { id: row.id }, data: { lastSeenAt: new Date(2026, 0, 31, 14, 5, 9) } });
    const list = await cli('router', 'list');
    expect(list.code).toBe(0);
    const [header, line] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+IP\s+SECRET\s+STATUS\s+LAST SEEN\s+REQUIRE-MA\s+TEST MONEY\s+COA PORT\s+API\s+LOCATION$/);
    expect(line).toMatch(/hq\s+10\.1\.0\.1\s+Xq…9z\s+active\s+2026-01-31 14:05:09\s+yes\s+no\s+3800\s+-\s+Main office/);
    // Columns line up: each value starts where its header does.
    expect(line.indexOf('10.1.0.1')).toBe(header.indexOf('IP'));

    for (const out of [add.stdout, list.stdout, (await cli('router', 'list', '--json')).stdout]) expect(out).not.toContain(SECRET);
  });

  it('gives JSON with --json, secret masked', async () => {
    const r = await cli('router', 'list', '--json');
    expect(r.code).toBe(0);
    const routers = JSON.parse(r.stdout);
    expect(routers).toEqual([
      expect.objectContaining({
        name: 'hq',
        ip: '10.1.0.1',
        secretMasked: 'Xq…9z',
        status: 'active',
        requireMessageAuthenticator: 'yes',
        messageAuthenticatorRequired: true,
        acceptsTestMoney: false,
        coaPort: 3800,
        lastSeenAt: expect.any(String),
      }),
    ]);
    expect(routers[0]).not.toHaveProperty('secret');
    const added = JSON.parse((await cli('router', 'add', '--name', 'j', '--ip', '10.1.0.9', '--secret', SECRET, '--json')).stdout);
    expect(added).toMatchObject({
      name: 'j',
      coaPort: 3799,
      requireMessageAuthenticator: 'auto',
      messageAuthenticatorRequired: false,
      acceptsTestMoney: false,
      lastSeenAt: null,
    });
  });

  it('stores IPv6 addresses in the canonical form packets arrive from', async () => {
    expect((await cli('router', 'add', '--name', 'v6', '--ip', 'FD00:0:0::0A', '--secret', SECRET)).code).toBe(0);
    expect((await db.prisma.router.findUniqueOrThrow({ where: { name: 'v6' } })).ip).toBe('fd00::a');
    expect((await cli('router', 'add', '--name', 'mapped', '--ip', '::ffff:10.1.0.77', '--secret', SECRET)).code).toBe(0);
    expect((await db.prisma.router.findUniqueOrThrow({ where: { name: 'mapped' } })).ip).toBe('10.1.0.77');
  });

  it('refuses a duplicate name or IP, saying which, with exit code 3 (conflict with existing data)', async () => {
    expect(expectOneLineError(await cli('router', 'add', '--name', 'hq', '--ip', '10.1.0.2', '--secret', SECRET), 3)).toBe(
      'netflow: a router named "hq" already exists',
    );
    expect(expectOneLineError(await cli('router', 'add', '--name', 'hq2', '--ip', '10.1.0.1', '--secret', SECRET), 3)).toBe(
      'netflow: a router with IP 10.1.0.1 is already registered',
    );
    // The same address written differently is still the same router.
    expect(expectOneLineError(await cli('router', 'add', '--name', 'v6b', '--ip', 'fd00::0:a', '--secret', SECRET), 3)).toMatch(
      /IP fd00::a is already/,
    );
  });

  it('refuses bad IPs, weak secrets and bad ports with one line naming the flag', async () => {
    const add = (...extra: string[]) => cli('router', 'add', '--name', 'bad', ...extra);
    expect(expectOneLineError(await add('--ip', '10.1.0.256', '--secret', SECRET))).toBe('netflow: --ip must be an IPv4 or IPv6 address');
    expect(expectOneLineError(await add('--ip', 'router.local', '--secret', SECRET))).toBe('netflow: --ip must be an IPv4 or IPv6 address');
    expect(expectOneLineError(await add('--ip', '10.1.0.5', '--secret', 'short-secret'))).toBe(
      'netflow: --secret must be at least 16 characters (BlastRADIUS guidance: use a long random secret)',
    );
    expect(expectOneLineError(await add('--ip', '10.1.0.5', '--secret', 'has a space in it ok'))).toBe(
      'netflow: --secret must be printable ASCII without spaces',
    );
    expect(expectOneLineError(await add('--ip', '10.1.0.5', '--secret', 'ünïcödé-sëcrët-123'))).toMatch(/printable ASCII/);
    expect(expectOneLineError(await add('--ip', '10.1.0.5', '--secret', SECRET, '--coa-port', '70000'))).toBe(
      'netflow: --coa-port must be a whole number from 1 to 65535',
    );
    expect(expectOneLineError(await add('--ip', '10.1.0.5', '--secret', SECRET, '--coa-port', 'x'))).toMatch(
      /^netflow: --coa-port must be/,
    );
    expect(expectOneLineError(await add('--ip', '10.1.0.5'))).toBe('netflow: --secret is required (see: netflow router add --help)');
    expect(await db.prisma.router.count({ where: { name: 'bad' } })).toBe(0);
  });

  it('takes yes|no|auto for --require-message-authenticator (auto by default) and --test; router change alters both, audited', async () => {
    expect(
      expectOneLineError(
        await cli('router', 'add', '--name', 'm', '--ip', '10.1.0.20', '--secret', SECRET, '--require-message-authenticator', 'maybe'),
      ),
    ).toBe('netflow: --require-message-authenticator must be yes, no or auto');
    const t = JSON.parse(
      (
        await cli(
          'router',
          'add',
          '--name',
          'lab',
          '--ip',
          '10.1.0.21',
          '--secret',
          SECRET,
          '--test',
          '--require-message-authenticator',
          'no',
          '--json',
        )
      ).stdout,
    );
    expect(t).toMatchObject({ requireMessageAuthenticator: 'no', messageAuthenticatorRequired: false, acceptsTestMoney: true });

    // auto, once the router has signed: shown as required; setting auto again starts over.
    await db.prisma.router.update({ where: { name: 'j' }, data: { messageAuthenticatorSeenAt: new Date() } });
    expect((await cli('router', 'list')).stdout).toMatch(/\bj\s+10\.1\.0\.9\s+\S+\s+active\s+-\s+auto \(required\)\s+no\s+3799/);
    const reset = await cli('router', 'change', 'j', '--require-message-authenticator', 'auto', '--test', 'yes');
    expect(reset).toMatchObject({ code: 0, stdout: 'router "j": Message-Authenticator auto (not yet), test money yes\n' });
    expect(await db.prisma.router.findUniqueOrThrow({ where: { name: 'j' } })).toMatchObject({
      messageAuthenticatorSeenAt: null,
      acceptsTestMoney: true,
    });
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'router.change', subject: 'j' } });
    expect(audit.details).toEqual({
      before: { requireMessageAuthenticator: 'auto', acceptsTestMoney: false },
      after: { requireMessageAuthenticator: 'auto', acceptsTestMoney: true },
    });

    expect(expectOneLineError(await cli('router', 'change', 'j'))).toMatch(/^netflow: nothing to change/);
    expect(expectOneLineError(await cli('router', 'change', 'j', '--test', 'maybe'))).toBe('netflow: --test must be yes or no');
    expect(expectOneLineError(await cli('router', 'change', 'nope', '--test', 'no'))).toBe(
      'netflow: no router named "nope" (see: netflow router list)',
    );
    await cli('router', 'change', 'j', '--test', 'no');
  });

  it('records each added router in the audit log, without the secret', async () => {
    const rows = await db.prisma.auditLog.findMany({ where: { action: 'router.add' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.actor, r.subject])).toEqual([
      ['cli', 'hq'],
      ['cli', 'j'],
      ['cli', 'v6'],
      ['cli', 'mapped'],
      ['cli', 'lab'],
    ]);
    expect(rows[0].details).toMatchObject({ ip: '10.1.0.1', requireMessageAuthenticator: 'yes', acceptsTestMoney: false, coaPort: 3800 });
    expect(JSON.stringify(rows.map((r) => r.details))).not.toContain(SECRET);
  });
});
