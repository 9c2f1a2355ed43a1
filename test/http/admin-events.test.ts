// Live sessions over server-sent events, end to end: two NetFlow instances on one database, a
// guest logging in through the hotspot simulator over real RADIUS on instance A, and dashboards
// connected to A and to B each receiving the session's ids as it opens and closes (PostgreSQL
// NOTIFY from the accounting path, LISTENed by each instance). A logout on A ends the stream on B.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNetflow } from '../../src/app/serve.js';
import type { Database } from '../../src/db/database.js';
import { parseSessionNotification } from '../../src/http/admin/session-events.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { startNetflowOn } from '../support/netflow.js';
import { makeAdmin, PASSWORD } from './admin-support.js';

const SECRET = 'admin-events-secret-123';

interface Received {
  event: string;
  data: string;
}

/** An event-stream reader on a real connection. */
function openStream(port: number, cookie: string) {
  const events: Received[] = [];
  let raw = '';
  let ended = false;
  let status = 0;
  let contentType = '';
  const waiters: Array<() => void> = [];
  const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/admin/sessions/events', headers: { cookie } }, (res) => {
    status = res.statusCode ?? 0;
    contentType = String(res.headers['content-type']);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      raw += chunk;
      let cut = raw.indexOf('\n\n');
      while (cut >= 0) {
        const block = raw.slice(0, cut);
        raw = raw.slice(cut + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (event && data !== undefined) events.push({ event, data });
        else if (block.startsWith(': ping')) events.push({ event: 'ping', data: '' });
        cut = raw.indexOf('\n\n');
      }
      for (const w of waiters.splice(0)) w();
    });
    res.on('end', () => {
      ended = true;
      for (const w of waiters.splice(0)) w();
    });
  });
  req.on('error', () => {});
  return {
    events,
    get ended() {
      return ended;
    },
    get status() {
      return status;
    },
    get contentType() {
      return contentType;
    },
    async until<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no such event; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => req.destroy(),
  };
}

