// Fake Safaricom Daraja (../shared/notes/payments.md §1, §8): the real paths under /sandbox/daraja,
// Basic→token auth, Password recomputed from the passkey by Safaricom's documented formula (written
// out here, never the adapter's own function: a wrong formula there must not pass), the two
// response envelopes, the STK callback with its quirks (float Amount, numeric
// PhoneNumber/TransactionDate, Balance without Value, numeric ResultCode) and STK Query (string
// ResultCode, 500.001.1001 while pending).
// It accepts only DARAJA_SANDBOX_CREDENTIALS (imported from the adapter module: sandbox → providers
// is the allowed direction).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redact } from '../http.js';
import { DARAJA_SANDBOX_CREDENTIALS } from '../providers/daraja.js';
import { scenarioFor, type SandboxContext, type SandboxScenario } from './context.js';

export const DARAJA_SANDBOX_PREFIX = '/sandbox/daraja';
/** The Till the sandbox knows, for CustomerBuyGoodsOnline pushes (PartyB). */
export const DARAJA_SANDBOX_TILL = '600200';

const PROVIDER = 'daraja';

/**
 * Daraja's Timestamp: YYYYMMDDHHmmss (year, month, day, hour, minute, second, each part two digits
 * but the four-digit year), on the clock of Kenya (East Africa Time, UTC+3, no daylight saving).
 */
function eastAfricaTimestamp(at: Date): string {
  const eat = new Date(at.getTime() + 3 * 60 * 60 * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${eat.getUTCFullYear()}${two(eat.getUTCMonth() + 1)}${two(eat.getUTCDate())}${two(eat.getUTCHours())}${two(eat.getUTCMinutes())}${two(eat.getUTCSeconds())}`;
}

/**
 * The STK Push / STK Query Password as Safaricom documents it: the base64 encoding of
 * BusinessShortCode + Passkey + Timestamp, concatenated as text, with the very Timestamp sent
 * beside it in the request. Deliberately not the adapter's darajaPassword(): the fake is the
 * independent check of that function.
 */
function documentedPassword(businessShortCode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${businessShortCode}${passkey}${timestamp}`, 'utf8').toString('base64');
}

/** A Timestamp that is YYYYMMDDHHmmss and a real calendar moment (not 20241399256199). */
function validTimestamp(timestamp: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(timestamp);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s
  );
}
const KE_MSISDN = /^254(7\d{8}|1\d{8})$/;

interface Push {
  checkoutRequestId: string;
  merchantRequestId: string;
  scenario: SandboxScenario;
  amount: number;
  phone: string;
  callbackUrl: string;
  /** null while the prompt is open on the phone. */
  result: { code: number; desc: string } | null;
  queries: number;
}

const RESULTS: Record<Exclude<SandboxScenario, 'locked'>, { code: number; desc: string }> = {
  success: { code: 0, desc: 'The service request is processed successfully.' },
  cancelled: { code: 1032, desc: 'Request cancelled by user' },
  insufficient_funds: { code: 1, desc: 'The balance is insufficient for the transaction.' },
  unreachable: { code: 1037, desc: 'DS timeout user cannot be reached' },
  timeout: { code: 1019, desc: 'Transaction has expired' },
  wrong_pin: { code: 2001, desc: 'The initiator information is invalid.' },
  ambiguous: { code: 0, desc: 'The service request is processed successfully.' },
  no_callback: { code: 0, desc: 'The service request is processed successfully.' },
  duplicate_callback: { code: 0, desc: 'The service request is processed successfully.' },
  late_success: { code: 0, desc: 'The service request is processed successfully.' },
  wrong_amount: { code: 0, desc: 'The service request is processed successfully.' },
};
const EXPIRED = { code: 1019, desc: 'Transaction has expired' };

