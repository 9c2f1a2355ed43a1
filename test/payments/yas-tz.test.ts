// The Yas (ex-Tigo Pesa) adapter against NetFlow's Yas sandbox over real HTTP: the password-grant
// token (cached, refreshed), every test phone scenario with callbacks received as raw bytes and
// answered with BILLER-30 JSON, unsigned-callback handling, wrong credentials.
import { startSandboxApp, until, type ReceivedCallback } from './support.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitiateRequest, PaymentProvider, ParsedCallback } from '../../src/payments/provider.js';
import {
  createYasTzProvider,
  YAS_TZ_SANDBOX_CREDENTIALS,
  yasTzCredentialsFromEnv,
  type YasTzCredentials,
} from '../../src/payments/providers/yas-tz.js';
import { SandboxContext } from '../../src/payments/sandbox/context.js';
import { registerYasTzSandbox } from '../../src/payments/sandbox/yas-tz.js';

const AMOUNT = 150_000n; // TZS 1,500 in minor units
let seq = 0;
const ref = () => `YS${Date.now().toString(36).toUpperCase().slice(-5)}${(seq++).toString().padStart(3, '0')}`.slice(0, 12);
const billerAck = (referenceId: string) =>
  JSON.stringify({
    ResponseCode: 'BILLER-30-0000-S',
    ResponseStatus: true,
    ResponseDescription: 'Callback successful',
    ReferenceID: referenceId,
  });

