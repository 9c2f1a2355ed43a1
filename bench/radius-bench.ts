// `npm run bench:radius`: NetFlow's RADIUS throughput and latency on this machine.
// Seeds 10,000 paid codes (user1..user10000 / pass1..pass10000, package 2M/5M), starts the real
// `netflow serve` as its own process, and loads it with PAP, CHAP and accounting
// (Start → Interim-Update → Stop) at 1, 32 and 256 requests in flight. Every reply is verified.
// The same server can be loaded with ../shared/bench/radload.mjs (see README, Benchmarks).
//   options (env): BENCH_DATABASE_URL (default: an embedded PostgreSQL under .bench/),
//   BENCH_WINDOWS=1,32,256  BENCH_MODES=pap,chap,acct  BENCH_REQUESTS=12000  BENCH_KEEP=1 (leave the server running)
//   BENCH_PROFILE=1 (write a V8 CPU profile of the server to .bench/profiles/, for Chrome DevTools)
//   BENCH_PERF=1 (run the server with --perf-basic-prof, so Linux perf names its JavaScript frames)
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { CODE } from '../src/radius/codes.js';
import { chapResponse } from '../src/radius/crypto.js';
import { encodeRequest, type Attribute } from '../src/radius/encode.js';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { openDatabase } from '../src/db/database.js';
import { spawnNetflow } from '../test/support/spawn-netflow.js';
import { runLoad, type Job, type LoadResult } from './load.js';

const SECRET = 'testing123';
const USERS = 10_000;
const windows = (process.env.BENCH_WINDOWS ?? '1,32,256').split(',').map(Number);
const modes = (process.env.BENCH_MODES ?? 'pap,chap,acct').split(',');
const bigRun = Number(process.env.BENCH_REQUESTS ?? 12_000);

function station(n: number): { mac: string; ip: string } {
  const b = [0x02, 0xcd, (n >> 16) & 255, (n >> 8) & 255, n & 255, 0x22];
  return { mac: b.map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':'), ip: `10.6.${(n >> 8) & 255}.${n & 255}` };
}

function hotspotAttributes(n: number, sessionId: string): Attribute[] {
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

function authJob(total: number, chap: boolean): Job {
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
      const bytes = encodeRequest({ code: CODE.accessRequest, identifier, attributes: attrs, secret: SECRET, messageAuthenticator: true, authenticator });
      return { bytes, expectCode: CODE.accessAccept };
    },
  };
}

function acctJob(total: number): Job {
  const ready: Array<{ n: number; sid: string; step: number; t0: number }> = [];
  let started = 0, sent = 0, users = 0;
  return {
    next(identifier) {
      if (sent >= total) return null;
      const s = ready.shift() ?? { n: (users++ % USERS) + 1, sid: `${runTag}a${(++sessionSeq).toString(16)}`, step: 0, t0: Math.floor(Date.now() / 1000) };
      if (s.step === 0) started++;
      sent++;
      const status = [1, 3, 2][s.step];
      const t = [0, 300, 420][s.step];
      const attrs: Attribute[] = [...hotspotAttributes(s.n, s.sid), ['Acct-Status-Type', status], ['Event-Timestamp', new Date((s.t0 + t) * 1000)], ['Acct-Delay-Time', 0]];
      if (s.step > 0) {
        attrs.push(['Acct-Session-Time', t], ['Acct-Input-Octets', 1000 * t + s.n], ['Acct-Output-Octets', 5000 * t + s.n], ['Acct-Input-Gigawords', 0], ['Acct-Output-Gigawords', 0]);
      }
      if (s.step === 2) attrs.push(['Acct-Terminate-Cause', 1]);
      const bytes = encodeRequest({ code: CODE.accountingRequest, identifier, attributes: attrs, secret: SECRET });
      return { bytes, expectCode: CODE.accountingResponse, onReply: s.step < 2 ? () => ready.push({ ...s, step: s.step + 1 }) : undefined };
    },
  };
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return Number(stat[11]) + Number(stat[12]); // utime + stime, in clock ticks
}

