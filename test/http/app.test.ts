// The HTTP app's edges, through app.inject(): security headers on every response, and a 500 that
// is logged (error and stack, under a request id the body gives the caller).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/config/logger.js';
import { buildHttpApp } from '../../src/http/app.js';

describe('HTTP app', () => {
  let app: FastifyInstance;
  const lines: string[] = [];

  beforeAll(async () => {
    app = buildHttpApp({
      pingDatabase: async () => {},
      metrics: new Registry(),
      startedAt: new Date(),
      log: createLogger('info', (l) => lines.push(l)),
    });
    app.get('/boom', async () => {
      throw new Error('the database said no');
    });
    app.post(
      '/echo',
      { schema: { body: { type: 'object', required: ['a'], properties: { a: { type: 'string' } } } } },
      async (req) => req.body,
    );
    await app.ready();
  });
  afterAll(() => app?.close());

  it.each([
    ['GET', '/healthz', 200],
    ['GET', '/metrics', 200],
    ['GET', '/nowhere', 404],
    ['POST', '/echo', 400],
    ['GET', '/boom', 500],
  ] as const)('%s %s (%i) carries the security headers', async (method, url, status) => {
    const res = await app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
    expect(res.statusCode).toBe(status);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests'); // the portal is often plain HTTP inside a hotspot
    expect(csp).not.toMatch(/https:|unsafe-inline/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toBe('max-age=15552000');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('logs a 500 with its stack under the request id the body shows, and shows no internals', async () => {
    lines.length = 0;
    const res = await app.inject({ method: 'GET', url: '/boom?phone=0754123456' });
    expect(res.statusCode).toBe(500);
    const body = res.json() as { error: string; requestId: string };
    expect(body.error).toBe('Internal error; it has been logged.');
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(body.requestId);
    expect(JSON.stringify(body)).not.toContain('database said no');
    const logged = lines.map((l) => JSON.parse(l) as Record<string, string>).filter((l) => l.requestId === body.requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'error',
      msg: 'http request failed',
      method: 'GET',
      route: '/boom',
      error: 'the database said no',
    });
    expect(logged[0].stack).toContain('app.test.ts');
    expect(lines.join('\n')).not.toContain('0754123456'); // the route is logged, not the query string
  });

  it('request ids differ between requests', async () => {
    const a = (await app.inject({ method: 'GET', url: '/boom' })).json() as { requestId: string };
    const b = (await app.inject({ method: 'GET', url: '/boom' })).json() as { requestId: string };
    expect(a.requestId).not.toBe(b.requestId);
  });

  it('4xx errors keep their message and are not logged as failures', async () => {
    lines.length = 0;
    const res = await app.inject({ method: 'POST', url: '/echo', payload: {} });
    expect(res.json()).toEqual({ error: "body must have required property 'a'" });
    const logged = lines.map((l) => JSON.parse(l) as { level: string });
    expect(logged.length).toBeGreaterThan(0); // the request lines
    expect(logged.filter((l) => l.level !== 'info')).toEqual([]);
  });

  it("logs each request (Fastify's pino logger, NetFlow's line format) under its request id, without the query string", async () => {
    lines.length = 0;
    const res = await app.inject({ method: 'POST', url: '/echo?phone=0754123456&token=secret', payload: { a: 'x' } });
    expect(res.statusCode).toBe(200);
    const logged = lines.map(
      (l) =>
        JSON.parse(l) as {
          level: string;
          t: string;
          msg: string;
          reqId: string;
          req?: { method: string; url: string };
          res?: { statusCode: number };
        },
    );
    expect(logged.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(new Set(logged.map((l) => l.reqId)).size).toBe(1);
    expect(logged[0].reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(logged[0]).toMatchObject({ level: 'info', req: { method: 'POST', url: '/echo' } });
    expect(Date.parse(logged[0].t)).not.toBeNaN();
    expect(logged[1].res).toEqual({ statusCode: 200 });
    expect(lines.join('\n')).not.toMatch(/0754123456|secret/);
  });

  it('respects the log level: at warn, a request leaves no line', async () => {
    const quiet: string[] = [];
    const warnApp = buildHttpApp({ pingDatabase: async () => {}, startedAt: new Date(), log: createLogger('warn', (l) => quiet.push(l)) });
    try {
      expect((await warnApp.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await warnApp.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
      expect(quiet).toEqual([]);
    } finally {
      await warnApp.close();
    }
  });

  it('health and metrics polls are not logged at info (monitoring asks every few seconds)', async () => {
    lines.length = 0;
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/metrics' });
    expect(lines).toEqual([]);
  });
});
