// Vodacom Tanzania M-Pesa OpenAPI (Vodafone IPG) adapter: RSA-encrypted API key → session →
// C2B single stage, which answers synchronously with the payment's result, and
// queryTransactionStatus. Wire formats, quirks and codes: ../shared/notes/payments.md §2, §6, §9.
// There is no callback on this API; the adapter stores nothing and returns `raw` (redacted).
import {
  callWithToken,
  envReader,
  failedInitiate,
  httpBaseUrl,
  notSet,
  ProviderAuthError,
  ProviderConfigError,
  tokenCache,
  trimSlashes,
} from './common.js';
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { httpJson, ProviderHttpError, redact, type HttpExchange } from '../http.js';
import {
  majorUnits,
  type CallbackRequest,
  type FailureReason,
  type InitiateRequest,
  type InitiateResult,
  type Outcome,
  type ParsedCallback,
  type PaymentProvider,
  type StatusResult,
} from '../provider.js';

export interface VodacomTzCredentials {
  /** The API key from the OpenAPI portal (never sent in clear: RSA-encrypted per request). */
  apiKey: string;
  /** The portal's RSA public key: PEM, or the bare base64 the portal displays. */
  publicKey: string;
  /** input_ServiceProviderCode: the merchant's shortcode. */
  serviceProviderCode: string;
  /** API host, default https://openapi.m-pesa.com (the registry passes it to createVodacomTzProvider). */
  baseUrl: string;
  /** Market path: /openapi/ipg/v2/vodacomTZN (production) or /sandbox/ipg/v2/vodacomTZN (Vodacom's test system). */
  apiPath: string;
  /** The Origin header every call carries (§2); the portal examples use "*". */
  origin: string;
  /** A new session takes up to ~30 s to become active (§2.1); we wait this long before first use. */
  sessionActivationSeconds: number;
}

export const VODACOM_TZ_PRODUCTION_URL = 'https://openapi.m-pesa.com';
export const VODACOM_TZ_PRODUCTION_PATH = '/openapi/ipg/v2/vodacomTZN';

/**
 * The RSA keypair of NetFlow's local Vodacom sandbox: generated once per process, lazily (never in
 * production unless the sandbox is used). It lives here rather than in sandbox/ so that
 * VODACOM_TZ_SANDBOX_CREDENTIALS can carry the public key while providers/ never imports sandbox/;
 * src/payments/sandbox/vodacom-tz.ts imports the private half. It protects nothing but test money.
 */
let sandboxKeys: { privateKey: KeyObject; publicKey: string } | null = null;

export function vodacomTzSandboxKeyPair(): { privateKey: KeyObject; publicKey: string } {
  if (!sandboxKeys) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // Handed out as the portal shows keys: bare base64 of the SubjectPublicKeyInfo DER.
    sandboxKeys = { privateKey: pair.privateKey, publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
  }
  return sandboxKeys;
}

/** The only credentials NetFlow's local Vodacom sandbox accepts (invented values; the key is generated per process). */
export const VODACOM_TZ_SANDBOX_CREDENTIALS: VodacomTzCredentials = Object.freeze({
  apiKey: 'nfSandboxVodacomApiKey3hT8qPz1Rk6w',
  get publicKey(): string {
    return vodacomTzSandboxKeyPair().publicKey;
  },
  serviceProviderCode: '000000',
  // Relative to NetFlow's own URL: the registry passes the absolute sandbox URL as `baseUrl`.
  baseUrl: '/sandbox/vodacom_tz',
  apiPath: '/sandbox/ipg/v2/vodacomTZN',
  origin: '*',
  sessionActivationSeconds: 0,
});

const ENV = {
  apiKey: 'VODACOM_TZ_API_KEY',
  publicKey: 'VODACOM_TZ_PUBLIC_KEY',
  publicKeyFile: 'VODACOM_TZ_PUBLIC_KEY_FILE',
  code: 'VODACOM_TZ_SERVICE_PROVIDER_CODE',
  baseUrl: 'VODACOM_TZ_BASE_URL',
  apiPath: 'VODACOM_TZ_API_PATH',
  origin: 'VODACOM_TZ_ORIGIN',
  activation: 'VODACOM_TZ_SESSION_ACTIVATION_SECONDS',
} as const;

