// NetFlow's own RADIUS load generator: keeps a fixed number of requests in flight over one UDP
// socket, checks every reply (code and Response Authenticator), and reports throughput and
// latency percentiles. Requests look like a MikroTik hotspot's (see bench/radius-bench.ts).
import dgram from 'node:dgram';
import { CODE } from '../src/radius/codes.js';
import { verifyResponse } from '../src/radius/encode.js';

export interface LoadResult {
  requests: number;
  ok: number;
  wrong: number;
  timeouts: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
}

export interface Job {
  /** Builds the next request with the given Identifier; null when the job has nothing left. */
  next(identifier: number): { bytes: Buffer; expectCode: number; onReply?: () => void } | null;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function runLoad(opts: {
  host: string;
  port: number;
  secret: string;
  window: number;
  job: Job;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const slots = new Map<
    number,
    { sentAt: bigint; authenticator: Buffer; expectCode: number; timer: NodeJS.Timeout; onReply?: () => void }
  >();
  const latencies: number[] = [];
  let ok = 0,
    wrong = 0,
    timeouts = 0,
    sent = 0;
  let nextId = 0;
  const started = process.hrtime.bigint();
  let lastReply = started;

  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished || slots.size > 0) return;
      finished = true;
      socket.close();
      const seconds = Number(lastReply - started) / 1e9;
      latencies.sort((a, b) => a - b);
      resolve({
        requests: sent,
        ok,
        wrong,
        timeouts,
        seconds,
        rps: ok / seconds,
        p50ms: percentile(latencies, 50),
        p99ms: percentile(latencies, 99),
        maxms: latencies[latencies.length - 1] ?? NaN,
      });
    };
    const sendOne = (): boolean => {
      // Identifiers are one octet: find a free one (window ≤ 256).
      let id = nextId;
      for (let i = 0; i < 256 && slots.has(id); i++) id = (id + 1) & 255;
      if (slots.has(id)) return false;
      const req = opts.job.next(id);
      if (!req) return false;
      nextId = (id + 1) & 255;
      const timer = setTimeout(() => {
        slots.delete(id);
        timeouts++;
        if (!sendOne()) finish();
      }, timeoutMs);
      slots.set(id, {
        sentAt: process.hrtime.bigint(),
        authenticator: Buffer.from(req.bytes.subarray(4, 20)),
        expectCode: req.expectCode,
        timer,
        onReply: req.onReply,
      });
      sent++;
      socket.send(req.bytes, opts.port, opts.host);
      return true;
    };
    socket.on('message', (msg) => {
      const slot = slots.get(msg[1]);
      if (!slot) return;
      const now = process.hrtime.bigint();
      clearTimeout(slot.timer);
      slots.delete(msg[1]);
      lastReply = now;
      latencies.push(Number(now - slot.sentAt) / 1e6);
      if (msg[0] === slot.expectCode && verifyResponse(msg, slot.authenticator, opts.secret) === 'valid') {
        ok++;
        slot.onReply?.();
      } else wrong++;
      if (!sendOne()) finish();
    });
    let opened = 0;
    while (opened < opts.window && sendOne()) opened++;
    if (opened === 0) finish();
  });
}

export const EXPECT = { accept: CODE.accessAccept, accountingResponse: CODE.accountingResponse };
