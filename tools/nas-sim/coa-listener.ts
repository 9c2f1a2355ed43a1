// RouterOS `/radius incoming` (accept=yes, port=…): Disconnect-Request (40) and CoA-Request (43)
// from the RADIUS server, per RFC 5176 and the MikroTik RADIUS doc's "Change of Authorization"
// list (checklist items 23–28). Only the configured server address with the shared secret is
// heard; anything else, or a packet whose Request Authenticator or Message-Authenticator does
// not verify, is dropped without a reply. Replies carry Message-Authenticator first (when the
// request had one) and Proxy-State echoed, via NetFlow's own encodeResponse.
import dgram from 'node:dgram';
import { ATTR, CODE, VENDOR_MIKROTIK } from '../../src/radius/codes.js';
import { encodeResponse, type Attribute } from '../../src/radius/encode.js';
import { integerAttr, ipAttr, parsePacket, stringAttr, vendorAttr, type RadiusPacket } from '../../src/radius/packet.js';
import { isValidRateLimit, normalizeMac } from '../../src/radius/values.js';
import { verifyRequest } from '../../src/radius/verify.js';
import { ATTR_IDLE_TIMEOUT, ATTR_SESSION_TIMEOUT, ERROR_CAUSE, MIKROTIK } from './authorization.js';
import { realClock, type Clock } from './clock.js';
import type { EventLog } from './events.js';
import type { SessionChange, SessionSelector, SessionView } from './hotspot.js';

/** What the listener needs from the hotspot (Hotspot implements it). */
export interface CoaTarget {
  identity(): { nasIp: string; nasIdentifier: string };
  findSessions(selector: SessionSelector): SessionView[];
  disconnect(acctSessionId: string): boolean;
  change(acctSessionId: string, change: SessionChange): boolean;
}

export interface CoaListenerOptions {
  target: CoaTarget;
  /** The only source address requests are accepted from (the `/radius` entry's address). */
  server: string;
  secret: string;
  /** `/radius incoming port` (RouterOS v7 default 1700; NetFlow's default 3799). 0 = any free port. */
  port?: number;
  bindAddress?: string;
  clock?: Clock;
  log?: EventLog;
  /** Drop requests without Message-Authenticator (RouterOS behaviour unknown; off by default). */
  requireMessageAuthenticator?: boolean;
  /** How long a reply is kept for answering retransmissions (RFC 5080 §2.2.2). */
  duplicateWindowMs?: number;
}

const ATTR_NAS_PORT = 5;
const ATTR_NAS_IPV6 = 95;
const ATTR_FILTER_ID = 11;
const ATTR_PORT_LIMIT = 62;
const ATTR_STATE = 24;
const ATTR_SERVICE_TYPE = 6;
const ATTR_ACCT_MULTI_SESSION_ID = 50;
const VENDOR_ASCEND = 529;
const ASCEND_DATA_RATE = 197;
const ASCEND_XMIT_RATE = 255;

/** Identification and plumbing attributes any request may carry (RFC 5176 §3). */
const IDENTIFICATION = new Set<number>([
  ATTR.userName,
  ATTR.nasIpAddress,
  ATTR_NAS_PORT,
  ATTR_SERVICE_TYPE,
  ATTR.framedIpAddress,
  ATTR_STATE,
  ATTR.calledStationId,
  ATTR.callingStationId,
  ATTR.nasIdentifier,
  ATTR.proxyState,
  ATTR.acctSessionId,
  ATTR_ACCT_MULTI_SESSION_ID,
  ATTR.eventTimestamp,
  ATTR.messageAuthenticator,
  ATTR.nasPortId,
  ATTR_NAS_IPV6,
]);

/** What RouterOS says a CoA may change (MikroTik RADIUS doc, checklist item 28). */
const COA_CHANGEABLE = new Set<number>([ATTR_SESSION_TIMEOUT, ATTR_IDLE_TIMEOUT, ATTR_FILTER_ID, ATTR_PORT_LIMIT]);
const COA_CHANGEABLE_MIKROTIK = new Set<number>([
  MIKROTIK.recvLimit,
  MIKROTIK.xmitLimit,
  MIKROTIK.group,
  MIKROTIK.rateLimit,
  MIKROTIK.markId,
  MIKROTIK.advertiseUrl,
  MIKROTIK.advertiseInterval,
]);

type Verdict = { code: number; errorCause?: number; note: string; after?: () => void };

interface CachedReply {
  at: number;
  /** null while the request is still being answered (a delayed reply): duplicates are dropped. */
  bytes: Buffer | null;
}

