// A provider's callback: trusted only when verified (signature, or our per-payment URL token plus
// a status query to the provider), each signed message processed once, and answered at once with
// the acknowledgement the provider expects.
import type { CallbackRequest } from './provider.js';
import type { PaymentContext } from './context.js';
import type { Settlement } from './settle.js';
import { PaymentInputError } from './types.js';

export function createCallbackIntake(ctx: PaymentContext, { settle, confirmWithProvider }: Settlement) {
  const { prisma, providers, log, now, inBackground, recordEvent } = ctx;

  async function handleCallback(providerId: string, request: CallbackRequest) {
    const provider = providers.get(providerId);
    if (!provider) {
      // A provider we know but that is not enabled (now) gets 503: it retries, nothing is lost.
      const known = ['daraja', 'vodacom_tz', 'yas_tz', 'airtel', 'selcom'].includes(providerId);
      throw new PaymentInputError(
        known ? `Payment provider "${providerId}" is not enabled now.` : `No payment provider "${providerId}".`,
        known ? 503 : 404,
        'provider',
      );
    }
    const parsed = await provider.parseCallback(request);
    const token = request.query.t;
    const raw = {
      body: request.rawBody.toString('utf8').slice(0, 20_000),
      query: { ...request.query, t: token ? '[redacted]' : undefined },
      from: request.remoteIp,
      parsed: parsed.raw,
    };
    const rejected = { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'callback rejected' }) };

    // Our per-payment URL names the payment itself, even before the provider's id is known to us.
    const byToken = token ? await prisma.payment.findUnique({ where: { callbackToken: token } }) : null;
    const payment =
      byToken ??
      (token
        ? null
        : parsed.reference
          ? await prisma.payment.findFirst({ where: { reference: parsed.reference, provider: provider.id } })
          : null) ??
      (token
        ? null
        : parsed.providerRef
          ? await prisma.payment.findFirst({ where: { providerReference: parsed.providerRef, provider: provider.id } })
          : null);

    const reject = async (why: string) => {
      await recordEvent({
        paymentId: payment?.id ?? null,
        provider: provider.id,
        kind: 'callback',
        authentic: false,
        outcome: parsed.outcome,
        verdict: `rejected: ${why}`,
        raw,
      });
      log.warn('payment callback rejected', { provider: provider.id, why, from: request.remoteIp });
      return rejected;
    };
    if (!parsed.authentic) return reject(parsed.why ?? 'not authentic');
    if (token !== undefined && (!byToken || byToken.provider !== provider.id))
      return reject('callback URL token matches no payment of this provider');
    if (byToken && parsed.reference && parsed.reference !== byToken.reference)
      return reject('reference does not match the payment of this callback URL');
    if (!payment) {
      // Kept, never applied; 503 so a genuine provider retries (by then we may know the payment).
      await recordEvent({
        paymentId: null,
        provider: provider.id,
        kind: 'callback',
        outcome: parsed.outcome,
        verdict: 'unmatched (no payment with this reference)',
        raw,
      });
      return {
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: 'unknown payment; retry later' }),
      };
    }
    if (parsed.replayKey !== undefined) {
      // One signed message is processed once: claimed before it is acted on, so two copies racing
      // cannot both pass. A genuine resend gets its ack (nothing more happens), a replay nothing.
      const claimed = await prisma.$executeRaw`
        INSERT INTO seen_callbacks (provider, signature, seen_at) VALUES (${provider.id}, ${parsed.replayKey}, ${now()})
        ON CONFLICT DO NOTHING`;
      if (claimed === 0) {
        await recordEvent({
          paymentId: payment.id,
          provider: provider.id,
          kind: 'callback',
          outcome: parsed.outcome,
          verdict: 'refused: repeat of an already-processed signed callback (replay)',
          raw,
        });
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
      await prisma.payment.updateMany({
        where: { id: payment.id, providerReference: null },
        data: { providerReference: parsed.providerRef },
      });
    }
    const hint = { receipt: parsed.receipt, amountMinor: parsed.amountMinor, currency: parsed.currency };
    const confirm =
      (parsed.outcome === 'succeeded' && (parsed.needsConfirmation || parsed.amountMinor === undefined)) ||
      (parsed.outcome === 'failed' && parsed.needsConfirmation);
    if (confirm) {
      // Answer the provider at once (they time out within seconds) and confirm in the background;
      // the debt is written down first, so a failed query or a restart does not forget it.
      if (parsed.outcome === 'succeeded') {
        await prisma.payment.update({
          where: { id: payment.id },
          data: {
            confirmDue: true,
            nextCheckAt: now(),
            ...(payment.status !== 'pending' && payment.status !== 'paid' ? { needsReview: true } : {}),
          },
        });
      }
      await recordEvent({
        paymentId: payment.id,
        provider: provider.id,
        kind: 'callback',
        outcome: parsed.outcome,
        verdict: 'confirming with a status query',
        raw,
      });
      inBackground(confirmWithProvider(payment.id, provider, 'callback+status', hint));
      return parsed.ack;
    }
    const verdict = await settle(payment.id, { outcome: parsed.outcome, reason: parsed.reason, ...hint }, 'callback');
    await recordEvent({ paymentId: payment.id, provider: provider.id, kind: 'callback', outcome: parsed.outcome, verdict, raw });
    return parsed.ack;
  }

  return { handleCallback };
}