/**
 * Credentials from VODACOM_TZ_* variables: null when none is set; an Error naming the first
 * problem when the set is incomplete or invalid. The key comes from VODACOM_TZ_PUBLIC_KEY (PEM or
 * bare base64) or VODACOM_TZ_PUBLIC_KEY_FILE (a path).
 */
export function vodacomTzCredentialsFromEnv(env: NodeJS.ProcessEnv): VodacomTzCredentials | null {
  const { get, anySet } = envReader(env);
  if (!anySet(Object.values(ENV))) return null;
  const apiKey = get(ENV.apiKey);
  if (apiKey === undefined) throw notSet(ENV.apiKey, 'Vodacom TZ needs it once any VODACOM_TZ_ variable is set');
  let publicKey = get(ENV.publicKey);
  const keyFile = get(ENV.publicKeyFile);
  if (publicKey !== undefined && keyFile !== undefined)
    throw new ProviderConfigError(`set only one of ${ENV.publicKey} and ${ENV.publicKeyFile}`);
  if (publicKey === undefined && keyFile !== undefined) {
    try {
      publicKey = readFileSync(keyFile, 'utf8').trim();
    } catch (err) {
      throw new ProviderConfigError(
        `${ENV.publicKeyFile}: cannot read ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  if (publicKey === undefined) throw notSet(`${ENV.publicKey} (or ${ENV.publicKeyFile})`, "Vodacom TZ needs the portal's public key");
  try {
    parsePublicKey(publicKey);
  } catch (err) {
    throw new ProviderConfigError(
      `${keyFile !== undefined ? ENV.publicKeyFile : ENV.publicKey} is not a usable RSA public key: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const serviceProviderCode = get(ENV.code);
  if (serviceProviderCode === undefined) throw notSet(ENV.code, 'Vodacom TZ needs the merchant shortcode');
  if (!/^\d{4,10}$/.test(serviceProviderCode)) throw new ProviderConfigError(`${ENV.code} must be numeric, got "${serviceProviderCode}"`);
  const baseUrl = httpBaseUrl(ENV.baseUrl, get(ENV.baseUrl) ?? VODACOM_TZ_PRODUCTION_URL);
  const apiPath = get(ENV.apiPath) ?? VODACOM_TZ_PRODUCTION_PATH;
  if (!/^\/[A-Za-z0-9/_-]+$/.test(apiPath))
    throw new ProviderConfigError(`${ENV.apiPath} must be a path such as ${VODACOM_TZ_PRODUCTION_PATH}, got "${apiPath}"`);
  const activationText = get(ENV.activation);
  const activation = activationText === undefined ? 30 : Number(activationText);
  if (!Number.isFinite(activation) || activation < 0 || activation > 300)
    throw new ProviderConfigError(`${ENV.activation} must be a number of seconds between 0 and 300, got "${activationText}"`);
  return {
    apiKey,
    publicKey,
    serviceProviderCode,
    baseUrl,
    apiPath: trimSlashes(apiPath),
    origin: get(ENV.origin) ?? '*',
    sessionActivationSeconds: activation,
  };
}

/** The portal shows the key as bare base64 (SubjectPublicKeyInfo DER); accept that or PEM. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  const pem = trimmed.includes('-----BEGIN')
    ? trimmed
    : `-----BEGIN PUBLIC KEY-----\n${(trimmed.replace(/\s+/g, '').match(/.{1,64}/g) ?? []).join('\n')}\n-----END PUBLIC KEY-----\n`;
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`expected an RSA key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** RSA-encrypt with PKCS#1 v1.5 padding and base64, as the OpenAPI expects its Bearer (§2.1). */
export function vodacomBearer(key: KeyObject, value: string): string {
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(value, 'utf8')).toString('base64');
}

// ---------------------------------------------------------------------------------------------

/** TZ mobile numbers, 255 + 9 digits (§9); the number's network is the guest's choice, not ours. */
const TZ_MSISDN = /^255(6[125-9]|7[13-9])\d{7}$/;
/** Sessions are rotated on INS-2/401 anyway; also proactively after this long [verify]. */
const SESSION_MAX_AGE_MS = 50 * 60_000;

/** C2B answer codes (§2.5). Unlisted codes and an empty code are 'unknown', never auto-failed. */
const C2B_CODES: Record<string, { outcome: Outcome; reason?: FailureReason }> = {
  'INS-0': { outcome: 'succeeded' },
  // "Internal error": sometimes really insufficient funds (§2.5), sometimes a payment that went
  // through; let the status query decide.
  'INS-1': { outcome: 'unknown', reason: 'provider_error' },
  'INS-2': { outcome: 'failed', reason: 'config_error' },
  'INS-4': { outcome: 'failed', reason: 'config_error' },
  'INS-5': { outcome: 'failed', reason: 'cancelled' },
  'INS-6': { outcome: 'failed', reason: 'provider_error' },
  // The gateway gave up waiting; the customer's debit may still complete (§6): re-query.
  'INS-9': { outcome: 'unknown', reason: 'timeout' },
  'INS-10': { outcome: 'failed', reason: 'duplicate' },
  'INS-13': { outcome: 'failed', reason: 'config_error' },
  'INS-14': { outcome: 'failed', reason: 'provider_error' },
  'INS-15': { outcome: 'failed', reason: 'provider_error' },
  'INS-16': { outcome: 'failed', reason: 'busy_retry_later' },
  'INS-17': { outcome: 'failed', reason: 'provider_error' },
  'INS-20': { outcome: 'failed', reason: 'provider_error' },
  'INS-21': { outcome: 'failed', reason: 'provider_error' },
  // In C2B the customer is the initiator: a wrong PIN [verify].
  'INS-2001': { outcome: 'failed', reason: 'wrong_pin' },
  'INS-2006': { outcome: 'failed', reason: 'insufficient_funds' },
  'INS-2051': { outcome: 'failed', reason: 'invalid_msisdn' },
};

/** output_ResponseTransactionStatus of a found transaction (§2.4) [obs]. */
function mapTransactionStatus(status: string): { outcome: Outcome; reason?: FailureReason } {
  switch (status.toLowerCase().replace(/[^a-z]/g, '')) {
    case 'completed':
    case 'success':
    case 'successful':
      return { outcome: 'succeeded' };
    case 'cancelled':
    case 'canceled':
      return { outcome: 'failed', reason: 'cancelled' };
    case 'expired':
    case 'timeout':
    case 'timedout':
      return { outcome: 'failed', reason: 'timeout' };
    case 'failed':
    case 'declined':
    case 'rejected':
    case 'reversed':
      return { outcome: 'failed', reason: 'provider_error' };
    case 'pending':
    case 'initiated':
    case 'inprogress':
    case 'processing':
      return { outcome: 'pending' };
    default:
      return { outcome: 'unknown', reason: 'unknown' };
  }
}

function output(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

function responseCode(res: HttpExchange): string {
  const code = output(res.body).output_ResponseCode;
  return typeof code === 'string' ? code.trim() : '';
}

/** The session id is a bearer secret; http.ts's redact() does not catch "output_SessionID". */
function redactSession(body: unknown): unknown {
  const r = redact(body);
  if (r && typeof r === 'object' && 'output_SessionID' in r) return { ...(r as Record<string, unknown>), output_SessionID: '[redacted]' };
  return r;
}

export function createVodacomTzProvider(options: {
  baseUrl: string;
  credentials: VodacomTzCredentials;
  sandbox: boolean;
  timeoutMs?: number;
}): PaymentProvider {
  const creds = options.credentials;
  const root = `${trimSlashes(options.baseUrl)}${trimSlashes(creds.apiPath)}`;
  // C2B blocks until the customer answers: the notes advise 90–120 s (§2.3).
  const timeoutMs = options.timeoutMs ?? 110_000;
  const controlTimeoutMs = Math.min(timeoutMs, 30_000);
  const activationMs = Math.max(0, creds.sessionActivationSeconds) * 1000;
  let key: KeyObject | null = null;

  function publicKey(): KeyObject {
    if (!key) {
      try {
        key = parsePublicKey(creds.publicKey);
      } catch (err) {
        throw new ProviderAuthError(
          `the configured public key is unusable: ${(err as Error).message.split('\n')[0]}`,
          'config_error',
          null,
        );
      }
    }
    return key;
  }

  const headers = (bearer: string): Record<string, string> => ({ authorization: `Bearer ${bearer}`, origin: creds.origin });

  async function openSession(): Promise<{ token: string; refreshAt: number }> {
    const url = `${root}/getSession/`;
    const bearer = vodacomBearer(publicKey(), creds.apiKey);
    let res: HttpExchange;
    try {
      res = await httpJson({ method: 'GET', url, headers: headers(bearer), timeoutMs: controlTimeoutMs });
    } catch (err) {
      throw new ProviderAuthError(`getSession failed: ${(err as Error).message}`, 'provider_error', {
        request: { method: 'GET', url },
        error: (err as Error).message,
      });
    }
    const raw = { request: { method: 'GET', url }, response: { status: res.status, body: redactSession(res.body) } };
    const out = output(res.body);
    if (responseCode(res) === 'INS-0' && typeof out.output_SessionID === 'string' && out.output_SessionID.length > 0) {
      // A session is used for SESSION_MAX_AGE_MS from its creation, then replaced.
      const s = { token: out.output_SessionID, refreshAt: Date.now() + SESSION_MAX_AGE_MS };
      // Keep it warm rather than racing its activation (§2.1).
      if (activationMs > 0) await new Promise((r) => setTimeout(r, activationMs));
      return s;
    }
    const code = responseCode(res);
    const config = code === 'INS-2' || code === 'INS-4' || res.status === 401 || res.status === 403;
    throw new ProviderAuthError(
      `getSession rejected: ${code || `HTTP ${res.status}`} ${String(out.output_ResponseDesc ?? '')}`.trim(),
      config ? 'config_error' : 'provider_error',
      raw,
    );
  }

  /** One cached session per provider instance; concurrent callers share one getSession (single flight). */
  const sessions = tokenCache(openSession);

  /** True when the gateway refused our session (rotate it, §2.6). INS-5/INS-6 also come as HTTP 401. */
  function sessionRejected(res: HttpExchange): boolean {
    const code = responseCode(res);
    return code === 'INS-2' || (res.status === 401 && code === '');
  }

  /** One call with the session as Bearer; a refused session is replaced once and the call retried. */
  function call(request: {
    method: 'GET' | 'POST';
    path: string;
    query?: Record<string, string>;
    body?: Record<string, unknown>;
    timeoutMs: number;
  }): Promise<{ res: HttpExchange; raw: unknown[] }> {
    const url = `${root}${request.path}${request.query ? `?${new URLSearchParams(request.query).toString()}` : ''}`;
    return callWithToken(
      sessions,
      { method: request.method, url, ...(request.body ? { body: redact(request.body) } : {}) },
      (sessionId) =>
        httpJson({
          method: request.method,
          url,
          headers: headers(vodacomBearer(publicKey(), sessionId)),
          body: request.body,
          timeoutMs: request.timeoutMs,
        }),
      // Nothing happened on a refused session, so retrying the same call is safe.
      sessionRejected,
    );
  }

  return {
    id: 'vodacom_tz',
    displayName: 'M-Pesa (Vodacom)',
    currencies: ['TZS'],
    networks: ['vodacom'],
    signedCallbacks: false,
    // Only payments left 'unknown' (client timeout, INS-1, INS-9) are polled.
    minPollDelaySeconds: 30,
    expirySeconds: 300,
    sandbox: options.sandbox,

    async initiate(request: InitiateRequest): Promise<InitiateResult> {
      if (request.currency !== 'TZS') return failedInitiate('config_error', `Vodacom TZ takes TZS, not ${request.currency}`, null);
      if (!TZ_MSISDN.test(request.msisdn))
        return failedInitiate('invalid_msisdn', `${request.msisdn} is not a Tanzanian mobile number (255…)`, null);
      if (request.amountMinor < 100n || request.amountMinor % 100n !== 0n)
        return failedInitiate('config_error', 'Vodacom TZ takes whole shillings, at least 1', null);
      // Whitespace in the reference gives INS-1 (§2.2); ours is [A-Z0-9], but say so clearly.
      if (!/^[A-Za-z0-9]{1,20}$/.test(request.reference))
        return failedInitiate('config_error', `reference "${request.reference}" must be 1–20 letters/digits`, null);
      const body = {
        input_Amount: String(majorUnits(request.amountMinor, 'TZS')),
        input_Country: 'TZN',
        input_Currency: 'TZS',
        input_CustomerMSISDN: request.msisdn,
        input_ServiceProviderCode: creds.serviceProviderCode,
        // Unique per attempt and re-derivable by queryStatus (which only gets the reference):
        // our per-attempt reference. Reusing it gives INS-10 (§6), our idempotency guard.
        input_ThirdPartyConversationID: request.reference,
        input_TransactionReference: request.reference,
        input_PurchasedItemsDesc: (request.label.trim() || 'Payment').replace(/\s+/g, ' ').slice(0, 64),
      };
      let res: HttpExchange;
      let raw: unknown[];
      try {
        ({ res, raw } = await call({ method: 'POST', path: '/c2bPayment/singleStage/', body, timeoutMs }));
      } catch (err) {
        if (err instanceof ProviderAuthError) return failedInitiate(err.reason, err.message, err.raw);
        const exchanges = (err as { exchanges?: unknown }).exchanges ?? null;
        if (err instanceof ProviderHttpError) {
          // The call blocks until the PIN is entered: our giving up (or the connection dropping
          // mid-wait) does not mean the payment failed (§2.3, §6). The status job re-queries.
          return {
            outcome: 'unknown',
            providerRef: null,
            reason: err.kind === 'timeout' ? 'timeout' : 'provider_error',
            message: err.message,
            raw: exchanges,
          };
        }
        // Anything else failed before a request left (e.g. encrypting the Bearer).
        return failedInitiate('provider_error', (err as Error).message, exchanges);
      }
      const out = output(res.body);
      const code = responseCode(res);
      // Classify by output_ResponseCode, not HTTP status (§2.5).
      const mapped = C2B_CODES[code] ?? { outcome: 'unknown' as const, reason: 'unknown' as const };
      const transactionId =
        typeof out.output_TransactionID === 'string' && out.output_TransactionID.length > 0 ? out.output_TransactionID : null;
      const message = `${code || `HTTP ${res.status}`} ${String(out.output_ResponseDesc ?? '')}`.trim();
      return {
        outcome: mapped.outcome,
        providerRef: mapped.outcome === 'succeeded' ? transactionId : null,
        ...(mapped.reason ? { reason: mapped.reason } : {}),
        message,
        raw,
      };
    },

    parseCallback(request: CallbackRequest): ParsedCallback {
      // C2B single stage answers synchronously and has no callback (§2.3): whatever arrives here
      // was not sent by Vodacom and must never change a payment.
      let raw: unknown;
      const text = request.rawBody.toString('utf8');
      try {
        raw = redact(JSON.parse(text));
      } catch {
        raw = { text: text.slice(0, 2000) };
      }
      return {
        authentic: false,
        why: 'Vodacom TZ OpenAPI C2B has no callback; results come from the synchronous answer or the status query',
        reference: null,
        providerRef: null,
        outcome: 'unknown',
        needsConfirmation: true,
        ack: { status: 200, body: '' },
        raw,
      };
    },

    async queryStatus(payment): Promise<StatusResult> {
      const query = {
        // Their TransactionID when we have it, otherwise our ThirdPartyConversationID (§2.4).
        input_QueryReference: payment.providerRef ?? payment.reference,
        input_ServiceProviderCode: creds.serviceProviderCode,
        input_ThirdPartyConversationID: randomUUID().replace(/-/g, ''),
        input_Country: 'TZN',
      };
      let res: HttpExchange;
      let raw: unknown[];
      try {
        ({ res, raw } = await call({ method: 'GET', path: '/queryTransactionStatus/', query, timeoutMs: controlTimeoutMs }));
      } catch (err) {
        // A failed lookup says nothing about the payment.
        if (err instanceof ProviderAuthError) return { outcome: 'unknown', reason: err.reason, raw: err.raw };
        return { outcome: 'unknown', reason: 'provider_error', raw: (err as { exchanges?: unknown }).exchanges ?? (err as Error).message };
      }
      const out = output(res.body);
      const code = responseCode(res);
      if (code === 'INS-0') {
        const status = typeof out.output_ResponseTransactionStatus === 'string' ? out.output_ResponseTransactionStatus : '';
        const { outcome, reason } = mapTransactionStatus(status);
        const id = [out.output_TransactionID, out.output_OriginalTransactionID, payment.providerRef].find(
          (v): v is string => typeof v === 'string' && v.length > 0 && v.toUpperCase() !== 'N/A',
        );
        return { outcome, ...(reason ? { reason } : {}), ...(outcome === 'succeeded' && id ? { receipt: id } : {}), raw };
      }
      // INS-23 "unknown status" shows up before a transaction is indexed [obs]: not yet known.
      if (code === 'INS-23') return { outcome: 'pending', raw };
      return { outcome: 'unknown', reason: code === 'INS-2' || code === 'INS-13' ? 'config_error' : 'provider_error', raw };
    },
  };
}
