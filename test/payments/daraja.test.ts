// Daraja adapter against the local Daraja sandbox over real HTTP (127.0.0.1, port 0): every test
// phone scenario end to end (initiate → callback bytes → parseCallback → STK Query), auth failures,
// token caching/refresh, and credentials from the environment.
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallbackRequest, InitiateRequest, PaymentProvider } from '../../src/payments/provider.js';
import {
  createDarajaProvider,
  darajaCredentialsFromEnv,
  darajaPassword,
  darajaTimestamp,
  DARAJA_PUBLISHED_CALLBACK_IPS,
  DARAJA_SANDBOX_CREDENTIALS,
  type DarajaCredentials,
} from '../../src/payments/providers/daraja.js';
import { SandboxContext } from '../../src/payments/sandbox/context.js';
import { DARAJA_SANDBOX_TILL, registerDarajaSandbox } from '../../src/payments/sandbox/daraja.js';

interface Received {
  token: string;
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  remoteIp: string;
}

const ACK = '{"ResultCode":0,"ResultDesc":"Accepted"}';

async function startSandbox(ctx: SandboxContext, receiverProvider: () => PaymentProvider) {
  const received: Received[] = [];
  const app = Fastify();
  registerDarajaSandbox(app, ctx);
  // NetFlow's side: a callback route that keeps the exact bytes and answers the adapter's ack.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/cb/:token', async (request, reply) => {
      const rec: Received = {
        token: (request.params as { token: string }).token,
        rawBody: request.body as Buffer,
        headers: request.headers,
        remoteIp: request.ip,
      };
      received.push(rec);
      const parsed = await receiverProvider().parseCallback({ ...rec, query: {} });
      return reply
        .code(parsed.ack.status)
        .headers(parsed.ack.headers ?? {})
        .send(parsed.ack.body);
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  ctx.allowCallbacksTo(`${base}/cb/`);
  return { app, base, received };
}

let ctx: SandboxContext;
let app: FastifyInstance;
let base: string;
let received: Received[];
let provider: PaymentProvider;

function darajaProvider(credentials: Partial<DarajaCredentials> = {}, timeoutMs = 3000): PaymentProvider {
  return createDarajaProvider({
    baseUrl: `${base}/sandbox/daraja`,
    credentials: { ...DARAJA_SANDBOX_CREDENTIALS, ...credentials },
    sandbox: true,
    timeoutMs,
  });
}

function request(msisdn: string, overrides: Partial<InitiateRequest> = {}): InitiateRequest {
  const token = randomBytes(16).toString('hex');
  return {
    paymentId: randomUUID(),
    reference: `HS${randomBytes(4).toString('hex').toUpperCase()}`,
    msisdn,
    network: 'safaricom',
    amountMinor: 5000n,
    currency: 'KES',
    label: 'WiFi 1h',
    callbackUrl: `${base}/cb/${token}`,
    ...overrides,
  };
}

const tokenOf = (r: InitiateRequest) => r.callbackUrl.split('/').pop()!;
const callbacksFor = (r: InitiateRequest) => received.filter((c) => c.token === tokenOf(r));
const asCallback = (c: Received): CallbackRequest => ({ headers: c.headers, rawBody: c.rawBody, remoteIp: c.remoteIp, query: {} });
const tokenRequests = () => ctx.log.filter((e) => e.what.startsWith('GET /oauth/v1/generate') && e.status === 200).length;

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeAll(async () => {
  ctx = new SandboxContext({ approveAfterMs: 20, ambiguousQueries: 2, lateAfterMs: 60 });
  ({ app, base, received } = await startSandbox(ctx, () => provider));
  provider = darajaProvider();
});

afterAll(async () => {
  ctx.close();
  await app.close();
});

