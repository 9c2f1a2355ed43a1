// The README's first command on a machine with nothing else: `netflow serve` without DATABASE_URL
// runs an embedded PostgreSQL under DATA_DIR; the CLI works against it while serve runs (attaching
// to the same server) and after serve has stopped (starting it for the command); a code made by
// the CLI is accepted over RADIUS by the running server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { CODE } from '../../src/radius/codes.js';
import { spawnNetflow, type ServeProcess } from '../support/spawn-netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';
import { cliFor } from './run-cli.js';

const SECRET = 'embedded-secret-1';

describe('the embedded default database', () => {
  let root: string;
  let dataDir: string;
  let serve: ServeProcess;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'netflow-embedded-'));
    chmodSync(root, 0o755); // as root, PostgreSQL runs as "postgres" and must pass through it
    dataDir = path.join(root, 'data');
    serve = await spawnNetflow(null, { DATA_DIR: dataDir });
  }, 120_000);
  afterAll(async () => {
    await serve?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('serve creates it under DATA_DIR; the CLI shares it while serve runs and after', async () => {
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const cli = cliFor({ DATA_DIR: dataDir });
    const run = async (...argv: string[]) => {
      const r = await cli(...argv, '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as unknown;
    };
    await run('router', 'add', '--name', 'lobby', '--ip', '127.0.0.1', '--secret', SECRET);
    await run('package', 'add', '--name', 'hour', '--minutes', '60', '--price', '1000', '--currency', 'TZS', '--rate-limit', '1M/4M');
    const created = (await run('voucher', 'create', '--package', 'hour', '--count', '1')) as { codes: string[] } | Array<{ code: string }>;
    const code = Array.isArray(created) ? created[0].code : created.codes[0];

    const radius = await TestRadiusClient.open();
    try {
      const login = () =>
        radius.send(
          CODE.accessRequest,
          [
            ['User-Name', code],
            ['User-Password', code],
            ['Calling-Station-Id', '02:EE:00:00:00:01'],
          ],
          SECRET,
          serve.authPort,
        );
      let reply = (await login()).reply;
      for (let i = 0; i < 50 && !reply; i++) reply = (await login()).reply; // until serve's router table has the new router
      expect(reply!.code).toBe(CODE.accessAccept);
    } finally {
      radius.close();
    }

    await serve.stop();
    const routers = (await run('router', 'list')) as Array<{ name: string }>;
    expect(routers.map((r) => r.name)).toEqual(['lobby']);
  }, 120_000);

  it.skipIf(userInfo().uid !== 0)('as root, a DATA_DIR PostgreSQL cannot reach is refused with the reason, in one line', async () => {
    const hidden = mkdtempSync(path.join(tmpdir(), 'netflow-private-')); // mode 700, like /root
    try {
      const r = await cliFor({ DATA_DIR: path.join(hidden, 'data') })('router', 'list');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `netflow: cannot open the database: embedded PostgreSQL cannot use DATA_DIR ${path.join(hidden, 'data')}: running as root, ` +
          `PostgreSQL runs as the "postgres" user, which cannot enter ${hidden} (mode 700). Set DATA_DIR to a directory it can reach ` +
          `(e.g. /var/lib/netflow), or run NetFlow as a non-root user\n`,
      );
    } finally {
      rmSync(hidden, { recursive: true, force: true });
    }
  });
});
