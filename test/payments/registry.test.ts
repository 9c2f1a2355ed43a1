// Test money stays apart from real money: which providers a NetFlow uses, decided from
// PAYMENTS_SANDBOX and the credentials in its environment. With any live provider configured,
// `auto` means no sandbox at all; `on` beside live credentials refuses to start; the sandbox's
// fakes never appear beside (or instead of) a live provider. Checked on the decision functions and
// on the real wiring (setupPayments on a real Fastify and PostgreSQL).
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupPayments } from '../../src/app/payments.js';
import { buildHttpApp } from '../../src/http/app.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/config/logger.js';
import type { Database } from '../../src/db/database.js';
import { combine, liveProviders, sandboxProviders, sandboxWanted } from '../../src/payments/registry.js';
import { vodacomTzSandboxPublicKey } from '../../src/payments/sandbox/vodacom-tz.js';
import { openTestDatabase } from '../support/db.js';
import { addRouter } from '../support/fixtures.js';

// Complete credentials of each provider, pointing nowhere reachable: nothing here calls out.
const LIVE: Record<string, Record<string, string>> = {
  daraja: {
    DARAJA_CONSUMER_KEY: 'k',
    DARAJA_CONSUMER_SECRET: 's',
    DARAJA_SHORTCODE: '600100',
    DARAJA_PASSKEY: 'p',
    DARAJA_BASE_URL: 'http://127.0.0.1:9',
  },
  vodacom_tz: {
    VODACOM_TZ_API_KEY: 'key',
    VODACOM_TZ_PUBLIC_KEY: vodacomTzSandboxPublicKey(),
    VODACOM_TZ_SERVICE_PROVIDER_CODE: '000000',
    VODACOM_TZ_BASE_URL: 'http://127.0.0.1:9',
  },
  yas_tz: {
    YAS_TZ_USERNAME: 'NETFLOW',
    YAS_TZ_PASSWORD: 'p',
    YAS_TZ_BILLER_MSISDN: '255650000999',
    YAS_TZ_TOKEN_URL: 'http://127.0.0.1:9/token',
    YAS_TZ_PUSH_URL: 'http://127.0.0.1:9/push',
    YAS_TZ_CALLBACK_IPS: '41.222.0.10',
  },
  airtel: { AIRTEL_CLIENT_ID: 'a', AIRTEL_CLIENT_SECRET: 'b', AIRTEL_COUNTRY: 'TZ', AIRTEL_BASE_URL: 'http://127.0.0.1:9' },
  selcom: { SELCOM_API_KEY: 'k', SELCOM_API_SECRET: 's', SELCOM_VENDOR: 'v', SELCOM_BASE_URL: 'http://127.0.0.1:9' },
};
const ALL_IDS = ['airtel', 'daraja', 'selcom', 'vodacom_tz', 'yas_tz'];

describe('the sandbox decision', () => {
  it.each(Object.keys(LIVE))('credentials of %s make it live, and then auto wants no sandbox', (id) => {
    const live = liveProviders(LIVE[id]);
    expect(live.map((p) => [p.id, p.sandbox])).toEqual([[id, false]]);
    expect(sandboxWanted('auto', live)).toBe(false);
    expect(sandboxWanted('off', live)).toBe(false);
  });

  it('without any credentials, auto and on want the sandbox, off does not', () => {
    expect(liveProviders({ PATH: '/bin' })).toEqual([]);
    expect(sandboxWanted('auto', [])).toBe(true);
    expect(sandboxWanted('on', [])).toBe(true);
    expect(sandboxWanted('off', [])).toBe(false);
  });

  it('a live provider is never shadowed by its fake', () => {
    const live = liveProviders(LIVE.daraja);
    const registry = combine(live, sandboxProviders('http://127.0.0.1:3000'));
    expect(registry.get('daraja')).toBe(live[0]);
    expect(registry.forNetwork('safaricom', 'KES')).toBe(live[0]);
    expect(
      combine(live, [])
        .all()
        .map((p) => [p.id, p.sandbox]),
    ).toEqual([['daraja', false]]);
  });
});

