// A returning guest's time left (POST /api/v1/portal/status) and the operator's branding
// (GET /api/v1/portal/branding), through app.inject() on the real app and database. What must
// hold: a code shows its own time; a MAC is believed only from the router's address or the guest's
// own, and never yields a code; nothing of another router's codes; bad input is a clear 4xx.
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { BrandingResponse, StatusResponse } from '../../src/http/schemas/portal.js';
import { BRANDING_KEY, sanitizeBranding } from '../../src/portal/branding.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement, addPackage, addRouter } from '../support/fixtures.js';
import { startTestHttp, type TestHttp } from './support.js';

const ROUTER_IP = '10.80.0.1';
const GUEST_MAC = 'AA:BB:CC:80:00:01';

describe('portal status and branding', () => {
  let db: Database;
  let http: TestHttp;

  beforeAll(async () => {
    db = await openTestDatabase();
    const lobby = await addRouter(db, { name: 'status-lobby', ip: ROUTER_IP });
    const other = await addRouter(db, { name: 'status-other', ip: '10.80.0.2' });
    const hour = await addPackage(db, { name: 'status hour', minutes: 60, dataCapBytes: 1_000_000n });
    const running = await addEntitlement(db, hour.id, { code: 'RUN1', expiresAt: new Date(Date.now() + 30 * 60_000) });
    await db.prisma.entitlement.update({ where: { id: running.id }, data: { bytesUp: 100_000n, bytesDown: 150_000n } });
    await db.prisma.entitlementDevice.create({ data: { entitlementId: running.id, mac: GUEST_MAC, routerId: lobby.id } });
    await addEntitlement(db, hour.id, { code: 'FRESH1' });
    await addEntitlement(db, hour.id, { code: 'GONE1', expiresAt: new Date(Date.now() - 60_000) });
    await addEntitlement(db, hour.id, { code: 'ELSEWHERE1', routerId: other.id, expiresAt: new Date(Date.now() + 60 * 60_000) });
    http = await startTestHttp(db);
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });

  const status = (payload: object, remoteAddress = '192.0.2.50') =>
    http.app.inject({ method: 'POST', url: '/api/v1/portal/status', payload, remoteAddress });

  it('a code the browser holds shows its time and data left', async () => {
    const res = await status({ router: 'status-lobby', codes: ['run1', 'FRESH1', 'GONE1'] });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Value.Check(StatusResponse, body)).toBe(true);
    expect(body.deviceChecked).toBe(false);
    const byCode = Object.fromEntries(body.entitlements.map((e: { code: string }) => [e.code, e]));
    expect(byCode.RUN1).toMatchObject({ state: 'running', usable: true, bytesLeft: '750000', package: 'status hour' });
    expect(byCode.RUN1.secondsLeft).toBeGreaterThan(29 * 60);
    expect(byCode.RUN1.secondsLeft).toBeLessThanOrEqual(30 * 60);
    expect(byCode.FRESH1).toMatchObject({ state: 'not_started', usable: true, secondsLeft: 3600, expiresAt: null });
    expect(byCode.GONE1).toMatchObject({ state: 'expired', usable: false, secondsLeft: 0 });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it("another router's code is not shown here", async () => {
    const body = (await status({ router: 'status-lobby', codes: ['ELSEWHERE1'] })).json();
    expect(body.entitlements).toEqual([]);
  });

  it("a MAC from the router's own address finds the device's time, without its code", async () => {
    const body = (await status({ router: 'status-lobby', mac: GUEST_MAC }, ROUTER_IP)).json();
    expect(body.deviceChecked).toBe(true);
    expect(body.entitlements).toHaveLength(1);
    expect(body.entitlements[0]).toMatchObject({ code: null, state: 'running', usable: true });
  });

  it("a MAC from the guest's own hotspot address (no NAT) is believed too", async () => {
    const body = (await status({ router: 'status-lobby', mac: GUEST_MAC, ip: '10.5.50.9' }, '10.5.50.9')).json();
    expect(body.deviceChecked).toBe(true);
    expect(body.entitlements).toHaveLength(1);
  });

  it('a forged MAC from anywhere else learns nothing', async () => {
    const body = (await status({ router: 'status-lobby', mac: GUEST_MAC, ip: '10.5.50.9' }, '198.51.100.7')).json();
    expect(body).toEqual({ entitlements: [], deviceChecked: false });
  });

  it("naming another router does not reach this router's devices", async () => {
    const body = (await status({ router: 'status-other', mac: GUEST_MAC }, '10.80.0.2')).json();
    expect(body.deviceChecked).toBe(true);
    expect(body.entitlements).toEqual([]);
  });

  it.each([
    [{ router: 'status-lobby', mac: 'not-a-mac' }, 400, 'mac'],
    [{ router: 'status-lobby', ip: '10.5.50' }, 400, 'ip'],
    [{ router: 'nowhere' }, 404, 'router'],
    [{ router: 'status-lobby', codes: ['A', 'B', 'C', 'D', 'E', 'F'] }, 400, undefined],
  ])('bad input %j: %i', async (payload, code, field) => {
    const res = await status(payload);
    expect(res.statusCode).toBe(code);
    expect(typeof res.json().error).toBe('string');
    if (field) expect(res.json().field).toBe(field);
  });

  it('is rate-limited per router and source address', async () => {
    const limited = await startTestHttp(db);
    await limited.app.close();
    // A small limit through the portal plugin's own option.
    const { buildHttpApp } = await import('../../src/http/app.js');
    const app = buildHttpApp({
      pingDatabase: async () => {},
      startedAt: new Date(),
      webRoot: null,
      payments: {
        ...limited.payments.faces,
        portal: { ...limited.payments.faces.portal, limits: { statusPerAddress: { limit: 2, windowMs: 60_000 } } },
        sandbox: null,
      },
    });
    try {
      const hit = () =>
        app.inject({ method: 'POST', url: '/api/v1/portal/status', payload: { router: 'status-lobby' }, remoteAddress: '203.0.113.9' });
      expect((await hit()).statusCode).toBe(200);
      expect((await hit()).statusCode).toBe(200);
      const third = await hit();
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
      await limited.payments.close();
    }
  });

  it('branding: defaults, then what the operator set, applied without a restart, unsafe values dropped', async () => {
    const first = await http.app.inject({ url: '/api/v1/portal/branding' });
    expect(first.statusCode).toBe(200);
    expect(Value.Check(BrandingResponse, first.json())).toBe(true);
    expect(first.json()).toEqual({ name: 'Wi-Fi', logoUrl: null, primaryColor: null, accentColor: null, supportPhone: null });
    await db.prisma.setting.create({
      data: {
        key: BRANDING_KEY,
        value: {
          name: 'Café Bahari',
          logoUrl: 'https://evil.example/x.png',
          primaryColor: '#7A1F5C',
          accentColor: 'red',
          supportPhone: '+255 754 000 111',
        },
      },
    });
    await new Promise((r) => setTimeout(r, 5_100));
    const second = (await http.app.inject({ url: '/api/v1/portal/branding' })).json();
    expect(second).toEqual({
      name: 'Café Bahari',
      logoUrl: null,
      primaryColor: '#7a1f5c',
      accentColor: null,
      supportPhone: '+255 754 000 111',
    });
  });
});

describe('the portal page with its first answers inlined', () => {
  let db: Database;
  let http: TestHttp;
  beforeAll(async () => {
    db = await openTestDatabase();
    await addRouter(db, { name: 'boot-lobby', ip: '10.81.0.1' });
    await addPackage(db, { name: '</script><script>alert(1)</script>', minutes: 30 });
    http = await startTestHttp(db);
  });
  afterAll(async () => {
    await http?.close();
    await db?.close();
  });
  const island = (html: string) => /<script type="application\/json" id="netflow-boot">(.*?)<\/script>/s.exec(html)?.[1];

  it("carries this router's packages and the branding as the API gives them, with nothing that can close the element", async () => {
    const res = await http.app.inject({ url: '/portal/?router=boot-lobby&mac=AA:BB:CC:00:00:01' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    const json = island(res.body);
    expect(json).toBeDefined();
    expect(json).not.toContain('<');
    const boot = JSON.parse(json!);
    const api = (await http.app.inject({ url: '/api/v1/portal/packages?router=boot-lobby' })).json();
    expect(boot).toEqual({
      router: 'boot-lobby',
      packages: api,
      branding: (await http.app.inject({ url: '/api/v1/portal/branding' })).json(),
    });
    expect(boot.packages.packages.map((p: { name: string }) => p.name)).toContain('</script><script>alert(1)</script>');
  });

  it('an unknown router, a bad one, or the connected view: the page alone (it asks and explains itself)', async () => {
    for (const q of ['router=nowhere', 'router=%3C%2Fscript%3E', 'router=boot-lobby&view=connected', '']) {
      const res = await http.app.inject({ url: `/portal/?${q}` });
      expect(res.statusCode).toBe(200);
      expect(island(res.body)).toBeUndefined();
      expect(res.body).not.toContain('</script></script>');
    }
  });

  it('is gzipped for browsers that take it', async () => {
    const res = await http.app.inject({ url: '/portal/?router=boot-lobby', headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    expect(island(gunzipSync(res.rawPayload).toString())).toBeDefined();
  });
});

describe('sanitizeBranding', () => {
  it.each([
    ['/logo.png', '/logo.png'],
    ['/media/logo.svg?v=2', '/media/logo.svg?v=2'],
    ['//evil.example/logo.png', null],
    ['http://evil.example/logo.png', null],
    ['javascript:alert(1)', null],
    ['data:image/png;base64,iVBORw0KGgo=', 'data:image/png;base64,iVBORw0KGgo='],
    ['data:text/html;base64,PHNjcmlwdD4=', null],
  ])('logo %s → %s', (logoUrl, expected) => {
    expect(sanitizeBranding({ name: 'x', logoUrl }).logoUrl).toBe(expected);
  });

  it('a missing or strange value is the default', () => {
    expect(sanitizeBranding(null).name).toBe('Wi-Fi');
    expect(sanitizeBranding({ name: 'a\u0000b' }).name).toBe('Wi-Fi');
    expect(sanitizeBranding({ supportPhone: '<script>' }).supportPhone).toBe(null);
  });
});
