// When the embedded PostgreSQL dies under a running `netflow serve` (killed, out of memory), serve
// starts it again and carries on (its LISTENs come back, so a router added afterwards is served at
// once); when it keeps dying (a fourth time within ten minutes), serve exits with code 1 so that
// its supervisor restarts everything, instead of staying up unhealthy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CODE } from '../../src/radius/codes.js';
import { spawnNetflow, type ServeProcess } from '../support/spawn-netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';
import { cliFor } from './run-cli.js';

const SECRET = 'embedded-crash-secret-1';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the embedded database dies under serve', () => {
  let root: string;
  let dataDir: string;
  let serve: ServeProcess;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'netflow-crash-'));
    chmodSync(root, 0o755);
    dataDir = path.join(root, 'data');
    serve = await spawnNetflow(null, { DATA_DIR: dataDir });
  }, 120_000);
  afterAll(async () => {
    await serve?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const postmasterPid = () => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const restarts = () => serve.logs().split('embedded PostgreSQL restarted').length - 1;
  const healthy = async () => (await fetch(`http://127.0.0.1:${serve.httpPort}/healthz`).catch(() => null))?.status === 200;

  it('restarts it, and carries on serving; exits 1 when it keeps dying', async () => {
    expect(await healthy()).toBe(true);
    process.kill(postmasterPid(), 'SIGKILL');
    await until('the restart', () => restarts() === 1);
    await until('health', healthy);

    // A router added after the restart is served at once: the router table's LISTEN came back.
    const r = await cliFor({ DATA_DIR: dataDir })('router', 'add', '--name', 'after', '--ip', '127.0.0.1', '--secret', SECRET);
    expect(r.code, r.stderr).toBe(0);
    const radius = await TestRadiusClient.open();
    try {
      let reply = null;
      for (let i = 0; i < 5 && !reply; i++) {
        reply = (
          await radius.send(
            CODE.accessRequest,
            [
              ['User-Name', 'nobody'],
              ['User-Password', 'x'],
              ['Calling-Station-Id', '02:EE:00:00:00:09'],
            ],
            SECRET,
            serve.authPort,
          )
        ).reply;
      }
      expect(reply?.code).toBe(CODE.accessReject);
    } finally {
      radius.close();
    }

    for (let n = 2; n <= 3; n++) {
      process.kill(postmasterPid(), 'SIGKILL');
      await until(`restart ${n}`, () => restarts() === n);
    }
    const exited = new Promise<number | null>((resolve) => serve.child.once('exit', (code) => resolve(code)));
    process.kill(postmasterPid(), 'SIGKILL');
    expect(await exited).toBe(1);
    expect(serve.logs()).toMatch(/"database lost; netflow stops".*stopped unexpectedly \(SIGKILL\) 4 times within 10 minutes/);
  }, 120_000);
});
