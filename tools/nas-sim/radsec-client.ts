// The router's RADIUS client over RadSec (RADIUS over TLS, RFC 6614), as RouterOS 7 uses it with
// `/radius add protocol=radsec certificate=…`: one TLS connection to the server's TCP 2083 carries
// authentication and accounting alike, with the router's client certificate and the fixed shared
// secret "radsec". It offers the same requests as RadiusPeer (the UDP client), so the Hotspot runs
// over either. Over a reliable transport a request is sent once (RFC 6614 §2.6.2, RFC 5080 §2.2.1):
// silence for timeout × tries, or a closed connection, fails it; the next request reconnects.
import tls from 'node:tls';
import { ATTR, CODE } from '../../src/radius/codes.js';
import { encodeRequest, verifyResponse } from '../../src/radius/encode.js';
import { MAX_LENGTH, MIN_LENGTH, parsePacket, type RadiusPacket } from '../../src/radius/packet.js';
import type { BadReplyReason, PeerOutcome, PeerRequest, PeerStats } from './radius-peer.js';

export const RADSEC_SECRET = 'radsec';

export interface RadsecPeerOptions {
  host: string;
  /** NetFlow's RadSec port (2083). */
  port: number;
  /** PEM: the router's certificate, its key (and the key's passphrase), and the CA that signed NetFlow's. */
  cert: string;
  key: string;
  passphrase?: string;
  ca: string;
  /** The name NetFlow's certificate is checked against (default: host). */
  serverName?: string;
  timeoutMs?: number;
  tries?: number;
  requireReplyMessageAuthenticator?: boolean;
  onBadReply?: (reason: BadReplyReason, from: string) => void;
  /** Told when a connection is made or lost (for the event log). */
  onConnection?: (event: 'connected' | 'closed' | 'failed', detail?: string) => void;
}

interface Outstanding {
  code: number;
  bytes: Buffer;
  authenticator: Buffer;
  timer: NodeJS.Timeout;
  resolve: (outcome: PeerOutcome) => void;
}

const EXPECTED_REPLIES: Record<number, number[]> = {
  [CODE.accessRequest]: [CODE.accessAccept, CODE.accessReject, CODE.accessChallenge],
  [CODE.accountingRequest]: [CODE.accountingResponse],
  [CODE.statusServer]: [CODE.accessAccept],
};

export class RadsecPeer {
  private socket: tls.TLSSocket | null = null;
  private connecting: Promise<tls.TLSSocket> | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly outstanding = new Map<number, Outstanding>();
  private readonly idleWaiters: Array<() => void> = [];
  private nextId = 0;
  private closed = false;
  private readonly counters: PeerStats = { requests: 0, replies: 0, resends: 0, timeouts: 0, badReplies: 0 };

  constructor(private readonly options: RadsecPeerOptions) {}

  stats(): PeerStats {
    return { ...this.counters };
  }

  inFlight(): number {
    return this.outstanding.size;
  }

