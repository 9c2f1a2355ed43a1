// Buying access through the portal API on a real NetFlow (real HTTP port, real PostgreSQL), paid
// through NetFlow's local sandbox fakes of each provider (their real wire formats), and the code
// then used over real RADIUS.
import { createHash, createHmac } from 'node:crypto';
import { SELCOM_SANDBOX_CREDENTIALS } from '../../src/payments/providers/selcom.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVouchers } from '../../src/admin/vouchers.js';
import { DEFAULT_PORTAL_LIMITS } from '../../src/http/portal-routes.js';
import { silentLogger } from '../../src/config/logger.js';
import { registryOf } from '../../src/payments/registry.js';
import { createPaymentService } from '../../src/payments/service.js';
import { CODE } from '../../src/radius/codes.js';
import { integerAttr } from '../../src/radius/packet.js';
import { addRouter } from '../support/fixtures.js';
import { startTestNetflow } from '../support/netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';

const SECRET = 'purchase-test-secret-0123';
const ATTR_SESSION_TIMEOUT = 27;

interface Purchase {
  id: string;
  status: 'pending' | 'paid' | 'failed' | 'expired';
  provider: string;
  network: string;
  message: string;
  failureReason: string | null;
  receipt: string | null;
  testMoney: boolean;
  access: { code: string; password: string; expiresAt: string | null } | null;
  token?: string;
}

