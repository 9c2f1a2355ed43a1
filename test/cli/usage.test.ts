// The command line itself: help, unknown commands and flags, config and database failures, all
// as one line on stderr with exit code 2 (usage) or 1 (environment), and never a stack trace.
import { describe, expect, it } from 'vitest';
import { cliFor, expectOneLineError } from './run-cli.js';

// Nothing listens on port 1: any command that reached the database would fail with exit 1,
// so exit 2 below also proves that bad input is refused before the database is opened.
const cli = cliFor({ DATABASE_URL: 'postgresql://nobody:x@127.0.0.1:1/none' });

describe('netflow usage', () => {
  it('prints help for help, --help and -h, and per command', async () => {
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: netflow <command> \[options\]/);
      for (const command of [
        'serve',
        'router add',
        'router list',
        'package add',
        'package list',
        'voucher create',
        'voucher list',
        'session list',
        'admin create',
        'payment list',
        'payment revenue',
      ]) {
        expect(r.stdout).toContain(`  ${command} `);
      }
    }
    const group = await cli('router', '--help');
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^usage: netflow router add --name NAME[\s\S]*\nusage: netflow router list \[--json\]\n/);
    const r = await cli('voucher', 'create', '--help');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(
      /^usage: netflow voucher create --package NAME --count N \[--prefix P\] \[--length L\] \[--valid-days D\] \[--json\]\n/,
    );
  });

  it('refuses unknown commands and options with one line and exit 2', async () => {
    expect(expectOneLineError(await cli())).toBe('netflow: missing command (see: netflow help)');
    expect(expectOneLineError(await cli('launch'))).toBe('netflow: unknown command "launch" (see: netflow help)');
    expect(expectOneLineError(await cli('router'))).toBe(
      'netflow: "netflow router" needs a subcommand: add, change, list, api, status, sync',
    );
    expect(expectOneLineError(await cli('router', 'delete'))).toBe('netflow: unknown command "router delete" (see: netflow help)');
    expect(expectOneLineError(await cli('router', 'list', '--all'))).toBe(
      'netflow: unknown option --all for "netflow router list" (see: netflow router list --help)',
    );
    expect(expectOneLineError(await cli('router', 'list', 'extra'))).toBe('netflow: unexpected argument "extra" for "netflow router list"');
    expect(expectOneLineError(await cli('session', 'list', '--active=yes'))).toBe('netflow: --active takes no value');
    expect(expectOneLineError(await cli('router', 'add', '--name'))).toBe('netflow: --name needs a value');
    expect(expectOneLineError(await cli('router', 'add', '--name', '--ip', '10.0.0.1'))).toBe('netflow: --name needs a value');
    expect(expectOneLineError(await cli('router', 'add', '--name', 'a', '--name', 'b'))).toBe('netflow: --name is given twice');
    expect(expectOneLineError(await cli('serve', '--verbose'))).toBe(
      'netflow: unknown option --verbose for "netflow serve" (see: netflow serve --help)',
    );
  });

  it('accepts --flag=value, including values that start with a dash', async () => {
    const r = await cli('router', 'add', '--name=a', '--ip=10.0.0.1', '--secret=-starts-with-a-dash');
    // Valid input: it gets as far as the (unreachable) database.
    expect(expectOneLineError(r, 1)).toMatch(/^netflow: cannot open the database: /);
  });

  it('reports configuration and database problems with one line and exit 1', async () => {
    expect(expectOneLineError(await cliFor({ DATABASE_URL: 'mysql://x' })('router', 'list'), 1)).toBe(
      'netflow: DATABASE_URL must start with postgresql:// (leave it unset to use the embedded database)',
    );
    expect(expectOneLineError(await cli('router', 'list'), 1)).toMatch(
      /^netflow: cannot open the database: Can't reach database server at `127\.0\.0\.1:1`/,
    );
    // Every setting serve reads is checked before anything starts (serve --json: the flag is taken).
    const bad: Array<[Record<string, string>, string]> = [
      [{ PORT: 'http' }, 'PORT must be a port number between 0 and 65535, got "http"'],
      [{ RADIUS_AUTH_PORT: '70000' }, 'RADIUS_AUTH_PORT must be a port number between 0 and 65535, got "70000"'],
      [{ RADIUS_ACCT_PORT: '-1' }, 'RADIUS_ACCT_PORT must be a port number between 0 and 65535, got "-1"'],
      [{ COA_PORT: '3799.5' }, 'COA_PORT must be a port number between 0 and 65535, got "3799.5"'],
      [{ RADIUS_BIND: 'all' }, 'RADIUS_BIND must be an IP address, got "all"'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"'],
    ];
    for (const [env, message] of bad) {
      expect(
        expectOneLineError(await cliFor({ DATABASE_URL: 'postgresql://nobody:x@127.0.0.1:1/none', ...env })('serve', '--json'), 1),
      ).toBe(`netflow: ${message}`);
    }
  });
});
