// The router's RADIUS client towards one server port (auth or acct), as RouterOS's `/radius`
// entry behaves: each request gets a fresh Identifier; on silence the same bytes (same
// Identifier, same authenticator) are sent again after `timeout`, a bounded number of times;
// every reply is checked (source, Identifier, Response Authenticator, Message-Authenticator)
// and a bad one is ignored and counted, like `/radius monitor`'s bad-replies. The packet
// framing and crypto are NetFlow's own src/radius, so the simulator and the server share one
// tested implementation rather than two that might agree on a mistake.
import dgram from 'node:dgram';
import { ATTR, CODE } from '../../src/radius/codes.js';
import { encodeRequest, verifyResponse, type Attribute } from '../../src/radius/encode.js';
import { parsePacket, type RadiusPacket } from '../../src/radius/packet.js';
import { realClock, type Cancel, type Clock } from './clock.js';

export interface PeerOptions {
  /** Server address and port (NetFlow's auth or acct port). */
  host: string;
  port: number;
  secret: string;
  /** Local address to send from: NetFlow picks the router (NAS) by the packet's source IP. */
  bindAddress?: string;
  clock?: Clock;
  /** Per try; RouterOS v7 `/radius timeout` defaults to 1100 ms (checklist item 13). */
  timeoutMs?: number;
  /** Sends of the same bytes before giving up (first send included). */
  tries?: number;
  /**
   * Refuse Access-Accept/Reject/Challenge without a Message-Authenticator, as RouterOS 7.15+
   * does with its default `require-message-auth=yes-for-request-resp` (checklist item 7).
   */
  requireReplyMessageAuthenticator?: boolean;
  /** Told about each ignored datagram, for the event log. */
  onBadReply?: (reason: BadReplyReason, from: string) => void;
}

export type BadReplyReason =
  | 'wrong_source'
  | 'malformed'
  | 'unexpected_identifier'
  | 'wrong_code'
  | 'bad_authenticator'
  | 'bad_message_authenticator'
  | 'missing_message_authenticator';

export interface PeerRequest {
  code: number;
  attributes: Attribute[];
  /** Put a Message-Authenticator first (RouterOS 7.15+ does so in every Access-Request). */
  messageAuthenticator?: boolean;
}

export type PeerOutcome =
  | { ok: true; reply: RadiusPacket; attempts: number; request: Buffer }
  | { ok: false; attempts: number; request: Buffer };

/** The counters of RouterOS's `/radius monitor`. */
export interface PeerStats {
  requests: number;
  replies: number;
  resends: number;
  timeouts: number;
  badReplies: number;
}

interface Outstanding {
  code: number;
  bytes: Buffer;
  authenticator: Buffer;
  attempts: number;
  cancelTimer: Cancel;
  resolve: (outcome: PeerOutcome) => void;
}

const EXPECTED_REPLIES: Record<number, number[]> = {
  [CODE.accessRequest]: [CODE.accessAccept, CODE.accessReject, CODE.accessChallenge],
  [CODE.accountingRequest]: [CODE.accountingResponse],
};

export class RadiusPeer {
  private readonly socket = dgram.createSocket('udp4');
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly tries: number;
  private readonly outstanding = new Map<number, Outstanding>();
  /** Requests waiting for one of the 256 Identifiers to come free. */
  private readonly waitingForId: Array<(id: number) => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private nextId = 0;
  private closed = false;
  private readonly counters: PeerStats = { requests: 0, replies: 0, resends: 0, timeouts: 0, badReplies: 0 };

  private constructor(private readonly options: PeerOptions) {
    this.clock = options.clock ?? realClock;
    this.timeoutMs = options.timeoutMs ?? 1100;
    this.tries = Math.max(1, options.tries ?? 3);
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', () => {}); // ICMP unreachable and the like: treated as silence
  }

  static async open(options: PeerOptions): Promise<RadiusPeer> {
    const peer = new RadiusPeer(options);
    await new Promise<void>((resolve, reject) => {
      peer.socket.once('error', reject);
      peer.socket.bind(0, options.bindAddress, () => {
        peer.socket.off('error', reject);
        resolve();
      });
    });
    return peer;
  }

  /** Local port the requests come from. */
  localPort(): number {
    return this.socket.address().port;
  }

  stats(): PeerStats {
    return { ...this.counters };
  }

  /** Requests sent and not yet answered or given up. */
  inFlight(): number {
    return this.outstanding.size + this.waitingForId.length;
  }

