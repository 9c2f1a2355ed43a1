// Providers whose callbacks are trusted by source address (Yas, Airtel with AIRTEL_CALLBACK_IPS)
// and reverse proxies: X-Forwarded-For is believed only from the proxies TRUST_PROXY lists, and
// NetFlow refuses to start with TRUST_PROXY=true beside such a provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config.js';
import type { Database } from '../../src/db/database.js';
import { addPackage, addRouter } from '../support/fixtures.js';
import { openTestDatabase } from '../support/db.js';
import { startNetflowOn } from '../support/netflow.js';

const YAS_ENV = {
  YAS_TZ_USERNAME: 'NETFLOW',
  YAS_TZ_PASSWORD: 'pw',
  YAS_TZ_BILLER_MSISDN: '255650000999',
  YAS_TZ_TOKEN_URL: 'http://127.0.0.1:9/NETFLOW2DM-GetToken',
  YAS_TZ_PUSH_URL: 'http://127.0.0.1:9/NETFLOW2DM-PushBillpay',
  YAS_TZ_CALLBACK_IPS: '196.43.0.10',
};
const DARAJA_ENV = {
  DARAJA_CONSUMER_KEY: 'k',
  DARAJA_CONSUMER_SECRET: 's',
  DARAJA_SHORTCODE: '600100',
  DARAJA_PASSKEY: 'p',
  DARAJA_BASE_URL: 'http://127.0.0.1:9',
};
const AIRTEL_ENV = { AIRTEL_CLIENT_ID: 'id', AIRTEL_CLIENT_SECRET: 'secret', AIRTEL_COUNTRY: 'TZ', AIRTEL_BASE_URL: 'http://127.0.0.1:9' };

describe('TRUST_PROXY and providers trusted by callback source address', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db?.close());

  it.each([
    ['Yas', YAS_ENV, /Mixx by Yas.*YAS_TZ_CALLBACK_IPS/],
    ['Airtel with AIRTEL_CALLBACK_IPS', { ...AIRTEL_ENV, AIRTEL_CALLBACK_IPS: '41.223.0.1' }, /Airtel Money.*AIRTEL_CALLBACK_IPS/],
    [
      'Daraja with DARAJA_CALLBACK_IPS',
      { ...DARAJA_ENV, DARAJA_CALLBACK_IPS: '196.201.214.200' },
      /M-Pesa \(Safaricom\).*DARAJA_CALLBACK_IPS/,
    ],
  ])('refuses to start with TRUST_PROXY=true and %s, in one line saying what to set instead', async (_what, env, names) => {
    const started = startNetflowOn(db, {}, {}, { ...env, TRUST_PROXY: 'true' });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    const message = await started.catch((err: Error) => err.message);
    expect(message).toMatch(names);
    expect(message).toMatch(/X-Forwarded-For.*set TRUST_PROXY to the address\(es\) of your reverse proxy/);
    expect(message).not.toContain('\n');
  });

  it('starts with TRUST_PROXY=true when no provider trusts callback addresses (Airtel without an address list)', async () => {
    const netflow = await startNetflowOn(db, {}, {}, { ...AIRTEL_ENV, TRUST_PROXY: 'true' });
    await netflow.close();
  });

  it('starts with TRUST_PROXY=true beside Daraja without DARAJA_CALLBACK_IPS (the published list is not enforced)', async () => {
    const netflow = await startNetflowOn(db, {}, {}, { ...DARAJA_ENV, TRUST_PROXY: 'true' });
    await netflow.close();
  });

  describe("a forged Yas callback naming the provider's address in X-Forwarded-For", () => {
    let routers = 0;
    async function pendingYasPayment(reference: string) {
      const router = await addRouter(db, { ip: `10.77.0.${++routers}` });
      const pkg = await addPackage(db);
      return db.prisma.payment.create({
        data: {
          reference,
          callbackToken: `cb-${reference}`,
          packageId: pkg.id,
          routerId: router.id,
          provider: 'yas_tz',
          phone: '255715000111',
          network: 'yas',
          amountMinor: pkg.priceMinor,
          currency: 'TZS',
          status: 'failed',
          failureReason: 'cancelled',
          expiresAt: new Date(Date.now() + 60_000),
          nextCheckAt: new Date(Date.now() + 60_000),
        },
      });
    }
    const forge = (port: number, reference: string) =>
      fetch(`http://127.0.0.1:${port}/api/v1/payments/callbacks/yas_tz`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '196.43.0.10' },
        body: JSON.stringify({
          Status: true,
          Description: 'Success',
          MFSTransactionID: `MFS${reference}`,
          ReferenceID: reference,
          Amount: '1000',
        }),
      });

    it('is refused when the sender is not a listed proxy', async () => {
      const netflow = await startNetflowOn(db, {}, {}, { ...YAS_ENV, TRUST_PROXY: '10.0.0.1' });
      try {
        const p = await pendingYasPayment('YASFORGE01');
        expect((await forge(netflow.httpPort, p.reference)).status).toBe(401);
        const after = await db.prisma.payment.findUniqueOrThrow({ where: { id: p.id } });
        expect([after.status, after.entitlementId]).toEqual(['failed', null]);
      } finally {
        await netflow.close();
      }
    });

    it('is believed from a listed proxy (the proxy vouches for the address it forwards)', async () => {
      const netflow = await startNetflowOn(db, {}, {}, { ...YAS_ENV, TRUST_PROXY: '127.0.0.1' });
      try {
        const p = await pendingYasPayment('YASPROXY02');
        expect((await forge(netflow.httpPort, p.reference)).status).toBe(200);
        expect((await db.prisma.payment.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('paid');
      } finally {
        await netflow.close();
      }
    });
  });
});
