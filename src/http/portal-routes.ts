// The captive portal's API (JSON, schema-validated, rate-limited): what is on sale at this router,
// buying it with mobile money, redeeming a voucher, a returning guest's time left, the operator's
// branding. Stable routes under /api/v1/portal (the
// prefix src/http/app.ts registers this plugin with); shapes in ./schemas/portal.ts.
import { isIP } from 'node:net';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { plainIp } from '../core/addresses.js';
import type { PrismaClient } from '../db/generated/client.js';
import { normalizeMac } from '../radius/values.js';
import { isUuid, PaymentInputError, type PaymentService, type ProviderRegistry } from '../payments/service.js';
import { findActiveRouter, UNKNOWN_ROUTER_MESSAGE } from '../routers/routers.js';
import { checkVoucher } from '../portal/vouchers.js';
import { readBranding } from '../portal/branding.js';
import { guestStatus } from '../portal/guest-status.js';
import { parsePhone, PhoneError, type Country } from '../payments/phone.js';
import type { Limit, RateLimiter } from './rate-limit.js';
import { errorResponses } from './schemas/common.js';
import {
  BrandingResponse,
  PackagesResponse,
  PhoneQuery,
  PhoneResponse,
  PurchaseAnyView,
  PurchaseBody,
  PurchaseParams,
  PurchaseQuery,
  PurchaseView,
  RecoverBody,
  RedeemBody,
  RedeemResponse,
  RouterQuery,
  StatusBody,
  StatusResponse,
} from './schemas/portal.js';

export interface PortalDeps {
  prisma: PrismaClient;
  /** Local phone numbers are read in this country. */
  country: Country;
  /** Null until the payment side is ready (providers need NetFlow's own address). */
  payments(): { service: PaymentService; providers: ProviderRegistry } | null;
  /** Counts tries in the database every instance shares (src/http/rate-limit.ts). */
  limiter: RateLimiter;
  limits?: Partial<PortalLimits>;
}

/**
 * Limits are keyed by what a guest cannot change for free: the router (by id, whether the portal
 * named it or gave its address) and the source address of the request, never by a body field
 * (a made-up `mac` costs nothing). Guests behind one router usually share its public address, so
 * the per-address limits are sized for a busy site, not for one device.
 */
export interface PortalLimits {
  /** Purchases per router and source address. */
  purchasesPerAddress: Limit;
  /** Purchases per phone number: stops push-prompt spam to someone else's phone. */
  purchasesPerPhone: Limit;
  /** Voucher tries per router and source address: caps code guessing. */
  redeemsPerAddress: Limit;
  /** Code recoveries (receipt + phone) per router and source address, and per phone number:
   * receipt + phone is a proof only because it cannot be guessed in a few tries. */
  recoversPerAddress: Limit;
  recoversPerPhone: Limit;
  /** Time-left lookups per router and source address (each may present codes: caps guessing). */
  statusPerAddress: Limit;
}

const TEN_MINUTES = 10 * 60_000;

export const DEFAULT_PORTAL_LIMITS: PortalLimits = {
  purchasesPerAddress: { limit: 60, windowMs: TEN_MINUTES },
  purchasesPerPhone: { limit: 5, windowMs: TEN_MINUTES },
  redeemsPerAddress: { limit: 300, windowMs: TEN_MINUTES },
  recoversPerAddress: { limit: 20, windowMs: TEN_MINUTES },
  recoversPerPhone: { limit: 5, windowMs: TEN_MINUTES },
  statusPerAddress: { limit: 300, windowMs: TEN_MINUTES },
};

/**
 * The source address as a rate-limit key: IPv4 as it is (an IPv4-mapped IPv6 address as IPv4),
 * IPv6 by its /64, the one network a host picks its own addresses in.
 */
export function addressKey(ip: string): string {
  const plain = plainIp(ip);
  if (!plain.includes(':')) return plain;
  const [head, tail] = ip.split('%')[0].toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return (
    groups
      .slice(0, 4)
      .map((g) => (parseInt(g, 16) || 0).toString(16))
      .join(':') + '::/64'
  );
}

/** The purchase token also travels as this cookie (httpOnly: page scripts cannot read it). */
export const PURCHASE_COOKIE = 'netflow_purchase';
const PURCHASE_COOKIE_SECONDS = 7 * 24 * 3600;

