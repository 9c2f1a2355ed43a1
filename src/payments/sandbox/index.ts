// NetFlow's local payment sandbox: fakes of every provider's API served by NetFlow itself under
// /sandbox/<provider>, used when no real credentials are configured (test money, clearly marked)
// and by the tests. Test phone numbers choose what the simulated guest does (context.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { registerAirtelSandbox } from './airtel.js';
import { SandboxContext, TEST_PHONE_SUFFIXES, type SandboxOptions } from './context.js';
import { registerDarajaSandbox } from './daraja.js';
import { registerSelcomSandbox } from './selcom.js';
import { registerVodacomTzSandbox } from './vodacom-tz.js';
import { registerYasTzSandbox } from './yas-tz.js';

export function registerPaymentSandbox(app: FastifyInstance, options: SandboxOptions = {}): SandboxContext {
  const ctx = new SandboxContext(options);
  void app.register(async (scope) => {
    // Everything under /sandbox answers only to this machine: the fake APIs accept credentials
    // published in the source and the page lists test phones and callbacks.
    scope.addHook('onRequest', async (req, reply) => {
      if (!fromThisMachine(req)) return reply.code(404).send({ error: 'Not found.' });
    });
    registerDarajaSandbox(scope, ctx);
    registerVodacomTzSandbox(scope, ctx);
    registerYasTzSandbox(scope, ctx);
    registerAirtelSandbox(scope, ctx);
    registerSelcomSandbox(scope, ctx);
    scope.get('/sandbox', async () => ({
      note: 'Test money: these are local fakes of the mobile-money providers. No real money moves.',
      approveAfterMs: ctx.approveAfterMs,
      testPhoneSuffixes: TEST_PHONE_SUFFIXES,
      log: ctx.log.slice(-50),
    }));
  });
  app.addHook('onClose', async () => ctx.close());
  return ctx;
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
  const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined || req.headers['x-real-ip'] !== undefined;
  return self && !forwarded;
}

function plain(ip: string | undefined): string | undefined {
  return ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}
