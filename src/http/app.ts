// The HTTP face (Fastify). For now: health and metrics for operators and monitoring; the
// captive portal, dashboard and payment callbacks arrive as plugins of their own.
import Fastify, { type FastifyInstance } from 'fastify';

export interface HttpDeps {
  /** Resolves when the database answers; rejects otherwise. */
  pingDatabase(): Promise<void>;
  /** RADIUS counters by name (received, replied, dropped by reason…). */
  radiusStats(): Record<string, number>;
  startedAt: Date;
}

export function buildHttpApp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false });

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
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });

  return app;
}
