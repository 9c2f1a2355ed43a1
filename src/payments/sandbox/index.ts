// NetFlow's local payment sandbox: fakes of every provider's API served by NetFlow itself under
// /sandbox/<provider> (the HTTP face: src/http/sandbox.ts), used when no real credentials are configured (test money, clearly marked)
// and by the tests. Test phone numbers choose what the simulated guest does (context.ts).
import type { FastifyRequest } from 'fastify';
import { SandboxContext, type SandboxOptions } from './context.js';
import { plainIp } from '../../core/addresses.js';

/** The sandbox's state (pending fake payments, its log); src/http/sandbox.ts serves its routes. */
export function createPaymentSandbox(options: SandboxOptions = {}): SandboxContext {
  return new SandboxContext(options);
}

/**
 * A request NetFlow's own machine made to itself, not forwarded: the TCP peer is 127.0.0.1 or ::1
 * exactly (not the rest of 127/8, so a test can play a stranger from 127.0.0.2), or the very address
 * the connection arrived at (NetFlow bound to a LAN address calls its sandbox there), and no proxy
 * header says it came from elsewhere (a reverse proxy on this machine connects from 127.0.0.1).
 * The socket's address, never req.ip, which X-Forwarded-For can set.
 */
export function fromThisMachine(req: FastifyRequest): boolean {
  const peer = plain(req.socket.remoteAddress);
  const local = plain(req.socket.localAddress);
  if (peer === undefined) return false;
  const self = peer === '127.0.0.1' || peer === '::1' || peer === local;
  const forwarded =
    req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined || req.headers['x-real-ip'] !== undefined;
  return self && !forwarded;
}

function plain(ip: string | undefined): string | undefined {
  return ip === undefined ? undefined : plainIp(ip);
}
