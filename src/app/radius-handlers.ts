// Turns decoded RADIUS requests into AAA calls and AAA decisions into RADIUS replies.
// This is the only place that knows both the wire (src/radius) and the policy (src/aaa).
import { createAccountingWriter, type AccountingEvent } from '../aaa/accounting.js';
import { createAuthorizer } from '../aaa/authorize.js';
import { acceptAttributes, entitlementIdFromClass, rejectAttributes } from '../aaa/reply.js';
import type { AccessRequest, Credential, Decision } from '../aaa/types.js';
import { maskCode, type Logger } from '../config/logger.js';
import { ATTR, CODE } from '../radius/codes.js';
import { attr, attributeBytes, integerAttr, ipAttr, stringAttr } from '../radius/packet.js';
import { MALFORMED_VALUE, type Handler, type IncomingRequest, type Reply } from '../radius/server.js';
import { isDataException, UnstorableValue } from '../aaa/storable.js';
import { normalizeMac, octets64 } from '../radius/values.js';
import type pg from 'pg';
import { onlineSecondsFor, type RadiusSettings } from './settings.js';

export interface Handlers {
  handleAccess: Handler;
  handleAccounting: Handler;
  drain(): Promise<void>;
  /** New operator settings, applied from the next packet on (no restart). */
  applySettings(next: RadiusSettings): void;
}

/** PAP, or CHAP with CHAP-Challenge, else the Request Authenticator, as the challenge (RFC 2865 §5.3). */
function credentialOf(request: IncomingRequest): Credential | null {
  const chap = attr(request.packet, ATTR.chapPassword);
  if (chap) {
    if (chap.length !== 17 || attr(request.packet, ATTR.userPassword)) return null;
    const challenge = attr(request.packet, ATTR.chapChallenge) ?? request.packet.authenticator;
    return { kind: 'chap', ident: chap.subarray(0, 1), hash: chap.subarray(1), challenge };
  }
  if (request.userPassword !== null) return { kind: 'pap', password: request.userPassword };
  return null;
}

export interface HandlerPools {
  /** Access-Request decisions (commits need not wait for the WAL flush). */
  auth: pg.Pool;
  /** Accounting: durable before the response. */
  accounting: pg.Pool;
}

export function createRadiusHandlers(
  pools: HandlerPools,
  settings: RadiusSettings,
  log: Logger,
  onSeen: (routerId: number) => void,
): Handlers {
  // Copied, and the option objects kept: both are read per batch, so applySettings changes them live.
  settings = { ...settings };
  const authOptions = { holdSeconds: settings.holdSeconds };
  const accountingOptions = { onlineSeconds: onlineSecondsFor(settings) };
  const authorizer = createAuthorizer(pools.auth, authOptions);
  const accounting = createAccountingWriter(pools.accounting, accountingOptions);

  const handleAccess: Handler = async (request) => {
    onSeen(request.client.id);
    const p = request.packet;
    const userName = stringAttr(p, ATTR.userName);
    const credential = credentialOf(request);
    // RFC 2865 §4.1: User-Name plus exactly one of User-Password / CHAP-Password.
    if (userName === null || credential === null) {
      return { code: CODE.accessReject, attributes: rejectAttributes('bad_password') };
    }
    const access: AccessRequest = {
      routerId: request.client.id,
      userName,
      credential,
      mac: normalizeMac(stringAttr(p, ATTR.callingStationId)),
      userNameAsMac: normalizeMac(userName),
      now: request.receivedAt,
    };
    let decision: Decision;
    try {
      decision = await authorizer.authorize(access);
    } catch (err) {
      const dropped = droppedAsMalformed(err, request, 'access');
      if (dropped) return dropped;
      throw err;
    }
    if (!decision.accept) {
      // The User-Name is a code (a credential) or a MAC: masked either way.
      log.info('access rejected', { router: request.client.name, user: maskCode(userName), mac: access.mac, reason: decision.reason });
      return { code: CODE.accessReject, attributes: rejectAttributes(decision.reason) };
    }
    return { code: CODE.accessAccept, attributes: acceptAttributes(decision.grant, settings.interimIntervalSeconds) };
  };

  const handleAccounting: Handler = async (request) => {
    onSeen(request.client.id);
    const p = request.packet;
    const statusType = integerAttr(p, ATTR.acctStatusType);
    if (statusType === null) return null; // RFC 2866 §5.1: required; without it nothing can be recorded
    const eventSeconds = integerAttr(p, ATTR.eventTimestamp);
    const classValue = attr(p, ATTR.class);
    const event: AccountingEvent = {
      routerId: request.client.id,
      statusType,
      sessionId: stringAttr(p, ATTR.acctSessionId),
      userName: stringAttr(p, ATTR.userName),
      mac: normalizeMac(stringAttr(p, ATTR.callingStationId)),
      framedIp: ipAttr(p, ATTR.framedIpAddress),
      nasPortId: stringAttr(p, ATTR.nasPortId),
      sessionTime: integerAttr(p, ATTR.acctSessionTime),
      bytesUp: octets64(integerAttr(p, ATTR.acctInputOctets), integerAttr(p, ATTR.acctInputGigawords)),
      bytesDown: octets64(integerAttr(p, ATTR.acctOutputOctets), integerAttr(p, ATTR.acctOutputGigawords)),
      terminateCause: integerAttr(p, ATTR.acctTerminateCause),
      delaySeconds: integerAttr(p, ATTR.acctDelayTime),
      eventTimestamp: eventSeconds === null ? null : new Date(eventSeconds * 1000),
      receivedAt: request.receivedAt,
      entitlementHint: entitlementIdFromClass(classValue?.toString('latin1')),
      attributesRaw: attributeBytes(p),
    };
    try {
      await accounting.record(event);
    } catch (err) {
      const dropped = droppedAsMalformed(err, request, 'accounting');
      if (dropped) return dropped;
      // No Accounting-Response: the router keeps the record and retries (RFC 2866 §2).
      log.warn('accounting not stored', { router: request.client.name, error: err instanceof Error ? err.message : String(err) });
      return null;
    }
    return { code: CODE.accountingResponse, attributes: [] };
  };

  /**
   * A value the database can never hold, caught before SQL (UnstorableValue) or, should one slip
   * through, refused by it (a data exception): the request is dropped as malformed, not answered
   * with an error and retried. Logged at debug level (the counter is the operator's signal).
   */
  function droppedAsMalformed(err: unknown, request: IncomingRequest, kind: string): Reply | undefined {
    if (!(err instanceof UnstorableValue) && !isDataException(err)) return undefined;
    log.debug('request dropped: a value cannot be stored', {
      router: request.client.name,
      kind,
      problem: err instanceof Error ? err.message : String(err),
    });
    return MALFORMED_VALUE;
  }

  return {
    handleAccess,
    handleAccounting,
    drain: async () => void (await Promise.all([authorizer.drain(), accounting.drain()])),
    applySettings(next) {
      settings = { ...next };
      authOptions.holdSeconds = next.holdSeconds;
      accountingOptions.onlineSeconds = onlineSecondsFor(next);
    },
  };
}
