// The front desk in a real Chromium against the real `keycard demo` stack: sign-in with the keyboard,
// alice's card and doors, carol's office, the wrong-password message, labelled controls.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tabTo, unnamedControls } from './support/a11y.js';
import {
  browserSkipReason,
  newPerson,
  openHotelAndBrowser,
  SCREENSHOTS,
  screenshot,
  signIn,
  tapDoor,
} from './support/browser.js';
import { PASSWORDS, type RunningHotel } from './support/hotel.js';
import { openOfficeWithTotp } from './support/mfa.js';

const skip = browserSkipReason('test/browser/front-desk.test.ts');

describe.skipIf(skip !== '')('the front desk in Chromium', () => {
  let hotel: RunningHotel;
  let browser: Browser;
  let alice: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser());
    alice = await newPerson(browser);
    page = await alice.newPage();
    console.log(`screenshots: ${SCREENSHOTS}`);
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  it("alice signs in with the keyboard at the front desk's pages and her card shows room 101", async () => {
    await page.goto(`${hotel.url}/`);
    // The app hands over to the front desk's sign-in pages (the code flow every app of the hotel uses).
    await page.getByTestId('authorize-signin-form').waitFor();
    expect(new URL(page.url()).hash).toMatch(/^#\/authorize\?i=/);
    await screenshot(page, '01-signin');
    expect(await tabTo(page, 'authorize-username')).toBeGreaterThan(0);
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('authorize-password');
    await page.keyboard.type(PASSWORDS.alice);
    await page.keyboard.press('Enter');
    await page.getByTestId('card').waitFor();
    // Back at the app: the code is off the address bar, and the refresh token out of the page's reach.
    expect(page.url()).toBe(`${hotel.url}/#/`);
    expect(await page.evaluate(() => document.cookie)).not.toContain('keycard_rt');
    expect(await page.getByTestId('card').getAttribute('data-state')).toBe('active');
    expect(await page.getByTestId('card-username').textContent()).toContain('alice');
    expect(await page.getByTestId('card-room').textContent()).toContain('101');
    // The card on the desk is for the front desk's own API only, and bound to this browser's key.
    expect(await page.getByTestId('card-audiences').textContent()).toBe('keycard');
    expect(await page.getByTestId('card-jkt').getAttribute('data-jkt')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await page.getByTestId('nav-admin').count()).toBe(0);
  });

  it('opens room 101, the pool and the garage; room 102 and the office refuse with the reason', async () => {
    for (const door of ['room-101', 'pool', 'garage']) expect(await tapDoor(page, door), door).toBe('opened');
    const body = JSON.parse((await page.getByTestId('door-room-101-body').textContent()) ?? '{}');
    expect(body).toEqual({ opened: true, door: 'room 101', by: 'alice' });

    expect(await tapDoor(page, 'room-102')).toBe('denied (ERR_GUARD_NOT_OWNER)');
    const room102 = page.getByTestId('door-room-102-result');
    expect(await room102.getAttribute('data-status')).toBe('403');
    expect(await room102.getAttribute('data-code')).toBe('ERR_GUARD_NOT_OWNER');
    expect(await page.getByTestId('door-room-102-reason').textContent()).toMatch(
      /403 ERR_GUARD_NOT_OWNER — \S/,
    );

    expect(await tapDoor(page, 'office')).toBe('denied (ERR_GUARD_FORBIDDEN_ROLE)');
    expect(await page.getByTestId('door-office-result').getAttribute('data-code')).toBe(
      'ERR_GUARD_FORBIDDEN_ROLE',
    );
    expect(await page.getByTestId('door-office-reason').isVisible()).toBe(true);

    // Each door got its own card: one audience, the same key, none of them the API card.
    const jkt = await page.getByTestId('card-jkt').getAttribute('data-jkt');
    for (const aud of ['rooms', 'amenities', 'office']) {
      const row = page.getByTestId(`desk-card-${aud}`);
      expect(await row.getAttribute('data-aud')).toBe(aud);
      expect(await row.getAttribute('data-jkt')).toBe(jkt);
    }
    expect(await page.getByTestId('door-pool-result').getAttribute('data-card-aud')).toBe('amenities');
    expect(await page.getByTestId('door-room-101-result').getAttribute('data-card-aud')).toBe('rooms');
    await screenshot(page, '02-front-desk-alice');
  });

  it('carol, the manager, opens the office (with a second factor) but not the pool', async () => {
    const carol = await newPerson(browser);
    try {
      const p = await carol.newPage();
      await signIn(p, hotel.url, 'carol', PASSWORDS.carol);
      expect(await p.getByTestId('card-room').count()).toBe(0);
      // The office wants a second factor: she sets one up on the way (test/browser/mfa-*.test.ts).
      expect((await openOfficeWithTotp(p, PASSWORDS.carol)).office).toBe('opened');
      expect(JSON.parse((await p.getByTestId('door-office-body').textContent()) ?? '{}')).toEqual({
        opened: true,
        door: 'office',
        by: 'carol',
      });
      expect(await tapDoor(p, 'pool')).toBe('denied (ERR_GUARD_INSUFFICIENT_SCOPE)');
      expect(await p.getByTestId('door-pool-result').getAttribute('data-code')).toBe(
        'ERR_GUARD_INSUFFICIENT_SCOPE',
      );
      expect(await tapDoor(p, 'room-101')).toBe('denied (ERR_GUARD_INSUFFICIENT_SCOPE)');
      await screenshot(p, '03-front-desk-carol');
    } finally {
      await carol.close();
    }
  });

  it('a wrong password and an unknown user get the same message, which names neither', async () => {
    const stranger = await newPerson(browser);
    try {
      const p = await stranger.newPage();
      const attempt = async (username: string) => {
        await p.goto(`${hotel.url}/#/signin`);
        await p.getByTestId('authorize-signin-form').getByLabel('Username').fill(username);
        await p.getByLabel('Password').fill('not-the-password');
        await p.getByLabel('Password').press('Enter');
        const error = p.getByTestId('authorize-signin-error');
        await error.filter({ hasText: /\S/ }).waitFor();
        return { text: (await error.textContent())?.trim(), code: await error.getAttribute('data-code') };
      };
      const wrongPassword = await attempt('alice');
      await screenshot(p, '04-signin-wrong-password');
      const unknownUser = await attempt('nobody-here');
      expect(unknownUser).toEqual(wrongPassword);
      expect(wrongPassword.code).toBe('ERR_INVALID_CREDENTIALS');
      expect(wrongPassword.text).not.toMatch(/alice|nobody|exist|unknown|not found/i);
      expect(await p.getByTestId('card').count()).toBe(0);
    } finally {
      await stranger.close();
    }
  });

  it('every control on the sign-in page, the front desk, the account page and the inspector is labelled; doors open from the keyboard', async () => {
    const stranger = await newPerson(browser);
    try {
      const p = await stranger.newPage();
      await p.goto(`${hotel.url}/#/signin`);
      await p.getByTestId('authorize-signin-form').waitFor();
      expect(await unnamedControls(p)).toEqual([]);
      // The checker itself sees an unlabelled control when there is one.
      await p.evaluate(() =>
        document.body.append(Object.assign(document.createElement('input'), { id: 'probe' })),
      );
      expect(await unnamedControls(p)).toHaveLength(1);
      await p.evaluate(() => document.getElementById('probe')?.remove());
      await expect(p.getByLabel('Username').count()).resolves.toBe(1);
      await expect(p.getByLabel('Password').count()).resolves.toBe(1);
    } finally {
      await stranger.close();
    }
    for (const [route, testId] of [
      ['#/', 'page-front-desk'],
      ['#/account', 'page-account'],
      ['#/inspector', 'page-inspector'],
    ] as const) {
      await page.goto(`${hotel.url}/${route}`);
      await page.getByTestId(testId).waitFor();
      expect(await unnamedControls(page), route).toEqual([]);
    }
    expect(await tabTo(page, 'inspector-input')).toBeGreaterThan(0);

    // The doors are buttons: Tab to one and press Enter.
    await page.goto(`${hotel.url}/#/`);
    await page.getByTestId('doors-list').waitFor();
    expect(await page.getByTestId('door-garage-result').getAttribute('data-result')).toBe('none');
    expect(await tabTo(page, 'door-garage')).toBeGreaterThan(0);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="door-garage-result"][data-result="opened"]').waitFor();
  });
});
