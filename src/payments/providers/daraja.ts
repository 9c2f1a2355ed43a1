// Safaricom Daraja (Kenya) M-Pesa Express adapter: OAuth token → STK Push → unsigned callback →
// STK Query. Wire formats, quirks and result codes: ../shared/notes/payments.md §1, §6, §9.
// The adapter stores nothing; it returns the exchanges (secrets redacted) as `raw`.
import {
  callWithToken,
  envReader,
  failedInitiate,
  httpBaseUrl,
  notSet,
  ProviderAuthError,
  ProviderConfigError,
  refreshAtFor,
  tokenCache,
  trimSlashes,
  type CachedToken,
} from './common.js';
import { BlockList, isIP } from 'node:net';
import { plainIp } from '../../core/addresses.js';
import { header, httpJson, ProviderHttpError, redact, type HttpExchange } from '../http.js';
import {
  majorUnits,
  minorUnits,
  type CallbackRequest,
  type FailureReason,
  type InitiateRequest,
  type InitiateResult,
  type Outcome,
  type ParsedCallback,
  type PaymentProvider,
  type StatusResult,
} from '../provider.js';

export type DarajaTransactionType = 'CustomerPayBillOnline' | 'CustomerBuyGoodsOnline';

export interface DarajaCredentials {
  consumerKey: string;
  consumerSecret: string;
  /** BusinessShortCode: the Paybill, or for a Till the store (head office) number. */
  shortcode: string;
  passkey: string;
  transactionType: DarajaTransactionType;
  /** PartyB: the Till number for CustomerBuyGoodsOnline; defaults to the shortcode (Paybill). */
  partyB?: string;
  /** API host, e.g. https://api.safaricom.co.ke (the registry passes it to createDarajaProvider). */
  baseUrl: string;
  /**
   * Source addresses/CIDRs Safaricom calls back from (§1.8). Checked only when
   * `enforceCallbackIps` is true; otherwise kept for reference (a Daraja callback is believed for
   * its per-payment URL token plus an STK Query).
   */
  callbackIps?: string[];
  /**
   * True when the operator set DARAJA_CALLBACK_IPS: a callback from any other source address is
   * refused (401). The published list is not enforced by default: Safaricom changes it.
   */
  enforceCallbackIps?: boolean;
}

export const DARAJA_PRODUCTION_URL = 'https://api.safaricom.co.ke';

/** The commonly published Daraja callback sources (§1.8); keep overridable via DARAJA_CALLBACK_IPS. */
export const DARAJA_PUBLISHED_CALLBACK_IPS: readonly string[] = [
  '196.201.214.200',
  '196.201.214.206',
  '196.201.214.207',
  '196.201.214.208',
  '196.201.213.114',
  '196.201.213.44',
  '196.201.212.127',
  '196.201.212.138',
  '196.201.212.129',
  '196.201.212.136',
  '196.201.212.74',
  '196.201.212.69',
];

/**
 * The only credentials NetFlow's local Daraja sandbox (src/payments/sandbox/daraja.ts) accepts.
 * Invented values: they are not Safaricom's public sandbox credentials and work nowhere else.
 */
export const DARAJA_SANDBOX_CREDENTIALS: DarajaCredentials = Object.freeze({
  consumerKey: 'nfSandboxConsumerKey7Q2xLm',
  consumerSecret: 'nfSandboxConsumerSecret4Vw9',
  shortcode: '600100',
  passkey: '5f0d6c1e9a7b42e8b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0',
  transactionType: 'CustomerPayBillOnline',
  // Relative to NetFlow's own URL: the registry passes the absolute sandbox URL as `baseUrl`.
  baseUrl: '/sandbox/daraja',
  callbackIps: ['127.0.0.1', '::1'],
}) as DarajaCredentials;

const ENV = {
  key: 'DARAJA_CONSUMER_KEY',
  secret: 'DARAJA_CONSUMER_SECRET',
  shortcode: 'DARAJA_SHORTCODE',
  passkey: 'DARAJA_PASSKEY',
  type: 'DARAJA_TRANSACTION_TYPE',
  partyB: 'DARAJA_PARTY_B',
  baseUrl: 'DARAJA_BASE_URL',
  ips: 'DARAJA_CALLBACK_IPS',
} as const;

/**
 * Daraja credentials from DARAJA_* variables: null when none is set; an Error naming the first
 * problem when the set is incomplete or invalid (a half-configured provider must not start).
 */
