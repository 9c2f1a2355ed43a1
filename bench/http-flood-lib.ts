// Pieces shared by `npm run bench:http-flood` and its CI guard (test/system/http-flood.test.ts):
// seeding paid codes, a time-bounded RADIUS authorization load, and an HTTP flood of the portal
// run from its own thread (so the flood client does not slow the RADIUS load generator's loop).
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { CODE } from '../src/radius/codes.js';
import { encodeRequest } from '../src/radius/encode.js';
import { runLoad, type Job, type LoadResult } from './load.js';

export const FLOOD_SECRET = 'http-flood-bench-secret';
export const FLOOD_ROUTER = 'flood-bench';
/** The portal floods name these routers (fresh rate-limit keys each). */
export const floodRouter = (n: 1 | 2 | 3 | 4) => `flood-${n}`;

/**
 * A router on 127.0.0.1 (RADIUS comes from there), `users` paid codes user1..userN / pass1..passN
 * (two devices each), and routers flood-1..flood-4 for the portal floods: each flood names its
 * own, so that each starts from a fresh rate-limit key (router + address).
 */
export async function seedFloodData(pool: pg.Pool, users: number): Promise<void> {
  await pool.query("INSERT INTO routers (name, ip, secret) VALUES ($1, '127.0.0.1', $2)", [FLOOD_ROUTER, FLOOD_SECRET]);
  await pool.query("INSERT INTO routers (name, ip, secret) SELECT 'flood-' || i, '10.255.0.' || i, $1 FROM generate_series(1, 4) i", [
    FLOOD_SECRET,
  ]);
  const pkg = await pool.query(
    "INSERT INTO packages (name, minutes, price_minor, currency, rate_limit_up, rate_limit_down, devices_allowed, updated_at) VALUES ('flood-bench', 525600, 100000, 'TZS', '2M', '5M', 2, now()) RETURNING id",
  );
  await pool.query(
    "INSERT INTO entitlements (code, password, package_id, source, updated_at) SELECT 'user' || i, 'pass' || i, $1, 'voucher', now() FROM generate_series(1, $2) i",
    [pkg.rows[0].id, users],
  );
}

function mac(n: number): string {
  return [0x02, 0xfe, (n >> 16) & 255, (n >> 8) & 255, n & 255, 0x01].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** PAP Access-Requests for user1..userN, round robin, until `seconds` have passed. */
function timedAuthJob(users: number, seconds: number): Job {
  const deadline = Date.now() + seconds * 1000;
  let k = 0;
  return {
    next(identifier) {
      if (Date.now() >= deadline) return null;
      const n = (k++ % users) + 1;
      const bytes = encodeRequest({
        code: CODE.accessRequest,
        identifier,
        secret: FLOOD_SECRET,
        messageAuthenticator: true,
        authenticator: randomBytes(16),
        attributes: [
          ['User-Name', `user${n}`],
          ['User-Password', `pass${n}`],
          ['Calling-Station-Id', mac(n)],
          ['NAS-IP-Address', '127.0.0.1'],
          ['NAS-Port-Type', 19],
        ],
      });
      return { bytes, expectCode: CODE.accessAccept };
    },
  };
}

export function authLoad(port: number, users: number, seconds: number, window = 32): Promise<LoadResult> {
  return runLoad({ host: '127.0.0.1', port, secret: FLOOD_SECRET, window, job: timedAuthJob(users, seconds), timeoutMs: 2000 });
}

export interface FloodResult {
  requests: number;
  rps: number;
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  errors: number;
}

export interface Flood {
  stop(): Promise<FloodResult>;
}

// Plain JavaScript (the thread is not run through tsx): `connections` keep-alive connections,
// each sending its next request as soon as the previous response has been read.
const FLOOD_THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { port, path, connections, rotateMac, router } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
let stopping = false, requests = 0, errors = 0, seq = 0, running = connections;
const statuses = {};
const started = Date.now();
function macOf(n) { return ['02', 'fa', ((n >> 16) & 255), ((n >> 8) & 255), (n & 255), '02'].map((x) => typeof x === 'string' ? x : x.toString(16).padStart(2, '0')).join(':'); }
function one() {
  if (stopping) { if (--running === 0) done(); return; }
  const n = seq++;
  const body = JSON.stringify({ code: 'NOSUCHCODE' + (n % 1000), router, mac: rotateMac ? macOf(n) : '02:FA:00:00:00:01' });
  const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => { requests++; statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; one(); });
  });
  req.on('error', () => { errors++; setTimeout(one, 5); });
  req.end(body);
}
function done() {
  agent.destroy();
  const seconds = (Date.now() - started) / 1000;
  parentPort.postMessage({ requests, rps: requests / seconds, statuses, errors });
}
parentPort.on('message', () => { stopping = true; });
for (let i = 0; i < connections; i++) one();
`;

/** Floods POST `path` (the voucher redeem route) naming `router` until stop(); `rotateMac`: a new mac on every request. */
export function startFlood(opts: { httpPort: number; router: string; rotateMac: boolean; connections?: number; path?: string }): Flood {
  const worker = new Worker(FLOOD_THREAD, {
    eval: true,
    workerData: {
      port: opts.httpPort,
      path: opts.path ?? '/api/v1/portal/vouchers/redeem',
      connections: opts.connections ?? 16,
      rotateMac: opts.rotateMac,
      router: opts.router,
    },
  });
  const result = new Promise<FloodResult>((resolve, reject) => {
    worker.once('message', (r: FloodResult) => resolve(r));
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const r = await result;
      await worker.terminate();
      return r;
    },
  };
}

/** The `netflow_portal_rate_limit_*` gauges from /metrics (empty before NetFlow had them). */
export async function limiterMetrics(httpPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^netflow_portal_rate_limit_(\S+) (\S+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
