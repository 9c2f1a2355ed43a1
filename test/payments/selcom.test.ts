// The Selcom adapter against NetFlow's Selcom sandbox over real HTTP: every test phone scenario,
// signed webhooks received as raw bytes, order-status, forged webhooks and wrong credentials.
import { startSandboxApp, until, type ReceivedCallback } from './support.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitiateRequest, PaymentProvider, ParsedCallback } from '../../src/payments/provider.js';
import {
  createSelcomProvider,
  SELCOM_PRODUCTION_URL,
  SELCOM_SANDBOX_CREDENTIALS,
  selcomCredentialsFromEnv,
} from '../../src/payments/providers/selcom.js';
import { SandboxContext } from '../../src/payments/sandbox/context.js';
import { registerSelcomSandbox } from '../../src/payments/sandbox/selcom.js';

const AMOUNT = 100_000n; // TZS 1,000 in minor units
let seq = 0;
const ref = () => `SLC${Date.now().toString(36).toUpperCase().slice(-5)}${(seq++).toString().padStart(3, '0')}`.slice(0, 12);

describe('Selcom adapter + sandbox', () => {
  let app: FastifyInstance;
  let ctx: SandboxContext;
  let base: string;
  let provider: PaymentProvider;
  const received: ReceivedCallback[] = [];

  const request = (msisdn: string, over: Partial<InitiateRequest> = {}): InitiateRequest => {
    const reference = ref();
    return {
      paymentId: crypto.randomUUID(),
      reference,
      msisdn,
      network: 'vodacom',
      amountMinor: AMOUNT,
      currency: 'TZS',
      label: 'WiFi 24h',
      callbackUrl: `${base}/cb/${reference}?t=tok-${reference}`,
      ...over,
    };
  };
  const callbacksFor = (reference: string) => received.filter((r) => r.token === reference);

  beforeAll(async () => {
    ctx = new SandboxContext({ approveAfterMs: 20, ambiguousQueries: 2, lateAfterMs: 400 });
    ({ app, base } = await startSandboxApp(
      (a) => registerSelcomSandbox(a, ctx),
      () => provider,
      received,
    ));
    ctx.allowCallbacksTo(`${base}/cb/`);
    provider = createSelcomProvider({
      baseUrl: `${base}/sandbox/selcom`,
      credentials: SELCOM_SANDBOX_CREDENTIALS,
      sandbox: true,
      timeoutMs: 3000,
    });
  });
  afterAll(async () => {
    ctx?.close();
    await app?.close();
  });

  it('describes itself', () => {
    expect(provider).toMatchObject({
      id: 'selcom',
      currencies: ['TZS'],
      networks: ['vodacom', 'yas', 'airtel', 'halotel', 'ttcl'],
      signedCallbacks: true,
      sandbox: true,
    });
  });

  it('plays every test-phone scenario: push, signed webhook (successes only), order-status', async () => {
    const suffixes = ['000', '032', '001', '037', '019', '004', '010', '099', '002', '003', '005', '006'] as const;
    const reqs = Object.fromEntries(suffixes.map((s) => [s, request(`255754000${s}`)]));
    const init = Object.fromEntries(await Promise.all(suffixes.map(async (s) => [s, await provider.initiate(reqs[s])] as const)));

    for (const s of suffixes.filter((x) => x !== '010')) {
      expect(init[s], s).toMatchObject({ outcome: 'pending', providerRef: `${reqs[s].reference}T1` });
    }
    // Subscriber lock: refused at once, nothing was pushed.
    expect(init['010']).toMatchObject({ outcome: 'failed', reason: 'busy_retry_later' });
    // Secrets never reach the stored exchange.
    expect(JSON.stringify(init['000'].raw)).not.toContain(SELCOM_SANDBOX_CREDENTIALS.apiSecret);
    expect(JSON.stringify(init['000'].raw)).toContain('[redacted]');

    // late_success: the order first ends CANCELLED (expired) …
    const first = await until(
      () =>
        provider.queryStatus({ reference: reqs['005'].reference, providerRef: null, msisdn: reqs['005'].msisdn, createdAt: new Date() }),
      (s) => s.outcome !== 'pending',
    );
    expect(first).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    await ctx.settled();

    const one = (s: string) => {
      const list = callbacksFor(reqs[s].reference);
      expect(list, s).toHaveLength(1);
      return list[0].parsed;
    };
    for (const s of ['000', '005']) {
      expect(one(s), s).toMatchObject({
        authentic: true,
        needsConfirmation: false,
        outcome: 'succeeded',
        reference: reqs[s].reference,
        providerRef: `${reqs[s].reference}T1`,
        amountMinor: AMOUNT,
        currency: 'TZS',
        msisdn: reqs[s].msisdn,
        ack: { status: 200, body: '' },
      });
      expect(one(s).receipt).toMatch(/^\d{10}$/);
    }
    expect(one('006')).toMatchObject({ authentic: true, outcome: 'succeeded', amountMinor: AMOUNT - 100n });
    const dup = callbacksFor(reqs['003'].reference);
    expect(dup).toHaveLength(3);
    expect(new Set(dup.map((d) => d.parsed.receipt)).size).toBe(1);
    expect(dup.every((d) => d.parsed.outcome === 'succeeded' && d.parsed.authentic)).toBe(true);
    // Selcom sends no webhook for failures, nor for the no_callback / ambiguous scenarios.
    for (const s of ['032', '001', '037', '019', '004', '010', '099', '002']) expect(callbacksFor(reqs[s].reference), s).toHaveLength(0);
    // The sandbox got our plain 200 back.
    expect(ctx.log.filter((l) => l.what.startsWith('callback') && l.status !== 200)).toEqual([]);

    const status = (s: string) =>
      provider.queryStatus({
        reference: reqs[s].reference,
        providerRef: init[s].providerRef,
        msisdn: reqs[s].msisdn,
        createdAt: new Date(),
      });
    expect(await status('000')).toMatchObject({ outcome: 'succeeded', amountMinor: AMOUNT, currency: 'TZS', receipt: one('000').receipt });
    expect(await status('005')).toMatchObject({ outcome: 'succeeded' });
    expect(await status('006')).toMatchObject({ outcome: 'succeeded', amountMinor: AMOUNT - 100n });
    expect(await status('003')).toMatchObject({ outcome: 'succeeded', receipt: dup[0].parsed.receipt });
    expect(await status('002')).toMatchObject({ outcome: 'succeeded', amountMinor: AMOUNT });
    expect(await status('032')).toMatchObject({ outcome: 'failed', reason: 'cancelled' });
    expect(await status('019')).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    for (const s of ['001', '037', '004']) expect(await status(s), s).toMatchObject({ outcome: 'failed', reason: 'unknown' });
    // The locked push never made an order pending-with-push; the order itself exists and is pending.
    expect(await status('010')).toMatchObject({ outcome: 'pending' });
    // Ambiguous: pending for two queries, then the result.
    expect(await status('099')).toMatchObject({ outcome: 'pending' });
    expect(await status('099')).toMatchObject({ outcome: 'pending' });
    expect(await status('099')).toMatchObject({ outcome: 'succeeded', amountMinor: AMOUNT });
  });

  it('rejects a forged or altered webhook and flags an unsigned one for confirmation', async () => {
    const r = request('255754000000');
    await provider.initiate(r);
    await ctx.settled();
    const genuine = callbacksFor(r.reference)[0].request;
    expect(provider.parseCallback(genuine)).toMatchObject({ authentic: true, outcome: 'succeeded' });

    const body = JSON.parse(genuine.rawBody.toString('utf8')) as Record<string, string>;
    const altered = { ...genuine, rawBody: Buffer.from(JSON.stringify({ ...body, amount: '100' })) };
    const forged = provider.parseCallback(altered) as ParsedCallback;
    expect(forged.authentic).toBe(false);
    expect(forged.why).toMatch(/Digest/);

    const otherSecret = createSelcomProvider({
      baseUrl: `${base}/sandbox/selcom`,
      credentials: { ...SELCOM_SANDBOX_CREDENTIALS, apiSecret: 'not-the-secret' },
      sandbox: true,
    });
    expect(otherSecret.parseCallback(genuine)).toMatchObject({ authentic: false });

    const headerless = { ...genuine, headers: { 'content-type': 'application/json' } };
    expect(provider.parseCallback(headerless)).toMatchObject({ authentic: true, needsConfirmation: true, outcome: 'succeeded' });

    const partial = { ...genuine, headers: { ...genuine.headers, 'signed-fields': 'order_id' } };
    const p = provider.parseCallback(partial) as ParsedCallback;
    expect(p.authentic).toBe(false); // the digest no longer matches the declared field list

    expect(provider.parseCallback({ ...genuine, rawBody: Buffer.from('<html>oops') })).toMatchObject({
      authentic: false,
      why: expect.stringMatching(/JSON/),
    });
    expect(provider.parseCallback({ ...genuine, rawBody: Buffer.from('[1,2]') })).toMatchObject({ authentic: false });
  });

  it('accepts a genuine webhook only within 5 minutes of its signed Timestamp, and names it for the replay check', async () => {
    const r = request('255754100000');
    await provider.initiate(r);
    await ctx.settled();
    const genuine = callbacksFor(r.reference)[0].request;
    expect(provider.parseCallback(genuine)).toMatchObject({ authentic: true, replayKey: genuine.headers.digest });
    const signedAt = Date.parse(String(genuine.headers.timestamp));
    const at = (ms: number) =>
      createSelcomProvider({
        baseUrl: `${base}/sandbox/selcom`,
        credentials: SELCOM_SANDBOX_CREDENTIALS,
        sandbox: true,
        now: () => new Date(signedAt + ms),
      });
    expect(at(4 * 60_000).parseCallback(genuine)).toMatchObject({ authentic: true });
    expect(at(-4 * 60_000).parseCallback(genuine)).toMatchObject({ authentic: true });
    const late = at(6 * 60_000).parseCallback(genuine) as ParsedCallback;
    expect([late.authentic, late.why]).toEqual([false, expect.stringMatching(/more than 5 minutes from now/)]);
    expect(at(-6 * 60_000).parseCallback(genuine)).toMatchObject({ authentic: false });
  });

  it('turns wrong credentials into config_error, not a crash', async () => {
    const wrong = createSelcomProvider({
      baseUrl: `${base}/sandbox/selcom`,
      credentials: { ...SELCOM_SANDBOX_CREDENTIALS, apiSecret: 'wrong-secret' },
      sandbox: true,
    });
    const res = await wrong.initiate(request('255754000000'));
    expect(res).toMatchObject({ outcome: 'failed', reason: 'config_error' });
    expect(
      await wrong.queryStatus({ reference: 'NOSUCHREF1', providerRef: null, msisdn: '255754000000', createdAt: new Date() }),
    ).toMatchObject({ outcome: 'unknown', reason: 'config_error' });
    const badKey = createSelcomProvider({
      baseUrl: `${base}/sandbox/selcom`,
      credentials: { ...SELCOM_SANDBOX_CREDENTIALS, apiKey: 'other' },
      sandbox: true,
    });
    expect(await badKey.initiate(request('255754000000'))).toMatchObject({ outcome: 'failed', reason: 'config_error' });
    const badVendor = createSelcomProvider({
      baseUrl: `${base}/sandbox/selcom`,
      credentials: { ...SELCOM_SANDBOX_CREDENTIALS, vendor: 'TILL0' },
      sandbox: true,
    });
    expect(await badVendor.initiate(request('255754000000'))).toMatchObject({ outcome: 'failed', reason: 'config_error' });
  });

  it('refuses what it cannot send, and reports an unreachable API without throwing', async () => {
    expect(await provider.initiate(request('254712000000', { network: 'safaricom' }))).toMatchObject({
      outcome: 'failed',
      reason: 'invalid_msisdn',
    });
    expect(await provider.initiate(request('255754000000', { currency: 'KES' }))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    const down = createSelcomProvider({
      baseUrl: 'http://127.0.0.1:1/sandbox/selcom',
      credentials: SELCOM_SANDBOX_CREDENTIALS,
      sandbox: true,
      timeoutMs: 1000,
    });
    expect(await down.initiate(request('255754000000'))).toMatchObject({ outcome: 'failed', reason: 'provider_error' });
    expect(
      await down.queryStatus({ reference: 'X1234567', providerRef: null, msisdn: '255754000000', createdAt: new Date() }),
    ).toMatchObject({ outcome: 'unknown' });
    expect(
      await provider.queryStatus({ reference: 'NEVERSEEN1', providerRef: null, msisdn: '255754000000', createdAt: new Date() }),
    ).toMatchObject({ outcome: 'unknown' });
  });

  it('reads credentials from the environment', () => {
    expect(selcomCredentialsFromEnv({})).toBeNull();
    expect(() => selcomCredentialsFromEnv({ SELCOM_API_KEY: 'k', SELCOM_VENDOR: 'v' })).toThrow(/SELCOM_API_SECRET/);
    expect(() => selcomCredentialsFromEnv({ SELCOM_BASE_URL: 'https://x.example' })).toThrow(/SELCOM_API_KEY/);
    expect(selcomCredentialsFromEnv({ SELCOM_API_KEY: 'k', SELCOM_API_SECRET: 's', SELCOM_VENDOR: 'v' })).toEqual({
      baseUrl: SELCOM_PRODUCTION_URL,
      apiKey: 'k',
      apiSecret: 's',
      vendor: 'v',
    });
    expect(
      selcomCredentialsFromEnv({
        SELCOM_API_KEY: 'k',
        SELCOM_API_SECRET: 's',
        SELCOM_VENDOR: 'v',
        SELCOM_BASE_URL: 'https://uat.example/v1/',
      })?.baseUrl,
    ).toBe('https://uat.example/v1');
    expect(() =>
      selcomCredentialsFromEnv({ SELCOM_API_KEY: 'k', SELCOM_API_SECRET: 's', SELCOM_VENDOR: 'v', SELCOM_BASE_URL: 'apigw' }),
    ).toThrow(/SELCOM_BASE_URL/);
  });
});
