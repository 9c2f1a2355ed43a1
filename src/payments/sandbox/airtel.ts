// Fake Airtel Money Open API (../shared/notes/payments.md §4, §8) under /sandbox/airtel, so the
// adapter's baseUrl is http://host:port/sandbox/airtel (production: https://openapi.airtel.africa).
// Reproduces: POST /auth/oauth2/token (client_credentials, JSON, expires_in "180" as a string, the
// token really dies after 180 s), Bearer + X-Country/X-Currency checks, msisdn refused when it
// carries the country code, the push ack with "id": false, TS/TF/TE callbacks {transaction:{id,
// message,status_code,airtel_money_id}} with a top-level "hash" (callback authentication on), and
// GET /standard/v1/payments/{id} with TS/TF/TIP/TA/TE and DP008000010xx response codes.
// Differences from the real API, on purpose:
// - Airtel calls back to the URL set on the app; this fake has no app settings, so it takes the
//   URL from the sandbox-only header the adapter sends only with `sandbox: true`.
// - ESB result codes other than ESB000010 (success) are placeholders; the adapter keys on
//   `success`, response_code and the message, not on them.
// - POST /sandbox/airtel/__sim/expire-tokens kills every token (to test the adapter's refresh).
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AIRTEL_SANDBOX_CALLBACK_HEADER, AIRTEL_SANDBOX_CREDENTIALS } from '../providers/airtel.js';
import { scenarioFor, type SandboxContext, type SandboxScenario } from './context.js';

const PROVIDER = 'airtel';
const TOKEN_SECONDS = 180;
const CURRENCY: Record<string, string> = { TZ: 'TZS', KE: 'KES' };
const COUNTRY_CODE: Record<string, string> = { TZ: '255', KE: '254' };

type TxStatus = 'TIP' | 'TS' | 'TF' | 'TE' | 'TA';

interface Tx {
  id: string;
  amount: number;
  country: string;
  currency: string;
  msisdn: string;
  scenario: SandboxScenario;
  callbackUrl?: string;
  status: TxStatus;
  responseCode: string;
  message: string;
  airtelMoneyId?: string;
  pendingQueries: number;
}

const CODE_FOR: Partial<Record<SandboxScenario, { status: TxStatus; code: string; message: string }>> = {
  cancelled: { status: 'TF', code: 'DP00800001008', message: 'The transaction was refused by the subscriber' },
  insufficient_funds: { status: 'TF', code: 'DP00800001007', message: 'Not enough balance in the wallet to complete the transaction' },
  unreachable: { status: 'TF', code: 'DP00800001009', message: 'Subscriber is not reachable' },
  timeout: { status: 'TE', code: 'DP00800001024', message: 'Transaction timed out' },
  wrong_pin: { status: 'TF', code: 'DP00800001002', message: 'Incorrect PIN has been entered' },
  late_success: { status: 'TE', code: 'DP00800001024', message: 'Transaction timed out' },
};

function status(code: string, message: string, success: boolean, resultCode = success ? 'ESB000010' : 'ESB000011', responseCode?: string) {
  return { code, message, result_code: resultCode, ...(responseCode ? { response_code: responseCode } : {}), success };
}

