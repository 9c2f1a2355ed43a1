// Airtel Money Africa Open API, USSD-push collection (TZ and KE).
// Wire format: ../shared/notes/payments.md §4. OAuth2 client_credentials tokens that live only
// 180 s; X-Country/X-Currency on every call; msisdn WITHOUT the country code; the push ack only
// says the prompt went out (its "id" may be `false`); the callback goes to the URL set on the
// Airtel app (not per request) and carries a "hash" when callback authentication is enabled.
// We use the v1 payment path (no x-signature/x-key message signing).
import {
  envReader,
  failedInitiate,
  httpBaseUrl,
  ipListed,
  namesAnd,
  partlyConfigured,
  ProviderAuthError,
  ProviderConfigError,
  rawOf,
  fetchOAuthToken,
  sameText,
  tokenCache,
  trimSlashes,
} from './common.js';
import { createHmac } from 'node:crypto';
import { httpJson, ProviderHttpError, redact, type HttpExchange } from '../http.js';
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

export type AirtelCountry = 'TZ' | 'KE';

export interface AirtelCredentials {
  /** The API host as configured (AIRTEL_BASE_URL); the provider's own baseUrl option is what it calls. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** One Airtel app serves one country: it sets X-Country, X-Currency and the msisdn format. */
  country: AirtelCountry;
  /** The private key shown on the Airtel portal when callback authentication is on (§4.4, §4.7). */
  callbackKey?: string;
  /** Source addresses Airtel calls back from, where Airtel publishes them (§4.7). */
  callbackIps?: string[];
}

export const AIRTEL_PRODUCTION_URL = 'https://openapi.airtel.africa';

/** The only credentials the local sandbox accepts (test money). It signs its callbacks with callbackKey. */
export const AIRTEL_SANDBOX_CREDENTIALS: AirtelCredentials = {
  baseUrl: 'http://127.0.0.1/sandbox/airtel',
  clientId: 'netflow-sandbox-airtel-client',
  clientSecret: 'netflow-sandbox-airtel-secret-0123456789',
  country: 'TZ',
  callbackKey: 'netflow-sandbox-airtel-callback-key',
};

const CURRENCY: Record<AirtelCountry, 'TZS' | 'KES'> = { TZ: 'TZS', KE: 'KES' };
const COUNTRY_CODE: Record<AirtelCountry, string> = { TZ: '255', KE: '254' };
const REQUIRED_ENV = ['AIRTEL_CLIENT_ID', 'AIRTEL_CLIENT_SECRET', 'AIRTEL_COUNTRY'] as const;
const OPTIONAL_ENV = ['AIRTEL_BASE_URL', 'AIRTEL_CALLBACK_KEY', 'AIRTEL_CALLBACK_IPS'] as const;

export function airtelCredentialsFromEnv(env: NodeJS.ProcessEnv): AirtelCredentials | null {
  const { get: value, anySet, firstMissing, list } = envReader(env);
  if (!anySet([...REQUIRED_ENV, ...OPTIONAL_ENV])) return null;
  const missing = firstMissing(REQUIRED_ENV);
  if (missing) throw partlyConfigured('Airtel Money', missing, `set ${namesAnd(REQUIRED_ENV)} together, or none of them`);
  const country = value('AIRTEL_COUNTRY')!.toUpperCase();
  if (country !== 'TZ' && country !== 'KE')
    throw new ProviderConfigError(`AIRTEL_COUNTRY must be TZ or KE, not ${value('AIRTEL_COUNTRY')}`);
  const baseUrl = httpBaseUrl('AIRTEL_BASE_URL', value('AIRTEL_BASE_URL') ?? AIRTEL_PRODUCTION_URL);
  const ips = list('AIRTEL_CALLBACK_IPS');
  return {
    baseUrl,
    clientId: value('AIRTEL_CLIENT_ID')!,
    clientSecret: value('AIRTEL_CLIENT_SECRET')!,
    country,
    ...(value('AIRTEL_CALLBACK_KEY') ? { callbackKey: value('AIRTEL_CALLBACK_KEY') } : {}),
    ...(ips?.length ? { callbackIps: ips } : {}),
  };
}

