// The local payment sandbox as an HTTP face: fakes of every provider's API under /sandbox/<provider>
// (their bodies imitate each provider's own wire format, see src/payments/sandbox/*), and the
// /sandbox page. Answers only to this machine.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { registerAirtelSandbox } from '../payments/sandbox/airtel.js';
import { TEST_PHONE_SUFFIXES, type SandboxContext } from '../payments/sandbox/context.js';
import { registerDarajaSandbox } from '../payments/sandbox/daraja.js';
import { fromThisMachine } from '../payments/sandbox/index.js';
import { registerSelcomSandbox } from '../payments/sandbox/selcom.js';
import { registerVodacomTzSandbox } from '../payments/sandbox/vodacom-tz.js';
import { registerYasTzSandbox } from '../payments/sandbox/yas-tz.js';
import { ErrorBody } from './schemas/common.js';

export interface SandboxDeps {
  ctx: SandboxContext;
}

/** The /sandbox page: what the fakes are, the test phones, and what they did lately (open-ended entries). */
export const SandboxPage = Type.Object({
  note: Type.String(),
  approveAfterMs: Type.Number(),
  testPhoneSuffixes: Type.Record(Type.String(), Type.Unknown()),
  log: Type.Array(Type.Unknown()),
});

export const sandboxPlugin: FastifyPluginAsyncTypebox<SandboxDeps> = async (scope, { ctx }) => {
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
  scope.get('/sandbox', { schema: { response: { 200: SandboxPage, '4xx': ErrorBody } } }, async () => ({
    note: 'Test money: these are local fakes of the mobile-money providers. No real money moves.',
    approveAfterMs: ctx.approveAfterMs,
    testPhoneSuffixes: TEST_PHONE_SUFFIXES,
    log: ctx.log.slice(-50),
  }));
  scope.addHook('onClose', async () => ctx.close());
};
