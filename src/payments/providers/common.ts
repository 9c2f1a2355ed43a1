// The kit every provider adapter builds on: reading its environment variables (and saying clearly
// what a half-configured provider still needs), checking base URLs, caching an OAuth-style token
// (or session) with one refresh at a time, the error an adapter raises when it cannot get one,
// and small pieces for signatures, addresses and raw exchanges.
import { timingSafeEqual } from 'node:crypto';
import { httpJson, redact, type HttpExchange } from '../http.js';
import type { FailureReason, InitiateResult } from '../provider.js';
import { plainIp } from '../../core/addresses.js';

// ---- Environment ----------------------------------------------------------------------------

/** An environment variable's trimmed value, or undefined when unset or blank. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** A provider's settings cannot work as given: `netflow serve` refuses to start with this message. */
export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderConfigError';
  }
}

/** Reads one provider's variables from `env`. */
export function envReader(env: NodeJS.ProcessEnv) {
  const get = (name: string): string | undefined => envValue(env, name);
  return {
    get,
    /** Whether any of these is set: the operator has started configuring this provider. */
    anySet: (names: readonly string[]): boolean => names.some((n) => get(n) !== undefined),
    /** The first of these that is not set, if any. */
    firstMissing: (names: readonly string[]): string | undefined => names.find((n) => get(n) === undefined),
    /** A comma-separated list (e.g. callback addresses), blanks dropped; undefined when unset. */
    list: (name: string): string[] | undefined =>
      get(name)
        ?.split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
  };
}

