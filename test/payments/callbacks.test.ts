// The payment service's rules for what a provider tells it, on a real PostgreSQL:
// - one payment grants one access code, however often (and however concurrently) its success
//   is reported — through a real NetFlow's callback URL and the Daraja sandbox's status answers;
// - an unsigned provider's callback without the payment's URL token is refused;
// - a success with the right amount in another currency grants nothing, in every provider style
//   (signed callback; unsigned callback confirmed by a status query; one registered callback URL;
//   the status job without any callback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/config/logger.js';
import type { Database } from '../../src/db/database.js';
import type { CallbackRequest, PaymentProvider, ProviderId, StatusResult } from '../../src/payments/provider.js';
import { registryOf } from '../../src/payments/registry.js';
import { createPaymentService } from '../../src/payments/service.js';
import { openTestDatabase } from '../support/db.js';
import { addRouter } from '../support/fixtures.js';
import { startTestNetflow } from '../support/netflow.js';

describe('callbacks to a running NetFlow (Daraja sandbox)', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;
  let base: string;
  let pkg: { id: number };
  let device = 0;

  beforeAll(async () => {
    env = await startTestNetflow();
    base = `http://127.0.0.1:${env.netflow.httpPort}`;
    await addRouter(env.db, { name: 'cafe', ip: '127.0.0.1', secret: 'callbacks-test-secret', acceptsTestMoney: true });
    pkg = await env.db.prisma.package.create({
      data: {
        name: 'KE hour',
        minutes: 60,
        priceMinor: 5_000n,
        currency: 'KES',
        rateLimitUp: '1M',
        rateLimitDown: '4M',
        clockStartsAt: 'purchase',
      },
    });
  });
  afterAll(async () => env?.stop());

  /** A KES purchase whose sandbox guest approves without calling back (phone ending 002). */
  async function approvedWithoutCallback(phone: string) {
    const res = await fetch(`${base}/api/v1/portal/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ packageId: pkg.id, phone, mac: `02:CB:00:00:00:${(++device).toString(16).padStart(2, '0')}`, router: 'cafe' }),
    });
    expect(res.status).toBe(202);
    const { id, token } = (await res.json()) as { id: string; token: string };
    await env.netflow.payments.service().drain();
    await env.netflow.payments.sandbox!.settled();
    const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id } });
    expect([row.status, row.provider, row.providerReference]).toEqual(['pending', 'daraja', expect.stringMatching(/^ws_CO_/)]);
    return { ...row, token };
  }

  /** A genuine-looking STK success callback for the payment, as Daraja sends it. */
  const success = (checkoutRequestId: string, receipt: string) =>
    JSON.stringify({
      Body: {
        stkCallback: {
          MerchantRequestID: '1-2-3',
          CheckoutRequestID: checkoutRequestId,
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: 50 },
              { Name: 'MpesaReceiptNumber', Value: receipt },
              { Name: 'Balance' },
              { Name: 'PhoneNumber', Value: 254712000000 },
            ],
          },
        },
      },
    });

  const post = (query: string, body: string) =>
    fetch(`${base}/api/v1/payments/callbacks/daraja${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('the same success delivered eight times, six of them at once: paid once, one access code, one audit entry', async () => {
    const payment = await approvedWithoutCallback('+254 712 400 002');
    const codesBefore = await env.db.prisma.entitlement.count({ where: { packageId: pkg.id } });
    const body = success(payment.providerReference!, 'UCEXACT001');
    const query = `?t=${payment.callbackToken}`;

    const concurrent = await Promise.all(Array.from({ length: 6 }, () => post(query, body)));
    expect(concurrent.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await env.netflow.payments.service().drain();
    for (let i = 0; i < 2; i++) {
      expect((await post(query, body)).status).toBe(200);
      await env.netflow.payments.service().drain();
    }

    const paid = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect([paid.status, paid.receiptNumber, paid.needsReview, paid.confirmDue]).toEqual(['paid', 'UCEXACT001', false, false]);
    const codes = await env.db.prisma.entitlement.findMany({ where: { packageId: pkg.id }, orderBy: { id: 'asc' } });
    expect(codes.length - codesBefore).toBe(1);
    expect(codes.at(-1)!.id).toBe(paid.entitlementId);
    const audit = await env.db.prisma.auditLog.findMany({ where: { subject: `payment ${payment.reference}` } });
    expect(audit.map((a) => a.action)).toEqual(['payment.paid']);
    // Every report is kept; each was checked with Daraja; exactly one of them applied.
    const events = await env.db.prisma.paymentEvent.findMany({ where: { paymentId: payment.id }, orderBy: { id: 'asc' } });
    expect(events.filter((e) => e.kind === 'callback').map((e) => e.verdict)).toEqual(Array(8).fill('confirming with a status query'));
    const verdicts = events
      .filter((e) => e.kind === 'status')
      .map((e) => e.verdict)
      .sort();
    expect(verdicts).toEqual(['applied (paid)', ...Array(7).fill('duplicate (already paid)')]);

    // The guest (the browser holding the purchase token) sees the one code.
    const view = (await (await fetch(`${base}/api/v1/portal/purchases/${payment.id}?token=${payment.token}`)).json()) as {
      access: { code: string };
    };
    expect(view.access.code).toBe(codes.at(-1)!.code);
  });

  it("an unsigned provider's callback with no URL token at all is rejected, and nothing is asked or changed", async () => {
    // Without the token check, this forged (but true) report would be confirmed with Daraja and
    // grant access: the URL token is what ties an unsigned callback to the payment it names.
    const payment = await approvedWithoutCallback('+254 712 410 002');
    const r = await post('', success(payment.providerReference!, 'FORGED0001'));
    expect(r.status).toBe(401);
    await env.netflow.payments.service().drain();
    const after = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect([after.status, after.entitlementId, after.confirmDue, after.receiptNumber]).toEqual(['pending', null, false, null]);
    const events = await env.db.prisma.paymentEvent.findMany({ where: { paymentId: payment.id, kind: { in: ['callback', 'status'] } } });
    expect(events.map((e) => [e.kind, e.authentic, e.verdict])).toEqual([['callback', false, 'rejected: callback URL token missing']]);
  });
});

describe('a success in another currency grants nothing, whatever the provider style', () => {
  let db: Database;
  let packageId: number;
  let phone = 0;

  beforeAll(async () => {
    db = await openTestDatabase();
    await addRouter(db, { name: 'cafe', ip: '127.0.0.1', acceptsTestMoney: true });
    packageId = (
      await db.prisma.package.create({
        data: {
          name: 'TZ hour',
          minutes: 60,
          priceMinor: 100_000n,
          currency: 'TZS',
          rateLimitUp: '1M',
          rateLimitDown: '4M',
          clockStartsAt: 'purchase',
        },
      })
    ).id;
  });
  afterAll(async () => db?.close());

  type Style = 'signed callback' | 'unsigned callback + status query' | 'registered URL + status query' | 'status job, no callback';

  /**
   * A provider of the given style with a plain JSON wire format: the callback says what the test
   * wrote; the status query answers `status` (amount and currency included or not).
   */
  function provider(id: ProviderId, style: Style, status: Omit<StatusResult, 'raw'>): PaymentProvider {
    return {
      id,
      displayName: `stub ${style}`,
      currencies: ['TZS'],
      networks: ['vodacom'],
      minPollDelaySeconds: 1,
      expirySeconds: 600,
      sandbox: true,
      signedCallbacks: style === 'signed callback',
      callbackUrlPerPayment: style !== 'registered URL + status query',
      async initiate(request) {
        return { outcome: 'pending', providerRef: `REF-${request.reference}`, raw: {} };
      },
      parseCallback(request: CallbackRequest) {
        const b = JSON.parse(request.rawBody.toString()) as { reference: string; amountMinor?: string; currency?: string };
        return {
          authentic: true,
          reference: b.reference,
          providerRef: `REF-${b.reference}`,
          outcome: 'succeeded',
          receipt: `R-${b.reference}`,
          ...(b.amountMinor !== undefined ? { amountMinor: BigInt(b.amountMinor) } : {}),
          ...(b.currency !== undefined ? { currency: b.currency } : {}),
          needsConfirmation: style !== 'signed callback',
          ack: { status: 200, body: 'OK' },
          raw: b,
        };
      },
      async queryStatus() {
        return { ...status, raw: {} };
      },
    };
  }

  /** Starts a TZS 1,000 purchase with the provider and reports the success its style's way. */
  async function payWith(style: Style, report: { amountMinor?: bigint; currency?: string }, status: Omit<StatusResult, 'raw'>) {
    let clock = Date.now();
    const p = provider('selcom', style, status);
    const service = createPaymentService({
      prisma: db.prisma,
      providers: registryOf([p]),
      publicUrl: 'http://127.0.0.1:9',
      country: 'TZ',
      log: silentLogger,
      now: () => new Date(clock),
    });
    phone++;
    const started = await service.startPurchase({
      packageId,
      phone: `0754 500 ${String(phone).padStart(3, '0')}`,
      provider: 'selcom',
      mac: `02:CC:00:00:00:${phone.toString(16).padStart(2, '0')}`,
      router: 'cafe',
    });
    await service.drain();
    const row = await db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
    if (style === 'status job, no callback') {
      clock = row.nextCheckAt.getTime() + 1000;
      expect(await service.checkDue()).toBe(1);
    } else {
      const body = JSON.stringify({ reference: row.reference, amountMinor: report.amountMinor?.toString(), currency: report.currency });
      const query: Record<string, string> = style === 'registered URL + status query' ? {} : { t: row.callbackToken };
      const ack = await service.handleCallback('selcom', {
        headers: { 'content-type': 'application/json' },
        rawBody: Buffer.from(body),
        remoteIp: '127.0.0.1',
        query,
      });
      expect(ack.status).toBe(200);
    }
    await service.drain();
    return db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
  }

  const RIGHT = 100_000n;
  // What each style is told: the callback's report, and what the status query answers.
  const cases: Array<[Style, (currency: string) => Omit<StatusResult, 'raw'>]> = [
    // Selcom-like: the signed callback's amount and currency are applied directly.
    ['signed callback', () => ({ outcome: 'succeeded' })],
    // Daraja-like: the status answer has no amount; the callback's amount and currency count.
    ['unsigned callback + status query', () => ({ outcome: 'succeeded' })],
    // Airtel-like: the status answer carries amount and currency itself.
    ['registered URL + status query', (currency) => ({ outcome: 'succeeded', amountMinor: RIGHT, currency })],
    ['status job, no callback', (currency) => ({ outcome: 'succeeded', amountMinor: RIGHT, currency })],
  ];

  it.each(cases)('%s: TZS 1,000 reported as KES 1,000 is refused and flagged; as TZS 1,000 it grants', async (style, status) => {
    const viaCallback = style === 'signed callback' || style === 'unsigned callback + status query';
    const wrong = await payWith(style, viaCallback ? { amountMinor: RIGHT, currency: 'KES' } : {}, status('KES'));
    expect([wrong.status, wrong.failureReason, wrong.needsReview, wrong.entitlementId]).toEqual(['failed', 'amount_mismatch', true, null]);
    const audit = await db.prisma.auditLog.findMany({ where: { subject: `payment ${wrong.reference}` } });
    expect(audit.map((a) => [a.action, (a.details as { got: string }).got])).toEqual([['payment.amount_mismatch', '100000 KES']]);

    // The same report in the right currency grants: the refusal above is the currency's doing.
    const right = await payWith(style, viaCallback ? { amountMinor: RIGHT, currency: 'TZS' } : {}, status('TZS'));
    expect([right.status, right.failureReason]).toEqual(['paid', null]);
    expect(right.entitlementId).not.toBeNull();
  });
});
