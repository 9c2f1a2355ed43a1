// What every fake provider in the sandbox shares: the test-phone scenarios, a clock for the
// simulated guest's approval, callback delivery to NetFlow, and a log of everything exchanged.
// The fakes reproduce each provider's real paths, auth handshakes and JSON shapes (see
// ../shared/notes/payments.md §8), so the adapters run unchanged against them and against production.
import { randomBytes } from 'node:crypto';

/** What the simulated guest (and network) does, chosen by the last three digits of the phone number. */
export type SandboxScenario =
  | 'success'
  | 'cancelled'
  | 'insufficient_funds'
  | 'unreachable'
  | 'timeout'
  | 'wrong_pin'
  | 'locked'
  | 'ambiguous'
  | 'no_callback'
  | 'duplicate_callback'
  | 'late_success'
  | 'wrong_amount';

/** Test phone numbers: any valid number ending in these digits. Everything else succeeds. */
export const TEST_PHONE_SUFFIXES: Readonly<Record<string, SandboxScenario>> = {
  '000': 'success',
  '032': 'cancelled',
  '001': 'insufficient_funds',
  '037': 'unreachable',
  '019': 'timeout',
  '004': 'wrong_pin',
  '010': 'locked',
  '099': 'ambiguous',
  '002': 'no_callback',
  '003': 'duplicate_callback',
  '005': 'late_success',
  '006': 'wrong_amount',
};

export function scenarioFor(msisdn: string): SandboxScenario {
  return TEST_PHONE_SUFFIXES[msisdn.slice(-3)] ?? 'success';
}

export interface SandboxLogEntry {
  at: string;
  provider: string;
  direction: 'in' | 'out';
  what: string;
  status?: number;
  body?: unknown;
}

export interface SandboxOptions {
  /** How long the simulated guest takes to approve the prompt (default 3 s; tests use ~0). */
  approveAfterMs?: number;
  /** 'ambiguous' answers pending to this many status queries before it succeeds. */
  ambiguousQueries?: number;
  /** For 'late_success': how long after the failure the success arrives. */
  lateAfterMs?: number;
  /** The only URLs callbacks go to: those under this prefix (see allowCallbacksTo). */
  callbackPrefix?: string;
}

export class SandboxContext {
  readonly approveAfterMs: number;
  readonly ambiguousQueries: number;
  readonly lateAfterMs: number;
  readonly log: SandboxLogEntry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;
  private seq = 0;
  private callbackPrefix: URL | null = null;

  constructor(options: SandboxOptions = {}) {
    this.approveAfterMs = options.approveAfterMs ?? 3000;
    this.ambiguousQueries = options.ambiguousQueries ?? 2;
    this.lateAfterMs = options.lateAfterMs ?? this.approveAfterMs + 1000;
    if (options.callbackPrefix) this.allowCallbacksTo(options.callbackPrefix);
  }

  /**
   * Callbacks go only to URLs under this prefix (NetFlow's own callback route), whatever URL a
   * request to a fake names: the fakes take callback URLs from their callers, and must never be
   * made to POST anywhere else (server-side request forgery). Until it is set, none are sent.
   */
  allowCallbacksTo(prefix: string): void {
    this.callbackPrefix = new URL(prefix);
  }

  /** Whether a callback may go to this URL (same origin as the prefix, path under it). */
  callbackAllowed(url: string): boolean {
    const allowed = this.callbackPrefix;
    if (!allowed) return false;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    return u.origin === allowed.origin && u.username === '' && u.password === '' && u.pathname.startsWith(allowed.pathname);
  }

  now(): Date {
    return new Date();
  }

  /** A fresh id in a provider's style: prefix + upper-case hex, unique per process. */
  id(prefix: string, length = 10): string {
    this.seq++;
    const body = (this.seq.toString(16) + randomBytes(8).toString('hex')).toUpperCase();
    return prefix + body.slice(0, Math.max(length - prefix.length, 4));
  }

  record(entry: Omit<SandboxLogEntry, 'at'>): void {
    this.log.push({ at: new Date().toISOString(), ...entry });
    if (this.log.length > 1000) this.log.splice(0, this.log.length - 1000);
  }

  /** Runs fn after ms (the simulated guest thinking); forgotten when the sandbox closes. */
  later(ms: number, fn: () => Promise<void> | void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.track(Promise.resolve().then(fn));
    }, ms);
    this.timers.add(t);
  }

  /** POSTs a callback to NetFlow as the provider would; failures are logged, never thrown. */
  async sendCallback(provider: string, url: string, body: string, headers: Record<string, string> = {}): Promise<number | null> {
    if (!this.callbackAllowed(url)) {
      this.record({
        provider,
        direction: 'out',
        what: `callback to ${url.slice(0, 200)} refused: the sandbox calls back to NetFlow's own callback URL only`,
      });
      return null;
    }
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      this.record({
        provider,
        direction: 'out',
        what: `callback ${url}`,
        status: res.status,
        body: { sent: safeJson(body), answer: safeJson(text) },
      });
      return res.status;
    } catch (err) {
      this.record({ provider, direction: 'out', what: `callback ${url} failed: ${(err as Error).message}`, body: safeJson(body) });
      return null;
    }
  }

  /** Resolves once no callback is scheduled or running (tests wait on it). */
  async settled(): Promise<void> {
    while (this.timers.size > 0 || this.inflight.size > 0) {
      await Promise.all([...this.inflight]);
      if (this.timers.size > 0) await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private track(p: Promise<void>): void {
    const tracked = p
      .catch((err: Error) => this.record({ provider: 'sandbox', direction: 'out', what: `error: ${err.message}` }))
      .finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
