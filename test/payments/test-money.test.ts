// The payment sandbox (test money) on a real NetFlow: it sells and grants only on routers marked
// for testing, its codes stop working when the mark goes, its pages and fake provider APIs answer
// only to NetFlow's own machine, its fakes call back nowhere but NetFlow, and `serve` says loudly
// that it is on.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRouter } from '../../src/admin/routers.js';
import { createLogger } from '../../src/config/logger.js';
import type { Database } from '../../src/db/database.js';
import { scanSessions } from '../../src/enforce/scan.js';
import { DARAJA_SANDBOX_CREDENTIALS, darajaPassword } from '../../src/payments/providers/daraja.js';
import { YAS_TZ_SANDBOX_CALLBACK_HEADER, YAS_TZ_SANDBOX_CREDENTIALS } from '../../src/payments/providers/yas-tz.js';
import { CODE } from '../../src/radius/codes.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { openTestDatabase } from '../support/db.js';
import { startNetflowOn } from '../support/netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';
import type { RunningNetflow } from '../../src/app/serve.js';

const SECRET = 'test-money-secret-0123456';

/** One HTTP request from a chosen local address (127.0.0.2 plays a stranger on the network). */
function request(
  port: number,
  path: string,
  options: { method?: string; localAddress?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', localAddress: options.localAddress, headers: options.headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('test money (the payment sandbox)', () => {
  let db: Database;
  let netflow: RunningNetflow;
  let base: string;
  let pkg: { id: number };
  let radius: TestRadiusClient;
  const logLines: string[] = [];
  let device = 0;
  const nextMac = () => `02:CD:00:00:00:${(++device).toString(16).padStart(2, '0')}`.toUpperCase();

  beforeAll(async () => {
    db = await openTestDatabase();
    netflow = await startNetflowOn(
      db,
      {},
      {},
      {},
      createLogger('info', (line) => logLines.push(line)),
    );
    base = `http://127.0.0.1:${netflow.httpPort}`;
    await addRouter(db, { name: 'lab', ip: '127.0.0.1', secret: SECRET, acceptsTestMoney: true });
    await addRouter(db, { name: 'shop', ip: '127.0.0.6', secret: SECRET });
    pkg = await addPackage(db, { clockStartsAt: 'purchase' });
    radius = await TestRadiusClient.open();
  });
  afterAll(async () => {
    radius?.close();
    await netflow?.close();
    await db?.close();
  });

  async function buy(router: string, phone: string) {
    const res = await fetch(`${base}/api/v1/portal/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ packageId: pkg.id, phone, mac: nextMac(), router }),
    });
    return { status: res.status, json: (await res.json()) as { id: string; token: string; error?: string; status?: string } };
  }

  async function paid(id: string, token: string) {
    for (let i = 0; i < 100; i++) {
      await netflow.payments.service().drain();
      await netflow.payments.sandbox!.settled();
      await netflow.payments.service().drain();
      const p = (await (await fetch(`${base}/api/v1/portal/purchases/${id}?token=${token}`)).json()) as {
        status: string;
        access: { code: string; password: string } | null;
      };
      if (p.status !== 'pending') return p;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('still pending');
  }

  const login = (code: string, mac: string) =>
    radius.send(
      CODE.accessRequest,
      [
        ['User-Name', code],
        ['User-Password', code],
        ['Calling-Station-Id', mac],
        ['NAS-IP-Address', '127.0.0.1'],
      ],
      SECRET,
      netflow.authPort,
    );

  it('`serve` says loudly, once, that test money is on and what to do about it', () => {
    const warnings = logLines
      .map((l) => JSON.parse(l) as { level: string; msg: string })
      .filter((l) => l.level === 'warn' && l.msg.startsWith('TEST MONEY'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toMatch(
      /payment sandbox is on.*netflow router change NAME --test yes.*PAYMENTS_SANDBOX=off or configure a payment provider/,
    );
  });

  it('a test-money purchase at a router not marked for testing is refused, saying how to allow it', async () => {
    const r = await buy('shop', '0754 100 000');
    expect(r.status).toBe(403);
    expect(r.json.error).toMatch(/does not take test money.*netflow router change shop --test yes/);
    expect(await db.prisma.payment.count({ where: { router: { name: 'shop' } } })).toBe(0);
  });

  it('the portal offers the sandbox providers only at a router marked for testing', async () => {
    const offered = async (router: string) =>
      (
        (await (await fetch(`${base}/api/v1/portal/packages?router=${router}`)).json()) as {
          payment: { testMoney: boolean; providers: unknown[] };
        }
      ).payment;
    expect(await offered('shop')).toEqual({ testMoney: false, providers: [] });
    const lab = await offered('lab');
    expect(lab.testMoney).toBe(true);
    expect(lab.providers.length).toBeGreaterThan(0);
  });

  it('at a router marked --test it works end to end, until the mark is removed: then its codes are revoked (audited) and refused', async () => {
    const bought = await buy('lab', '0754 200 000');
    expect(bought.status).toBe(202);
    const p = await paid(bought.json.id, bought.json.token);
    expect(p.status).toBe('paid');
    const mac = nextMac();
    expect((await login(p.access!.code, mac)).reply!.code).toBe(CODE.accessAccept);
    const start = await radius.send(
      CODE.accountingRequest,
      [
        ['Acct-Status-Type', 1],
        ['User-Name', p.access!.code],
        ['Acct-Session-Id', 'tm000001'],
        ['Calling-Station-Id', mac],
        ['Framed-IP-Address', '10.5.50.7'],
      ],
      SECRET,
      netflow.acctPort,
      false,
    );
    expect(start.reply!.code).toBe(CODE.accountingResponse);
    // A voucher (not test money) bound to the same router is not touched.
    const lab = await db.prisma.router.findUniqueOrThrow({ where: { name: 'lab' } });
    const voucher = await addEntitlement(db, pkg.id, { routerId: lab.id });

    const changed = await changeRouter(db.prisma, 'lab', { acceptsTestMoney: false }, 'cli');
    expect(changed.revokedTestMoneyCodes).toBe(1);
    const code = await db.prisma.entitlement.findUniqueOrThrow({ where: { code: p.access!.code } });
    expect(code.status).toBe('revoked');
    expect((await db.prisma.entitlement.findUniqueOrThrow({ where: { id: voucher.id } })).status).toBe('active');
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'entitlement.revoke', subject: 'lab' } });
    expect(audit.details).toMatchObject({ count: 1, entitlements: [code.id] });
    expect(JSON.stringify(audit.details)).not.toContain(p.access!.code);

    expect((await login(p.access!.code, nextMac())).reply!.code).toBe(CODE.accessReject);
    // Enforcement's scan disconnects the session already online.
    const scan = await scanSessions(db.pool, new Date(), 300);
    expect(scan.queued.map((q) => q.reason)).toContain('revoked');
    // And no new test-money purchase there.
    expect((await buy('lab', '0754 200 001')).status).toBe(403);
    await changeRouter(db.prisma, 'lab', { acceptsTestMoney: true }, 'cli');
  });

  it('a test-money payment that completes after the router lost its mark grants nothing', async () => {
    const bought = await buy('lab', '0784 300 002'); // Airtel, no callback: the status job settles it
    expect(bought.status).toBe(202);
    await netflow.payments.service().drain();
    await netflow.payments.sandbox!.settled();
    await changeRouter(db.prisma, 'lab', { acceptsTestMoney: false }, 'cli');
    await db.prisma.payment.update({ where: { id: bought.json.id }, data: { nextCheckAt: new Date(Date.now() - 1000) } });
    await netflow.payments.service().checkDue();
    const row = await db.prisma.payment.findUniqueOrThrow({ where: { id: bought.json.id } });
    expect([row.status, row.failureReason, row.entitlementId]).toEqual(['failed', 'test_money_refused', null]);
    await changeRouter(db.prisma, 'lab', { acceptsTestMoney: true }, 'cli');
  });

  describe("/sandbox answers only to NetFlow's own machine", () => {
    it('the page and the fake provider APIs refuse another address (127.0.0.2) and forwarded requests', async () => {
      const port = netflow.httpPort;
      expect((await request(port, '/sandbox')).status).toBe(200);
      const token = `/sandbox/daraja/oauth/v1/generate?grant_type=client_credentials`;
      const basic = {
        authorization: `Basic ${Buffer.from(`${DARAJA_SANDBOX_CREDENTIALS.consumerKey}:${DARAJA_SANDBOX_CREDENTIALS.consumerSecret}`).toString('base64')}`,
      };
      expect((await request(port, token, { headers: basic })).status).toBe(200);

      for (const path of [
        '/sandbox',
        token,
        '/sandbox/yas_tz/NETFLOW2DM-GetToken',
        '/sandbox/airtel/auth/oauth2/token',
        '/sandbox/selcom/checkout/order-status',
      ]) {
        const stranger = await request(port, path, { localAddress: '127.0.0.2', headers: basic });
        expect(stranger.status, path).toBe(404);
        expect(stranger.text).not.toMatch(/access_token|testPhoneSuffixes/);
      }
      // A reverse proxy on this machine connects from 127.0.0.1 on behalf of someone else.
      expect((await request(port, '/sandbox', { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(404);
      expect((await request(port, '/sandbox', { headers: { forwarded: 'for=203.0.113.7' } })).status).toBe(404);
      // The portal API is for everyone.
      expect((await request(port, '/api/v1/portal/packages?router=lab', { localAddress: '127.0.0.2' })).status).toBe(200);
    });
  });

  describe('the fakes call back to NetFlow only (no server-side request forgery)', () => {
    let attacker: http.Server;
    let hits: string[];
    let attackerUrl: string;
    beforeAll(async () => {
      hits = [];
      attacker = http.createServer((req, res) => {
        hits.push(`${req.method} ${req.url}`);
        res.end('ok');
      });
      await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
      attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => attacker.close(() => r())));

    it("a callback URL handed to a fake is never requested unless it is NetFlow's own callback route", async () => {
      const port = netflow.httpPort;
      // Daraja: the published sandbox credentials, a push naming the attacker as CallBackURL.
      const basic = `Basic ${Buffer.from(`${DARAJA_SANDBOX_CREDENTIALS.consumerKey}:${DARAJA_SANDBOX_CREDENTIALS.consumerSecret}`).toString('base64')}`;
      const tokenRes = await request(port, '/sandbox/daraja/oauth/v1/generate?grant_type=client_credentials', {
        headers: { authorization: basic },
      });
      const bearer = (JSON.parse(tokenRes.text) as { access_token: string }).access_token;
      const timestamp = '20261206120000';
      const push = await request(port, '/sandbox/daraja/mpesa/stkpush/v1/processrequest', {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          BusinessShortCode: DARAJA_SANDBOX_CREDENTIALS.shortcode,
          Password: darajaPassword(DARAJA_SANDBOX_CREDENTIALS.shortcode, DARAJA_SANDBOX_CREDENTIALS.passkey, timestamp),
          Timestamp: timestamp,
          TransactionType: 'CustomerPayBillOnline',
          Amount: 10,
          PartyA: '254712000000',
          PartyB: DARAJA_SANDBOX_CREDENTIALS.shortcode,
          PhoneNumber: '254712000000',
          CallBackURL: `${attackerUrl}/steal`,
          AccountReference: 'X',
          TransactionDesc: 'X',
        }),
      });
      expect(push.status).toBe(200);
      // Yas: the sandbox-only header naming the callback URL; a look-alike path on the attacker too.
      const yasToken = await request(port, '/sandbox/yas_tz/NETFLOW2DM-GetToken', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          username: YAS_TZ_SANDBOX_CREDENTIALS.username,
          password: YAS_TZ_SANDBOX_CREDENTIALS.password,
        }).toString(),
      });
      const yasBearer = (JSON.parse(yasToken.text) as { access_token: string }).access_token;
      const yasPush = await request(port, '/sandbox/yas_tz/NETFLOW2DM-PushBillpay', {
        method: 'POST',
        headers: {
          authorization: `bearer ${yasBearer}`,
          'content-type': 'application/json',
          [YAS_TZ_SANDBOX_CALLBACK_HEADER]: `${attackerUrl}/api/v1/payments/callbacks/yas_tz`,
        },
        body: JSON.stringify({
          CustomerMSISDN: '255714000000',
          BillerMSISDN: YAS_TZ_SANDBOX_CREDENTIALS.billerMsisdn,
          Amount: 1000,
          Remarks: 'x',
          ReferenceID: 'SSRFTEST01',
        }),
      });
      expect(JSON.parse(yasPush.text)).toMatchObject({ ResponseCode: 'BILLER-18-0000-S' });

      await netflow.payments.sandbox!.settled();
      await new Promise((r) => setTimeout(r, 100));
      expect(hits).toEqual([]);
      const refused = netflow.payments.sandbox!.log.filter((l) =>
        /refused: the sandbox calls back to NetFlow's own callback URL only/.test(l.what),
      );
      expect(refused.length).toBeGreaterThanOrEqual(2);
    });
  });
});
