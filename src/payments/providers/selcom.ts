// Selcom Checkout (Tanzanian aggregator: one contract covers Vodacom, Yas, Airtel, Halotel, TTCL).
// Wire format: ../shared/notes/payments.md §5.1. Every request is HMAC-signed (Digest over
// "timestamp=…&field=value…" in Signed-Fields order); the webhook URL travels per order, base64.
// Flow: create-order-minimal (order_id = our reference) → wallet-payment (USSD push) → webhook
// (observed to arrive for successful payments only) and/or order-status.
import { envReader, failedInitiate, httpBaseUrl, namesAnd, partlyConfigured, rawOf, sameText, trimSlashes } from './common.js';
import { createHmac } from 'node:crypto';
import { header, httpJson, ProviderHttpError, redact, type HttpExchange } from '../http.js';
import {
  majorUnits,
  minorUnits,
  type CallbackRequest,
  type FailureReason,
  type InitiateRequest,
  type InitiateResult,
  type Network,
  type Outcome,
  type ParsedCallback,
  type PaymentProvider,
  type StatusResult,
} from '../provider.js';

export interface SelcomCredentials {
  /** The API host as configured (SELCOM_BASE_URL); the provider's own baseUrl option is what it calls. */
  baseUrl: string;
  apiKey: string;
  /** Signs our requests and, per integrators, Selcom's webhooks (§5.1 Security). */
  apiSecret: string;
  /** Merchant/vendor id (the `vendor` field, e.g. TILL…). */
  vendor: string;
}

export const SELCOM_PRODUCTION_URL = 'https://apigw.selcommobile.com/v1';

/** The only credentials the local sandbox accepts (test money). */
export const SELCOM_SANDBOX_CREDENTIALS: SelcomCredentials = {
  baseUrl: 'http://127.0.0.1/sandbox/selcom',
  apiKey: 'NETFLOW-SANDBOX-SELCOM-KEY',
  apiSecret: 'netflow-sandbox-selcom-secret-0123456789',
  vendor: 'TILL60900001',
};

const REQUIRED_ENV = ['SELCOM_API_KEY', 'SELCOM_API_SECRET', 'SELCOM_VENDOR'] as const;

export function selcomCredentialsFromEnv(env: NodeJS.ProcessEnv): SelcomCredentials | null {
  const { get: value, anySet, firstMissing } = envReader(env);
  if (!anySet([...REQUIRED_ENV, 'SELCOM_BASE_URL'])) return null;
  const missing = firstMissing(REQUIRED_ENV);
  if (missing) throw partlyConfigured('Selcom', missing, `set ${namesAnd(REQUIRED_ENV)} together, or none of them`);
  const baseUrl = httpBaseUrl('SELCOM_BASE_URL', value('SELCOM_BASE_URL') ?? SELCOM_PRODUCTION_URL);
  return { baseUrl, apiKey: value('SELCOM_API_KEY')!, apiSecret: value('SELCOM_API_SECRET')!, vendor: value('SELCOM_VENDOR')! };
}

type Fields = Record<string, string | number>;

/** ISO-8601 with the Tanzanian offset, as in Selcom's examples (§5.1 Timestamp). */
function selcomTimestamp(now = new Date()): string {
  return new Date(now.getTime() + 3 * 3600_000).toISOString().slice(0, 19) + '+03:00';
}