export function registerAirtelSandbox(app: FastifyInstance, ctx: SandboxContext): void {
  const cred = AIRTEL_SANDBOX_CREDENTIALS;
  const tokens = new Map<string, number>(); // token → expiry (ms)
  const txs = new Map<string, Tx>();

  function bearerOk(req: FastifyRequest): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const until = m ? tokens.get(m[1]) : undefined;
    return until !== undefined && until > ctx.now().getTime();
  }

  function unauthorized(reply: FastifyReply, what: string) {
    const body = { error: 'invalid_token', error_description: 'The access token is missing, invalid or expired' };
    ctx.record({ provider: PROVIDER, direction: 'in', what: `${what} refused: bad token`, status: 401, body });
    return reply.code(401).send(body);
  }

  function headerCountry(req: FastifyRequest): { country: string; currency: string } | string {
    const country = String(req.headers['x-country'] ?? '').toUpperCase();
    const currency = String(req.headers['x-currency'] ?? '').toUpperCase();
    if (!CURRENCY[country]) return 'Invalid or missing X-Country';
    if (CURRENCY[country] !== currency) return 'Invalid or missing X-Currency';
    return { country, currency };
  }

  function moneyId(): string {
    const d = ctx.now().toISOString();
    return `MP${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}.${d.slice(11, 13)}${d.slice(14, 16)}.${ctx.id('A', 6)}`;
  }

  async function callback(tx: Tx): Promise<void> {
    if (!tx.callbackUrl) {
      ctx.record({
        provider: PROVIDER,
        direction: 'out',
        what: `no callback URL for ${tx.id} (the adapter sends it only in sandbox mode)`,
      });
      return;
    }
    const transaction = { id: tx.id, message: tx.message, status_code: tx.status, airtel_money_id: tx.airtelMoneyId ?? '' };
    const hash = createHmac('sha256', cred.callbackKey!).update(JSON.stringify(transaction), 'utf8').digest('base64');
    await ctx.sendCallback(PROVIDER, tx.callbackUrl, JSON.stringify({ transaction, hash }));
  }

  function succeed(tx: Tx, amount = tx.amount): void {
    tx.status = 'TS';
    tx.responseCode = 'DP00800001001';
    tx.airtelMoneyId = moneyId();
    tx.message = `Paid ${tx.currency} ${amount.toLocaleString('en-US')} to NETFLOW WIFI, Trans ID ${tx.airtelMoneyId}`;
  }

  function fail(tx: Tx, how: { status: TxStatus; code: string; message: string }): void {
    Object.assign(tx, { status: how.status, responseCode: how.code, message: how.message });
  }

  async function play(tx: Tx): Promise<void> {
    switch (tx.scenario) {
      case 'success':
        succeed(tx);
        return callback(tx);
      case 'wrong_amount':
        succeed(tx, tx.amount - 1);
        return callback(tx);
      case 'duplicate_callback':
        succeed(tx);
        for (let i = 0; i < 3; i++) await callback(tx);
        return;
      case 'no_callback':
        succeed(tx);
        return;
      case 'ambiguous':
        // Airtel itself is unsure (TA) for a few enquiries, then settles; no callback.
        fail(tx, { status: 'TA', code: 'DP00800001000', message: 'Transaction is ambiguous' });
        return;
      case 'late_success':
        fail(tx, CODE_FOR.late_success!);
        await callback(tx);
        ctx.later(ctx.lateAfterMs, async () => {
          succeed(tx);
          await callback(tx);
        });
        return;
      default: {
        const how = CODE_FOR[tx.scenario];
        if (how) fail(tx, how);
        return callback(tx);
      }
    }
  }

  void app.register(
    async (s) => {
      s.post('/auth/oauth2/token', async (req, reply) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        ctx.record({
          provider: PROVIDER,
          direction: 'in',
          what: 'token',
          body: { client_id: body.client_id, grant_type: body.grant_type },
        });
        if (body.grant_type !== 'client_credentials')
          return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
        if (body.client_id !== cred.clientId || body.client_secret !== cred.clientSecret) {
          return reply.code(401).send({ error: 'invalid_client', error_description: 'Invalid client credentials' });
        }
        const token = randomBytes(24).toString('base64url');
        tokens.set(token, ctx.now().getTime() + TOKEN_SECONDS * 1000);
        return reply.send({ access_token: token, expires_in: String(TOKEN_SECONDS), token_type: 'bearer' });
      });

      s.post('/merchant/v1/payments/', async (req, reply) => {
        const body = (req.body ?? {}) as {
          reference?: unknown;
          subscriber?: Record<string, unknown>;
          transaction?: Record<string, unknown>;
        };
        ctx.record({ provider: PROVIDER, direction: 'in', what: 'payment', body });
        if (!bearerOk(req)) return unauthorized(reply, 'payment');
        const where = headerCountry(req);
        const bad = (message: string, resultCode = 'ESB000008') =>
          reply.code(400).send({ data: {}, status: status('400', message, false, resultCode) });
        if (typeof where === 'string') return bad(where);
        const sub = body.subscriber ?? {};
        const t = body.transaction ?? {};
        const msisdn = String(sub.msisdn ?? '');
        if (msisdn.startsWith(COUNTRY_CODE[where.country]) && msisdn.length > 9)
          return bad('Invalid MSISDN: do not send the country code', 'ESB000036');
        if (!/^\d{9}$/.test(msisdn)) return bad('Invalid MSISDN', 'ESB000036');
        if (
          t.country !== where.country ||
          sub.country !== where.country ||
          t.currency !== where.currency ||
          sub.currency !== where.currency
        )
          return bad('Country or currency does not match the headers');
        const amount = Number(t.amount);
        if (!Number.isFinite(amount) || amount <= 0) return bad('Invalid amount', 'ESB000008');
        const id = typeof t.id === 'string' ? t.id : '';
        if (!id) return bad('Missing transaction id');
        if (txs.has(id)) return bad('Transaction id already exists', 'ESB000041');
        const scenario = scenarioFor(msisdn);
        if (scenario === 'locked') {
          // Another prompt is still open on this phone.
          return reply.send({
            data: { transaction: { id: false, status: 'FAILED' } },
            status: status('200', 'A transaction is already in progress for this subscriber, try again later', false),
          });
        }
        const cbHeader = req.headers[AIRTEL_SANDBOX_CALLBACK_HEADER];
        const tx: Tx = {
          id,
          amount,
          country: where.country,
          currency: where.currency,
          msisdn,
          scenario,
          callbackUrl: typeof cbHeader === 'string' ? cbHeader : undefined,
          status: 'TIP',
          responseCode: 'DP00800001006',
          message: 'In process',
          pendingQueries: scenario === 'ambiguous' ? ctx.ambiguousQueries : 0,
        };
        txs.set(id, tx);
        ctx.later(ctx.approveAfterMs, () => play(tx));
        // The documented ack: "id": false, the push is only in process (§4.3).
        return reply.send({
          data: { transaction: { id: false, status: 'SUCCESS' } },
          status: status('200', 'SUCCESS', true, 'ESB000010', 'DP00800001006'),
        });
      });

      s.get<{ Params: { id: string } }>('/standard/v1/payments/:id', async (req, reply) => {
        ctx.record({ provider: PROVIDER, direction: 'in', what: `enquiry ${req.params.id}` });
        if (!bearerOk(req)) return unauthorized(reply, 'enquiry');
        const where = headerCountry(req);
        if (typeof where === 'string') return reply.code(400).send({ data: {}, status: status('400', where, false, 'ESB000008') });
        const tx = txs.get(req.params.id);
        if (!tx)
          return reply.code(404).send({ data: {}, status: status('404', 'Transaction not found', false, 'ESB000011', 'DP00800001025') });
        if (tx.scenario === 'ambiguous' && tx.status !== 'TS') {
          if (tx.pendingQueries > 0) tx.pendingQueries--;
          else succeed(tx);
        }
        return reply.send({
          data: { transaction: { airtel_money_id: tx.airtelMoneyId ?? '', id: tx.id, message: tx.message, status: tx.status } },
          status: status('200', tx.status === 'TS' ? 'SUCCESS' : tx.message, true, 'ESB000010', tx.responseCode),
        });
      });

      s.post('/__sim/expire-tokens', async () => {
        tokens.clear();
        return { expired: true };
      });
    },
    { prefix: '/sandbox/airtel' },
  );
}
