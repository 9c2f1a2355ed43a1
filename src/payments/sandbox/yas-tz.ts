// Fake Yas Tanzania (ex-Tigo Pesa) push bill-pay gateway (../shared/notes/payments.md §3, §8)
// under /sandbox/yas_tz, so the adapter's baseUrl is http://host:port/sandbox/yas_tz.
// Reproduces: the per-partner paths "<PARTNER>2DM-GetToken" (form-encoded password grant,
// {access_token, token_type:"bearer", expires_in:3600}, OAuth invalid_grant on a bad password)
// and "<PARTNER>2DM-PushBillpay" (lower-case "bearer", JSON body, BILLER-18 / DebitMandate-10
// acknowledgement codes), then the unsigned callback {Status, Description, MFSTransactionID,
// ReferenceID, Amount:"1000"} whose answer must be BILLER-30-0000-S JSON (checked and logged).
// Differences from the real gateway, on purpose:
// - Yas calls back to the URL registered for the partner; this fake has no registration, so it
//   takes the URL from the sandbox-only header the adapter sends only with `sandbox: true`.
// - There is no status query, as with the real API (§3.5). 'ambiguous' is played as a gateway
//   time-out on the push (HTML 504) followed by a successful callback.
// - POST /sandbox/yas_tz/__sim/expire-tokens kills every token (to test the adapter's refresh).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { YAS_TZ_SANDBOX_CALLBACK_HEADER, YAS_TZ_SANDBOX_CREDENTIALS } from '../providers/yas-tz.js';
import { scenarioFor, type SandboxContext, type SandboxScenario } from './context.js';

const PROVIDER = 'yas_tz';
const TOKEN_SECONDS = 3600;

interface Push {
  referenceId: string;
  amount: number;
  msisdn: string;
  scenario: SandboxScenario;
  callbackUrl?: string;
}

const FAILURE_TEXT: Partial<Record<SandboxScenario, string>> = {
  cancelled: 'Transaction cancelled by customer',
  insufficient_funds: 'Insufficient balance',
  unreachable: 'Subscriber not reachable',
  timeout: 'Transaction timed out',
  wrong_pin: 'Invalid PIN entered',
  late_success: 'Transaction timed out',
};

function ack(code: string, ok: boolean, description: string, referenceId: unknown) {
  return {
    ResponseCode: code,
    ResponseStatus: ok,
    ResponseDescription: description,
    ReferenceID: typeof referenceId === 'string' ? referenceId : '',
  };
}

