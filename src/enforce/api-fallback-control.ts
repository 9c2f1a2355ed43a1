// RouterControl that asks by RFC 5176 first and, for a Disconnect the router NAKed for a reason
// other than "session not found" (Error-Cause 503) or left unanswered after its retransmissions,
// removes the user through the RouterOS API (/ip/hotspot/active/remove), when the router has API
// credentials. A router without them gets exactly the CoA outcome, as before.
// CoA (limit changes) has no API fallback: a hotspot user's limits are fixed at login on RouterOS.
import type { ApiTarget } from '../routers/routeros-client.js';
import { RouterApiError, withRouterApi } from '../routers/routeros-client.js';
import { kickSession } from '../routers/hotspot-active.js';
import type { ControlledRouter, ControlOutcome, RouterControl } from './router-control.js';

/** RFC 5176 Error-Cause 503: the router does not have the session; nothing to kick. */
const SESSION_NOT_FOUND = 503;

export interface ApiFallbackOptions {
  /** The router's API target, or null without credentials. */
  targetFor(router: ControlledRouter): Promise<ApiTarget | null>;
  apiTimeoutMs?: number;
  onError?: (message: string, fields: Record<string, unknown>) => void;
}

function needsFallback(outcome: ControlOutcome): boolean {
  if (outcome.result === 'no-answer') return true;
  return outcome.result === 'nakked' && outcome.cause !== SESSION_NOT_FOUND;
}

export function withApiFallback(primary: RouterControl, options: ApiFallbackOptions): RouterControl {
  return {
    async disconnect(session, router) {
      const outcome = await primary.disconnect(session, router);
      if (!needsFallback(outcome)) return outcome;
      let target: ApiTarget | null;
      try {
        target = await options.targetFor(router);
      } catch (err) {
        options.onError?.('RouterOS API credentials unreadable', { router: router.name, error: (err as Error).message });
        return outcome;
      }
      if (!target) return outcome;
      const coa = outcome.result === 'nakked' ? `NAK, Error-Cause ${outcome.cause ?? 'none'}` : 'no answer';
      try {
        const removed = await withRouterApi(target, (api) => kickSession(api, session), options.apiTimeoutMs);
        const sent = {
          ...outcome.sent,
          fallback: { via: 'routeros-api', command: '/ip/hotspot/active/remove', coa, removed: removed.length },
        };
        // Nothing to remove: the router does not have the session, which is what a 503 says.
        if (removed.length === 0) return { result: 'nakked', cause: SESSION_NOT_FOUND, message: 'not in /ip/hotspot/active', sent };
        return { result: 'acked', sent };
      } catch (err) {
        const why = err instanceof RouterApiError ? err.message : String(err);
        options.onError?.('fallback kick through the RouterOS API failed', { router: router.name, error: why });
        // The CoA outcome stands (a NAK is final, silence is retried); the API failure is recorded with it.
        if (outcome.result === 'no-answer') return { ...outcome, error: `${outcome.error}; RouterOS API: ${why}` };
        return { ...outcome, sent: { ...outcome.sent, fallback: { via: 'routeros-api', coa, error: why } } };
      }
    },
    changeLimits: (session, router, limits) => primary.changeLimits(session, router, limits),
    close: () => primary.close(),
  };
}
