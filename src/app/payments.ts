// Wires the money side into a running NetFlow: what the portal, callback and sandbox HTTP faces
// need (src/http/app.ts registers them), the local payment sandbox when no provider is configured,
// the payment service and its status job.
import cron, { type ScheduledTask } from 'node-cron';
import { ConfigError, type Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { Database } from '../db/database.js';
import type { PaymentFaces } from '../http/app.js';
import type { PortalLimits } from '../http/portal-routes.js';
import { pgCounterStore, RateLimiter, type RateLimiterStats } from '../http/rate-limit.js';
import { combine, liveProviders, sandboxProviders, sandboxWanted } from '../payments/registry.js';
import { createPaymentSandbox } from '../payments/sandbox/index.js';
import type { SandboxContext } from '../payments/sandbox/context.js';
import { createPaymentService, type PaymentService, type ProviderRegistry } from '../payments/service.js';
import type { PaymentProvider } from '../payments/provider.js';

export interface PaymentsOptions {
  /** 'manual': the status job runs only when called (tests). */
  jobs?: 'auto' | 'manual';
  now?: () => Date;
  /** The portal's rate limits (defaults: DEFAULT_PORTAL_LIMITS). */
  portalLimits?: Partial<PortalLimits>;
}

export interface PaymentsHandle {
  /** What the HTTP faces need: pass to buildHttpApp (before listen). */
  faces: PaymentFaces;
  /** Call once the HTTP server listens: providers need NetFlow's own address. */
  ready(httpPort: number): void;
  service(): PaymentService;
  providers(): ProviderRegistry;
  sandbox: SandboxContext | null;
  /** The portal rate limiter's gauges and counters, for /metrics. */
  limiterStats(): RateLimiterStats;
  close(): Promise<void>;
}

/**
 * The configured live providers, or a ConfigError (one line: what is wrong, what to set) when the
 * payment settings cannot be run safely. startNetflow calls it before opening any port.
 */
export function checkPaymentsConfig(config: Config): PaymentProvider[] {
  const live = liveProviders(config.env);
  if (config.paymentsSandbox === 'on' && live.length > 0) {
    // Guests could pick a fake provider and get real access for test money.
    throw new ConfigError('PAYMENTS_SANDBOX=on cannot be combined with real payment provider credentials; use auto or off');
  }
  if (config.trustProxy === true) {
    // With TRUST_PROXY=true every client's X-Forwarded-For is believed, so anyone can claim to
    // call back from a provider's address.
    const byAddress = live.filter((p) => p.callbackAddressList !== undefined);
    if (byAddress.length > 0) {
      const lists = byAddress.map((p) => p.callbackAddressList).join(' and ');
      throw new ConfigError(
        `TRUST_PROXY=true cannot be used with ${byAddress.map((p) => p.displayName).join(' and ')}, whose callbacks are trusted by source address (${lists}): ` +
          'any client could fake that address in X-Forwarded-For; set TRUST_PROXY to the address(es) of your reverse proxy instead, e.g. TRUST_PROXY=127.0.0.1',
      );
    }
  }
  return live;
}

/** Prepares the money side; its `faces` go to buildHttpApp, and ready() completes the wiring after listen. */
export function setupPayments(config: Config, db: Database, log: Logger, options: PaymentsOptions = {}): PaymentsHandle {
  const live = checkPaymentsConfig(config);
  const wantSandbox = sandboxWanted(config.paymentsSandbox, live);
  const sandbox = wantSandbox ? createPaymentSandbox({ approveAfterMs: config.sandboxApproveMs }) : null;
  let state: { service: PaymentService; providers: ProviderRegistry } | null = null;
  let job: ScheduledTask | null = null;

  const limiter = new RateLimiter(pgCounterStore(db.pool), {
    onError: (err) => log.error('rate limit sweep failed', { error: err.message }),
  });
  limiter.startSweeping();

  return {
    faces: {
      portal: { prisma: db.prisma, country: config.country, payments: () => state, limiter, limits: options.portalLimits },
      callbacks: { payments: () => state },
      sandbox,
    },
    sandbox,
    limiterStats: () => limiter.stats(),
    ready(httpPort) {
      const host = config.httpBind === '0.0.0.0' || config.httpBind === '::' ? '127.0.0.1' : config.httpBind;
      const selfUrl = `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`;
      const providers = combine(live, wantSandbox ? sandboxProviders(selfUrl) : []);
      const service = createPaymentService({
        prisma: db.prisma,
        providers,
        publicUrl: config.publicUrl ?? selfUrl,
        sandboxUrl: selfUrl,
        country: config.country,
        log,
        now: options.now,
      });
      state = { service, providers };
      if (sandbox) {
        sandbox.allowCallbacksTo(`${selfUrl}/api/v1/payments/callbacks/`);
        log.warn(
          'TEST MONEY: the payment sandbox is on (fake mobile money, no real money moves); purchases work only on routers marked with ' +
            '`netflow router change NAME --test yes`; set PAYMENTS_SANDBOX=off or configure a payment provider for real money',
        );
      }
      log.info('payments ready', {
        providers:
          providers
            .all()
            .map((p) => `${p.id}${p.sandbox ? ' (sandbox, test money)' : ''}`)
            .join(', ') || 'none',
      });
      if (options.jobs !== 'manual') {
        job = cron.schedule(
          '*/10 * * * * *',
          async () => {
            try {
              await service.checkDue();
            } catch (err) {
              log.error('payment status job failed', { error: (err as Error).message });
            }
          },
          { noOverlap: true, name: 'netflow-payment-status' },
        );
      }
    },
    service() {
      if (!state) throw new Error('payments not ready');
      return state.service;
    },
    providers() {
      if (!state) throw new Error('payments not ready');
      return state.providers;
    },
    async close() {
      limiter.close();
      await job?.destroy();
      sandbox?.close();
      await state?.service.drain();
    },
  };
}