describe('Daraja adapter against the sandbox', () => {
  it('describes itself', () => {
    expect(provider.id).toBe('daraja');
    expect(provider.currencies).toEqual(['KES']);
    expect(provider.networks).toEqual(['safaricom']);
    expect(provider.signedCallbacks).toBe(false);
    expect(provider.sandbox).toBe(true);
  });

  it('success: pending push, callback with the real quirks, confirmed by STK Query', async () => {
    const req = request('254712345000');
    const init = await provider.initiate(req);
    expect(init.outcome).toBe('pending');
    expect(init.providerRef).toMatch(/^ws_CO_\d{17}712345000$/);
    await waitFor(() => callbacksFor(req).length === 1);
    const raw = callbacksFor(req)[0]!.rawBody.toString();
    // Wire quirks (§1.4): numeric ResultCode, float Amount, Balance without Value, numeric phone.
    expect(raw).toContain('"ResultCode":0,');
    expect(raw).toContain('{"Name":"Amount","Value":50.00}');
    expect(raw).toContain('{"Name":"Balance"}');
    expect(raw).toContain('{"Name":"PhoneNumber","Value":254712345000}');
    expect(raw).toMatch(/"TransactionDate","Value":\d{14}\}/);
    const parsed = await provider.parseCallback(asCallback(callbacksFor(req)[0]!));
    expect(parsed).toMatchObject({
      authentic: true,
      outcome: 'succeeded',
      providerRef: init.providerRef,
      reference: null,
      amountMinor: 5000n,
      currency: 'KES',
      msisdn: '254712345000',
      needsConfirmation: true,
    });
    expect(parsed.receipt).toMatch(/^UC[0-9A-F]{8}$/);
    expect(parsed.ack).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: ACK });
    await ctx.settled();
    // The sandbox got exactly our ack back.
    const delivery = ctx.log.find((e) => e.what === `callback ${req.callbackUrl}`);
    expect(delivery?.status).toBe(200);
    expect((delivery!.body as { answer: unknown }).answer).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });

    const status = await provider.queryStatus({
      reference: req.reference,
      providerRef: init.providerRef,
      msisdn: req.msisdn,
      createdAt: new Date(),
    });
    expect(status.outcome).toBe('succeeded');
    expect(status.receipt).toBeUndefined(); // STK Query carries no receipt (§1.5)
    // ResultCode is a string in the query answer.
    expect(JSON.stringify(status.raw)).toContain('"ResultCode":"0"');
  });

  it.each([
    ['cancelled', '254712345032', 'cancelled', 1032],
    ['insufficient_funds', '254712345001', 'insufficient_funds', 1],
    ['unreachable', '254712345037', 'unreachable', 1037],
    ['timeout', '254712345019', 'timeout', 1019],
    ['wrong_pin', '254112345004', 'wrong_pin', 2001],
  ] as const)('%s: failure callback without metadata, query agrees', async (_name, msisdn, reason, code) => {
    const req = request(msisdn);
    const init = await provider.initiate(req);
    expect(init.outcome).toBe('pending');
    await waitFor(() => callbacksFor(req).length === 1);
    const raw = callbacksFor(req)[0]!.rawBody.toString();
    expect(raw).toContain(`"ResultCode":${code},`);
    expect(raw).not.toContain('CallbackMetadata');
    const parsed = await provider.parseCallback(asCallback(callbacksFor(req)[0]!));
    expect(parsed).toMatchObject({ authentic: true, outcome: 'failed', reason, providerRef: init.providerRef });
    expect(parsed.receipt).toBeUndefined();
    expect(parsed.amountMinor).toBeUndefined();
    const status = await provider.queryStatus({ reference: req.reference, providerRef: init.providerRef, msisdn, createdAt: new Date() });
    expect(status).toMatchObject({ outcome: 'failed', reason });
  });

  it('wrong_amount: the callback reports one shilling less than asked', async () => {
    const req = request('254712345006', { amountMinor: 10000n });
    const init = await provider.initiate(req);
    await waitFor(() => callbacksFor(req).length === 1);
    const parsed = await provider.parseCallback(asCallback(callbacksFor(req)[0]!));
    expect(parsed).toMatchObject({ outcome: 'succeeded', amountMinor: 9900n, providerRef: init.providerRef });
  });

  it('locked: the push is refused at once (500.001.1001 subscriber lock) and nothing calls back', async () => {
    const req = request('254712345010');
    const init = await provider.initiate(req);
    expect(init).toMatchObject({ outcome: 'failed', reason: 'busy_retry_later', providerRef: null });
    expect(init.message).toContain('500.001.1001');
    await ctx.settled();
    expect(callbacksFor(req)).toHaveLength(0);
  });

  it('duplicate_callback: the same bytes arrive three times', async () => {
    const req = request('254712345003');
    const init = await provider.initiate(req);
    await waitFor(() => callbacksFor(req).length === 3);
    const bodies = callbacksFor(req).map((c) => c.rawBody.toString());
    expect(new Set(bodies).size).toBe(1);
    for (const c of callbacksFor(req)) {
      const parsed = await provider.parseCallback(asCallback(c));
      expect(parsed).toMatchObject({ outcome: 'succeeded', providerRef: init.providerRef });
    }
  });

  it('late_success: a timeout callback, then a success; the query ends on success', async () => {
    const req = request('254712345005');
    const init = await provider.initiate(req);
    await waitFor(() => callbacksFor(req).length === 1);
    const first = await provider.parseCallback(asCallback(callbacksFor(req)[0]!));
    expect(first).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    const meanwhile = await provider.queryStatus({
      reference: req.reference,
      providerRef: init.providerRef,
      msisdn: req.msisdn,
      createdAt: new Date(),
    });
    expect(meanwhile).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    await waitFor(() => callbacksFor(req).length === 2);
    const second = await provider.parseCallback(asCallback(callbacksFor(req)[1]!));
    expect(second).toMatchObject({ outcome: 'succeeded', amountMinor: 5000n, providerRef: init.providerRef });
    const after = await provider.queryStatus({
      reference: req.reference,
      providerRef: init.providerRef,
      msisdn: req.msisdn,
      createdAt: new Date(),
    });
    expect(after.outcome).toBe('succeeded');
  });

  it('no_callback: nothing arrives, but the status query says success', async () => {
    const req = request('254712345002');
    const init = await provider.initiate(req);
    await ctx.settled();
    await new Promise((r) => setTimeout(r, 40));
    expect(callbacksFor(req)).toHaveLength(0);
    const status = await provider.queryStatus({
      reference: req.reference,
      providerRef: init.providerRef,
      msisdn: req.msisdn,
      createdAt: new Date(),
    });
    expect(status.outcome).toBe('succeeded');
  });

  it('ambiguous: "being processed" for ambiguousQueries queries, then success', async () => {
    const req = request('254712345099');
    const init = await provider.initiate(req);
    const q = () =>
      provider.queryStatus({ reference: req.reference, providerRef: init.providerRef, msisdn: req.msisdn, createdAt: new Date() });
    const first = await q();
    expect(first.outcome).toBe('pending');
    expect(JSON.stringify(first.raw)).toContain('The transaction is being processed');
    expect((await q()).outcome).toBe('pending');
    expect((await q()).outcome).toBe('succeeded');
  });

  it('a query while the prompt is still open is pending, not failed (HTTP 500 500.001.1001)', async () => {
    const slowCtx = new SandboxContext({ approveAfterMs: 5000 });
    const slow = await startSandbox(slowCtx, () => provider);
    try {
      const p = createDarajaProvider({ baseUrl: `${slow.base}/sandbox/daraja`, credentials: DARAJA_SANDBOX_CREDENTIALS, sandbox: true });
      const req = { ...request('254712345000'), callbackUrl: `${slow.base}/cb/x` };
      const init = await p.initiate(req);
      const status = await p.queryStatus({
        reference: req.reference,
        providerRef: init.providerRef,
        msisdn: req.msisdn,
        createdAt: new Date(),
      });
      expect(status.outcome).toBe('pending');
    } finally {
      slowCtx.close();
      await slow.app.close();
    }
  });
});

