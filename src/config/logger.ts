// A tiny leveled logger writing one JSON line per event to stderr. Secrets and passwords are
// never passed to it: callers log identifiers (router name, MAC, ids), not credentials. An access
// code is a credential (its password is the code itself): log it only through maskCode.
import type { LogLevel } from './config.js';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg, ...fields }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent');

/**
 * An access code as logs may show it: its first two characters and its length ("92******"),
 * enough to match a guest's complaint, useless for logging in.
 */
export function maskCode(code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  const chars = [...code];
  return chars.length <= 4 ? '*'.repeat(chars.length) : chars.slice(0, 2).join('') + '*'.repeat(chars.length - 2);
}
