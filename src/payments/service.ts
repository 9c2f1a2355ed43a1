// The payment state machine: pending → paid | failed | expired, in PostgreSQL. Adapters only speak
// their provider's wire format; every decision about money is made here:
// - a purchase gets one payment row before anything is sent, so nothing the provider says is lost;
// - a callback is trusted only when verified (signature, or our per-payment URL token plus a status
//   query to the provider) and its amount and currency match what we asked for;
// - "paid" is reached once, under a row lock, and is the only way a purchase entitlement is made;
// - a late success after failed/expired still grants access (the guest's money was taken) and is
//   flagged for the operator.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../config/logger.js';
import { recordAudit } from '../audit/audit.js';
import { findActiveRouter, UNKNOWN_ROUTER_MESSAGE } from '../routers/routers.js';
import { grantPurchase } from '../entitlements/create.js';
import { redact } from './http.js';
import { parsePhone, PhoneError, type Country } from './phone.js';
import type { CallbackRequest, FailureReason, Network, Outcome, PaymentProvider } from './provider.js';

export interface ProviderRegistry {
  get(id: string): PaymentProvider | undefined;
  all(): PaymentProvider[];
  /** The enabled provider that collects from this network in this currency, if any. */
  forNetwork(network: Network, currency: string): PaymentProvider | undefined;
}

export interface PaymentServiceOptions {
  prisma: PrismaClient;
  providers: ProviderRegistry;
  /** Where providers reach NetFlow, e.g. https://pay.example.com (callback URLs are built on it). */
  publicUrl: string;
  /** NetFlow's own local address: the sandbox fakes call back here, whatever PUBLIC_URL says. */
  sandboxUrl?: string;
  country: Country;
  log: Logger;
  now?: () => Date;
}

export interface PurchaseInput {
  packageId: number;
  phone: string;
  provider?: string;
  network?: string;
  mac?: string;
  ip?: string;
  /** The router as the hotspot named it to the portal: its name or its address. */
  router: string;
}

export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'expired';

export interface PurchaseView {
  id: string;
  status: PaymentStatus;
  package: { id: number; name: string; minutes: number };
  amountMinor: string;
  currency: string;
  provider: string;
  network: string;
  /** Masked: 2557••••0111. */
  phone: string;
  testMoney: boolean;
  createdAt: string;
  /** For the guest: what happened and what to do. */
  message: string;
  failureReason: string | null;
  receipt: string | null;
  /** Once paid: what the portal logs the device in with (User-Name and password). */
  access: { code: string; password: string; expiresAt: string | null } | null;
  /**
   * Only in the answer that created the purchase: the proof that this browser started it. Whoever
   * presents it later sees the access code; nobody else does (a phone number and a MAC are no proof).
   */
  token?: string;
}

/** A purchase as anyone who knows its id sees it: how it is going, nothing to log in with. */
export interface PurchaseStatusView {
  id: string;
  status: PaymentStatus;
  message: string;
  failureReason: string | null;
  testMoney: boolean;
  access: null;
  receipt: null;
}

/** What proves a payer: the provider's receipt, the phone that paid, the router it was bought at. */
export interface RecoverInput {
  phone: string;
  receipt: string;
  router: string;
}

/** A request the guest (or a provider) got wrong: the HTTP layer answers 4xx with the message. */
export class PaymentInputError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 422 | 503 = 400,
    readonly field?: string,
  ) {
    super(message);
  }
}

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** After the push dies, still ask the provider for a while: money can arrive late. */
const EXPIRY_MARGIN_SECONDS = 120;
const MAX_CHECK_INTERVAL_SECONDS = 300;
/** After expiry, or for a late "paid", how often we still ask, and for how long. */
const LATE_CHECK_SECONDS = 600;
const GIVE_UP_CONFIRMING_SECONDS = 24 * 3600;

