// The operator dashboard in Debian's Chromium against a whole NetFlow (real PostgreSQL, RADIUS and
// HTTP on loopback) and the hotspot simulator (tools/nas-sim) as the router, over real RADIUS:
// an admin signs in, adds the router (its secret shown once), creates two packages, creates vouchers
// and opens their printable sheet; a guest signs in on the simulator with one of those vouchers and
// appears in the live sessions without a reload (server-sent events); the admin moves the session to
// the other package (the simulator receives a CoA-Request) and ends it (a Disconnect-Request; the
// row goes); the revenue chart shows the voucher sale; a payment held for review is resolved with a
// reason; the secret is rotated; the overview counts the router up, also in Swahili at 320 px. A
// viewer is offered no changes (keyboard: skip link, focus ring), and the server's 403 is shown when
// one is tried anyway. A wrong password, the login throttle, and a fresh install's first admin.
// Screenshots of every final screen: test-artifacts/screenshots/dashboard-*.png.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/admin/admins.js';
import type { RunningNetflow } from '../../src/app/serve.js';
import type { Database } from '../../src/db/database.js';
import { CoaListener } from '../../tools/nas-sim/coa-listener.js';
import { Hotspot } from '../../tools/nas-sim/hotspot.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { buildWebIfStale } from '../support/portal-site.js';
import { freeUdpPort } from '../support/spawn-netflow.js';
import { openTestDatabase } from '../support/db.js';
import { silentLogger, type Logger } from '../../src/config/logger.js';
import { startNetflowOn } from '../support/netflow.js';

const SECRET = 'dashboard-e2e-secret-0123';
const ADMIN = { email: 'owner@cafe.example', password: 'owner-passphrase-1' };
const VIEWER = { email: 'viewer@cafe.example', password: 'viewer-passphrase-1' };
const WEB_BUILT = fileURLToPath(new URL('../../web/dist/dashboard/index.html', import.meta.url));

