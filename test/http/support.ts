// The real HTTP app as startNetflow composes it (setupPayments → buildHttpApp), on a test database,
// for app.inject() tests. It listens on an ephemeral loopback port too, because the sandbox
// providers call NetFlow's own /sandbox over HTTP.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { setupPayments, type PaymentsHandle } from '../../src/app/payments.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/config/logger.js';
import type { Database } from '../../src/db/database.js';
import { buildHttpApp } from '../../src/http/app.js';
import { setupAdmin, type AdminHandle } from '../../src/app/admin.js';
import type { AdminDeps } from '../../src/http/admin/index.js';

export interface TestHttp {
  app: FastifyInstance;
  payments: PaymentsHandle;
  admin: AdminHandle;
  /** Every log line (JSON) the app wrote. */
  lines: string[];
  close(): Promise<void>;
}

export async function startTestHttp(db: Database, env: Record<string, string> = {}, adminOver: Partial<AdminDeps> = {}): Promise<TestHttp> {
  const config = loadConfig({ DATABASE_URL: db.url, HTTP_BIND: '127.0.0.1', PORT: '0', SANDBOX_APPROVE_SECONDS: '0.02', ...env });
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l));
  const payments = setupPayments(config, db, log, { jobs: 'manual' });
  const admin = setupAdmin(config, db, log, adminOver);
  const app = buildHttpApp({
    pingDatabase: async () => {},
    startedAt: new Date(),
    trustProxy: config.trustProxy,
    log,
    payments: payments.faces,
    admin: admin.deps,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  payments.ready((app.server.address() as AddressInfo).port);
  return {
    app,
    payments,
    admin,
    lines,
    async close() {
      await payments.close();
      admin.close();
      await app.close();
    },
  };
}
