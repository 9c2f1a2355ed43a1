// The simulator serving NetFlow's real hotspot pages (routeros-scripts/hotspot) filled in as RouterOS
// fills them: the login page is fetched over HTTP, its own JavaScript is run (node:vm, with just
// the DOM it touches) to get the portal URL, and the values in that URL then log the guest in
// over real RADIUS, as the portal will: hex CHAP values for http-chap, the no-JavaScript link for
// PAP. A failed login comes back to the portal with the Reply-Message as error=.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { escForm, renderTemplate } from '../../tools/nas-sim/html-template.js';
import { HttpLogin } from '../../tools/nas-sim/http-login.js';
import { addEntitlement, addPackage } from '../support/fixtures.js';
import { SECRET, startNetflowWithRouter, type TestNetflow } from './helpers.js';

const HOTSPOT_DIR = fileURLToPath(new URL('../../routeros-scripts/hotspot/', import.meta.url));
const PORTAL = 'https://wifi.example.com/portal/';
const ROUTER = 'Café "Bahari" & Co';

const unHtml = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"');

/** What a browser does with the page: runs its inline script; returns where it sends the guest. */
function forwardOf(html: string): { url: URL; fallback: URL } {
  const a = /<a id="go" href="([^"]*)"/.exec(html);
  const script = /<script>([\s\S]*?)<\/script>/.exec(html);
  if (!a || !script) throw new Error('no forward link or script in the page');
  const go = { href: unHtml(a[1]) };
  const fallback = new URL(go.href);
  let replaced: string | null = null;
  const context = vm.createContext({
    document: { getElementById: (id: string) => (id === 'go' ? go : null) },
    location: { replace: (u: string) => void (replaced = u) },
  });
  // Sloppy mode, as in a browser's classic <script>: the octal escapes RouterOS writes are legal there.
  vm.runInContext(script[1], context);
  if (replaced === null) throw new Error('the page did not forward');
  return { url: new URL(replaced), fallback };
}

const md5hex = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest('hex');

describe('RouterOS template filling', () => {
  it('$(var), $(var-esc), $(if)/$(elif)/$(else)/$(endif) with comparisons, nested; unknown variables are empty', () => {
    const vars = { a: 'x y&z', empty: '', popup: 'true', n: '1' };
    expect(renderTemplate('[$(a)][$(a-esc)][$(nope)][$(empty-esc)]', vars)).toBe('[x y&z][x+y%26z][][]');
    expect(escForm('123&456=1 2')).toBe('123%26456%3D1+2'); // the manual's own example
    const t = "$(if empty)E$(elif popup == 'true')P$(if n != '1')N$(else)n$(endif)$(else)X$(endif)";
    expect(renderTemplate(t, vars)).toBe('Pn');
    expect(renderTemplate(t, { ...vars, popup: 'false' })).toBe('X');
    expect(renderTemplate(t, { ...vars, empty: '1' })).toBe('E');
    expect(() => renderTemplate('$(if a)', vars)).toThrow(/endif/);
    expect(() => renderTemplate('$(endif)', vars)).toThrow(/if/);
  });
});

