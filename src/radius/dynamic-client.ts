// Dynamic Authorization client (RFC 5176): NetFlow sends Disconnect-Request and CoA-Request to a
// router's `/radius incoming` port and waits for ACK/NAK. One UDP socket for all routers; an
// Identifier is unique per destination while its request is outstanding (RFC 5080 §2.2.1), and a
// retransmission resends the same bytes so the router can recognise a duplicate (RFC 5176 §2.3).
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { CODE, ATTR } from './codes.js';
import { encodeRequest, verifyResponse, type Attribute } from './encode.js';
import { integerAttr, parsePacket } from './packet.js';

export type DynamicRequestKind = 'disconnect' | 'coa';

export interface DynamicRequest {
  kind: DynamicRequestKind;
  host: string;
  port: number;
  secret: string;
  attributes: Attribute[];
}

export type DynamicOutcome =
  | { result: 'ack'; transmissions: number }
  | { result: 'nak'; errorCause: number | null; transmissions: number }
  | { result: 'timeout'; transmissions: number };

export interface DynamicClientOptions {
  /** Wait for a reply this long after the first transmission, doubling after each resend. */
  initialTimeoutMs?: number;
  /** Transmissions of the same bytes before giving up on this attempt. */
  transmissions?: number;
  /** Counts replies that failed verification (wrong secret, forged, malformed). */
  onBadReply?: (from: string) => void;
}

export interface DynamicClient {
  send(request: DynamicRequest): Promise<DynamicOutcome>;
  close(): Promise<void>;
}

/** RFC 5176 §3.6 Error-Cause names, for logs and the audit trail. */
export const ERROR_CAUSES: Record<number, string> = {
  201: 'Residual-Session-Context-Removed',
  202: 'Invalid-EAP-Packet',
  401: 'Unsupported-Attribute',
  402: 'Missing-Attribute',
  403: 'NAS-Identification-Mismatch',
  404: 'Invalid-Request',
  405: 'Unsupported-Service',
  406: 'Unsupported-Extension',
  407: 'Invalid-Attribute-Value',
  501: 'Administratively-Prohibited',
  502: 'Request-Not-Routable',
  503: 'Session-Context-Not-Found',
  504: 'Session-Context-Not-Removable',
  505: 'Other-Proxy-Processing-Error',
  506: 'Resources-Unavailable',
  507: 'Request-Initiated',
  508: 'Multiple-Session-Selection-Unsupported',
};

interface Outstanding {
  authenticator: Buffer;
  secret: string;
  ackCode: number;
  nakCode: number;
  settle(reply: { ack: boolean; errorCause: number | null }): void;
}

export async function createDynamicClient(options: DynamicClientOptions = {}): Promise<DynamicClient> {
  const initialTimeoutMs = options.initialTimeoutMs ?? 2000;
  const maxTransmissions = options.transmissions ?? 3;
  const sockets = new Map<'udp4' | 'udp6', dgram.Socket>();
  const outstanding = new Map<string, Outstanding>(); // `${host}|${port}|${id}`
  const nextId = new Map<string, number>();

  async function socketFor(family: 'udp4' | 'udp6'): Promise<dgram.Socket> {
    const existing = sockets.get(family);
    if (existing) return existing;
    const socket = dgram.createSocket(family);
    socket.on('message', (msg, rinfo) => onReply(msg, rinfo));
    socket.on('error', () => {}); // ICMP unreachable etc.: the request simply times out
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    sockets.set(family, socket);
    return socket;
  }

  function onReply(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length < 20) return options.onBadReply?.(rinfo.address);
    const key = `${rinfo.address}|${rinfo.port}|${msg[1]}`;
    const pending = outstanding.get(key);
    if (!pending) return; // late or unsolicited
    if (verifyResponse(msg, pending.authenticator, pending.secret) !== 'valid') return options.onBadReply?.(rinfo.address);
    if (msg[0] !== pending.ackCode && msg[0] !== pending.nakCode) return options.onBadReply?.(rinfo.address);
    const errorCause = msg[0] === pending.nakCode ? integerAttr(parsePacket(msg), ATTR.errorCause) : null;
    outstanding.delete(key);
    pending.settle({ ack: msg[0] === pending.ackCode, errorCause });
  }

  function allocateId(destination: string): number {
    const start = nextId.get(destination) ?? Math.floor(Math.random() * 256);
    for (let i = 0; i < 256; i++) {
      const id = (start + i) & 255;
      if (!outstanding.has(`${destination}|${id}`)) {
        nextId.set(destination, (id + 1) & 255);
        return id;
      }
    }
    throw new Error(`256 requests already outstanding to ${destination}`);
  }

  return {
    async send(request) {
      const socket = await socketFor(isIPv6(request.host) ? 'udp6' : 'udp4');
      const destination = `${request.host}|${request.port}`;
      const identifier = allocateId(destination);
      const code = request.kind === 'disconnect' ? CODE.disconnectRequest : CODE.coaRequest;
      const bytes = encodeRequest({ code, identifier, attributes: request.attributes, secret: request.secret, messageAuthenticator: true });
      const key = `${destination}|${identifier}`;
      let transmissions = 0;
      const reply = new Promise<{ ack: boolean; errorCause: number | null }>((settle) => {
        outstanding.set(key, {
          authenticator: bytes.subarray(4, 20),
          secret: request.secret,
          ackCode: code + 1,
          nakCode: code + 2,
          settle,
        });
      });
      try {
        let wait = initialTimeoutMs;
        while (transmissions < maxTransmissions) {
          transmissions++;
          socket.send(bytes, request.port, request.host);
          let timer: NodeJS.Timeout | undefined;
          const answered = await Promise.race([reply, new Promise<null>((r) => (timer = setTimeout(() => r(null), wait)))]);
          clearTimeout(timer);
          if (answered) {
            return answered.ack ? { result: 'ack', transmissions } : { result: 'nak', errorCause: answered.errorCause, transmissions };
          }
          wait *= 2;
        }
        return { result: 'timeout', transmissions };
      } finally {
        outstanding.delete(key);
      }
    },
    async close() {
      await Promise.all([...sockets.values()].map((s) => new Promise<void>((r) => s.close(() => r()))));
      sockets.clear();
    },
  };
}
