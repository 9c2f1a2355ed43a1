// Debian's Chromium (/usr/bin/chromium), driven headless through playwright-core: the pages are
// tested in a real browser, not a DOM imitation. CHROMIUM overrides the binary's path.
// Screenshots of the screens a test ends on go to test-artifacts/screenshots/<name>.png
// (gitignored; CI keeps the folder as an artifact).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

export function launchChromium(options: { args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      // Containers and CI runners give no user namespaces for the sandbox.
      '--no-sandbox',
      // /dev/shm is small in containers; Chromium then crashes on big pages.
      '--disable-dev-shm-usage',
      '--disable-gpu',
      // No calls home, no first-run prompts, no background work on a shared CPU.
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--metrics-recording-only',
      ...(options.args ?? []),
    ],
  });
}

/** A fresh context (cold cache, no storage): a phone that never saw the portal. */
export function newPhoneContext(
  browser: Browser,
  over: { width?: number; height?: number; locale?: string } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: over.width ?? 360, height: over.height ?? 740 },
    deviceScaleFactor: 1,
    locale: over.locale ?? 'en-US',
    hasTouch: false,
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
