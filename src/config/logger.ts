// NetFlow's logger: one JSON line per event ({"level","t","msg",...fields}) on stderr, written by
// pino, which Fastify logs HTTP requests through as well (src/http/app.ts), so every line of a
// running NetFlow has one format and one LOG_LEVEL. Secrets and passwords are never passed to it:
// callers log identifiers (router name, MAC, ids), not credentials. An access code is a credential
// (its password is the code itself): log it only through maskCode.
import pino, { type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './config.js';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** The pino logger underneath, where there is one: Fastify's request log goes through it. */
  readonly pino?: PinoLogger;
}

/**
 * A logger at `level`. Lines go to stderr (synchronously: a line written just before the process
 * exits is not lost), or to `write` (one line, without its newline), which tests use.
 */
export function createLogger(level: LogLevel, write?: (line: string) => void): Logger & { readonly pino: PinoLogger } {
  const stream = write
    ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    : pino.destination({ fd: 2, sync: true });
  const p = pino(
    {
      level,
      base: undefined, // no pid/hostname in every line
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  // The message before the fields, as NetFlow's lines always had it (pino would append it last).
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => p[lvl]({ msg, ...fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), pino: p };
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
