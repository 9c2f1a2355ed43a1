// The operators' face: /healthz for load balancers and supervisors, /metrics for Prometheus.
// Both are polled every few seconds, so their requests are logged only at warn and above.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import { HealthOk, HealthUnavailable, MetricsText } from './schemas/health.js';

export interface HealthDeps {
  /** Resolves when the database answers; rejects otherwise. */
  pingDatabase(): Promise<void>;
  /** What /metrics serves (src/app/metrics.ts: prom-client, # HELP and # TYPE); /metrics is 404 without it. */
  metrics?: Registry;
  startedAt: Date;
}

export const healthPlugin: FastifyPluginAsyncTypebox<HealthDeps> = async (app, deps) => {
  app.get('/healthz', { logLevel: 'warn', schema: { response: { 200: HealthOk, 503: HealthUnavailable } } }, async (_req, reply) => {
    try {
      await deps.pingDatabase();
      return { status: 'ok' as const, uptimeSeconds: Math.round((Date.now() - deps.startedAt.getTime()) / 1000) };
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'database not reachable' });
    }
  });

  const registry = deps.metrics;
  if (registry) {
    app.get('/metrics', { logLevel: 'warn', schema: { response: { 200: MetricsText } } }, async (_req, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  }
};
