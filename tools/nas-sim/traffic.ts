// Per-session traffic model: the guest moves a steady number of bytes per second each way, and
// the counters are the exact integral of those rates over the simulated time. Counters are
// 64-bit (bigint) so that sessions past 4 GiB exercise Acct-*-Gigawords.
//
// Direction, as RouterOS and RFC 2866 name it from the router's side (checklist item 22):
// "in" = received from the guest = upload = Acct-Input-Octets; "out" = sent to the guest =
// download = Acct-Output-Octets.

export interface TrafficRates {
  /** Bytes per second from the guest (upload). */
  upBps: number;
  /** Bytes per second to the guest (download). */
  downBps: number;
}

/** Assumed average packet size, only to report plausible Acct-*-Packets. */
const AVERAGE_PACKET_BYTES = 1000n;

export class TrafficMeter {
  // Kept in milli-bytes (bytes/s × ms) so no rounding error accumulates.
  private inMilli = 0n;
  private outMilli = 0n;
  private lastMs: number;
  private current: TrafficRates;

  constructor(startMs: number, rates: TrafficRates) {
    this.lastMs = startMs;
    this.current = checkRates(rates);
  }

  rates(): TrafficRates {
    return { ...this.current };
  }

  /** Accumulates traffic up to the given time (never backwards). */
  advanceTo(ms: number): void {
    if (ms <= this.lastMs) return;
    const dt = BigInt(Math.round(ms - this.lastMs));
    this.inMilli += BigInt(this.current.upBps) * dt;
    this.outMilli += BigInt(this.current.downBps) * dt;
    this.lastMs = ms;
  }

  setRates(ms: number, rates: TrafficRates): void {
    this.advanceTo(ms);
    this.current = checkRates(rates);
  }

  bytesIn(): bigint {
    return this.inMilli / 1000n;
  }

  bytesOut(): bigint {
    return this.outMilli / 1000n;
  }

  packetsIn(): bigint {
    return (this.bytesIn() + AVERAGE_PACKET_BYTES - 1n) / AVERAGE_PACKET_BYTES;
  }

  packetsOut(): bigint {
    return (this.bytesOut() + AVERAGE_PACKET_BYTES - 1n) / AVERAGE_PACKET_BYTES;
  }

  /** Milliseconds after the last advance until in+out reaches `cap` bytes; null if it never will. */
  msUntilTotal(cap: bigint): number | null {
    const missing = cap * 1000n - (this.inMilli + this.outMilli);
    if (missing <= 0n) return 0;
    const perMs = BigInt(this.current.upBps + this.current.downBps);
    if (perMs === 0n) return null;
    return Number((missing + perMs - 1n) / perMs);
  }
}

function checkRates(r: TrafficRates): TrafficRates {
  for (const v of [r.upBps, r.downBps]) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`traffic rate must be a whole number of bytes per second, got ${v}`);
  }
  return { upBps: r.upBps, downBps: r.downBps };
}