describe('Yas Tanzania adapter + sandbox', () => {
  let app: FastifyInstance;
  let ctx: SandboxContext;
  let base: string;
  let provider: PaymentProvider;
  const received: ReceivedCallback[] = [];

  const make = (over: Partial<YasTzCredentials> = {}) =>
    createYasTzProvider({
      baseUrl: `${base}/sandbox/yas_tz`,
      credentials: { ...YAS_TZ_SANDBOX_CREDENTIALS, ...over },
      sandbox: true,
      timeoutMs: 3000,
    });
  const request = (msisdn: string, over: Partial<InitiateRequest> = {}): InitiateRequest => {
    const reference = ref();
    return {
      paymentId: crypto.randomUUID(),
      reference,
      msisdn,
      network: 'yas',
      amountMinor: AMOUNT,
      currency: 'TZS',
      label: 'WiFi 24h',
      callbackUrl: `${base}/cb/${reference}?t=tok-${reference}`,
      ...over,
    };
  };
  const callbacksFor = (reference: string) => received.filter((r) => r.token === reference);
  const tokenRequests = () => ctx.log.filter((l) => l.provider === 'yas_tz' && l.what === 'token').length;
  const pushRequests = () => ctx.log.filter((l) => l.provider === 'yas_tz' && l.what === 'push bill-pay').length;

  beforeAll(async () => {
    ctx = new SandboxContext({ approveAfterMs: 20, lateAfterMs: 400 });
    ({ app, base } = await startSandboxApp(
      (a) => registerYasTzSandbox(a, ctx),
      () => provider,
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
    expect(provider).toMatchObject({ id: 'yas_tz', currencies: ['TZS'], networks: ['yas'], signedCallbacks: false, sandbox: true });
  });

  it('plays every test-phone scenario: push, callbacks with string amounts, BILLER-30 answers', async () => {
    const suffixes = ['000', '032', '001', '037', '019', '004', '010', '099', '002', '003', '005', '006'] as const;
    const reqs = Object.fromEntries(suffixes.map((s) => [s, request(`255714000${s}`)]));
    const init = Object.fromEntries(await Promise.all(suffixes.map(async (s) => [s, await provider.initiate(reqs[s])] as const)));
    for (const s of suffixes.filter((x) => x !== '010' && x !== '099'))
      expect(init[s], s).toMatchObject({ outcome: 'pending', providerRef: null });
    expect(init['010']).toMatchObject({ outcome: 'failed', reason: 'busy_retry_later' }); // BILLER-18-3020-E "Failed in Frequency"
    expect(init['099']).toMatchObject({ outcome: 'unknown' }); // HTML 504 from the gateway: the push may be out
    const sent = JSON.stringify(init['000'].raw);
    expect(sent).toContain(`"ReferenceID":"NFW${reqs['000'].reference}"`);
    expect(sent).toContain('"Amount":1500');
    expect(sent).not.toContain(YAS_TZ_SANDBOX_CREDENTIALS.password);

    // The failure arrives first; the success only lateAfterMs later.
    await until(
      () => callbacksFor(reqs['005'].reference).length,
      (n) => n > 0,
    );
    expect(callbacksFor(reqs['005'].reference).map((c) => c.parsed.outcome)).toEqual(['failed']);
    await ctx.settled();

    const only = (s: string) => {
      const list = callbacksFor(reqs[s].reference);
      expect(list, s).toHaveLength(1);
      return list[0].parsed;
    };
    const referenceId = (s: string) => `NFW${reqs[s].reference}`;
    for (const s of ['000', '099']) {
      const p = only(s);
      expect(p, s).toMatchObject({
        authentic: true,
        needsConfirmation: false,
        outcome: 'succeeded',
        reference: reqs[s].reference,
        amountMinor: AMOUNT,
        currency: 'TZS',
      });
      expect(p.receipt).toMatch(/^[0-9A-F]{10}$/);
      expect(p.providerRef).toBe(p.receipt);
      expect(p.ack).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: billerAck(referenceId(s)) });
    }
    expect(only('006')).toMatchObject({ outcome: 'succeeded', amountMinor: AMOUNT - 100n });
    const failed = { authentic: true, outcome: 'failed', receipt: undefined, providerRef: null };
    expect(only('032')).toMatchObject({ ...failed, reason: 'cancelled' });
    expect(only('001')).toMatchObject({ ...failed, reason: 'insufficient_funds' });
    expect(only('037')).toMatchObject({ ...failed, reason: 'unreachable' });
    expect(only('019')).toMatchObject({ ...failed, reason: 'timeout' });
    expect(only('004')).toMatchObject({ ...failed, reason: 'wrong_pin' });
    expect(only('032').ack.body).toBe(billerAck(referenceId('032'))); // a failed payment is still a callback well received
    for (const s of ['010', '002']) expect(callbacksFor(reqs[s].reference), s).toHaveLength(0);
    const dup = callbacksFor(reqs['003'].reference);
    expect(dup).toHaveLength(3);
    expect(new Set(dup.map((d) => d.request.rawBody.toString())).size).toBe(1);
    expect(dup.every((d) => d.parsed.outcome === 'succeeded')).toBe(true);
    const late = callbacksFor(reqs['005'].reference).map((c) => c.parsed);
    expect(late.map((p) => [p.outcome, p.reason])).toEqual([
      ['failed', 'timeout'],
      ['succeeded', undefined],
    ]);
    // The raw callback really carries Amount as a string.
    expect(JSON.parse(dup[0].request.rawBody.toString())).toMatchObject({ Status: true, Amount: '1500' });
    // Yas got BILLER-30-0000-S every time.
    expect(ctx.log.filter((l) => l.what.includes('not acknowledged'))).toEqual([]);

    // No status query exists: the adapter says unknown without asking.
    const pushes = pushRequests();
    for (const s of ['000', '002', '032']) {
      expect(
        await provider.queryStatus({ reference: reqs[s].reference, providerRef: null, msisdn: reqs[s].msisdn, createdAt: new Date() }),
      ).toMatchObject({ outcome: 'unknown' });
    }
    expect(pushRequests()).toBe(pushes);
  });

  it('treats callbacks as unsigned hints unless they come from an allowed address', async () => {
    const r = request('255714000000');
    await provider.initiate(r);
    await ctx.settled();
    const genuine = callbacksFor(r.reference)[0].request;

    const noList = make({ callbackIps: undefined });
    expect(noList.parseCallback(genuine)).toMatchObject({
      authentic: true,
      needsConfirmation: true,
      outcome: 'succeeded',
      reference: r.reference,
    });
    const elsewhere = make({ callbackIps: ['41.222.0.10'] }).parseCallback(genuine) as ParsedCallback;
    expect(elsewhere).toMatchObject({ authentic: false, why: expect.stringMatching(/allowed/) });
    const mapped = make({ callbackIps: ['127.0.0.1'] }).parseCallback({ ...genuine, remoteIp: '::ffff:127.0.0.1' });
    expect(mapped).toMatchObject({ authentic: true, needsConfirmation: false });

    const bad = provider.parseCallback({ ...genuine, rawBody: Buffer.from('Status=true') }) as ParsedCallback;
    expect(bad).toMatchObject({ authentic: false, why: expect.stringMatching(/JSON/) });
    expect(JSON.parse(bad.ack.body)).toMatchObject({ ResponseCode: 'BILLER-30-3030-E', ResponseStatus: false });
    expect(provider.parseCallback({ ...genuine, rawBody: Buffer.from('{"ReferenceID":"NFWX","Description":"Success"}') })).toMatchObject({
      authentic: false,
    });
    // Without a biller code there is no prefix to strip.
    const plain = make({ billerCode: undefined }).parseCallback({
      ...genuine,
      rawBody: Buffer.from(
        JSON.stringify({ Status: true, Description: 'Success', MFSTransactionID: 'AB12', ReferenceID: 'REF1234567', Amount: '1000' }),
      ),
    });
    expect(plain).toMatchObject({ reference: 'REF1234567', amountMinor: 100_000n });
  });

  it('caches the token and fetches a new one when the gateway drops it', async () => {
    const fresh = make();
    const before = tokenRequests();
    await Promise.all([
      fresh.initiate(request('255714000000')),
      fresh.initiate(request('255714000000')),
      fresh.initiate(request('255714000000')),
    ]);
    expect(tokenRequests() - before).toBe(1);
    await fetch(`${base}/sandbox/yas_tz/__sim/expire-tokens`, { method: 'POST' });
    expect(await fresh.initiate(request('255714000000'))).toMatchObject({ outcome: 'pending' });
    expect(tokenRequests() - before).toBe(2);
    await ctx.settled();
  });

  it('turns wrong credentials into config_error, not a crash', async () => {
    expect(await make({ password: 'wrong' }).initiate(request('255714000000'))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(await make({ billerMsisdn: '255650000111' }).initiate(request('255714000000'))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(await make({ tokenPath: '/NOSUCH-Path' }).initiate(request('255714000000'))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(await provider.initiate(request('255754000000', { network: 'vodacom' }))).toMatchObject({
      outcome: 'failed',
      reason: 'invalid_msisdn',
    });
    const down = createYasTzProvider({
      baseUrl: 'http://127.0.0.1:1/sandbox/yas_tz',
      credentials: YAS_TZ_SANDBOX_CREDENTIALS,
      sandbox: true,
      timeoutMs: 1000,
    });
    expect(await down.initiate(request('255714000000'))).toMatchObject({ outcome: 'failed', reason: 'provider_error' });
  });

  it('reads credentials from the environment', () => {
    const full = {
      YAS_TZ_USERNAME: 'NETFLOW',
      YAS_TZ_PASSWORD: 'p',
      YAS_TZ_BILLER_MSISDN: '255650000999',
      YAS_TZ_TOKEN_URL: 'https://accessgw.example.co.tz:8443/NETFLOW2DM-GetToken',
      YAS_TZ_PUSH_URL: 'https://accessgw.example.co.tz:8443/NETFLOW2DM-PushBillpay',
      YAS_TZ_CALLBACK_IPS: '41.222.0.10, 41.222.0.11',
    };
    expect(yasTzCredentialsFromEnv({})).toBeNull();
    expect(() => yasTzCredentialsFromEnv({ ...full, YAS_TZ_PASSWORD: '' })).toThrow(/YAS_TZ_PASSWORD/);
    // Without a status query, the callback's source address is what vouches for it.
    expect(() => yasTzCredentialsFromEnv({ ...full, YAS_TZ_CALLBACK_IPS: '' })).toThrow(/YAS_TZ_CALLBACK_IPS/);
    expect(() => yasTzCredentialsFromEnv({ YAS_TZ_BILLER_CODE: 'NFW' })).toThrow(/YAS_TZ_USERNAME/);
    expect(() => yasTzCredentialsFromEnv({ ...full, YAS_TZ_PUSH_URL: 'https://other.example/NETFLOW2DM-PushBillpay' })).toThrow(
      /same host/,
    );
    expect(() => yasTzCredentialsFromEnv({ ...full, YAS_TZ_TOKEN_URL: 'accessgw/token' })).toThrow(/YAS_TZ_TOKEN_URL/);
    expect(() => yasTzCredentialsFromEnv({ ...full, YAS_TZ_BILLER_MSISDN: '0650000999' })).toThrow(/YAS_TZ_BILLER_MSISDN/);
    expect(yasTzCredentialsFromEnv({ ...full, YAS_TZ_BILLER_CODE: 'NFW' })).toEqual({
      baseUrl: 'https://accessgw.example.co.tz:8443',
      tokenPath: '/NETFLOW2DM-GetToken',
      pushPath: '/NETFLOW2DM-PushBillpay',
      username: 'NETFLOW',
      password: 'p',
      billerMsisdn: '255650000999',
      billerCode: 'NFW',
      callbackIps: ['41.222.0.10', '41.222.0.11'],
    });
  });
});
