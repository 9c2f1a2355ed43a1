// The router jobs with several NetFlow instances on one database (each router polled by one
// instance per round, taken over when its lease runs out), a key rotation re-sealing stored
// passwords, and API-SSL with a certificate check (a self-signed router certificate is refused
// unless its CA file is given).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setRouterApi } from '../../src/admin/router-api.js';
import { silentLogger } from '../../src/config/logger.js';
import type { Database } from '../../src/db/database.js';
import { createRouterJobs } from '../../src/routers/router-jobs.js';
import { secretBoxFromKeys } from '../../src/routers/secret-box.js';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { RouterOsApiServer } from '../../tools/nas-sim/routeros-api.js';
import { openTestDatabase } from '../support/db.js';
import { addRouter } from '../support/fixtures.js';

const PASSWORD = 'api-password-for-jobs';
const expected = { authPort: 0, acctPort: 0 };

describe('router jobs', () => {
  let db: Database;
  let hs: Hotspot;
  let plain: RouterOsApiServer;
  let ssl: RouterOsApiServer;
  let dir: string;
  let caFile: string;
  const key = randomBytes(32);
  const box = secretBoxFromKeys(key);

  beforeAll(async () => {
    db = await openTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), 'netflow-apissl-'));
    caFile = path.join(dir, 'router.pem');
    const keyFile = path.join(dir, 'router.key');
    // A router's self-signed API-SSL certificate for its address (as /certificate add … sign makes).
    execFileSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=router',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      caFile,
    ]);
    hs = await Hotspot.start({
      server: '127.0.0.1',
      secret: 'unused-secret-0123456789',
      authPort: 9,
      acctPort: 9,
      clock: new ManualClock(),
    });
    plain = await RouterOsApiServer.start({ hotspot: hs, user: 'nf', password: PASSWORD, port: 0 });
    ssl = await RouterOsApiServer.start({
      hotspot: hs,
      user: 'nf',
      password: PASSWORD,
      port: 0,
      tls: { cert: await readFile(caFile), key: await readFile(keyFile) },
    });
  });
  afterAll(async () => {
    await plain.close();
    await ssl.close();
    await hs.stop({ endSessions: false });
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const jobs = (instance: string, sealer = box) =>
    createRouterJobs({ prisma: db.prisma, box: async () => sealer, log: silentLogger, expected, instance, apiTimeoutMs: 2000 });

  it('two instances: each router is polled by one of them per round; a dead instance’s routers are taken over', async () => {
    for (const name of ['lease-a', 'lease-b', 'lease-c']) {
      await addRouter(db, { name, ip: `127.0.1.${name.charCodeAt(6)}` });
      await setRouterApi(db.prisma, name, { user: 'nf', password: PASSWORD, port: plain.port(), host: '127.0.0.1' }, box, 'test');
    }
    const a = jobs('instance-a');
    const b = jobs('instance-b');
    const [ra, rb] = await Promise.all([a.healthRound(), b.healthRound()]);
    const polled = [...ra, ...rb].map((o) => o.router).sort();
    expect(polled).toEqual(['lease-a', 'lease-b', 'lease-c']);
    expect([...ra, ...rb].every((o) => o.reachable)).toBe(true);
    // The next round: the same split, nobody polls a router twice.
    const [ra2, rb2] = await Promise.all([a.healthRound(), b.healthRound()]);
    expect(ra2.map((o) => o.router).sort()).toEqual(ra.map((o) => o.router).sort());
    expect(rb2.map((o) => o.router).sort()).toEqual(rb.map((o) => o.router).sort());
    // Instance b stops (its leases are given up): a takes every router at its next round.
    await b.stop();
    expect((await a.healthRound()).map((o) => o.router).sort()).toEqual(['lease-a', 'lease-b', 'lease-c']);
    await a.stop();
  });

  it('key rotation: a health round re-seals a password under the new key', async () => {
    const next = secretBoxFromKeys(randomBytes(32), [key]);
    const [outcome] = (await jobs('rotate', next).healthRound()).filter((o) => o.router === 'lease-a');
    expect(outcome.reachable).toBe(true);
    const router = await db.prisma.router.findUniqueOrThrow({ where: { name: 'lease-a' }, include: { apiCredential: true } });
    expect(router.apiCredential?.keyId).toBe(next.keyId);
    // The old key alone can no longer open it.
    expect(() => box.open(router.apiCredential!.passwordSealed, next.keyId, `router-api-password:${router.id}`)).toThrow();
  });

  it('API-SSL: the router certificate is checked; its CA file makes a self-signed one trusted', async () => {
    await db.prisma.routerApiCredential.deleteMany({});
    await addRouter(db, { name: 'ssl-router', ip: '127.0.0.1' });
    await setRouterApi(db.prisma, 'ssl-router', { user: 'nf', password: PASSWORD, port: ssl.port(), tls: true }, box, 'test');
    const [untrusted] = (await jobs('ssl').healthRound()).filter((o) => o.router === 'ssl-router');
    expect(untrusted.reachable).toBe(false);
    expect(untrusted.error).toMatch(/certificate is not trusted .*--ca-file/);
    await setRouterApi(db.prisma, 'ssl-router', { user: 'nf', password: PASSWORD, port: ssl.port(), tls: true, caFile }, box, 'test');
    const [trusted] = (await jobs('ssl').healthRound()).filter((o) => o.router === 'ssl-router');
    expect(trusted).toMatchObject({ reachable: true, error: null });
    expect(trusted.reading?.identity).toBe('MikroTik');
  });
});
