// Shared pieces of the provider adapter tests.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { CallbackRequest, ParsedCallback, PaymentProvider } from '../../src/payments/provider.js';

/** Polls until the check holds (or gives up after `ms`): timing-independent waits. */
export async function until<T>(get: () => T | Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ReceivedCallback {
  /** The :token part of the callback URL the adapter was given. */
  token: string;
  request: CallbackRequest;
  parsed: ParsedCallback;
}

/**
 * A Fastify app with a provider's sandbox registered and NetFlow's side in miniature: POST
 * /cb/:token keeps the exact bytes, has `parserFor(token)` parse them, records the result and
 * answers with that adapter's ack (callbacks are pushed onto `received`). Listens on an
 * ephemeral loopback port.
 */
export async function startSandboxApp(
  register: (app: FastifyInstance) => void,
  parserFor: (token: string) => PaymentProvider,
  received: ReceivedCallback[] = [],
): Promise<{ app: FastifyInstance; base: string; received: ReceivedCallback[] }> {
  const app = Fastify();
  register(app);
  await app.register(async (s) => {
    s.removeAllContentTypeParsers();
    s.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
    s.post<{ Params: { token: string }; Querystring: Record<string, string> }>('/cb/:token', async (req, reply) => {
      const cb: CallbackRequest = { headers: req.headers, rawBody: req.body as Buffer, remoteIp: req.ip, query: req.query };
      const parsed = await parserFor(req.params.token).parseCallback(cb);
      received.push({ token: req.params.token, request: cb, parsed });
      return reply
        .code(parsed.ack.status)
        .headers(parsed.ack.headers ?? {})
        .send(parsed.ack.body);
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, received };
}