describe('Daraja auth and transport', () => {
  it('wrong consumer secret: failed config_error (400.008.01), and a query is unknown, not a crash', async () => {
    const p = darajaProvider({ consumerSecret: 'wrong' });
    const init = await p.initiate(request('254712345000'));
    expect(init).toMatchObject({ outcome: 'failed', reason: 'config_error', providerRef: null });
    expect(init.message).toContain('400.008.01');
    const status = await p.queryStatus({ reference: 'HSX', providerRef: 'ws_CO_1', msisdn: '254712345000', createdAt: new Date() });
    expect(status).toMatchObject({ outcome: 'unknown', reason: 'config_error' });
  });

  it('wrong passkey: the sandbox recomputes Password and answers "Wrong credentials"', async () => {
    const p = darajaProvider({ passkey: 'not-the-passkey' });
    const init = await p.initiate(request('254712345000'));
    expect(init).toMatchObject({ outcome: 'failed', reason: 'config_error' });
    expect(init.message).toBe('500.001.1001 Wrong credentials');
  });

  it("the adapter's Password is Safaricom's formula: base64(BusinessShortCode + Passkey + Timestamp), Timestamp YYYYMMDDHHmmss in Kenyan time", () => {
    // Safaricom's public test shortcode and passkey, with the password published for them.
    const passkey = 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919';
    expect(darajaPassword('174379', passkey, '20220608000315')).toBe(
      'MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMjIwNjA4MDAwMzE1',
    );
    // 2024-03-01 21:05:09 UTC is 2024-03-02 00:05:09 in Nairobi (UTC+3).
    expect(darajaTimestamp(new Date('2024-03-01T21:05:09.750Z'))).toBe('20240302000509');
  });

  it('the sandbox recomputes Password itself: any other formula than the documented one is refused', async () => {
    const creds = DARAJA_SANDBOX_CREDENTIALS;
    const auth = await fetch(`${base}/sandbox/daraja/oauth/v1/generate?grant_type=client_credentials`, {
      headers: { authorization: `Basic ${Buffer.from(`${creds.consumerKey}:${creds.consumerSecret}`).toString('base64')}` },
    });
    const { access_token: token } = (await auth.json()) as { access_token: string };
    const push = async (password: (timestamp: string) => string, timestamp = '20250102030405') => {
      const res = await fetch(`${base}/sandbox/daraja/mpesa/stkpush/v1/processrequest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          BusinessShortCode: creds.shortcode,
          Password: password(timestamp),
          Timestamp: timestamp,
          TransactionType: 'CustomerPayBillOnline',
          Amount: 50,
          PartyA: '254712345000',
          PartyB: creds.shortcode,
          PhoneNumber: '254712345000',
          CallBackURL: `${base}/cb/formula`,
          AccountReference: 'HSFORMULA',
          TransactionDesc: 'WiFi',
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    // Written out from the documentation here, not taken from the adapter or the sandbox.
    expect((await push((t) => b64(creds.shortcode + creds.passkey + t))).body.ResponseCode).toBe('0');
    const wrong: Array<[string, (t: string) => string]> = [
      ['passkey first', (t) => b64(creds.passkey + creds.shortcode + t)],
      ['timestamp in the middle', (t) => b64(creds.shortcode + t + creds.passkey)],
      ['no timestamp', () => b64(creds.shortcode + creds.passkey)],
      ['another timestamp than the one sent', () => b64(creds.shortcode + creds.passkey + '20250102030406')],
      ['hex, not base64', (t) => Buffer.from(creds.shortcode + creds.passkey + t).toString('hex')],
      ['base64 of the hex of the passkey', (t) => b64(creds.shortcode + Buffer.from(creds.passkey).toString('hex') + t)],
    ];
    for (const [what, password] of wrong) {
      expect([what, await push(password)]).toEqual([
        what,
        { status: 500, body: expect.objectContaining({ errorCode: '500.001.1001', errorMessage: 'Wrong credentials' }) },
      ]);
    }
    // A Timestamp that is not a moment (month 13) is refused before the password is looked at.
    expect((await push((t) => b64(creds.shortcode + creds.passkey + t), '20251302030405')).body.errorMessage).toBe(
      'Bad Request - Invalid Timestamp',
    );
  });

  it('BuyGoods: PartyB must be the till', async () => {
    const good = darajaProvider({ transactionType: 'CustomerBuyGoodsOnline', partyB: DARAJA_SANDBOX_TILL });
    expect((await good.initiate(request('254712345000'))).outcome).toBe('pending');
    const bad = darajaProvider({ transactionType: 'CustomerBuyGoodsOnline' });
    expect(await bad.initiate(request('254712345000'))).toMatchObject({ outcome: 'failed', reason: 'config_error' });
  });

  it('caches the token: one token request for two initiates (even concurrent)', async () => {
    const p = darajaProvider();
    const before = tokenRequests();
    const [a, b] = await Promise.all([p.initiate(request('254712345000')), p.initiate(request('254712345000'))]);
    expect(a.outcome).toBe('pending');
    expect(b.outcome).toBe('pending');
    expect(a.providerRef).not.toBe(b.providerRef);
    await p.initiate(request('254712345000'));
    expect(tokenRequests() - before).toBe(1);
  });

  it('an invalidated token (404.001.03) is refreshed once and the push retried', async () => {
    const p = darajaProvider();
    await p.initiate(request('254712345000'));
    const before = tokenRequests();
    await fetch(`${base}/sandbox/daraja/__sim/expire-tokens`, { method: 'POST' });
    const init = await p.initiate(request('254712345000'));
    expect(init.outcome).toBe('pending');
    expect(tokenRequests() - before).toBe(1);
    expect(JSON.stringify(init.raw)).toContain('404.001.03');
  });

  it('stores no secrets in raw', async () => {
    const init = await provider.initiate(request('254712345000'));
    const text = JSON.stringify(init.raw);
    expect(text).toContain('"Password":"[redacted]"');
    expect(text).not.toContain(DARAJA_SANDBOX_CREDENTIALS.passkey);
    expect(text).not.toContain(DARAJA_SANDBOX_CREDENTIALS.consumerSecret);
    expect(text.toLowerCase()).not.toContain('bearer');
  });

  it('rejects what Daraja cannot take before calling it', async () => {
    const before = ctx.log.length;
    expect(await provider.initiate(request('255754123000'))).toMatchObject({ outcome: 'failed', reason: 'invalid_msisdn' });
    expect(await provider.initiate(request('254712345000', { amountMinor: 5050n }))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(await provider.initiate(request('254712345000', { currency: 'TZS' }))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(ctx.log.length).toBe(before);
  });

  it('an unreachable host is a failed push (nothing was sent), a query on it is unknown', async () => {
    const p = createDarajaProvider({
      baseUrl: 'http://127.0.0.1:9/sandbox/daraja',
      credentials: DARAJA_SANDBOX_CREDENTIALS,
      sandbox: true,
      timeoutMs: 1000,
    });
    expect(await p.initiate(request('254712345000'))).toMatchObject({ outcome: 'failed', reason: 'provider_error' });
    expect((await p.queryStatus({ reference: 'HSX', providerRef: 'ws_CO_1', msisdn: '254712345000', createdAt: new Date() })).outcome).toBe(
      'unknown',
    );
  });
});

describe('Daraja callbacks', () => {
  const cb = (body: string): CallbackRequest => ({
    headers: { 'content-type': 'application/json' },
    rawBody: Buffer.from(body),
    remoteIp: '196.201.214.200',
    query: {},
  });

  it('malformed JSON is not authentic, still acked', async () => {
    const parsed = await provider.parseCallback(cb('{"Body":{"stkCallback":'));
    expect(parsed.authentic).toBe(false);
    expect(parsed.why).toMatch(/JSON/);
    expect(parsed.ack.body).toBe(ACK);
  });

  it('JSON that is not an STK callback is not authentic', async () => {
    const parsed = await provider.parseCallback(cb('{"Body":{}}'));
    expect(parsed).toMatchObject({ authentic: false, outcome: 'unknown' });
  });

  it('an unknown result code is unknown, never failed; items are read by name', async () => {
    const body = {
      Body: {
        stkCallback: {
          MerchantRequestID: '1-2-3',
          CheckoutRequestID: 'ws_CO_X',
          ResultCode: 4242,
          ResultDesc: 'Something new',
          CallbackMetadata: { Item: [{ Name: 'PhoneNumber', Value: 254712000111 }, { Name: 'Balance' }, { Name: 'Amount', Value: 20 }] },
        },
      },
    };
    const parsed = await provider.parseCallback(cb(JSON.stringify(body)));
    expect(parsed).toMatchObject({
      authentic: true,
      outcome: 'unknown',
      reason: 'unknown',
      providerRef: 'ws_CO_X',
      amountMinor: 2000n,
      msisdn: '254712000111',
    });
  });
});

describe('darajaCredentialsFromEnv', () => {
  const full = {
    DARAJA_CONSUMER_KEY: 'k',
    DARAJA_CONSUMER_SECRET: 's',
    DARAJA_SHORTCODE: '600100',
    DARAJA_PASSKEY: 'p',
  };

  it('is null when nothing is set', () => {
    expect(darajaCredentialsFromEnv({ PATH: '/bin', DARAJA_CONSUMER_KEY: '  ' })).toBeNull();
  });

  it('fills the defaults', () => {
    expect(darajaCredentialsFromEnv(full)).toEqual({
      consumerKey: 'k',
      consumerSecret: 's',
      shortcode: '600100',
      passkey: 'p',
      transactionType: 'CustomerPayBillOnline',
      baseUrl: 'https://api.safaricom.co.ke',
      callbackIps: [...DARAJA_PUBLISHED_CALLBACK_IPS],
    });
  });

  it('reads the optional ones', () => {
    const creds = darajaCredentialsFromEnv({
      ...full,
      DARAJA_TRANSACTION_TYPE: 'CustomerBuyGoodsOnline',
      DARAJA_PARTY_B: '600200',
      DARAJA_BASE_URL: 'https://sandbox.safaricom.co.ke/',
      DARAJA_CALLBACK_IPS: '196.201.214.200, 196.201.213.0/24',
    });
    expect(creds).toMatchObject({
      transactionType: 'CustomerBuyGoodsOnline',
      partyB: '600200',
      baseUrl: 'https://sandbox.safaricom.co.ke',
      callbackIps: ['196.201.214.200', '196.201.213.0/24'],
    });
  });

  it.each([
    [{ DARAJA_CONSUMER_KEY: 'k', DARAJA_SHORTCODE: '600100', DARAJA_PASSKEY: 'p' }, /^DARAJA_CONSUMER_SECRET is not set/],
    [{ DARAJA_BASE_URL: 'https://api.safaricom.co.ke' }, /^DARAJA_CONSUMER_KEY is not set/],
    [{ ...full, DARAJA_TRANSACTION_TYPE: 'customerpaybillonline' }, /DARAJA_TRANSACTION_TYPE must be/],
    [{ ...full, DARAJA_TRANSACTION_TYPE: 'CustomerBuyGoodsOnline' }, /DARAJA_PARTY_B/],
    [{ ...full, DARAJA_CALLBACK_IPS: '196.201.214.200,not-an-ip' }, /DARAJA_CALLBACK_IPS has "not-an-ip"/],
    [{ ...full, DARAJA_BASE_URL: 'ftp://x' }, /DARAJA_BASE_URL/],
    [{ ...full, DARAJA_SHORTCODE: 'abc' }, /DARAJA_SHORTCODE/],
  ])('throws one clear line for %o', (env, message) => {
    expect(() => darajaCredentialsFromEnv(env)).toThrow(message);
    try {
      darajaCredentialsFromEnv(env);
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('DARAJA_CALLBACK_IPS, when set, is enforced', () => {
  const full = { DARAJA_CONSUMER_KEY: 'k', DARAJA_CONSUMER_SECRET: 's', DARAJA_SHORTCODE: '600100', DARAJA_PASSKEY: 'p' };
  const body = Buffer.from(
    JSON.stringify({
      Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'ws_CO_1', ResultCode: 1032, ResultDesc: 'Cancelled' } },
    }),
  );
  const from = (p: PaymentProvider, remoteIp: string) =>
    p.parseCallback({ headers: { 'content-type': 'application/json' }, rawBody: body, remoteIp, query: {} });

  it('refuses callbacks from other addresses, accepts listed addresses and ranges (IPv4-mapped too)', async () => {
    const creds = darajaCredentialsFromEnv({ ...full, DARAJA_CALLBACK_IPS: '196.201.214.200, 196.201.213.0/24, 2001:db8::/32' })!;
    expect(creds.enforceCallbackIps).toBe(true);
    const p = createDarajaProvider({ baseUrl: creds.baseUrl, credentials: creds, sandbox: false });
    expect(p.callbackAddressList).toBe('DARAJA_CALLBACK_IPS');
    for (const ok of ['196.201.214.200', '::ffff:196.201.214.200', '196.201.213.77', '2001:db8::5'])
      expect((await from(p, ok)).authentic, ok).toBe(true);
    for (const bad of ['196.201.214.201', '10.0.0.1', '2001:db9::1', '127.0.0.1']) {
      const parsed = await from(p, bad);
      expect(parsed.authentic, bad).toBe(false);
      expect(parsed.why).toMatch(/DARAJA_CALLBACK_IPS/);
    }
  });

  it('is not enforced when unset (the published list is only a reference): any source, no address list', async () => {
    const creds = darajaCredentialsFromEnv(full)!;
    expect(creds.enforceCallbackIps).toBeUndefined();
    const p = createDarajaProvider({ baseUrl: creds.baseUrl, credentials: creds, sandbox: false });
    expect(p.callbackAddressList).toBeUndefined();
    expect((await from(p, '10.0.0.1')).authentic).toBe(true);
  });
});