function fail(reply: FastifyReply, status: number, message: string, field?: string) {
  return reply.code(status).send({ error: message, ...(field ? { field } : {}) });
}

/** Every purchase token the request presents: X-Purchase-Token, ?token=, the cookie. */
function presentedTokens(req: FastifyRequest): string[] {
  const tokens: string[] = [];
  const header = req.headers['x-purchase-token'];
  for (const h of Array.isArray(header) ? header : header ? [header] : []) tokens.push(h.trim());
  const query = (req.query as { token?: unknown } | undefined)?.token;
  if (typeof query === 'string') tokens.push(query);
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    // Our tokens are base64url: nothing to decode (and a malformed %-escape cannot throw).
    if (eq > 0 && part.slice(0, eq).trim() === PURCHASE_COOKIE) tokens.push(part.slice(eq + 1).trim());
  }
  return tokens.filter((t) => t.length > 0).slice(0, 4);
}

function ipOrFail(reply: FastifyReply, ip: string | undefined): boolean {
  if (ip === undefined || ip === '' || isIP(ip) !== 0) return true;
  void fail(reply, 400, `"${ip}" is not an IPv4 or IPv6 address`, 'ip');
  return false;
}

function macOrFail(reply: FastifyReply, mac: string | undefined): string | null | undefined {
  if (mac === undefined || mac === '') return null;
  const n = normalizeMac(mac);
  if (n === null) {
    void fail(reply, 400, `"${mac}" is not a MAC address`, 'mac');
    return undefined;
  }
  return n;
}

function tooMany(reply: FastifyReply, retryAfterSeconds: number, message: string) {
  reply.header('retry-after', String(retryAfterSeconds));
  return fail(reply, 429, message);
}