/** "A, B and C". */
export function namesAnd(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** "<provider> is partly configured: NAME is not set (<what to do>)". */
export function partlyConfigured(provider: string, missing: string, what: string): ProviderConfigError {
  return new ProviderConfigError(`${provider} is partly configured: ${missing} is not set (${what})`);
}

/** "NAME is not set (<provider> needs …)": a variable a provider needs once any of its others is set. */
export function notSet(name: string, why: string): ProviderConfigError {
  return new ProviderConfigError(`${name} is not set (${why})`);
}

// ---- URLs -----------------------------------------------------------------------------------

/** An absolute http(s) URL from variable `name`, or a ProviderConfigError naming it. */
export function httpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProviderConfigError(`${name} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ProviderConfigError(`${name} must be an http(s) URL, got "${value}"`);
  return url;
}

/** A provider's base URL from variable `name`: checked as http(s), without trailing slashes. */
export function httpBaseUrl(name: string, value: string): string {
  httpUrl(name, value);
  return trimSlashes(value);
}

/** `url` without trailing slashes, so paths can be appended with their own leading "/". */
export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

// ---- Tokens ---------------------------------------------------------------------------------

/** A bearer token (or session id) and when to stop using it (ms since the epoch). */
export interface CachedToken {
  token: string;
  refreshAt: number;
}

/**
 * When to refresh a token that lives `expiresIn` seconds (providers send a number or a numeric
 * string; anything else counts as `fallbackSeconds`): `marginSeconds` early, but not before half its life.
 */
export function refreshAtFor(expiresIn: unknown, fallbackSeconds: number, marginSeconds: number, now = Date.now()): number {
  const seconds = Number(expiresIn);
  const life = Number.isFinite(seconds) && seconds > 0 ? seconds : fallbackSeconds;
  return now + Math.max(life - marginSeconds, life / 2) * 1000;
}

/**
 * One token for everyone: cached until its refreshAt, fetched at most once at a time (concurrent
 * callers share one request). `forget` drops a token the provider refused, unless a newer one has
 * replaced it meanwhile.
 */
export function tokenCache(fetch: () => Promise<CachedToken>) {
  let cached: CachedToken | null = null;
  let inflight: Promise<CachedToken> | null = null;
  return {
    async token(): Promise<string> {
      if (cached && Date.now() < cached.refreshAt) return cached.token;
      inflight ??= fetch()
        .then((t) => (cached = t))
        .finally(() => (inflight = null));
      return (await inflight).token;
    },
    forget(token: string): void {
      if (cached?.token === token) cached = null;
    },
  };
}

export type TokenCache = ReturnType<typeof tokenCache>;

/**
 * Fetches an OAuth2 access token with one POST (client_credentials or password grant). Logs the
 * exchange under `token` with `logBody` in place of the body (it holds secrets); a refusal is a
 * ProviderAuthError with `refusedReason(status)`.
 */
export async function fetchOAuthToken(o: {
  url: string;
  headers?: Record<string, string>;
  body: unknown;
  logBody: unknown;
  timeoutMs: number;
  /** Lifetime when the answer has no usable expires_in. */
  lifeSeconds: number;
  /** How long before expiry to stop using it. */
  marginSeconds: number;
  refusedReason: (status: number) => FailureReason;
}): Promise<CachedToken> {
  const request = { method: 'POST', url: o.url, body: o.logBody };
  let ex: HttpExchange;
  try {
    ex = await httpJson({ method: 'POST', url: o.url, headers: o.headers, body: o.body, timeoutMs: o.timeoutMs });
  } catch (err) {
    throw new ProviderAuthError(`token: ${(err as Error).message}`, 'provider_error', {
      token: { request, error: (err as Error).message },
    });
  }
  const raw = { token: { request, response: { status: ex.status, body: redact(ex.body) } } };
  const b = (ex.body ?? {}) as { access_token?: unknown; expires_in?: unknown };
  if (ex.status === 200 && typeof b.access_token === 'string' && b.access_token) {
    return { token: b.access_token, refreshAt: refreshAtFor(b.expires_in, o.lifeSeconds, o.marginSeconds) };
  }
  throw new ProviderAuthError(`token refused: HTTP ${ex.status}`, o.refusedReason(ex.status), raw);
}

/**
 * One API call with a cached token; when `refused` says the provider no longer takes that token,
 * it is forgotten and the call made once more (nothing happened on a refused token). Every
 * exchange is kept (redacted) for the event log; a failed call carries them as `exchanges`.
 */
export async function callWithToken(
  tokens: TokenCache,
  request: unknown,
  send: (token: string) => Promise<HttpExchange>,
  refused: (res: HttpExchange) => boolean,
): Promise<{ res: HttpExchange; raw: unknown[] }> {
  const raw: unknown[] = [];
  for (let attempt = 0; ; attempt++) {
    const token = await tokens.token();
    try {
      const res = await send(token);
      raw.push({ request, response: { status: res.status, body: redact(res.body) } });
      if (attempt === 0 && refused(res)) {
        tokens.forget(token);
        continue;
      }
      return { res, raw };
    } catch (err) {
      raw.push({ request, error: (err as Error).message });
      throw Object.assign(err as Error, { exchanges: raw });
    }
  }
}

/** Getting a token or session failed: why (config_error when it is our settings), and the exchange. */
export class ProviderAuthError extends Error {
  constructor(
    message: string,
    readonly reason: FailureReason,
    readonly raw: unknown,
  ) {
    super(message);
    this.name = 'ProviderAuthError';
  }
}

// ---- Small pieces ---------------------------------------------------------------------------

/** Compares a received signature with the expected one in constant time. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** An initiation that failed before or at the provider: nothing to wait for. */
export function failedInitiate(reason: FailureReason, message: string, raw: unknown): InitiateResult {
  return { outcome: 'failed', providerRef: null, reason, message, raw };
}

/** Whether `ip` is one of `allowed` (IPv4-mapped IPv6 and plain IPv4 count as the same). */
export function ipListed(allowed: readonly string[], ip: string): boolean {
  return allowed.map(plainIp).includes(plainIp(ip));
}

/** What an adapter logs for a failed call: the exchange it attached to the error, else the message. */
export function rawOf(err: unknown): unknown {
  return (err as { raw?: unknown }).raw ?? { error: (err as Error).message };
}