async function main(): Promise<void> {
  await mkdir('.bench', { recursive: true });
  const embedded = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres('.bench/data', () => {});
  const url = process.env.BENCH_DATABASE_URL ?? embedded!.url;
  const db = await openDatabase({ databaseUrl: url, dataDir: '.bench/data' });
  // Fresh data each run: the same table sizes every time. Two devices per code, so that
  // ../shared/bench/radload.mjs (its own MAC per user) can load the same server (BENCH_KEEP=1).
  await db.pool.query('TRUNCATE accounting_records, accounting_sessions, entitlement_devices, entitlements, packages, routers RESTART IDENTITY CASCADE');
  await db.pool.query("INSERT INTO routers (name, ip, secret) VALUES ('bench', '127.0.0.1', $1)", [SECRET]);
  const pkg = await db.pool.query("INSERT INTO packages (name, minutes, price_minor, currency, rate_limit_up, rate_limit_down, devices_allowed, updated_at) VALUES ('bench', 525600, 100000, 'TZS', '2M', '5M', 2, now()) RETURNING id");
  await db.pool.query(
    "INSERT INTO entitlements (code, password, package_id, source, updated_at) SELECT 'user' || i, 'pass' || i, $1, 'voucher', now() FROM generate_series(1, $2) i",
    [pkg.rows[0].id, USERS],
  );
  await db.pool.query('VACUUM ANALYZE');
  const server = await spawnNetflow(url, {}, process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=.bench/profiles'] : process.env.BENCH_PERF ? ['--perf-basic-prof'] : []);
  const serverPid = server.child.pid!;
  const tick = 100; // USER_HZ
  console.log(`NetFlow RADIUS benchmark — ${cpus().length} cores (${cpus()[0].model}), Node ${process.version}, server pid ${serverPid}`);
  const rows: Array<{ mode: string; window: number } & LoadResult & { serverCpuPct: number }> = [];
  try {
    // Warm-up: JIT, prepared statements, first logins (clock start, device claim) of every user.
    await runLoad({ host: '127.0.0.1', port: server.authPort, secret: SECRET, window: 32, job: authJob(USERS, false) });
    await runLoad({ host: '127.0.0.1', port: server.acctPort, secret: SECRET, window: 32, job: acctJob(900) });
    // Statistics for the tables the warm-up filled, as autovacuum would give a running server
    // (with an empty-table estimate the planner would scan entitlement_devices sequentially).
    await db.pool.query('ANALYZE');
    for (const mode of modes) {
      for (const window of windows) {
        const total = window === 1 ? 3000 : bigRun;
        const job = mode === 'acct' ? acctJob(total) : authJob(total, mode === 'chap');
        const port = mode === 'acct' ? server.acctPort : server.authPort;
        const cpu0 = await cpuTicks(serverPid);
        const r = await runLoad({ host: '127.0.0.1', port, secret: SECRET, window, job });
        const serverCpuPct = (((await cpuTicks(serverPid)) - cpu0) / tick / r.seconds) * 100;
        rows.push({ mode, window, ...r, serverCpuPct });
        console.log(
          `${mode.padEnd(5)} in flight ${String(window).padStart(3)}: ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms  max ${r.maxms.toFixed(1)} ms  ok ${r.ok}/${r.requests}  wrong ${r.wrong}  timeouts ${r.timeouts}  NetFlow CPU ${serverCpuPct.toFixed(0)}%`,
        );
      }
    }
    const file = `.bench/radius-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`;
    await writeFile(file, JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, node: process.version, rows }, null, 2));
    console.log(`results: ${file}`);
    if (process.env.BENCH_KEEP) {
      console.log(`server left running: auth ${server.authPort}, acct ${server.acctPort}, secret ${SECRET}; Ctrl-C to stop`);
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
    }
  } finally {
    await server.stop();
    await db.close();
    await embedded?.stop();
  }
  if (rows.some((r) => r.wrong > 0 || r.timeouts > 0)) process.exitCode = 1;
}

await main();
