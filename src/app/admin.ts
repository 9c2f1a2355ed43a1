// Wires the admin API into a running NetFlow: its login throttle (counted in the database every
// instance shares), the session policy from the configuration, the LISTEN for live sessions, a
// sweep of ended sessions, and the first-run setup token, printed while no admin exists.
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { Database } from '../db/database.js';
import type { AdminDeps } from '../http/admin/index.js';
import { pgCounterStore, RateLimiter } from '../http/rate-limit.js';
import { issueSetupToken, sweepSessions, type SessionPolicy } from '../admin/sign-in.js';

export interface AdminHandle {
  deps: AdminDeps;
  close(): void;
}

export function sessionPolicyFor(config: Config): SessionPolicy {
  return { idleMs: config.adminSessionIdleMinutes * 60_000, absoluteMs: config.adminSessionHours * 3600_000 };
}

export function setupAdmin(config: Config, db: Database, log: Logger, over: Partial<AdminDeps> = {}): AdminHandle {
  const limiter = new RateLimiter(pgCounterStore(db.pool), {
    onError: (err) => log.error('admin login throttle sweep failed', { error: err.message }),
  });
  limiter.startSweeping();
  const session = sessionPolicyFor(config);
  const sweeper = setInterval(() => {
    sweepSessions(db.prisma, session).catch((err: Error) => log.warn('admin session sweep failed', { error: err.message }));
  }, 10 * 60_000);
  sweeper.unref();
  return {
    deps: { prisma: db.prisma, pool: db.pool, limiter, session, cookieSecure: config.adminCookieSecure, databaseUrl: db.url, log, ...over },
    close() {
      clearInterval(sweeper);
      limiter.close();
    },
  };
}

/**
 * First run: while no admin exists, a one-time token for POST /api/v1/admin/setup, printed in the
 * log (the one secret NetFlow ever logs, on purpose: whoever reads the log of a fresh install is
 * its operator; it dies with the first admin). `netflow admin create` works as well.
 */
export async function announceSetupToken(db: Database, log: Logger, httpPort: number): Promise<string | null> {
  const token = await issueSetupToken(db.prisma);
  if (token) {
    log.warn('no admin exists yet: create the first one with this one-time setup token (or `netflow admin create`)', {
      setupToken: token,
      how: `curl -X POST http://127.0.0.1:${httpPort}/api/v1/admin/setup -H 'content-type: application/json' -d '{"token":"${token}","email":"you@example.com","password":"at least 10 characters"}'`,
    });
  }
  return token;
}