const GUEST_FAILURE: Record<string, string> = {
  cancelled: 'The payment was cancelled on the phone. You can try again.',
  insufficient_funds: 'Not enough money on the mobile money account. Top up and try again.',
  wrong_pin: 'The PIN was wrong. Try again and enter your mobile money PIN.',
  timeout: 'The payment prompt was not answered in time. Try again and approve it on your phone.',
  unreachable: 'Your phone could not be reached. Check it is on and has signal, then try again.',
  busy_retry_later: 'The mobile money service is busy. Please try again in a minute.',
  push_failed: 'The payment prompt could not be sent to your phone. Try again.',
  invalid_msisdn: 'This number cannot pay with the chosen mobile money service.',
  duplicate: 'A payment like this is already in progress. Check your phone.',
  config_error: 'Mobile money is not available right now. Please ask the staff.',
  provider_error: 'The mobile money service had a problem. Please try again.',
  amount_mismatch: 'The amount paid does not match the package price. Please ask the staff.',
  test_money_refused: 'This Wi-Fi network does not take test money. Please ask the staff.',
  expired: 'The payment prompt expired. Try again and approve it on your phone.',
  unknown: 'The payment did not go through. Please try again.',
};

type PaymentRow = Prisma.PaymentGetPayload<{ include: { package: true; entitlement: true } }>;

export interface PaymentService {
  /**
   * Starts a purchase; the answer carries its token. `tokens` are what the caller presented (a
   * double submit from the browser that started the open purchase gets that purchase back).
   */
  startPurchase(input: PurchaseInput, tokens?: readonly string[]): Promise<PurchaseView>;
  /** The whole purchase when one of `tokens` is its token; otherwise its status only. */
  getPurchase(id: string, tokens?: readonly string[]): Promise<PurchaseView | PurchaseStatusView | null>;
  /** The paid purchase matching receipt + phone at that router (the payer's proof), or null. */
  recoverPurchase(input: RecoverInput): Promise<PurchaseView | null>;
  /** A provider's callback: answers with the acknowledgement that provider expects. */
  handleCallback(providerId: string, request: CallbackRequest): Promise<{ status: number; headers?: Record<string, string>; body: string }>;
  /** One pass of the status job: asks providers about due pending payments, expires dead ones. */
  checkDue(limit?: number): Promise<number>;
  /** Waits for background work (initiations, confirmations) to finish. */
  drain(): Promise<void>;
}

