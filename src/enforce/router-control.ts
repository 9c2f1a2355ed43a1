// How enforcement tells a router to act on one of its sessions. The scan and the delivery queue
// only know this interface; how a router is reached is an implementation detail:
// - RFC 5176 Disconnect/CoA over UDP (coa-control.ts), what NetFlow uses today;
// - later, the RouterOS API (kick a user by /ip/hotspot/active/remove, change its limits), which
//   plugs in here without the scan, the queue or the retry policy changing.
// Implementations never throw for a router's answer or silence: they return a ControlOutcome.

/** The router session to act on, as NetFlow's accounting knows it. */
export interface ControlledSession {
  /** The hotspot user (the access code, or the MAC for MAC logins). */
  userName: string;
  /** The router's own id for the session (Acct-Session-Id; RouterOS's .id of /ip/hotspot/active differs). */
  acctSessionId: string;
  mac: string | null;
  framedIp: string | null;
  /** When the router's session began: RouterOS's limits count uptime from here. */
  startedAt: Date;
}

/** The router and what is needed to reach it. */
export interface ControlledRouter {
  id: number;
  name: string;
  /** The router's address (the RADIUS client address). */
  ip: string;
  /** The shared RADIUS secret (CoA signs with it). */
  secret: string;
  /** RouterOS's `/radius incoming` port (CoA/Disconnect). */
  coaPort: number;
}

/** The limits a session should have now (from its entitlement and package). */
export interface SessionLimits {
  /** RouterOS rate strings, e.g. '2M'; both or neither. */
  rateUp: string | null;
  rateDown: string | null;
  /** When the code expires (null: its clock has not started). */
  expiresAt: Date | null;
  idleTimeoutSeconds: number | null;
}

/**
 * What the router said. `sent` is what was asked of it (for the audit trail), by name.
 * - acked: the router did it;
 * - nakked: the router answered that it would not or could not (`cause`: an RFC 5176 Error-Cause
 *   number where there is one, e.g. 503 Session-Context-Not-Found; `message`: the router's words);
 * - no-answer: nothing came back in time (the caller retries later).
 */
export type ControlOutcome =
  | { result: 'acked'; sent: Record<string, unknown> }
  | { result: 'nakked'; cause: number | null; message?: string; sent: Record<string, unknown> }
  | { result: 'no-answer'; error: string; sent: Record<string, unknown> };

export interface RouterControl {
  /** Ends the session on the router (hotspot logout). */
  disconnect(session: ControlledSession, router: ControlledRouter): Promise<ControlOutcome>;
  /** Applies new limits to the running session (rate, remaining time, idle timeout). */
  changeLimits(session: ControlledSession, router: ControlledRouter, limits: SessionLimits): Promise<ControlOutcome>;
  /** Releases sockets/connections. */
  close(): Promise<void>;
}