export function darajaCredentialsFromEnv(env: NodeJS.ProcessEnv): DarajaCredentials | null {
  const { get, anySet, firstMissing, list } = envReader(env);
  if (!anySet(Object.values(ENV))) return null;
  const required = [ENV.key, ENV.secret, ENV.shortcode, ENV.passkey];
  const missing = firstMissing(required);
  if (missing) throw notSet(missing, `Daraja needs ${required.join(', ')} once any DARAJA_ variable is set`);
  const shortcode = get(ENV.shortcode)!;
  if (!/^\d{5,8}$/.test(shortcode))
    throw new ProviderConfigError(`${ENV.shortcode} must be the numeric Paybill/store number, got "${shortcode}"`);
  const type = get(ENV.type) ?? 'CustomerPayBillOnline';
  if (type !== 'CustomerPayBillOnline' && type !== 'CustomerBuyGoodsOnline') {
    throw new ProviderConfigError(`${ENV.type} must be CustomerPayBillOnline or CustomerBuyGoodsOnline (exact case), got "${type}"`);
  }
  const partyB = get(ENV.partyB);
  // A BuyGoods push sent to the store number instead of the till fails in production (§1.2).
  if (type === 'CustomerBuyGoodsOnline' && partyB === undefined)
    throw new ProviderConfigError(`${ENV.partyB} (the Till number) is not set; it is required when ${ENV.type}=CustomerBuyGoodsOnline`);
  if (partyB !== undefined && !/^\d{5,8}$/.test(partyB)) throw new ProviderConfigError(`${ENV.partyB} must be numeric, got "${partyB}"`);
  const baseUrl = httpBaseUrl(ENV.baseUrl, get(ENV.baseUrl) ?? DARAJA_PRODUCTION_URL);
  const ips = get(ENV.ips);
  const callbackIps = list(ENV.ips) ?? [...DARAJA_PUBLISHED_CALLBACK_IPS];
  if (ips !== undefined) {
    const bad = callbackIps.find((s) => !isIpOrCidr(s));
    if (bad !== undefined) throw new ProviderConfigError(`${ENV.ips} has "${bad}", which is not an IP address or CIDR range`);
  }
  return {
    consumerKey: get(ENV.key)!,
    consumerSecret: get(ENV.secret)!,
    shortcode,
    passkey: get(ENV.passkey)!,
    transactionType: type,
    ...(partyB !== undefined ? { partyB } : {}),
    baseUrl,
    callbackIps,
    ...(ips !== undefined ? { enforceCallbackIps: true } : {}),
  };
}

/** Whether `ip` is one of `list` (addresses or CIDR ranges); an IPv4-mapped IPv6 peer counts as IPv4. */
export function ipInList(ip: string, list: readonly string[]): boolean {
  const plain = plainIp(ip);
  const family = isIP(plain);
  if (family === 0) return false;
  const block = new BlockList();
  for (const entry of list) {
    const [addr, bits] = entry.split('/');
    const f = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) block.addAddress(addr, f);
    else block.addSubnet(addr, Number(bits), f);
  }
  return block.check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

function isIpOrCidr(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length > 0 || !ip) return false;
  const family = isIP(ip);
  if (family === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

// ---------------------------------------------------------------------------------------------

const ACK = JSON.stringify({ ResultCode: 0, ResultDesc: 'Accepted' });
/** Kenyan mobile numbers in Daraja's 2547…/2541… form (§9). */
const KE_MSISDN = /^254(7\d{8}|1(0[0-8]|1[0-7]|2[014]|30)\d{6})$/;

/** Callback/query result codes (§1.7). Anything else is 'unknown': never auto-failed. */
const RESULT_CODES: Record<string, { outcome: Outcome; reason?: FailureReason }> = {
  '0': { outcome: 'succeeded' },
  '1': { outcome: 'failed', reason: 'insufficient_funds' },
  '17': { outcome: 'failed', reason: 'busy_retry_later' },
  '26': { outcome: 'failed', reason: 'busy_retry_later' },
  '1001': { outcome: 'failed', reason: 'busy_retry_later' },
  '1019': { outcome: 'failed', reason: 'timeout' },
  '1025': { outcome: 'failed', reason: 'push_failed' },
  '9999': { outcome: 'failed', reason: 'push_failed' },
  '1032': { outcome: 'failed', reason: 'cancelled' },
  '1037': { outcome: 'failed', reason: 'unreachable' },
  '2001': { outcome: 'failed', reason: 'wrong_pin' },
  // Seen on STK Query as "still under processing" [obs]; not a failure.
  '4999': { outcome: 'pending' },
};

function mapResultCode(code: unknown): { outcome: Outcome; reason?: FailureReason } {
  const key = typeof code === 'number' || typeof code === 'string' ? String(code).trim() : '';
  return RESULT_CODES[key] ?? { outcome: 'unknown', reason: 'unknown' };
}

/** Daraja's rejection envelope: {"requestId","errorCode","errorMessage"} (§1.3). */
interface DarajaError {
  errorCode: string;
  errorMessage: string;
}

function darajaError(body: unknown): DarajaError | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (typeof b.errorCode !== 'string') return null;
  return { errorCode: b.errorCode, errorMessage: typeof b.errorMessage === 'string' ? b.errorMessage : '' };
}