describe('nas-sim serving routeros-scripts/hotspot', () => {
  let env: TestNetflow;
  let hs: Hotspot;
  let web: HttpLogin;
  let base: string;

  beforeAll(async () => {
    ({ env } = await startNetflowWithRouter());
    const pkg = await addPackage(env.db, { minutes: 60 });
    await addEntitlement(env.db, pkg.id, { code: 'PAGE1' });
    await addEntitlement(env.db, pkg.id, { code: 'PAGE2' });
    hs = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: env.netflow.authPort,
      acctPort: env.netflow.acctPort,
      bindAddress: '127.0.0.1',
      nasIdentifier: 'lodge-ap',
      clock: new ManualClock(),
    });
    web = await HttpLogin.start({ hotspot: hs, port: 0, htmlDir: HOTSPOT_DIR, netflowPages: { portalUrl: PORTAL, routerName: ROUTER } });
    base = `http://127.0.0.1:${web.port()}`;
  });
  afterAll(async () => {
    await web.close();
    await hs.stop({ endSessions: false });
    await env.stop();
  });

  it('login.html forwards to the portal with every parameter URL-encoded and the CHAP values in hex, which log the guest in', async () => {
    const mac = 'AA:BB:CC:00:40:01';
    const dst = 'http://example.com/a?b=1&c=2';
    const res = await fetch(`${base}/login?mac=${mac}&ip=10.5.50.90&dst=${encodeURIComponent(dst)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toMatch(/\$\(|\{\{/);
    // RouterOS's octal escapes are in the page, as the router writes them.
    expect(html).toMatch(/hex\('(\\[0-7]{3})'\) \+ '&chapChallenge=' \+ hex\('(\\[0-7]{3}){16}'\)/);

    const { url, fallback } = forwardOf(html);
    expect(url.origin + url.pathname).toBe(PORTAL);
    const p = url.searchParams;
    expect([...p.keys()]).toEqual(['router', 'mac', 'ip', 'linkLoginOnly', 'linkOrig', 'chapId', 'chapChallenge', 'identity', 'error']);
    expect(Object.fromEntries(p)).toMatchObject({
      router: ROUTER,
      mac,
      ip: '10.5.50.90',
      linkLoginOnly: `${base}/login?mac=${encodeURIComponent(mac)}&ip=10.5.50.90`,
      linkOrig: dst,
      identity: 'lodge-ap',
      error: '',
    });
    expect(p.get('chapId')).toMatch(/^[0-9a-f]{2}$/);
    expect(p.get('chapChallenge')).toMatch(/^[0-9a-f]{32}$/);
    // The no-JavaScript link is the same, without CHAP values (the portal then logs in by PAP).
    expect(Object.fromEntries(fallback.searchParams)).toEqual({ ...Object.fromEntries(p), chapId: '', chapChallenge: '' });

    // The portal's login: password = MD5(chap-id ‖ code ‖ chap-challenge), posted to linkLoginOnly.
    const password = md5hex(Buffer.from(p.get('chapId')!, 'hex'), Buffer.from('PAGE1'), Buffer.from(p.get('chapChallenge')!, 'hex'));
    const connected = `${PORTAL}?router=${encodeURIComponent(ROUTER)}&view=connected`;
    const login = await fetch(p.get('linkLoginOnly')!, {
      method: 'POST',
      body: new URLSearchParams({ username: 'PAGE1', password, dst: connected, popup: 'false' }),
      redirect: 'manual',
    });
    // RouterOS shows alogin.html, which sends the guest on to dst.
    expect(login.status).toBe(200);
    const alogin = await login.text();
    expect(alogin).toContain(`<meta http-equiv="refresh" content="0;url=${connected}">`);
    expect(hs.session(mac)).toMatchObject({ method: 'http-chap', userName: 'PAGE1', ip: '10.5.50.90' });

    // Logged in: /login shows alogin.html again, /status the router's status page.
    expect(await (await fetch(`${base}/login?mac=${mac}`)).text()).toContain('Umeunganishwa');
    const status = await (await fetch(`${base}/status?mac=${mac}`)).text();
    expect(status).toContain('<td>PAGE1</td>');
    expect(status).toContain(
      `${PORTAL}?router=${encodeURIComponent(ROUTER)}&amp;mac=${encodeURIComponent(mac)}&amp;ip=10.5.50.90&amp;view=connected`,
    );
    const logout = await (await fetch(`${base}/logout?mac=${mac}`, { method: 'POST' })).text();
    expect(logout).toContain('PAGE1');
    expect(logout).toContain(`href="${base}/login?mac=${encodeURIComponent(mac)}"`);
  });

  it('the no-JavaScript link logs in by PAP; a failed login returns to the portal with the error', async () => {
    const mac = 'AA:BB:CC:00:40:02';
    const first = forwardOf(await (await fetch(`${base}/login?mac=${mac}`)).text());
    const wrong = await fetch(first.fallback.searchParams.get('linkLoginOnly')!, {
      method: 'POST',
      body: new URLSearchParams({ username: 'PAGE2', password: 'not-the-code', dst: PORTAL }),
    });
    expect(wrong.status).toBe(200);
    // flogin.html: forwards to the portal again, with the Reply-Message and a fresh challenge.
    const again = forwardOf(await wrong.text());
    expect(again.url.searchParams.get('error')).toMatch(/\S/);
    expect(again.url.searchParams.get('chapChallenge')).not.toBe(first.url.searchParams.get('chapChallenge'));
    expect(hs.session(mac)).toBeNull();

    const ok = await fetch(again.fallback.searchParams.get('linkLoginOnly')!, {
      method: 'POST',
      body: new URLSearchParams({ username: 'PAGE2', password: 'PAGE2', dst: 'http://example.com/' }),
      redirect: 'manual',
    });
    expect(await ok.text()).toContain('content="0;url=http://example.com/"');
    expect(hs.session(mac)).toMatchObject({ method: 'pap', userName: 'PAGE2' });
  });

  it('without http-chap on the hotspot, the forward carries empty CHAP values (the portal then uses PAP)', async () => {
    const papOnly = await HttpLogin.start({
      hotspot: hs,
      port: 0,
      loginBy: ['http-pap'],
      htmlDir: HOTSPOT_DIR,
      netflowPages: { portalUrl: PORTAL, routerName: ROUTER },
    });
    try {
      const html = await (await fetch(`http://127.0.0.1:${papOnly.port()}/login?mac=AA:BB:CC:00:40:04`)).text();
      expect(html).toContain("hex('') + '&chapChallenge=' + hex('')");
      const { url } = forwardOf(html);
      expect([url.searchParams.get('chapId'), url.searchParams.get('chapChallenge'), url.searchParams.get('router')]).toEqual([
        '',
        '',
        ROUTER,
      ]);
    } finally {
      await papOnly.close();
    }
  });

  it('/ sends a guest who is not logged in to the login page (rlogin.html); /status without a session to login', async () => {
    const root = await (await fetch(`${base}/?mac=AA:BB:CC:00:40:03`)).text();
    expect(root).toContain(`content="0;url=${base}/login?mac=AA%3ABB%3ACC%3A00%3A40%3A03"`);
    const status = await fetch(`${base}/status?mac=AA:BB:CC:00:40:03`, { redirect: 'manual' });
    expect(status.status).toBe(302);
  });
});