describe('live sessions (server-sent events) across two instances', () => {
  let db: Database;
  let a: RunningNetflow;
  let b: RunningNetflow;
  let hotspot: Hotspot;

  beforeAll(async () => {
    db = await openTestDatabase();
    a = await startNetflowOn(db, { admin: { events: { heartbeatMs: 300 } } });
    b = await startNetflowOn(db, { admin: { events: { heartbeatMs: 300 } } });
    await makeAdmin(db, 'watcher@example.com', 'viewer');
    const pkg = await addPackage(db, { name: 'hour' });
    await addEntitlement(db, pkg.id, { code: 'LIVE1' });
    await addRouter(db, { name: 'cafe', ip: '127.0.0.1', secret: SECRET });
    hotspot = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: a.authPort,
      acctPort: a.acctPort,
      bindAddress: '127.0.0.1',
    });
  });
  afterAll(async () => {
    await hotspot?.stop({ endSessions: false });
    await b?.close();
    await a?.close();
    await db?.close();
  });

  it('both dashboards see a simulator guest’s session open and close; a logout closes the stream everywhere', async () => {
    const login = await fetch(`http://127.0.0.1:${a.httpPort}/api/v1/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'watcher@example.com', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = String(login.headers.get('set-cookie')).split(';')[0];
    const { csrfToken } = (await login.json()) as { csrfToken: string };

    const onA = openStream(a.httpPort, cookie);
    const onB = openStream(b.httpPort, cookie);
    await onA.until(() => onA.events.find((e) => e.event === 'ping'));
    await onB.until(() => onB.events.find((e) => e.event === 'ping'));
    expect([onA.status, onA.contentType]).toEqual([200, 'text/event-stream; charset=utf-8']);

    // The router table learns the new router by NOTIFY: retry the first login briefly.
    let session: Awaited<ReturnType<Hotspot['login']>> | undefined;
    for (let i = 0; i < 50 && !session?.ok; i++) {
      session = await hotspot.login({ method: 'pap', mac: '02:00:00:00:00:01', username: 'LIVE1', password: 'LIVE1' });
      if (!session.ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(session?.ok).toBe(true);
    await hotspot.settled();
    const row = await db.prisma.accountingSession.findFirstOrThrow({ where: { userName: 'LIVE1' } });
    const opened = (s: ReturnType<typeof openStream>) =>
      s.until(() => s.events.find((e) => e.event === 'sessions' && JSON.parse(e.data).kind === 'open'));
    for (const s of [onA, onB]) expect(JSON.parse((await opened(s)).data)).toEqual({ kind: 'open', ids: [String(row.id)] });

    if (session?.ok) await hotspot.logout(session.session.acctSessionId);
    await hotspot.settled();
    const closed = (s: ReturnType<typeof openStream>) =>
      s.until(() => s.events.find((e) => e.event === 'sessions' && JSON.parse(e.data).kind === 'close'));
    for (const s of [onA, onB]) expect(JSON.parse((await closed(s)).data)).toEqual({ kind: 'close', ids: [String(row.id)] });

    // The dashboard reads the row it was told about.
    const one = await fetch(`http://127.0.0.1:${b.httpPort}/api/v1/admin/sessions/${row.id}`, { headers: { cookie } });
    expect(((await one.json()) as { session: { status: string; router: string } }).session).toMatchObject({
      status: 'closed',
      router: 'cafe',
    });

    const out = await fetch(`http://127.0.0.1:${a.httpPort}/api/v1/admin/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(200);
    for (const s of [onA, onB]) {
      const end = await s.until(() => s.events.find((e) => e.event === 'end'));
      expect(JSON.parse(end.data)).toEqual({ reason: 'signed_out' });
      await s.until(() => (s.ended ? true : undefined));
    }
    // A new stream with the ended session is refused.
    const late = openStream(b.httpPort, cookie);
    await late.until(() => (late.status ? true : undefined));
    expect(late.status).toBe(401);
    late.close();
  });

  it('an expired session’s stream ends at the next heartbeat', async () => {
    const login = await fetch(`http://127.0.0.1:${b.httpPort}/api/v1/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'watcher@example.com', password: PASSWORD }),
    });
    const cookie = String(login.headers.get('set-cookie')).split(';')[0];
    const s = openStream(b.httpPort, cookie);
    await s.until(() => s.events.find((e) => e.event === 'ping'));
    await db.prisma.adminSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const end = await s.until(() => s.events.find((e) => e.event === 'end'));
    expect(JSON.parse(end.data)).toEqual({ reason: 'signed_out' });
  });

  it('a RADIUS setting changed through one instance applies at once to the RADIUS replies of another (no restart)', async () => {
    await makeAdmin(db, 'owner@example.com', 'admin');
    const pkg = await db.prisma.package.findUniqueOrThrow({ where: { name: 'hour' } });
    await addEntitlement(db, pkg.id, { code: 'SET1' });
    await addEntitlement(db, pkg.id, { code: 'SET2' });
    const before = await hotspot.login({ method: 'pap', mac: '02:00:00:00:00:21', username: 'SET1', password: 'SET1' });
    expect(before.ok && before.session.limits.interimInterval).toBe(300);

    const login = await fetch(`http://127.0.0.1:${b.httpPort}/api/v1/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.com', password: PASSWORD }),
    });
    const cookie = String(login.headers.get('set-cookie')).split(';')[0];
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const patch = await fetch(`http://127.0.0.1:${b.httpPort}/api/v1/admin/settings`, {
      method: 'PATCH',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ radius: { interimIntervalSeconds: 600 } }),
    });
    expect(patch.status).toBe(200);

    // Instance A's RADIUS (the hotspot's server) hears of it by NOTIFY.
    let interim: number | null = null;
    for (let i = 0; i < 40 && interim !== 600; i++) {
      const r = await hotspot.login({
        method: 'pap',
        mac: `02:00:00:00:01:${String(i).padStart(2, '0')}`,
        username: 'SET2',
        password: 'SET2',
      });
      interim = r.ok ? r.session.limits.interimInterval : null;
      if (r.ok) await hotspot.logout(r.session.acctSessionId);
      if (interim !== 600) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(interim).toBe(600);
  });

  it('reads the notification payloads: ids, or * for "reload"', () => {
    expect(parseSessionNotification('open:12,13')).toEqual({ kind: 'open', ids: ['12', '13'] });
    expect(parseSessionNotification('update:*')).toEqual({ kind: 'update', ids: null });
    expect(parseSessionNotification('close:')).toBeNull();
    expect(parseSessionNotification('drop table')).toBeNull();
  });
});
