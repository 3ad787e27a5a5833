// The account page's Security section in a real Chromium: bob adds an authenticator app (QR code as
// an image, the code computed in the test as the app would), sees his recovery codes once, adds a
// passkey with a virtual authenticator (Chrome DevTools Protocol) and renames it; removing it with a
// sign-in that is too old asks him to confirm it's you, and after signing in again at the front desk
// (password and authenticator code) he is back on the account page and the removal works. New
// recovery codes replace the old ones; the page fits a phone.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unnamedControls } from './support/a11y.js';
import {
  type AccountHotel,
  type AccountLobby,
  openAccountHotelAndBrowser,
  RECENT_AUTH_SECONDS,
} from './support/account-hotel.js';
import { signInAgain, totpCode } from './support/account-pages.js';
import { browserSkipReason, screenshot, signIn } from './support/browser.js';
import { PASSWORDS } from './support/hotel.js';
import { layoutOffenders } from './support/layout.js';
import { addPasskeyAuthenticator, type VirtualAuthenticator } from './support/mfa.js';

const skip = browserSkipReason('test/browser/account-security.test.ts');
// The server's alphabet: lower-case letters and digits without the look-alikes (l, o, 0, 1).
const CODE_FORMAT = /^[a-km-np-z2-9]{5}-[a-km-np-z2-9]{5}$/;