export function registerDarajaSandbox(app: FastifyInstance, ctx: SandboxContext): void {
  const creds = DARAJA_SANDBOX_CREDENTIALS;
  const tokens = new Map<string, number>(); // token → expiry (ms)
  const pushes = new Map<string, Push>();
  let merchantSeq = 0;

  const requestId = (): string => `${randomInt(10000, 99999)}-${randomInt(1_000_000, 99_999_999)}-1`;

  function error(reply: FastifyReply, status: number, errorCode: string, errorMessage: string) {
    return reply.code(status).send({ requestId: requestId(), errorCode, errorMessage });
  }

  function log(request: FastifyRequest, status: number, body?: unknown): void {
    ctx.record({
      provider: PROVIDER,
      direction: 'in',
      what: `${request.method} ${request.url.replace(DARAJA_SANDBOX_PREFIX, '')}`,
      status,
      body: redact(body),
    });
  }

  /** Bearer check as the real gateway answers it: 404.001.03 (§1.1). */
  function authorised(request: FastifyRequest): boolean {
    const auth = request.headers.authorization ?? '';
    const m = /^Bearer (\S+)$/.exec(auth);
    if (!m) return false;
    const expiry = tokens.get(m[1]!);
    return expiry !== undefined && Date.now() < expiry;
  }

  function checkoutId(phone: string): string {
    // ws_CO_ + DDMMYYYYHHmmss + milliseconds + the phone's last 9 digits, as Daraja's look.
    const now = ctx.now();
    for (let bump = 0; ; bump++) {
      const t = eastAfricaTimestamp(now);
      const ms = String((now.getUTCMilliseconds() + bump) % 1000).padStart(3, '0');
      const id = `ws_CO_${t.slice(6, 8)}${t.slice(4, 6)}${t.slice(0, 4)}${t.slice(8)}${ms}${phone.slice(-9)}`;
      if (!pushes.has(id)) return id;
    }
  }

  function callbackBody(push: Push, result: { code: number; desc: string }): string {
    const stkCallback: Record<string, unknown> = {
      MerchantRequestID: push.merchantRequestId,
      CheckoutRequestID: push.checkoutRequestId,
      ResultCode: result.code, // a number here, a string in STK Query (§1.4)
      ResultDesc: result.desc,
    };
    if (result.code === 0) {
      const amount = push.scenario === 'wrong_amount' ? push.amount - 1 : push.amount;
      stkCallback.CallbackMetadata = {
        Item: [
          { Name: 'Amount', Value: '__AMOUNT__' },
          { Name: 'MpesaReceiptNumber', Value: ctx.id('UC', 10) },
          { Name: 'Balance' },
          { Name: 'TransactionDate', Value: Number(eastAfricaTimestamp(ctx.now())) },
          { Name: 'PhoneNumber', Value: Number(push.phone) },
        ],
      };
      // Amount is a float on the wire (50.00); JSON.stringify would write 50.
      return JSON.stringify({ Body: { stkCallback } }).replace('"__AMOUNT__"', amount.toFixed(2));
    }
    return JSON.stringify({ Body: { stkCallback } });
  }

  /** The simulated guest's answer, by scenario (§8). */
  function settle(push: Push): void {
    const send = (result: { code: number; desc: string }) => ctx.sendCallback(PROVIDER, push.callbackUrl, callbackBody(push, result));
    const result = RESULTS[push.scenario as Exclude<SandboxScenario, 'locked'>];
    ctx.later(ctx.approveAfterMs, async () => {
      switch (push.scenario) {
        case 'ambiguous':
          // No callback; STK Query answers "being processed" ambiguousQueries times, then success.
          return;
        case 'no_callback':
          push.result = result;
          return;
        case 'duplicate_callback': {
          push.result = result;
          const body = callbackBody(push, result);
          for (let i = 0; i < 3; i++) await ctx.sendCallback(PROVIDER, push.callbackUrl, body);
          return;
        }
        case 'late_success':
          push.result = EXPIRED;
          await send(EXPIRED);
          ctx.later(ctx.lateAfterMs, async () => {
            push.result = result;
            await send(result);
          });
          return;
        default:
          push.result = result;
          await send(result);
      }
    });
  }

  void app.register(
    async (scope) => {
      // Malformed JSON and the like answer in Daraja's error envelope, not Fastify's.
      scope.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
        const status = err.statusCode && err.statusCode < 500 ? 400 : 500;
        log(request, status, { error: err.message });
        return error(
          reply,
          status,
          status === 400 ? '400.002.02' : '500.003.02',
          status === 400 ? 'Bad Request - Invalid JSON' : 'Internal Server Error',
        );
      });

      scope.get('/oauth/v1/generate', async (request, reply) => {
        const query = request.query as Record<string, string | undefined>;
        if (query.grant_type !== 'client_credentials') {
          log(request, 400);
          return error(reply, 400, '400.008.02', 'Invalid grant type passed');
        }
        const expected = `Basic ${Buffer.from(`${creds.consumerKey}:${creds.consumerSecret}`).toString('base64')}`;
        if (request.headers.authorization !== expected) {
          log(request, 400);
          return error(reply, 400, '400.008.01', 'Invalid Authentication passed');
        }
        const token = randomBytes(21)
          .toString('base64')
          .replace(/[^A-Za-z0-9]/g, 'x');
        tokens.set(token, Date.now() + 3599_000);
        log(request, 200);
        // expires_in is a string (§1.1).
        return reply.send({ access_token: token, expires_in: '3599' });
      });

      scope.post('/mpesa/stkpush/v1/processrequest', async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const fail = (status: number, code: string, message: string) => {
          log(request, status, body);
          return error(reply, status, code, message);
        };
        if (!authorised(request)) return fail(404, '404.001.03', 'Invalid Access Token');
        for (const field of [
          'BusinessShortCode',
          'Password',
          'Timestamp',
          'TransactionType',
          'Amount',
          'PartyA',
          'PartyB',
          'PhoneNumber',
          'CallBackURL',
          'AccountReference',
          'TransactionDesc',
        ]) {
          if (body[field] === undefined || body[field] === null || body[field] === '')
            return fail(400, '400.002.02', `Bad Request - Invalid ${field}`);
        }
        const shortcode = String(body.BusinessShortCode);
        const timestamp = String(body.Timestamp);
        if (shortcode !== creds.shortcode) return fail(500, '500.001.1001', 'Merchant does not exist');
        if (!validTimestamp(timestamp)) return fail(400, '400.002.02', 'Bad Request - Invalid Timestamp');
        // Password must be base64(shortcode+passkey+Timestamp) with this very Timestamp (§1.2, §6).
        if (body.Password !== documentedPassword(creds.shortcode, creds.passkey, timestamp))
          return fail(500, '500.001.1001', 'Wrong credentials');
        const type = body.TransactionType;
        if (type !== 'CustomerPayBillOnline' && type !== 'CustomerBuyGoodsOnline')
          return fail(400, '400.002.02', 'Bad Request - Invalid TransactionType');
        const partyB = String(body.PartyB);
        if (type === 'CustomerPayBillOnline' && partyB !== shortcode) return fail(400, '400.002.02', 'Bad Request - Invalid PartyB');
        if (type === 'CustomerBuyGoodsOnline' && partyB !== DARAJA_SANDBOX_TILL)
          return fail(500, '500.001.1001', 'No till is found for CustomerPayMerchant');
        const amount = Number(body.Amount);
        if (!Number.isInteger(amount) || amount < 1) return fail(400, '400.002.02', 'Bad Request - Invalid Amount');
        const phone = String(body.PhoneNumber);
        if (!KE_MSISDN.test(String(body.PartyA))) return fail(400, '400.002.02', 'Bad Request - Invalid PartyA');
        if (!KE_MSISDN.test(phone)) return fail(400, '400.002.02', 'Bad Request - Invalid PhoneNumber');
        const callbackUrl = String(body.CallBackURL);
        if (/\s/.test(callbackUrl) || !/^https?:\/\/[^/]+/.test(callbackUrl))
          return fail(400, '400.002.02', 'Bad Request - Invalid CallBackURL');
        if (String(body.AccountReference).length > 12) return fail(400, '400.002.02', 'Bad Request - Invalid AccountReference');

        const scenario = scenarioFor(phone);
        if (scenario === 'locked')
          return fail(500, '500.001.1001', 'Unable to lock subscriber, a transaction is already in process for the current subscriber');

        const push: Push = {
          checkoutRequestId: checkoutId(phone),
          merchantRequestId: `${randomInt(10000, 99999)}-${randomInt(1_000_000, 99_999_999)}-${++merchantSeq}`,
          scenario,
          amount,
          phone,
          callbackUrl,
          result: null,
          queries: 0,
        };
        pushes.set(push.checkoutRequestId, push);
        settle(push);
        log(request, 200, body);
        return reply.send({
          MerchantRequestID: push.merchantRequestId,
          CheckoutRequestID: push.checkoutRequestId,
          ResponseCode: '0',
          ResponseDescription: 'Success. Request accepted for processing',
          CustomerMessage: 'Success. Request accepted for processing',
        });
      });

      scope.post('/mpesa/stkpushquery/v1/query', async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const fail = (status: number, code: string, message: string) => {
          log(request, status, body);
          return error(reply, status, code, message);
        };
        if (!authorised(request)) return fail(404, '404.001.03', 'Invalid Access Token');
        const timestamp = String(body.Timestamp ?? '');
        if (String(body.BusinessShortCode ?? '') !== creds.shortcode)
          return fail(400, '400.002.02', 'Bad Request - Invalid BusinessShortCode');
        if (!validTimestamp(timestamp)) return fail(400, '400.002.02', 'Bad Request - Invalid Timestamp');
        if (body.Password !== documentedPassword(creds.shortcode, creds.passkey, timestamp))
          return fail(500, '500.001.1001', 'Wrong credentials');
        const push = pushes.get(String(body.CheckoutRequestID ?? ''));
        if (!push) return fail(400, '400.002.02', 'Bad Request - Invalid CheckoutRequestID');
        push.queries++;
        if (push.scenario === 'ambiguous' && push.result === null && push.queries > ctx.ambiguousQueries) push.result = RESULTS.ambiguous;
        // While the prompt is open the query answers HTTP 500 "being processed" (§1.5).
        if (push.result === null) return fail(500, '500.001.1001', 'The transaction is being processed');
        log(request, 200, body);
        return reply.send({
          ResponseCode: '0',
          ResponseDescription: 'The service request has been accepted successsfully',
          MerchantRequestID: push.merchantRequestId,
          CheckoutRequestID: push.checkoutRequestId,
          ResultCode: String(push.result.code),
          ResultDesc: push.result.desc,
        });
      });

      // Test control (§8 transport faults): every issued token becomes invalid (404.001.03).
      scope.post('/__sim/expire-tokens', async (request, reply) => {
        tokens.clear();
        log(request, 204);
        return reply.code(204).send();
      });
    },
    { prefix: DARAJA_SANDBOX_PREFIX },
  );
}

function randomInt(min: number, max: number): number {
  return min + (randomBytes(4).readUInt32BE(0) % (max - min + 1));
}
