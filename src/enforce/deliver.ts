// Sends claimed actions to their routers and records what happened.
import type { Attribute } from '../radius/encode.js';
import type { DynamicClient } from '../radius/dynamic-client.js';
import { isIPv4 } from 'node:net';
import type { ClaimedAction, Completion } from './queue.js';

export interface RetryPolicy {
  /** Attempts (each of several transmissions) before giving up. */
  maxAttempts: number;
  /** Wait before attempt n+1: base·2^(n-1), capped. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 20, baseDelaySeconds: 15, maxDelaySeconds: 600 };

/** MikroTik's documented Session-Timeout maximum (as in Access-Accept). */
const MAX_SESSION_TIMEOUT = 21_474_720;

/**
 * How RouterOS finds a hotspot session: User-Name + Acct-Session-Id + Framed-IP-Address (User-Name
 * = MAC alone once disconnected the wireless client instead), plus the router's own address as
 * NAS-IP-Address, which RouterOS checks, and Event-Timestamp against replays (RFC 5176 §4).
 */
export function sessionIdentity(action: ClaimedAction, now: Date): Attribute[] {
  const attrs: Attribute[] = [
    ['User-Name', action.user_name],
    ['Acct-Session-Id', action.acct_session_id],
  ];
  if (action.framed_ip) attrs.push(['Framed-IP-Address', action.framed_ip]);
  if (action.mac) attrs.push(['Calling-Station-Id', action.mac]);
  if (isIPv4(action.router_ip)) attrs.push(['NAS-IP-Address', action.router_ip]);
  attrs.push(['Event-Timestamp', now]);
  return attrs;
}

/** CoA: the limits the session's entitlement gives now (RouterOS accepts these in CoA). */
export function coaChanges(action: ClaimedAction): Attribute[] {
  const changes: Attribute[] = [];
  if (action.rate_up && action.rate_down) changes.push(['Mikrotik-Rate-Limit', `${action.rate_up}/${action.rate_down}`]);
  if (action.expires_at) {
    // RouterOS's session-timeout is an uptime limit, counted from the session's start, not from
    // this request: send the uptime at which the code expires. Our started_at is when the Start
    // arrived (never before the router's start), so the router may cut a moment early, never late.
    const uptimeAtExpiry = Math.floor((action.expires_at.getTime() - action.started_at.getTime()) / 1000);
    // A limit at or below the current uptime ends the session at once, which is what an expired code needs.
    changes.push(['Session-Timeout', Math.min(Math.max(uptimeAtExpiry, 1), MAX_SESSION_TIMEOUT)]);
  }
  if (action.idle_timeout) changes.push(['Idle-Timeout', action.idle_timeout]);
  return changes;
}

export function retryDelaySeconds(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.baseDelaySeconds * 2 ** Math.max(attempts - 1, 0), policy.maxDelaySeconds);
}

export async function deliver(client: DynamicClient, action: ClaimedAction, policy: RetryPolicy, now: () => Date): Promise<Completion> {
  // The session ended on its own (Stop, Accounting-On) since this was queued: nothing to do.
  if (action.session_status === 'closed') return { status: 'obsolete' };
  const changes = action.kind === 'coa' ? coaChanges(action) : [];
  const attributes = [...sessionIdentity(action, now()), ...changes];
  const outcome = await client.send({ kind: action.kind, host: action.router_ip, port: action.coa_port, secret: action.router_secret, attributes });
  const sent = Object.fromEntries(attributes.map(([name, value]) => [name, value instanceof Date ? Math.floor(value.getTime() / 1000) : value]));
  if (outcome.result === 'ack') return { status: 'acked', sent };
  if (outcome.result === 'nak') return { status: 'nakked', errorCause: outcome.errorCause, sent };
  const error = `no reply from ${action.router_ip}:${action.coa_port} after ${outcome.transmissions} transmissions`;
  if (action.attempts >= policy.maxAttempts) return { status: 'failed', error };
  return { status: 'retry', error, nextAttemptAt: new Date(now().getTime() + retryDelaySeconds(policy, action.attempts) * 1000) };
}
