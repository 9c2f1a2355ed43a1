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
  return {
    databaseUrl,
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