export class CoaListener {
  private readonly socket = dgram.createSocket('udp4');
  private readonly clock: Clock;
  private readonly cache = new Map<string, CachedReply>();
  private dropCount = 0;
  private nakCount = 0;
  private nakCause: number = ERROR_CAUSE.resourcesUnavailable;
  private delayMs = 0;
  private readonly counters = { requests: 0, acks: 0, naks: 0, dropped: 0, duplicates: 0 };

  private constructor(private readonly options: CoaListenerOptions) {
    this.clock = options.clock ?? realClock;
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', () => {});
  }

  static async start(options: CoaListenerOptions): Promise<CoaListener> {
    const l = new CoaListener(options);
    await new Promise<void>((resolve, reject) => {
      l.socket.once('error', reject);
      l.socket.bind(options.port ?? 3799, options.bindAddress, () => {
        l.socket.off('error', reject);
        resolve();
      });
    });
    return l;
  }

  port(): number {
    return this.socket.address().port;
  }

  stats() {
    return { ...this.counters };
  }

  // ---- fault injection ------------------------------------------------------------------------

  /** Ignore the next n valid requests entirely (no reply, not remembered), as if lost. */
  dropNext(n: number): void {
    this.dropCount = n;
  }

  /** NAK the next n requests with the given Error-Cause, whatever they ask. */
  forceNak(n: number, errorCause: number = ERROR_CAUSE.resourcesUnavailable): void {
    this.nakCount = n;
    this.nakCause = errorCause;
  }

