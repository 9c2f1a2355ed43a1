// NetFlow's HTTP side (Fastify), composed here and only here: the core (logger, request ids,
// security headers, one error shape) and its faces, each an encapsulated plugin with request and
// response schemas (shapes in ./schemas, importable as types by the web/ client):
//   health     /healthz, /metrics                       (./health.ts)
//   portal     /api/v1/portal/*                         (./portal-routes.ts)
//   callbacks  /api/v1/payments/callbacks/:provider     (./callback-routes.ts)
//   sandbox    /sandbox, /sandbox/<provider>/*          (./sandbox.ts; only when test money is on)
//   admin      /api/v1/admin/*                          (./admin/index.ts)
//   web        /, /portal/, /dashboard/, /assets/*      (./web.ts: the built web/ client)
// A face's hooks, content-type parsers and decorators stay inside it.
import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../config/logger.js';
import type { SandboxContext } from '../payments/sandbox/context.js';
import { adminPlugin, type AdminDeps } from './admin/index.js';
import { callbackPlugin, type CallbackDeps } from './callback-routes.js';
import { healthPlugin, type HealthDeps } from './health.js';
import { portalPlugin, type PortalDeps } from './portal-routes.js';
import { sandboxPlugin } from './sandbox.js';
import { webPlugin } from './web.js';

/** What the money side gives the HTTP side (src/app/payments.ts builds it). */
export interface PaymentFaces {
  portal: PortalDeps;
  callbacks: CallbackDeps;
  /** The local payment sandbox, when test money is on. */
  sandbox: SandboxContext | null;
}

export interface HttpDeps extends HealthDeps {
  /** Reverse proxies whose X-Forwarded-For is believed (providers are allow-listed by address). */
  trustProxy?: boolean | string[];
  /**
   * NetFlow's logger. Fastify logs through its pino logger (request lines with their request id;
   * LOG_LEVEL applies); a 500's error and stack go there too, under the request id its body shows.
   */
  log?: Logger;
  /** The portal, callback and sandbox faces; without them only health and metrics are served. */
  payments?: PaymentFaces;
  /** The built web/ client (web/dist by default); null serves no pages. */
  webRoot?: string | null;
  /** The admin API (src/app/admin.ts builds it); without it /api/v1/admin serves nothing. */
  admin?: AdminDeps;
}

/**
 * What a request line shows of a request: never the query string (phone numbers, purchase and
 * callback tokens travel there) nor headers (cookies).
 */
export const REQUEST_LOG_SERIALIZERS = {
  req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
  res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
};

/**
 * Security headers on every response (@fastify/helmet). The policy suits a JSON API and the
 * captive portal pages NetFlow will serve itself, with everything from its own origin (no CDN):
 * no inline script or style, no framing, no plugins. Not upgrade-insecure-requests: inside a
 * hotspot the portal is often reached over plain HTTP. HSTS without includeSubDomains (it only
 * takes effect where an operator serves NetFlow over HTTPS, and must not bind sibling hosts).
 */
export const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
    },
  },
  frameguard: { action: 'deny' as const },
  hsts: { maxAge: 180 * 86_400, includeSubDomains: false },
};

export function buildHttpApp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log?.pino?.child({}, { serializers: REQUEST_LOG_SERIALIZERS }) as FastifyBaseLogger | undefined,
    trustProxy: deps.trustProxy ?? false,
    // Request ids are random, so that one named by a guest or an operator is found in the log of
    // whichever instance served it (Fastify's default counts from 1 in each process).
    genReqId: () => randomUUID(),
  });
  void app.register(helmet, SECURITY_HEADERS);

  // One error shape for every route: { error: "what was wrong" }, 4xx for the caller's mistakes,
  // and no internals in a 500: the error and its stack go to the log under the request id, which
  // the body gives the caller to quote.
  app.setErrorHandler((err: { validation?: unknown; statusCode?: number; message: string; stack?: string }, req, reply) => {
    if (err.validation) return reply.code(400).send({ error: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status !== 500) return reply.code(status).send({ error: err.message });
    // The route's pattern, not the URL: query strings carry phone numbers.
    const fields = { requestId: req.id, method: req.method, route: req.routeOptions.url ?? null, error: err.message, stack: err.stack };
    if (deps.log?.pino) req.log.error(fields, 'http request failed');
    else deps.log?.error('http request failed', fields);
    return reply.code(500).header('x-request-id', req.id).send({ error: 'Internal error; it has been logged.', requestId: req.id });
  });

  void app.register(healthPlugin, deps);
  if (deps.payments) {
    void app.register(portalPlugin, { ...deps.payments.portal, prefix: '/api/v1/portal' });
    void app.register(callbackPlugin, { ...deps.payments.callbacks, prefix: '/api/v1/payments/callbacks' });
    if (deps.payments.sandbox) void app.register(sandboxPlugin, { ctx: deps.payments.sandbox });
  }
  if (deps.admin) void app.register(adminPlugin, { ...deps.admin, prefix: '/api/v1/admin' });
  void app.register(webPlugin, { root: deps.webRoot });
  return app;
}
