// One short RouterOS API conversation (node-routeros): connect, log in, run a few commands, close.
// Every conversation has one overall deadline: node-routeros's own socket timeout does not cover a
// router that accepts the connection and then says nothing, and a stuck promise must never hold a
// health round or an enforcement delivery. Errors say what failed, never the password.
import { readFileSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import { createRequire } from 'node:module';
import { RouterOSAPI } from 'node-routeros';

// node-routeros's debug output (DEBUG=routeros-api:*) prints every word it sends, the login's
// password among them: that namespace stays off whatever DEBUG says.
{
  const require = createRequire(import.meta.url);
  const debug = createRequire(require.resolve('node-routeros'))('debug') as { disable(): string; enable(namespaces: string): void };
  const enabled = debug.disable();
  debug.enable(enabled ? `${enabled},-routeros-api:*` : '-routeros-api:*');
}

export interface ApiTarget {
  host: string;
  port: number;
  tls: boolean;
  /** PEM of the CA for a router's self-signed API-SSL certificate; else the system's CAs. */
  caFile: string | null;
  user: string;
  password: string;
}

export type ApiRow = Record<string, string>;

export interface ApiSession {
  /** A command with its words (`=name=value`, `?name=value`, `=.proplist=a,b`); the !re rows. */
  run(command: string, words?: string[]): Promise<ApiRow[]>;
}

export class RouterApiError extends Error {
  override name = 'RouterApiError';
}

export const DEFAULT_API_TIMEOUT_MS = 8_000;

function systemErrorName(errno: number): string {
  try {
    return getSystemErrorName(errno);
  } catch {
    return String(errno);
  }
}

/** What went wrong, in words an operator can act on. */
function explain(err: unknown, target: ApiTarget): string {
  const e = err as { errno?: string | number; message?: string; code?: string };
  const where = `${target.host}:${target.port}`;
  // node-routeros passes a socket error's numeric errno on (-111), not its code (ECONNREFUSED).
  const code = typeof e?.errno === 'number' ? systemErrorName(e.errno) : (e?.errno ?? e?.code);
  if (code === 'CANTLOGIN')
    return `login refused by ${where} (check the API user and password: netflow router api NAME --user U --password P)`;
  if (code === 'ECONNREFUSED')
    return `connection refused by ${where} (is /ip service ${target.tls ? 'api-ssl' : 'api'} enabled on that port?)`;
  if (code === 'SOCKTMOUT' || code === 'ETIMEDOUT') return `no answer from ${where} in time`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${where} is unreachable`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `${where} closed the connection`;
  if (String(code).includes('CERT') || String(code).includes('SELF_SIGNED'))
    return `${where}: its API-SSL certificate is not trusted (${code}; give its CA with --ca-file)`;
  const message = (typeof err === 'string' ? err : e?.message || code) || 'connection failed';
  return `${where}: ${String(message).replaceAll(target.password, '***')}`;
}

/**
 * Runs `work` in one logged-in conversation and closes it, within `timeoutMs` in all. Rejects with
 * RouterApiError (connection, login, a !trap, the deadline).
 */
export async function withRouterApi<T>(
  target: ApiTarget,
  work: (api: ApiSession) => Promise<T>,
  timeoutMs = DEFAULT_API_TIMEOUT_MS,
): Promise<T> {
  const api = new RouterOSAPI({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    ...(target.tls
      ? { tls: { ca: target.caFile ? readFileSync(target.caFile) : undefined, rejectUnauthorized: true, minVersion: 'TLSv1.2' as const } }
      : {}),
  });
  // A socket error after login is emitted on the client; without a listener it would crash the process.
  api.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RouterApiError(`no answer from ${target.host}:${target.port} within ${timeoutMs} ms`)), timeoutMs);
  });
  const conversation = (async () => {
    await api.connect();
    return work({
      run: async (command, words = []) => (await api.write(command, words)) as ApiRow[],
    });
  })();
  try {
    return await Promise.race([conversation, deadline]);
  } catch (err) {
    if (err instanceof RouterApiError) throw err;
    // node-routeros drops a TLS verification error's reason; the socket still has it.
    const socket = (api as unknown as { connector?: { socket?: { authorizationError?: Error & { code?: string } } } }).connector?.socket;
    const tlsError = target.tls ? socket?.authorizationError : undefined;
    throw new RouterApiError(explain(tlsError ? { code: tlsError.code ?? String(tlsError) } : err, target));
  } finally {
    clearTimeout(timer);
    conversation.catch(() => {});
    // close() waits for the router's goodbye; a router that never sends it is cut off after a second.
    const connector = () => (api as unknown as { connector?: { destroy(): void } | null }).connector;
    if (api.connected) {
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([api.close().catch(() => {}), new Promise<void>((r) => (wait = setTimeout(r, 1000)))]);
      clearTimeout(wait);
    }
    connector()?.destroy();
  }
}
