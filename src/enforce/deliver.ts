// Sends claimed actions to their routers (through a RouterControl) and says what to record.
import type { ClaimedAction, Completion } from './queue.js';
import type { ControlledRouter, ControlledSession, RouterControl, SessionLimits } from './router-control.js';

export interface RetryPolicy {
  /** Attempts (each of several transmissions) before giving up. */
  maxAttempts: number;
  /** Wait before attempt n+1: base·2^(n-1), capped. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 20, baseDelaySeconds: 15, maxDelaySeconds: 600 };

/** The session a queued action names, as RouterControl takes it. */
export function sessionOf(action: ClaimedAction): ControlledSession {
  return {
    userName: action.user_name,
    acctSessionId: action.acct_session_id,
    mac: action.mac,
    framedIp: action.framed_ip,
    startedAt: action.started_at,
  };
}

export function routerOf(action: ClaimedAction): ControlledRouter {
  return { id: action.router_id, name: action.router_name, ip: action.router_ip, secret: action.router_secret, coaPort: action.coa_port };
}

/** For a CoA: the limits the session's entitlement gives now. */
export function limitsOf(action: ClaimedAction): SessionLimits {
  return { rateUp: action.rate_up, rateDown: action.rate_down, expiresAt: action.expires_at, idleTimeoutSeconds: action.idle_timeout };
}

export function retryDelaySeconds(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.baseDelaySeconds * 2 ** Math.max(attempts - 1, 0), policy.maxDelaySeconds);
}

/** Asks the router (through whichever RouterControl) to carry out a claimed action; says what to record. */
export async function deliver(control: RouterControl, action: ClaimedAction, policy: RetryPolicy, now: () => Date): Promise<Completion> {
  // The session ended on its own (Stop, Accounting-On) since this was queued: nothing to do.
  if (action.session_status === 'closed') return { status: 'obsolete' };
  const session = sessionOf(action);
  const router = routerOf(action);
  const outcome =
    action.kind === 'coa' ? await control.changeLimits(session, router, limitsOf(action)) : await control.disconnect(session, router);
  if (outcome.result === 'acked') return { status: 'acked', sent: outcome.sent };
  if (outcome.result === 'nakked') return { status: 'nakked', errorCause: outcome.cause, sent: outcome.sent };
  if (action.attempts >= policy.maxAttempts) return { status: 'failed', error: outcome.error };
  return {
    status: 'retry',
    error: outcome.error,
    nextAttemptAt: new Date(now().getTime() + retryDelaySeconds(policy, action.attempts) * 1000),
  };
}
