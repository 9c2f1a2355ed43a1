// NetFlow's local payment sandbox: fakes of every provider's API served by NetFlow itself under
// /sandbox/<provider>, used when no real credentials are configured (test money, clearly marked)
// and by the tests. Test phone numbers choose what the simulated guest does (context.ts).
import type { FastifyInstance } from 'fastify';
import { registerAirtelSandbox } from './airtel.js';
import { SandboxContext, TEST_PHONE_SUFFIXES, type SandboxOptions } from './context.js';
import { registerDarajaSandbox } from './daraja.js';
import { registerSelcomSandbox } from './selcom.js';
import { registerVodacomTzSandbox } from './vodacom-tz.js';
import { registerYasTzSandbox } from './yas-tz.js';

export function registerPaymentSandbox(app: FastifyInstance, options: SandboxOptions = {}): SandboxContext {
  const ctx = new SandboxContext(options);
  registerDarajaSandbox(app, ctx);
  registerVodacomTzSandbox(app, ctx);
  registerYasTzSandbox(app, ctx);
  registerAirtelSandbox(app, ctx);
  registerSelcomSandbox(app, ctx);
  app.get('/sandbox', async () => ({
    note: 'Test money: these are local fakes of the mobile-money providers. No real money moves.',
    approveAfterMs: ctx.approveAfterMs,
    testPhoneSuffixes: TEST_PHONE_SUFFIXES,
    log: ctx.log.slice(-50),
  }));
  app.addHook('onClose', async () => ctx.close());
  return ctx;
}
