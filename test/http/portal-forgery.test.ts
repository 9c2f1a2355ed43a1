// What a guest who forges the hotspot's parameters (another router's name, someone else's MAC or
// IP) gets from the portal API: nothing at a router that is not the one the access was made for.
// Through app.inject() on the real app, database and payment sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { until } from '../payments/support.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { startTestHttp, type TestHttp } from './support.js';

describe('portal API against forged hotspot parameters', () => {
  let db: Database;
  let http: TestHttp;
  let lobby: { id: number };
  let pkg: { id: number };

  beforeAll(async () => {
    db = await openTestDatabase();
    lobby = await addRouter(db, { name: 'forge-lobby', ip: '10.82.0.1', acceptsTestMoney: true });
    const annex = await addRouter(db, { name: 'forge-annex', ip: '10.82.0.2', acceptsTestMoney: true });
    pkg = await addPackage(db, { name: 'forge hour', minutes: 60 });
    await addEntitlement(db, pkg.id, { code: 'ANNEXONLY1', routerId: annex.id });
    http = await startTestHttp(db);
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  const post = (url: string, payload: object, remoteAddress = '10.82.0.1') =>
    http.app.inject({ method: 'POST', url: `/api/v1/portal${url}`, payload, remoteAddress });

  it("a voucher made for one router is refused when redeemed in another router's name, and its code is not given out", async () => {
    const res = await post('/vouchers/redeem', { code: 'annexonly1', router: 'forge-lobby', mac: 'AA:BB:CC:82:00:01' });
    expect(res.statusCode).toBe(410);
    expect(res.json()).toEqual({ error: expect.stringContaining('another Wi-Fi network'), reason: 'other_router' });
    expect(res.body).not.toContain('ANNEXONLY1');
  });

  it('a purchase is bound to the router it names, and the MAC it names binds no device', async () => {
    const res = await post('/purchases', {
      packageId: pkg.id,
      phone: '0754 820 000',
      router: 'forge-lobby',
      mac: 'AA:BB:CC:82:00:99',
      ip: '10.5.50.9',
    });
    expect(res.statusCode).toBe(202);
    const { id, token } = res.json();
    const paid = await until(
      async () => (await http.app.inject({ url: `/api/v1/portal/purchases/${id}`, headers: { 'x-purchase-token': token } })).json(),
      (v) => v.status === 'paid',
    );
    const entitlement = await db.prisma.entitlement.findUniqueOrThrow({ where: { code: paid.access.code }, include: { devices: true } });
    expect(entitlement.routerId).toBe(lobby.id);
    // Devices are bound at login, from the router's own Calling-Station-Id, never from the portal's word.
    expect(entitlement.devices).toEqual([]);
    // Its code is no voucher: naming it at the redeem route gets nothing either.
    const redeem = await post('/vouchers/redeem', { code: paid.access.code, router: 'forge-annex' }, '10.82.0.2');
    expect(redeem.statusCode).toBe(404);
  });

  it('an unknown router name buys nothing and leaves no payment behind', async () => {
    const before = await db.prisma.payment.count();
    const res = await post('/purchases', { packageId: pkg.id, phone: '0754 820 001', router: 'no-such-router' });
    expect(res.statusCode).toBe(404);
    expect(res.json().field).toBe('router');
    expect(await db.prisma.payment.count()).toBe(before);
  });

  it.each([
    [{ mac: 'AA:BB:CC:82:00:01; DROP' }, 'mac'],
    [{ ip: '10.5.50.1 OR 1=1' }, 'ip'],
  ])('a malformed hotspot value %j is refused with the field named', async (extra, field) => {
    const res = await post('/purchases', { packageId: pkg.id, phone: '0754 820 002', router: 'forge-lobby', ...extra });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
  });
});
