// /metrics through prom-client on a whole NetFlow (RADIUS in its thread): every family has its
// # HELP and # TYPE, the RADIUS counters keep their names, and the latency histograms counted in
// the RADIUS thread move on the main thread's /metrics after requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE } from '../../src/radius/codes.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { startTestNetflow } from '../support/netflow.js';
import { TestRadiusClient } from '../support/radius-client.js';

const SECRET = 'metrics-secret-0123456789';

describe('/metrics', () => {
  let env: Awaited<ReturnType<typeof startTestNetflow>>;
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${env.netflow.httpPort}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    return res.text();
  };
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  beforeAll(async () => {
    env = await startTestNetflow();
    await addRouter(env.db, { ip: '127.0.0.1', secret: SECRET });
    const pkg = await addPackage(env.db, { devicesAllowed: 1 });
    await addEntitlement(env.db, pkg.id, { code: 'METRICS1' });
  });
  afterAll(async () => env?.stop());

  it('names every family with # HELP and # TYPE, and keeps the names scripts grep', async () => {
    const text = await scrape();
    for (const [name, type] of [
      ['netflow_radius_received_total', 'counter'],
      ['netflow_radius_replied_total', 'counter'],
      ['netflow_radius_duplicates_resent_total', 'counter'],
      ['netflow_radius_dropped_total', 'counter'],
      ['netflow_radius_request_duration_seconds', 'histogram'],
      ['netflow_portal_rate_limit_cached_keys', 'gauge'],
      ['netflow_portal_rate_limit_refused_total', 'counter'],
      ['netflow_enforcement_queue_depth', 'gauge'],
      ['netflow_payments', 'gauge'],
      ['netflow_process_resident_memory_bytes', 'gauge'],
    ]) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(text).toContain(`\n# TYPE ${name} ${type}\n`);
    }
    expect(value(text, 'netflow_radius_dropped_total{reason="malformed_value"}')).toBe(0);
    expect(value(text, 'netflow_portal_rate_limit_cached_keys_cap')).toBeGreaterThan(0);
    expect(value(text, 'netflow_enforcement_queue_depth')).toBe(0);
    expect(value(text, 'netflow_payments{status="paid"}')).toBe(0);
    expect(value(text, 'netflow_radius_request_duration_seconds_count{type="access"}')).toBe(0);
  });

  it('counts authorization and accounting latency in the RADIUS thread; /metrics shows the buckets move', async () => {
    const radius = await TestRadiusClient.open();
    let accepted = 0;
    try {
      for (let i = 0; i < 50 && accepted === 0; i++) {
        // until the router table knows 127.0.0.1
        const { reply } = await radius.send(
          CODE.accessRequest,
          [
            ['User-Name', 'METRICS1'],
            ['User-Password', 'METRICS1'],
            ['Calling-Station-Id', '02:00:00:00:00:31'],
          ],
          SECRET,
          env.netflow.authPort,
        );
        if (reply?.code === CODE.accessAccept) accepted++;
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(accepted).toBe(1);
      const before = await scrape();
      for (let i = 0; i < 3; i++) {
        const { reply } = await radius.send(
          CODE.accessRequest,
          [
            ['User-Name', 'METRICS1'],
            ['User-Password', 'METRICS1'],
            ['Calling-Station-Id', '02:00:00:00:00:31'],
          ],
          SECRET,
          env.netflow.authPort,
        );
        expect(reply?.code).toBe(CODE.accessAccept);
      }
      const { reply: acct } = await radius.send(
        CODE.accountingRequest,
        [
          ['Acct-Status-Type', 1],
          ['User-Name', 'METRICS1'],
          ['Acct-Session-Id', 'm0000001'],
          ['Calling-Station-Id', '02:00:00:00:00:31'],
          ['Framed-IP-Address', '10.5.50.31'],
        ],
        SECRET,
        env.netflow.acctPort,
        false,
      );
      expect(acct?.code).toBe(CODE.accountingResponse);
      const after = await scrape();

      const delta = (series: string) => value(after, series)! - value(before, series)!;
      expect(delta('netflow_radius_request_duration_seconds_count{type="access"}')).toBe(3);
      expect(delta('netflow_radius_request_duration_seconds_bucket{le="+Inf",type="access"}')).toBe(3);
      expect(delta('netflow_radius_request_duration_seconds_count{type="accounting"}')).toBe(1);
      expect(delta('netflow_radius_request_duration_seconds_sum{type="access"}')).toBeGreaterThan(0);
      expect(delta('netflow_radius_replied_total')).toBe(4);
      // Cumulative buckets: never decreasing with le, ending at the count.
      const buckets = after
        .split('\n')
        .filter((l) => l.startsWith('netflow_radius_request_duration_seconds_bucket{') && l.includes('type="access"'))
        .map((l) => Number(l.split(' ')[1]));
      expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
      expect(buckets.at(-1)).toBe(value(after, 'netflow_radius_request_duration_seconds_count{type="access"}'));
    } finally {
      radius.close();
    }
  });
});
