// The HTTP face (Fastify). For now: health and metrics for operators and monitoring; the
// captive portal, dashboard and payment callbacks arrive as plugins of their own.
import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../config/logger.js';

export interface HttpDeps {
  /** Resolves when the database answers; rejects otherwise. */
  pingDatabase(): Promise<void>;
  /** What /metrics serves (src/app/metrics.ts); /metrics is 404 without it. */
  metrics?: Registry;
  startedAt: Date;
  /** Reverse proxies whose X-Forwarded-For is believed (providers are allow-listed by address). */
  trustProxy?: boolean | string[];
  /** Where a 500's error and stack go, with the request id its body shows. */
  log?: Logger;
}

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
  // Request ids are random, so that one named by a guest or an operator is found in the log of
  // whichever instance served it (Fastify's default counts from 1 in each process).
  const app = Fastify({ logger: false, trustProxy: deps.trustProxy ?? false, genReqId: () => randomUUID() });
  void app.register(helmet, SECURITY_HEADERS);

  // One error shape for every route: { error: "what was wrong" }, 4xx for the caller's mistakes,
  // and no internals in a 500: the error and its stack go to the log under the request id, which
  // the body gives the caller to quote.
  app.setErrorHandler((err: { validation?: unknown; statusCode?: number; message: string; stack?: string }, req, reply) => {
    if (err.validation) return reply.code(400).send({ error: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status !== 500) return reply.code(status).send({ error: err.message });
    // The route's pattern, not the URL: query strings carry phone numbers.
    deps.log?.error('http request failed', { requestId: req.id, method: req.method, route: req.routeOptions.url ?? null, error: err.message, stack: err.stack });
    return reply.code(500).header('x-request-id', req.id).send({ error: 'Internal error; it has been logged.', requestId: req.id });
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      await deps.pingDatabase();
      return { status: 'ok', uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000) };
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'database not reachable' });
    }
  });

  const registry = deps.metrics;
  if (registry) {
    app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  }

  return app;
}
