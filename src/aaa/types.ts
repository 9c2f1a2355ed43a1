// The AAA layer's view of a request: plain data, already decoded by the RADIUS layer.
// Nothing here knows about packets or sockets.

/** How the guest proved who they are. */
export type Credential =
  | { kind: 'pap'; password: string }
  /** CHAP: MD5(ident || password || challenge) as sent by the hotspot's http-chap login. */
  | { kind: 'chap'; ident: Buffer; hash: Buffer; challenge: Buffer };

export interface AccessRequest {
  routerId: number;
  userName: string;
  credential: Credential;
  /** Calling-Station-Id, normalised to AA:BB:CC:DD:EE:FF, or null when absent/unparseable. */
  mac: string | null;
  /** User-Name normalised as a MAC when it is one (hotspot login-by=mac), else null. */
  userNameAsMac: string | null;
  now: Date;
}

export type RejectReason =
  | 'unknown_code'
  | 'bad_password'
  | 'revoked'
  | 'other_router'
  | 'not_redeemed_in_time'
  | 'expired'
  | 'data_exhausted'
  | 'device_limit'
  | 'no_device'
  | 'unknown_device'
  | 'mac_mismatch';

export interface Grant {
  entitlementId: number;
  secondsLeft: number;
  /** Remaining data for capped packages, else null. */
  bytesLeft: bigint | null;
  rateUp: string;
  rateDown: string;
  idleTimeoutSeconds: number | null;
}

export type Decision = { accept: true; grant: Grant } | { accept: false; reason: RejectReason };
