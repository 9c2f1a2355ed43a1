// RADIUS packet codes (RFC 2865 §3, RFC 2866 §4, RFC 5176 §2).
export const CODE = {
  accessRequest: 1,
  accessAccept: 2,
  accessReject: 3,
  accountingRequest: 4,
  accountingResponse: 5,
  accessChallenge: 11,
  statusServer: 12,
  disconnectRequest: 40,
  disconnectAck: 41,
  disconnectNak: 42,
  coaRequest: 43,
  coaAck: 44,
  coaNak: 45,
} as const;

export const KNOWN_CODES = new Set<number>(Object.values(CODE));

/** Requests whose authenticator is an MD5 over the packet (not random): RFC 2866 §3, RFC 5176 §3.4. */
export function hasSignedRequestAuthenticator(code: number): boolean {
  return code === CODE.accountingRequest || code === CODE.disconnectRequest || code === CODE.coaRequest;
}

/** Standard attribute numbers the server itself touches. */
export const ATTR = {
  userName: 1,
  userPassword: 2,
  chapPassword: 3,
  nasIpAddress: 4,
  framedIpAddress: 8,
  replyMessage: 18,
  class: 25,
  vendorSpecific: 26,
  calledStationId: 30,
  callingStationId: 31,
  nasIdentifier: 32,
  proxyState: 33,
  acctStatusType: 40,
  acctDelayTime: 41,
  acctInputOctets: 42,
  acctOutputOctets: 43,
  acctSessionId: 44,
  acctSessionTime: 46,
  acctTerminateCause: 49,
  acctInputGigawords: 52,
  acctOutputGigawords: 53,
  eventTimestamp: 55,
  chapChallenge: 60,
  messageAuthenticator: 80,
  nasPortId: 87,
  errorCause: 101,
} as const;

export const VENDOR_MIKROTIK = 14988;