describe('the dashboard in Chromium', () => {
  let db: Database;
  let netflow: RunningNetflow;
  let hotspot: Hotspot;
  let coa: CoaListener;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    // A page source edited since the last build: build again (as the portal's browser tests do).
    buildWebIfStale();
    if (!existsSync(WEB_BUILT)) throw new Error('web/dist is not built: run "npm run build:web" (npm ci does it)');
    db = await openTestDatabase();
    // Enforcement runs as in production: an ended session's Disconnect is sent at once.
    // Fixed RADIUS ports and PUBLIC_URL: the router's setup script (downloaded below) needs both.
    netflow = await startNetflowOn(
      db,
      { enforcement: 'auto', coaTimeoutMs: 500 },
      { authPort: await freeUdpPort(), acctPort: await freeUdpPort() },
      { PUBLIC_URL: 'http://127.0.0.1:8080' },
    );
    base = `http://127.0.0.1:${netflow.httpPort}`;
    await createAdmin(db.prisma, { ...ADMIN, role: 'admin' }, 'e2e');
    await createAdmin(db.prisma, { ...VIEWER, role: 'viewer' }, 'e2e');
    hotspot = await Hotspot.start({
      server: '127.0.0.1',
      secret: SECRET,
      authPort: netflow.authPort,
      acctPort: netflow.acctPort,
      bindAddress: '127.0.0.1',
    });
    coa = await CoaListener.start({
      target: hotspot,
      server: '127.0.0.1',
      secret: SECRET,
      port: 0,
      bindAddress: '127.0.0.1',
      log: hotspot.log,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await coa?.close();
    await hotspot?.stop({ endSessions: false });
    await netflow?.close();
    await db?.close();
  });

  async function signIn(context: BrowserContext, who: { email: string; password: string }): Promise<Page> {
    const page = await context.newPage();
    // Confirmations (end a session, disable a router) are accepted as an operator would.
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/dashboard/`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    return page;
  }

  async function open(page: Page, section: string, heading = section): Promise<void> {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: section }).click();
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  }

  /** Keeps logging the guest in until NetFlow knows the router (it learns new routers by NOTIFY). */
  async function guestSignsIn(code: string, mac: string) {
    for (let i = 0; i < 60; i++) {
      const r = await hotspot.login({ method: 'chap', mac, username: code, password: code });
      if (r.ok) {
        await hotspot.settled();
        return r.session;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`NetFlow never accepted ${code} from the simulated router`);
  }

  it('an admin adds a router and packages, prints vouchers, watches a guest sign in live, moves and ends the session, reads the revenue chart, resolves a held payment, rotates the secret', async () => {
    // An operator in Dar es Salaam: reports count days in the browser's time zone.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      timezoneId: 'Africa/Dar_es_Salaam',
    });
    const page = await signIn(context, ADMIN);
    await screenshot(page, 'dashboard-overview-empty');

    // A router: the simulator's address and secret, and the port its CoA listener took.
    await open(page, 'Routers');
    await page.getByRole('button', { name: 'Add router' }).click();
    const routerForm = page.locator('dialog#router-form');
    await routerForm.getByLabel('Name').fill('cafe-main');
    await routerForm.getByLabel('IP address').fill('127.0.0.1');
    await routerForm.getByLabel('Location').fill('Kariakoo');
    await routerForm.getByLabel('CoA port').fill(String(coa.port()));
    await routerForm.getByLabel('Shared secret').fill(SECRET);
    await routerForm.getByRole('button', { name: 'Save' }).click();
    // The secret is shown this once; the list has it masked.
    const once = page.locator('dialog#secret-once');
    await once.getByText(SECRET).waitFor();
    await screenshot(page, 'dashboard-router-secret-once');
    await once.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.locator('tr[data-router="cafe-main"]').count()).toBe(1);
    expect(await page.locator('tr[data-router="cafe-main"]').textContent()).not.toContain(SECRET);
    // Added, never heard from: neither up nor down yet.
    expect(await page.locator('tr[data-router="cafe-main"]').textContent()).toContain('not heard yet');
    await screenshot(page, 'dashboard-routers');

    // Its RouterOS setup script, downloaded from the list: this router's secret and CoA port in it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Setup script cafe-main' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('netflow-cafe-main.rsc');
    const scriptPath = await download.path();
    const script = readFileSync(scriptPath, 'utf8');
    expect(script).toContain(`secret="${SECRET}"`);
    expect(script).toContain(`/radius incoming set accept=yes port=${coa.port()}`);

    await open(page, 'Packages');
    await page.getByRole('button', { name: 'Add package' }).click();
    const packageForm = page.locator('dialog#package-form');
    await packageForm.getByLabel('Name').fill('1 hour');
    await packageForm.getByLabel('Minutes').fill('60');
    await packageForm.getByLabel('Price').fill('1000');
    await packageForm.getByLabel('Currency').fill('TZS');
    await packageForm.getByLabel('Speed (up/down)').fill('2M/5M');
    await packageForm.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('tr[data-package="1 hour"]').count()).toBe(1);
    // A faster one, to move the guest to later.
    await page.getByRole('button', { name: 'Add package' }).click();
    await packageForm.getByLabel('Name').fill('Fast hour');
    await packageForm.getByLabel('Minutes').fill('60');
    await packageForm.getByLabel('Price').fill('1500');
    await packageForm.getByLabel('Currency').fill('TZS');
    await packageForm.getByLabel('Speed (up/down)').fill('5M/10M');
    await packageForm.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('tr[data-package="Fast hour"]').count()).toBe(1);
    await screenshot(page, 'dashboard-packages');

    await open(page, 'Vouchers');
    await page.getByRole('button', { name: 'Create vouchers' }).click();
    const voucherForm = page.locator('dialog#voucher-form');
    await voucherForm.getByLabel('Package').selectOption('1 hour');
    await voucherForm.getByLabel('How many').fill('6');
    await voucherForm.getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-batch]').first().waitFor();
    await screenshot(page, 'dashboard-vouchers');
    await page.getByRole('button', { name: 'Codes' }).click();
    const codesDialog = page.locator('dialog#codes');
    await expect.poll(() => codesDialog.locator('tbody tr').count()).toBe(6);
    await screenshot(page, 'dashboard-voucher-codes');
    await codesDialog.getByRole('button', { name: 'Close' }).click();

    // The printable sheet opens in its own tab, with the batch's codes on cut-out cards.
    const [sheet] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'Print sheet' }).first().click()]);
    await sheet.waitForLoadState();
    const codes = await sheet.locator('.code').allTextContents();
    expect(codes).toHaveLength(6);
    await screenshot(sheet, 'dashboard-voucher-sheet');
    await sheet.close();

    // Live sessions: the stream is connected before the guest signs in, and the page is not reloaded.
    await open(page, 'Live sessions');
    await page.locator('[data-live="yes"]').waitFor();
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const code = codes[0].trim();
    const guest = await guestSignsIn(code, '02:DA:5B:00:00:01');
    const row = page.locator(`tr[data-user="${code}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(navigations).toEqual([]);
    await screenshot(page, 'dashboard-sessions-live');

    // Moved to the faster package: the simulator gets a CoA-Request and keeps the session.
    await row.getByRole('button', { name: 'Change package' }).click();
    const change = page.locator('dialog#change-package');
    await change.getByLabel('Package').selectOption('Fast hour');
    await change.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => hotspot.log.list('coa-request').some((e) => e.fields.kind === 'coa' && e.fields.session === guest.acctSessionId), {
        timeout: 10_000,
      })
      .toBe(true);
    await change.waitFor({ state: 'hidden' });
    await page.getByRole('status').getByText('The router applied the new package.').waitFor();
    expect(hotspot.findSessions({ acctSessionId: guest.acctSessionId })).toHaveLength(1);

    await row.getByRole('button', { name: `End ${code}` }).click();
    // The simulator got the Disconnect, logged the guest out, and the row left the list.
    await expect
      .poll(() => hotspot.log.list('coa-request').some((e) => e.fields.kind === 'disconnect' && e.fields.session === guest.acctSessionId), {
        timeout: 10_000,
      })
      .toBe(true);
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByRole('status').getByText('The router disconnected the device.').waitFor();
    expect(hotspot.findSessions({ acctSessionId: guest.acctSessionId })).toHaveLength(0);
    await screenshot(page, 'dashboard-sessions-ended');

    // The voucher was sold when first used: today's revenue, drawn as a chart. A voucher counts at the
    // price of its batch (1 hour, 1,000 TZS), though the guest's code was moved to Fast hour since.
    await open(page, 'Reports');
    const chart = page.locator('figure[data-chart="TZS"]');
    await chart.waitFor();
    await expect.poll(() => chart.locator('rect').count()).toBeGreaterThan(0);
    expect(await chart.textContent()).toContain('Total: 1,000 TZS');
    await screenshot(page, 'dashboard-reports-revenue');

    // A payment held for review (the money came after NetFlow had given up on it), found with the
    // filter and resolved with what was done.
    const hour = await db.prisma.package.findUniqueOrThrow({ where: { name: '1 hour' } });
    await db.prisma.payment.create({
      data: {
        reference: 'LATE000001',
        callbackToken: 'e2e-late-1',
        packageId: hour.id,
        provider: 'daraja',
        network: 'safaricom',
        phone: '254700000111',
        amountMinor: 100000n,
        currency: 'TZS',
        status: 'expired',
        needsReview: true,
        expiresAt: new Date(),
        nextCheckAt: new Date(),
      },
    });
    await open(page, 'Payments');
    await page.getByLabel('Only payments held for review').check();
    await page.getByRole('button', { name: 'Filter' }).click();
    const held = page.locator('tr[data-payment="LATE000001"]');
    await held.getByRole('button', { name: 'Resolve' }).click();
    const resolve = page.locator('dialog#resolve');
    await resolve.getByLabel('Reason').fill('Code K7HX3M2Q given by hand at the counter');
    await resolve.getByRole('button', { name: 'Save' }).click();
    // It leaves the review list; among all payments it shows who resolved it and how.
    await held.waitFor({ state: 'detached' });
    await page.getByLabel('Only payments held for review').uncheck();
    await page.getByRole('button', { name: 'Filter' }).click();
    await held.getByText('Resolved by owner@cafe.example: Code K7HX3M2Q given by hand at the counter').waitFor();
    expect((await db.prisma.payment.findUniqueOrThrow({ where: { reference: 'LATE000001' } })).needsReview).toBe(false);
    await screenshot(page, 'dashboard-payments-resolved');

    // Rotating the router's secret shows the new one once; the list keeps it masked.
    await open(page, 'Routers');
    await page.getByRole('button', { name: 'Rotate secret cafe-main' }).click();
    const rotated = page.locator('dialog#secret-once [data-testid="new-secret"]');
    await rotated.waitFor();
    const newSecret = (await rotated.textContent())?.trim() ?? '';
    expect(newSecret.length).toBeGreaterThanOrEqual(16);
    expect(newSecret).not.toBe(SECRET);
    await page.locator('dialog#secret-once').getByRole('button', { name: 'Close' }).click();
    expect(await page.locator('tr[data-router="cafe-main"]').textContent()).not.toContain(newSecret);

    // The audit log has each change, filtered by a prefix, with what changed.
    await open(page, 'Audit log');
    await page.getByLabel('Action (e.g. router. or alert.)').fill('router.');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'router.secret_rotated' }).waitFor();
    await page.getByRole('cell', { name: 'router.add' }).waitFor();
    // What changed, masked: the secret itself is in no audit entry.
    await page.getByRole('cell', { name: /^secretMasked: da…23 → \S+…\S+$/ }).waitFor();
    expect((await page.locator('td.details').allTextContents()).join(' ')).not.toContain(SECRET);
    await screenshot(page, 'dashboard-audit');

    // NetFlow notes when a router was last heard from every 10 s; the overview counts it as up then.
    await expect
      .poll(async () => (await db.prisma.router.findFirst({ where: { name: 'cafe-main' } }))?.lastSeenAt, { timeout: 15_000 })
      .toBeTruthy();
    await open(page, 'Overview');
    await page.locator('[data-figure="routers-up"] .figure').filter({ hasText: '1' }).waitFor();
    await screenshot(page, 'dashboard-overview');

    // The same dashboard in Swahili, on a 320 px phone.
    await page.getByLabel('Language').selectOption('sw');
    await page.getByRole('heading', { name: 'Muhtasari' }).waitFor();
    await page.setViewportSize({ width: 320, height: 720 });
    await screenshot(page, 'dashboard-overview-sw-320px');
    await context.close();
  });

  it('a viewer is offered no changes, and the server refuses one tried anyway, which the page shows', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
    const page = await signIn(context, VIEWER);

    // Keyboard: the first Tab reaches "Skip to content", with a visible focus ring; Enter moves to the section.
    const focused = () =>
      page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return { id: el?.id ?? '', text: el?.textContent?.trim() ?? '', outline: el ? getComputedStyle(el).outlineStyle : '' };
      });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ text: 'Skip to content', outline: 'solid' });
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('main');

    await open(page, 'Routers');
    await page.locator('tr[data-router="cafe-main"]').waitFor();
    const add = page.getByRole('button', { name: 'Add router' });
    expect(await add.isDisabled()).toBe(true);
    await page.getByText('Your role (viewer) can look but not change this.').waitFor();
    expect(await page.getByRole('link', { name: 'Admins' }).count()).toBe(0);

    // The server decides, not the page: with the button forced on (as a tampered page would), the
    // request goes out with the CSRF header and the server's 403 is what the viewer reads.
    await add.evaluate((button) => {
      (button as HTMLButtonElement).disabled = false;
    });
    await add.click();
    const form = page.locator('dialog#router-form');
    await form.getByLabel('Name').fill('sneaky');
    await form.getByLabel('IP address').fill('10.9.9.9');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').getByText('Refused: This needs the admin role; you are signed in as viewer.').waitFor();
    await screenshot(page, 'dashboard-viewer-refused');
    expect(await db.prisma.router.count({ where: { name: 'sneaky' } })).toBe(0);
    await context.close();
  });

  it("a wrong password is said plainly, and after ten the page shows the server's throttle with the wait", async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/`);
    const alert = page.getByRole('alert');
    for (let i = 1; i <= 11; i++) {
      await page.getByLabel('Email').fill('guesser@cafe.example');
      await page.getByLabel('Password').fill(`wrong-guess-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      if (i === 1) await alert.getByText('Sign-in failed: Wrong email or password.').waitFor();
    }
    await alert.getByText(/^Too many sign-in attempts\. Wait \d+ minutes? and try again/).waitFor();
    await screenshot(page, 'dashboard-login-throttled');
    await context.close();
  });

  it('on a fresh install, the first admin is created from the page with the setup token NetFlow logged', async () => {
    const freshDb = await openTestDatabase();
    let token = '';
    const log: Logger = {
      ...silentLogger,
      warn(_msg, fields) {
        if (typeof fields?.setupToken === 'string') token = fields.setupToken;
      },
    };
    const fresh = await startNetflowOn(freshDb, {}, {}, {}, log);
    try {
      expect(token).not.toBe('');
      const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' });
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${fresh.httpPort}/dashboard/`);
      await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
      await page.getByLabel('Setup token (from the log)').fill(token);
      await page.getByLabel('Email').fill('first@cafe.example');
      await page.getByLabel('Password').fill('first-admin-passphrase');
      await screenshot(page, 'dashboard-first-run');
      await page.getByRole('button', { name: 'Create admin and sign in' }).click();
      await page.getByText('Signed in as first@cafe.example (admin)').waitFor();
      expect(await freshDb.prisma.adminUser.count()).toBe(1);
      await context.close();
    } finally {
      await fresh.close();
      await freshDb.close();
    }
  });
});
