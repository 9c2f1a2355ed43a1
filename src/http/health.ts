// The operators' face: /healthz for load balancers and supervisors, /metrics for Prometheus.
// Both are polled every few seconds, so their requests are logged only at warn and above.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HealthOk, HealthUnavailable, MetricsText } from './schemas/health.js';

export interface HealthDeps {
  /** Resolves when the database answers; rejects otherwise. */
  pingDatabase(): Promise<void>;
  /** RADIUS counters by name (received, replied, dropped by reason…). */
  radiusStats(): Record<string, number>;
  /** Other gauges and counters by name (netflow_<name>), e.g. the portal's rate limiter. */
  gauges?(): Record<string, number>;
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

  app.get('/metrics', { logLevel: 'warn', schema: { response: { 200: MetricsText } } }, async (_req, reply) => {
    const lines = Object.entries(deps.radiusStats()).map(([name, value]) => `netflow_radius_${name} ${value}`);
    for (const [name, value] of Object.entries(deps.gauges?.() ?? {})) lines.push(`netflow_${name} ${value}`);
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });
};
