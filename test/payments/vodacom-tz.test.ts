// Vodacom TZ OpenAPI adapter against the local Vodacom sandbox over real HTTP (127.0.0.1, port 0):
// RSA session handshake, the synchronous C2B answer for every test phone scenario, client timeouts
// mapped to 'unknown' and resolved by the status query, session caching/rotation/activation, and
// credentials from the environment.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitiateRequest, PaymentProvider } from '../../src/payments/provider.js';
import {
  createVodacomTzProvider,
  VODACOM_TZ_PRODUCTION_PATH,
  VODACOM_TZ_SANDBOX_CREDENTIALS,
  vodacomTzCredentialsFromEnv,
  type VodacomTzCredentials,
} from '../../src/payments/providers/vodacom-tz.js';
import { SandboxContext } from '../../src/payments/sandbox/context.js';
import {
  registerVodacomTzSandbox,
  vodacomTzSandboxPublicKey,
  type VodacomTzSandboxOptions,
} from '../../src/payments/sandbox/vodacom-tz.js';

async function startSandbox(ctx: SandboxContext, options?: VodacomTzSandboxOptions) {
  const app = Fastify();
  registerVodacomTzSandbox(app, ctx, options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { app, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

let ctx: SandboxContext;
let app: FastifyInstance;
let base: string;
let provider: PaymentProvider;

function vodacomProvider(credentials: Partial<VodacomTzCredentials> = {}, timeoutMs = 3000, at = base): PaymentProvider {
  return createVodacomTzProvider({
    baseUrl: `${at}/sandbox/vodacom_tz`,
    credentials: { ...VODACOM_TZ_SANDBOX_CREDENTIALS, ...credentials },
    sandbox: true,
    timeoutMs,
  });
}

function request(msisdn: string, overrides: Partial<InitiateRequest> = {}): InitiateRequest {
  return {
    paymentId: randomUUID(),
    reference: `HS${randomBytes(4).toString('hex').toUpperCase()}`,
    msisdn,
    network: 'vodacom',
    amountMinor: 100000n,
    currency: 'TZS',
    label: 'WiFi 24h',
    callbackUrl: 'https://pay.example.net/cb/vodacom_tz/unused',
    ...overrides,
  };
}

const query = (p: PaymentProvider, req: InitiateRequest, providerRef: string | null) =>
  p.queryStatus({ reference: req.reference, providerRef, msisdn: req.msisdn, createdAt: new Date() });
const sessionRequests = () => ctx.log.filter((e) => e.what.includes('/getSession/') && e.status === 200).length;

beforeAll(async () => {
  ctx = new SandboxContext({ approveAfterMs: 20, ambiguousQueries: 2, lateAfterMs: 60 });
  ({ app, base } = await startSandbox(ctx));
  provider = vodacomProvider();
});

afterAll(async () => {
  ctx.close();
  await app.close();
});

describe('Vodacom TZ adapter against the sandbox', () => {
  it('describes itself', () => {
    expect(provider.id).toBe('vodacom_tz');
    expect(provider.currencies).toEqual(['TZS']);
    expect(provider.networks).toEqual(['vodacom']);
    expect(provider.sandbox).toBe(true);
    // The sandbox credentials carry the sandbox's key as the portal shows keys (bare base64).
    expect(VODACOM_TZ_SANDBOX_CREDENTIALS.publicKey).toBe(vodacomTzSandboxPublicKey());
    expect(VODACOM_TZ_SANDBOX_CREDENTIALS.publicKey).toMatch(/^MIIBIjAN[A-Za-z0-9+/=]+$/);
  });

  it('success: the C2B call answers the result itself (INS-0), after the guest approves', async () => {
    const req = request('255754123000');
    const started = Date.now();
    const init = await provider.initiate(req);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(init.outcome).toBe('succeeded');
    expect(init.providerRef).toMatch(/^[0-9A-F]{10}$/);
    expect(init.message).toBe('INS-0 Request processed successfully');
    const exchange = (
      init.raw as Array<{ request: { body: Record<string, unknown> }; response: { status: number; body: Record<string, unknown> } }>
    )[0]!;
    expect(exchange.request.body).toMatchObject({
      input_Amount: '1000',
      input_Country: 'TZN',
      input_Currency: 'TZS',
      input_CustomerMSISDN: '255754123000',
      input_ThirdPartyConversationID: req.reference,
      input_TransactionReference: req.reference,
    });
    expect(exchange.response.status).toBe(201);
    expect(exchange.response.body.output_ThirdPartyConversationID).toBe(req.reference);
    // By their TransactionID and by our ThirdPartyConversationID.
    expect(await query(provider, req, init.providerRef)).toMatchObject({ outcome: 'succeeded', receipt: init.providerRef });
    expect(await query(provider, req, null)).toMatchObject({ outcome: 'succeeded', receipt: init.providerRef });
  });

  it.each([
    ['cancelled', '255754123032', { outcome: 'failed', reason: 'cancelled' }, 'INS-5', { outcome: 'failed', reason: 'cancelled' }],
    ['insufficient_funds', '255754123001', { outcome: 'failed', reason: 'insufficient_funds' }, 'INS-2006', { outcome: 'failed' }],
    ['unreachable', '255754123037', { outcome: 'failed', reason: 'provider_error' }, 'INS-6', { outcome: 'failed' }],
    ['timeout', '255754123019', { outcome: 'unknown', reason: 'timeout' }, 'INS-9', { outcome: 'failed', reason: 'timeout' }],
    ['wrong_pin', '255764123004', { outcome: 'failed', reason: 'wrong_pin' }, 'INS-2001', { outcome: 'failed' }],
    ['locked', '255754123010', { outcome: 'failed', reason: 'duplicate' }, 'INS-10', { outcome: 'failed' }],
    ['wrong_amount', '255754123006', { outcome: 'succeeded' }, 'INS-0', { outcome: 'succeeded' }],
  ] as const)('%s: answers its code, and the status query agrees', async (_name, msisdn, expected, code, queried) => {
    const req = request(msisdn);
    const init = await provider.initiate(req);
    expect(init).toMatchObject(expected);
    expect(init.message?.startsWith(`${code} `)).toBe(true);
    expect(await query(provider, req, init.providerRef)).toMatchObject(queried);
  });

  it('duplicate: reusing a ThirdPartyConversationID gives INS-10', async () => {
    const req = request('255754123003');
    expect((await provider.initiate(req)).outcome).toBe('succeeded');
    expect(await provider.initiate(req)).toMatchObject({ outcome: 'failed', reason: 'duplicate' });
  });

  it('ambiguous: INS-1 is unknown; the query is pending ambiguousQueries times, then success', async () => {
    const req = request('255754123099');
    const init = await provider.initiate(req);
    expect(init).toMatchObject({ outcome: 'unknown', providerRef: null });
    expect((await query(provider, req, null)).outcome).toBe('pending');
    expect((await query(provider, req, null)).outcome).toBe('pending');
    const done = await query(provider, req, null);
    expect(done.outcome).toBe('succeeded');
    expect(done.receipt).toMatch(/^[0-9A-F]{10}$/);
  });

  it('late_success: INS-9 now, the query turns to success later', async () => {
    const req = request('255754123005');
    expect(await provider.initiate(req)).toMatchObject({ outcome: 'unknown', reason: 'timeout' });
    expect((await query(provider, req, null)).outcome).toBe('pending');
    await ctx.settled();
    expect((await query(provider, req, null)).outcome).toBe('succeeded');
  });

  it('no answer in time: a client timeout is unknown, and the status query finds the success', async () => {
    const impatient = vodacomProvider({}, 300);
    const req = request('255754123002');
    const started = Date.now();
    const init = await impatient.initiate(req);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(init).toMatchObject({ outcome: 'unknown', reason: 'timeout', providerRef: null });
    await ctx.settled();
    expect(await query(provider, req, null)).toMatchObject({ outcome: 'succeeded' });
  });

  it('a reference Vodacom never saw is pending (INS-23), not failed', async () => {
    expect(await query(provider, request('255754123000'), null)).toMatchObject({ outcome: 'pending' });
  });

  it('serves the production market path too', async () => {
    const p = vodacomProvider({ apiPath: VODACOM_TZ_PRODUCTION_PATH });
    expect((await p.initiate(request('255754123000'))).outcome).toBe('succeeded');
  });

  it('has no callback: anything posted is not authentic', async () => {
    const parsed = await provider.parseCallback({
      headers: {},
      rawBody: Buffer.from('{"output_ResponseCode":"INS-0"}'),
      remoteIp: '127.0.0.1',
      query: {},
    });
    expect(parsed).toMatchObject({ authentic: false, outcome: 'unknown' });
    expect(parsed.why).toMatch(/no callback/);
    const garbage = await provider.parseCallback({ headers: {}, rawBody: Buffer.from('<<'), remoteIp: '127.0.0.1', query: {} });
    expect(garbage.authentic).toBe(false);
  });
});

describe('Vodacom TZ auth and sessions', () => {
  it('wrong API key: getSession INS-2 → failed config_error, not a crash', async () => {
    const p = vodacomProvider({ apiKey: 'wrong' });
    const init = await p.initiate(request('255754123000'));
    expect(init).toMatchObject({ outcome: 'failed', reason: 'config_error', providerRef: null });
    expect(init.message).toContain('INS-2');
    expect(await query(p, request('255754123000'), null)).toMatchObject({ outcome: 'unknown', reason: 'config_error' });
  });

  it('a different public key: the sandbox cannot decrypt → config_error', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(await vodacomProvider({ publicKey: other }).initiate(request('255754123000'))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
  });

  it('an unparseable public key: config_error, no request sent', async () => {
    const before = ctx.log.length;
    expect(await vodacomProvider({ publicKey: 'not a key' }).initiate(request('255754123000'))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(ctx.log.length).toBe(before);
  });

  it('caches the session: one getSession for several payments (even concurrent)', async () => {
    const p = vodacomProvider();
    const before = sessionRequests();
    const results = await Promise.all([p.initiate(request('255754123000')), p.initiate(request('255754123000'))]);
    expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded']);
    await p.initiate(request('255754123000'));
    expect(sessionRequests() - before).toBe(1);
  });

  it('a refused session (INS-2) is rotated once and the call retried', async () => {
    const p = vodacomProvider();
    await p.initiate(request('255754123000'));
    const before = sessionRequests();
    await fetch(`${base}/sandbox/vodacom_tz/__sim/expire-sessions`, { method: 'POST' });
    const init = await p.initiate(request('255754123000'));
    expect(init.outcome).toBe('succeeded');
    expect(sessionRequests() - before).toBe(1);
    expect(JSON.stringify(init.raw)).toContain('INS-2');
  });

  it('waits for a new session to activate (§2.1); without the wait the gateway refuses it', async () => {
    const slowCtx = new SandboxContext({ approveAfterMs: 10 });
    const slow = await startSandbox(slowCtx, { sessionActivationMs: 150 });
    try {
      const patient = vodacomProvider({ sessionActivationSeconds: 0.2 }, 3000, slow.base);
      const started = Date.now();
      expect((await patient.initiate(request('255754123000'))).outcome).toBe('succeeded');
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      const hasty = vodacomProvider({ sessionActivationSeconds: 0 }, 3000, slow.base);
      expect(await hasty.initiate(request('255754123000'))).toMatchObject({ outcome: 'failed', reason: 'config_error' });
    } finally {
      slowCtx.close();
      await slow.app.close();
    }
  });

  it('stores no secrets in raw', async () => {
    const init = await provider.initiate(request('255754123000'));
    const text = JSON.stringify(init.raw);
    expect(text).not.toContain(VODACOM_TZ_SANDBOX_CREDENTIALS.apiKey);
    expect(text.toLowerCase()).not.toContain('bearer');
    expect(text).not.toContain('output_SessionID');
  });

  it('rejects what the API cannot take before calling it', async () => {
    const before = ctx.log.length;
    expect(await provider.initiate(request('254712345000'))).toMatchObject({ outcome: 'failed', reason: 'invalid_msisdn' });
    expect(await provider.initiate(request('255754123000', { amountMinor: 150n }))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(await provider.initiate(request('255754123000', { currency: 'KES' }))).toMatchObject({
      outcome: 'failed',
      reason: 'config_error',
    });
    expect(ctx.log.length).toBe(before);
  });
});

describe('vodacomTzCredentialsFromEnv', () => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const bare = pem.replace(/-----[A-Z ]+-----|\s/g, '');
  const full = { VODACOM_TZ_API_KEY: 'key', VODACOM_TZ_PUBLIC_KEY: pem, VODACOM_TZ_SERVICE_PROVIDER_CODE: '000000' };

  it('is null when nothing is set', () => {
    expect(vodacomTzCredentialsFromEnv({ HOME: '/root' })).toBeNull();
  });

  it('fills the defaults from the notes', () => {
    expect(vodacomTzCredentialsFromEnv(full)).toEqual({
      apiKey: 'key',
      publicKey: pem.trim(),
      serviceProviderCode: '000000',
      baseUrl: 'https://openapi.m-pesa.com',
      apiPath: '/openapi/ipg/v2/vodacomTZN',
      origin: '*',
      sessionActivationSeconds: 30,
    });
  });

  it('accepts the bare base64 key the portal shows, or a key file', () => {
    expect(vodacomTzCredentialsFromEnv({ ...full, VODACOM_TZ_PUBLIC_KEY: bare })?.publicKey).toBe(bare);
    const dir = mkdtempSync(path.join(tmpdir(), 'vodacom-key-'));
    try {
      const file = path.join(dir, 'public.pem');
      writeFileSync(file, pem);
      const creds = vodacomTzCredentialsFromEnv({
        ...full,
        VODACOM_TZ_PUBLIC_KEY: undefined,
        VODACOM_TZ_PUBLIC_KEY_FILE: file,
        VODACOM_TZ_API_PATH: '/sandbox/ipg/v2/vodacomTZN',
        VODACOM_TZ_SESSION_ACTIVATION_SECONDS: '0',
      });
      expect(creds).toMatchObject({ publicKey: pem.trim(), apiPath: '/sandbox/ipg/v2/vodacomTZN', sessionActivationSeconds: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [
      { VODACOM_TZ_API_KEY: 'key', VODACOM_TZ_SERVICE_PROVIDER_CODE: '000000' },
      /^VODACOM_TZ_PUBLIC_KEY \(or VODACOM_TZ_PUBLIC_KEY_FILE\) is not set/,
    ],
    [{ VODACOM_TZ_PUBLIC_KEY: pem }, /^VODACOM_TZ_API_KEY is not set/],
    [{ VODACOM_TZ_API_KEY: 'key', VODACOM_TZ_PUBLIC_KEY: pem }, /^VODACOM_TZ_SERVICE_PROVIDER_CODE is not set/],
    [{ ...full, VODACOM_TZ_PUBLIC_KEY: 'not-a-key' }, /^VODACOM_TZ_PUBLIC_KEY is not a usable RSA public key/],
    [
      { ...full, VODACOM_TZ_PUBLIC_KEY: undefined, VODACOM_TZ_PUBLIC_KEY_FILE: '/nonexistent/key.pem' },
      /^VODACOM_TZ_PUBLIC_KEY_FILE: cannot read/,
    ],
    [{ ...full, VODACOM_TZ_PUBLIC_KEY_FILE: '/x.pem' }, /set only one of/],
    [{ ...full, VODACOM_TZ_SESSION_ACTIVATION_SECONDS: 'soon' }, /VODACOM_TZ_SESSION_ACTIVATION_SECONDS/],
    [{ ...full, VODACOM_TZ_BASE_URL: 'openapi.m-pesa.com' }, /VODACOM_TZ_BASE_URL/],
  ])('throws one clear line (%#)', (env, message) => {
    expect(() => vodacomTzCredentialsFromEnv(env)).toThrow(message);
    try {
      vodacomTzCredentialsFromEnv(env);
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });
});
