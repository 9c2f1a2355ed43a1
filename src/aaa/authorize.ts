// authorize + authenticate: decides an Access-Request from the guest's paid entitlement.
// The decision and the device claim happen in one database call (netflow_authorize*, see the
// aaa_functions migration) so concurrent logins with one code cannot both take its last place.
import { createHash, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { AccessRequest, Decision, RejectReason } from './types.js';

export interface AuthorizeOptions {
  /** How long an accepted device holds its place before its Accounting-Start arrives. */
  holdSeconds: number;
}

interface DecisionRow {
  outcome: string;
  entitlement_id: number | null;
  seconds_left: number | null;
  bytes_left: bigint | null;
  rate_up: string | null;
  rate_down: string | null;
  idle_timeout: number | null;
}

const CODE_LOGIN: pg.QueryConfig = {
  name: 'netflow_authorize',
  text: 'SELECT * FROM netflow_authorize($1, $2, $3, $4, $5, $6, $7, $8, $9)',
};
const MAC_LOGIN: pg.QueryConfig = {
  name: 'netflow_authorize_mac',
  text: 'SELECT * FROM netflow_authorize_mac($1, $2, $3, $4)',
};

export type Authorizer = (request: AccessRequest) => Promise<Decision>;

export function createAuthorizer(pool: pg.Pool, options: AuthorizeOptions): Authorizer {
  return async (request) => {
    if (request.userNameAsMac) return macLogin(pool, request, request.userNameAsMac, options);
    const c = request.credential;
    const values =
      c.kind === 'pap'
        ? [request.routerId, request.userName, c.password, null, null, null]
        : [request.routerId, request.userName, null, c.ident, c.hash, c.challenge];
    const { rows } = await pool.query<DecisionRow>({
      ...CODE_LOGIN,
      values: [...values, request.mac, request.now, options.holdSeconds],
    });
    return toDecision(rows[0]);
  };
}

/**
 * MAC authentication: the router vouches for the device's MAC. The User-Name must be the
 * Calling-Station-Id itself, or a guest could type someone else's MAC into the login form.
 * RouterOS sends an empty password, or the MAC (mac-as-username-and-password).
 */
async function macLogin(pool: pg.Pool, request: AccessRequest, mac: string, options: AuthorizeOptions): Promise<Decision> {
  if (request.mac !== mac) return { accept: false, reason: 'mac_mismatch' };
  const acceptable = ['', request.userName, mac];
  if (!acceptable.some((p) => credentialMatches(request.credential, p))) return { accept: false, reason: 'bad_password' };
  const { rows } = await pool.query<DecisionRow>({ ...MAC_LOGIN, values: [request.routerId, mac, request.now, options.holdSeconds] });
  return toDecision(rows[0]);
}

function credentialMatches(credential: AccessRequest['credential'], password: string): boolean {
  if (credential.kind === 'pap') return credential.password === password;
  const expected = createHash('md5').update(credential.ident).update(password, 'utf8').update(credential.challenge).digest();
  return credential.hash.length === expected.length && timingSafeEqual(credential.hash, expected);
}

function toDecision(row: DecisionRow | undefined): Decision {
  if (!row || row.outcome !== 'accept') {
    return { accept: false, reason: (row?.outcome ?? 'unknown_code') as RejectReason };
  }
  return {
    accept: true,
    grant: {
      entitlementId: row.entitlement_id!,
      secondsLeft: row.seconds_left!,
      bytesLeft: row.bytes_left,
      rateUp: row.rate_up!,
      rateDown: row.rate_down!,
      idleTimeoutSeconds: row.idle_timeout,
    },
  };
}
