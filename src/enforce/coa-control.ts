// RouterControl over RFC 5176 Dynamic Authorization: Disconnect-Request and CoA-Request to the
// router's `/radius incoming` port, through the shared UDP client (src/radius/dynamic-client.ts).
import { isIPv4 } from 'node:net';
import type { Attribute } from '../radius/encode.js';
import type { DynamicClient } from '../radius/dynamic-client.js';
import type { ControlledRouter, ControlledSession, ControlOutcome, RouterControl, SessionLimits } from './router-control.js';

/** MikroTik's documented Session-Timeout maximum (as in Access-Accept). */
const MAX_SESSION_TIMEOUT = 21_474_720;

/**
 * How RouterOS finds a hotspot session: User-Name + Acct-Session-Id + Framed-IP-Address (User-Name
 * = MAC alone once disconnected the wireless client instead), plus the router's own address as
 * NAS-IP-Address, which RouterOS checks, and Event-Timestamp against replays (RFC 5176 §4).
 */
export function sessionIdentity(session: ControlledSession, router: Pick<ControlledRouter, 'ip'>, now: Date): Attribute[] {
  const attrs: Attribute[] = [
    ['User-Name', session.userName],
    ['Acct-Session-Id', session.acctSessionId],
  ];
  if (session.framedIp) attrs.push(['Framed-IP-Address', session.framedIp]);
  if (session.mac) attrs.push(['Calling-Station-Id', session.mac]);
  if (isIPv4(router.ip)) attrs.push(['NAS-IP-Address', router.ip]);
  attrs.push(['Event-Timestamp', now]);
  return attrs;
}

/** CoA: the limits the session's entitlement gives now (RouterOS accepts these in CoA). */
export function coaChanges(session: Pick<ControlledSession, 'startedAt'>, limits: SessionLimits): Attribute[] {
  const changes: Attribute[] = [];
  if (limits.rateUp && limits.rateDown) changes.push(['Mikrotik-Rate-Limit', `${limits.rateUp}/${limits.rateDown}`]);
  if (limits.expiresAt) {
    // RouterOS's session-timeout is an uptime limit, counted from the session's start, not from
    // this request: send the uptime at which the code expires. Our started_at is when the Start
    // arrived (never before the router's start), so the router may cut a moment early, never late.
    const uptimeAtExpiry = Math.floor((limits.expiresAt.getTime() - session.startedAt.getTime()) / 1000);
    // A limit at or below the current uptime ends the session at once, which is what an expired code needs.
    changes.push(['Session-Timeout', Math.min(Math.max(uptimeAtExpiry, 1), MAX_SESSION_TIMEOUT)]);
  }
  if (limits.idleTimeoutSeconds) changes.push(['Idle-Timeout', limits.idleTimeoutSeconds]);
  return changes;
}

export function coaRouterControl(client: DynamicClient, now: () => Date = () => new Date()): RouterControl {
  async function send(
    kind: 'disconnect' | 'coa',
    session: ControlledSession,
    router: ControlledRouter,
    changes: Attribute[],
  ): Promise<ControlOutcome> {
    const attributes = [...sessionIdentity(session, router, now()), ...changes];
    const sent = Object.fromEntries(
      attributes.map(([name, value]) => [name, value instanceof Date ? Math.floor(value.getTime() / 1000) : value]),
    );
    const outcome = await client.send({ kind, host: router.ip, port: router.coaPort, secret: router.secret, attributes });
    if (outcome.result === 'ack') return { result: 'acked', sent };
    if (outcome.result === 'nak') return { result: 'nakked', cause: outcome.errorCause, sent };
    return {
      result: 'no-answer',
      error: `no reply from ${router.ip}:${router.coaPort} after ${outcome.transmissions} transmissions`,
      sent,
    };
  }
  return {
    disconnect: (session, router) => send('disconnect', session, router, []),
    changeLimits: (session, router, limits) => send('coa', session, router, coaChanges(session, limits)),
    close: () => client.close(),
  };
}
