// `npm run bench:poison`: what 50 poison packets a second (values the database cannot hold, see
// src/aaa/storable.ts) cost the valid traffic. Authorization (PAP) and accounting at 32 in
// flight, each measured alone and beside the poison stream, interleaved, medians of BENCH_ROUNDS.
// Goal: the poison lowers valid throughput by less than 10 %.
//   options (env): BENCH_DATABASE_URL, BENCH_REQUESTS=12000, BENCH_ROUNDS=3, BENCH_POISON_RATE=50
import { cpus } from 'node:os';
import { acctJob, authJob, poisonStream, SECRET, startBenchServer } from './hotspot-load.js';
import { runLoad } from './load.js';

const requests = Number(process.env.BENCH_REQUESTS ?? 12_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const rate = Number(process.env.BENCH_POISON_RATE ?? 50);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function metric(httpPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ')[1]) : NaN;
}

const bench = await startBenchServer();
const { server } = bench;
console.log(
  `NetFlow poison benchmark — ${cpus().length} cores (${cpus()[0].model}), Node ${process.version}; ${rate} poison packets/s, ${requests} valid requests a run, 32 in flight`,
);
let failed = false;
try {
  for (const mode of ['pap', 'acct'] as const) {
    const clean: number[] = [];
    const poisoned: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const withPoison of [false, true]) {
        const stream = withPoison ? await poisonStream(server.authPort, server.acctPort, rate) : null;
        const job = mode === 'acct' ? acctJob(requests) : authJob(requests, false);
        const r = await runLoad({
          host: '127.0.0.1',
          port: mode === 'acct' ? server.acctPort : server.authPort,
          secret: SECRET,
          window: 32,
          job,
        });
        const sent = (await stream?.stop()) ?? 0;
        if (r.wrong > 0 || r.timeouts > 0) failed = true;
        (withPoison ? poisoned : clean).push(r.rps);
        console.log(
          `${mode.padEnd(4)} round ${round + 1} ${withPoison ? `with ${sent} poison` : 'clean'.padEnd(11)}: ${r.rps.toFixed(0).padStart(6)} req/s  p99 ${r.p99ms.toFixed(2)} ms  ok ${r.ok}/${r.requests}  wrong ${r.wrong}  timeouts ${r.timeouts}`,
        );
      }
    }
    const ratio = median(poisoned) / median(clean);
    console.log(
      `${mode}: clean ${median(clean).toFixed(0)} req/s, with poison ${median(poisoned).toFixed(0)} req/s → ${(ratio * 100).toFixed(1)} % (goal ≥ 90 %)`,
    );
  }
  console.log(
    `dropped as malformed_value (server counter): ${await metric(server.httpPort, 'netflow_radius_dropped_total{reason="malformed_value"}')}`,
  );
} finally {
  await bench.stop();
}
if (failed) process.exitCode = 1;