export const portalPlugin: FastifyPluginAsyncTypebox<PortalDeps> = async (app, deps) => {
  const limits = { ...DEFAULT_PORTAL_LIMITS, ...deps.limits };
  // The router a request names, by name or address, to its id: one key per router however it is
  // named. Cached briefly (a flood must not cost a query per request); a router added or
  // deactivated is seen within seconds, and the routes below check it again where it matters.
  const routerIds = new LRUCache<string, { id: number | null }>({
    max: 1000,
    ttl: 5_000,
    fetchMethod: async (nameOrIp) => ({ id: (await findActiveRouter(deps.prisma, nameOrIp))?.id ?? null }),
  });
  const routerIdOf = async (nameOrIp: string) => (await routerIds.fetch(nameOrIp))?.id ?? null;

  app.get(
    '/packages',
    { schema: { querystring: RouterQuery, response: { 200: PackagesResponse, ...errorResponses } } },
    async (req, reply) => {
      const router = await findActiveRouter(deps.prisma, req.query.router);
      if (!router) return fail(reply, 404, UNKNOWN_ROUTER_MESSAGE, 'router');
      const packages = await deps.prisma.package.findMany({
        where: { active: true },
        orderBy: [{ priceMinor: 'asc' }, { minutes: 'asc' }],
      });
      const pay = deps.payments();
      // Test money is offered only where it is accepted (a router marked for testing).
      const providers = (pay?.providers.all() ?? []).filter((p) => !p.sandbox || router.acceptsTestMoney);
      return {
        router: { name: router.name, location: router.location },
        packages: packages.map((p) => ({
          id: p.id,
          name: p.name,
          minutes: p.minutes,
          priceMinor: String(p.priceMinor),
          currency: p.currency,
          rateLimit: { up: p.rateLimitUp, down: p.rateLimitDown },
          dataCapBytes: p.dataCapBytes === null ? null : String(p.dataCapBytes),
          devices: p.devicesAllowed,
        })),
        payment: {
          testMoney: providers.some((p) => p.sandbox),
          providers: providers.map((p) => ({
            id: p.id,
            name: p.displayName,
            networks: [...p.networks],
            currencies: [...p.currencies],
            testMoney: p.sandbox,
          })),
        },
      };
    },
  );

  // The portal pre-selects the network from the number as the guest types it; the guest may
  // change it (numbers are portable), so this is a suggestion, not a rule.
  app.get('/phone', { schema: { querystring: PhoneQuery, response: { 200: PhoneResponse, ...errorResponses } } }, async (req, reply) => {
    const pay = deps.payments();
    if (!pay) return fail(reply, 503, 'Payments are starting up; try again in a moment.');
    try {
      const phone = parsePhone(req.query.phone, deps.country);
      const provider = phone.network ? pay.providers.forNetwork(phone.network, phone.country === 'KE' ? 'KES' : 'TZS') : undefined;
      return { e164: phone.e164, country: phone.country, network: phone.network, provider: provider?.id ?? null };
    } catch (err) {
      if (err instanceof PhoneError) return reply.code(422).send({ error: err.en, errorSw: err.sw, field: 'phone' });
      throw err;
    }
  });

  app.post(
    '/purchases',
    { schema: { body: PurchaseBody, response: { 200: PurchaseView, 202: PurchaseView, ...errorResponses } } },
    async (req, reply) => {
      const pay = deps.payments();
      if (!pay) return fail(reply, 503, 'Payments are starting up; try again in a moment.');
      const mac = macOrFail(reply, req.body.mac);
      if (mac === undefined) return reply;
      if (!ipOrFail(reply, req.body.ip)) return reply;
      const routerId = await routerIdOf(req.body.router);
      if (routerId === null) return fail(reply, 404, UNKNOWN_ROUTER_MESSAGE, 'router');
      // The address first: a phone number is only counted (and its row created) for a request its
      // address may make, so rotating made-up numbers cannot outgrow the address's limit.
      const verdict = await deps.limiter.take(
        [`purchase:${routerId}:${addressKey(req.ip)}`, limits.purchasesPerAddress],
        [`phone:${req.body.phone.replace(/\D/g, '').slice(-9)}`, limits.purchasesPerPhone],
      );
      if (!verdict.ok)
        return tooMany(reply, verdict.retryAfterSeconds, 'Too many payment attempts. Please wait a few minutes and try again.');
      try {
        const view = await pay.service.startPurchase(
          { ...req.body, mac: mac ?? undefined, ip: req.body.ip || undefined },
          presentedTokens(req),
        );
        if (view.token) {
          const secure = req.protocol === 'https' ? '; Secure' : '';
          reply.header(
            'set-cookie',
            `${PURCHASE_COOKIE}=${view.token}; Path=/api/v1/portal; Max-Age=${PURCHASE_COOKIE_SECONDS}; HttpOnly; SameSite=Lax${secure}`,
          );
        }
        reply.header('cache-control', 'no-store');
        return reply
          .code(view.status === 'pending' ? 202 : 200)
          .header('location', `/api/v1/portal/purchases/${view.id}`)
          .send(view);
      } catch (err) {
        if (err instanceof PaymentInputError) return fail(reply, err.status, err.message, err.field);
        throw err;
      }
    },
  );

  // Anyone with the id sees how the purchase is going; the access code (and the receipt, which
  // with the phone is a proof of payment) only with the token given to the browser that started it.
  app.get(
    '/purchases/:id',
    { schema: { params: PurchaseParams, querystring: PurchaseQuery, response: { 200: PurchaseAnyView, ...errorResponses } } },
    async (req, reply) => {
      if (!isUuid(req.params.id))
        return fail(
          reply,
          400,
          `"${req.params.id.slice(0, 64)}" is not a purchase id (a UUID, as returned when the purchase was made).`,
          'id',
        );
      const pay = deps.payments();
      if (!pay) return fail(reply, 503, 'Payments are starting up; try again in a moment.');
      const view = await pay.service.getPurchase(req.params.id, presentedTokens(req));
      if (!view) return fail(reply, 404, 'No such purchase.');
      reply.header('cache-control', 'no-store');
      return view;
    },
  );

  // A guest who lost the page (another browser, the captive portal window closed) gets the code
  // back by proving the payment: the receipt from the provider's SMS and the phone that paid.
  app.post(
    '/purchases/recover',
    { schema: { body: RecoverBody, response: { 200: PurchaseView, ...errorResponses } } },
    async (req, reply) => {
      const pay = deps.payments();
      if (!pay) return fail(reply, 503, 'Payments are starting up; try again in a moment.');
      const routerId = await routerIdOf(req.body.router);
      if (routerId === null) return fail(reply, 404, UNKNOWN_ROUTER_MESSAGE, 'router');
      const verdict = await deps.limiter.take(
        [`recover:${routerId}:${addressKey(req.ip)}`, limits.recoversPerAddress],
        [`recover-phone:${req.body.phone.replace(/\D/g, '').slice(-9)}`, limits.recoversPerPhone],
      );
      if (!verdict.ok) return tooMany(reply, verdict.retryAfterSeconds, 'Too many attempts. Please wait a few minutes and try again.');
      try {
        const view = await pay.service.recoverPurchase(req.body);
        if (!view) return fail(reply, 404, 'No paid purchase at this Wi-Fi network matches this phone number and receipt.');
        reply.header('cache-control', 'no-store');
        return view;
      } catch (err) {
        if (err instanceof PaymentInputError) return fail(reply, err.status, err.message, err.field);
        throw err;
      }
    },
  );

  app.post(
    '/vouchers/redeem',
    { schema: { body: RedeemBody, response: { 200: RedeemResponse, ...errorResponses } } },
    async (req, reply) => {
      const mac = macOrFail(reply, req.body.mac);
      if (mac === undefined) return reply;
      if (!ipOrFail(reply, req.body.ip)) return reply;
      const routerId = await routerIdOf(req.body.router);
      if (routerId === null) return reply.code(404).send({ error: UNKNOWN_ROUTER_MESSAGE, reason: 'unknown_router' });
      const verdict = await deps.limiter.take([`redeem:${routerId}:${addressKey(req.ip)}`, limits.redeemsPerAddress]);
      if (!verdict.ok)
        return tooMany(reply, verdict.retryAfterSeconds, 'Too many voucher attempts. Please wait a few minutes and try again.');
      const result = await checkVoucher(deps.prisma, { code: req.body.code, mac: mac ?? undefined, router: req.body.router });
      if (result.ok) return result;
      const status =
        result.reason === 'unknown_code' || result.reason === 'unknown_router' ? 404 : result.reason === 'device_limit' ? 409 : 410;
      return reply.code(status).send({ error: result.message, reason: result.reason });
    },
  );
  // A returning guest: time and data left on the codes this browser holds, and on this device at
  // this router when the request can speak for the device (src/portal/guest-status.ts says why).
  app.post('/status', { schema: { body: StatusBody, response: { 200: StatusResponse, ...errorResponses } } }, async (req, reply) => {
    const mac = macOrFail(reply, req.body.mac);
    if (mac === undefined) return reply;
    if (!ipOrFail(reply, req.body.ip)) return reply;
    const router = await findActiveRouter(deps.prisma, req.body.router);
    if (!router) return fail(reply, 404, UNKNOWN_ROUTER_MESSAGE, 'router');
    const verdict = await deps.limiter.take([`status:${router.id}:${addressKey(req.ip)}`, limits.statusPerAddress]);
    if (!verdict.ok) return tooMany(reply, verdict.retryAfterSeconds, 'Too many requests. Please wait a few minutes and try again.');
    const from = plainIp(req.ip);
    const speaksForDevice =
      mac !== null && (from === router.ip || (req.body.ip !== undefined && req.body.ip !== '' && from === plainIp(req.body.ip)));
    const entitlements = await guestStatus(deps.prisma, {
      routerId: router.id,
      codes: req.body.codes ?? [],
      mac: speaksForDevice ? mac : null,
    });
    reply.header('cache-control', 'no-store');
    return { entitlements, deviceChecked: speaksForDevice };
  });

  // The operator's name, logo, colours and support phone (settings key portal.branding), re-read
  // every few seconds so a change shows without a restart.
  let branding: { at: number; value: Promise<BrandingResponse> } | null = null;
  app.get('/branding', { schema: { response: { 200: BrandingResponse, ...errorResponses } } }, async (_req, reply) => {
    if (!branding || Date.now() - branding.at > 5_000) {
      const value = readBranding(deps.prisma);
      branding = { at: Date.now(), value };
      value.catch(() => (branding = null));
    }
    reply.header('cache-control', 'no-cache');
    return branding.value;
  });
};
