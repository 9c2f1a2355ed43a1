// The Airtel Money adapter against NetFlow's Airtel sandbox over real HTTP: OAuth2 tokens (cached,
// refreshed after expiry), every test phone scenario with hashed callbacks received as raw bytes,
// the enquiry API, forged callbacks, wrong credentials, KE and TZ.
import { startSandboxApp, until, type ReceivedCallback } from './support.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitiateRequest, PaymentProvider } from '../../src/payments/provider.js';
import {
  AIRTEL_PRODUCTION_URL,
  AIRTEL_SANDBOX_CREDENTIALS,
  airtelCredentialsFromEnv,
  createAirtelProvider,
  type AirtelCredentials,
} from '../../src/payments/providers/airtel.js';
import { registerAirtelSandbox } from '../../src/payments/sandbox/airtel.js';
import { SandboxContext } from '../../src/payments/sandbox/context.js';

const AMOUNT = 100_000n; // 1,000 shillings in minor units
let seq = 0;
const ref = () => `AT${Date.now().toString(36).toUpperCase().slice(-5)}${(seq++).toString().padStart(3, '0')}`.slice(0, 12);

describe('Airtel Money adapter + sandbox', () => {
  let app: FastifyInstance;
  let ctx: SandboxContext;
  let base: string;
  let provider: PaymentProvider;
  const received: ReceivedCallback[] = [];
  // Which adapter parses callbacks for a given reference (TZ and KE instances share the receiver).
  const parserFor = new Map<string, PaymentProvider>();

  const make = (over: Partial<AirtelCredentials> = {}) =>
    createAirtelProvider({
      baseUrl: `${base}/sandbox/airtel`,
      credentials: { ...AIRTEL_SANDBOX_CREDENTIALS, ...over },
      sandbox: true,
      timeoutMs: 3000,
    });

  const request = (msisdn: string, via: PaymentProvider, over: Partial<InitiateRequest> = {}): InitiateRequest => {
    const reference = ref();
    parserFor.set(reference, via);
    return {
      paymentId: crypto.randomUUID(),
      reference,
      msisdn,
      network: 'airtel',
      amountMinor: AMOUNT,
      currency: 'TZS',
      label: 'WiFi 24h',
      callbackUrl: `${base}/cb/${reference}?t=tok-${reference}`,
      ...over,
    };
  };
  const callbacksFor = (reference: string) => received.filter((r) => r.token === reference);
  const tokenRequests = () => ctx.log.filter((l) => l.provider === 'airtel' && l.what === 'token').length;

  beforeAll(async () => {
    ctx = new SandboxContext({ approveAfterMs: 20, ambiguousQueries: 2, lateAfterMs: 400 });
    ({ app, base } = await startSandboxApp(
      (a) => registerAirtelSandbox(a, ctx),
      (token) => parserFor.get(token) ?? provider,
      received,
    ));
    ctx.allowCallbacksTo(`${base}/cb/`);
    provider = make();
  });
  afterAll(async () => {
    ctx?.close();
    await app?.close();
  });

  it('describes itself', () => {
    expect(provider).toMatchObject({ id: 'airtel', currencies: ['TZS'], networks: ['airtel'], signedCallbacks: true, sandbox: true });
    expect(make({ country: 'KE' }).currencies).toEqual(['KES']);
    expect(make({ callbackKey: undefined }).signedCallbacks).toBe(false);
  });

  it('plays every test-phone scenario: push, hashed callbacks, enquiry', async () => {
    const suffixes = ['000', '032', '001', '037', '019', '004', '010', '099', '002', '003', '005', '006'] as const;
    const reqs = Object.fromEntries(suffixes.map((s) => [s, request(`255784000${s}`, provider)]));
    const init = Object.fromEntries(await Promise.all(suffixes.map(async (s) => [s, await provider.initiate(reqs[s])] as const)));
    for (const s of suffixes.filter((x) => x !== '010')) expect(init[s], s).toMatchObject({ outcome: 'pending', providerRef: null });
    expect(init['010']).toMatchObject({ outcome: 'failed', reason: 'busy_retry_later' });
    // msisdn without the country code, X-Country/X-Currency, no secrets in what we keep.
    const sent = JSON.stringify(init['000'].raw);
    expect(sent).toContain('"msisdn":"784000000"');
    expect(sent).toContain('"x-country":"TZ"');
    expect(sent).not.toMatch(/Bearer [A-Za-z0-9_-]{10}/);

    const status = (s: string) =>
      provider.queryStatus({ reference: reqs[s].reference, providerRef: null, msisdn: reqs[s].msisdn, createdAt: new Date() });
    // Before the late success: expired (TE).
    expect(
      await until(
        () => status('005'),
        (s) => s.outcome !== 'pending',
      ),
    ).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    await ctx.settled();

    const only = (s: string) => {
      const list = callbacksFor(reqs[s].reference);
      expect(list, s).toHaveLength(1);
      return list[0].parsed;
    };
    const common = { authentic: true, needsConfirmation: false, ack: { status: 200, body: '' } };
    const ok = only('000');
    expect(ok).toMatchObject({ ...common, outcome: 'succeeded', reference: reqs['000'].reference, amountMinor: AMOUNT, currency: 'TZS' });
    expect(ok.receipt).toMatch(/^MP\d{6}\.\d{4}\.A/);
    expect(ok.providerRef).toBe(ok.receipt);
    expect(only('032')).toMatchObject({ ...common, outcome: 'failed', reason: 'cancelled' });
    expect(only('001')).toMatchObject({ ...common, outcome: 'failed', reason: 'insufficient_funds' });
    expect(only('037')).toMatchObject({ ...common, outcome: 'failed', reason: 'unreachable' });
    expect(only('019')).toMatchObject({ ...common, outcome: 'failed', reason: 'timeout' });
    expect(only('004')).toMatchObject({ ...common, outcome: 'failed', reason: 'wrong_pin' });
    expect(only('006')).toMatchObject({ ...common, outcome: 'succeeded', amountMinor: AMOUNT - 100n });
    for (const s of ['010', '099', '002']) expect(callbacksFor(reqs[s].reference), s).toHaveLength(0);
    const dup = callbacksFor(reqs['003'].reference);
    expect(dup.map((d) => d.parsed.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(new Set(dup.map((d) => d.request.rawBody.toString())).size).toBe(1);
    const late = callbacksFor(reqs['005'].reference).map((d) => d.parsed);
    expect(late.map((p) => [p.outcome, p.reason])).toEqual([
      ['failed', 'timeout'],
      ['succeeded', undefined],
    ]);

    expect(await status('000')).toMatchObject({ outcome: 'succeeded', receipt: ok.receipt });
    expect(await status('005')).toMatchObject({ outcome: 'succeeded', receipt: late[1].receipt });
    expect(await status('002')).toMatchObject({ outcome: 'succeeded' });
    expect(await status('003')).toMatchObject({ outcome: 'succeeded' });
    expect(await status('032')).toMatchObject({ outcome: 'failed', reason: 'cancelled' });
    expect(await status('001')).toMatchObject({ outcome: 'failed', reason: 'insufficient_funds' });
    expect(await status('037')).toMatchObject({ outcome: 'failed', reason: 'unreachable' });
    expect(await status('019')).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    expect(await status('004')).toMatchObject({ outcome: 'failed', reason: 'wrong_pin' });
    expect(await status('010')).toMatchObject({ outcome: 'unknown' }); // never created at Airtel
    expect(await status('099')).toMatchObject({ outcome: 'pending' });
    expect(await status('099')).toMatchObject({ outcome: 'pending' });
    expect(await status('099')).toMatchObject({ outcome: 'succeeded' });
  });

  it('works for Kenya with KES and 254 numbers', async () => {
    const ke = make({ country: 'KE' });
    const r = request('254733000000', ke, { currency: 'KES' });
    expect(await ke.initiate(r)).toMatchObject({ outcome: 'pending' });
    expect(JSON.stringify((await ke.initiate(request('254733000000', ke, { currency: 'KES' }))).raw)).toContain('"msisdn":"733000000"');
    await ctx.settled();
    expect(callbacksFor(r.reference)[0].parsed).toMatchObject({
      authentic: true,
      outcome: 'succeeded',
      amountMinor: AMOUNT,
      currency: 'KES',
    });
    expect(await ke.queryStatus({ reference: r.reference, providerRef: null, msisdn: r.msisdn, createdAt: new Date() })).toMatchObject({
      outcome: 'succeeded',
    });
    // A TZ app refuses KES and Kenyan numbers rather than sending them.
    expect(await provider.initiate(request('254733000000', provider, { currency: 'KES' }))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(await provider.initiate(request('254733000000', provider))).toMatchObject({ outcome: 'failed', reason: 'invalid_msisdn' });
    expect(await provider.initiate(request('255754000000', provider, { network: 'vodacom' }))).toMatchObject({
      outcome: 'failed',
      reason: 'invalid_msisdn',
    });
  });

  it('caches the 180-second token and fetches a new one after it dies', async () => {
    const fresh = make();
    const before = tokenRequests();
    await Promise.all([fresh.initiate(request('255784000000', fresh)), fresh.initiate(request('255784000000', fresh))]);
    await fresh.queryStatus({ reference: 'NOSUCH0001', providerRef: null, msisdn: '255784000000', createdAt: new Date() });
    expect(tokenRequests() - before).toBe(1);
    // The token dies early (Airtel restarts, revocation): one 401, one new token, the call goes through.
    await fetch(`${base}/sandbox/airtel/__sim/expire-tokens`, { method: 'POST' });
    expect(await fresh.initiate(request('255784000000', fresh))).toMatchObject({ outcome: 'pending' });
    expect(tokenRequests() - before).toBe(2);
    await ctx.settled();
  });

  it('rejects forged callbacks; without a callback key the callback is a hint to confirm', async () => {
    const r = request('255784000000', provider);
    await provider.initiate(r);
    await ctx.settled();
    const genuine = callbacksFor(r.reference)[0].request;
    const body = JSON.parse(genuine.rawBody.toString()) as { transaction: Record<string, string>; hash: string };

    const altered = {
      ...genuine,
      rawBody: Buffer.from(JSON.stringify({ transaction: { ...body.transaction, id: 'OTHERREF01' }, hash: body.hash })),
    };
    expect(provider.parseCallback(altered)).toMatchObject({ authentic: false, why: expect.stringMatching(/hash/) });
    const noHash = { ...genuine, rawBody: Buffer.from(JSON.stringify({ transaction: body.transaction })) };
    expect(provider.parseCallback(noHash)).toMatchObject({ authentic: false });
    expect(make({ callbackKey: 'another-key' }).parseCallback(genuine)).toMatchObject({ authentic: false });

    const keyless = make({ callbackKey: undefined });
    expect(keyless.parseCallback(noHash)).toMatchObject({
      authentic: true,
      needsConfirmation: true,
      outcome: 'succeeded',
      reference: r.reference,
    });

    expect(make({ callbackIps: ['10.9.8.7'] }).parseCallback(genuine)).toMatchObject({
      authentic: false,
      why: expect.stringMatching(/allowed/),
    });
    expect(make({ callbackIps: ['127.0.0.1'] }).parseCallback(genuine)).toMatchObject({ authentic: true });

    expect(provider.parseCallback({ ...genuine, rawBody: Buffer.from('not json') })).toMatchObject({
      authentic: false,
      why: expect.stringMatching(/JSON/),
    });
    expect(provider.parseCallback({ ...genuine, rawBody: Buffer.from('{"status":"ok"}') })).toMatchObject({ authentic: false });
    // An unknown status code never fails a payment on its own.
    const odd = { transaction: { ...body.transaction, status_code: 'TX' } };
    expect(keyless.parseCallback({ ...genuine, rawBody: Buffer.from(JSON.stringify(odd)) })).toMatchObject({
      authentic: true,
      outcome: 'unknown',
    });
  });

  it('turns wrong credentials into config_error, not a crash', async () => {
    const wrong = make({ clientSecret: 'wrong' });
    expect(await wrong.initiate(request('255784000000', wrong))).toMatchObject({ outcome: 'failed', reason: 'config_error' });
    expect(
      await wrong.queryStatus({ reference: 'X1234567', providerRef: null, msisdn: '255784000000', createdAt: new Date() }),
    ).toMatchObject({ outcome: 'unknown', reason: 'config_error' });
    const down = createAirtelProvider({
      baseUrl: 'http://127.0.0.1:1/sandbox/airtel',
      credentials: AIRTEL_SANDBOX_CREDENTIALS,
      sandbox: true,
      timeoutMs: 1000,
    });
    expect(await down.initiate(request('255784000000', down))).toMatchObject({ outcome: 'failed', reason: 'provider_error' });
  });

  it('the sandbox refuses what the real API refuses', async () => {
    const tokenRes = await fetch(`${base}/sandbox/airtel/auth/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: AIRTEL_SANDBOX_CREDENTIALS.clientId,
        client_secret: AIRTEL_SANDBOX_CREDENTIALS.clientSecret,
        grant_type: 'client_credentials',
      }),
    });
    const tok = (await tokenRes.json()) as { access_token: string; expires_in: unknown };
    expect(tok.expires_in).toBe('180');
    const pay = (headers: Record<string, string>, msisdn: string) =>
      fetch(`${base}/sandbox/airtel/merchant/v1/payments/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tok.access_token}`, ...headers },
        body: JSON.stringify({
          reference: 'x',
          subscriber: { country: 'TZ', currency: 'TZS', msisdn },
          transaction: { amount: 1000, country: 'TZ', currency: 'TZS', id: ref() },
        }),
      });
    expect((await pay({ 'x-country': 'TZ', 'x-currency': 'TZS' }, '255784000000')).status).toBe(400); // country code in msisdn
    expect((await pay({ 'x-country': 'TZ' }, '784000000')).status).toBe(400); // no X-Currency
    const ack = await pay({ 'x-country': 'TZ', 'x-currency': 'TZS' }, '784000002');
    expect(await ack.json()).toMatchObject({
      data: { transaction: { id: false, status: 'SUCCESS' } },
      status: { success: true, result_code: 'ESB000010' },
    });
    await ctx.settled();
  });

  it('reads credentials from the environment', () => {
    expect(airtelCredentialsFromEnv({})).toBeNull();
    expect(() => airtelCredentialsFromEnv({ AIRTEL_CLIENT_ID: 'a', AIRTEL_CLIENT_SECRET: 'b' })).toThrow(/AIRTEL_COUNTRY/);
    expect(() => airtelCredentialsFromEnv({ AIRTEL_CALLBACK_KEY: 'k' })).toThrow(/AIRTEL_CLIENT_ID/);
    expect(() => airtelCredentialsFromEnv({ AIRTEL_CLIENT_ID: 'a', AIRTEL_CLIENT_SECRET: 'b', AIRTEL_COUNTRY: 'UG' })).toThrow(/TZ or KE/);
    expect(airtelCredentialsFromEnv({ AIRTEL_CLIENT_ID: 'a', AIRTEL_CLIENT_SECRET: 'b', AIRTEL_COUNTRY: 'ke' })).toEqual({
      baseUrl: AIRTEL_PRODUCTION_URL,
      clientId: 'a',
      clientSecret: 'b',
      country: 'KE',
    });
    expect(
      airtelCredentialsFromEnv({
        AIRTEL_CLIENT_ID: 'a',
        AIRTEL_CLIENT_SECRET: 'b',
        AIRTEL_COUNTRY: 'TZ',
        AIRTEL_CALLBACK_KEY: 'k',
        AIRTEL_CALLBACK_IPS: '1.2.3.4, 5.6.7.8',
        AIRTEL_BASE_URL: 'https://openapiuat.airtel.africa/',
      }),
    ).toEqual({
      baseUrl: 'https://openapiuat.airtel.africa',
      clientId: 'a',
      clientSecret: 'b',
      country: 'TZ',
      callbackKey: 'k',
      callbackIps: ['1.2.3.4', '5.6.7.8'],
    });
  });
});
