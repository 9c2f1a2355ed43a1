// Where mobile-money providers POST their results. The body is kept as the exact bytes received,
// because signatures are computed over them; the answer is the acknowledgement each provider
// expects (some retry until they get their exact JSON).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PaymentInputError, type PaymentService } from '../payments/service.js';
import { errorResponses } from './schemas/common.js';
import { CallbackAck, CallbackParams, CallbackQuery } from './schemas/payments.js';

export interface CallbackDeps {
  payments(): { service: PaymentService } | null;
}

export const callbackPlugin: FastifyPluginAsyncTypebox<CallbackDeps> = async (app, deps) => {
  // In this plugin's scope only: every content type arrives as raw bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));

  // The acknowledgement is whatever the provider expects (sent as the adapter wrote it); errors are ErrorBody.
  app.post(
    '/:provider',
    { schema: { params: CallbackParams, querystring: CallbackQuery, response: { 200: CallbackAck, ...errorResponses } } },
    async (req, reply) => {
      const pay = deps.payments();
      // 503 makes the provider retry later, which is what we want while starting up.
      if (!pay) return reply.code(503).send({ error: 'starting up' });
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        const ack = await pay.service.handleCallback(req.params.provider, {
          headers: req.headers,
          rawBody,
          remoteIp: req.ip,
          query: req.query as Record<string, string>,
        });
        return reply
          .code(ack.status)
          .headers(ack.headers ?? {})
          .send(ack.body);
      } catch (err) {
        if (err instanceof PaymentInputError) return reply.code(err.status).send({ error: err.message });
        throw err;
      }
    },
  );
};