  idle(): Promise<void> {
    if (this.inFlight() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Opens the TLS connection now (it is otherwise opened by the first request). */
  connect(): Promise<tls.TLSSocket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({
        host: this.options.host,
        port: this.options.port,
        cert: this.options.cert,
        key: this.options.key,
        passphrase: this.options.passphrase,
        ca: this.options.ca,
        servername: this.options.serverName ?? this.options.host,
        minVersion: 'TLSv1.2',
      });
      socket.once('secureConnect', () => {
        this.socket = socket;
        this.buffered = Buffer.alloc(0);
        this.options.onConnection?.('connected');
        resolve(socket);
      });
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', (err) => {
        if (this.socket !== socket) {
          this.options.onConnection?.('failed', err.message);
          reject(err);
        }
      });
      socket.on('close', () => {
        if (this.socket === socket) {
          this.socket = null;
          this.options.onConnection?.('closed');
          // The server closed it (idle, or refused): what was in flight on it is lost.
          for (const [id, entry] of [...this.outstanding]) this.finish(id, { ok: false, attempts: 1, request: entry.bytes });
        } else reject(new Error('connection closed during the TLS handshake (is this router registered?)'));
      });
    }).finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  async request(req: PeerRequest): Promise<PeerOutcome> {
    if (this.closed) throw new Error('RadSec peer closed');
    const identifier = this.freeId();
    const bytes = encodeRequest({
      code: req.code,
      identifier: identifier ?? 0,
      attributes: req.attributes,
      secret: RADSEC_SECRET,
      messageAuthenticator: req.messageAuthenticator ?? req.code === CODE.statusServer,
    });
    this.counters.requests++;
    if (identifier === null) return { ok: false, attempts: 0, request: bytes }; // 256 in flight on one connection
    let socket: tls.TLSSocket;
    const outcome = new Promise<PeerOutcome>((resolve) => {
      const wait = (this.options.timeoutMs ?? 1100) * Math.max(1, this.options.tries ?? 3);
      const timer = setTimeout(() => {
        this.counters.timeouts++;
        this.finish(identifier, { ok: false, attempts: 1, request: bytes });
      }, wait);
      this.outstanding.set(identifier, { code: req.code, bytes, authenticator: Buffer.from(bytes.subarray(4, 20)), timer, resolve });
    });
    try {
      socket = await this.connect();
    } catch {
      this.finish(identifier, { ok: false, attempts: 1, request: bytes });
      return outcome;
    }
    socket.write(bytes);
    return outcome;
  }

  private freeId(): number | null {
    for (let i = 0; i < 256; i++) {
      const id = (this.nextId + i) & 0xff;
      if (!this.outstanding.has(id)) {
        this.nextId = (id + 1) & 0xff;
        return id;
      }
    }
    return null;
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt16BE(2);
      if (length < MIN_LENGTH || length > MAX_LENGTH) {
        this.bad('malformed');
        this.socket?.destroy(); // the stream cannot be re-synchronised
        return;
      }
      if (this.buffered.length < length) return;
      const msg = Buffer.from(this.buffered.subarray(0, length));
      this.buffered = this.buffered.subarray(length);
      this.onReply(msg);
    }
  }

  private bad(reason: BadReplyReason): void {
    this.counters.badReplies++;
    this.options.onBadReply?.(reason, `${this.options.host}:${this.options.port}`);
  }

  private onReply(msg: Buffer): void {
    let packet: RadiusPacket;
    try {
      packet = parsePacket(msg);
    } catch {
      return this.bad('malformed');
    }
    const entry = this.outstanding.get(packet.identifier);
    if (!entry) return this.bad('unexpected_identifier');
    if (!(EXPECTED_REPLIES[entry.code] ?? []).includes(packet.code)) return this.bad('wrong_code');
    const check = verifyResponse(msg, entry.authenticator, RADSEC_SECRET);
    if (check === 'malformed') return this.bad('malformed');
    if (check !== 'valid') return this.bad(check);
    if (
      entry.code === CODE.accessRequest &&
      (this.options.requireReplyMessageAuthenticator ?? true) &&
      !packet.attributes.some((a) => a.type === ATTR.messageAuthenticator)
    ) {
      return this.bad('missing_message_authenticator');
    }
    this.counters.replies++;
    this.finish(packet.identifier, { ok: true, reply: packet, attempts: 1, request: entry.bytes });
  }

  private finish(identifier: number, outcome: PeerOutcome): void {
    const entry = this.outstanding.get(identifier);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.outstanding.delete(identifier);
    entry.resolve(outcome);
    if (this.inFlight() === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, entry] of [...this.outstanding]) this.finish(id, { ok: false, attempts: 1, request: entry.bytes });
    for (const w of this.idleWaiters.splice(0)) w();
    this.socket?.end();
    this.socket = null;
  }
}
