// The hotspot login web server driven with fetch as a browser would: GET the login page, compute
// the http-chap response with the page's own md5.js, POST it, follow the redirect; then status
// and logout. NetFlow decides every login over real RADIUS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addEntitlement, addPackage } from '../support/fixtures.js';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { HttpLogin } from '../../tools/nas-sim/http-login.js';
import { SECRET, startNetflowWithRouter, type TestNetflow } from './helpers.js';

/** The JSON island every page carries (RouterOS template variables by name). */
function pageVars(html: string): Record<string, string> {
  const m = /<script type="application\/json" id="hotspot-vars">(.*?)<\/script>/s.exec(html);
  if (!m) throw new Error('no hotspot-vars in page');
  return JSON.parse(m[1]) as Record<string, string>;
}

/** What a browser does with the octal-escaped JavaScript strings RouterOS puts in the page. */
const unOctal = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

describe('nas-sim hotspot login pages', () => {
  let env: TestNetflow;
  let hs: Hotspot;
  let web: HttpLogin;
  let base: string;
  let hexMD5: (s: string) => string;

  beforeAll(async () => {
    ({ env } = await startNetflowWithRouter());
    const pkg = await addPackage(env.db, { minutes: 60 });
    await addEntitlement(env.db, pkg.id, { code: 'WEB1', password: 'web-pass' });
    await addEntitlement(env.db, pkg.id, { code: 'WEB2', password: 'plain-pass' });
    hs = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: env.netflow.authPort,
      acctPort: env.netflow.acctPort,
      bindAddress: '127.0.0.1',
      clock: new ManualClock(),
    });
    web = await HttpLogin.start({ hotspot: hs, port: 0 });
    base = `http://127.0.0.1:${web.port()}`;
    const md5js = await (await fetch(`${base}/md5.js`)).text();
    hexMD5 = new Function(`${md5js}; return hexMD5;`)() as (s: string) => string;
  });
  afterAll(async () => {
    await web.close();
    await hs.stop({ endSessions: false });
    await env.stop();
  });

  it('http-chap: the login page, the hexMD5 post, the redirect to dst, status and logout', async () => {
    const mac = 'AA:BB:CC:00:30:01';
    const page = await fetch(`${base}/login?mac=${mac}&ip=10.5.50.77&dst=${encodeURIComponent('http://example.com/welcome')}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const vars = pageVars(html);
    expect(vars['chap-id']).toMatch(/^\\[0-7]{3}$/);
    expect(vars['chap-challenge']).toMatch(/^(\\[0-7]{3}){16}$/);
    expect(vars['link-login-only']).toBe(`${base}/login?mac=${encodeURIComponent(mac)}&ip=10.5.50.77`);
    expect(vars['link-orig']).toBe('http://example.com/welcome');
    expect(html).toContain(`hexMD5('${vars['chap-id']}' + document.login.password.value + '${vars['chap-challenge']}')`);

    // The browser: password = hexMD5(chap-id + password + chap-challenge), posted by form "sendin".
    const password = hexMD5(unOctal(vars['chap-id']) + 'web-pass' + unOctal(vars['chap-challenge']));
    const login = await fetch(vars['link-login-only'], {
      method: 'POST',
      body: new URLSearchParams({ username: 'WEB1', password, dst: vars['link-orig'], popup: 'true' }),
      redirect: 'manual',
    });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('http://example.com/welcome');
    const s = hs.session(mac)!;
    expect([s.method, s.userName, s.ip]).toEqual(['http-chap', 'WEB1', '10.5.50.77']);
    await hs.settled();
    expect((await env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: s.acctSessionId } })).status).toBe('open');

    const status = await fetch(`${base}/status?mac=${mac}`);
    const statusVars = pageVars(await status.text());
    expect([statusVars.username, statusVars.ip, statusVars.mac]).toEqual(['WEB1', '10.5.50.77', mac]);

    // Already logged in: the login page sends the guest on.
    const again = await fetch(`${base}/login?mac=${mac}`, { redirect: 'manual' });
    expect(again.status).toBe(302);

    const logout = await fetch(statusVars['link-logout'], { method: 'POST' });
    expect(logout.status).toBe(200);
    expect(pageVars(await logout.text()).username).toBe('WEB1');
    await hs.settled();
    const row = await env.db.prisma.accountingSession.findFirstOrThrow({ where: { acctSessionId: s.acctSessionId } });
    expect([row.status, row.terminateCause]).toEqual(['closed', 'User-Request']);
    expect((await fetch(`${base}/status?mac=${mac}`, { redirect: 'manual' })).status).toBe(302);
  });

  it('a rejected login shows the login page again with the RADIUS Reply-Message as the error', async () => {
    const mac = 'AA:BB:CC:00:30:02';
    const vars = pageVars(await (await fetch(`${base}/login?mac=${mac}`)).text());
    const password = hexMD5(unOctal(vars['chap-id']) + 'not-it' + unOctal(vars['chap-challenge']));
    const res = await fetch(vars['link-login-only'], {
      method: 'POST',
      body: new URLSearchParams({ username: 'WEB1', password, dst: '' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(pageVars(html).error).toMatch(/Wrong code or password/);
    expect(html).toContain('class="error"');
    expect(hs.session(mac)).toBeNull();
  });

  it('http-pap (plain password, client given by headers) and the JSON form of the answers', async () => {
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'x-client-mac': 'aa:bb:cc:00:30:03', 'x-client-ip': '10.5.50.78', accept: 'application/json' },
      body: new URLSearchParams({ username: 'WEB2', password: 'plain-pass' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; session: { method: string; mac: string; limits: { sessionTimeout: number } } };
    expect(body.ok).toBe(true);
    expect(body.session).toMatchObject({ method: 'pap', mac: 'AA:BB:CC:00:30:03', limits: { sessionTimeout: 3600 } });
    const sessions = (await (await fetch(`${base}/sim/sessions`)).json()) as Array<{ userName: string }>;
    expect(sessions.map((s) => s.userName)).toContain('WEB2');
  });
});
