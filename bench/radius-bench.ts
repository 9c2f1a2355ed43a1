// `npm run bench:radius`: NetFlow's RADIUS throughput and latency on this machine.
// Seeds 10,000 paid codes (user1..user10000 / pass1..pass10000, package 2M/5M), starts the real
// `netflow serve` as its own process, and loads it with PAP, CHAP and accounting
// (Start → Interim-Update → Stop) at 1, 32 and 256 requests in flight. Every reply is verified.
// The same server can be loaded with ../shared/bench/radload.mjs (see README, Benchmarks).
//   options (env): BENCH_DATABASE_URL (default: an embedded PostgreSQL under .bench/),
//   BENCH_WINDOWS=1,32,256  BENCH_MODES=pap,chap,acct  BENCH_REQUESTS=12000  BENCH_KEEP=1 (leave the server running)
//   BENCH_PROFILE=1 (write a V8 CPU profile of the server to .bench/profiles/, for Chrome DevTools)
//   BENCH_PERF=1 (run the server with --perf-basic-prof, so Linux perf names its JavaScript frames)
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { acctJob, authJob, cpuTicks, SECRET, startBenchServer } from './hotspot-load.js';
import { runLoad, type LoadResult } from './load.js';

const windows = (process.env.BENCH_WINDOWS ?? '1,32,256').split(',').map(Number);
const modes = (process.env.BENCH_MODES ?? 'pap,chap,acct').split(',');
const bigRun = Number(process.env.BENCH_REQUESTS ?? 12_000);

async function main(): Promise<void> {
  const bench = await startBenchServer(
    process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=.bench/profiles'] : process.env.BENCH_PERF ? ['--perf-basic-prof'] : [],
  );
  const { server } = bench;
  const serverPid = server.child.pid!;
  const tick = 100; // USER_HZ
  console.log(`NetFlow RADIUS benchmark — ${cpus().length} cores (${cpus()[0].model}), Node ${process.version}, server pid ${serverPid}`);
  const rows: Array<{ mode: string; window: number } & LoadResult & { serverCpuPct: number }> = [];
  try {
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
    await bench.stop();
  }
  if (rows.some((r) => r.wrong > 0 || r.timeouts > 0)) process.exitCode = 1;
}

await main();
