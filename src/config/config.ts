// Runtime configuration from the environment, validated once at start with errors an operator
// can act on (which variable, what was wrong, what is allowed).
import { isIP } from 'node:net';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  httpPort: number;
  httpBind: string;
  radiusAuthPort: number;
  radiusAcctPort: number;
  radiusBind: string;
  coaPort: number;
  logLevel: LogLevel;
  /** Where payment providers reach NetFlow (callback URLs); default: NetFlow's own local address. */
  publicUrl: string | undefined;
  /** Local phone numbers (0754…) are read in this country. */
  country: 'TZ' | 'KE';
  /** auto: the local payment sandbox when no provider has credentials; on; off. */
  paymentsSandbox: 'auto' | 'on' | 'off';
  /** How long the sandbox's simulated guest takes to approve a payment. */
  sandboxApproveMs: number;
  /**
   * Behind a reverse proxy: trust X-Forwarded-For from these addresses (or 'true' for any, which
   * providers trusted by callback source address refuse: see checkPaymentsConfig).
   */
  trustProxy: boolean | string[];
  /**
   * The admin session cookie's Secure flag: auto (when the request came over TLS, as NetFlow sees
   * it: behind a proxy, set TRUST_PROXY so X-Forwarded-Proto counts), always, never.
   */
  adminCookieSecure: 'auto' | 'always' | 'never';
  /** Admin sessions end after this many idle minutes, and this many hours after sign-in. */
  adminSessionIdleMinutes: number;
  adminSessionHours: number;
  /** The environment itself: payment providers read their credentials from it. */
  env: NodeJS.ProcessEnv;
}

export class ConfigError extends Error {}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  // 0 lets the OS choose, which tests use to avoid port clashes.
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`${name} must be a port number between 0 and 65535, got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgresql:// (leave it unset to use the embedded database)');
  }
  const radiusBind = env.RADIUS_BIND || '0.0.0.0';
  if (!isIP(radiusBind)) throw new ConfigError(`RADIUS_BIND must be an IP address, got "${radiusBind}"`);
  const httpBind = env.HTTP_BIND || '0.0.0.0';
  if (!isIP(httpBind)) throw new ConfigError(`HTTP_BIND must be an IP address, got "${httpBind}"`);
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const publicUrl = env.PUBLIC_URL || undefined;
  if (publicUrl && !/^https?:\/\/[^\s/]+/.test(publicUrl)) {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL such as https://wifi.example.com, got "${publicUrl}"`);
  }
  const country = (env.SITE_COUNTRY || 'TZ').toUpperCase();
  if (country !== 'TZ' && country !== 'KE') throw new ConfigError(`SITE_COUNTRY must be TZ or KE, got "${env.SITE_COUNTRY}"`);
  const paymentsSandbox = (env.PAYMENTS_SANDBOX || 'auto').toLowerCase();
  if (paymentsSandbox !== 'auto' && paymentsSandbox !== 'on' && paymentsSandbox !== 'off') {
    throw new ConfigError(`PAYMENTS_SANDBOX must be auto, on or off, got "${env.PAYMENTS_SANDBOX}"`);
  }
  const approve = Number(env.SANDBOX_APPROVE_SECONDS ?? '3');
  if (!Number.isFinite(approve) || approve < 0 || approve > 600) {
    throw new ConfigError(`SANDBOX_APPROVE_SECONDS must be a number of seconds from 0 to 600, got "${env.SANDBOX_APPROVE_SECONDS}"`);
  }
  const trustRaw = (env.TRUST_PROXY || '').trim();
  const trustProxy =
    trustRaw === '' || trustRaw === 'false' ? false : trustRaw === 'true' ? true : trustRaw.split(',').map((x) => x.trim());
  if (Array.isArray(trustProxy)) {
    const bad = trustProxy.find((x) => !isIP(x.split('/')[0]));
    if (bad !== undefined) throw new ConfigError(`TRUST_PROXY must be true, false or a comma list of proxy addresses, got "${bad}"`);
  }
  const adminCookieSecure = (env.ADMIN_COOKIE_SECURE || 'auto').toLowerCase();
  if (adminCookieSecure !== 'auto' && adminCookieSecure !== 'always' && adminCookieSecure !== 'never') {
    throw new ConfigError(`ADMIN_COOKIE_SECURE must be auto, always or never, got "${env.ADMIN_COOKIE_SECURE}"`);
  }
  const whole = (name: string, fallback: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 1 || v > max) throw new ConfigError(`${name} must be a whole number from 1 to ${max}, got "${raw}"`);
    return v;
  };
  return {
    databaseUrl,
    trustProxy,
    adminCookieSecure,
    adminSessionIdleMinutes: whole('ADMIN_SESSION_IDLE_MINUTES', 120, 7 * 24 * 60),
    adminSessionHours: whole('ADMIN_SESSION_HOURS', 24, 30 * 24),
    publicUrl,
    country,
    paymentsSandbox,
    sandboxApproveMs: Math.round(approve * 1000),
    env,
    dataDir: env.DATA_DIR || './data',
    httpPort: port(env, 'PORT', 3000),
    httpBind,
    radiusAuthPort: port(env, 'RADIUS_AUTH_PORT', 1812),
    radiusAcctPort: port(env, 'RADIUS_ACCT_PORT', 1813),
    radiusBind,
    coaPort: port(env, 'COA_PORT', 3799),
    logLevel,
  };
}
