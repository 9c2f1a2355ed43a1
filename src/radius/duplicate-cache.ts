// RFC 5080 §2.2 duplicate detection. A request is identified by its source address and port,
// code, Identifier and Request Authenticator. While it is being answered, copies are dropped;
// once answered, copies get the very same reply bytes. Entries expire in insertion order, so
// upkeep is O(1) per packet with no timers.

export type DuplicateState = { kind: 'new' } | { kind: 'in_flight' } | { kind: 'answered'; reply: Buffer };

interface Entry {
  reply: Buffer | null;
  expiresAt: number;
}

export class DuplicateCache {
  private readonly entries = new Map<string, Entry>();

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
    if (hit && hit.expiresAt > t) return hit.reply ? { kind: 'answered', reply: hit.reply } : { kind: 'in_flight' };
    this.entries.delete(key); // re-insert at the end so expiry order stays insertion order
    this.entries.set(key, { reply: null, expiresAt: t + this.windowMs });
    return { kind: 'new' };
  }

  answered(key: string, reply: Buffer): void {
    const entry = this.entries.get(key);
    if (entry) entry.reply = reply;
  }

  /** The request got no reply (e.g. accounting not stored): let a retransmission be tried afresh. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private expire(t: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > t && this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
