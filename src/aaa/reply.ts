// post-auth: the attributes a MikroTik hotspot needs in Access-Accept / Access-Reject.
import { INT4_MAX } from './storable.js';
import type { Grant, RejectReason } from './types.js';

export type ReplyAttribute = [name: string, value: string | number | Buffer];

/** MikroTik User Manager's documented maximum for Session-Timeout. */
export const MAX_SESSION_TIMEOUT = 21_474_720;
/** RFC 2869 §5.16: Acct-Interim-Interval MUST NOT be below 60 seconds. */
export const MIN_INTERIM_INTERVAL = 60;

const TWO_POW_32 = 1n << 32n;

/** The Class we issue; the router echoes it in accounting, tying usage to the entitlement. */
export function classFor(entitlementId: number): string {
  return `nf:${entitlementId}`;
}

export function entitlementIdFromClass(value: string | null | undefined): number | null {
  const match = value ? /^nf:(\d{1,10})$/.exec(value) : null;
  const id = match ? Number(match[1]) : null;
  return id !== null && id <= INT4_MAX ? id : null; // a forged Class past int4 must not reach SQL
}

export function acceptAttributes(grant: Grant, interimIntervalSeconds: number): ReplyAttribute[] {
  const attrs: ReplyAttribute[] = [
    ['Session-Timeout', Math.min(Math.max(grant.secondsLeft, 1), MAX_SESSION_TIMEOUT)],
    // Seen from the router: rx = what it receives from the guest (upload), tx = download.
    ['Mikrotik-Rate-Limit', `${grant.rateUp}/${grant.rateDown}`],
    ['Acct-Interim-Interval', Math.max(interimIntervalSeconds, MIN_INTERIM_INTERVAL)],
    ['Class', Buffer.from(classFor(grant.entitlementId))],
  ];
  if (grant.idleTimeoutSeconds) attrs.push(['Idle-Timeout', grant.idleTimeoutSeconds]);
  if (grant.bytesLeft !== null) {
    const left = grant.bytesLeft > 0n ? grant.bytesLeft : 0n;
    attrs.push(['Mikrotik-Total-Limit', Number(left % TWO_POW_32)]);
    attrs.push(['Mikrotik-Total-Limit-Gigawords', Number(left / TWO_POW_32)]);
  }
  return attrs;
}

export const GUEST_MESSAGES: Record<RejectReason, string> = {
  unknown_code: 'This access code is not valid. Check it and try again, or buy a package.',
  bad_password: 'Wrong code or password. Check it and try again.',
  revoked: 'This access code has been cancelled. Please contact the staff.',
  other_router: 'This access code was bought for another Wi-Fi network and cannot be used here.',
  not_redeemed_in_time: 'This voucher was not used before its last valid day and has expired.',
  expired: 'Your time has run out. Buy a new package to continue.',
  data_exhausted: 'Your data allowance is used up. Buy a new package to continue.',
  device_limit: 'This code is already in use on another device. Log out there first, or buy another package.',
  no_device: 'Your device could not be identified by the Wi-Fi. Please reconnect and try again.',
  unknown_device: 'This device has no active package. Buy a package or enter your access code.',
  mac_mismatch: 'Please log in with your access code.',
};

export function rejectAttributes(reason: RejectReason): ReplyAttribute[] {
  return [['Reply-Message', GUEST_MESSAGES[reason]]];
}
