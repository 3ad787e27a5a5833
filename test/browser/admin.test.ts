// The manager's console in a real Chromium against the real `keycard demo` stack: rotating the signing
// key leaves cards issued before the rotation working at every door (and new cards, signed by the key
// that was published as `next`, work too), and revoking alice's session there closes her doors.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unnamedControls } from './support/a11y.js';
import {
  browserSkipReason,
  newPerson,
  openHotelAndBrowser,
  screenshot,
  signIn,
  tapDoor,
} from './support/browser.js';
import { PASSWORDS, type RunningHotel } from './support/hotel.js';

const skip = browserSkipReason('test/browser/admin.test.ts');

async function kidOf(page: Page): Promise<string> {
  return (await page.getByTestId('card-kid').getAttribute('title')) ?? '';
}

async function openAdmin(page: Page, hotel: RunningHotel, section: string): Promise<void> {
  await page.goto(`${hotel.url}/#/admin/${section}`);
  await page.getByTestId('page-admin').waitFor();
}

describe.skipIf(skip !== '')('the admin console in Chromium', () => {
  let hotel: RunningHotel;
  let browser: Browser;
  let alice: BrowserContext;
  let carol: BrowserContext;
  let alicePage: Page;
  let carolPage: Page;

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser());
    [alice, carol] = await Promise.all([newPerson(browser), newPerson(browser)]);
    [alicePage, carolPage] = await Promise.all([alice.newPage(), carol.newPage()]);
    await signIn(alicePage, hotel.url, 'alice', PASSWORDS.alice);
    await signIn(carolPage, hotel.url, 'carol', PASSWORDS.carol);
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  it('the manager rotates the signing key and every door keeps opening for a card issued before', async () => {
    const before = await kidOf(alicePage);
    expect(before).not.toBe('');
    // alice's door cards are minted now, before the rotation, and kept in her page's memory.
    for (const door of ['room-101', 'pool']) expect(await tapDoor(alicePage, door), door).toBe('opened');
    const issued = async () =>
      Promise.all(
        ['rooms', 'amenities'].map((aud) =>
          alicePage.getByTestId(`desk-card-${aud}`).getAttribute('data-exp'),
        ),
      );
    const issuedBefore = await issued();
    await carolPage.getByTestId('nav-admin').click();
    await openAdmin(carolPage, hotel, 'keys');
    await carolPage.locator(`[data-testid="admin-key-${before}"][data-state="current"]`).waitFor();
    const next = carolPage.locator('[data-testid^="admin-key-"][data-state="next"]');
    const nextKid = ((await next.getAttribute('data-testid')) ?? '').replace('admin-key-', '');
    await carolPage.getByTestId('admin-keys-rotate').click();
    await carolPage.getByTestId('confirm-ok').click();
    await carolPage
      .getByTestId('admin-keys-status')
      .filter({ hasText: /Rotated/ })
      .waitFor();
    await carolPage.locator(`[data-testid="admin-key-${nextKid}"][data-state="current"]`).waitFor();
    await carolPage.locator(`[data-testid="admin-key-${before}"][data-state="retired"]`).waitFor();
    expect(await unnamedControls(carolPage)).toEqual([]);
    await screenshot(carolPage, '07-admin-keys-rotated');

    // alice's cards were issued before the rotation and are presented to the doors again now.
    expect(await kidOf(alicePage)).toBe(before);
    for (const door of ['room-101', 'pool', 'garage'])
      expect(await tapDoor(alicePage, door), door).toBe('opened');
    expect(await issued()).toEqual(issuedBefore);

    // A card signed by the new key, which was published (state next) before it signed anything.
    const bob = await newPerson(browser);
    try {
      const bobPage = await bob.newPage();
      await signIn(bobPage, hotel.url, 'bob', PASSWORDS.bob);
      expect(await kidOf(bobPage)).toBe(nextKid);
      for (const door of ['room-102', 'pool', 'garage'])
        expect(await tapDoor(bobPage, door), door).toBe('opened');
      expect(await tapDoor(bobPage, 'room-101')).toBe('denied (ERR_GUARD_NOT_OWNER)');
    } finally {
      await bob.close();
    }
  });

  it("revoking alice's session in the console closes her doors", async () => {
    await openAdmin(carolPage, hotel, 'sessions');
    const row = carolPage.locator('[data-testid^="admin-session-"][data-user="alice"]');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const id = ((await row.getAttribute('data-testid')) ?? '').replace('admin-session-', '');
    expect(await unnamedControls(carolPage)).toEqual([]);
    await screenshot(carolPage, '08-admin-sessions');
    await carolPage.getByTestId(`admin-session-revoke-${id}`).click();
    // Nothing happens until the confirmation dialog says so.
    await carolPage
      .getByRole('dialog')
      .getByRole('heading', { name: /Revoke the session of alice/ })
      .waitFor();
    const started = Date.now();
    await carolPage.getByTestId('confirm-ok').click();
    await carolPage
      .getByTestId('admin-sessions-status')
      .filter({ hasText: /Revoked/ })
      .waitFor();

    let code: string | null = null;
    while (code !== 'ERR_GUARD_TOKEN_REVOKED' && Date.now() - started < 3000) {
      await tapDoor(alicePage, 'room-101');
      code = await alicePage.getByTestId('door-room-101-result').getAttribute('data-code');
    }
    expect(code).toBe('ERR_GUARD_TOKEN_REVOKED');
    console.log(`alice's room refused her card ${Date.now() - started} ms after the revoke click`);
    // The refusal ends her session at her front desk: the card is drawn revoked, the countdown stops.
    await alicePage.locator('[data-testid="card"][data-state="revoked"]').waitFor();
    expect(await alicePage.getByTestId('card-void').textContent()).toBe('Revoked');
    expect(await alicePage.getByTestId('card-expiry').getAttribute('data-seconds-left')).toBe('0');
    await screenshot(alicePage, '08b-front-desk-revoked');
    for (const door of ['pool', 'garage']) {
      expect(await tapDoor(alicePage, door)).toBe('denied (ERR_GUARD_TOKEN_REVOKED)');
    }
    // carol's own session is untouched: the office reads her card (it only wants a second factor).
    await carolPage.goto(`${hotel.url}/#/`);
    expect(await tapDoor(carolPage, 'office')).toBe('denied (ERR_GUARD_STEP_UP_REQUIRED)');
  });

  it('shows the users and the audit log', async () => {
    await openAdmin(carolPage, hotel, 'users');
    await carolPage.getByTestId('admin-user-alice').waitFor();
    expect(await unnamedControls(carolPage)).toEqual([]);
    await screenshot(carolPage, '09-admin-users');
    await openAdmin(carolPage, hotel, 'audit');
    await carolPage.getByTestId('admin-audit-entry').first().waitFor();
    expect(await unnamedControls(carolPage)).toEqual([]);
    await screenshot(carolPage, '10-admin-audit');
  });
});
