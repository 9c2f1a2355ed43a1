// Fake Selcom Checkout API (../shared/notes/payments.md §5.1, §8) under /sandbox/selcom, so the
// adapter's baseUrl is http://host:port/sandbox/selcom (production: https://apigw.selcommobile.com/v1).
// Reproduces: SELCOM base64(key) Authorization + HS256 Digest over Timestamp/Signed-Fields on every
// request (a bad one is refused with resultcode 403), the result/resultcode/message/data envelope,
// "111 PENDING" for the push, base64 webhook URLs given per order, webhooks signed the same way
// with string amounts, and order-status rows with payment_status.
// Observed behaviour kept on purpose: Selcom calls the webhook for successful payments only
// (integrators report no callback on cancel), so failures are visible through order-status only.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SELCOM_SANDBOX_CREDENTIALS } from '../providers/selcom.js';
import { scenarioFor, type SandboxContext, type SandboxScenario } from './context.js';

const PROVIDER = 'selcom';

type PaymentStatus = 'PENDING' | 'COMPLETED' | 'USERCANCELLED' | 'CANCELLED' | 'REJECTED';

interface Order {
  orderId: string;
  amount: number;
  webhook: string;
  buyerPhone: string;
  createdAt: Date;
  status: PaymentStatus;
  transid?: string;
  msisdn?: string;
  scenario?: SandboxScenario;
  reference?: string;
  paidAmount?: number;
  /** 'ambiguous': order-status answers left before the result shows. */
  pendingQueries?: number;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function digestOf(secret: string, timestamp: string, fields: string[], values: Record<string, unknown>): string {
  const s = ['timestamp=' + timestamp, ...fields.map((f) => `${f}=${text(values[f])}`)].join('&');
  return createHmac('sha256', secret).update(s, 'utf8').digest('base64');
}

function eat(now: Date): string {
  return new Date(now.getTime() + 3 * 3600_000).toISOString().slice(0, 19) + '+03:00';
}

function channelFor(msisdn: string): string {
  const p = msisdn.slice(3, 5);
  if (['74', '75', '76'].includes(p)) return 'MPESA-TZ';
  if (['65', '67', '71', '77'].includes(p)) return 'TIGOPESA-TZ';
  if (['68', '69', '78'].includes(p)) return 'AIRTELMONEY-TZ';
  if (['61', '62'].includes(p)) return 'HALOPESA-TZ';
  return 'TPESA-TZ';
}

export function registerSelcomSandbox(app: FastifyInstance, ctx: SandboxContext): void {
  const cred = SELCOM_SANDBOX_CREDENTIALS;
  const orders = new Map<string, Order>();
  const byTransid = new Set<string>();
  let refSeq = 280_000_000 + Math.floor(Math.random() * 100_000_000);
  const selcomRef = () => String(refSeq++).padStart(10, '0');

  function envelope(resultcode: string, result: string, message: string, data: unknown[] = []) {
    return { reference: selcomRef(), resultcode, result, message, data };
  }

  /** The gateway's check of our signature; null when it holds. */
  function authError(req: FastifyRequest, values: Record<string, unknown>): string | null {
    const h = (n: string) => {
      const v = req.headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    if (h('authorization') !== 'SELCOM ' + b64(cred.apiKey)) return 'Invalid API key';
    if ((h('digest-method') ?? '').toUpperCase() !== 'HS256') return 'Unsupported Digest-Method';
    const ts = h('timestamp');
    const digest = h('digest');
    const signed = h('signed-fields');
    if (!ts || !digest || !signed) return 'Missing Digest, Timestamp or Signed-Fields';
    const when = Date.parse(ts);
    if (!Number.isFinite(when) || !/[+-]\d\d:\d\d$|Z$/.test(ts)) return 'Invalid Timestamp';
    if (Math.abs(ctx.now().getTime() - when) > 15 * 60_000) return 'Timestamp out of range';
    const fields = signed.split(',').map((f) => f.trim());
    const unsigned = Object.keys(values).filter((k) => !fields.includes(k));
    if (unsigned.length > 0) return `Field(s) not signed: ${unsigned.join(',')}`;
    const expected = Buffer.from(digestOf(cred.apiSecret, ts, fields, values));
    const got = Buffer.from(digest);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return 'Invalid Digest';
    return null;
  }

  function refuse(reply: FastifyReply, what: string, why: string) {
    const body = envelope('403', 'FAIL', why);
    ctx.record({ provider: PROVIDER, direction: 'in', what: `${what} refused: ${why}`, status: 403, body });
    return reply.code(403).send(body);
  }

  function statusRow(o: Order) {
    return {
      order_id: o.orderId,
      creation_date: o.createdAt.toISOString().replace('T', ' ').slice(0, 19),
      amount: String(o.paidAmount ?? o.amount),
      payment_status: o.status,
      transid: o.transid ?? null,
      channel: o.msisdn ? channelFor(o.msisdn) : null,
      reference: o.reference ?? null,
      msisdn: o.msisdn ?? o.buyerPhone,
    };
  }

  async function sendWebhook(o: Order): Promise<void> {
    const body: Record<string, string> = {
      result: 'SUCCESS',
      resultcode: '000',
      order_id: o.orderId,
      transid: o.transid!,
      reference: o.reference!,
      channel: channelFor(o.msisdn!),
      amount: String(o.paidAmount ?? o.amount), // a string in the webhook (§5.1)
      phone: o.msisdn!,
      payment_status: 'COMPLETED',
    };
    const timestamp = eat(ctx.now());
    const fields = Object.keys(body);
    await ctx.sendCallback(PROVIDER, o.webhook, JSON.stringify(body), {
      authorization: 'SELCOM ' + b64(cred.apiKey),
      'digest-method': 'HS256',
      digest: digestOf(cred.apiSecret, timestamp, fields, body),
      timestamp,
      'signed-fields': fields.join(','),
    });
  }

  function complete(o: Order, amount = o.amount): void {
    o.status = 'COMPLETED';
    o.paidAmount = amount;
    o.reference = selcomRef();
  }

  /** What the simulated guest and network do once the prompt is on the phone. */
  async function play(o: Order): Promise<void> {
    switch (o.scenario) {
      case 'success':
        complete(o);
        return sendWebhook(o);
      case 'wrong_amount':
        complete(o, o.amount - 1);
        return sendWebhook(o);
      case 'duplicate_callback':
        complete(o);
        for (let i = 0; i < 3; i++) await sendWebhook(o);
        return;
      case 'no_callback':
        complete(o);
        return;
      case 'ambiguous':
        return; // order-status answers PENDING ctx.ambiguousQueries times, then COMPLETED
      case 'cancelled':
        o.status = 'USERCANCELLED';
        return;
      case 'timeout':
        o.status = 'CANCELLED'; // the order expired unpaid
        return;
      case 'late_success':
        o.status = 'CANCELLED';
        ctx.later(ctx.lateAfterMs, async () => {
          complete(o);
          await sendWebhook(o);
        });
        return;
      default:
        // insufficient_funds, wrong_pin, unreachable: the wallet refused; Selcom says no more.
        o.status = 'REJECTED';
    }
  }

  void app.register(
    async (s) => {
      s.post('/checkout/create-order-minimal', async (req, reply) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        ctx.record({ provider: PROVIDER, direction: 'in', what: 'create-order-minimal', body });
        const bad = authError(req, body);
        if (bad) return refuse(reply, 'create-order-minimal', bad);
        if (body.vendor !== cred.vendor) return reply.send(envelope('400', 'FAIL', 'Invalid vendor'));
        for (const f of ['order_id', 'buyer_email', 'buyer_name', 'buyer_phone', 'amount', 'currency', 'webhook', 'no_of_items']) {
          if (body[f] === undefined || body[f] === '') return reply.send(envelope('400', 'FAIL', `Missing ${f}`));
        }
        const orderId = String(body.order_id);
        if (orders.has(orderId)) return reply.send(envelope('400', 'FAIL', 'Duplicate order_id'));
        const amount = Number(body.amount);
        if (!Number.isInteger(amount) || amount <= 0) return reply.send(envelope('400', 'FAIL', 'Invalid amount'));
        if (body.currency !== 'TZS') return reply.send(envelope('400', 'FAIL', 'Invalid currency'));
        let webhook: string;
        try {
          webhook = Buffer.from(String(body.webhook), 'base64').toString('utf8');
          new URL(webhook);
        } catch {
          return reply.send(envelope('400', 'FAIL', 'webhook must be a base64-encoded URL'));
        }
        const o: Order = { orderId, amount, webhook, buyerPhone: String(body.buyer_phone), createdAt: ctx.now(), status: 'PENDING' };
        orders.set(orderId, o);
        const token = ctx.id('PT', 16);
        return reply.send(
          envelope('000', 'SUCCESS', 'Order creation successful', [
            {
              order_id: orderId,
              creation_date: statusRow(o).creation_date,
              amount: String(amount),
              payment_status: 'PENDING',
              payment_token: token,
              payment_gateway_url: b64(`https://sandbox.invalid/checkout/${token}`),
            },
          ]),
        );
      });

      s.post('/checkout/wallet-payment', async (req, reply) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        ctx.record({ provider: PROVIDER, direction: 'in', what: 'wallet-payment', body });
        const bad = authError(req, body);
        if (bad) return refuse(reply, 'wallet-payment', bad);
        const o = orders.get(String(body.order_id ?? ''));
        if (!o) return reply.send(envelope('404', 'FAIL', 'Order not found'));
        const transid = String(body.transid ?? '');
        if (!transid) return reply.send(envelope('400', 'FAIL', 'Missing transid'));
        if (byTransid.has(transid)) return reply.send(envelope('400', 'FAIL', 'Duplicate transid'));
        const msisdn = String(body.msisdn ?? '');
        if (!/^255[67]\d{8}$/.test(msisdn)) return reply.send(envelope('400', 'FAIL', 'Invalid msisdn'));
        if (o.status !== 'PENDING') return reply.send(envelope('400', 'FAIL', 'Order is not pending'));
        const scenario = scenarioFor(msisdn);
        if (scenario === 'locked') {
          // The wallet already has a prompt open for this subscriber.
          return reply.send(envelope('999', 'FAIL', 'A transaction is already in progress for this msisdn, try again later'));
        }
        byTransid.add(transid);
        Object.assign(o, { transid, msisdn, scenario, pendingQueries: scenario === 'ambiguous' ? ctx.ambiguousQueries : undefined });
        ctx.later(ctx.approveAfterMs, () => play(o));
        return reply.send(envelope('111', 'PENDING', 'Request in progress. You will receive a callback shortly'));
      });

      s.get('/checkout/order-status', async (req, reply) => {
        const query = (req.query ?? {}) as Record<string, string>;
        ctx.record({ provider: PROVIDER, direction: 'in', what: 'order-status', body: query });
        const bad = authError(req, query);
        if (bad) return refuse(reply, 'order-status', bad);
        const o = orders.get(query.order_id ?? '');
        if (!o) return reply.send(envelope('404', 'FAIL', 'Order not found'));
        if (o.scenario === 'ambiguous' && o.status === 'PENDING') {
          if ((o.pendingQueries ?? 0) > 0) o.pendingQueries!--;
          else complete(o);
        }
        return reply.send(envelope('000', 'SUCCESS', 'Order fetch successful', [statusRow(o)]));
      });
    },
    { prefix: '/sandbox/selcom' },
  );
}
