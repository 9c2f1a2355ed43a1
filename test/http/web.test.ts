// Serving the built pages (src/http/web.ts) from a web/dist-shaped folder: the portal and the
// dashboard at their paths, hashed assets cached for good, pages always revalidated, / and
// /portal sent to /portal/ with the hotspot's query string, and a clear 503 when nothing is built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../src/http/app.js';

function appOn(webRoot: string | null): FastifyInstance {
  return buildHttpApp({ pingDatabase: async () => {}, startedAt: new Date(), webRoot });
}

describe('web pages', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'netflow-web-'));
    for (const face of ['portal', 'dashboard']) {
      mkdirSync(path.join(dir, face));
      writeFileSync(path.join(dir, face, 'index.html'), `<!doctype html><title>${face}</title>`);
    }
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'assets', 'portal-Ab12Cd34.js'), 'console.log(1)');
    writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    app = appOn(dir);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['portal', 'dashboard'])('/%s/ is its index.html, revalidated every time, under the CSP', async (face) => {
    const res = await app.inject({ url: `/${face}/?router=cafe&mac=AA:BB:CC:DD:EE:FF` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain(`<title>${face}</title>`);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('hashed assets are cached for a year and never revalidated', async () => {
    const res = await app.inject({ url: '/assets/portal-Ab12Cd34.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('/ and /portal lead to /portal/, keeping the query string', async () => {
    const root = await app.inject({ url: '/?router=cafe&ip=10.5.50.2' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/portal/?router=cafe&ip=10.5.50.2');
    const bare = await app.inject({ url: '/portal?router=cafe' });
    expect([301, 302]).toContain(bare.statusCode);
    expect(bare.headers.location).toBe('/portal/?router=cafe');
  });

  it('serves no dotfiles and lists no folders; API paths stay 404 JSON', async () => {
    expect((await app.inject({ url: '/.env' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/' })).statusCode).toBe(404);
    const api = await app.inject({ url: '/api/v1/nothing' });
    expect(api.statusCode).toBe(404);
  });

  it('without a build, the pages answer 503 saying how to build them', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'netflow-noweb-'));
    const bare = appOn(empty);
    try {
      const res = await bare.inject({ url: '/portal/' });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toContain('npm run build:web');
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('webRoot null serves no pages', async () => {
    const none = appOn(null);
    try {
      expect((await none.inject({ url: '/portal/' })).statusCode).toBe(404);
    } finally {
      await none.close();
    }
  });
});

describe('the portal page policy', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'netflow-web-'));
    mkdirSync(path.join(dir, 'portal'));
    writeFileSync(path.join(dir, 'portal', 'index.html'), '<!doctype html><title>portal</title>');
    app = appOn(dir);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const formAction = (csp: unknown) => /form-action ([^;]*)/.exec(String(csp))?.[1];

  it("lets the page post only to the hotspot's login form, besides itself", async () => {
    const res = await app.inject({ url: `/portal/?router=cafe&linkLoginOnly=${encodeURIComponent('http://10.5.50.1:8080/login?x=1')}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(formAction(res.headers['content-security-policy'])).toBe("'self' http://10.5.50.1:8080");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it.each([
    ['javascript:alert(1)//login'],
    ['http://user:pw@10.5.50.1/login'],
    ['http://10.5.50.1/steal'],
    ['ftp://10.5.50.1/login'],
    ['http://10.5.50.1/login#x'],
  ])('a link-login-only not shaped like a hotspot login (%s) adds nothing', async (bad) => {
    const res = await app.inject({ url: `/portal/?router=cafe&linkLoginOnly=${encodeURIComponent(bad)}` });
    expect(formAction(res.headers['content-security-policy'])).toBe("'self'");
  });
});

describe('compressed pages', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'netflow-web-'));
    mkdirSync(path.join(dir, 'portal'));
    mkdirSync(path.join(dir, 'assets'));
    const { gzipSync } = await import('node:zlib');
    const js = 'console.log("hello hello hello hello")';
    writeFileSync(path.join(dir, 'portal', 'index.html'), '<!doctype html><title>portal</title>');
    writeFileSync(path.join(dir, 'portal', 'index.html.gz'), gzipSync('<!doctype html><title>portal</title>'));
    writeFileSync(path.join(dir, 'assets', 'portal-Zz99.js'), js);
    writeFileSync(path.join(dir, 'assets', 'portal-Zz99.js.gz'), gzipSync(js));
    app = appOn(dir);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends the build's .gz to a browser that accepts gzip, with the original type and cache policy", async () => {
    const res = await app.inject({ url: '/assets/portal-Zz99.js', headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await app.inject({ url: '/portal/?router=x', headers: { 'accept-encoding': 'gzip' } });
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('and the plain file to one that does not', async () => {
    const res = await app.inject({ url: '/assets/portal-Zz99.js', headers: { 'accept-encoding': 'identity' } });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body).toContain('hello');
  });
});
