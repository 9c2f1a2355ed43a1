// The hotspot-shaped load the benchmarks share: 10,000 paid codes seeded in a fresh database
// (user1..user10000 / pass1..pass10000, package 2M/5M, two devices each), the real `netflow
// serve` as its own process, and jobs for PAP, CHAP and accounting (Start → Interim → Stop).
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdir, readFile } from 'node:fs/promises';
import { CODE } from '../src/radius/codes.js';
import { chapResponse } from '../src/radius/crypto.js';
import { encodeRequest, type Attribute } from '../src/radius/encode.js';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { spawnNetflow, type ServeProcess } from '../test/support/spawn-netflow.js';
import { runLoad, type Job } from './load.js';

export const SECRET = 'testing123';
export const USERS = 10_000;

export function station(n: number): { mac: string; ip: string } {
  const b = [0x02, 0xcd, (n >> 16) & 255, (n >> 8) & 255, n & 255, 0x22];
  return { mac: b.map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':'), ip: `10.6.${(n >> 8) & 255}.${n & 255}` };
}

export function hotspotAttributes(n: number, sessionId: string): Attribute[] {
  const { mac, ip } = station(n);
  return [
    ['User-Name', `user${n}`],
    ['Service-Type', 1],
    ['NAS-Port', 0x80000000 + n],
    ['NAS-Port-Type', 19],
    ['NAS-Port-Id', 'bridge-hotspot'],
    ['Calling-Station-Id', mac],
    ['Called-Station-Id', 'hotspot1'],
    ['Acct-Session-Id', sessionId],
    ['Framed-IP-Address', ip],
    ['NAS-Identifier', 'MikroTik'],
    ['NAS-IP-Address', '127.0.0.1'],
  ];
}

const runTag = randomBytes(2).toString('hex');
let sessionSeq = 0;

export function authJob(total: number, chap: boolean): Job {
  let k = 0;
  return {
    next(identifier) {
      if (k >= total) return null;
      const n = (k++ % USERS) + 1;
      const authenticator = randomBytes(16);
      const attrs = hotspotAttributes(n, `${runTag}${(++sessionSeq).toString(16)}`);
      if (chap) {
        const challenge = randomBytes(16);
        attrs.push(['CHAP-Password', chapResponse(identifier, `pass${n}`, challenge)], ['CHAP-Challenge', challenge]);
      } else attrs.push(['User-Password', `pass${n}`]);
      const bytes = encodeRequest({
        code: CODE.accessRequest,
        identifier,
        attributes: attrs,
        secret: SECRET,
        messageAuthenticator: true,
        authenticator,
      });
      return { bytes, expectCode: CODE.accessAccept };
    },
  };
}

export function acctJob(total: number): Job {
  const ready: Array<{ n: number; sid: string; step: number; t0: number }> = [];
  let sent = 0,
    users = 0;
  return {
    next(identifier) {
      if (sent >= total) return null;
      const s = ready.shift() ?? {
        n: (users++ % USERS) + 1,
        sid: `${runTag}a${(++sessionSeq).toString(16)}`,
        step: 0,
        t0: Math.floor(Date.now() / 1000),
      };
      sent++;
      const status = [1, 3, 2][s.step];
      const t = [0, 300, 420][s.step];
      const attrs: Attribute[] = [
        ...hotspotAttributes(s.n, s.sid),
        ['Acct-Status-Type', status],
        ['Event-Timestamp', new Date((s.t0 + t) * 1000)],
        ['Acct-Delay-Time', 0],
      ];
      if (s.step > 0) {
        attrs.push(
          ['Acct-Session-Time', t],
          ['Acct-Input-Octets', 1000 * t + s.n],
          ['Acct-Output-Octets', 5000 * t + s.n],
          ['Acct-Input-Gigawords', 0],
          ['Acct-Output-Gigawords', 0],
        );
      }
      if (s.step === 2) attrs.push(['Acct-Terminate-Cause', 1]);
      const bytes = encodeRequest({ code: CODE.accountingRequest, identifier, attributes: attrs, secret: SECRET });
      return { bytes, expectCode: CODE.accountingResponse, onReply: s.step < 2 ? () => ready.push({ ...s, step: s.step + 1 }) : undefined };
    },
  };
}

export async function cpuTicks(pid: number): Promise<number> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return Number(stat[11]) + Number(stat[12]); // utime + stime, in clock ticks
}

export interface BenchServer {
  db: Database;
  server: ServeProcess;
  stop(): Promise<void>;
}

/**
 * Seeds a fresh data set (the same table sizes every run), starts `netflow serve` on it and
 * warms it up (JIT, prepared statements, every code's first login), then ANALYZEs, as
 * autovacuum would for a running server.
 */