describe('buying access with mobile money (sandbox providers)', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;
  let base: string;
  let tzPackage: { id: number; name: string };
  let kePackage: { id: number };
  let radius: TestRadiusClient;
  let ahead = 0;
  let device = 0;

  beforeAll(async () => {
    env = await startTestNetflow({ payments: { jobs: 'manual', now: () => new Date(Date.now() + ahead) } });
    base = `http://127.0.0.1:${env.netflow.httpPort}`;
    await addRouter(env.db, { name: 'cafe', ip: '127.0.0.1', secret: SECRET, acceptsTestMoney: true });
    tzPackage = await env.db.prisma.package.create({
      data: {
        name: '1 hour',
        minutes: 60,
        priceMinor: 100_000n,
        currency: 'TZS',
        rateLimitUp: '1M',
        rateLimitDown: '4M',
        clockStartsAt: 'purchase',
      },
    });
    kePackage = await env.db.prisma.package.create({
      data: {
        name: 'KE day',
        minutes: 1440,
        priceMinor: 5_000n,
        currency: 'KES',
        rateLimitUp: '1M',
        rateLimitDown: '4M',
        clockStartsAt: 'first_login',
      },
    });
    radius = await TestRadiusClient.open();
  });
  afterAll(async () => {
    radius?.close();
    await env?.stop();
  });

  const nextMac = () => `02:AB:00:00:00:${(++device).toString(16).padStart(2, '0')}`.toUpperCase();

  /** Purchase id → the token its POST answered with (what the portal page keeps). */
  const tokens = new Map<string, string>();

  async function post(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (typeof json.token === 'string' && typeof json.id === 'string') tokens.set(json.id, json.token);
    return { status: res.status, json, headers: res.headers };
  }

  /** GET of a purchase as the browser that made it (with its token), or as anyone else. */
  async function get(id: string, token: string | null = tokens.get(id) ?? null): Promise<Purchase> {
    return (await (
      await fetch(`${base}/api/v1/portal/purchases/${id}${token ? `?token=${encodeURIComponent(token)}` : ''}`)
    ).json()) as Purchase;
  }

  async function buy(phone: string, over: Record<string, unknown> = {}): Promise<Purchase> {
    const { status, json } = await post('/api/v1/portal/purchases', {
      packageId: tzPackage.id,
      phone,
      mac: nextMac(),
      router: 'cafe',
      ...over,
    });
    expect([200, 202], JSON.stringify(json)).toContain(status);
    return json as unknown as Purchase;
  }

  /** Lets the sandbox's guest answer and the callbacks land, then reads the purchase as the portal does. */
  async function settled(id: string): Promise<Purchase> {
    for (let i = 0; i < 100; i++) {
      await env.netflow.payments.service().drain();
      await env.netflow.payments.sandbox!.settled();
      await env.netflow.payments.service().drain();
      const p = await get(id);
      if (p.status !== 'pending') return p;
      await new Promise((r) => setTimeout(r, 20));
    }
    return get(id);
  }

  it('lists the packages on sale at a registered router, with the payment options', async () => {
    const res = await fetch(`${base}/api/v1/portal/packages?router=cafe`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      packages: Array<{ name: string; priceMinor: string }>;
      payment: { testMoney: boolean; providers: Array<{ id: string }> };
    };
    expect(body.packages.map((p) => p.name)).toEqual(['KE day', '1 hour']);
    expect(body.payment.testMoney).toBe(true);
    expect(body.payment.providers.map((p) => p.id).sort()).toEqual(['airtel', 'daraja', 'selcom', 'vodacom_tz', 'yas_tz']);
    expect((await fetch(`${base}/api/v1/portal/packages?router=nowhere`)).status).toBe(404);
    const missing = await fetch(`${base}/api/v1/portal/packages`);
    expect(missing.status).toBe(400);
  });

  it.each([
    ['vodacom_tz', '0754 100 000', 'vodacom'],
    ['yas_tz', '0715 100 000', 'yas'],
    ['airtel', '0784 100 000', 'airtel'],
    ['selcom', '0620 100 000', 'halotel'],
  ])(
    'a full purchase through %s: pending, paid, an access code that RADIUS accepts with the package time',
    async (provider, phone, network) => {
      const started = await buy(phone);
      expect([started.provider, started.network, started.testMoney]).toEqual([provider, network, true]);
      expect(started.status).toBe('pending');
      expect(started.access).toBeNull();
      const paid = await settled(started.id);
      expect(paid.status, paid.message).toBe('paid');
      expect(paid.access!.code).toMatch(/^[2-9A-Z]{8}$/);
      expect(paid.receipt).toBeTruthy();

      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id }, include: { entitlement: true } });
      expect(row.entitlement!.expiresAt!.getTime() - row.paidAt!.getTime()).toBe(60 * 60_000);

      const { reply } = await radius.send(
        CODE.accessRequest,
        [
          ['User-Name', paid.access!.code],
          ['User-Password', paid.access!.password],
          ['Calling-Station-Id', nextMac()],
          ['NAS-IP-Address', '127.0.0.1'],
        ],
        SECRET,
        env.netflow.authPort,
      );
      expect(reply!.code).toBe(CODE.accessAccept);
      expect(integerAttr(reply!, ATTR_SESSION_TIMEOUT)).toBeGreaterThan(3590);
      expect(integerAttr(reply!, ATTR_SESSION_TIMEOUT)).toBeLessThanOrEqual(3600);
    },
  );

  it('a code bought at one router is refused at another, from the first login on', async () => {
    await addRouter(env.db, { name: 'hotel', ip: '127.0.0.4', secret: SECRET });
    const paid = await settled((await buy('0754 100 011')).id);
    expect(paid.status, paid.message).toBe('paid');
    const cafe = await env.db.prisma.router.findFirstOrThrow({ where: { name: 'cafe' } });
    expect((await env.db.prisma.entitlement.findUniqueOrThrow({ where: { code: paid.access!.code } })).routerId).toBe(cafe.id);
    const login = (client: TestRadiusClient) =>
      client.send(
        CODE.accessRequest,
        [
          ['User-Name', paid.access!.code],
          ['User-Password', paid.access!.password],
          ['Calling-Station-Id', nextMac()],
          ['NAS-IP-Address', '127.0.0.1'],
        ],
        SECRET,
        env.netflow.authPort,
      );
    const elsewhere = await TestRadiusClient.open('127.0.0.4');
    try {
      let reply = (await login(elsewhere)).reply;
      for (let i = 0; i < 50 && !reply; i++) reply = (await login(elsewhere)).reply; // until the router table knows the hotel
      expect(reply!.code).toBe(CODE.accessReject);
      expect(reply!.attributes.find((a) => a.type === 18)!.value.toString()).toMatch(/another Wi-Fi network/);
    } finally {
      elsewhere.close();
    }
    expect((await login(radius)).reply!.code).toBe(CODE.accessAccept);
  });

  it('a full purchase through Daraja (Kenya, KES)', async () => {
    const started = await buy('+254 712 100 000', { packageId: kePackage.id });
    expect([started.provider, started.network]).toEqual(['daraja', 'safaricom']);
    const paid = await settled(started.id);
    expect(paid.status, paid.message).toBe('paid');
    // Clock starts at first login for this package: no expiry yet.
    expect(paid.access!.expiresAt).toBeNull();
  });

  it('the guest may pick another network than the prefix suggests (numbers are portable)', async () => {
    const p = await buy('0754 200 000', { network: 'airtel' });
    expect([p.provider, p.network]).toEqual(['airtel', 'airtel']);
    expect((await settled(p.id)).status).toBe('paid');
  });

  it.each([
    ['cancelled on the phone', '0754 300 032', 'cancelled', /cancelled/],
    ['insufficient funds', '0715 300 001', 'insufficient_funds', /Not enough money/],
    ['wrong PIN', '0784 300 004', 'wrong_pin', /PIN/],
  ])('%s: failed with a message the guest understands, no access', async (_what, phone, reason, message) => {
    const p = await settled((await buy(phone)).id);
    expect([p.status, p.failureReason]).toEqual(['failed', reason]);
    expect(p.message).toMatch(message);
    expect(p.access).toBeNull();
  });

  it('duplicate callbacks change nothing after the first', async () => {
    const started = await buy('0620 400 003');
    const p = await settled(started.id);
    expect(p.status).toBe('paid');
    await env.netflow.payments.sandbox!.settled();
    await env.netflow.payments.service().drain();
    const callbacks = await env.db.prisma.paymentEvent.findMany({ where: { paymentId: started.id, kind: 'callback' } });
    expect(callbacks.length).toBeGreaterThanOrEqual(3);
    expect(await env.db.prisma.entitlement.count({ where: { payment: { id: started.id } } })).toBe(1);
    // Every grant is audited (a second one would be a 'payment.paid_late'): exactly one.
    const reference = (await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } })).reference;
    expect((await env.db.prisma.auditLog.findMany({ where: { subject: `payment ${reference}` } })).map((a) => a.action)).toEqual([
      'payment.paid',
    ]);
    // Counting grants needs more than the payment's own link (it names only the last one): see
    // test/payments/callbacks.test.ts for the same success delivered many times, concurrently.
  });

  it('a late success after a failure still grants access (the money was taken) and is flagged for the operator', async () => {
    // Airtel (unsigned callbacks): a failure callback, then the success, confirmed by a status query.
    const started = await buy('0784 500 005');
    let p = await settled(started.id);
    for (let i = 0; i < 100 && p.status !== 'paid'; i++) {
      await new Promise((r) => setTimeout(r, 30));
      p = await settled(started.id);
    }
    expect(p.status).toBe('paid');
    const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
    expect(row.needsReview).toBe(true);
    expect(await env.db.prisma.auditLog.count({ where: { action: 'payment.paid_late', subject: `payment ${row.reference}` } })).toBe(1);
  });

  it('a payment of the wrong amount grants nothing and is flagged', async () => {
    const p = await settled((await buy('0715 600 006')).id);
    expect([p.status, p.failureReason, p.access]).toEqual(['failed', 'amount_mismatch', null]);
    const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: p.id } });
    expect([row.needsReview, row.entitlementId]).toEqual([true, null]);
  });

  it('a callback that never comes is resolved by the status job', async () => {
    const started = await buy('0784 700 002');
    await env.netflow.payments.service().drain(); // the push has reached the provider…
    await env.netflow.payments.sandbox!.settled(); // …and the guest has approved it
    const pending = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
    expect(pending.status).toBe('pending');
    ahead = pending.nextCheckAt.getTime() - Date.now() + 1000;
    expect(await env.netflow.payments.service().checkDue()).toBeGreaterThanOrEqual(1);
    ahead = 0;
    const p = await settled(started.id);
    expect(p.status).toBe('paid');
    expect(await env.db.prisma.paymentEvent.count({ where: { paymentId: started.id, kind: 'status' } })).toBeGreaterThanOrEqual(1);
  });

  it('a push the guest never answers expires once the provider gives up, after a last status query', async () => {
    const started = await buy('0620 800 019');
    let p = await settled(started.id);
    if (p.status === 'pending') {
      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
      ahead = row.expiresAt.getTime() - Date.now() + 10 * 60_000;
      await env.netflow.payments.service().checkDue();
      ahead = 0;
      p = await settled(started.id);
    }
    expect(['failed', 'expired']).toContain(p.status);
    expect(p.access).toBeNull();
  });

  it('a double submit of one purchase creates one payment and one prompt', async () => {
    // Airtel's no_callback: the purchase stays open while the test looks.
    const body = { packageId: tzPackage.id, phone: '0784 900 002', mac: nextMac(), router: 'cafe' };
    const [a, b] = await Promise.all([post('/api/v1/portal/purchases', body), post('/api/v1/portal/purchases', body)]);
    // Neither had the other's token yet: one purchase, and the other submit is told it is open.
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const made = a.status === 202 ? a : b;
    // The same browser submitting again with its token gets the same purchase back.
    const again = await post('/api/v1/portal/purchases', body, { 'x-purchase-token': made.json.token as string });
    expect([again.status, again.json.id, again.json.token]).toEqual([202, made.json.id, undefined]);
    await env.netflow.payments.service().drain();
    expect(await env.db.prisma.payment.count({ where: { phone: '255784900002' } })).toBe(1);
    expect(await env.db.prisma.paymentEvent.count({ where: { paymentId: made.json.id as string, kind: 'initiate' } })).toBe(1);
  });

  it('another device using the same phone number cannot see the open payment', async () => {
    const first = await post('/api/v1/portal/purchases', {
      packageId: tzPackage.id,
      phone: '0754 940 019',
      mac: nextMac(),
      router: 'cafe',
    });
    expect(first.status).toBe(202);
    const other = await post('/api/v1/portal/purchases', {
      packageId: tzPackage.id,
      phone: '0754 940 019',
      mac: nextMac(),
      router: 'cafe',
    });
    expect(other.status).toBe(409);
    expect(other.json.id).toBeUndefined();
    expect(other.json.error).toMatch(/already open on this phone/);
  });

  describe('only the browser that bought it sees the code (purchase token), or the payer with receipt + phone', () => {
    it('the purchase answer carries a token and sets it as an httpOnly SameSite=Lax cookie; only its hash is stored', async () => {
      const r = await post('/api/v1/portal/purchases', { packageId: tzPackage.id, phone: '0754 610 000', mac: nextMac(), router: 'cafe' });
      expect(r.status).toBe(202);
      const token = r.json.token as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const cookie = r.headers.get('set-cookie')!;
      expect(cookie).toContain(`netflow_purchase=${token}`);
      expect(cookie).toMatch(/; Path=\/api\/v1\/portal(;|$)/);
      expect(cookie).toMatch(/; HttpOnly(;|$)/);
      expect(cookie).toMatch(/; SameSite=Lax(;|$)/);
      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: r.json.id as string } });
      expect(row.purchaseTokenHash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(token);
    });

    it('without the token a paid purchase shows its status only: no code, no receipt', async () => {
      const started = await buy('0754 620 000');
      const paid = await settled(started.id);
      expect(paid.access!.code).toBeTruthy();
      const stranger = await get(started.id, null);
      expect(stranger).toEqual({
        id: started.id,
        status: 'paid',
        message: paid.message,
        failureReason: null,
        testMoney: true,
        access: null,
        receipt: null,
      });
      expect((await get(started.id, 'not-the-token')).access).toBeNull();
      // The token as ?token= (above), as X-Purchase-Token, or as the cookie.
      const token = started.token!;
      const byHeader = (await (
        await fetch(`${base}/api/v1/portal/purchases/${started.id}`, { headers: { 'x-purchase-token': token } })
      ).json()) as Purchase;
      expect(byHeader.access!.code).toBe(paid.access!.code);
      const byCookie = (await (
        await fetch(`${base}/api/v1/portal/purchases/${started.id}`, { headers: { cookie: `other=1; netflow_purchase=${token}` } })
      ).json()) as Purchase;
      expect(byCookie.access!.code).toBe(paid.access!.code);
    });

    it('another guest sending the same phone and MAC learns neither the purchase, its token nor its code', async () => {
      const victim = { packageId: tzPackage.id, phone: '0784 630 002', mac: nextMac(), router: 'cafe' }; // Airtel no_callback: stays pending
      const first = await post('/api/v1/portal/purchases', victim);
      expect(first.status).toBe(202);
      const hijack = await post('/api/v1/portal/purchases', victim);
      expect(hijack.status).toBe(409);
      expect([hijack.json.id, hijack.json.token, hijack.headers.get('set-cookie')]).toEqual([undefined, undefined, null]);
      expect(JSON.stringify(hijack.json)).not.toContain(first.json.id as string);
      // Even once paid, the id alone shows no code.
      await env.netflow.payments.service().drain();
      await env.netflow.payments.sandbox!.settled();
      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: first.json.id as string } });
      ahead = row.nextCheckAt.getTime() - Date.now() + 1000;
      await env.netflow.payments.service().checkDue();
      ahead = 0;
      expect((await settled(first.json.id as string)).status).toBe('paid');
      expect((await get(first.json.id as string, null)).access).toBeNull();
    });

    it('the payer recovers the code with the receipt and the phone at that router; nothing else works', async () => {
      await addRouter(env.db, { name: 'kiosk', ip: '127.0.0.9', secret: SECRET, acceptsTestMoney: true });
      const paid = await settled((await buy('0754 640 000')).id);
      expect(paid.receipt).toBeTruthy();
      const recover = (body: Record<string, unknown>) => post('/api/v1/portal/purchases/recover', body);
      const ok = await recover({ phone: '+255 754 640 000', receipt: paid.receipt!.toLowerCase(), router: 'cafe' });
      expect(ok.status).toBe(200);
      expect((ok.json.access as { code: string }).code).toBe(paid.access!.code);
      expect((await recover({ phone: '0754 640 000', receipt: 'WRONG12345', router: 'cafe' })).status).toBe(404);
      expect((await recover({ phone: '0754 640 001', receipt: paid.receipt, router: 'cafe' })).status).toBe(404);
      expect((await recover({ phone: '0754 640 000', receipt: paid.receipt, router: 'kiosk' })).status).toBe(404);
      // Guessing receipts is rate-limited per phone (5 tries in 10 minutes, the ones above included).
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await recover({ phone: '0754 640 000', receipt: `GUESS${i}`, router: 'cafe' })).status);
      expect(statuses).toEqual([404, 404, 429, 429]);
    });

    it('a malformed purchase id is a 400, not a 500', async () => {
      for (const id of ['not-a-uuid', '------------------------------------', "1' OR '1'='1"]) {
        const res = await fetch(`${base}/api/v1/portal/purchases/${encodeURIComponent(id)}`);
        expect(res.status, id).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(/not a purchase id/);
      }
      expect((await fetch(`${base}/api/v1/portal/purchases/${crypto.randomUUID()}`)).status).toBe(404);
    });
  });

  describe('forged and stray callbacks change nothing', () => {
    async function callback(provider: string, body: unknown, query = '', headers: Record<string, string> = {}) {
      const res = await fetch(`${base}/api/v1/payments/callbacks/${provider}${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    }

    it("an unsigned provider's callback without the payment's URL token is rejected", async () => {
      // A pending Daraja payment whose success a forger tries to announce.
      const started = await buy('+254 712 910 019', { packageId: kePackage.id });
      await env.netflow.payments.service().drain();
      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
      const forged = {
        Body: {
          stkCallback: {
            MerchantRequestID: 'x',
            CheckoutRequestID: row.providerReference,
            ResultCode: 0,
            ResultDesc: 'ok',
            CallbackMetadata: {
              Item: [
                { Name: 'Amount', Value: 50 },
                { Name: 'MpesaReceiptNumber', Value: 'FORGED1234' },
                { Name: 'PhoneNumber', Value: 254712910019 },
              ],
            },
          },
        },
      };
      const r = await callback('daraja', forged, '?t=guessed-token');
      expect(r.status).toBe(401);
      const after = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
      expect(after.entitlementId).toBeNull();
      expect(after.status === 'paid').toBe(false);
      const kept = await env.db.prisma.paymentEvent.findFirst({ where: { provider: 'daraja', authentic: false }, orderBy: { id: 'desc' } });
      expect(kept!.verdict).toMatch(/token matches no payment/);
    });

    it("a signed provider's callback with a bad signature is rejected", async () => {
      const started = await buy('0620 920 019', { provider: 'selcom' });
      await env.netflow.payments.service().drain();
      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
      const r = await callback(
        'selcom',
        {
          transid: row.reference,
          order_id: row.reference,
          reference: 'X1',
          result: 'SUCCESS',
          resultcode: '000',
          payment_status: 'COMPLETED',
          amount: '1000',
        },
        '',
        {
          authorization: 'SELCOM ZmFrZQ==',
          digest: 'bm90IGEgcmVhbCBkaWdlc3Q=',
          'digest-method': 'HS256',
          timestamp: new Date().toISOString(),
          'signed-fields': 'transid,order_id,reference,result,resultcode,payment_status',
        },
      );
      expect(r.status).toBe(401);
      expect((await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } })).entitlementId).toBeNull();
    });

    it('a signed webhook is processed once: a replay of it is refused, an old one too', async () => {
      // Selcom (signed), a phone whose genuine webhook never comes: the test plays Selcom.
      const started = await buy('0620 930 002', { provider: 'selcom' });
      await env.netflow.payments.service().drain();
      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
      const sign = (timestamp: string) => {
        const body: Record<string, string> = {
          result: 'SUCCESS',
          resultcode: '000',
          order_id: row.reference,
          transid: `${row.reference}T1`,
          reference: '0289999999',
          channel: 'HALOPESA-TZ',
          amount: '1000',
          phone: row.phone,
          payment_status: 'COMPLETED',
        };
        const fields = Object.keys(body);
        const text = ['timestamp=' + timestamp, ...fields.map((f) => `${f}=${body[f]}`)].join('&');
        const headers = {
          authorization: 'SELCOM ' + Buffer.from(SELCOM_SANDBOX_CREDENTIALS.apiKey).toString('base64'),
          'digest-method': 'HS256',
          digest: createHmac('sha256', SELCOM_SANDBOX_CREDENTIALS.apiSecret).update(text).digest('base64'),
          timestamp,
          'signed-fields': fields.join(','),
        };
        return { body, headers };
      };
      const old = sign(new Date(Date.now() - 10 * 60_000).toISOString());
      expect((await callback('selcom', old.body, '', old.headers)).status).toBe(401);
      expect((await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } })).status).toBe('pending');
      expect(
        (await env.db.prisma.paymentEvent.findFirstOrThrow({ where: { paymentId: started.id, kind: 'callback' }, orderBy: { id: 'desc' } }))
          .verdict,
      ).toMatch(/Timestamp.*more than 5 minutes/);

      const fresh = sign(new Date().toISOString());
      expect((await callback('selcom', fresh.body, '', fresh.headers)).status).toBe(200);
      expect((await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } })).status).toBe('paid');
      const replay = await callback('selcom', fresh.body, '', fresh.headers);
      expect(replay.status).toBe(200); // acknowledged, so a genuine resend stops; nothing is done
      const last = await env.db.prisma.paymentEvent.findFirstOrThrow({
        where: { paymentId: started.id, kind: 'callback' },
        orderBy: { id: 'desc' },
      });
      expect(last.verdict).toMatch(/refused: repeat of an already-processed signed callback/);
      expect(await env.db.prisma.seenCallback.count({ where: { provider: 'selcom', signature: fresh.headers.digest } })).toBe(1);
    });

    it('a callback for a reference we never issued is kept but applied to nothing', async () => {
      const before = await env.db.prisma.entitlement.count();
      const r = await callback('daraja', {
        Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'ws_CO_NEVER_ISSUED', ResultCode: 0, ResultDesc: 'ok' } },
      });
      // 503: a genuine provider retries (by then its payment may be known); a forger gains nothing.
      expect(r.status).toBe(503);
      expect(await env.db.prisma.entitlement.count()).toBe(before);
      const stray = await env.db.prisma.paymentEvent.findFirst({ where: { paymentId: null, provider: 'daraja' }, orderBy: { id: 'desc' } });
      expect(stray!.verdict).toMatch(/unmatched/);
    });

    it('a provider that calls one registered URL (no per-payment token): trusted only from its allowed addresses', async () => {
      // Production Yas calls back to the URL registered with Yas, so its callbacks carry no token;
      // a second service on the same database plays that deployment.
      const yas = env.netflow.payments.providers().get('yas_tz')!;
      const registered = createPaymentService({
        prisma: env.db.prisma,
        providers: registryOf([{ ...yas, callbackUrlPerPayment: false }]),
        publicUrl: base,
        country: 'TZ',
        log: silentLogger,
      });
      const started = await registered.startPurchase({ packageId: tzPackage.id, phone: '0715 950 002', mac: nextMac(), router: 'cafe' });
      await registered.drain();
      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
      const body = Buffer.from(
        JSON.stringify({
          Status: true,
          Description: 'Success',
          MFSTransactionID: 'MFS0000001',
          ReferenceID: row.reference,
          Amount: '1000',
        }),
      );
      const from = (remoteIp: string) =>
        registered.handleCallback('yas_tz', { headers: { 'content-type': 'application/json' }, rawBody: body, remoteIp, query: {} });

      expect((await from('10.9.9.9')).status).toBe(401);
      expect((await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } })).status).toBe('pending');
      expect((await from('127.0.0.1')).status).toBe(200);
      const paid = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
      expect([paid.status, paid.receiptNumber]).toEqual(['paid', 'MFS0000001']);
      await registered.drain();
    });

    it('an unknown provider gets 404', async () => {
      expect((await callback('paypal', {})).status).toBe(404);
    });

    it("a token from another provider's payment is rejected", async () => {
      const started = await buy('0754 930 019');
      const row = await env.db.prisma.payment.findUniqueOrThrow({ where: { id: started.id } });
      const r = await callback(
        'daraja',
        { Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'ws_CO_X', ResultCode: 0, ResultDesc: 'ok' } } },
        `?t=${row.callbackToken}`,
      );
      expect(r.status).toBe(401);
    });
  });

  describe('bad input gets a clear 4xx', () => {
    it.each([
      [{ packageId: 1, phone: '0754', router: 'cafe' }, 422, /wrong length/],
      [{ packageId: 1, phone: 'call me', router: 'cafe' }, 422, /digits only/],
      [{ packageId: 99999, phone: '0754111222', router: 'cafe' }, 404, /not on sale/],
      [{ packageId: 1, phone: '0754111222', router: 'elsewhere' }, 404, /not registered/],
      [{ packageId: 1, phone: '0754111222', router: 'cafe', mac: 'not-a-mac' }, 400, /MAC/],
      [{ packageId: 1, phone: '0754111222', router: 'cafe', provider: 'paypal' }, 422, /not enabled/],
      [{ phone: '0754111222', router: 'cafe' }, 400, /packageId/],
      [{ packageId: 2 ** 31, phone: '0754111222', router: 'cafe' }, 400, /packageId must be <= 2147483647/],
      [{ packageId: 1, phone: '0754111222', router: 'cafe', ip: '10.0.0.1; DROP TABLE' }, 400, /not an IPv4 or IPv6 address/],
      [{ packageId: 1, phone: '0754111222', router: 'cafe', ip: '999.1.1.1' }, 400, /not an IPv4 or IPv6 address/],
    ])('%j → %i', async (body, status, message) => {
      const payload = { ...body } as Record<string, unknown>;
      if (payload.packageId === 1) payload.packageId = tzPackage.id;
      const r = await post('/api/v1/portal/purchases', payload);
      expect(r.status).toBe(status);
      expect(String(r.json.error ?? r.json.message)).toMatch(message);
    });

    it('too many purchases from one phone are refused for a while', async () => {
      const statuses: number[] = [];
      const mac = nextMac();
      let token = '';
      for (let i = 0; i < 7; i++) {
        // The same browser (its token) resubmitting: the open purchase comes back, until the limit.
        const r = await post(
          '/api/v1/portal/purchases',
          { packageId: tzPackage.id, phone: '0754 990 032', mac, router: 'cafe' },
          token ? { 'x-purchase-token': token } : {},
        );
        if (typeof r.json.token === 'string') token = r.json.token;
        statuses.push(r.status);
      }
      expect(
        statuses.slice(0, 5).every((s) => s < 300),
        JSON.stringify(statuses),
      ).toBe(true);
      expect(statuses.slice(5)).toEqual([429, 429]);
    });
  });

  describe('vouchers on the portal', () => {
    it('a one-device voucher redeemed on a second device while the first is online is rejected, here and over RADIUS', async () => {
      const batch = await createVouchers(env.db.prisma, { package: '1 hour', count: 1 }, 'test');
      const code = batch.codes[0];
      const [macA, macB] = [nextMac(), nextMac()];
      const a = await post('/api/v1/portal/vouchers/redeem', { code: code.toLowerCase(), mac: macA, router: 'cafe' });
      expect(a.status).toBe(200);
      expect(a.json).toMatchObject({ ok: true, code, password: code });

      // Device A logs in on the hotspot and is online.
      const auth = await radius.send(
        CODE.accessRequest,
        [
          ['User-Name', code],
          ['User-Password', code],
          ['Calling-Station-Id', macA],
          ['NAS-IP-Address', '127.0.0.1'],
        ],
        SECRET,
        env.netflow.authPort,
      );
      expect(auth.reply!.code).toBe(CODE.accessAccept);
      const start = await radius.send(
        CODE.accountingRequest,
        [
          ['Acct-Status-Type', 1],
          ['User-Name', code],
          ['Acct-Session-Id', 'v0000001'],
          ['Calling-Station-Id', macA],
          ['Framed-IP-Address', '10.5.50.9'],
        ],
        SECRET,
        env.netflow.acctPort,
        false,
      );
      expect(start.reply!.code).toBe(CODE.accountingResponse);

      const b = await post('/api/v1/portal/vouchers/redeem', { code, mac: macB, router: 'cafe' });
      expect(b.status).toBe(409);
      expect(b.json.error).toMatch(/already in use on another device/);
      const authB = await radius.send(
        CODE.accessRequest,
        [
          ['User-Name', code],
          ['User-Password', code],
          ['Calling-Station-Id', macB],
          ['NAS-IP-Address', '127.0.0.1'],
        ],
        SECRET,
        env.netflow.authPort,
      );
      expect(authB.reply!.code).toBe(CODE.accessReject);
    });

    it('an ip that is not an IP address is refused', async () => {
      const r = await post('/api/v1/portal/vouchers/redeem', { code: 'ABCDEFGH', mac: nextMac(), ip: '<script>', router: 'cafe' });
      expect(r.status).toBe(400);
      expect([r.json.error, r.json.field]).toEqual(['"<script>" is not an IPv4 or IPv6 address', 'ip']);
    });

    it('unknown codes and unknown routers get 404; guessing is rate-limited by router and address, whatever the mac', async () => {
      const mac = nextMac();
      const first = await post('/api/v1/portal/vouchers/redeem', { code: 'NOSUCHCODE', mac, router: 'cafe' });
      expect(first.status).toBe(404);
      expect(first.json.error).toMatch(/not valid/);
      expect((await post('/api/v1/portal/vouchers/redeem', { code: 'ABCDEFGH', mac: nextMac(), router: 'nowhere' })).status).toBe(404);
      // The limit is keyed by the router and the source address, not by the mac in the body (a
      // new one costs nothing): every request of this file comes from 127.0.0.1 at 'cafe', so a
      // new mac on every guess still runs into it. (It used to be 10 per mac.)
      const guess = (i: number, router = 'cafe') =>
        fetch(`${base}/api/v1/portal/vouchers/redeem`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            code: `GUESS${i}`,
            mac: `02:AC:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
            router,
          }),
        });
      let last: Response | undefined;
      let tries = 0;
      for (; tries < DEFAULT_PORTAL_LIMITS.redeemsPerAddress.limit + 1 && last?.status !== 429; tries++) last = await guess(tries);
      expect(last!.status).toBe(429);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(500);
      expect(tries).toBeLessThanOrEqual(DEFAULT_PORTAL_LIMITS.redeemsPerAddress.limit);
      // The router named by its address is the same router, so the same key.
      expect((await guess(tries + 1, '127.0.0.1')).status).toBe(429);
      const keys = await env.db.pool.query("SELECT key FROM portal_rate_limits WHERE key LIKE 'redeem:%'");
      expect(keys.rows).toHaveLength(1);
    });

    it('rotating the mac on purchases creates no rate-limit keys', async () => {
      const before = Number((await env.db.pool.query('SELECT count(*) AS n FROM portal_rate_limits')).rows[0].n);
      for (let i = 0; i < 20; i++) {
        await post('/api/v1/portal/purchases', {
          packageId: tzPackage.id,
          phone: '0754 990 032',
          mac: `02:AD:00:00:00:${i.toString(16).padStart(2, '0')}`,
          router: 'cafe',
        });
      }
      const after = Number((await env.db.pool.query('SELECT count(*) AS n FROM portal_rate_limits')).rows[0].n);
      expect(after).toBe(before);
    });
  });
});
