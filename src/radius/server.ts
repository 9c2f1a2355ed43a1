// The RADIUS UDP server: authentication and accounting sockets, client lookup by source IP,
// strict parsing and verification, duplicate detection, then the caller's handler. Whatever
// is wrong with a packet, it is dropped silently and counted (RFC 2865 §3) — never a crash,
// never a reply.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ATTR, CODE } from './codes.js';
import { checkMessageAuthenticator, decryptUserPassword } from './crypto.js';
import { DuplicateCache } from './duplicate-cache.js';
import { encodeResponse, type Attribute } from './encode.js';
import { attr, parsePacket, type RadiusPacket } from './packet.js';
import { verifyRequest } from './verify.js';

export interface RadiusClient {
  id: number;
  name: string;
  secret: string;
  /** Access-Requests without Message-Authenticator are dropped. */
  requireMessageAuthenticator: boolean;
  /**
   * BlastRADIUS "auto": not required yet, but from this client's first Access-Request with a valid
   * Message-Authenticator on (the server calls onMessageAuthenticatorSeen, which should set
   * requireMessageAuthenticator): a router that can sign never needs to be trusted unsigned again.
   */
  learnsMessageAuthenticator?: boolean;
}

export interface IncomingRequest {
  packet: RadiusPacket;
  client: RadiusClient;
  source: { address: string; port: number };
  /** Decrypted User-Password (PAP), when present and well-formed. Never log it. */
  userPassword: string | null;
  receivedAt: Date;
}

/**
 * What a handler answers: a reply; null when the request could not be handled this time (no reply,
 * a retransmission is tried afresh); or MALFORMED_VALUE when it carries a value that can never be
 * handled (dropped and counted, and its copies dropped for the duplicate window).
 */
export type Reply = { code: number; attributes: Attribute[] } | null | typeof MALFORMED_VALUE;
export const MALFORMED_VALUE = { drop: 'malformed_value' } as const;
export type Handler = (request: IncomingRequest) => Promise<Reply>;

export interface RadiusServerOptions {
  bind: string;
  authPort: number;
  acctPort: number;
  lookupClient(ip: string): RadiusClient | undefined;
  handleAccess: Handler;
  handleAccounting: Handler;
  onError?(message: string, fields: Record<string, unknown>): void;
  /** A learning client (see RadiusClient) sent its first valid Message-Authenticator. */
  /** A packet came from an address that is no registered router (dropped and counted either way). */
  onUnknownClient?(address: string): void;
  onMessageAuthenticatorSeen?(client: RadiusClient): void;
  duplicateWindowMs?: number;
  /** Socket receive buffer; the kernel default drops bursts at hundreds of requests in flight. */
  recvBufferSize?: number;
  /**
   * Where the counters live (RADIUS_STATS_BYTES): a SharedArrayBuffer lets another thread read
   * them as they change (readRadiusStats), e.g. /metrics on the main thread when RADIUS runs in its own.
   */
  statsBuffer?: SharedArrayBuffer;
}

export type DropReason =
  | 'unknown_client'
  | 'malformed'
  | 'malformed_value'
  | 'unexpected_code'
  | 'bad_authenticator'
  | 'bad_message_authenticator'
  | 'missing_message_authenticator'
  | 'proxy_state_without_message_authenticator'
  | 'duplicate_in_flight'
  | 'not_stored'
  | 'handler_error';

/**
 * Time from a request's arrival to its reply being sent, for the requests answered (not the
 * dropped ones, nor duplicates resent from the cache). Buckets are counts per bound, not
 * cumulative: `counts[i]` requests took at most LATENCY_BUCKETS[i] seconds (and more than the
 * bound before), the last one those slower than every bound.
 */
export interface LatencyHistogram {
  counts: number[];
  sumSeconds: number;
  count: number;
}

/**
 * Why a RadSec (RADIUS over TLS) connection was refused or closed by NetFlow: a handshake that
 * failed (no certificate, one from another CA, an old TLS version), one that took too long, a
 * certificate of no active router, too many connections (in all or from one router), a frame
 * whose length field is out of range, a frame left half-sent, a connection idle too long.
 */