function fieldText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function selcomDigest(secret: string, timestamp: string, fields: string[], values: Record<string, unknown>): string {
  const text = ['timestamp=' + timestamp, ...fields.map((f) => `${f}=${fieldText(values[f])}`)].join('&');
  return createHmac('sha256', secret).update(text, 'utf8').digest('base64');
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Our E.164 digits from whatever Selcom echoes (255…, 0…, or the 9-digit national number). */
function e164(phone: unknown): string | undefined {
  if (phone === undefined || phone === null || phone === '') return undefined;
  const d = String(phone).replace(/\D/g, '');
  if (/^255\d{9}$/.test(d)) return d;
  if (/^0\d{9}$/.test(d)) return '255' + d.slice(1);
  if (/^\d{9}$/.test(d)) return '255' + d;
  return d || undefined;
}

interface Envelope {
  reference?: string;
  resultcode?: string;
  result?: string;
  message?: string;
  data?: unknown;
}

function envelope(ex: HttpExchange): Envelope {
  return ex.body && typeof ex.body === 'object' && !Array.isArray(ex.body) ? (ex.body as Envelope) : {};
}

const isAuthFailure = (ex: HttpExchange, env: Envelope) => ex.status === 401 || ex.status === 403 || String(env.resultcode) === '403';

/** Why Selcom refused a push, from its words (it has few documented codes). */
function refusalReason(env: Envelope): FailureReason {
  const m = `${env.message ?? ''}`.toLowerCase();
  if (/in progress|already|try again|locked|pending transaction/.test(m)) return 'busy_retry_later';
  if (/msisdn|phone|number/.test(m)) return 'invalid_msisdn';
  if (/duplicate/.test(m)) return 'duplicate';
  return 'push_failed';
}

/**
 * One mapping for webhook bodies and order-status rows. payment_status values other than
 * COMPLETED/PENDING are [verify] in §5.1; Selcom gives no finer reason for a refused payment.
 */
function selcomOutcome(result: unknown, resultcode: unknown, paymentStatus: unknown): { outcome: Outcome; reason?: FailureReason } {
  const ps = typeof paymentStatus === 'string' ? paymentStatus.toUpperCase() : undefined;
  switch (ps) {
    case 'COMPLETED':
      return { outcome: 'succeeded' };
    case 'PENDING':
    case 'INPROGRESS':
      return { outcome: 'pending' };
    case 'USERCANCELLED':
      return { outcome: 'failed', reason: 'cancelled' };
    case 'CANCELLED':
      // We never call cancel-order, so a cancelled order is one that expired unpaid.
      return { outcome: 'failed', reason: 'timeout' };
    case 'REJECTED':
    case 'FAILED':
      return { outcome: 'failed', reason: 'unknown' };
    case undefined:
      break;
    default:
      return { outcome: 'unknown', reason: 'unknown' };
  }
  const r = typeof result === 'string' ? result.toUpperCase() : '';
  const code = resultcode === undefined || resultcode === null ? '' : String(resultcode);
  if (code === '000' && r === 'SUCCESS') return { outcome: 'succeeded' };
  if (code === '111' || r === 'PENDING') return { outcome: 'pending' };
  if (r === 'FAIL' || r === 'FAILED') return { outcome: 'failed', reason: 'unknown' };
  return { outcome: 'unknown', reason: 'unknown' };
}

const PLAIN_ACK = { status: 200, body: '' };
/**
 * A signed webhook is accepted only this close to its Timestamp (either way, for clock skew).
 * Selcom documents the ISO 8601 Timestamp as part of the signed string but no tolerance; 5
 * minutes is the usual one for signed webhooks. With the replay check (service.ts) a captured
 * webhook can be used neither later nor twice.
 */
export const SELCOM_WEBHOOK_WINDOW_MS = 5 * 60_000;
const SELCOM_NETWORKS: ReadonlyArray<Network> = ['vodacom', 'yas', 'airtel', 'halotel', 'ttcl'];

export function createSelcomProvider(options: {
  baseUrl: string;
  credentials: SelcomCredentials;
  sandbox: boolean;
  timeoutMs?: number;
  now?: () => Date;
}): PaymentProvider {
  const now = options.now ?? (() => new Date());
  const base = trimSlashes(options.baseUrl);
  const cred = options.credentials;
  const timeoutMs = options.timeoutMs ?? 15_000;

  /** A signed request; every payload key is signed, in the order sent (§5.1 Auth). */
  async function call(method: 'GET' | 'POST', path: string, payload: Fields): Promise<{ ex: HttpExchange; raw: unknown }> {
    const timestamp = selcomTimestamp();
    const fields = Object.keys(payload);
    const headers: Record<string, string> = {
      authorization: 'SELCOM ' + b64(cred.apiKey),
      'digest-method': 'HS256',
      digest: selcomDigest(cred.apiSecret, timestamp, fields, payload),
      timestamp,
      'signed-fields': fields.join(','),
    };
    const query = method === 'GET' ? '?' + new URLSearchParams(Object.entries(payload).map(([k, v]) => [k, String(v)])).toString() : '';
    const url = base + path + query;
    const request = { method, url, headers: redact(headers), body: method === 'POST' ? payload : undefined };
    try {
      const ex = await httpJson({ method, url, headers, body: method === 'POST' ? payload : undefined, timeoutMs });
      return { ex, raw: { request, response: { status: ex.status, body: redact(ex.body) } } };
    } catch (err) {
      (err as Error & { raw?: unknown }).raw = { request, error: (err as Error).message };
      throw err;
    }
  }

  return {
    id: 'selcom',
    displayName: 'Mobile money (Selcom)',
    currencies: ['TZS'],
    networks: SELCOM_NETWORKS,
    signedCallbacks: true,
    // Failures come without a webhook, so the first look is early (§7: aggregators ~30 s).
    minPollDelaySeconds: 30,
    expirySeconds: 300,
    sandbox: options.sandbox,

    async initiate(req: InitiateRequest): Promise<InitiateResult> {
      if (req.currency !== 'TZS') return failedInitiate('config_error', `Selcom takes TZS only, not ${req.currency}`, null);
      if (!/^255[67]\d{8}$/.test(req.msisdn) || !SELCOM_NETWORKS.includes(req.network)) {
        return failedInitiate('invalid_msisdn', `not a Tanzanian mobile number for Selcom: ${req.msisdn} (${req.network})`, null);
      }
      const order: Fields = {
        vendor: cred.vendor,
        order_id: req.reference,
        // Selcom requires an e-mail; hotspot guests give none (the payer is identified by phone).
        buyer_email: `${req.msisdn}@guest.netflow.example.com`,
        buyer_name: 'WiFi guest',
        buyer_phone: req.msisdn,
        amount: majorUnits(req.amountMinor, 'TZS'),
        currency: 'TZS',
        webhook: b64(req.callbackUrl), // every URL in a Selcom checkout request is base64 (§5.1)
        buyer_remarks: req.label,
        no_of_items: 1,
      };
      let created: { ex: HttpExchange; raw: unknown };
      try {
        created = await call('POST', '/checkout/create-order-minimal', order);
      } catch (err) {
        // No push was sent yet: a clean failure, the portal may retry with a new attempt.
        return failedInitiate('provider_error', (err as Error).message, { createOrder: rawOf(err) });
      }
      const c = envelope(created.ex);
      if (isAuthFailure(created.ex, c)) {
        return failedInitiate('config_error', c.message ?? `HTTP ${created.ex.status}`, { createOrder: created.raw });
      }
      if (created.ex.status !== 200 || String(c.resultcode) !== '000') {
        const reason: FailureReason = /vendor|api key|digest|signature|unauthori[sz]ed/i.test(c.message ?? '')
          ? 'config_error'
          : 'provider_error';
        return failedInitiate(reason, c.message ?? `HTTP ${created.ex.status}`, { createOrder: created.raw });
      }

      // transid: our id for the push itself; Selcom echoes it in the webhook and order-status.
      const transid = `${req.reference}T1`;
      let pushed: { ex: HttpExchange; raw: unknown };
      try {
        pushed = await call('POST', '/checkout/wallet-payment', { transid, order_id: req.reference, msisdn: req.msisdn });
      } catch (err) {
        // The push may or may not have left: only the order status can tell.
        const timeout = err instanceof ProviderHttpError && err.kind === 'timeout';
        return {
          outcome: 'unknown',
          providerRef: transid,
          reason: timeout ? 'timeout' : 'provider_error',
          message: (err as Error).message,
          raw: { createOrder: created.raw, walletPayment: rawOf(err) },
        };
      }
      const raw = { createOrder: created.raw, walletPayment: pushed.raw };
      const p = envelope(pushed.ex);
      const code = String(p.resultcode ?? '');
      const result = String(p.result ?? '').toUpperCase();
      if (isAuthFailure(pushed.ex, p)) return { outcome: 'failed', providerRef: transid, reason: 'config_error', message: p.message, raw };
      if (pushed.ex.status >= 500)
        return { outcome: 'unknown', providerRef: transid, reason: 'provider_error', message: `HTTP ${pushed.ex.status}`, raw };
      // "111 PENDING: you will receive a callback shortly" is the normal answer; 000 also means the push went out.
      if (code === '111' || code === '000' || result === 'PENDING' || result === 'SUCCESS')
        return { outcome: 'pending', providerRef: transid, message: p.message, raw };
      if (result === 'FAIL' || result === 'FAILED' || result === 'ERROR')
        return { outcome: 'failed', providerRef: transid, reason: refusalReason(p), message: p.message, raw };
      return { outcome: 'unknown', providerRef: transid, reason: 'unknown', message: p.message ?? `resultcode ${code}`, raw };
    },

    parseCallback(req: CallbackRequest): ParsedCallback {
      const text = req.rawBody.toString('utf8');
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(text);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        return {
          authentic: false,
          why: 'webhook body is not a JSON object',
          reference: null,
          providerRef: null,
          outcome: 'unknown',
          needsConfirmation: true,
          ack: PLAIN_ACK,
          raw: text.slice(0, 2000),
        };
      }
      const reference = typeof body.order_id === 'string' ? body.order_id : null;
      const providerRef = typeof body.transid === 'string' ? body.transid : null;

      const digest = header(req.headers, 'digest');
      const timestamp = header(req.headers, 'timestamp');
      const signedFields = header(req.headers, 'signed-fields');
      const method = (header(req.headers, 'digest-method') ?? 'HS256').toUpperCase();
      let verified = false;
      // A webhook whose signature fails: 401, nothing applied, and the payment confirmed by order-status.
      const refuse = (why: string): ParsedCallback => ({
        authentic: false,
        why,
        reference,
        providerRef,
        outcome: 'unknown',
        needsConfirmation: true,
        ack: { status: 401, body: '' },
        raw: body,
      });
      let note: string | undefined;
      if (digest || timestamp || signedFields) {
        if (!digest || !timestamp || !signedFields) {
          return refuse('webhook has incomplete Digest/Timestamp/Signed-Fields headers');
        }
        if (method !== 'HS256') {
          note = `webhook signed with ${method}, which we cannot verify: confirm by order-status`;
        } else {
          const fields = signedFields
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean);
          const expected = selcomDigest(cred.apiSecret, timestamp, fields, body);
          if (!sameText(expected, digest)) {
            return refuse('webhook Digest does not match (wrong secret or altered body)');
          }
          const signedAt = Date.parse(timestamp);
          if (!Number.isFinite(signedAt) || Math.abs(now().getTime() - signedAt) > SELCOM_WEBHOOK_WINDOW_MS) {
            return refuse(`webhook Timestamp ${timestamp.slice(0, 40)} is more than 5 minutes from now (a replay, or a clock far off)`);
          }
          // A valid signature over a subset would let someone replay it with other unsigned values.
          const relied = ['order_id', 'amount', 'payment_status', 'result', 'resultcode'].filter((f) => f in body);
          const unsigned = relied.filter((f) => !fields.includes(f));
          if (unsigned.length === 0) verified = true;
          else note = `signature does not cover ${unsigned.join(', ')}: confirm by order-status`;
        }
      } else {
        // §5.1: whether every webhook is signed is [verify]; an unsigned one is only a hint.
        note = 'webhook is unsigned: confirm by order-status';
      }

      const { outcome, reason } = selcomOutcome(body.result, body.resultcode, body.payment_status);
      const amount = typeof body.amount === 'string' || typeof body.amount === 'number' ? body.amount : undefined;
      return {
        authentic: true,
        why: note,
        reference,
        providerRef,
        outcome,
        reason,
        receipt: outcome === 'succeeded' && typeof body.reference === 'string' ? body.reference : undefined,
        amountMinor: amount !== undefined && amount !== '' && Number.isFinite(Number(amount)) ? minorUnits(amount, 'TZS') : undefined,
        currency: amount !== undefined ? 'TZS' : undefined,
        // Integrators see the payer as `phone` or `msisdn` (§5.1): accept both.
        msisdn: e164(body.phone ?? body.msisdn),
        needsConfirmation: !verified,
        ...(verified ? { replayKey: digest } : {}),
        ack: PLAIN_ACK,
        raw: body,
      };
    },

    async queryStatus(payment): Promise<StatusResult> {
      let res: { ex: HttpExchange; raw: unknown };
      try {
        res = await call('GET', '/checkout/order-status', { order_id: payment.reference });
      } catch (err) {
        return { outcome: 'unknown', reason: 'provider_error', raw: rawOf(err) };
      }
      const env = envelope(res.ex);
      if (isAuthFailure(res.ex, env)) return { outcome: 'unknown', reason: 'config_error', raw: res.raw };
      const row = Array.isArray(env.data) ? (env.data[0] as Record<string, unknown> | undefined) : undefined;
      if (res.ex.status !== 200 || String(env.resultcode) !== '000' || !row)
        return { outcome: 'unknown', reason: 'provider_error', raw: res.raw };
      const { outcome, reason } = selcomOutcome(undefined, undefined, row.payment_status);
      const amount = typeof row.amount === 'string' || typeof row.amount === 'number' ? row.amount : undefined;
      return {
        outcome,
        reason,
        receipt: outcome === 'succeeded' && typeof row.reference === 'string' ? row.reference : undefined,
        amountMinor: amount !== undefined && amount !== '' && Number.isFinite(Number(amount)) ? minorUnits(amount, 'TZS') : undefined,
        currency: amount !== undefined ? 'TZS' : undefined,
        raw: res.raw,
      };
    },
  };
}