export function registerYasTzSandbox(app: FastifyInstance, ctx: SandboxContext): void {
  const cred = YAS_TZ_SANDBOX_CREDENTIALS;
  const tokens = new Map<string, number>();
  const pushes = new Map<string, Push>();

  function callbackBody(p: Push, ok: boolean, amount = p.amount) {
    return ok
      ? { Status: true, Description: 'Success', MFSTransactionID: ctx.id('', 10), ReferenceID: p.referenceId, Amount: String(amount) }
      : {
          Status: false,
          Description: FAILURE_TEXT[p.scenario] ?? 'Transaction failed',
          ReferenceID: p.referenceId,
          Amount: String(amount),
        };
  }

  async function deliver(p: Push, body: object): Promise<void> {
    if (!p.callbackUrl) {
      ctx.record({
        provider: PROVIDER,
        direction: 'out',
        what: `no callback URL for ${p.referenceId} (the adapter sends it only in sandbox mode)`,
      });
      return;
    }
    const status = await ctx.sendCallback(PROVIDER, p.callbackUrl, JSON.stringify(body));
    // Yas wants its BILLER-30 answer; note loudly when NetFlow's differs.
    const entry = [...ctx.log].reverse().find((l) => l.what === `callback ${p.callbackUrl}`);
    const answer = (entry?.body as { answer?: { ResponseCode?: string } } | undefined)?.answer;
    if (status !== 200 || answer?.ResponseCode !== 'BILLER-30-0000-S') {
      ctx.record({
        provider: PROVIDER,
        direction: 'out',
        what: `callback for ${p.referenceId} not acknowledged with BILLER-30-0000-S`,
        status: status ?? undefined,
      });
    }
  }

  async function play(p: Push): Promise<void> {
    switch (p.scenario) {
      case 'success':
      case 'ambiguous':
        return deliver(p, callbackBody(p, true));
      case 'wrong_amount':
        return deliver(p, callbackBody(p, true, p.amount - 1));
      case 'duplicate_callback': {
        // The same body three times, MFSTransactionID included.
        const body = callbackBody(p, true);
        for (let i = 0; i < 3; i++) await deliver(p, body);
        return;
      }
      case 'no_callback':
        return;
      case 'late_success':
        await deliver(p, callbackBody(p, false));
        ctx.later(ctx.lateAfterMs, () => deliver(p, callbackBody(p, true)));
        return;
      default:
        return deliver(p, callbackBody(p, false));
    }
  }

  function token(reply: FastifyReply, form: Record<string, string>) {
    ctx.record({ provider: PROVIDER, direction: 'in', what: 'token', body: { username: form.username, grant_type: form.grant_type } });
    if (form.grant_type !== 'password') return reply.code(400).send({ error: 'unsupported_grant_type' });
    if (form.username !== cred.username || form.password !== cred.password) {
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'The user name or password is incorrect.' });
    }
    const t = randomBytes(24).toString('base64url');
    tokens.set(t, ctx.now().getTime() + TOKEN_SECONDS * 1000);
    return reply.send({ access_token: t, token_type: 'bearer', expires_in: TOKEN_SECONDS });
  }

  function push(reply: FastifyReply, authorization: string | undefined, callbackUrl: string | undefined, body: Record<string, unknown>) {
    ctx.record({ provider: PROVIDER, direction: 'in', what: 'push bill-pay', body });
    const m = /^bearer\s+(\S+)$/i.exec(authorization ?? '');
    const until = m ? tokens.get(m[1]) : undefined;
    if (until === undefined || until <= ctx.now().getTime())
      return reply.code(401).send({ Message: 'Authorization has been denied for this request.' });
    const ref = body.ReferenceID;
    if (body.BillerMSISDN !== cred.billerMsisdn) return reply.send(ack('BILLER-18-3040-E', false, 'BillerMSISDN is wrong', ref));
    const msisdn = typeof body.CustomerMSISDN === 'string' ? body.CustomerMSISDN : '';
    if (!msisdn) return reply.send(ack('DebitMandate-10-2002-E', false, 'CustomerMSISDN not passed', ref));
    if (!/^255[67]\d{8}$/.test(msisdn)) return reply.send(ack('DebitMandate-10-2004-V', false, 'Invalid MSISDN', ref));
    if (typeof body.Amount !== 'number' || !Number.isInteger(body.Amount) || body.Amount <= 0)
      return reply.send(ack('BILLER-18-3019-E', false, 'Failed in Min and Max Amount', ref));
    if (typeof ref !== 'string' || !ref || pushes.has(ref))
      return reply.send(ack('DebitMandate-10-2020-V', false, 'Not Valid Reference ID', ref));
    const scenario = scenarioFor(msisdn);
    if (scenario === 'locked') return reply.send(ack('BILLER-18-3020-E', false, 'Failed in Frequency', ref));
    const p: Push = { referenceId: ref, amount: body.Amount, msisdn, scenario, callbackUrl };
    pushes.set(ref, p);
    ctx.later(ctx.approveAfterMs, () => play(p));
    if (scenario === 'ambiguous') {
      // The prompt went out but the gateway's proxy gave up waiting: the adapter cannot know.
      return reply.code(504).type('text/html').send('<html><body><h1>504 Gateway Time-out</h1></body></html>');
    }
    return reply.send(ack('BILLER-18-0000-S', true, 'Request sent', ref));
  }

  void app.register(
    async (s) => {
      s.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      });

      s.post('/__sim/expire-tokens', async () => {
        tokens.clear();
        return { expired: true };
      });

      // Paths are per partner ("NETFLOW2DM-GetToken", "NETFLOW2DM-PushBillpay"): match the suffix.
      s.post<{ Params: { endpoint: string } }>('/:endpoint', async (req, reply) => {
        const endpoint = req.params.endpoint;
        if (/2DM-?GetToken$/i.test(endpoint)) return token(reply, (req.body ?? {}) as Record<string, string>);
        if (/2DM-?PushBillpay$/i.test(endpoint)) {
          const cb = req.headers[YAS_TZ_SANDBOX_CALLBACK_HEADER];
          return push(
            reply,
            req.headers.authorization,
            typeof cb === 'string' ? cb : undefined,
            (req.body ?? {}) as Record<string, unknown>,
          );
        }
        return reply.code(404).type('text/html').send('<html><body>404 Not Found</body></html>');
      });
    },
    { prefix: '/sandbox/yas_tz' },
  );
}