export const RADSEC_REFUSALS = [
  'handshake_failed',
  'handshake_timeout',
  'unknown_router',
  'too_many_connections',
  'bad_frame',
  'slow_frame',
  'idle_timeout',
] as const;
export type RadsecRefusal = (typeof RADSEC_REFUSALS)[number];

export interface RadsecStats {
  /** TLS connections accepted from a known router. */
  accepted: number;
  open: number;
  refused: Record<RadsecRefusal, number>;
}

export interface RadiusStats {
  received: number;
  replied: number;
  duplicatesResent: number;
  dropped: Record<DropReason, number>;
  /** Access-Request → Access-Accept/Reject, and Accounting-Request → Accounting-Response. */
  latency: { access: LatencyHistogram; accounting: LatencyHistogram };
  radsec: RadsecStats;
}

/** Upper bounds in seconds of the latency buckets (Prometheus `le`), +Inf after the last. */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const DROP_REASONS: readonly DropReason[] = [
  'unknown_client',
  'malformed',
  'malformed_value',
  'unexpected_code',
  'bad_authenticator',
  'bad_message_authenticator',
  'missing_message_authenticator',
  'proxy_state_without_message_authenticator',
  'duplicate_in_flight',
  'not_stored',
  'handler_error',
];
// Slots in the counter array: received, replied, duplicatesResent, one per drop reason, then per
// latency histogram (access, accounting) one count per bucket (+Inf last) and the sum of seconds.
const RECEIVED = 0,
  REPLIED = 1,
  RESENT = 2;
const DROP_SLOT = Object.fromEntries(DROP_REASONS.map((r, i) => [r, 3 + i])) as Record<DropReason, number>;
const HISTOGRAM_SLOTS = LATENCY_BUCKETS.length + 2;
const ACCESS_HISTOGRAM = 3 + DROP_REASONS.length;
const ACCOUNTING_HISTOGRAM = ACCESS_HISTOGRAM + HISTOGRAM_SLOTS;
// RadSec: connections accepted, open now, then one per refusal reason.
const RADSEC_ACCEPTED = ACCOUNTING_HISTOGRAM + HISTOGRAM_SLOTS;
const RADSEC_OPEN = RADSEC_ACCEPTED + 1;
const RADSEC_REFUSED = RADSEC_OPEN + 1;
export const RADIUS_STATS_BYTES = (RADSEC_REFUSED + RADSEC_REFUSALS.length) * Float64Array.BYTES_PER_ELEMENT;

/** Counts one answered request in the histogram at `base`: a bucket increment and a sum, nothing allocated. */
function observe(c: Float64Array, base: number, seconds: number): void {
  let i = 0;
  while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
  c[base + i]++;
  c[base + LATENCY_BUCKETS.length + 1] += seconds;
}

function readHistogram(c: Float64Array, base: number): LatencyHistogram {
  const counts = Array.from(c.subarray(base, base + LATENCY_BUCKETS.length + 1));
  return { counts, sumSeconds: c[base + LATENCY_BUCKETS.length + 1], count: counts.reduce((a, b) => a + b, 0) };
}

/** The counters in `buffer` (written by one thread's server, read from any). */
export function readRadiusStats(buffer: SharedArrayBuffer | ArrayBuffer): RadiusStats {
  const c = new Float64Array(buffer);
  return {
    received: c[RECEIVED],
    replied: c[REPLIED],
    duplicatesResent: c[RESENT],
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, c[DROP_SLOT[r]]])) as Record<DropReason, number>,
    latency: { access: readHistogram(c, ACCESS_HISTOGRAM), accounting: readHistogram(c, ACCOUNTING_HISTOGRAM) },
    radsec: {
      accepted: c[RADSEC_ACCEPTED],
      open: c[RADSEC_OPEN],
      refused: Object.fromEntries(RADSEC_REFUSALS.map((r, i) => [r, c[RADSEC_REFUSED + i]])) as Record<RadsecRefusal, number>,
    },
  };
}