describe.skipIf(skip !== '')('the account Security section in Chromium', () => {
  let hotel: AccountHotel;
  let close: AccountLobby['close'] | undefined;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let secret = '';
  let firstCodes: string[] = [];

  const security = () => page.getByTestId('security');
  const shownCodes = async () => page.getByTestId('recovery-code').allTextContents();
  const passkeyRow = (name: string) => page.locator(`[data-testid="passkey-row"][data-name="${name}"]`);

  beforeAll(async () => {
    let person: AccountLobby['person'];
    ({ hotel, person, close } = await openAccountHotelAndBrowser());
    page = await person();
    authenticator = await addPasskeyAuthenticator(page);
    await signIn(page, hotel.url, 'bob', PASSWORDS.bob);
    await page.goto(`${hotel.url}/#/account`);
    await security().and(page.locator('[data-factors="0"]')).waitFor();
  });
  afterAll(async () => {
    await close?.();
  });

  it('adds an authenticator app with its QR code and shows the recovery codes once', async () => {
    expect(await page.getByTestId('security-summary').getAttribute('data-mfa')).toBe('off');
    await page.getByTestId('totp-start').click();
    const qr = page.getByTestId('totp-qr');
    await qr.waitFor();
    // The QR code is an image of the server's SVG, never markup in the page.
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3C/);
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.locator('[data-testid="totp"] svg').count()).toBe(0);
    secret = (await page.getByTestId('totp-secret').getAttribute('data-secret')) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutOffenders(page)).toEqual([]);
    await screenshot(page, 'security-01-totp-enrol');

    const codeField = page.getByLabel('Code from your authenticator app');
    await codeField.fill('000000');
    await page.getByTestId('totp-confirm').click();
    await page.locator('[data-testid="totp-status"][data-code="ERR_MFA_INVALID"]').waitFor();
    await codeField.fill(totpCode(secret, hotel.now()));
    await page.getByTestId('totp-confirm').click();

    const shown = page.getByTestId('recovery-shown');
    await shown.waitFor();
    firstCodes = await shownCodes();
    expect(firstCodes).toHaveLength(10);
    expect(new Set(firstCodes).size).toBe(10);
    for (const code of firstCodes) expect(code).toMatch(CODE_FORMAT);
    expect(await shown.textContent()).toContain('shown only this once');
    expect(await shown.getByRole('link', { name: 'Download' }).getAttribute('download')).toBe(
      'keycard-recovery-codes.txt',
    );
    expect(await layoutOffenders(page)).toEqual([]);
    await screenshot(page, 'security-02-recovery-codes');
    // "Done" waits for "I saved them"; then the codes leave the page for good.
    expect(await page.getByTestId('recovery-codes-continue').isDisabled()).toBe(true);
    await page.getByTestId('recovery-codes-saved').check();
    await page.getByTestId('recovery-codes-continue').click();
    expect(await page.getByTestId('recovery-shown').count()).toBe(0);
    await page.locator('[data-testid="totp"][data-enabled="true"]').waitFor();
    await page.locator('[data-testid="recovery-remaining"][data-remaining="10"]').waitFor();
    expect(await page.getByTestId('security-summary').getAttribute('data-mfa')).toBe('on');
  });

  it('adds a passkey with the virtual authenticator and renames it', async () => {
    await page.getByLabel('Name for the new passkey').fill('Laptop');
    await page.getByTestId('passkey-add').click();
    await page.getByTestId('passkeys-status').filter({ hasText: 'Passkey “Laptop” added.' }).waitFor();
    await passkeyRow('Laptop').waitFor();
    // Not the first factor: no new recovery codes.
    expect(await page.getByTestId('recovery-shown').count()).toBe(0);

    await passkeyRow('Laptop').getByTestId('passkey-rename').click();
    await passkeyRow('Laptop').getByTestId('passkey-rename-input').fill('Work laptop');
    await passkeyRow('Laptop').getByTestId('passkey-rename-save').click();
    await passkeyRow('Work laptop').waitFor();
    expect(await page.getByTestId('passkey-row').count()).toBe(1);
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, 'security-03-passkey');
  });

  it("removing a passkey with an old sign-in asks to confirm it's you, then works", async () => {
    hotel.advance(RECENT_AUTH_SECONDS + 30);
    await passkeyRow('Work laptop').getByTestId('passkey-remove').click();
    await page.getByTestId('confirm-ok').click();
    const prompt = page.getByTestId('step-up');
    await prompt.waitFor();
    expect(await prompt.getByTestId('step-up-action').textContent()).toContain(
      'Remove the passkey “Work laptop”',
    );
    // Nothing was removed.
    expect(await passkeyRow('Work laptop').count()).toBe(1);
    expect(await layoutOffenders(page)).toEqual([]);
    await screenshot(page, 'security-04-confirm-its-you');

    // The passkey stays out of reach while bob types (the sign-in page's passkey offer would answer
    // at once): password and authenticator code, as with a phone in another room. Withheld before the
    // sign-in page opens, so its offer cannot win the race on a busy machine.
    const restore = await authenticator.withhold();
    await prompt.getByTestId('step-up-start').click();
    await signInAgain(page, 'bob', PASSWORDS.bob, { totp: () => totpCode(secret, hotel.now()) });
    await restore();
    await page.waitForURL(`${hotel.url}/#/account`);
    await page
      .getByTestId('app-notice')
      .filter({ hasText: /You can now: Remove the passkey/ })
      .waitFor();
    await passkeyRow('Work laptop').getByTestId('passkey-remove').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('passkeys-status').filter({ hasText: 'Passkey “Work laptop” removed.' }).waitFor();
    // The list reloads from the server after the status shows: wait for it, do not race it.
    await expect.poll(() => page.getByTestId('passkey-row').count()).toBe(0);
    expect(await page.getByTestId('step-up').count()).toBe(0);
    // The sign-in that was too old is over: the new one replaced it (no session left dangling).
    const bobId = (await hotel.ctx.storage.users.getByUsername('bob'))?.id ?? '';
    await expect.poll(async () => (await hotel.ctx.storage.sessions.listByUser(bobId)).length).toBe(1);
  });

  it('new recovery codes replace the old ones', async () => {
    await page.getByTestId('recovery-regenerate').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('recovery-shown').waitFor();
    const next = await shownCodes();
    expect(next).toHaveLength(10);
    expect(next.filter((c) => firstCodes.includes(c))).toEqual([]);
    await page.getByTestId('recovery-codes-saved').check();
    await page.getByTestId('recovery-codes-continue').click();
  });

  it('fits a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await security().and(page.locator('[data-factors="1"]')).waitFor();
    expect(await layoutOffenders(page)).toEqual([]);
    await screenshot(page, 'security-05-phone');
  });
});
