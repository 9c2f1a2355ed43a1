// What every part of the payment service shares: the database, the providers, the clock, the
// background work it waits for, and the payment event log.
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../config/logger.js';
import { redact } from './http.js';
import type { PaymentServiceOptions, ProviderRegistry } from './types.js';

export interface PaymentEvent {
  paymentId: string | null;
  provider: string;
  kind: 'initiate' | 'callback' | 'status';
  authentic?: boolean;
  outcome?: string;
  verdict: string;
  raw: unknown;
}

export interface PaymentContext {
  prisma: PrismaClient;
  providers: ProviderRegistry;
  log: Logger;
  options: PaymentServiceOptions;
  now: () => Date;
  /** Work the request does not wait for (initiations, confirmations); drain() waits for it. */
  inBackground(work: Promise<unknown>): void;
  /** Appends to payment_events (raw payloads redacted). */
  recordEvent(event: PaymentEvent): Promise<void>;
  /** Resolves when no background work is left. */
  drain(): Promise<void>;
}

export function createPaymentContext(options: PaymentServiceOptions): PaymentContext {
  const { prisma, providers, log } = options;
  const now = options.now ?? (() => new Date());
  const background = new Set<Promise<unknown>>();

  function inBackground(work: Promise<unknown>): void {
    const p = work
      .catch((err: Error) => log.error('payment background work failed', { error: err.message }))
      .finally(() => background.delete(p));
    background.add(p);
  }

  async function recordEvent(event: PaymentEvent) {
    await prisma.paymentEvent.create({
      data: {
        paymentId: event.paymentId,
        provider: event.provider,
        kind: event.kind,
        authentic: event.authentic ?? true,
        outcome: event.outcome ?? null,
        verdict: event.verdict,
        raw: toJson(redact(event.raw)),
        at: now(),
      },
    });
  }

  return {
    prisma,
    providers,
    log,
    options,
    now,
    inBackground,
    recordEvent,
    async drain() {
      while (background.size > 0) await Promise.all([...background]);
    },
  };
}

function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) ?? {};
}
