// Tells the operator about RADIUS packets from addresses that are no registered router — the
// usual first-day mistake (the router's packets come from another address than the one
// registered, e.g. behind NAT) — without letting a flood of spoofed sources flood the log: each
// address is logged once per ten minutes (at most 10,000 remembered), and at most ten lines a
// minute in all, the rest summed up in one line.
import { LRUCache } from 'lru-cache';
import type { Logger } from '../config/logger.js';
import { plainIp } from '../core/addresses.js';

const PER_MINUTE = 10;

export function unknownClientLog(log: Logger, now: () => number = Date.now): (address: string) => void {
  const logged = new LRUCache<string, number>({ max: 10_000 }); // address → when it was last logged
  let windowStart = 0;
  let lines = 0;
  let suppressed = 0;
  return (raw) => {
    const address = plainIp(raw);
    const t = now();
    const last = logged.get(address);
    if (last !== undefined && t - last < 10 * 60_000) return;
    logged.set(address, t);
    if (t - windowStart >= 60_000) {
      if (suppressed > 0) log.warn('RADIUS packets from more unknown addresses dropped (not logged one by one)', { addresses: suppressed });
      windowStart = t;
      lines = 0;
      suppressed = 0;
    }
    if (lines++ >= PER_MINUTE) {
      suppressed++;
      return;
    }
    log.warn('RADIUS packet from an unknown address dropped: no router is registered with it', {
      address,
      todo: `register it (netflow router add --ip ${address} …) or fix the router's --ip to the address its packets come from`,
    });
  };
}
