// Sessions in a real Chromium against the real `keycard demo` stack: checking out voids the card at
// every door within a second (revocation feed), signing out in one tab signs out the others, and
// two tabs refreshing at the same moment do not log the guest out.
//
// This stack runs with KEYCARD_REFRESH_GRACE=0 (no reuse grace: two tabs spending the same refresh
// cookie would revoke the whole session) and 30 s cards, so the tabs' own refresh timers race too.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSkipReason,
  newPerson,
  openHotelAndBrowser,
  screenshot,
  signIn,
  tapDoor,
} from './support/browser.js';
import { PASSWORDS, type RunningHotel } from './support/hotel.js';

const skip = browserSkipReason('test/browser/sessions.test.ts');
const DOORS = ['room-101', 'room-102', 'pool', 'garage', 'office'];

async function allSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    (ids) =>
      ids.every((id) => {
        const r = document.querySelector(`[data-testid="door-${id}-result"]`)?.getAttribute('data-result');
        return r !== undefined && r !== null && r !== 'pending' && r !== 'none';
      }),
    DOORS,
  );
}

async function codes(page: Page): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const id of DOORS) out[id] = await page.getByTestId(`door-${id}-result`).getAttribute('data-code');
  return out;
}

async function cardExp(page: Page): Promise<number> {
  return Number(await page.getByTestId('card-expiry').getAttribute('data-exp'));
}

describe.skipIf(skip !== '')('sessions in Chromium', () => {
  let hotel: RunningHotel;
  let browser: Browser;

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser({
      KEYCARD_ACCESS_TOKEN_TTL: '30',
      KEYCARD_REFRESH_GRACE: '0',
    }));
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  it('alice checks out and every door refuses her card through the feed, long before it expires', async () => {
    const alice = await newPerson(browser);
    try {
      const page = await alice.newPage();
      await signIn(page, hotel.url, 'alice', PASSWORDS.alice);
      // Every door has now verified (and cached) the card.
      await page.getByTestId('doors-try-all').click();
      await allSettled(page);
      expect(await page.getByTestId('door-pool-result').getAttribute('data-result')).toBe('opened');

      // The clock starts when the server has answered the check-out (the session is revoked there).
      const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/logout'));
      await page.getByTestId('checkout').click();
      expect((await loggedOut).status()).toBe(204);
      const started = Date.now();
      await page.locator('[data-testid="card"][data-state="checked-out"]').waitFor();
      let refused = false;
      while (!refused && Date.now() - started < 15_000) {
        await page.getByTestId('try-old-card').click();
        await allSettled(page);
        refused = Object.values(await codes(page)).every((c) => c === 'ERR_GUARD_TOKEN_REVOKED');
      }
      const elapsed = Date.now() - started;
      console.log(`every door refused the checked-out card ${elapsed} ms after the check-out answer`);
      expect(await codes(page)).toEqual(Object.fromEntries(DOORS.map((d) => [d, 'ERR_GUARD_TOKEN_REVOKED'])));
      // The card lives for minutes; a bound far below that proves the feed without timing the machine.
      expect(elapsed).toBeLessThan(15_000);
      expect(await page.getByTestId('door-room-101-reason').textContent()).toContain('401');
      await screenshot(page, '05-front-desk-checked-out');
    } finally {
      await alice.close();
    }
  });

  it('signing out in one tab signs out the others', async () => {
    const bob: BrowserContext = await newPerson(browser);
    try {
      const tab1 = await bob.newPage();
      await signIn(tab1, hotel.url, 'bob', PASSWORDS.bob);
      const tab2 = await bob.newPage();
      await tab2.goto(`${hotel.url}/#/account`);
      await tab2.getByTestId('sessions-list').waitFor();
      await screenshot(tab2, '06-account');
      await tab1.getByTestId('nav-signout').click();
      await tab2.getByTestId('nav-signin').waitFor({ timeout: 3000 });
      expect(await tab2.getByTestId('nav-signout').count()).toBe(0);
      expect(await tab2.getByTestId('app-notice').textContent()).toMatch(/\S/);
      await tab2.reload();
      await tab2.getByTestId('nav-signin').waitFor();
      expect(await tab2.getByTestId('nav-user').count()).toBe(0);
    } finally {
      await bob.close();
    }
  });

  it('two tabs refreshing at the same moment do not log alice out', async () => {
    const alice = await newPerson(browser);
    try {
      const tab1 = await alice.newPage();
      await signIn(tab1, hotel.url, 'alice', PASSWORDS.alice);
      const tab2 = await alice.newPage();
      await tab2.goto(`${hotel.url}/`);
      await tab2.getByTestId('card').waitFor();

      // Both tabs restart at once: each restores its session from the same refresh cookie.
      await Promise.all([tab1.reload(), tab2.reload()]);
      for (const tab of [tab1, tab2]) {
        await tab.locator('[data-testid="card"][data-state="active"]').waitFor();
        expect(await tapDoor(tab, 'room-101')).toBe('opened');
      }

      // And both tabs' timers fire together (a fifth of the 30 s lifetime before exp, at least 5 s).
      const exp = Math.max(await cardExp(tab1), await cardExp(tab2));
      const newer = (tab: Page) =>
        tab.waitForFunction(
          (old) =>
            Number(document.querySelector('[data-testid="card-expiry"]')?.getAttribute('data-exp')) > old,
          exp,
          { timeout: 35_000 },
        );
      await Promise.all([newer(tab1), newer(tab2)]);
      for (const tab of [tab1, tab2]) {
        expect(await tab.getByTestId('card').getAttribute('data-state')).toBe('active');
        expect(await tapDoor(tab, 'pool')).toBe('opened');
      }
      // The session survived: a third tab still restores it from the cookie.
      const tab3 = await alice.newPage();
      await tab3.goto(`${hotel.url}/#/account`);
      await tab3.getByTestId('sessions-list').waitFor();
    } finally {
      await alice.close();
    }
  }, 60_000);

  it('two tabs minting every door card at once share them and keep the session (each mint rotates the cookie)', async () => {
    const alice = await newPerson(browser);
    try {
      const tab1 = await alice.newPage();
      await signIn(tab1, hotel.url, 'alice', PASSWORDS.alice);
      const tab2 = await alice.newPage();
      await tab2.goto(`${hotel.url}/`);
      await tab2.getByTestId('card').waitFor();
      // Four audiences, two tabs, all at once: eight mints wanting the same cookie, one at a time.
      await Promise.all([
        tab1.getByTestId('doors-try-all').click(),
        tab2.getByTestId('doors-try-all').click(),
      ]);
      await Promise.all([allSettled(tab1), allSettled(tab2)]);
      for (const tab of [tab1, tab2]) {
        for (const door of ['room-101', 'pool', 'garage']) {
          expect(await tab.getByTestId(`door-${door}-result`).getAttribute('data-result'), door).toBe(
            'opened',
          );
        }
      }
      // Each tab holds a rooms card bound to the same key; neither session was taken for a replay.
      const jkt = (tab: Page) => tab.getByTestId('desk-card-rooms').getAttribute('data-jkt');
      expect(await jkt(tab1)).toBe(await jkt(tab2));
      const tab3 = await alice.newPage();
      await tab3.goto(`${hotel.url}/#/account`);
      await tab3.getByTestId('sessions-list').waitFor();
      expect(await tab1.getByTestId('card').getAttribute('data-state')).toBe('active');
    } finally {
      await alice.close();
    }
  }, 60_000);
});
