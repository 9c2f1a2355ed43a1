// GET /api/v1/admin/routers/status: the dashboard's up/down per router, from the RouterOS API's
// last check where credentials are set, else from when the router was last heard from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { addRouter } from '../support/fixtures.js';
import { openTestDatabase } from '../support/db.js';
import { call, makeAdmin, signIn } from './admin-support.js';
import { startTestHttp, type TestHttp } from './support.js';

describe('router status in the admin API', () => {
  let db: Database;
  let http: TestHttp;
  beforeAll(async () => {
    db = await openTestDatabase();
    http = await startTestHttp(db);
    await makeAdmin(db, 'look@example.com', 'viewer');
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  it('answers 401 without a session', async () => {
    const res = await call(http.app, 'GET', '/routers/status', null);
    expect(res.statusCode).toBe(401);
  });

  it('says up or down per router: the API check when there is one, else heard from in the last 10 minutes', async () => {
    const hourAgo = new Date(Date.now() - 3600_000);
    const heard = await addRouter(db, { name: 'heard', ip: '10.1.0.1', secret: 'status-secret-0123456789' });
    const silent = await addRouter(db, { name: 'silent', ip: '10.1.0.2', secret: 'status-secret-0123456789' });
    const checked = await addRouter(db, { name: 'checked', ip: '10.1.0.3', secret: 'status-secret-0123456789' });
    await db.prisma.router.update({ where: { id: heard.id }, data: { createdAt: hourAgo, lastSeenAt: new Date() } });
    await db.prisma.router.update({
      where: { id: silent.id },
      data: { createdAt: hourAgo, lastSeenAt: new Date(Date.now() - 20 * 60_000) },
    });
    await db.prisma.router.update({ where: { id: checked.id }, data: { createdAt: hourAgo, lastSeenAt: new Date() } });
    await db.prisma.routerApiCredential.create({
      data: { routerId: checked.id, port: 8728, username: 'netflow', passwordSealed: 'sealed', keyId: 'k1' },
    });
    await db.prisma.routerHealth.create({
      data: {
        routerId: checked.id,
        checkedAt: new Date(),
        reachable: false,
        error: 'connection refused',
        drift: ['radius: secret differs'],
      },
    });

    const viewer = await signIn(http.app, 'look@example.com');
    const res = await call(http.app, 'GET', '/routers/status', viewer);
    expect(res.statusCode).toBe(200);
    const byName = Object.fromEntries(res.json().routers.map((r: { name: string }) => [r.name, r]));
    expect(byName.heard).toMatchObject({ id: heard.id, api: null, reachable: null, unseen: false, up: true });
    expect(byName.silent).toMatchObject({ id: silent.id, unseen: true, up: false });
    expect(byName.checked).toMatchObject({
      id: checked.id,
      api: 'netflow@10.1.0.3:8728',
      reachable: false,
      up: false,
      error: 'connection refused',
      drift: ['radius: secret differs'],
    });
  });
});
