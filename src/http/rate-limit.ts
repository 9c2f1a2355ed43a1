// A small fixed-window limiter for the portal: guests get a few tries per phone and per device,
// which stops push-prompt spam against someone else's phone and voucher-code guessing.
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one try for each key; false when any key is over its limit (nothing is counted then). */
  take(...keys: string[]): boolean {
    const t = this.now();
    if (this.windows.size > 10_000) this.sweep(t);
    const entries = keys.map((k) => {
      let w = this.windows.get(k);
      if (!w || t - w.start >= this.windowMs) {
        w = { start: t, count: 0 };
        this.windows.set(k, w);
      }
      return w;
    });
    if (entries.some((w) => w.count >= this.limit)) return false;
    for (const w of entries) w.count++;
    return true;
  }

  /** Seconds until the oldest of these keys' windows ends (for Retry-After). */
  retryAfterSeconds(...keys: string[]): number {
    const t = this.now();
    const ends = keys.map((k) => this.windows.get(k)).filter((w) => w !== undefined).map((w) => w.start + this.windowMs - t);
    return Math.max(1, Math.ceil(Math.max(0, ...ends) / 1000));
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}