export function createPaymentService(options: PaymentServiceOptions): PaymentService {
  const { prisma, providers, log } = options;
  const now = options.now ?? (() => new Date());
  const background = new Set<Promise<unknown>>();

  function inBackground(work: Promise<unknown>): void {
    const p = work.catch((err: Error) => log.error('payment background work failed', { error: err.message })).finally(() => background.delete(p));
    background.add(p);
  }

  async function recordEvent(event: { paymentId: string | null; provider: string; kind: 'initiate' | 'callback' | 'status'; authentic?: boolean; outcome?: string; verdict: string; raw: unknown }) {
    await prisma.paymentEvent.create({
      data: {
        paymentId: event.paymentId, provider: event.provider, kind: event.kind, authentic: event.authentic ?? true,
        outcome: event.outcome ?? null, verdict: event.verdict, raw: toJson(redact(event.raw)), at: now(),
      },
    });
  }

  async function startPurchase(input: PurchaseInput, tokens: readonly string[] = []): Promise<PurchaseView> {
    const router = await findActiveRouter(prisma, input.router);
    if (!router) throw new PaymentInputError(UNKNOWN_ROUTER_MESSAGE, 404, 'router');
    const pkg = await prisma.package.findUnique({ where: { id: input.packageId } });
    if (!pkg || !pkg.active) throw new PaymentInputError('That package is not on sale.', 404, 'packageId');
    let phone;
    try {
      phone = parsePhone(input.phone, options.country);
    } catch (err) {
      throw new PaymentInputError(err instanceof PhoneError ? `${err.en} / ${err.sw}` : (err as Error).message, 422, 'phone');
    }
    const network = (input.network ?? phone.network) as Network | null;
    if (network === null) throw new PaymentInputError('Choose your mobile money network.', 422, 'network');
    const provider = input.provider ? providers.get(input.provider) : providers.forNetwork(network, pkg.currency);
    if (!provider) {
      throw new PaymentInputError(input.provider ? `Payment provider "${input.provider}" is not enabled here.` : `Paying from ${network} is not available here.`, 422, 'provider');
    }
    if (!provider.currencies.includes(pkg.currency as 'TZS' | 'KES')) throw new PaymentInputError(`${provider.displayName} cannot take payments in ${pkg.currency}.`, 422, 'provider');
    if (!provider.networks.includes(network)) throw new PaymentInputError(`${provider.displayName} cannot collect from ${network} numbers.`, 422, 'network');
    // The sandbox's test money buys real access: only where the operator asked for it.
    if (provider.sandbox && !router.acceptsTestMoney) throw new PaymentInputError(testMoneyRefused(router.name), 403, 'router');

    const t = now();
    const reference = Array.from({ length: 10 }, () => REFERENCE_ALPHABET[randomBytes(1)[0] % REFERENCE_ALPHABET.length]).join('');
    const token = randomBytes(32).toString('base64url');
    let payment: PaymentRow;
    try {
      payment = await prisma.payment.create({
        data: {
          reference, callbackToken: randomBytes(18).toString('base64url'), purchaseTokenHash: tokenHash(token), packageId: pkg.id, routerId: router.id, provider: provider.id,
          phone: phone.e164, network, mac: input.mac ? input.mac.toUpperCase() : null, ip: input.ip ?? null,
          amountMinor: pkg.priceMinor, currency: pkg.currency, sandbox: provider.sandbox,
          expiresAt: new Date(t.getTime() + provider.expirySeconds * 1000),
          nextCheckAt: new Date(t.getTime() + provider.minPollDelaySeconds * 1000),
          createdAt: t,
        },
        include: { package: true, entitlement: true },
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
      // One open push per phone and provider: a double submit gets the payment already under way.
      const open = await prisma.payment.findFirst({ where: { phone: phone.e164, provider: provider.id, status: 'pending' }, include: { package: true, entitlement: true } });
      if (!open) return startPurchase(input, tokens); // it just finished; this is a new purchase
      // Only the browser that started it gets it back (it holds the token): anyone else who knows
      // the number and the MAC (visible to everyone on the Wi-Fi) must not learn the payment's id,
      // let alone its token and, later, the access code.
      if (open.packageId !== pkg.id || !tokenMatches(open.purchaseTokenHash, tokens)) {
        throw new PaymentInputError('A payment prompt is already open on this phone. Approve or cancel it first, then try again.', 409, 'phone');
      }
      return view(open);
    }
    inBackground(initiate(payment, provider));
    return { ...view(payment), token };
  }

  async function initiate(payment: PaymentRow, provider: PaymentProvider): Promise<void> {
    const base = provider.sandbox && options.sandboxUrl ? options.sandboxUrl : options.publicUrl;
    const callbackUrl = `${base.replace(/\/$/, '')}/api/v1/payments/callbacks/${provider.id}?t=${payment.callbackToken}`;
    let result;
    try {
      result = await provider.initiate({
        paymentId: payment.id, reference: payment.reference, msisdn: payment.phone, network: payment.network as Network,
        amountMinor: payment.amountMinor, currency: payment.currency as 'TZS' | 'KES', label: payment.package.name.slice(0, 12), callbackUrl,
      });
    } catch (err) {
      // We do not know whether the push went out: the status job finds out.
      await recordEvent({ paymentId: payment.id, provider: provider.id, kind: 'initiate', outcome: 'unknown', verdict: 'error', raw: { error: (err as Error).message } });
      return;
    }
    await recordEvent({ paymentId: payment.id, provider: provider.id, kind: 'initiate', outcome: result.outcome, verdict: 'recorded', raw: result.raw });
    if (result.providerRef) {
      await prisma.payment.updateMany({ where: { id: payment.id, providerReference: null }, data: { providerReference: result.providerRef } });
    }
    if (result.outcome === 'failed') await settle(payment.id, { outcome: 'failed', reason: result.reason ?? 'unknown' }, 'initiate');
    // A synchronous success (Vodacom's C2B answers after the guest approved) came over our own
    // TLS request to the provider: as trustworthy as a status query.
    // Such a provider's transaction id is its receipt (Vodacom's TransactionID is the M-Pesa receipt).
    if (result.outcome === 'succeeded') await settle(payment.id, { outcome: 'succeeded', receipt: result.providerRef ?? undefined }, 'initiate');
  }

  interface Verdict {
    outcome: Outcome;
    reason?: FailureReason | 'amount_mismatch' | 'expired';
    receipt?: string;
    amountMinor?: bigint;
    currency?: string;
  }

  /**
   * Applies a trusted outcome under a row lock. Returns what happened, for the event log.
   * Terminal states do not move, except a success after failed/expired (money arrived late).
   */
  async function settle(paymentId: string, v: Verdict, source: string): Promise<string> {
    const verdict = await settleInTransaction(paymentId, v, source);
    if (verdict.startsWith('applied') || verdict.startsWith('rejected')) log.info(`payment ${verdict}`, { payment: paymentId, source });
    return verdict;
  }

  async function settleInTransaction(paymentId: string, v: Verdict, source: string): Promise<string> {
    return prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM payments WHERE id = ${paymentId}::uuid FOR UPDATE`;
      const p = await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, include: { package: true } });
      if (v.outcome === 'pending' || v.outcome === 'unknown') return 'no change (still pending)';
      if (v.outcome === 'failed') {
        if (p.status !== 'pending') {
          if (p.confirmDue) await tx.payment.update({ where: { id: p.id }, data: { confirmDue: false } });
          return `ignored (already ${p.status})`;
        }
        await tx.payment.update({ where: { id: p.id }, data: { status: v.reason === 'expired' ? 'expired' : 'failed', failureReason: v.reason ?? 'unknown' } });
        await recordAudit(tx, { actor: 'payments', action: `payment.${v.reason === 'expired' ? 'expired' : 'failed'}`, subject: `payment ${p.reference}`, details: { reason: v.reason ?? 'unknown', source } });
        return `applied (${v.reason === 'expired' ? 'expired' : 'failed'})`;
      }
      // Succeeded.
      if (p.status === 'paid') {
        // A repeated report (providers resend): nothing more to grant, and no confirmation owed.
        if (p.confirmDue) await tx.payment.update({ where: { id: p.id }, data: { confirmDue: false } });
        return 'duplicate (already paid)';
      }
      if (p.failureReason === 'amount_mismatch') {
        // The provider once reported another amount: a person decides, not a later message.
        await tx.payment.update({ where: { id: p.id }, data: { needsReview: true, confirmDue: false } });
        return 'held for review (an earlier report had the wrong amount)';
      }
      const wrongAmount = v.amountMinor !== undefined && v.amountMinor !== p.amountMinor;
      const wrongCurrency = v.currency !== undefined && v.currency !== p.currency;
      if (wrongAmount || wrongCurrency) {
        await tx.payment.update({
          where: { id: p.id },
          data: { status: p.status === 'pending' ? 'failed' : p.status, failureReason: 'amount_mismatch', needsReview: true, confirmDue: false },
        });
        await recordAudit(tx, {
          actor: 'payments', action: 'payment.amount_mismatch', subject: `payment ${p.reference}`,
          details: { expected: `${p.amountMinor} ${p.currency}`, got: `${v.amountMinor ?? p.amountMinor} ${v.currency ?? p.currency}`, source },
        });
        return `rejected (paid ${v.amountMinor ?? p.amountMinor} ${v.currency ?? p.currency}, asked ${p.amountMinor} ${p.currency})`;
      }
      if (p.sandbox) {
        // Test money grants only at a router still marked for it. Locked: a `router change --test no`
        // in flight either waits for this grant (and revokes its code) or is seen here.
        const [router] = await tx.$queryRaw<Array<{ accepts_test_money: boolean }>>`SELECT accepts_test_money FROM routers WHERE id = ${p.routerId} FOR SHARE`;
        if (!router?.accepts_test_money) {
          await tx.payment.update({ where: { id: p.id }, data: { status: p.status === 'pending' ? 'failed' : p.status, failureReason: 'test_money_refused', confirmDue: false } });
          await recordAudit(tx, { actor: 'payments', action: 'payment.test_money_refused', subject: `payment ${p.reference}`, details: { router: p.routerId, source } });
          return 'rejected (test money, and the router does not accept test money)';
        }
      }
      const paidAt = now();
      const late = p.status !== 'pending';
      // Bound to the router it was bought at: a code paid at one site is not good at another.
      const entitlement = await grantPurchase(tx, { package: p.package, routerId: p.routerId, paidAt });
      await tx.payment.update({
        where: { id: p.id },
        data: { status: 'paid', paidAt, entitlementId: entitlement.id, receiptNumber: v.receipt ?? null, failureReason: null, needsReview: late || p.needsReview, confirmDue: false },
      });
      await recordAudit(tx, {
        actor: 'payments', action: late ? 'payment.paid_late' : 'payment.paid', subject: `payment ${p.reference}`,
        details: { provider: p.provider, amountMinor: String(p.amountMinor), currency: p.currency, receipt: v.receipt ?? null, entitlement: entitlement.id, source, ...(late ? { was: p.status } : {}) },
      });
      return late ? `applied (paid late, after ${p.status}; flagged)` : 'applied (paid)';
    });
  }

  /**
   * Asks the provider and applies its answer. What the callback said (amount, receipt) fills gaps in
   * the status answer, never overrides it. Returns the provider's outcome.
   */
  async function confirmWithProvider(paymentId: string, provider: PaymentProvider, source: string, hint: Partial<Verdict> = {}): Promise<Outcome> {
    const p = await prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
    const status = await provider.queryStatus({ reference: p.reference, providerRef: p.providerReference, msisdn: p.phone, createdAt: p.createdAt });
    const verdict = await settle(p.id, {
      outcome: status.outcome, reason: status.reason, receipt: status.receipt ?? hint.receipt,
      amountMinor: status.amountMinor ?? hint.amountMinor, currency: status.currency ?? hint.currency,
    }, source);
    await recordEvent({ paymentId: p.id, provider: provider.id, kind: 'status', outcome: status.outcome, verdict, raw: status.raw });
    return status.outcome;
  }

  async function handleCallback(providerId: string, request: CallbackRequest) {
    const provider = providers.get(providerId);
    if (!provider) {
      // A provider we know but that is not enabled (now) gets 503: it retries, nothing is lost.
      const known = ['daraja', 'vodacom_tz', 'yas_tz', 'airtel', 'selcom'].includes(providerId);
      throw new PaymentInputError(known ? `Payment provider "${providerId}" is not enabled now.` : `No payment provider "${providerId}".`, known ? 503 : 404, 'provider');
    }
    const parsed = await provider.parseCallback(request);
    const token = request.query.t;
    const raw = { body: request.rawBody.toString('utf8').slice(0, 20_000), query: { ...request.query, t: token ? '[redacted]' : undefined }, from: request.remoteIp, parsed: parsed.raw };
    const rejected = { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'callback rejected' }) };

    // Our per-payment URL names the payment itself, even before the provider's id is known to us.
    const byToken = token ? await prisma.payment.findUnique({ where: { callbackToken: token } }) : null;
    const payment =
      byToken ??
      (token ? null : parsed.reference ? await prisma.payment.findFirst({ where: { reference: parsed.reference, provider: provider.id } }) : null) ??
      (token ? null : parsed.providerRef ? await prisma.payment.findFirst({ where: { providerReference: parsed.providerRef, provider: provider.id } }) : null);

    const reject = async (why: string) => {
      await recordEvent({ paymentId: payment?.id ?? null, provider: provider.id, kind: 'callback', authentic: false, outcome: parsed.outcome, verdict: `rejected: ${why}`, raw });
      log.warn('payment callback rejected', { provider: provider.id, why, from: request.remoteIp });
      return rejected;
    };
    if (!parsed.authentic) return reject(parsed.why ?? 'not authentic');
    if (token !== undefined && (!byToken || byToken.provider !== provider.id)) return reject('callback URL token matches no payment of this provider');
    if (byToken && parsed.reference && parsed.reference !== byToken.reference) return reject('reference does not match the payment of this callback URL');
    if (!payment) {
      // Kept, never applied; 503 so a genuine provider retries (by then we may know the payment).
      await recordEvent({ paymentId: null, provider: provider.id, kind: 'callback', outcome: parsed.outcome, verdict: 'unmatched (no payment with this reference)', raw });
      return { status: 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'unknown payment; retry later' }) };
    }
    if (parsed.replayKey !== undefined) {
      // One signed message is processed once: claimed before it is acted on, so two copies racing
      // cannot both pass. A genuine resend gets its ack (nothing more happens), a replay nothing.
      const claimed = await prisma.$executeRaw`
        INSERT INTO seen_callbacks (provider, signature, seen_at) VALUES (${provider.id}, ${parsed.replayKey}, ${now()})
        ON CONFLICT DO NOTHING`;
      if (claimed === 0) {
        await recordEvent({ paymentId: payment.id, provider: provider.id, kind: 'callback', outcome: parsed.outcome, verdict: 'refused: repeat of an already-processed signed callback (replay)', raw });
        log.warn('payment callback replay refused', { provider: provider.id, from: request.remoteIp });
        return parsed.ack;
      }
    }
    // Unsigned callbacks must come to the URL we gave for this very payment — unless the provider
    // only calls one registered URL; then nothing in it is believed without the provider's own
    // status answer (or the adapter's source-address check), so a forger can neither grant nor cancel.
    const tokenless = !provider.signedCallbacks && provider.callbackUrlPerPayment === false && token === undefined;
    if (!provider.signedCallbacks && !byToken && !tokenless) return reject('callback URL token missing');
    const trusted = byToken !== null || (provider.signedCallbacks && !parsed.needsConfirmation);
    if (parsed.providerRef && payment.providerReference === null && trusted) {
      await prisma.payment.updateMany({ where: { id: payment.id, providerReference: null }, data: { providerReference: parsed.providerRef } });
    }
    const hint = { receipt: parsed.receipt, amountMinor: parsed.amountMinor, currency: parsed.currency };
    const confirm =
      (parsed.outcome === 'succeeded' && (parsed.needsConfirmation || parsed.amountMinor === undefined)) ||
      (parsed.outcome === 'failed' && parsed.needsConfirmation);
    if (confirm) {
      // Answer the provider at once (they time out within seconds) and confirm in the background;
      // the debt is written down first, so a failed query or a restart does not forget it.
      if (parsed.outcome === 'succeeded') {
        await prisma.payment.update({ where: { id: payment.id }, data: { confirmDue: true, nextCheckAt: now(), ...(payment.status !== 'pending' && payment.status !== 'paid' ? { needsReview: true } : {}) } });
      }
      await recordEvent({ paymentId: payment.id, provider: provider.id, kind: 'callback', outcome: parsed.outcome, verdict: 'confirming with a status query', raw });
      inBackground(confirmWithProvider(payment.id, provider, 'callback+status', hint));
      return parsed.ack;
    }
    const verdict = await settle(payment.id, { outcome: parsed.outcome, reason: parsed.reason, ...hint }, 'callback');
    await recordEvent({ paymentId: payment.id, provider: provider.id, kind: 'callback', outcome: parsed.outcome, verdict, raw });
    return parsed.ack;
  }

  async function checkDue(limit = 20): Promise<number> {
    const t = now();
    // Signatures kept for the replay check are useless once their timestamp window has passed.
    await prisma.seenCallback.deleteMany({ where: { seenAt: { lt: new Date(t.getTime() - 3600_000) } } });
    // Claim by pushing next_check_at forward (a lease longer than a batch of slow providers), so a
    // second instance does not ask at the same time. Pending payments, and any payment a provider
    // said was paid that we have not confirmed yet.
    const due = await prisma.$queryRaw<Array<{ id: string; provider: string; status: PaymentStatus; checks: number; expires_at: Date; created_at: Date }>>`
      UPDATE payments SET next_check_at = ${t}::timestamptz + interval '10 minutes', checks = checks + 1
       WHERE id IN (SELECT id FROM payments WHERE (status = 'pending' OR confirm_due) AND next_check_at <= ${t}::timestamptz
                     ORDER BY next_check_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id, provider, status, checks, expires_at, created_at`;
    for (const p of due) {
      try {
        await checkOne(p, t);
      } catch (err) {
        log.warn('payment status check failed', { payment: p.id, provider: p.provider, error: (err as Error).message });
      }
    }
    return due.length;
  }

  async function checkOne(p: { id: string; provider: string; checks: number; expires_at: Date; created_at: Date }, t: Date): Promise<void> {
    const provider = providers.get(p.provider);
    let outcome: Outcome = 'unknown';
    if (provider) {
      try {
        outcome = await confirmWithProvider(p.id, provider, 'status job');
      } catch (err) {
        log.warn('payment status query failed', { payment: p.id, provider: p.provider, error: (err as Error).message });
      }
    }
    const after = await prisma.payment.findUniqueOrThrow({ where: { id: p.id } });
    const backoff = (base: number, cap: number) => Math.min(base * 2 ** Math.max(p.checks - 1, 0), cap) * 1000;
    if (after.status === 'pending') {
      const deadline = after.expiresAt.getTime() + EXPIRY_MARGIN_SECONDS * 1000;
      if (t.getTime() >= deadline) {
        await settle(p.id, { outcome: 'failed', reason: 'expired' }, 'status job');
        // The provider could not say (no answer, "unknown"): money may still arrive, keep asking now and then.
        if (outcome !== 'failed' && provider) {
          await prisma.payment.update({ where: { id: p.id }, data: { confirmDue: true, nextCheckAt: new Date(t.getTime() + LATE_CHECK_SECONDS * 1000) } });
        }
        return;
      }
      const next = Math.min(t.getTime() + backoff(provider?.minPollDelaySeconds ?? 30, MAX_CHECK_INTERVAL_SECONDS), Math.max(deadline, t.getTime() + 1000));
      await prisma.payment.update({ where: { id: p.id }, data: { nextCheckAt: new Date(next) } });
      return;
    }
    if (!after.confirmDue) return;
    // Not pending but a confirmation is owed (a late "paid", or an expiry we could not confirm).
    if (t.getTime() - after.createdAt.getTime() > GIVE_UP_CONFIRMING_SECONDS * 1000) {
      await prisma.payment.update({ where: { id: p.id }, data: { confirmDue: false, needsReview: true } });
      log.warn('payment could not be confirmed; flagged for review', { payment: p.id, provider: p.provider });
      return;
    }
    await prisma.payment.update({ where: { id: p.id }, data: { nextCheckAt: new Date(t.getTime() + backoff(LATE_CHECK_SECONDS, 3600)) } });
  }

  async function getPurchase(id: string, tokens: readonly string[] = []): Promise<PurchaseView | PurchaseStatusView | null> {
    if (!isUuid(id)) return null;
    const p = await prisma.payment.findUnique({ where: { id }, include: { package: true, entitlement: true } });
    if (!p) return null;
    return tokenMatches(p.purchaseTokenHash, tokens) ? view(p) : statusView(p);
  }

  async function recoverPurchase(input: RecoverInput): Promise<PurchaseView | null> {
    const router = await findActiveRouter(prisma, input.router);
    if (!router) throw new PaymentInputError(UNKNOWN_ROUTER_MESSAGE, 404, 'router');
    let phone;
    try {
      phone = parsePhone(input.phone, options.country);
    } catch (err) {
      throw new PaymentInputError(err instanceof PhoneError ? `${err.en} / ${err.sw}` : (err as Error).message, 422, 'phone');
    }
    const receipt = input.receipt.trim();
    if (receipt === '') return null;
    const p = await prisma.payment.findFirst({
      where: { phone: phone.e164, routerId: router.id, status: 'paid', entitlementId: { not: null }, receiptNumber: { equals: receipt, mode: 'insensitive' } },
      include: { package: true, entitlement: true },
      orderBy: { paidAt: 'desc' },
    });
    return p ? view(p) : null;
  }

  return {
    startPurchase,
    getPurchase,
    recoverPurchase,
    handleCallback,
    checkDue,
    async drain() {
      while (background.size > 0) await Promise.all([...background]);
    },
  };
}

function view(p: PaymentRow): PurchaseView {
  const reason = p.failureReason;
  const message =
    p.status === 'paid'
      ? 'Paid. You are being connected.'
      : p.status === 'pending'
        ? 'Check your phone and enter your mobile money PIN to approve the payment.'
        : GUEST_FAILURE[reason ?? (p.status === 'expired' ? 'expired' : 'unknown')] ?? GUEST_FAILURE.unknown;
  return {
    id: p.id,
    status: p.status,
    package: { id: p.package.id, name: p.package.name, minutes: p.package.minutes },
    amountMinor: String(p.amountMinor),
    currency: p.currency,
    provider: p.provider,
    network: p.network,
    phone: p.phone.slice(0, 4) + '••••' + p.phone.slice(-4),
    testMoney: p.sandbox,
    createdAt: p.createdAt.toISOString(),
    message,
    failureReason: p.status === 'paid' ? null : reason,
    receipt: p.receiptNumber,
    access: p.status === 'paid' && p.entitlement
      ? { code: p.entitlement.code, password: p.entitlement.password, expiresAt: p.entitlement.expiresAt?.toISOString() ?? null }
      : null,
  };
}

/** Why a test-money purchase is refused, and what the operator does about it. */
export function testMoneyRefused(routerName: string): string {
  return `This Wi-Fi network does not take test money (NetFlow's payment sandbox is on). The operator can allow it for testing with: netflow router change ${routerName} --test yes`;
}

function statusView(p: PaymentRow): PurchaseStatusView {
  const full = view(p);
  return { id: full.id, status: full.status, message: full.message, failureReason: full.failureReason, testMoney: full.testMoney, access: null, receipt: null };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether one of the presented tokens is the purchase's (hashes compared in constant time). */
function tokenMatches(storedHash: string | null, tokens: readonly string[]): boolean {
  if (storedHash === null) return false;
  const stored = Buffer.from(storedHash, 'hex');
  let match = false;
  for (const t of tokens) {
    if (typeof t !== 'string' || t.length === 0 || t.length > 256) continue;
    const h = createHash('sha256').update(t, 'utf8').digest();
    if (h.length === stored.length && timingSafeEqual(h, stored)) match = true;
  }
  return match;
}

function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) ?? {};
}

