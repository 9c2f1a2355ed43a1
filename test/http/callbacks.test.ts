// The payment callback face through app.inject(): the exact bytes reach the provider's adapter and
// its acknowledgement comes back as the provider expects it; DARAJA_CALLBACK_IPS, when set, refuses
// callbacks from any other source address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { openTestDatabase } from '../support/db.js';
import { addPackage, addRouter } from '../support/fixtures.js';
import { startTestHttp, type TestHttp } from './support.js';

const DARAJA_ENV = {
  DARAJA_CONSUMER_KEY: 'k',
  DARAJA_CONSUMER_SECRET: 's',
  DARAJA_SHORTCODE: '600100',
  DARAJA_PASSKEY: 'p',
  DARAJA_BASE_URL: 'http://127.0.0.1:9',
  DARAJA_CALLBACK_IPS: '127.0.0.1, 196.201.214.0/24',
};

describe('payment callback face (/api/v1/payments/callbacks/:provider)', () => {
  let db: Database;
  let http: TestHttp;
  let seq = 0;

  beforeAll(async () => {
    db = await openTestDatabase();
    http = await startTestHttp(db, DARAJA_ENV);
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  async function pendingDaraja() {
    seq++;
    const router = await addRouter(db, { ip: `10.71.0.${seq}` });
    const pkg = await addPackage(db);
    return db.prisma.payment.create({
      data: {
        reference: `DRJ${seq}`,
        callbackToken: `cb-daraja-${seq}`,
        providerReference: `ws_CO_${seq}`,
        packageId: pkg.id,
        routerId: router.id,
        provider: 'daraja',
        phone: `2547123456${String(seq).padStart(2, '0')}`,
        network: 'safaricom',
        amountMinor: 5000n,
        currency: 'KES',
        status: 'pending',
        expiresAt: new Date(Date.now() + 60_000),
        nextCheckAt: new Date(Date.now() + 60_000),
      },
    });
  }
  const cancelled = (checkoutId: string) => ({
    Body: {
      stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: checkoutId, ResultCode: 1032, ResultDesc: 'Request cancelled by user' },
    },
  });
  const callback = (token: string, body: unknown, remoteAddress: string) =>
    http.app.inject({
      method: 'POST',
      url: `/api/v1/payments/callbacks/daraja?t=${token}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
      remoteAddress,
    });

  it("from a listed address: the adapter's acknowledgement, byte for byte", async () => {
    const p = await pendingDaraja();
    const res = await callback(p.callbackToken, cancelled(p.providerReference!), '127.0.0.1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"ResultCode":0,"ResultDesc":"Accepted"}');
    expect(res.headers['content-type']).toContain('application/json');
    const events = await db.prisma.paymentEvent.findMany({ where: { paymentId: p.id, kind: 'callback' } });
    expect(events.map((e) => e.authentic)).not.toContain(false);
  });

  it('from a listed range (a forwarded IPv4-mapped peer is the same address)', async () => {
    const p = await pendingDaraja();
    expect((await callback(p.callbackToken, cancelled(p.providerReference!), '::ffff:196.201.214.9')).statusCode).toBe(200);
  });

  it('DARAJA_CALLBACK_IPS: from any other address, 401 and nothing applied, even with the right URL token', async () => {
    const p = await pendingDaraja();
    const res = await callback(p.callbackToken, cancelled(p.providerReference!), '10.9.9.9');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'callback rejected' });
    expect((await db.prisma.payment.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('pending');
    const [event] = await db.prisma.paymentEvent.findMany({ where: { paymentId: p.id, kind: 'callback' } });
    expect([event.authentic, event.verdict]).toEqual([false, expect.stringContaining('DARAJA_CALLBACK_IPS')]);
    expect(http.lines.some((l) => l.includes('payment callback rejected') && l.includes('10.9.9.9'))).toBe(true);
  });

  it('404 for a provider NetFlow does not know, 503 for one it knows that is not enabled', async () => {
    const unknown = await http.app.inject({
      method: 'POST',
      url: '/api/v1/payments/callbacks/paypal',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect([unknown.statusCode, unknown.json()]).toEqual([404, { error: 'No payment provider "paypal".' }]);
    const off = await http.app.inject({
      method: 'POST',
      url: '/api/v1/payments/callbacks/selcom',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(off.statusCode).toBe(503);
  });
});