/** 404.001.03 (or the 401.002.* family, §1.1) means our cached token is no longer valid. */
function isInvalidToken(exchange: HttpExchange): boolean {
  const err = darajaError(exchange.body);
  return exchange.status === 401 || (err !== null && (err.errorCode.startsWith('404.001.') || err.errorCode.startsWith('401.002.')));
}

/** YYYYMMDDHHmmss in East Africa Time (UTC+3, no DST), as Daraja requires (§1.2). */
export function darajaTimestamp(at: Date = new Date()): string {
  return new Date(at.getTime() + 3 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
}

/** base64(shortcode + passkey + timestamp): one timestamp string for both fields (§1.2). */
export function darajaPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(shortcode + passkey + timestamp).toString('base64');
}

export function createDarajaProvider(options: {
  baseUrl: string;
  credentials: DarajaCredentials;
  sandbox: boolean;
  timeoutMs?: number;
}): PaymentProvider {
  const creds = options.credentials;
  const base = trimSlashes(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const partyB = creds.partyB ?? creds.shortcode;

  async function fetchToken(): Promise<CachedToken> {
    const url = `${base}/oauth/v1/generate?grant_type=client_credentials`;
    const basic = Buffer.from(`${creds.consumerKey}:${creds.consumerSecret}`).toString('base64');
    let res: HttpExchange;
    try {
      res = await httpJson({ method: 'GET', url, headers: { authorization: `Basic ${basic}` }, timeoutMs });
    } catch (err) {
      throw new ProviderAuthError(`token request failed: ${(err as Error).message}`, 'provider_error', {
        request: { method: 'GET', url },
        error: (err as Error).message,
      });
    }
    const raw = { request: { method: 'GET', url }, response: { status: res.status, body: redact(res.body) } };
    const body = res.body as Record<string, unknown> | null;
    if (res.status === 200 && body && typeof body.access_token === 'string' && body.access_token.length > 0) {
      // expires_in arrives as a string ("3599"), §1.1.
      // Stop using it 60 s before it expires (§1.1).
      return { token: body.access_token, refreshAt: refreshAtFor(body.expires_in, 3599, 60) };
    }
    const err = darajaError(res.body);
    // 400.008.01 wrong key/secret, 400.008.02 wrong grant: configuration, not a transient fault.
    const config = res.status === 400 || res.status === 401 || (err?.errorCode.startsWith('400.008') ?? false);
    const what = err ? `${err.errorCode} ${err.errorMessage}` : `HTTP ${res.status}`;
    throw new ProviderAuthError(`token request rejected: ${what}`, config ? 'config_error' : 'provider_error', raw);
  }

  /** A valid token, fetched at most once at a time (single flight) and cached until near expiry. */
  const tokens = tokenCache(fetchToken);

  /** POSTs with the bearer token; on an invalid-token answer refreshes once and retries. */
  function post(path: string, body: Record<string, unknown>): Promise<{ res: HttpExchange; raw: unknown[] }> {
    const url = `${base}${path}`;
    return callWithToken(
      tokens,
      { method: 'POST', url, body: redact(body) },
      (bearer) => httpJson({ method: 'POST', url, headers: { authorization: `Bearer ${bearer}` }, body, timeoutMs }),
      isInvalidToken,
    );
  }

  return {
    id: 'daraja',
    displayName: 'M-Pesa (Safaricom)',
    currencies: ['KES'],
    networks: ['safaricom'],
    signedCallbacks: false,
    // With DARAJA_CALLBACK_IPS set, the source address is also checked: TRUST_PROXY=true is then refused.
    ...(!options.sandbox && creds.enforceCallbackIps ? { callbackAddressList: 'DARAJA_CALLBACK_IPS' } : {}),
    minPollDelaySeconds: 20,
    // The STK prompt dies after about a minute; 1019/1037 can still arrive later (§6).
    expirySeconds: 180,
    sandbox: options.sandbox,

    async initiate(request: InitiateRequest): Promise<InitiateResult> {
      if (request.currency !== 'KES') return failedInitiate('config_error', `Daraja takes KES, not ${request.currency}`, null);
      if (!KE_MSISDN.test(request.msisdn))
        return failedInitiate('invalid_msisdn', `${request.msisdn} is not a Kenyan mobile number (2547…/2541…)`, null);
      if (request.amountMinor < 100n || request.amountMinor % 100n !== 0n)
        return failedInitiate('config_error', 'Daraja takes whole shillings, at least 1', null);
      if (/\s/.test(request.callbackUrl)) return failedInitiate('config_error', 'CallBackURL must not contain whitespace (§6)', null);
      const timestamp = darajaTimestamp();
      const body = {
        BusinessShortCode: creds.shortcode,
        Password: darajaPassword(creds.shortcode, creds.passkey, timestamp),
        Timestamp: timestamp,
        TransactionType: creds.transactionType,
        Amount: majorUnits(request.amountMinor, 'KES'),
        PartyA: request.msisdn,
        PartyB: partyB,
        PhoneNumber: request.msisdn,
        CallBackURL: request.callbackUrl,
        // ≤ 12 characters, shown on the prompt (§1.2); our reference already fits.
        AccountReference: request.reference.slice(0, 12),
        // Overlong descriptions make the push fail with 1025/9999 (§1.2).
        TransactionDesc: (request.label.trim() || 'Payment').slice(0, 13),
      };
      let res: HttpExchange;
      let raw: unknown[];
      try {
        ({ res, raw } = await post('/mpesa/stkpush/v1/processrequest', body));
      } catch (err) {
        if (err instanceof ProviderAuthError) return failedInitiate(err.reason, err.message, err.raw);
        const exchanges = (err as { exchanges?: unknown }).exchanges ?? null;
        if (err instanceof ProviderHttpError && err.kind === 'timeout') {
          // The push may have gone out: its callback (to the per-payment URL) still settles it.
          return { outcome: 'unknown', providerRef: null, reason: 'timeout', message: err.message, raw: exchanges };
        }
        return failedInitiate('provider_error', (err as Error).message, exchanges);
      }
      const b = (res.body ?? {}) as Record<string, unknown>;
      if (res.status === 200 && String(b.ResponseCode) === '0' && typeof b.CheckoutRequestID === 'string') {
        return {
          outcome: 'pending',
          providerRef: b.CheckoutRequestID,
          message: String(b.CustomerMessage ?? b.ResponseDescription ?? ''),
          raw,
        };
      }
      const err = darajaError(res.body);
      if (err) {
        const message = `${err.errorCode} ${err.errorMessage}`;
        if (isInvalidToken(res)) return failedInitiate('config_error', message, raw);
        if (err.errorCode.startsWith('400.008.')) return failedInitiate('config_error', message, raw);
        if (err.errorCode === '500.001.1001') {
          // Overloaded code (§1.3): wrong Password, unknown merchant/till, or a subscriber lock.
          if (/credential|merchant|till|shortcode|organi[sz]ation/i.test(err.errorMessage))
            return failedInitiate('config_error', message, raw);
          return failedInitiate('busy_retry_later', message, raw);
        }
        if (err.errorCode.startsWith('400.002.')) {
          if (/phone|partya|msisdn/i.test(err.errorMessage)) return failedInitiate('invalid_msisdn', message, raw);
          return failedInitiate('config_error', message, raw);
        }
        return failedInitiate('provider_error', message, raw);
      }
      if (res.status === 200)
        return failedInitiate('provider_error', `ResponseCode ${String(b.ResponseCode)}: ${String(b.ResponseDescription ?? '')}`, raw);
      // An unrecognised 5xx (gateway HTML page…): the push may or may not exist.
      if (res.status >= 500) return { outcome: 'unknown', providerRef: null, reason: 'provider_error', message: `HTTP ${res.status}`, raw };
      return failedInitiate('provider_error', `HTTP ${res.status}`, raw);
    },

    parseCallback(request: CallbackRequest): ParsedCallback {
      const ack = { status: 200, headers: { 'content-type': 'application/json' }, body: ACK };
      const text = request.rawBody.toString('utf8');
      const reject = (why: string, raw: unknown): ParsedCallback => ({
        authentic: false,
        why,
        reference: null,
        providerRef: null,
        outcome: 'unknown',
        needsConfirmation: true,
        ack,
        raw,
      });
      if (creds.enforceCallbackIps && !ipInList(request.remoteIp, creds.callbackIps ?? [])) {
        return reject(`callback from ${request.remoteIp}, not an address DARAJA_CALLBACK_IPS allows`, { from: request.remoteIp });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return reject('body is not JSON', { text: text.slice(0, 2000), contentType: header(request.headers, 'content-type') ?? null });
      }
      const cb = (parsed as { Body?: { stkCallback?: Record<string, unknown> } } | null)?.Body?.stkCallback;
      if (!cb || typeof cb !== 'object' || typeof cb.CheckoutRequestID !== 'string' || cb.ResultCode === undefined) {
        return reject('not an STK Push callback (no Body.stkCallback with CheckoutRequestID and ResultCode)', redact(parsed));
      }
      const { outcome, reason } = mapResultCode(cb.ResultCode);
      const result: ParsedCallback = {
        // Daraja signs nothing: the service authenticates by per-payment URL token + source IP (§1.8).
        authentic: true,
        // AccountReference is not echoed: correlate on CheckoutRequestID (§1.4).
        reference: null,
        providerRef: cb.CheckoutRequestID,
        outcome,
        ...(reason ? { reason } : {}),
        needsConfirmation: true,
        ack,
        raw: redact(parsed),
      };
      // Items are read by Name, never by position; Balance usually has no Value (§1.4).
      const items = (cb.CallbackMetadata as { Item?: unknown } | undefined)?.Item;
      if (Array.isArray(items)) {
        const value = (name: string): unknown =>
          (items.find((i) => i && typeof i === 'object' && (i as { Name?: unknown }).Name === name) as { Value?: unknown } | undefined)
            ?.Value;
        const amount = value('Amount');
        if ((typeof amount === 'number' && Number.isFinite(amount)) || (typeof amount === 'string' && /^\d+(\.\d+)?$/.test(amount))) {
          result.amountMinor = minorUnits(amount, 'KES');
          result.currency = 'KES';
        }
        const receipt = value('MpesaReceiptNumber');
        if (typeof receipt === 'string' && receipt.length > 0) result.receipt = receipt;
        const phone = value('PhoneNumber'); // a JSON number (§1.4)
        if (typeof phone === 'number' || typeof phone === 'string') result.msisdn = String(phone);
      }
      return result;
    },

    async queryStatus(payment): Promise<StatusResult> {
      if (!payment.providerRef) return { outcome: 'unknown', reason: 'unknown', raw: { why: 'no CheckoutRequestID to query' } };
      const timestamp = darajaTimestamp();
      const body = {
        BusinessShortCode: creds.shortcode,
        Password: darajaPassword(creds.shortcode, creds.passkey, timestamp),
        Timestamp: timestamp,
        CheckoutRequestID: payment.providerRef,
      };
      let res: HttpExchange;
      let raw: unknown[];
      try {
        ({ res, raw } = await post('/mpesa/stkpushquery/v1/query', body));
      } catch (err) {
        // A failed lookup says nothing about the payment.
        if (err instanceof ProviderAuthError) return { outcome: 'unknown', reason: err.reason, raw: err.raw };
        return { outcome: 'unknown', reason: 'provider_error', raw: (err as { exchanges?: unknown }).exchanges ?? (err as Error).message };
      }
      const b = (res.body ?? {}) as Record<string, unknown>;
      if (res.status === 200 && b.ResultCode !== undefined) {
        // ResultCode is a string here, a number in the callback; no receipt on this API (§1.5).
        const { outcome, reason } = mapResultCode(b.ResultCode);
        return { outcome, ...(reason ? { reason } : {}), raw };
      }
      const err = darajaError(res.body);
      // "The transaction is being processed": the prompt is still open (§1.5).
      if (err?.errorCode === '500.001.1001' && /being processed|under processing/i.test(err.errorMessage))
        return { outcome: 'pending', raw };
      return {
        outcome: 'unknown',
        reason: err && (isInvalidToken(res) || err.errorCode.startsWith('400.008.')) ? 'config_error' : 'provider_error',
        raw,
      };
    },
  };
}
