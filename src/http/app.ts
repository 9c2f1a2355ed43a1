// The HTTP face (Fastify). For now: health and metrics for operators and monitoring; the
// captive portal, dashboard and payment callbacks arrive as plugins of their own.
import Fastify, { type FastifyInstance } from 'fastify';

export interface HttpDeps {
  /** Resolves when the database answers; rejects otherwise. */
  pingDatabase(): Promise<void>;
  /** RADIUS counters by name (received, replied, dropped by reason…). */
  radiusStats(): Record<string, number>;
  /** Other gauges and counters by name (netflow_<name>), e.g. the portal's rate limiter. */
  gauges?(): Record<string, number>;
  startedAt: Date;
  /** Reverse proxies whose X-Forwarded-For is believed (providers are allow-listed by address). */
  trustProxy?: boolean | string[];
}

export function buildHttpApp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false, trustProxy: deps.trustProxy ?? false });

  // One error shape for every route: { error: "what was wrong" }, 4xx for the caller's mistakes,
  // and no internals in a 500.
  app.setErrorHandler((err: { validation?: unknown; statusCode?: number; message: string }, _req, reply) => {
    if (err.validation) return reply.code(400).send({ error: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.code(status).send({ error: status === 500 ? 'Internal error; it has been logged.' : err.message });
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      await deps.pingDatabase();
      return { status: 'ok', uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000) };
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'database not reachable' });
    }
  });

  app.get('/metrics', async (_req, reply) => {
    const lines = Object.entries(deps.radiusStats()).map(([name, value]) => `netflow_radius_${name} ${value}`);
    for (const [name, value] of Object.entries(deps.gauges?.() ?? {})) lines.push(`netflow_${name} ${value}`);
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });

  return app;
}
