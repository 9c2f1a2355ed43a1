// Yas Tanzania (ex-Tigo Pesa, wallet "Mixx by Yas") push bill-pay.
// Wire format: ../shared/notes/payments.md §3. A password-grant token from the partner's
// "<PARTNER>2DM-GetToken" URL, a JSON push to "<PARTNER>2DM-PushBillpay", an acknowledgement
// only, then an unsigned callback to the URL registered with Yas ({Status, Description,
// MFSTransactionID, ReferenceID, Amount-as-a-string}) that must be answered with BILLER-30 JSON.
// Yas offers no status query (§3.5): an unconfirmed push stays unknown until reconciliation.
import {
  envReader,
  failedInitiate,
  httpUrl,
  ipListed,
  partlyConfigured,
  type ProviderAuthError,
  ProviderConfigError,
  fetchOAuthToken,
  tokenCache,
  trimSlashes,
} from './common.js';
import { httpJson, ProviderHttpError, redact, type HttpExchange } from '../http.js';
import {
  majorUnits,
  minorUnits,
  type CallbackRequest,
  type FailureReason,
  type InitiateRequest,
  type InitiateResult,
  type ParsedCallback,
  type PaymentProvider,
  type StatusResult,
} from '../provider.js';

export interface YasTzCredentials {
  /** Origin of the per-partner URLs Yas issued (e.g. https://accessgw….tigo.co.tz:8443). */
  baseUrl: string;
  /** Path of the token URL, e.g. /NETFLOW2DM-GetToken. */
  tokenPath: string;
  /** Path of the push bill-pay URL, e.g. /NETFLOW2DM-PushBillpay. */
  pushPath: string;
  username: string;
  password: string;
  /** Our biller (merchant) wallet number, 255…. */
  billerMsisdn: string;
  /** When set, prefixed to ReferenceID (whether Yas requires it is [verify], §3.2). */
  billerCode?: string;
  /**
   * Addresses Yas calls back from (its gateway or the VPN end). Callbacks are unsigned (§3.6):
   * with a matching address a success is accepted, since there is no status query to confirm it.
   */
  callbackIps?: string[];
}

/** The only credentials the local sandbox accepts (test money). */
export const YAS_TZ_SANDBOX_CREDENTIALS: YasTzCredentials = {
  baseUrl: 'http://127.0.0.1/sandbox/yas_tz',
  tokenPath: '/NETFLOW2DM-GetToken',
  pushPath: '/NETFLOW2DM-PushBillpay',
  username: 'NETFLOW',
  password: 'netflow-sandbox-yas-password',
  billerMsisdn: '255650000999',
  billerCode: 'NFW',
  // The sandbox calls back from this machine.
  callbackIps: ['127.0.0.1', '::1'],
};

/** Sandbox only: the fake Yas takes the per-payment callback URL from this header (see initiate). */
export const YAS_TZ_SANDBOX_CALLBACK_HEADER = 'x-netflow-sandbox-callback';

// YAS_TZ_CALLBACK_IPS is required: Yas has no status query and calls one registered URL, so the
// source address is the only thing that can vouch for a callback (without it no payment settles).
const REQUIRED_ENV = [
  'YAS_TZ_USERNAME',
  'YAS_TZ_PASSWORD',
  'YAS_TZ_BILLER_MSISDN',
  'YAS_TZ_TOKEN_URL',
  'YAS_TZ_PUSH_URL',
  'YAS_TZ_CALLBACK_IPS',
] as const;
const OPTIONAL_ENV = ['YAS_TZ_BILLER_CODE'] as const;