export async function startBenchServer(nodeArgs: string[] = []): Promise<BenchServer> {
  await mkdir('.bench', { recursive: true });
  const embedded = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres('.bench/data', () => {});
  const url = process.env.BENCH_DATABASE_URL ?? embedded!.url;
  const db = await openDatabase({ databaseUrl: url, dataDir: '.bench/data' });
  await seedBenchData(db);
  const server = await spawnNetflow(url, {}, nodeArgs);
  await warmUp(db, server);
  return {
    db,
    server,
    async stop() {
      await server.stop();
      await db.close();
      await embedded?.stop();
    },
  };
}

/** The router (127.0.0.1, SECRET) and USERS codes, in emptied tables. */
export async function seedBenchData(db: Database): Promise<void> {
  // Two devices per code, so that ../shared/bench/radload.mjs (its own MAC per user) can load the same server.
  await db.pool.query(
    'TRUNCATE accounting_records, accounting_sessions, entitlement_devices, entitlements, packages, routers RESTART IDENTITY CASCADE',
  );
  await db.pool.query("INSERT INTO routers (name, ip, secret) VALUES ('bench', '127.0.0.1', $1)", [SECRET]);
  const pkg = await db.pool.query(
    "INSERT INTO packages (name, minutes, price_minor, currency, rate_limit_up, rate_limit_down, devices_allowed, updated_at) VALUES ('bench', 525600, 100000, 'TZS', '2M', '5M', 2, now()) RETURNING id",
  );
  await db.pool.query(
    "INSERT INTO entitlements (code, password, package_id, source, updated_at) SELECT 'user' || i, 'pass' || i, $1, 'voucher', now() FROM generate_series(1, $2) i",
    [pkg.rows[0].id, USERS],
  );
  await db.pool.query('VACUUM ANALYZE');
}

/** Every code's first login (clock start, device claim), some accounting, then fresh statistics. */
export async function warmUp(db: Database, server: ServeProcess): Promise<void> {
  await runLoad({ host: '127.0.0.1', port: server.authPort, secret: SECRET, window: 32, job: authJob(USERS, false) });
  await runLoad({ host: '127.0.0.1', port: server.acctPort, secret: SECRET, window: 32, job: acctJob(900) });
  // With an empty-table estimate the planner would scan entitlement_devices sequentially.
  await db.pool.query('ANALYZE');
}

/**
 * Requests a router should never send, each properly signed (the worst case: a router with a bug,
 * or someone holding its secret): a NUL in User-Name, Acct-Session-Time past 2^31 − 1, octets
 * past 2^63 − 1, a NUL in Acct-Session-Id. Each is new (random authenticator), never a retransmission.
 */
export function poisonRequest(k: number): { bytes: Buffer; toAccounting: boolean } {
  const identifier = k & 255;
  const base = hotspotAttributes((k % USERS) + 1, `poison${k}`);
  const kind = k % 4;
  if (kind === 0) {
    const attributes: Attribute[] = [
      ...base.filter(([name]) => name !== 'User-Name'),
      ['User-Name', `user1\0${k}`],
      ['User-Password', 'x'],
    ];
    return {
      bytes: encodeRequest({
        code: CODE.accessRequest,
        identifier,
        attributes,
        secret: SECRET,
        messageAuthenticator: true,
        authenticator: randomBytes(16),
      }),
      toAccounting: false,
    };
  }
  const extra: Attribute[][] = [
    [],
    [['Acct-Session-Time', 0xffffffff]],
    [
      ['Acct-Input-Octets', 1],
      ['Acct-Input-Gigawords', 0xffffffff],
    ],
    [['Acct-Session-Id', `p\0${k}`]],
  ];
  const attributes: Attribute[] = [
    ...base.filter(([name]) => kind !== 3 || name !== 'Acct-Session-Id'),
    ['Acct-Status-Type', 3],
    ...extra[kind],
  ];
  return { bytes: encodeRequest({ code: CODE.accountingRequest, identifier, attributes, secret: SECRET }), toAccounting: true };
}

/** Sends `rate` poison requests a second, spread evenly, from its own socket, until stopped; stop() says how many. */
export async function poisonStream(authPort: number, acctPort: number, rate: number): Promise<{ stop(): Promise<number> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  let k = 0;
  const timer = setInterval(() => {
    const p = poisonRequest(k++);
    socket.send(p.bytes, p.toAccounting ? acctPort : authPort, '127.0.0.1');
  }, 1000 / rate);
  return {
    async stop() {
      clearInterval(timer);
      await new Promise<void>((r) => socket.close(() => r()));
      return k;
    },
  };
}