  /** Answer each request this long after it arrives (on the listener's clock). */
  setDelay(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  // ---- request handling -------------------------------------------------------------------------

  private drop(reason: string, from: string, p?: RadiusPacket): void {
    this.counters.dropped++;
    this.options.log?.record('coa-drop', { reason, from, code: p?.code, id: p?.identifier });
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const from = `${rinfo.address}:${rinfo.port}`;
    if (rinfo.address !== this.options.server) return this.drop('unknown-source', from);
    let p: RadiusPacket;
    try {
      p = parsePacket(msg);
    } catch {
      return this.drop('malformed', from);
    }
    if (p.code !== CODE.disconnectRequest && p.code !== CODE.coaRequest) return this.drop('unsupported-code', from, p);
    const verdict = verifyRequest(p, this.options.secret, false);
    if (verdict !== 'ok') return this.drop(verdict, from, p);
    if (this.options.requireMessageAuthenticator && !p.attributes.some((a) => a.type === ATTR.messageAuthenticator)) {
      return this.drop('missing_message_authenticator', from, p);
    }
    if (this.dropCount > 0) {
      this.dropCount--;
      return this.drop('injected', from, p);
    }

    this.expireCache();
    const key = `${from}/${p.identifier}/${p.authenticator.toString('hex')}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.counters.duplicates++;
      if (cached.bytes) this.socket.send(cached.bytes, rinfo.port, rinfo.address);
      this.options.log?.record('coa-request', { from, id: p.identifier, code: p.code, duplicate: true, answered: cached.bytes !== null });
      return;
    }
    const entry: CachedReply = { at: this.clock.now().getTime(), bytes: null };
    this.cache.set(key, entry);
    this.counters.requests++;
    this.options.log?.record('coa-request', {
      from,
      id: p.identifier,
      kind: p.code === CODE.disconnectRequest ? 'disconnect' : 'coa',
      session: stringAttr(p, ATTR.acctSessionId),
      user: stringAttr(p, ATTR.userName),
      ip: ipAttr(p, ATTR.framedIpAddress),
      mac: stringAttr(p, ATTR.callingStationId),
    });

    const respond = () => {
      const v = this.decide(p);
      const ack = v.code === CODE.disconnectAck || v.code === CODE.coaAck;
      const attributes: Attribute[] = v.errorCause === undefined ? [] : [['Error-Cause', v.errorCause]];
      const bytes = encodeResponse({ request: p, code: v.code, attributes, secret: this.options.secret });
      entry.bytes = bytes;
      if (ack) this.counters.acks++;
      else this.counters.naks++;
      this.socket.send(bytes, rinfo.port, rinfo.address);
      this.options.log?.record('coa-reply', { to: from, id: p.identifier, code: v.code, errorCause: v.errorCause ?? null, note: v.note });
      // The session ends (Stop goes out) after the ACK, as a router acknowledges then tears down.
      v.after?.();
    };
    if (this.delayMs > 0) this.clock.setTimer(this.delayMs, respond);
    else respond();
  }

  private decide(p: RadiusPacket): Verdict {
    const disconnect = p.code === CODE.disconnectRequest;
    const nak = disconnect ? CODE.disconnectNak : CODE.coaNak;
    const ackCode = disconnect ? CODE.disconnectAck : CODE.coaAck;
    if (this.nakCount > 0) {
      this.nakCount--;
      return { code: nak, errorCause: this.nakCause, note: 'injected' };
    }

    // NAS identification, when given, must be ours (RFC 5176 §3; a router NAKs a mismatch).
    const id = this.options.target.identity();
    const nasIp = ipAttr(p, ATTR.nasIpAddress);
    const nasId = stringAttr(p, ATTR.nasIdentifier);
    if ((nasIp !== null && nasIp !== id.nasIp) || (nasId !== null && nasId !== id.nasIdentifier)) {
      return { code: nak, errorCause: ERROR_CAUSE.nasIdentificationMismatch, note: 'nas-identification-mismatch' };
    }

    let change: SessionChange = {};
    if (!disconnect) {
      const parsed = this.parseChange(p);
      if ('errorCause' in parsed) return { code: nak, ...parsed };
      change = parsed;
    }

    const selector: SessionSelector = {};
    const acctSessionId = stringAttr(p, ATTR.acctSessionId);
    const userName = stringAttr(p, ATTR.userName);
    const framedIp = ipAttr(p, ATTR.framedIpAddress);
    const callingStationId = stringAttr(p, ATTR.callingStationId);
    if (acctSessionId !== null) selector.acctSessionId = acctSessionId;
    if (userName !== null) selector.userName = userName;
    if (framedIp !== null) selector.framedIp = framedIp;
    if (callingStationId !== null) {
      if (normalizeMac(callingStationId) === null)
        return { code: nak, errorCause: ERROR_CAUSE.invalidAttributeValue, note: 'calling-station-id' };
      selector.callingStationId = callingStationId;
    }
    if (Object.keys(selector).length === 0)
      return { code: nak, errorCause: ERROR_CAUSE.missingAttribute, note: 'no-session-identification' };

    const matches = this.options.target.findSessions(selector);
    if (matches.length === 0) return { code: nak, errorCause: ERROR_CAUSE.sessionContextNotFound, note: 'no-such-session' };
    if (matches.length > 1)
      return { code: nak, errorCause: ERROR_CAUSE.multipleSessionSelectionUnsupported, note: `${matches.length}-sessions-match` };
    const session = matches[0].acctSessionId;
    if (disconnect) {
      return { code: ackCode, note: `disconnect ${session}`, after: () => void this.options.target.disconnect(session) };
    }
    this.options.target.change(session, change);
    return { code: ackCode, note: `coa ${session}` };
  }

  /**
   * The changes a CoA-Request asks for. Attributes RouterOS cannot change mid-session
   * (Mikrotik-Total-Limit, Mikrotik-Address-List, Framed-Pool, …) give NAK 401
   * Unsupported-Attribute (RFC 5176 §3.5); a malformed value gives 407.
   */
  private parseChange(p: RadiusPacket): SessionChange | { errorCause: number; note: string } {
    const change: SessionChange = {};
    for (const a of p.attributes) {
      if (IDENTIFICATION.has(a.type)) continue;
      if (COA_CHANGEABLE.has(a.type)) continue;
      if (a.type === ATTR.vendorSpecific && a.value.length >= 6) {
        const vendor = a.value.readUInt32BE(0);
        const vtype = a.value[4];
        if (vendor === VENDOR_MIKROTIK && COA_CHANGEABLE_MIKROTIK.has(vtype)) continue;
        if (vendor === VENDOR_ASCEND && (vtype === ASCEND_DATA_RATE || vtype === ASCEND_XMIT_RATE)) continue;
        return { errorCause: ERROR_CAUSE.unsupportedAttribute, note: `unsupported vendor ${vendor} attribute ${vtype}` };
      }
      return { errorCause: ERROR_CAUSE.unsupportedAttribute, note: `unsupported attribute ${a.type}` };
    }
    const rate = vendorAttr(p, VENDOR_MIKROTIK, MIKROTIK.rateLimit);
    if (rate !== undefined) {
      const value = rate.toString('utf8');
      if (!isValidRateLimit(value)) return { errorCause: ERROR_CAUSE.invalidAttributeValue, note: `bad rate limit ${value}` };
      change.rateLimit = value;
    }
    const sessionTimeout = integerAttr(p, ATTR_SESSION_TIMEOUT);
    if (sessionTimeout !== null) change.sessionTimeout = sessionTimeout;
    const idleTimeout = integerAttr(p, ATTR_IDLE_TIMEOUT);
    if (idleTimeout !== null) change.idleTimeout = idleTimeout;
    return change;
  }

  private expireCache(): void {
    const window = this.options.duplicateWindowMs ?? 30_000;
    const now = this.clock.now().getTime();
    for (const [key, entry] of this.cache) {
      if (now - entry.at <= window && this.cache.size <= 4096) break; // Map keeps insertion order
      this.cache.delete(key);
    }
  }
}
