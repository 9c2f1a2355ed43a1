// The browser side's own logic, run in Node: the fetch helper's timeout and retries against a real
// HTTP server, the language choice and catalogues, and the hotspot login form's fields.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHotspotParams } from '../../src/portal/hotspot-params.js';
import { ApiError, requestJson } from '../../web/shared/api.js';
import { detectLang, format, translator } from '../../web/shared/i18n.js';
import { connectedUrl, loginFields } from '../../web/portal/hotspot-login.js';
import { en, errorKey, failureKey, sw } from '../../web/portal/messages.js';
import { GUEST_MESSAGES } from '../../src/aaa/reply.js';

describe('requestJson', () => {
  let server: http.Server;
  let base: string;
  const hits = new Map<string, number>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const n = (hits.get(req.url!) ?? 0) + 1;
      hits.set(req.url!, n);
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/flaky') return n < 3 ? json(503, { error: 'starting' }) : json(200, { ok: n });
      if (req.url === '/bad') return json(400, { error: 'phone is wrong', field: 'phone' });
      if (req.url === '/slow') return void setTimeout(() => json(200, { late: true }), 400);
      if (req.url === '/echo') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => json(200, { method: req.method, type: req.headers['content-type'], body: JSON.parse(body) }));
        return;
      }
      json(404, { error: 'Not found.' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('retries a 503 and tells the page it is still trying', async () => {
    const retries: number[] = [];
    const v = await requestJson<{ ok: number }>(`${base}/flaky`, { retryDelayMs: 5, onRetry: (n) => retries.push(n) });
    expect(v).toEqual({ ok: 3 });
    expect(retries).toEqual([1, 2]);
  });

  it("does not retry the caller's mistakes, and keeps NetFlow's error body", async () => {
    const err = await requestJson(`${base}/bad`, { retryDelayMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'http', status: 400, message: 'phone is wrong', body: { field: 'phone' } });
    expect(hits.get('/bad')).toBe(1);
  });

  it('gives up on a slow answer after the timeout, as a timeout, after its retries', async () => {
    const err = await requestJson(`${base}/slow`, { timeoutMs: 100, retries: 1, retryDelayMs: 5 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'timeout' });
    expect(hits.get('/slow')).toBe(2);
  });

  it('an unreachable server is a network error', async () => {
    const err = await requestJson('http://127.0.0.1:1/', { retries: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network' });
  });

  it('posts JSON', async () => {
    expect(await requestJson(`${base}/echo`, { method: 'POST', body: { a: 1 } })).toEqual({
      method: 'POST',
      type: 'application/json',
      body: { a: 1 },
    });
  });
});

describe('languages', () => {
  it('the guest’s choice first, then the first browser language spoken here, else English', () => {
    expect(detectLang(['sw-TZ', 'en'], null)).toBe('sw');
    expect(detectLang(['fr-FR', 'en-GB', 'sw'], null)).toBe('en');
    expect(detectLang(['fr-FR'], null)).toBe('en');
    expect(detectLang(['en-US'], 'sw')).toBe('sw');
  });

  it('Swahili has every English text, none empty, with the same placeholders', () => {
    expect(Object.keys(sw).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(sw[key].trim(), key).not.toBe('');
      const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(holes(sw[key]), key).toEqual(holes(en[key]));
    }
  });

  it('fills placeholders and leaves a missing one visible', () => {
    expect(format('Pay {price} now', { price: 'TZS 1,000' })).toBe('Pay TZS 1,000 now');
    expect(format('Hi {name}')).toBe('Hi {name}');
    expect(translator({ en, sw }, 'sw').t('timeLeft', { time: 'saa 1' })).toBe('Zimebaki saa 1');
  });

  it("every message NetFlow's RADIUS can send a guest is known, so it is shown in the guest's language", () => {
    for (const [reason, text] of Object.entries(GUEST_MESSAGES)) expect(errorKey(text), reason).toBe(`reason_${reason}`);
    expect(errorKey('invalid username or password')).toBe('reason_bad_password');
    expect(errorKey('something new')).toBeNull();
    expect(failureKey('cancelled')).toBe('fail_cancelled');
    expect(failureKey('made_up')).toBe('fail_unknown');
  });
});

describe('the hotspot login form', () => {
  const params = (q: string) => readHotspotParams((n) => new URLSearchParams(q).get(n)).params;
  const href = 'https://wifi.example.com/portal/?router=cafe&error=old&linkOrig=http%3A%2F%2Fexample.com%2F';

  it('http-chap: the password is hex MD5(chap-id + password + challenge); dst comes back connected, without the old error', () => {
    const p = params(
      `router=cafe&linkLoginOnly=${encodeURIComponent('http://10.5.50.1/login')}&chapId=07&chapChallenge=${'ab'.repeat(16)}`,
    );
    const fields = loginFields(p, 'CODE1', 'secret1', href);
    const expected = createHash('md5')
      .update(Buffer.concat([Buffer.from([7]), Buffer.from('secret1'), Buffer.from('ab'.repeat(16), 'hex')]))
      .digest('hex');
    expect(fields).toEqual({ username: 'CODE1', password: expected, dst: connectedUrl(href), popup: 'false' });
    const dst = new URL(fields.dst);
    expect(dst.searchParams.get('view')).toBe('connected');
    expect(dst.searchParams.has('error')).toBe(false);
    expect(dst.searchParams.get('linkOrig')).toBe('http://example.com/');
  });

  it('http-pap (no CHAP values): the password itself', () => {
    const p = params(`router=cafe&linkLoginOnly=${encodeURIComponent('http://10.5.50.1/login')}`);
    expect(loginFields(p, 'CODE1', 'secret1', href).password).toBe('secret1');
  });
});
