// authorize + authenticate: decides an Access-Request from the guest's paid entitlement.
// The decision and the device claim happen in one database call (netflow_authorize_requests and
// netflow_decide_logins in prisma/functions/logins.sql; the code's own state is netflow_code_state's,
// prisma/functions/code_state.sql) so concurrent logins with one code cannot both take its last place.
import { createHash, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { createBatcher } from './batcher.js';
import { allKeys } from './record-keys.js';
import { isConnectionFailure, storableText } from './storable.js';
import type { AccessRequest, Decision, RejectReason } from './types.js';

export interface AuthorizeOptions {
  /** How long an accepted device holds its place before its Accounting-Start arrives. */
  holdSeconds: number;
  maxBatch?: number;
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

const DECIDE_BATCH: Pick<pg.QueryConfig, 'name' | 'text'> = {
  name: 'netflow_authorize_requests',
  text: 'SELECT * FROM netflow_authorize_requests($1::json, $2::json, $3)',
};

/**
 * One code login as netflow_decide_logins reads it (a JSON array of these). Its json_to_recordset
 * column list in prisma/functions/logins.sql declares the same keys: test/db/functions.test.ts
 * compares it with CODE_LOGIN_KEYS.
 */
export interface CodeLogin {
  /** The request's place in the batch, from 1: the result row's idx. */
  seq: number;
  router_id: number;
  code: string;
  /** PAP User-Password; null with CHAP. */
  password: string | null;
  /** CHAP: ident, response and challenge, base64. */
  chap_ident: string | null;
  chap_response: string | null;
  chap_challenge: string | null;
  mac: string | null;
  /** The request's time, ms since the epoch. */
  now_ms: number;
  /** The router vouched for the device (MAC login): no password to check. Absent: false. */
  by_mac?: boolean;
}
export const CODE_LOGIN_KEYS = allKeys<CodeLogin>()([
  'seq',
  'router_id',
  'code',
  'password',
  'chap_ident',
  'chap_response',
  'chap_challenge',
  'mac',
  'now_ms',
  'by_mac',
]);

/** One MAC login (hotspot login-by=mac) as netflow_authorize_requests reads it. */
export interface MacLogin {
  seq: number;
  router_id: number;
  mac: string | null;
  now_ms: number;
}
export const MAC_LOGIN_KEYS = allKeys<MacLogin>()(['seq', 'router_id', 'mac', 'now_ms']);

/** One decision the database makes: a code login, or a MAC login (code = the MAC). */
interface Question {
  routerId: number;
  code: string;
  password: string | null;
  chap: { ident: Buffer; hash: Buffer; challenge: Buffer } | null;
  mac: string | null;
  byMac: boolean;
  now: Date;
}

export type Authorizer = (request: AccessRequest) => Promise<Decision>;

export interface AuthorizerHandle {
  authorize: Authorizer;
  drain(): Promise<void>;
}

export function createAuthorizer(pool: pg.Pool, options: AuthorizeOptions): AuthorizerHandle {
  // One call in flight: measured against two (radload, 32 and 256 in flight, 2026-11-30), one gives
  // more decisions per second and a lower p99 — bigger batches, and the database backend does not
  // compete with a second one for the cores the RADIUS side needs. The next batch is sent before
  // the replies to the last one are encoded (see createBatcher).
  const batcher = createBatcher<Question, DecisionRow>((questions) => decide(pool, questions, options), {
    maxBatch: options.maxBatch ?? 64,
    concurrency: 1,
    keysOf: (q) => [q.code], // the statement decides a code once per batch; a second login waits its turn
    isFatal: isConnectionFailure,
  });
  return {
    authorize: async (request) => {
      if (request.userNameAsMac) {
        const refusal = macLoginRefusal(request, request.userNameAsMac);
        if (refusal) return { accept: false, reason: refusal };
      }
      const c = request.credential;
      // Throws UnstorableValue (the request is dropped as malformed) before it can join a batch.
      const code = storableText('User-Name', request.userNameAsMac ?? request.userName)!;
      const password = c.kind === 'pap' ? storableText('User-Password', c.password) : null;
      const row = await batcher.submit({
        routerId: request.routerId,
        code,
        password,
        chap: c.kind === 'chap' ? c : null,
        mac: request.mac,
        byMac: request.userNameAsMac !== null,
        now: request.now,
      });
      return toDecision(row);
    },
    drain: () => batcher.drain(),
  };
}

/** One batch, one call: the code logins and the MAC logins as two JSON documents. */
async function decide(pool: pg.Pool, questions: Question[], options: AuthorizeOptions): Promise<DecisionRow[]> {
  const codes: CodeLogin[] = [];
  const macs: MacLogin[] = [];
  questions.forEach((q, index) => {
    const seq = index + 1;
    if (q.byMac) macs.push({ seq, router_id: q.routerId, mac: q.mac, now_ms: q.now.getTime() });
    else {
      codes.push({
        seq,
        router_id: q.routerId,
        code: q.code,
        password: q.password,
        chap_ident: q.chap?.ident.toString('base64') ?? null,
        chap_response: q.chap?.hash.toString('base64') ?? null,
        chap_challenge: q.chap?.challenge.toString('base64') ?? null,
        mac: q.mac,
        now_ms: q.now.getTime(),
      });
    }
  });
  const { rows } = await pool.query<DecisionRow & { idx: number }>({
    ...DECIDE_BATCH,
    values: [JSON.stringify(codes), JSON.stringify(macs), options.holdSeconds],
  });
  const byIndex: DecisionRow[] = [];
  for (const row of rows) byIndex[row.idx - 1] = row;
  return questions.map((_q, i) => byIndex[i]);
}

/**
 * MAC authentication: the router vouches for the device's MAC. The User-Name must be the
 * Calling-Station-Id itself, or a guest could type someone else's MAC into the login form.
 * RouterOS sends an empty password, or the MAC (mac-as-username-and-password).
 */
function macLoginRefusal(request: AccessRequest, mac: string): RejectReason | null {
  if (request.mac !== mac) return 'mac_mismatch';
  const acceptable = ['', request.userName, mac];
  if (!acceptable.some((p) => credentialMatches(request.credential, p))) return 'bad_password';
  return null;
}

function credentialMatches(credential: AccessRequest['credential'], password: string): boolean {
  if (credential.kind === 'pap') return credential.password === password;
  const expected = createHash('md5').update(credential.ident).update(password, 'utf8').update(credential.challenge).digest();
  return credential.hash.length === expected.length && timingSafeEqual(credential.hash, expected);
}

function toDecision(row: DecisionRow | undefined): Decision {
  if (row?.outcome !== 'accept') {
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