export function yasTzCredentialsFromEnv(env: NodeJS.ProcessEnv): YasTzCredentials | null {
  const { get: value, anySet, firstMissing, list } = envReader(env);
  if (!anySet([...REQUIRED_ENV, ...OPTIONAL_ENV])) return null;
  const missing = firstMissing(REQUIRED_ENV);
  if (missing)
    throw partlyConfigured(
      'Yas (Tigo Pesa)',
      missing,
      'Yas issues a username, password, biller MSISDN, token URL and push URL, and tells you the addresses its callbacks come from: set all of them, or none',
    );
  const tokenUrl = httpUrl('YAS_TZ_TOKEN_URL', value('YAS_TZ_TOKEN_URL')!);
  const pushUrl = httpUrl('YAS_TZ_PUSH_URL', value('YAS_TZ_PUSH_URL')!);
  if (tokenUrl.origin !== pushUrl.origin)
    throw new ProviderConfigError(
      `YAS_TZ_TOKEN_URL and YAS_TZ_PUSH_URL must be on the same host (${tokenUrl.origin} vs ${pushUrl.origin})`,
    );
  const biller = value('YAS_TZ_BILLER_MSISDN')!.replace(/^\+/, '');
  if (!/^255\d{9}$/.test(biller))
    throw new ProviderConfigError(`YAS_TZ_BILLER_MSISDN must be 255 followed by 9 digits, not ${value('YAS_TZ_BILLER_MSISDN')}`);
  const ips = list('YAS_TZ_CALLBACK_IPS');
  return {
    baseUrl: tokenUrl.origin,
    tokenPath: tokenUrl.pathname + tokenUrl.search,
    pushPath: pushUrl.pathname + pushUrl.search,
    username: value('YAS_TZ_USERNAME')!,
    password: value('YAS_TZ_PASSWORD')!,
    billerMsisdn: biller,
    ...(value('YAS_TZ_BILLER_CODE') ? { billerCode: value('YAS_TZ_BILLER_CODE') } : {}),
    ...(ips?.length ? { callbackIps: ips } : {}),
  };
}

/** Push acknowledgement codes (msomali/tigopesa push status table, §3.4 sources). */
const ACK_REASON: Record<string, FailureReason> = {
  'BILLER-18-3040-E': 'config_error', // BillerMSISDN is wrong
  'BILLER-18-3021-E': 'config_error', // biller username or password is wrong
  'BILLER-18-3022-E': 'config_error', // biller not active
  'DebitMandate-10-3000-E': 'config_error', // username/password provided is wrong
  'DebitMandate-10-2001-E': 'config_error', // user name or password empty
  'DebitMandate-10-2003-E': 'config_error', // password not passed
  'DebitMandate-10-2038-V': 'config_error', // BillerMSISDN not passed
  'DebitMandate-10-2002-E': 'invalid_msisdn', // CustomerMSISDN not passed
  'DebitMandate-10-2004-V': 'invalid_msisdn',
  'DebitMandate-10-2005-E': 'invalid_msisdn', // not registered for Mixx
  'BILLER-18-3018-E': 'provider_error', // failed in sum amount
  'BILLER-18-3019-E': 'provider_error', // outside min/max amount
  'BILLER-18-3020-E': 'busy_retry_later', // failed in frequency: too many pushes to this subscriber
  'DebitMandate-10-2020-V': 'provider_error', // not a valid ReferenceID
  'DebitMandate-10-1000-E': 'provider_error', // internal service error
};

/** A failed callback has only its Description to say why. */
function reasonFromDescription(text: string): FailureReason {
  const m = text.toLowerCase();
  if (/insufficient|not enough|low balance/.test(m)) return 'insufficient_funds';
  if (/pin/.test(m)) return 'wrong_pin';
  if (/unreachable|not reachable|switched off|absent/.test(m)) return 'unreachable';
  if (/cancel|reject|declin|refused/.test(m)) return 'cancelled';
  if (/timed? ?out|expired/.test(m)) return 'timeout';
  if (/locked|barred|suspend/.test(m)) return 'push_failed';
  return 'unknown';
}