describe('the wiring in a running NetFlow', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase();
    await addRouter(db, { name: 'cafe', ip: '127.0.0.1', acceptsTestMoney: true }); // the sandbox is offered only at routers marked for testing
  });
  afterAll(async () => db?.close());

  /** setupPayments and the HTTP app it feeds, listening, as startNetflow does; returns what a guest would see. */
  async function wire(env: Record<string, string>) {
    const config = loadConfig({ DATABASE_URL: db.url, HTTP_BIND: '127.0.0.1', PORT: '0', ...env });
    const payments = setupPayments(config, db, silentLogger, { jobs: 'manual' });
    const http = buildHttpApp({ pingDatabase: async () => {}, startedAt: new Date(), payments: payments.faces });
    try {
      await http.listen({ host: '127.0.0.1', port: 0 });
      const port = (http.server.address() as AddressInfo).port;
      payments.ready(port);
      const base = `http://127.0.0.1:${port}`;
      const portal = (await (await fetch(`${base}/api/v1/portal/packages?router=cafe`)).json()) as {
        payment: { testMoney: boolean; providers: Array<{ id: string }> };
      };
      const seen = {
        providers: payments
          .providers()
          .all()
          .map((p) => [p.id, p.sandbox] as const),
        sandboxRunning: payments.sandbox !== null,
        sandboxPage: (await fetch(`${base}/sandbox`)).status,
        fakeDaraja: (await fetch(`${base}/sandbox/daraja/oauth/v1/generate?grant_type=client_credentials`)).status,
        portal: portal.payment,
      };
      await payments.close();
      return seen;
    } finally {
      await http.close();
    }
  }

  it.each(Object.keys(LIVE))('auto with %s credentials: only that live provider, no sandbox fake served or offered', async (id) => {
    const seen = await wire({ ...LIVE[id], PAYMENTS_SANDBOX: 'auto' });
    expect(seen.providers).toEqual([[id, false]]);
    expect([seen.sandboxRunning, seen.sandboxPage, seen.fakeDaraja]).toEqual([false, 404, 404]);
    expect(seen.portal.testMoney).toBe(false);
    expect(seen.portal.providers.map((p) => p.id)).toEqual([id]);
  });

  it('off with live credentials: the same, live only', async () => {
    const seen = await wire({ ...LIVE.selcom, ...LIVE.airtel, PAYMENTS_SANDBOX: 'off' });
    expect(seen.providers).toEqual([
      ['airtel', false],
      ['selcom', false],
    ]);
    expect([seen.sandboxRunning, seen.sandboxPage]).toEqual([false, 404]);
  });

  it('auto without credentials: every provider as a sandbox fake, marked as test money', async () => {
    const seen = await wire({ PAYMENTS_SANDBOX: 'auto' });
    expect(seen.providers.map(([id]) => id).sort()).toEqual(ALL_IDS);
    expect(seen.providers.every(([, sandbox]) => sandbox)).toBe(true);
    expect([seen.sandboxRunning, seen.sandboxPage, seen.fakeDaraja]).toEqual([true, 200, 400]);
    expect(seen.portal.testMoney).toBe(true);
  });

  it('off without credentials: no provider at all', async () => {
    const seen = await wire({ PAYMENTS_SANDBOX: 'off' });
    expect([seen.providers, seen.sandboxRunning, seen.sandboxPage]).toEqual([[], false, 404]);
  });

  it.each(Object.keys(LIVE))('PAYMENTS_SANDBOX=on with %s credentials refuses to start', (id) => {
    const config = loadConfig({ DATABASE_URL: db.url, HTTP_BIND: '127.0.0.1', PORT: '0', ...LIVE[id], PAYMENTS_SANDBOX: 'on' });
    expect(() => setupPayments(config, db, silentLogger, { jobs: 'manual' })).toThrow(ConfigError);
    expect(() => setupPayments(config, db, silentLogger, { jobs: 'manual' })).toThrow(
      /PAYMENTS_SANDBOX=on cannot be combined with real payment provider credentials/,
    );
  });
});
