// The captive portal end to end, in Debian's Chromium (playwright-core): a guest's browser starts
// at the MikroTik simulator's hotspot login page, is sent to NetFlow's portal, buys or redeems,
// and the portal posts the hotspot's login form to the simulator, whose Access-Request NetFlow
// accepts over real RADIUS; the hotspot then sends the browser back to the portal, which says
// "You are online". Every scenario's last screen is kept in test-artifacts/screenshots/.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { launchChromium, newPhoneContext, screenshot } from '../support/browser.js';
import { openTestDatabase } from '../support/db.js';
import { addEntitlement } from '../support/fixtures.js';
import { SITE_ROUTER } from '../support/portal-site.js';
import { buildWebIfStale, type PortalSite, startPortalSite } from '../support/portal-site.js';

let seq = 0;
/** A fresh device on the hotspot network. */
function device() {
  seq++;
  return { mac: `AA:BB:CC:13:00:${seq.toString(16).padStart(2, '0').toUpperCase()}`, ip: `10.5.50.${100 + seq}` };
}

describe('captive portal in Chromium', () => {
  let db: Database;
  let site: PortalSite;
  let browser: Browser;

  beforeAll(async () => {
    buildWebIfStale();
    db = await openTestDatabase();
    site = await startPortalSite(db);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await db?.close();
  });

  /** The hotspot's login page (NetFlow's login.html, filled in by the simulator as RouterOS would), which forwards to the portal. */
  async function enterFromHotspot(page: Page, dev: { mac: string; ip: string }, dst?: string): Promise<void> {
    await page.goto(site.hotspotLoginUrl(dev, dst));
    await reachPortal(page);
  }

  async function reachPortal(page: Page): Promise<void> {
    await page.waitForURL((u) => u.href.startsWith(`${site.netflowBase}/portal/?`), { timeout: 10_000 });
    const portal = new URL(page.url()).searchParams;
    // The hotspot's variables, as login.html hands them over (the contract between the two).
    expect(portal.get('router')).toBe(SITE_ROUTER);
    expect(portal.get('linkLoginOnly')).toMatch(new RegExp(`^${site.hotspotBase}/login`));
  }

  const heading = (page: Page) => page.locator('netflow-portal h1');

  async function expectConnected(page: Page, dev: { mac: string }, text = 'You are online'): Promise<string> {
    await expect.poll(() => heading(page).textContent(), { timeout: 15_000 }).toContain(text);
    expect(new URL(page.url()).searchParams.get('view')).toBe('connected');
    const session = site.hotspot.session(dev.mac);
    expect(session).not.toBeNull();
    return session!.userName;
  }

  async function withPhone<T>(
    fn: (page: Page, ctx: BrowserContext) => Promise<T>,
    over: Parameters<typeof newPhoneContext>[1] = {},
  ): Promise<T> {
    const ctx = await newPhoneContext(browser, over);
    try {
      return await fn(await ctx.newPage(), ctx);
    } finally {
      await ctx.close();
    }
  }

  it('buys a package with test money, approves on the phone, is logged in by http-chap and returns later to see its time left', async () => {
    const dev = device();
    await withPhone(async (page) => {
      await enterFromHotspot(page, dev);
      await expect.poll(() => heading(page).textContent()).toBe('Choose a package');
      await expect.poll(() => page.locator('netflow-portal .test-money').textContent()).toContain('TEST MONEY');
      // No secret in the page: the HTML is the same for every guest and the script has no keys.
      const html = await (await page.request.get(`${site.netflowBase}/portal/`)).text();
      expect(html).not.toMatch(/secret|token|password/i);
      await screenshot(page, 'portal-01-packages');

      await page.getByRole('button', { name: /Buy 1 hour/ }).click();
      // A new screen moves focus to its heading (where a screen reader starts reading).
      await expect
        .poll(() => page.evaluate(() => document.querySelector('netflow-portal')?.shadowRoot?.activeElement?.textContent))
        .toBe('Pay for 1 hour');
      await page.getByLabel('Mobile money number').fill('0754 000 000');
      // The network is pre-selected from the number's prefix (and can be changed).
      await expect.poll(() => page.locator('netflow-portal #network-guess').textContent()).toContain('Vodacom');
      await page.getByRole('button', { name: /^Pay / }).click();
      await expect.poll(() => heading(page).textContent()).toBe('Approve on your phone');
      await screenshot(page, 'portal-02-approve-on-phone');

      const code = await expectConnected(page, dev);
      await screenshot(page, 'portal-03-connected-after-purchase');
      const session = site.hotspot.session(dev.mac)!;
      expect(session.method).toBe('http-chap');
      expect(session.ip).toBe(dev.ip);
      const entitlement = await db.prisma.entitlement.findUniqueOrThrow({ where: { code }, include: { payment: true } });
      expect(entitlement.source).toBe('purchase');
      expect(entitlement.payment?.sandbox).toBe(true);
      await expect.poll(() => page.locator('netflow-portal .big').textContent()).toMatch(/left/);

      // Later: the session ended (logged out); the same phone comes back through the hotspot.
      await site.hotspot.logout(dev.mac);
      await site.hotspot.settled();
      await enterFromHotspot(page, dev);
      await expect.poll(() => page.locator('netflow-portal .returning').textContent()).toMatch(/Welcome back[\s\S]*(59 min|1 h) left/);
      await screenshot(page, 'portal-04-returning-time-left');
      await page.getByRole('button', { name: 'Get back online' }).click();
      expect(await expectConnected(page, dev)).toBe(code);
    });
  });

  it('a cancelled payment says so plainly and offers to try again', async () => {
    const dev = device();
    await withPhone(async (page) => {
      await enterFromHotspot(page, dev);
      await page.getByRole('button', { name: /Buy 1 hour/ }).click();
      // The sandbox's test phones: a number ending in 032 cancels on the phone.
      await page.getByLabel('Mobile money number').fill('0754 000 032');
      await page.getByRole('button', { name: /^Pay / }).click();
      await expect.poll(() => heading(page).textContent(), { timeout: 15_000 }).toBe('The payment did not go through');
      expect(await page.locator('netflow-portal .form-error').textContent()).toContain('You cancelled the payment on your phone');
      expect(site.hotspot.session(dev.mac)).toBeNull();
      await screenshot(page, 'portal-05-payment-cancelled');
      await page.getByRole('button', { name: 'Try again' }).click();
      await expect.poll(() => heading(page).textContent()).toBe('Pay for 1 hour');
    });
  });

  it('a guest who closed the page gets the paid code back with the phone and the receipt, and is logged in', async () => {
    // Paid from a page that was then closed: the purchase API as that page used it.
    const started = await fetch(`${site.netflowBase}/api/v1/portal/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ packageId: site.packages.hour, phone: '0754 700 000', router: SITE_ROUTER }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    await expect.poll(async () => (await db.prisma.payment.findUniqueOrThrow({ where: { id } })).status).toBe('paid');
    const receipt = (await db.prisma.payment.findUniqueOrThrow({ where: { id } })).receiptNumber!;
    const dev = device();
    await withPhone(async (page) => {
      await enterFromHotspot(page, dev);
      await page.getByRole('button', { name: 'Paid but lost your code?' }).click();
      await expect.poll(() => heading(page).textContent()).toBe('Find my code');
      await page.getByLabel('Mobile money number').fill('0754 700 000');
      await page.getByLabel('Receipt number').fill(receipt);
      await screenshot(page, 'portal-13-recover-code');
      await page.getByRole('button', { name: 'Find my code' }).click();
      const code = await expectConnected(page, dev);
      expect((await db.prisma.payment.findUniqueOrThrow({ where: { id }, include: { entitlement: true } })).entitlement?.code).toBe(code);
    });
  });

  it('a voucher, keyboard only, on a 320 px screen', async () => {
    const dev = device();
    const pkg = site.packages.day;
    await addEntitlement(db, pkg, { code: 'KEYB0ARD1' });
    await withPhone(
      async (page) => {
        await enterFromHotspot(page, dev);
        await expect.poll(() => heading(page).textContent()).toBe('Choose a package');
        // Nothing wider than the screen.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
        const focusedId = () =>
          page.evaluate(() => (document.querySelector('netflow-portal')?.shadowRoot?.activeElement as HTMLElement | null)?.id ?? '');
        for (let i = 0; i < 12 && (await focusedId()) !== 'code'; i++) await page.keyboard.press('Tab');
        expect(await focusedId()).toBe('code');
        await page.keyboard.type('keyb0ard1');
        await screenshot(page, 'portal-06-voucher-320px-keyboard');
        await page.keyboard.press('Enter');
        expect(await expectConnected(page, dev)).toBe('KEYB0ARD1');
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
        await screenshot(page, 'portal-07-voucher-connected-320px');
      },
      { width: 320, height: 640 },
    );
  });

  it("an expired code: NetFlow's answer and the router's error, in plain words", async () => {
    const dev = device();
    await addEntitlement(db, site.packages.hour, { code: 'OLDCODE1', expiresAt: new Date(Date.now() - 3600_000) });
    await withPhone(async (page) => {
      await enterFromHotspot(page, dev);
      await page.getByLabel('Code', { exact: true }).fill('OLDCODE1');
      await page.getByRole('button', { name: 'Connect' }).click();
      await expect
        .poll(() => page.locator('netflow-portal #voucher-error').textContent())
        .toBe('Your time has run out. Buy a new package to continue.');
      await screenshot(page, 'portal-08-expired-code');

      // The same code typed into the router's own form (PAP): RADIUS rejects it with a Reply-Message,
      // which the hotspot shows as $(error) and hands to the portal.
      await page.goto(`${site.hotspotBase}/md5.js?mac=${dev.mac}`);
      const loginOnly = `${site.hotspotBase}/login?${new URLSearchParams({ mac: dev.mac, ip: dev.ip })}`;
      await page.evaluate(
        ({ action }) => {
          const f = document.createElement('form');
          f.method = 'post';
          f.action = action;
          for (const [k, v] of Object.entries({ username: 'OLDCODE1', password: 'OLDCODE1', dst: '', popup: 'true' })) {
            const i = document.createElement('input');
            i.name = k;
            i.value = v;
            f.append(i);
          }
          document.body.append(f);
          f.submit();
        },
        { action: loginOnly },
      );
      // flogin.html (or login.html) forwards to the portal with error=.
      await reachPortal(page);
      expect(new URL(page.url()).searchParams.get('error')).toContain('time has run out');
      await expect
        .poll(() => page.locator('netflow-portal .form-error').first().textContent())
        .toBe('Your time has run out. Buy a new package to continue.');
      expect(site.hotspot.session(dev.mac)).toBeNull();
      await screenshot(page, 'portal-09-router-error-expired');
    });
  });

  it('in Swahili, chosen from the browser, with a switch back to English', async () => {
    const dev = device();
    await addEntitlement(db, site.packages.hour, { code: 'KARIBU01' });
    await withPhone(
      async (page) => {
        await enterFromHotspot(page, dev);
        await expect.poll(() => heading(page).textContent()).toBe('Chagua kifurushi');
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('sw');
        await screenshot(page, 'portal-10-swahili-packages');
        await page.getByRole('button', { name: 'English', exact: true }).click();
        await expect.poll(() => heading(page).textContent()).toBe('Choose a package');
        await page.getByRole('button', { name: 'Kiswahili', exact: true }).click();
        await page.getByLabel('Namba', { exact: true }).fill('KARIBU01');
        await page.getByRole('button', { name: 'Unganisha' }).click();
        expect(await expectConnected(page, dev, 'Uko mtandaoni')).toBe('KARIBU01');
        await screenshot(page, 'portal-11-swahili-connected');
      },
      { locale: 'sw-TZ' },
    );
  });

  it('says clearly when the API is down; "Try again" shows a spinner while it is slow', async () => {
    const dev = device();
    await withPhone(async (page) => {
      // The page came without its inlined packages (NetFlow gives up on them after 1.5 s), and then
      // the API stops answering.
      await page.route(
        (u) => u.pathname === '/portal/',
        async (route) => {
          const response = await route.fetch();
          const body = (await response.text()).replace(/<script type="application\/json" id="netflow-boot">.*?<\/script>/s, '');
          await route.fulfill({ response, body, headers: { ...response.headers(), 'content-encoding': 'identity' } });
        },
      );
      await page.route('**/api/v1/portal/packages*', (route) => route.abort('connectionrefused'));
      await enterFromHotspot(page, dev);
      await expect.poll(() => heading(page).textContent(), { timeout: 15_000 }).toBe('The Wi-Fi service is not answering');
      await screenshot(page, 'portal-12-api-down');
      // Then it is slow and drops a request: a spinner, "still trying", and the packages.
      await page.unroute('**/api/v1/portal/packages*');
      let calls = 0;
      await page.route('**/api/v1/portal/packages*', async (route) => {
        if (calls++ === 0) return route.abort('timedout');
        await new Promise((r) => setTimeout(r, 1000));
        return route.continue();
      });
      await page.getByRole('button', { name: 'Try again' }).click();
      await expect.poll(() => heading(page).textContent()).toBe('Loading…');
      await expect.poll(() => page.locator('netflow-portal .notice').textContent()).toContain('Still trying');
      expect(await page.locator('netflow-portal .spinner').count()).toBe(1);
      await expect.poll(() => heading(page).textContent()).toBe('Choose a package');
      expect(calls).toBe(2);
    });
  });
  it("shows the operator's branding: name, logo, colour and support phone, changed without a restart", async () => {
    // A 1×1 PNG as a data: URL (the CSP allows data: images; remote logos are dropped by the server).
    const logo = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await db.prisma.setting.upsert({
      where: { key: 'portal.branding' },
      create: {
        key: 'portal.branding',
        value: { name: 'Café Bahari', logoUrl: logo, primaryColor: '#6b1d4f', supportPhone: '+255 754 000 111' },
      },
      update: {},
    });
    await new Promise((r) => setTimeout(r, 5_200)); // the branding is re-read every 5 s
    const dev = device();
    await withPhone(async (page) => {
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await enterFromHotspot(page, dev);
      await expect.poll(() => page.locator('netflow-portal .brand').textContent()).toBe('Café Bahari');
      expect(await page.title()).toBe('Café Bahari');
      expect(await page.locator('netflow-portal img.logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
      const primary = await page.locator('netflow-portal').evaluate((el) => getComputedStyle(el).getPropertyValue('--nf-primary').trim());
      expect(primary).toBe('#6b1d4f');
      expect(await page.locator('netflow-portal footer a').getAttribute('href')).toBe('tel:+255754000111');
      // Nothing the page does is refused by its Content-Security-Policy.
      expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
      await screenshot(page, 'portal-14-branding');
    });
  });
});
