// Fake Vodacom Tanzania M-Pesa OpenAPI (../shared/notes/payments.md §2, §8) under /sandbox/vodacom_tz,
// serving the real market paths (…/openapi/ipg/v2/vodacomTZN/… and …/sandbox/ipg/v2/vodacomTZN/…):
// getSession with an RSA-encrypted API key, sessions that may need an activation delay, C2B single
// stage that blocks until the simulated guest answers and returns the result synchronously (no
// callback, as the real API), and queryTransactionStatus consistent with what happened.
//
// Key ownership: like the portal, the sandbox has one RSA keypair, generated once per process by
// vodacomTzSandboxKeyPair() in providers/vodacom-tz.ts (so VODACOM_TZ_SANDBOX_CREDENTIALS carries
// its public key without providers/ importing sandbox/). Registration generates it at start; an
// out-of-process client can fetch it from GET /sandbox/vodacom_tz/__sim/public-key.
import { constants, privateDecrypt, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redact } from '../http.js';
import { VODACOM_TZ_SANDBOX_CREDENTIALS, vodacomTzSandboxKeyPair } from '../providers/vodacom-tz.js';
import { scenarioFor, type SandboxContext, type SandboxScenario } from './context.js';

export const VODACOM_TZ_SANDBOX_PREFIX = '/sandbox/vodacom_tz';
const PROVIDER = 'vodacom_tz';
/** Both market roots the real host serves (§2); the sandbox credentials use the second. */
const MARKET_PATHS = ['/openapi/ipg/v2/vodacomTZN', '/sandbox/ipg/v2/vodacomTZN'];

const sandboxKeys = vodacomTzSandboxKeyPair;

/** The sandbox's public key, as the OpenAPI portal displays one (base64 SubjectPublicKeyInfo). */
export function vodacomTzSandboxPublicKey(): string {
  return sandboxKeys().publicKey;
}

export interface VodacomTzSandboxOptions {
  /** A new session is refused until this old (§2.1: ~30 s for real; default 0). */
  sessionActivationMs?: number;
  /** 'no_callback' (here: no synchronous answer) holds the C2B reply this long (default 130 s). */
  holdMs?: number;
}

/**
 * Undoes the PKCS#1 v1.5 encryption of a Bearer. Node 20 refuses RSA_PKCS1_PADDING for private
 * decryption (CVE-2023-46809), so decrypt raw and strip EM = 00 02 PS 00 M ourselves; timing
 * side channels do not matter in a fake.
 */