export interface RadiusServer {
  start(): Promise<{ authPort: number; acctPort: number }>;
  stop(): Promise<void>;
  stats(): RadiusStats;
  /**
   * A packet from a stream transport (RadSec, src/radius/radsec.ts), already framed and parsed,
   * from a client known by its certificate: handled as a datagram is, counted in the same counters.
   */
  answerStreamPacket(
    packet: RadiusPacket,
    client: RadiusClient,
    source: { address: string; port: number },
    send: (reply: Buffer) => void,
  ): Promise<void>;
  /** Counts a packet of a stream that could not be framed (the connection is closed). */
  countMalformed(): void;
  /** RadSec connection counters, in the same shared memory. */
  radsecAccepted(): void;
  radsecClosed(): void;
  radsecRefused(reason: RadsecRefusal): void;
}

export function createRadiusServer(options: RadiusServerOptions): RadiusServer {
  const duplicates = new DuplicateCache(options.duplicateWindowMs);
  // One writer (this server); a reader on another thread sees each count as it is made.
  const buffer = options.statsBuffer ?? new ArrayBuffer(RADIUS_STATS_BYTES);
  const counters = new Float64Array(buffer);
  const drop = (reason: DropReason) => void counters[DROP_SLOT[reason]]++;
  const family = isIPv6(options.bind) ? 'udp6' : 'udp4';
  const sockets: dgram.Socket[] = [];

  function listen(port: number, expectedCode: number, handler: Handler): Promise<number> {
    const socket = dgram.createSocket({ type: family, recvBufferSize: options.recvBufferSize ?? 4 * 1024 * 1024 });
    sockets.push(socket);
    socket.on('message', (datagram, rinfo) => void onDatagram(socket, datagram, rinfo, expectedCode, handler));
    socket.on('error', (err) => options.onError?.('radius socket error', { error: err.message }));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, options.bind, () => {
        socket.off('error', reject);
        resolve(socket.address().port);
      });
    });
  }

  async function onDatagram(socket: dgram.Socket, datagram: Buffer, rinfo: dgram.RemoteInfo, expectedCode: number, handler: Handler) {
    const arrived = performance.now();
    counters[RECEIVED]++;
    const client = options.lookupClient(rinfo.address);
    if (!client) {
      options.onUnknownClient?.(rinfo.address);
      return drop('unknown_client');
    }
    let packet: RadiusPacket;
    try {
      packet = parsePacket(datagram);
    } catch {
      // MalformedPacket, or anything else parsing threw: the datagram is not a packet we answer.
      return drop('malformed');
    }
    if (packet.code !== expectedCode) return drop('unexpected_code');
    await answer(packet, client, { address: rinfo.address, port: rinfo.port }, handler, arrived, (bytes) =>
      socket.send(bytes, rinfo.port, rinfo.address),
    );
  }

  /**
   * Everything after the framing, for a packet from a known client, whatever carried it (a UDP
   * datagram, or one packet of a RadSec stream): verification, duplicates, the handler, the reply.
   */
  async function answer(
    packet: RadiusPacket,
    client: RadiusClient,
    source: { address: string; port: number },
    handler: Handler,
    /** performance.now() when it arrived: the latency histograms count from there. */
    arrived: number,
    send: (reply: Buffer) => void,
  ) {
    const verdict = verifyRequest(packet, client.secret, client.requireMessageAuthenticator);
    if (verdict !== 'ok') return drop(verdict);
    if (client.learnsMessageAuthenticator && packet.code === CODE.accessRequest && attr(packet, ATTR.messageAuthenticator)) {
      options.onMessageAuthenticatorSeen?.(client); // verified above: present means valid
    }
    // A User-Password that is not 16–128 octets in steps of 16 (RFC 2865 §5.2), or an
    // Accounting-Request without a 4-octet Acct-Status-Type (RFC 2866 §5.1), is malformed.
    const hidden = packet.code === CODE.accessRequest ? attr(packet, ATTR.userPassword) : undefined;
    const userPassword = hidden ? decryptUserPassword(hidden, client.secret, packet.authenticator) : null;
    if (hidden && userPassword === null) return drop('malformed');
    if (packet.code === CODE.accountingRequest && attr(packet, ATTR.acctStatusType)?.length !== 4) return drop('malformed');

    const key = DuplicateCache.keyOf(source.address, source.port, packet.code, packet.identifier, packet.authenticator);
    const seen = duplicates.check(key);
    if (seen.kind === 'in_flight') return drop('duplicate_in_flight');
    if (seen.kind === 'dropped') return drop('malformed_value');
    if (seen.kind === 'answered') {
      counters[RESENT]++;
      return void send(seen.reply);
    }

    const request: IncomingRequest = { packet, client, source, userPassword, receivedAt: new Date() };
    let reply: Reply;
    try {
      reply = await handler(request);
    } catch (err) {
      duplicates.forget(key);
      drop('handler_error');
      options.onError?.('radius handler failed', { router: client.name, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (!reply) {
      duplicates.forget(key);
      return drop('not_stored');
    }
    if ('drop' in reply) {
      duplicates.dropped(key);
      return drop('malformed_value');
    }
    let bytes: Buffer;
    try {
      bytes = encodeResponse({ request: packet, code: reply.code, attributes: reply.attributes, secret: client.secret });
    } catch (err) {
      // A reply that cannot be encoded (e.g. a value over 253 octets) loses this answer, not the server.
      duplicates.forget(key);
      drop('handler_error');
      options.onError?.('radius reply not encodable', { router: client.name, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    duplicates.answered(key, bytes);
    counters[REPLIED]++;
    send(bytes);
    observe(counters, packet.code === CODE.accessRequest ? ACCESS_HISTOGRAM : ACCOUNTING_HISTOGRAM, (performance.now() - arrived) / 1000);
  }

  /** One packet of a RadSec stream (RFC 6614), its router known from its certificate. */
  async function answerStreamPacket(
    packet: RadiusPacket,
    client: RadiusClient,
    source: { address: string; port: number },
    send: (reply: Buffer) => void,
  ) {
    const arrived = performance.now();
    counters[RECEIVED]++;
    if (packet.code === CODE.accessRequest) return answer(packet, client, source, options.handleAccess, arrived, send);
    if (packet.code === CODE.accountingRequest) return answer(packet, client, source, options.handleAccounting, arrived, send);
    if (packet.code === CODE.statusServer) return answerStatusServer(packet, client, send);
    return drop('unexpected_code');
  }

  /**
   * RFC 5997: a Status-Server with a valid Message-Authenticator (required) is answered with an
   * Access-Accept (it is sent to the authentication side), so a RadSec client can tell the
   * connection and NetFlow are alive without a user's request.
   */
  function answerStatusServer(packet: RadiusPacket, client: RadiusClient, send: (reply: Buffer) => void) {
    if (checkMessageAuthenticator(packet, client.secret) !== 'valid') return drop('bad_message_authenticator');
    counters[REPLIED]++;
    send(encodeResponse({ request: packet, code: CODE.accessAccept, attributes: [], secret: client.secret }));
  }

  return {
    async start() {
      const authPort = await listen(options.authPort, CODE.accessRequest, options.handleAccess);
      const acctPort = await listen(options.acctPort, CODE.accountingRequest, options.handleAccounting);
      return { authPort, acctPort };
    },
    async stop() {
      await Promise.all(sockets.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
    stats: () => readRadiusStats(buffer),
    answerStreamPacket,
    countMalformed() {
      counters[RECEIVED]++;
      drop('malformed');
    },
    radsecAccepted() {
      counters[RADSEC_ACCEPTED]++;
      counters[RADSEC_OPEN]++;
    },
    radsecClosed() {
      counters[RADSEC_OPEN]--;
    },
    radsecRefused(reason) {
      counters[RADSEC_REFUSED + RADSEC_REFUSALS.indexOf(reason)]++;
    },
  };
}
