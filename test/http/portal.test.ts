// The portal face through app.inject(), route by route: the happy path answers every field of
// its response schema (the serializer drops what a schema leaves out), and a 4xx answers the
// one error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import type { Database } from '../../src/db/database.js';
import { createVouchers } from '../../src/admin/vouchers.js';
import { ErrorBody } from '../../src/http/schemas/common.js';
import { PackagesResponse, PhoneResponse, PurchaseStatusView, PurchaseView, RedeemResponse } from '../../src/http/schemas/portal.js';
import { openTestDatabase } from '../support/db.js';
import { addRouter } from '../support/fixtures.js';
import { startTestHttp, type TestHttp } from './support.js';
import { until } from '../payments/support.js';

describe('portal face (/api/v1/portal)', () => {
  let db: Database;
  let http: TestHttp;
  let pkg: { id: number; name: string };

  beforeAll(async () => {
    db = await openTestDatabase();
    await addRouter(db, { name: 'lobby', ip: '10.70.0.1', acceptsTestMoney: true });
    pkg = await db.prisma.package.create({
      data: {
        name: 'inject hour',
        minutes: 60,
        priceMinor: 100_000n,
        currency: 'TZS',
        rateLimitUp: '1M',
        rateLimitDown: '4M',
        dataCapBytes: 5_000_000n,
        clockStartsAt: 'purchase',
      },
    });
    http = await startTestHttp(db);
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  const inject = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    http.app.inject({ method, url, payload: payload as object, headers });
  const isError = (body: unknown) => Value.Check(ErrorBody, body);

  it('GET /packages: the router, its packages and the payment options (test money here)', async () => {
    const res = await inject('GET', '/api/v1/portal/packages?router=lobby');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Value.Check(PackagesResponse, body)).toBe(true);
    expect(body.router).toEqual({ name: 'lobby', location: null });
    expect(body.packages).toContainEqual({
      id: pkg.id,
      name: 'inject hour',
      minutes: 60,
      priceMinor: '100000',
      currency: 'TZS',
      rateLimit: { up: '1M', down: '4M' },
      dataCapBytes: '5000000',
      devices: 1,
    });
    expect(body.payment.testMoney).toBe(true);
    expect(body.payment.providers.length).toBeGreaterThan(0);
    expect(body.payment.providers[0]).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      networks: expect.any(Array),
      currencies: expect.any(Array),
      testMoney: true,
    });
  });

  it('GET /packages: 404 for an unknown router, 400 without one', async () => {
    const unknown = await inject('GET', '/api/v1/portal/packages?router=nowhere');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ field: 'router' });
    expect(isError(unknown.json())).toBe(true);
    const missing = await inject('GET', '/api/v1/portal/packages');
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ error: "querystring must have required property 'router'" });
  });

  it('GET /phone: the number read, its network and the provider to suggest', async () => {
    const res = await inject('GET', '/api/v1/portal/phone?phone=0754123456');
    expect(res.statusCode).toBe(200);
    expect(Value.Check(PhoneResponse, res.json())).toBe(true);
    expect(res.json()).toEqual({ e164: '255754123456', country: 'TZ', network: 'vodacom', provider: 'vodacom_tz' });
  });

  it('GET /phone: 422 in English and Swahili for a number that is not one', async () => {
    const res = await inject('GET', '/api/v1/portal/phone?phone=12');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ error: expect.any(String), errorSw: expect.any(String), field: 'phone' });
  });

  let purchase: { id: string; token: string };

  it('POST /purchases: 202 with the full view, its token, a cookie and a Location', async () => {
    const res = await inject('POST', '/api/v1/portal/purchases', {
      packageId: pkg.id,
      phone: '0754000000',
      router: 'lobby',
      mac: '02:00:00:00:70:01',
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(Value.Check(PurchaseView, body)).toBe(true);
    expect(body).toMatchObject({
      status: 'pending',
      package: { id: pkg.id, name: 'inject hour', minutes: 60 },
      amountMinor: '100000',
      currency: 'TZS',
      testMoney: true,
      access: null,
    });
    expect(body.token).toEqual(expect.any(String));
    expect(res.headers.location).toBe(`/api/v1/portal/purchases/${body.id}`);
    expect(String(res.headers['set-cookie'])).toContain(`netflow_purchase=${body.token}`);
    expect(res.headers['cache-control']).toBe('no-store');
    purchase = { id: body.id, token: body.token };
  });

  it('POST /purchases: 400 for a body the schema refuses, 404 for an unknown package', async () => {
    const bad = await inject('POST', '/api/v1/portal/purchases', { packageId: 'one', phone: '0754000000', router: 'lobby' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'body/packageId must be integer' });
    const noPkg = await inject('POST', '/api/v1/portal/purchases', { packageId: 999_999, phone: '0754000000', router: 'lobby' });
    expect(noPkg.statusCode).toBe(404);
    expect(isError(noPkg.json())).toBe(true);
  });

  it('GET /purchases/:id: the full view (with the access code once paid) for the token, the status view without', async () => {
    const paid = await until(
      async () =>
        (await inject('GET', `/api/v1/portal/purchases/${purchase.id}`, undefined, { 'x-purchase-token': purchase.token })).json(),
      (v) => v.status === 'paid',
    );
    expect(Value.Check(PurchaseView, paid)).toBe(true);
    expect(paid.access).toEqual({ code: expect.any(String), password: expect.any(String), expiresAt: expect.any(String) });
    expect(paid.receipt).toEqual(expect.any(String));
    const stranger = await inject('GET', `/api/v1/portal/purchases/${purchase.id}`);
    expect(stranger.statusCode).toBe(200);
    expect(Value.Check(PurchaseStatusView, stranger.json())).toBe(true);
    expect(Object.keys(stranger.json()).sort()).toEqual(['access', 'failureReason', 'id', 'message', 'receipt', 'status', 'testMoney']);
  });

  it('GET /purchases/:id: 400 for an id that is not a UUID, 404 for an unknown one', async () => {
    const bad = await inject('GET', '/api/v1/portal/purchases/not-a-uuid');
    expect([bad.statusCode, bad.json().field]).toEqual([400, 'id']);
    const unknown = await inject('GET', '/api/v1/portal/purchases/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'No such purchase.' });
  });

  it('POST /purchases/recover: the paid purchase for its receipt and phone, 404 for a wrong receipt', async () => {
    const view = (await inject('GET', `/api/v1/portal/purchases/${purchase.id}`, undefined, { 'x-purchase-token': purchase.token })).json();
    const ok = await inject('POST', '/api/v1/portal/purchases/recover', { phone: '0754000000', receipt: view.receipt, router: 'lobby' });
    expect(ok.statusCode).toBe(200);
    expect(Value.Check(PurchaseView, ok.json())).toBe(true);
    expect(ok.json().access.code).toBe(view.access.code);
    const wrong = await inject('POST', '/api/v1/portal/purchases/recover', { phone: '0754000000', receipt: 'NOPE123', router: 'lobby' });
    expect(wrong.statusCode).toBe(404);
    expect(isError(wrong.json())).toBe(true);
  });

  it('POST /vouchers/redeem: a voucher code answers what to log in with; an unknown code 404 with its reason', async () => {
    const [code] = (await createVouchers(db.prisma, { package: pkg.name, count: 1 }, 'test')).codes;
    const ok = await inject('POST', '/api/v1/portal/vouchers/redeem', { code, router: 'lobby', mac: '02:00:00:00:70:02' });
    expect(ok.statusCode).toBe(200);
    expect(Value.Check(RedeemResponse, ok.json())).toBe(true);
    expect(ok.json()).toMatchObject({ ok: true, code, package: { name: 'inject hour', minutes: 60 } });
    const unknown = await inject('POST', '/api/v1/portal/vouchers/redeem', { code: 'ZZZZ9999', router: 'lobby' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: expect.any(String), reason: 'unknown_code' });
  });
});
