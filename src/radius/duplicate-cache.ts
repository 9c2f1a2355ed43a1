// RFC 5080 §2.2 duplicate detection. A request is identified by its source address and port,
// code, Identifier and Request Authenticator. While it is being answered, copies are dropped;
// once answered, copies get the very same reply bytes. Entries expire in insertion order, kept
// in a queue beside the map, so upkeep is O(1) per packet with no timers. (Walking the Map from
// its start instead costs a step for every entry deleted since its last rehash: it was the
// single hottest function of the accounting path under load.)

export type DuplicateState = { kind: 'new' } | { kind: 'in_flight' } | { kind: 'answered'; reply: Buffer } | { kind: 'dropped' };

/** Stands for "dropped on purpose": its copies are dropped too, without being handled again. */
const DROPPED = Buffer.alloc(0);

interface Entry {
  reply: Buffer | null;
  expiresAt: number;
}

export class DuplicateCache {
  private readonly entries = new Map<string, Entry>();
  /** Keys in insertion order with the expiry they were inserted with; head is the oldest. */
  private order: Array<{ key: string; expiresAt: number }> = [];
  private head = 0;

  constructor(
    private readonly windowMs = 10_000,
    private readonly maxEntries = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  static keyOf(address: string, port: number, code: number, identifier: number, authenticator: Buffer): string {
    return `${address}|${port}|${code}|${identifier}|${authenticator.toString('latin1')}`;
  }

  /** Looks the request up; a new one is recorded as in flight. */
  check(key: string): DuplicateState {
    const t = this.now();
    this.expire(t);
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > t) {
      if (hit.reply === DROPPED) return { kind: 'dropped' };
      return hit.reply ? { kind: 'answered', reply: hit.reply } : { kind: 'in_flight' };
    }
    const expiresAt = t + this.windowMs;
    this.entries.set(key, { reply: null, expiresAt });
    this.order.push({ key, expiresAt });
    return { kind: 'new' };
  }

  answered(key: string, reply: Buffer): void {
    const entry = this.entries.get(key);
    if (entry) entry.reply = reply;
  }

  /** The request was refused for good (e.g. a value that can never be stored): copies are dropped. */
  dropped(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.reply = DROPPED;
  }

  /** The request got no reply (e.g. accounting not stored): let a retransmission be tried afresh. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private expire(t: number): void {
    while (this.head < this.order.length) {
      const oldest = this.order[this.head];
      if (oldest.expiresAt > t && this.entries.size < this.maxEntries) break; // room for one more
      // Only if the map still holds this insertion (not a later one of the same key).
      if (this.entries.get(oldest.key)?.expiresAt === oldest.expiresAt) this.entries.delete(oldest.key);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}