function decryptBearer(authorization: string | undefined): string | null {
  const m = /^Bearer (\S+)$/.exec(authorization ?? '');
  if (!m) return null;
  try {
    const em = privateDecrypt({ key: sandboxKeys().privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(m[1]!, 'base64'));
    if (em[0] !== 0 || em[1] !== 2) return null;
    const sep = em.indexOf(0, 2);
    if (sep < 10) return null; // at least 8 padding bytes
    return em.subarray(sep + 1).toString('utf8');
  } catch {
    return null;
  }
}

type TxStatus = 'Pending' | 'Completed' | 'Cancelled' | 'Expired' | 'Failed';

interface Tx {
  thirdPartyConversationId: string;
  conversationId: string;
  transactionId: string;
  scenario: SandboxScenario;
  status: TxStatus;
  queries: number;
}

interface Answer {
  status: number;
  code: string;
  desc: string;
}

// HTTP status paired with each code as the OpenAPI documents them; clients must classify by code (§2.5).
const CODES: Record<string, Omit<Answer, 'code'>> = {
  'INS-0': { status: 201, desc: 'Request processed successfully' },
  'INS-1': { status: 500, desc: 'Internal Error' },
  'INS-2': { status: 401, desc: 'Invalid API Key' },
  'INS-5': { status: 401, desc: 'Transaction cancelled by customer' },
  'INS-6': { status: 401, desc: 'Transaction Failed' },
  'INS-9': { status: 408, desc: 'Request timeout' },
  'INS-10': { status: 409, desc: 'Duplicate Transaction' },
  'INS-13': { status: 400, desc: 'Invalid Shortcode Used' },
  'INS-15': { status: 400, desc: 'Invalid Amount Used' },
  'INS-17': { status: 400, desc: 'Invalid Transaction Reference. Length Should Be Between 1 and 20.' },
  'INS-20': { status: 400, desc: 'Not All Parameters Provided. Please try again.' },
  'INS-21': { status: 400, desc: 'Parameter validations failed. Please try again.' },
  'INS-23': { status: 400, desc: 'Unknown Status. Contact M-Pesa Support' },
  'INS-2001': { status: 400, desc: 'Initiator authentication error.' },
  'INS-2006': { status: 422, desc: 'Insufficient balance' },
  'INS-2051': { status: 400, desc: 'MSISDN invalid.' },
};

const answer = (code: string): Answer => ({ code, ...CODES[code]! });

/** What the synchronous C2B answer and the transaction become, by scenario (§8 table). */
const OUTCOMES: Record<Exclude<SandboxScenario, 'locked'>, { code: string; status: TxStatus }> = {
  success: { code: 'INS-0', status: 'Completed' },
  cancelled: { code: 'INS-5', status: 'Cancelled' },
  insufficient_funds: { code: 'INS-2006', status: 'Failed' },
  // The prompt cannot be delivered: a plain failure (the OpenAPI has no "unreachable" code).
  unreachable: { code: 'INS-6', status: 'Failed' },
  timeout: { code: 'INS-9', status: 'Expired' },
  wrong_pin: { code: 'INS-2001', status: 'Failed' },
  // An internal error although the debit is under way: Pending for ambiguousQueries queries, then Completed.
  ambiguous: { code: 'INS-1', status: 'Pending' },
  // The synchronous answer never comes in time (held holdMs); the payment completes meanwhile.
  no_callback: { code: 'INS-0', status: 'Completed' },
  // No callbacks exist here; reuse of a ThirdPartyConversationID gives INS-10 for every scenario.
  duplicate_callback: { code: 'INS-0', status: 'Completed' },
  // INS-9 now, Completed lateAfterMs later.
  late_success: { code: 'INS-9', status: 'Pending' },
  // Neither the answer nor the status query carries an amount, so this is a plain success.
  wrong_amount: { code: 'INS-0', status: 'Completed' },
};

export function registerVodacomTzSandbox(app: FastifyInstance, ctx: SandboxContext, options: VodacomTzSandboxOptions = {}): void {
  const creds = VODACOM_TZ_SANDBOX_CREDENTIALS;
  const activationMs = options.sessionActivationMs ?? 0;
  const holdMs = options.holdMs ?? 130_000;
  sandboxKeys(); // generate at start, not on the first request
  const sessions = new Map<string, number>(); // session id → created (ms)
  const txs = new Map<string, Tx>(); // by ThirdPartyConversationID
  const waiting = new Set<() => void>(); // held C2B replies, released when the app closes

  function log(request: FastifyRequest, status: number, body?: unknown): void {
    ctx.record({
      provider: PROVIDER,
      direction: 'in',
      what: `${request.method} ${request.url.replace(VODACOM_TZ_SANDBOX_PREFIX, '')}`,
      status,
      body: redact(body),
    });
  }

  function send(request: FastifyRequest, reply: FastifyReply, a: Answer, extra: Record<string, unknown> = {}, logged?: unknown) {
    log(request, a.status, logged);
    return reply.code(a.status).send({ output_ResponseCode: a.code, output_ResponseDesc: a.desc, ...extra });
  }

  /** The Bearer must decrypt to a live, activated session id. */
  function sessionOk(request: FastifyRequest): boolean {
    const id = decryptBearer(request.headers.authorization);
    const created = id === null ? undefined : sessions.get(id);
    // A session used before activation is refused like an unknown one [verify: real wording].
    return created !== undefined && Date.now() - created >= activationMs;
  }

  const hex = (bytes: number) => randomBytes(bytes).toString('hex');

  void app.register(
    async (scope) => {
      scope.addHook('preClose', async () => {
        for (const release of [...waiting]) release();
      });
      scope.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
        const a = err.statusCode && err.statusCode < 500 ? answer('INS-21') : answer('INS-1');
        return send(request, reply, a, {}, { error: err.message });
      });

      for (const market of MARKET_PATHS) {
        scope.get(`${market}/getSession/`, async (request, reply) => {
          if (!request.headers.origin) return send(request, reply, answer('INS-20')); // every call carries Origin (§2) [verify: real answer]
          if (decryptBearer(request.headers.authorization) !== creds.apiKey) return send(request, reply, answer('INS-2'));
          const id = hex(16);
          sessions.set(id, Date.now());
          log(request, 200);
          return reply
            .code(200)
            .send({ output_ResponseCode: 'INS-0', output_ResponseDesc: 'Request processed successfully', output_SessionID: id });
        });

        scope.post(`${market}/c2bPayment/singleStage/`, async (request, reply) => {
          const body = (request.body ?? {}) as Record<string, unknown>;
          const str = (k: string): string =>
            typeof body[k] === 'string' ? (body[k] as string) : body[k] === undefined || body[k] === null ? '' : String(body[k]);
          if (!request.headers.origin) return send(request, reply, answer('INS-20'), {}, body);
          if (!sessionOk(request)) return send(request, reply, answer('INS-2'), {}, body);
          const fields = [
            'input_Amount',
            'input_Country',
            'input_Currency',
            'input_CustomerMSISDN',
            'input_ServiceProviderCode',
            'input_ThirdPartyConversationID',
            'input_TransactionReference',
            'input_PurchasedItemsDesc',
          ];
          if (fields.some((f) => str(f) === '')) return send(request, reply, answer('INS-20'), {}, body);
          const tpcid = str('input_ThirdPartyConversationID');
          const echo = { output_ConversationID: '', output_ThirdPartyConversationID: tpcid, output_TransactionID: '' };
          if (str('input_Country') !== 'TZN' || str('input_Currency') !== 'TZS') return send(request, reply, answer('INS-21'), echo, body);
          if (str('input_ServiceProviderCode') !== creds.serviceProviderCode) return send(request, reply, answer('INS-13'), echo, body);
          const reference = str('input_TransactionReference');
          // Whitespace in the reference gives INS-1, not a validation code (§2.2).
          if (/\s/.test(reference)) return send(request, reply, answer('INS-1'), echo, body);
          if (reference.length > 20) return send(request, reply, answer('INS-17'), echo, body);
          if (!/^\d+(\.\d{1,2})?$/.test(str('input_Amount')) || Number(str('input_Amount')) <= 0)
            return send(request, reply, answer('INS-15'), echo, body);
          const msisdn = str('input_CustomerMSISDN');
          if (!/^255\d{9}$/.test(msisdn)) return send(request, reply, answer('INS-2051'), echo, body);
          // A reused ThirdPartyConversationID is a duplicate (§6), whatever the scenario.
          if (txs.has(tpcid)) return send(request, reply, answer('INS-10'), echo, body);

          const scenario = scenarioFor(msisdn);
          const tx: Tx = {
            thirdPartyConversationId: tpcid,
            conversationId: hex(16),
            transactionId: ctx.id('', 10),
            scenario,
            status: 'Pending',
            queries: 0,
          };
          txs.set(tpcid, tx);
          const ids = { output_ConversationID: tx.conversationId, output_ThirdPartyConversationID: tpcid };
          if (scenario === 'locked') {
            tx.status = 'Failed';
            return send(request, reply, answer('INS-10'), { ...ids, output_TransactionID: '' }, body);
          }

          // Block until the simulated guest answers, the client goes away, or the app closes.
          const outcome = OUTCOMES[scenario];
          const result = await new Promise<Answer>((resolve) => {
            let done = false;
            const finish = (a: Answer) => {
              if (done) return;
              done = true;
              waiting.delete(release);
              resolve(a);
            };
            const release = () => finish(answer('INS-1')); // client gone or app closing: nobody reads it
            waiting.add(release);
            reply.raw.on('close', release);
            ctx.later(ctx.approveAfterMs, () => {
              tx.status = outcome.status;
              if (scenario === 'late_success') ctx.later(ctx.lateAfterMs, () => void (tx.status = 'Completed'));
              if (scenario === 'no_callback') {
                const t = setTimeout(() => finish(answer(outcome.code)), holdMs);
                t.unref();
                return;
              }
              finish(answer(outcome.code));
            });
          });
          const paid = result.code === 'INS-0';
          return send(request, reply, result, { ...ids, output_TransactionID: paid ? tx.transactionId : '' }, body);
        });

        scope.get(`${market}/queryTransactionStatus/`, async (request, reply) => {
          const q = request.query as Record<string, string | undefined>;
          if (!request.headers.origin) return send(request, reply, answer('INS-20'), {}, q);
          if (!sessionOk(request)) return send(request, reply, answer('INS-2'), {}, q);
          const ref = q.input_QueryReference ?? '';
          const own = q.input_ThirdPartyConversationID ?? '';
          if (!ref || !own || !q.input_ServiceProviderCode || !q.input_Country) return send(request, reply, answer('INS-20'), {}, q);
          if (q.input_Country !== 'TZN') return send(request, reply, answer('INS-21'), {}, q);
          if (q.input_ServiceProviderCode !== creds.serviceProviderCode) return send(request, reply, answer('INS-13'), {}, q);
          const tx = txs.get(ref) ?? [...txs.values()].find((t) => t.transactionId === ref || t.conversationId === ref);
          if (!tx) return send(request, reply, answer('INS-23'), { output_ThirdPartyConversationID: own }, q);
          tx.queries++;
          if (tx.scenario === 'ambiguous' && tx.status === 'Pending' && tx.queries > ctx.ambiguousQueries) tx.status = 'Completed';
          log(request, 200, q);
          return reply.code(200).send({
            output_ResponseCode: 'INS-0',
            output_ResponseDesc: 'Request processed successfully',
            output_ResponseTransactionStatus: tx.status,
            output_ConversationID: tx.conversationId,
            output_ThirdPartyConversationID: own,
            output_TransactionID: tx.status === 'Completed' ? tx.transactionId : 'N/A',
          });
        });
      }

      // Test control: every session becomes invalid (the adapter must rotate, §2.6).
      scope.post('/__sim/expire-sessions', async (request, reply) => {
        sessions.clear();
        log(request, 204);
        return reply.code(204).send();
      });
      scope.get('/__sim/public-key', async (_request, reply) => reply.send({ publicKey: vodacomTzSandboxPublicKey() }));
    },
    { prefix: VODACOM_TZ_SANDBOX_PREFIX },
  );
}