/** What Yas must get back from us (§3.4; BILLER-30 codes as in msomali/tigopesa). */
function ackOf(ok: boolean, referenceId: string): ParsedCallback['ack'] {
  const body = ok
    ? { ResponseCode: 'BILLER-30-0000-S', ResponseStatus: true, ResponseDescription: 'Callback successful', ReferenceID: referenceId }
    : { ResponseCode: 'BILLER-30-3030-E', ResponseStatus: false, ResponseDescription: 'Callback failed', ReferenceID: referenceId };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function createYasTzProvider(options: {
  baseUrl: string;
  credentials: YasTzCredentials;
  sandbox: boolean;
  timeoutMs?: number;
}): PaymentProvider {
  const base = trimSlashes(options.baseUrl);
  const cred = options.credentials;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const prefix = cred.billerCode ?? '';

  function fetchToken() {
    return fetchOAuthToken({
      url: base + cred.tokenPath,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-cache' },
      body: new URLSearchParams({ username: cred.username, password: cred.password, grant_type: 'password' }).toString(),
      logBody: { username: cred.username, password: '[redacted]', grant_type: 'password' },
      timeoutMs,
      lifeSeconds: 3600,
      marginSeconds: 60,
      // An OAuth "invalid_grant" (400/401) is a wrong username or password.
      refusedReason: (status) => (status >= 400 && status < 500 ? 'config_error' : 'provider_error'),
    });
  }

  const tokens = tokenCache(fetchToken);

  return {
    id: 'yas_tz',
    displayName: 'Mixx by Yas',
    currencies: ['TZS'],
    networks: ['yas'],
    signedCallbacks: false,
    // Production calls back to the URL registered with Yas (no per-payment token); the local
    // sandbox is handed the per-payment URL.
    callbackUrlPerPayment: options.sandbox,
    // In production the source address is what vouches for a callback (the sandbox's carry our token).
    ...(!options.sandbox && cred.callbackIps?.length ? { callbackAddressList: 'YAS_TZ_CALLBACK_IPS' } : {}),
    // There is no status query: polling only learns "unknown"; the callback is what settles.
    minPollDelaySeconds: 120,
    expirySeconds: 300,
    sandbox: options.sandbox,

    async initiate(req: InitiateRequest): Promise<InitiateResult> {
      if (req.currency !== 'TZS') return failedInitiate('config_error', `Yas takes TZS only, not ${req.currency}`, null);
      if (req.network !== 'yas' || !/^255[67]\d{8}$/.test(req.msisdn)) {
        return failedInitiate('invalid_msisdn', `not a Yas/Mixx number: ${req.msisdn} (${req.network})`, null);
      }
      const body = {
        CustomerMSISDN: req.msisdn,
        BillerMSISDN: cred.billerMsisdn,
        Amount: majorUnits(req.amountMinor, 'TZS'), // an integer here, a string in the callback
        Remarks: req.label,
        ReferenceID: prefix + req.reference,
      };
      const url = base + cred.pushPath;
      for (let attempt = 0; ; attempt++) {
        let bearer: string;
        try {
          bearer = await tokens.token();
        } catch (err) {
          const e = err as ProviderAuthError;
          return failedInitiate(e.reason, e.message, e.raw);
        }
        const headers: Record<string, string> = { authorization: `bearer ${bearer}`, 'cache-control': 'no-cache' };
        // Yas calls back to the URL registered for the partner, never one per request, so in
        // production our per-payment URL cannot travel. The sandbox has no registration: only
        // there we hand it the URL.
        if (options.sandbox) headers[YAS_TZ_SANDBOX_CALLBACK_HEADER] = req.callbackUrl;
        const request = { method: 'POST', url, headers: redact(headers), body };
        let ex: HttpExchange;
        try {
          ex = await httpJson({ method: 'POST', url, headers, body, timeoutMs });
        } catch (err) {
          const timeout = err instanceof ProviderHttpError && err.kind === 'timeout';
          return {
            outcome: 'unknown',
            providerRef: null,
            reason: timeout ? 'timeout' : 'provider_error',
            message: (err as Error).message,
            raw: { request, error: (err as Error).message },
          };
        }
        if (ex.status === 401 && attempt === 0) {
          tokens.forget(bearer);
          continue;
        }
        const raw = { request, response: { status: ex.status, body: ex.body } };
        const ack = (ex.body && typeof ex.body === 'object' ? ex.body : {}) as {
          ResponseCode?: unknown;
          ResponseStatus?: unknown;
          ResponseDescription?: unknown;
        };
        const code = typeof ack.ResponseCode === 'string' ? ack.ResponseCode : '';
        const message = typeof ack.ResponseDescription === 'string' ? ack.ResponseDescription : `HTTP ${ex.status}`;
        if (ex.status === 401 || ex.status === 403) return failedInitiate('config_error', message, raw);
        // The ack carries no Yas id; MFSTransactionID comes with the callback.
        if (ex.status === 200 && ack.ResponseStatus === true && code.endsWith('-S'))
          return { outcome: 'pending', providerRef: null, message, raw };
        if (ACK_REASON[code]) return failedInitiate(ACK_REASON[code], message, raw);
        // Other explicit errors (-E error, -V validation) were refused; anything else (gateway
        // timeouts, HTML pages, new codes) may still have pushed the prompt.
        if (ack.ResponseStatus === false && /-[EV]$/.test(code)) return failedInitiate('push_failed', message, raw);
        return { outcome: 'unknown', providerRef: null, reason: 'unknown', message: code ? `${code}: ${message}` : message, raw };
      }
    },

    parseCallback(req: CallbackRequest): ParsedCallback {
      const text = req.rawBody.toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        // handled below
      }
      const referenceId = body && typeof body.ReferenceID === 'string' ? body.ReferenceID : '';
      const status =
        body?.Status === true || body?.Status === 'true' ? true : body?.Status === false || body?.Status === 'false' ? false : undefined;
      const reject = (why: string): ParsedCallback => ({
        authentic: false,
        why,
        reference: null,
        providerRef: null,
        outcome: 'unknown',
        needsConfirmation: true,
        ack: ackOf(false, referenceId),
        raw: body ?? text.slice(0, 2000),
      });
      if (!body) return reject('callback body is not a JSON object');
      if (!referenceId || status === undefined) return reject('callback lacks ReferenceID or Status');
      const ipAllowed = Boolean(cred.callbackIps?.length) && ipListed(cred.callbackIps!, req.remoteIp);
      if (cred.callbackIps?.length && !ipAllowed) return reject(`callback from ${req.remoteIp}, not an allowed Yas address`);

      const reference = prefix && referenceId.startsWith(prefix) ? referenceId.slice(prefix.length) : referenceId;
      const mfsId = typeof body.MFSTransactionID === 'string' && body.MFSTransactionID ? body.MFSTransactionID : null;
      const description = typeof body.Description === 'string' ? body.Description : '';
      const amount = typeof body.Amount === 'string' || typeof body.Amount === 'number' ? body.Amount : undefined; // "1000" (§3.4)
      const amountMinor = amount !== undefined && amount !== '' && Number.isFinite(Number(amount)) ? minorUnits(amount, 'TZS') : undefined;
      return {
        authentic: true,
        // Unsigned (§3.6). With no status query to confirm by, a success from an allowed
        // address to our URL is accepted (§7); without an address list it waits for reconciliation.
        why: ipAllowed
          ? 'unsigned; accepted from an allowed address'
          : 'unsigned and no callback address list configured: confirm by reconciliation',
        reference,
        providerRef: mfsId,
        outcome: status ? 'succeeded' : 'failed',
        reason: status ? undefined : reasonFromDescription(description),
        receipt: status ? (mfsId ?? undefined) : undefined,
        amountMinor,
        currency: amountMinor !== undefined ? 'TZS' : undefined,
        needsConfirmation: !ipAllowed,
        ack: ackOf(true, referenceId),
        raw: body,
      };
    },

    async queryStatus(): Promise<StatusResult> {
      // §3.5: the push API has refund and heartbeat but no status query. Say so, ask nothing.
      return {
        outcome: 'unknown',
        raw: { note: 'Yas push bill-pay has no status query; settle from the callback or the daily statement' },
      };
    },
  };
}
