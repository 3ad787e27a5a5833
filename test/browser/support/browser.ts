// One headless Chromium per test file (Debian's package driven by playwright-core), screenshots into
// test-results/screenshots/, and the skip decision made by global-setup.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { missingBuild, ROOT, type RunningHotel, startHotelProcess } from './hotel.js';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/** Why this file's browser tests cannot run ('' when they can); printed once per file. */
export function browserSkipReason(file: string): string {
  const reason = inject('chromiumSkipReason') || missingBuild() || '';
  if (reason !== '') console.warn(`${file} skipped: ${reason}`);
  return reason;
}

/**
 * Launches Chromium headless. playwright's launch() runs it with a fresh temporary profile
 * (user-data-dir), removed on close; every context is isolated from the others.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}

/** A new isolated context (its own cookies: one person) with sane timeouts. */
export async function newPerson(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  return context;
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  console.log(`screenshot: ${join(SCREENSHOTS, `${name}.png`)}`);
}

/**
 * Signs in the way the app does: `#/signin` hands over to the front desk's sign-in pages
 * (`#/authorize?i=…`), whose form is filled (Enter submits); the pages send the browser back to the
 * app with a code, which it exchanges. Waits for the key card.
 */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/#/signin`);
  const form = page.getByTestId('authorize-signin-form');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByLabel('Password').press('Enter');
  await page.getByTestId('card').waitFor();
}

/** Taps a door and waits for its answer: `opened`, or `denied (CODE)` / `unreachable`. */
export async function tapDoor(page: Page, id: string): Promise<string> {
  await page.getByTestId(`door-${id}`).click();
  const result = page.getByTestId(`door-${id}-result`);
  await page.waitForFunction(
    (el) => el !== null && !['pending', 'none'].includes(el.getAttribute('data-result') ?? ''),
    await result.elementHandle(),
  );
  const outcome = (await result.getAttribute('data-result')) ?? '';
  const code = await result.getAttribute('data-code');
  return outcome === 'opened' || code === null ? outcome : `${outcome} (${code})`;
}

/**
 * Starts the hotel and the browser side by side; if one fails, the other is closed before the error
 * is thrown, so a failed beforeAll leaves no process behind.
 */
export async function openHotelAndBrowser(
  env: Record<string, string> = {},
): Promise<{ hotel: RunningHotel; browser: Browser }> {
  const [hotel, browser] = await Promise.allSettled([startHotelProcess({ env }), launchBrowser()]);
  if (hotel.status === 'fulfilled' && browser.status === 'fulfilled') {
    return { hotel: hotel.value, browser: browser.value };
  }
  if (hotel.status === 'fulfilled') await hotel.value.dispose();
  if (browser.status === 'fulfilled') await browser.value.close();
  throw hotel.status === 'rejected' ? hotel.reason : (browser as PromiseRejectedResult).reason;
}
