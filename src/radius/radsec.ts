// RadSec: RADIUS over TLS on TCP (RFC 6614), for routers on dynamic or NATed addresses. Mutual
// TLS against NetFlow's own CA; the router is the one whose certificate fingerprint it registered,
// not a source address. The stream is cut into packets by the RADIUS header's Length field and
// each packet goes through the same verification, duplicate and handler path as a UDP datagram
// (RadiusServer.answerStreamPacket), with the shared secret "radsec" (RFC 6614 §2.3). Anything
// wrong with a connection closes that connection only, and is counted.
import { createHash } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { MAX_LENGTH, MIN_LENGTH, parsePacket, type RadiusPacket } from './packet.js';
import type { RadiusClient, RadiusServer, RadsecRefusal } from './server.js';

/** RFC 6614 §2.3: over TLS the RADIUS shared secret is this fixed string. */
export const RADSEC_SECRET = 'radsec';

export interface RadsecLimits {
  /** A TLS handshake not finished by then is dropped (slow or half-open clients). */
  handshakeTimeoutMs: number;
  /** A connection with no traffic for this long is closed; routers reconnect when they need to. */
  idleTimeoutMs: number;
  /** A packet begun but not completed within this time closes the connection (slow senders). */
  frameTimeoutMs: number;
  /** Open connections in all (counted from the TCP accept, before the handshake). */
  maxConnections: number;
  /** Open connections of one router (a RouterOS router holds one). */
  maxPerRouter: number;
  /** Requests of one connection being handled at once; past it, reading pauses. */
  maxInFlight: number;
}

export const DEFAULT_RADSEC_LIMITS: RadsecLimits = {
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 600_000,
  frameTimeoutMs: 10_000,
  maxConnections: 1000,
  maxPerRouter: 4,
  maxInFlight: 256,
};

export interface RadsecServerOptions {
  bind: string;
  port: number;
  /** PEM: NetFlow's CA (client certificates must chain to it), the server's certificate and key. */
  ca: string;
  cert: string;
  key: string;
  /** The active router whose client certificate has this SHA-256 fingerprint (lowercase hex). */
  lookupRouter(fingerprint: string): Omit<RadiusClient, 'secret'> | undefined;
  radius: RadiusServer;
  limits?: Partial<RadsecLimits>;
  /** A connection refused or closed for a reason worth a log line (no secrets in the fields). */
  onRefused?(reason: RadsecRefusal, fields: Record<string, unknown>): void;
}

export interface RunningRadsec {
  port: number;
  close(): Promise<void>;
}

/** The SHA-256 fingerprint of a DER certificate as NetFlow stores it: 64 lowercase hex digits. */
export function certificateFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

export async function startRadsecServer(options: RadsecServerOptions): Promise<RunningRadsec> {
  const limits = { ...DEFAULT_RADSEC_LIMITS, ...options.limits };
  const radius = options.radius;
  const refuse = (reason: RadsecRefusal, fields: Record<string, unknown>) => {
    radius.radsecRefused(reason);
    options.onRefused?.(reason, fields);
  };
  const rawSockets = new Set<net.Socket>();
  const perRouter = new Map<number, number>();

  const server = tls.createServer({
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    handshakeTimeout: limits.handshakeTimeoutMs,
  });

  // The total is kept by Node before any TLS work: a connection past it is closed at once (a
  // flood of half-open handshakes cannot take more than maxConnections sockets) and reported here.
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) => refuse('too_many_connections', { from: data?.remoteAddress, limit: 'total' }));
  server.on('connection', (raw: net.Socket) => {
    rawSockets.add(raw);
    raw.once('close', () => rawSockets.delete(raw));
    raw.on('error', () => {});
  });

  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    const timeout = err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
    refuse(timeout ? 'handshake_timeout' : 'handshake_failed', { from: socket.remoteAddress, error: err.code ?? err.message });
    socket.destroy(); // with a listener here, Node leaves that to us
  });

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    socket.on('error', () => {}); // resets and the like: the connection just ends
    const from = socket.remoteAddress;
    const peer = socket.getPeerX509Certificate();
    const fingerprint = peer ? certificateFingerprint(peer.raw) : '';
    const router = fingerprint ? options.lookupRouter(fingerprint) : undefined;
    if (!router) {
      // Signed by our CA, but reissued since, or of a router removed or disabled.
      refuse('unknown_router', { from, subject: peer?.subject.replace(/\n/g, ', ') });
      socket.destroy();
      return;
    }
    const open = perRouter.get(router.id) ?? 0;
    if (open >= limits.maxPerRouter) {
      refuse('too_many_connections', { from, router: router.name, limit: 'per router' });
      socket.destroy();
      return;
    }
    perRouter.set(router.id, open + 1);
    radius.radsecAccepted();
    socket.once('close', () => {
      radius.radsecClosed();
      const n = (perRouter.get(router.id) ?? 1) - 1;
      if (n > 0) perRouter.set(router.id, n);
      else perRouter.delete(router.id);
    });
    serveConnection(socket, fingerprint, router.name);
  });

  function serveConnection(socket: tls.TLSSocket, fingerprint: string, name: string) {
    const source = { address: `tls:${socket.remoteAddress}`, port: socket.remotePort ?? 0 };
    let buffered: Buffer = Buffer.alloc(0);
    let inFlight = 0;
    let frameTimer: NodeJS.Timeout | undefined;
    const close = (reason: RadsecRefusal, extra: Record<string, unknown> = {}) => {
      if (socket.destroyed) return;
      refuse(reason, { from: socket.remoteAddress, router: name, ...extra });
      socket.destroy();
    };
    socket.setTimeout(limits.idleTimeoutMs, () => close('idle_timeout'));
    socket.setKeepAlive(true, 60_000);
    socket.once('close', () => clearTimeout(frameTimer));

    const send = (bytes: Buffer) => {
      if (!socket.destroyed && socket.writable) socket.write(bytes);
    };

    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const length = buffered.readUInt16BE(2);
        // RFC 6614 §2.6.4 (and RFC 2865 §3): a length the stream cannot be re-synchronised after.
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
          radius.countMalformed();
          return close('bad_frame', { length });
        }
        if (buffered.length < length) break;
        const bytes = Buffer.from(buffered.subarray(0, length)); // its own memory: the reply cache may keep it
        buffered = buffered.subarray(length);
        handle(bytes);
        if (socket.destroyed) return;
      }
      clearTimeout(frameTimer);
      frameTimer =
        buffered.length > 0 ? setTimeout(() => close('slow_frame', { buffered: buffered.length }), limits.frameTimeoutMs) : undefined;
    });

    function handle(bytes: Buffer) {
      // The router may have been disabled, or its certificate reissued, since it connected.
      const router = options.lookupRouter(fingerprint);
      if (!router) return close('unknown_router');
      let packet: RadiusPacket;
      try {
        packet = parsePacket(bytes);
      } catch {
        radius.countMalformed(); // framed correctly, so the stream goes on: this packet is dropped
        return;
      }
      const client: RadiusClient = { ...router, secret: RADSEC_SECRET };
      inFlight++;
      if (inFlight >= limits.maxInFlight) socket.pause();
      void radius.answerStreamPacket(packet, client, source, send).finally(() => {
        inFlight--;
        if (inFlight < limits.maxInFlight && socket.isPaused()) socket.resume();
      });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of rawSockets) s.destroy();
      await closed;
    },
  };
}
