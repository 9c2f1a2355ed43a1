// What /metrics shows, through prom-client's registry (Prometheus text format with # HELP and
// # TYPE). The RADIUS counters and latency histograms are counted by the RADIUS thread in
// shared memory (src/radius/server.ts) and read here at scrape time, so nothing on the RADIUS
// hot path touches prom-client; the queue depth and payments by status are counted in the
// database at scrape time (both tables have an index led by status).
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { RateLimiterStats } from '../http/rate-limit.js';
import { LATENCY_BUCKETS, type LatencyHistogram, type RadiusStats } from '../radius/server.js';

export interface MetricsSources {
  radiusStats(): RadiusStats;
  /** The portal's rate limiter (absent before payments are set up). */
  limiterStats?(): RateLimiterStats;
  /** For the queue depth and payments by status; without it those are left out. */
  pool?: pg.Pool;
  /** Where a failed scrape query is reported. */
  onError?(message: string, fields: Record<string, unknown>): void;
}

/** A counter whose value is kept elsewhere (a shared buffer, the rate limiter): set at scrape time. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function mirroredGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/**
 * A Prometheus histogram from buckets counted in the RADIUS thread's shared memory: prom-client's
 * Histogram can only be observed in the thread that owns it, so this collector hands the
 * registry the same values (cumulative _bucket{le}, _sum, _count) from the shared counts.
 */
function latencyHistogram(registry: Registry, name: string, help: string, read: () => Record<string, LatencyHistogram>): void {
  const get = async () => {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const [type, h] of Object.entries(read())) {
      let cumulative = 0;
      h.counts.forEach((n, i) => {
        cumulative += n;
        values.push({
          metricName: `${name}_bucket`,
          labels: { le: i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i] : '+Inf', type },
          value: cumulative,
        });
      });
      values.push({ metricName: `${name}_sum`, labels: { type }, value: h.sumSeconds });
      values.push({ metricName: `${name}_count`, labels: { type }, value: h.count });
    }
    return { name, help, type: 'histogram', aggregator: 'sum', values };
  };
  registry.registerMetric({ name, help, type: 'histogram', aggregator: 'sum', get, reset() {} } as unknown as Metric);
}

export function createMetricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  // Process CPU, memory, event-loop delay, GC: prom-client's standard set, names prefixed.
  collectDefaultMetrics({ register: registry, prefix: 'netflow_' });

  const radius = sources.radiusStats;
  mirroredCounter(
    registry,
    'netflow_radius_received_total',
    'RADIUS datagrams received (authentication and accounting ports).',
    () => radius().received,
  );
  mirroredCounter(
    registry,
    'netflow_radius_replied_total',
    'RADIUS replies sent (Access-Accept/Reject, Accounting-Response).',
    () => radius().replied,
  );
  mirroredCounter(
    registry,
    'netflow_radius_duplicates_resent_total',
    'Retransmitted requests answered again from the duplicate cache.',
    () => radius().duplicatesResent,
  );
  new Counter({
    name: 'netflow_radius_dropped_total',
    help: 'RADIUS datagrams dropped without a reply, by reason (see README, Metrics).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(radius().dropped)) this.inc({ reason }, n);
    },
  });
  latencyHistogram(
    registry,
    'netflow_radius_request_duration_seconds',
    'Time from a RADIUS request arriving to its reply being sent (type: access or accounting), answered requests only.',
    () => radius().latency,
  );

  mirroredCounter(
    registry,
    'netflow_radsec_connections_total',
    'RadSec (RADIUS over TLS) connections accepted from a router with a valid certificate.',
    () => radius().radsec.accepted,
  );
  mirroredGauge(registry, 'netflow_radsec_open_connections', 'RadSec connections open now.', () => radius().radsec.open);
  new Counter({
    name: 'netflow_radsec_refused_total',
    help: 'RadSec connections refused or closed by NetFlow, by reason (see README, RadSec).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(radius().radsec.refused)) this.inc({ reason }, n);
    },
  });

  const limiter = sources.limiterStats;
  if (limiter) {
    mirroredGauge(
      registry,
      'netflow_portal_rate_limit_cached_keys',
      'Portal rate-limit keys (router + address, phone) known in memory to be over their limit.',
      () => limiter().cached_keys,
    );
    mirroredGauge(
      registry,
      'netflow_portal_rate_limit_cached_keys_cap',
      'Most keys the rate limiter keeps in memory.',
      () => limiter().cached_keys_cap,
    );
    mirroredCounter(
      registry,
      'netflow_portal_rate_limit_allowed_total',
      'Portal requests the rate limiter let through.',
      () => limiter().allowed_total,
    );
    mirroredCounter(
      registry,
      'netflow_portal_rate_limit_refused_total',
      'Portal requests refused with 429.',
      () => limiter().refused_total,
    );
    mirroredCounter(
      registry,
      'netflow_portal_rate_limit_refused_from_cache_total',
      'Refusals answered from memory, without a database query.',
      () => limiter().refused_from_cache_total,
    );
  }

  const pool = sources.pool;
  if (pool) {
    const failed = (what: string) => (err: unknown) =>
      sources.onError?.('metrics query failed', { metric: what, error: err instanceof Error ? err.message : String(err) });
    new Gauge({
      name: 'netflow_enforcement_queue_depth',
      help: 'Disconnect/CoA requests waiting to reach their router (enforcement_actions pending).',
      registers: [registry],
      async collect() {
        const r = await pool
          .query<{ n: string }>("SELECT count(*) AS n FROM enforcement_actions WHERE status = 'pending'")
          .catch(failed('netflow_enforcement_queue_depth'));
        if (r) this.set(Number(r.rows[0].n));
      },
    });
    new Gauge({
      name: 'netflow_payments',
      help: 'Mobile-money payments in the database by status (test money included).',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const r = await pool
          .query<{ status: string; n: string }>('SELECT status::text, count(*) AS n FROM payments GROUP BY status')
          .catch(failed('netflow_payments'));
        if (!r) return;
        this.reset();
        for (const status of ['pending', 'paid', 'failed', 'expired']) this.set({ status }, 0);
        for (const row of r.rows) this.set({ status: row.status }, Number(row.n));
      },
    });
  }
  return registry;
}
