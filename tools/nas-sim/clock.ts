// Time for the simulator. Everything that waits (retransmission timeouts, Session-Timeout,
// Idle-Timeout, interim updates, the traffic model) goes through a Clock, so that tests can use
// a ManualClock and move an hour forward in a millisecond instead of waiting in real time.

export type Cancel = () => void;

export interface Clock {
  now(): Date;
  /** Calls fn once, ms from now. The returned function cancels it (harmless after it fired). */
  setTimer(ms: number, fn: () => void): Cancel;
}

/** Node's setTimeout silently fires at once for delays above 2^31-1 ms (about 24.8 days). */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Wall-clock time. Long timers are chained, because a RouterOS Session-Timeout may be up to
 * 21474720 s (248 days), beyond what one setTimeout can hold.
 */
export const realClock: Clock = {
  now: () => new Date(),
  setTimer(ms, fn) {
    let handle: NodeJS.Timeout;
    let cancelled = false;
    const arm = (remaining: number) => {
      const step = Math.min(Math.max(0, remaining), MAX_TIMEOUT_MS);
      handle = setTimeout(() => {
        if (cancelled) return;
        if (remaining > step) arm(remaining - step);
        else fn();
      }, step);
    };
    arm(ms);
    return () => {
      cancelled = true;
      clearTimeout(handle);
    };
  },
};

interface ManualTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. advance(ms) fires every timer that falls due, in due
 * order (ties in the order they were set), with now() equal to each timer's due time while it
 * runs, so a callback sees the time it was scheduled for. Timers set by a callback are honoured
 * in the same advance if they fall due before its end.
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  /** Sorted by (due, seq). */
  private timers: ManualTimer[] = [];

  constructor(start: Date | number = Date.now()) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  setTimer(ms: number, fn: () => void): Cancel {
    const timer: ManualTimer = { due: this.t + Math.max(0, ms), seq: this.seq++, fn };
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].due > timer.due) i--;
    this.timers.splice(i, 0, timer);
    return () => {
      const at = this.timers.indexOf(timer);
      if (at >= 0) this.timers.splice(at, 1);
    };
  }

  /** Timers not yet fired or cancelled. */
  pending(): number {
    return this.timers.length;
  }

  /** When the next timer falls due, or null. */
  nextDue(): Date | null {
    return this.timers.length ? new Date(this.timers[0].due) : null;
  }

  /** Moves time forward by ms, firing due timers synchronously. */
  advance(ms: number): void {
    const target = this.t + Math.max(0, ms);
    while (this.timers.length && this.timers[0].due <= target) {
      const timer = this.timers.shift()!;
      this.t = timer.due;
      timer.fn();
    }
    this.t = target;
  }

  /**
   * Like advance, but after each timer fires it awaits settle() before looking at the next one.
   * A timer that sends a packet can then get its reply over real UDP before time moves on, so a
   * retransmission timeout does not fire merely because the test jumped ahead (see
   * Hotspot.quiesce). Without settle, it lets pending I/O callbacks run once.
   */
  async advanceAsync(ms: number, settle: () => Promise<unknown> = flushIo): Promise<void> {
    const target = this.t + Math.max(0, ms);
    await settle();
    while (this.timers.length && this.timers[0].due <= target) {
      const timer = this.timers.shift()!;
      this.t = timer.due;
      timer.fn();
      await settle();
    }
    this.t = target;
  }
}

function flushIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A promise that resolves after ms on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}