/** Sandbox only: the fake Airtel takes the per-payment callback URL from this header (see initiate). */
export const AIRTEL_SANDBOX_CALLBACK_HEADER = 'x-netflow-sandbox-callback';

/** Push/status failure codes (§4.6 plus the fuller public transcriptions of DP008000010xx). */
const RESPONSE_CODE_REASON: Record<string, FailureReason> = {
  DP00800001002: 'wrong_pin',
  DP00800001003: 'provider_error', // wallet limit exceeded
  DP00800001004: 'provider_error', // amount below the minimum
  DP00800001005: 'timeout', // the guest never entered the PIN
  DP00800001007: 'insufficient_funds',
  DP00800001008: 'cancelled', // refused by the subscriber
  DP00800001010: 'push_failed', // party barred / not on Airtel Money
  DP00800001024: 'timeout',
  DP00800001026: 'config_error', // x-signature mismatch
  DP00800001029: 'timeout', // expired
};

/** The callback carries only a message, so its words are all we have for the reason. */
function reasonFromMessage(message: string): FailureReason | undefined {
  const m = message.toLowerCase();
  if (/insufficient|not enough|low balance/.test(m)) return 'insufficient_funds';
  if (/did ?n[o']?t enter|no pin/.test(m)) return 'timeout';
  if (/pin/.test(m)) return 'wrong_pin';
  if (/unreachable|not reachable|switched off|absent subscriber/.test(m)) return 'unreachable';
  if (/cancel|refused|declined|rejected/.test(m)) return 'cancelled';
  if (/timed? ?out|expired/.test(m)) return 'timeout';
  if (/in progress|try again later|already/.test(m)) return 'busy_retry_later';
  return undefined;
}

/** TS/TF/TIP/TA/TE drive the state (§4.5); the response code or message only names the reason. */
function airtelOutcome(status: unknown, responseCode: unknown, message: string): { outcome: Outcome; reason?: FailureReason } {
  const code = typeof responseCode === 'string' ? responseCode : '';
  switch (typeof status === 'string' ? status.toUpperCase() : '') {
    case 'TS':
      return { outcome: 'succeeded' };
    case 'TIP':
    case 'TA':
      return { outcome: 'pending' };
    case 'TE':
      return { outcome: 'failed', reason: 'timeout' };
    case 'TF':
      return { outcome: 'failed', reason: RESPONSE_CODE_REASON[code] ?? reasonFromMessage(message) ?? 'unknown' };
    default:
      return { outcome: 'unknown', reason: 'unknown' };
  }
}

/** "Paid TZS 1,000 to …" (§4.4): the only place an Airtel callback states the amount. */
function amountFromMessage(message: string, currency: 'TZS' | 'KES'): bigint | undefined {
  const m = new RegExp(`\\bpaid\\s+${currency}\\s*([\\d,]+(?:\\.\\d{1,2})?)\\b`, 'i').exec(message);
  return m ? minorUnits(m[1].replace(/,/g, ''), currency) : undefined;
}

interface AirtelStatus {
  code?: string;
  message?: string;
  result_code?: string;
  response_code?: string;
  success?: boolean;
}

const PLAIN_ACK = { status: 200, body: '' };

export function createAirtelProvider(options: {
  baseUrl: string;
  credentials: AirtelCredentials;
  sandbox: boolean;
  timeoutMs?: number;
}): PaymentProvider {
  const base = trimSlashes(options.baseUrl);
  const cred = options.credentials;
  const currency = CURRENCY[cred.country];
  const timeoutMs = options.timeoutMs ?? 15_000;

  function fetchToken() {
    const body = { client_id: cred.clientId, client_secret: cred.clientSecret, grant_type: 'client_credentials' };
    return fetchOAuthToken({
      url: `${base}/auth/oauth2/token`,
      body,
      logBody: redact(body),
      timeoutMs,
      // expires_in arrives as a string ("180"); refresh 30 s early (§4.1, §7).
      lifeSeconds: 180,
      marginSeconds: 30,
      refusedReason: (status) => (status === 400 || status === 401 || status === 403 ? 'config_error' : 'provider_error'),
    });
  }

  /** One token for everyone, one refresh at a time. */
  const tokens = tokenCache(fetchToken);

  /** An API call with the token; a 401 (revoked or early-expired token) gets one fresh try. */
  async function call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    extra: Record<string, string> = {},
  ): Promise<{ ex: HttpExchange; raw: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const bearer = await tokens.token();
      const headers = { authorization: `Bearer ${bearer}`, 'x-country': cred.country, 'x-currency': currency, ...extra };
      const url = base + path;
      const request = { method, url, headers: redact(headers), body };
      let ex: HttpExchange;
      try {
        ex = await httpJson({ method, url, headers, body, timeoutMs });
      } catch (err) {
        (err as Error & { raw?: unknown }).raw = { request, error: (err as Error).message };
        throw err;
      }
      if (ex.status === 401 && attempt === 0) {
        tokens.forget(bearer);
        continue;
      }
      return { ex, raw: { request, response: { status: ex.status, body: ex.body } } };
    }
  }

  return {
    id: 'airtel',
    displayName: 'Airtel Money',
    // One Airtel app is one country: offering the other currency would route payments it must refuse.
    currencies: [currency],
    networks: ['airtel'],
    signedCallbacks: Boolean(cred.callbackKey),
    // Production calls back to the URL set on the Airtel app (no per-payment token); the local
    // sandbox is handed the per-payment URL.
    callbackUrlPerPayment: options.sandbox,
    ...(!options.sandbox && cred.callbackIps?.length ? { callbackAddressList: 'AIRTEL_CALLBACK_IPS' } : {}),
    // §4.5/§7: TIP/TA are not final for ~3 minutes; the callback normally comes well before.
    minPollDelaySeconds: 180,
    expirySeconds: 300,
    sandbox: options.sandbox,

    async initiate(req: InitiateRequest): Promise<InitiateResult> {
      if (req.currency !== currency) {
        return failedInitiate('config_error', `this Airtel app is for ${cred.country} (${currency}), not ${req.currency}`, null);
      }
      const cc = COUNTRY_CODE[cred.country];
      if (req.network !== 'airtel' || !new RegExp(`^${cc}\\d{9}$`).test(req.msisdn)) {
        return failedInitiate('invalid_msisdn', `not an Airtel ${cred.country} number: ${req.msisdn} (${req.network})`, null);
      }
      const body = {
        reference: req.label,
        // "Do not send country code in msisdn" (§4.2, §9): X-Country carries it.
        subscriber: { country: cred.country, currency, msisdn: req.msisdn.slice(cc.length) },
        transaction: { amount: majorUnits(req.amountMinor, currency), country: cred.country, currency, id: req.reference },
      };
      // Airtel calls back to the one URL set on the app, so production callbacks never carry our
      // per-payment token. The local sandbox has no app settings: only there we hand it the URL.
      const extra: Record<string, string> = options.sandbox ? { [AIRTEL_SANDBOX_CALLBACK_HEADER]: req.callbackUrl } : {};
      let res: { ex: HttpExchange; raw: unknown };
      try {
        res = await call('POST', '/merchant/v1/payments/', body, extra);
      } catch (err) {
        if (err instanceof ProviderAuthError) return failedInitiate(err.reason, err.message, err.raw);
        const timeout = err instanceof ProviderHttpError && err.kind === 'timeout';
        return {
          outcome: 'unknown',
          providerRef: null,
          reason: timeout ? 'timeout' : 'provider_error',
          message: (err as Error).message,
          raw: rawOf(err),
        };
      }
      const { ex, raw } = res;
      const st = ((ex.body as { status?: AirtelStatus } | null)?.status ?? {}) as AirtelStatus;
      // The ack's data.transaction.id may be `false` (§4.3): Airtel's own id comes with the result.
      if (ex.status === 401 || ex.status === 403) return failedInitiate('config_error', st.message ?? `HTTP ${ex.status}`, raw);
      if (ex.status >= 500) return { outcome: 'unknown', providerRef: null, reason: 'provider_error', message: `HTTP ${ex.status}`, raw };
      if (ex.status === 200 && st.success === true) return { outcome: 'pending', providerRef: null, message: st.message, raw };
      if (st.success === false || (ex.status >= 400 && ex.status < 500)) {
        const m = st.message ?? '';
        const reason: FailureReason =
          RESPONSE_CODE_REASON[st.response_code ?? ''] ??
          (/duplicate|already exists/i.test(m)
            ? 'duplicate'
            : /msisdn|country code/i.test(m)
              ? 'invalid_msisdn'
              : (reasonFromMessage(m) ?? 'push_failed'));
        return failedInitiate(reason, m || `HTTP ${ex.status}`, raw);
      }
      return { outcome: 'unknown', providerRef: null, reason: 'unknown', message: st.message ?? `HTTP ${ex.status}`, raw };
    },

    parseCallback(req: CallbackRequest): ParsedCallback {
      const text = req.rawBody.toString('utf8');
      const reject = (why: string, raw: unknown, reference: string | null = null): ParsedCallback => ({
        authentic: false,
        why,
        reference,
        providerRef: null,
        outcome: 'unknown',
        needsConfirmation: true,
        ack: PLAIN_ACK,
        raw,
      });
      let body: { transaction?: Record<string, unknown>; hash?: unknown };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return reject('callback body is not JSON', text.slice(0, 2000));
      }
      const tx = body && typeof body === 'object' ? body.transaction : undefined;
      if (!tx || typeof tx !== 'object' || Array.isArray(tx)) return reject('callback has no transaction object', body);
      const reference = typeof tx.id === 'string' ? tx.id : null;
      if (cred.callbackIps?.length && !ipListed(cred.callbackIps, req.remoteIp)) {
        return reject(`callback from ${req.remoteIp}, not an allowed Airtel address`, body, reference);
      }
      let verified = false;
      if (cred.callbackKey) {
        // hash = base64(HMAC-SHA256(key, transaction payload)) (§4.4; which bytes are signed is
        // [verify]: we take the compact JSON of the transaction object as received, key order kept).
        if (typeof body.hash !== 'string' || !body.hash)
          return reject('callback has no hash but callback authentication is configured', body, reference);
        const expected = createHmac('sha256', cred.callbackKey).update(JSON.stringify(tx), 'utf8').digest('base64');
        if (!sameText(expected, body.hash)) return reject('callback hash does not match (wrong key or altered body)', body, reference);
        verified = true;
      }
      const message = typeof tx.message === 'string' ? tx.message : '';
      const { outcome, reason } = airtelOutcome(tx.status_code, undefined, message);
      const moneyId = typeof tx.airtel_money_id === 'string' && tx.airtel_money_id ? tx.airtel_money_id : null;
      const amountMinor = outcome === 'succeeded' ? amountFromMessage(message, currency) : undefined;
      return {
        authentic: true,
        why: verified ? undefined : 'callback is unsigned (no callback key configured): confirm by status query',
        reference,
        providerRef: moneyId,
        outcome,
        reason,
        receipt: outcome === 'succeeded' ? (moneyId ?? undefined) : undefined,
        amountMinor,
        currency: amountMinor !== undefined ? currency : undefined,
        needsConfirmation: !verified,
        ack: PLAIN_ACK,
        raw: { ...body, hash: body.hash === undefined ? undefined : '[redacted]' },
      };
    },

    async queryStatus(payment): Promise<StatusResult> {
      let res: { ex: HttpExchange; raw: unknown };
      try {
        res = await call('GET', `/standard/v1/payments/${encodeURIComponent(payment.reference)}`, undefined);
      } catch (err) {
        if (err instanceof ProviderAuthError) return { outcome: 'unknown', reason: err.reason, raw: err.raw };
        return { outcome: 'unknown', reason: 'provider_error', raw: rawOf(err) };
      }
      const { ex, raw } = res;
      const b = (ex.body ?? {}) as { data?: { transaction?: Record<string, unknown> }; status?: AirtelStatus };
      if (ex.status === 401 || ex.status === 403) return { outcome: 'unknown', reason: 'config_error', raw };
      const tx = b.data?.transaction;
      if (ex.status !== 200 || !tx || b.status?.success === false) return { outcome: 'unknown', reason: 'provider_error', raw };
      const { outcome, reason } = airtelOutcome(tx.status, b.status?.response_code, typeof tx.message === 'string' ? tx.message : '');
      const moneyId = typeof tx.airtel_money_id === 'string' && tx.airtel_money_id ? tx.airtel_money_id : undefined;
      return { outcome, reason, receipt: outcome === 'succeeded' ? moneyId : undefined, raw };
    },
  };
}