  /** Resolves once nothing is in flight. */
  idle(): Promise<void> {
    if (this.inFlight() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Sends a request and waits for a verified reply, retransmitting on silence. */
  async request(req: PeerRequest): Promise<PeerOutcome> {
    if (this.closed) throw new Error('RADIUS peer closed');
    const identifier = await this.acquireId();
    if (this.closed) return { ok: false, attempts: 0, request: Buffer.alloc(0) };
    const bytes = encodeRequest({
      code: req.code,
      identifier,
      attributes: req.attributes,
      secret: this.options.secret,
      messageAuthenticator: req.messageAuthenticator,
    });
    this.counters.requests++;
    return new Promise<PeerOutcome>((resolve) => {
      const entry: Outstanding = {
        code: req.code,
        bytes,
        authenticator: Buffer.from(bytes.subarray(4, 20)),
        attempts: 0,
        cancelTimer: () => {},
        resolve,
      };
      this.outstanding.set(identifier, entry);
      this.transmit(identifier, entry);
    });
  }

  private transmit(identifier: number, entry: Outstanding): void {
    entry.attempts++;
    if (entry.attempts > 1) this.counters.resends++;
    this.socket.send(entry.bytes, this.options.port, this.options.host);
    entry.cancelTimer = this.clock.setTimer(this.timeoutMs, () => {
      if (this.outstanding.get(identifier) !== entry) return;
      if (entry.attempts < this.tries) return this.transmit(identifier, entry);
      this.counters.timeouts++;
      this.finish(identifier, { ok: false, attempts: entry.attempts, request: entry.bytes });
    });
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const from = `${rinfo.address}:${rinfo.port}`;
    const bad = (reason: BadReplyReason) => {
      this.counters.badReplies++;
      this.options.onBadReply?.(reason, from);
    };
    if (rinfo.address !== this.options.host || rinfo.port !== this.options.port) return bad('wrong_source');
    let packet: RadiusPacket;
    try {
      packet = parsePacket(msg);
    } catch {
      return bad('malformed');
    }
    const entry = this.outstanding.get(packet.identifier);
    // A late reply to a request already answered or given up on is just as unexpected.
    if (!entry) return bad('unexpected_identifier');
    if (!(EXPECTED_REPLIES[entry.code] ?? []).includes(packet.code)) return bad('wrong_code');
    const check = verifyResponse(msg, entry.authenticator, this.options.secret);
    if (check === 'malformed') return bad('malformed');
    if (check !== 'valid') return bad(check);
    const isAccessReply = entry.code === CODE.accessRequest;
    if (
      isAccessReply &&
      (this.options.requireReplyMessageAuthenticator ?? true) &&
      !packet.attributes.some((a) => a.type === ATTR.messageAuthenticator)
    ) {
      return bad('missing_message_authenticator');
    }
    this.counters.replies++;
    this.finish(packet.identifier, { ok: true, reply: packet, attempts: entry.attempts, request: entry.bytes });
  }

  private finish(identifier: number, outcome: PeerOutcome): void {
    const entry = this.outstanding.get(identifier);
    if (!entry) return;
    entry.cancelTimer();
    this.outstanding.delete(identifier);
    entry.resolve(outcome);
    const waiter = this.waitingForId.shift();
    if (waiter) {
      this.reserve(identifier);
      waiter(identifier);
    }
    if (this.inFlight() === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** The next Identifier not in use; waits if all 256 are outstanding (RFC 2865 §3, §5080 §2.2). */
  private acquireId(): Promise<number> {
    for (let i = 0; i < 256; i++) {
      const id = (this.nextId + i) & 0xff;
      if (!this.outstanding.has(id)) {
        this.nextId = (id + 1) & 0xff;
        this.reserve(id);
        return Promise.resolve(id);
      }
    }
    return new Promise((resolve) => this.waitingForId.push(resolve));
  }

  /** Holds an Identifier from the moment it is chosen, so two requests cannot take the same one. */
  private reserve(id: number): void {
    this.outstanding.set(id, {
      code: -1,
      bytes: Buffer.alloc(0),
      authenticator: Buffer.alloc(0),
      attempts: 0,
      cancelTimer: () => {},
      resolve: () => {},
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, entry] of [...this.outstanding]) {
      this.finish(id, { ok: false, attempts: entry.attempts, request: entry.bytes });
    }
    for (const w of this.idleWaiters.splice(0)) w();
    this.socket.close();
  }
}
