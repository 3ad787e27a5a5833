// carol, the manager's office and an authenticator app, in a real Chromium against the real `keycard
// demo` stack: the office refuses her password-only card with a step-up challenge, the front desk
// page says so and takes her to the sign-in pages, she sets up TOTP there (the code computed here
// from the secret the page shows), sees her recovery codes once, and the office opens by itself.
// Then: password + code, a replayed code refused, a recovery code good once.
import { ACR } from '@keycard/protocol';
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
import {
  answerTotp,
  cardStrength,
  checkOut,
  confirmPassword,
  layoutAtBothSizes,
  saveRecoveryCodes,
  TotpApp,
  typePassword,
  waitForDoor,
} from './support/mfa.js';

const skip = browserSkipReason('test/browser/mfa-totp.test.ts');

describe.skipIf(skip !== '')('a second factor by authenticator app, asked for by the office', () => {
  let hotel: RunningHotel;
  let browser: Browser;
  let carol: BrowserContext;
  let page: Page;
  let app: TotpApp;
  let recoveryCodes: string[];

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser());
    carol = await newPerson(browser);
    page = await carol.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  it('with her password only, the office asks for a stronger sign-in, and the page says so', async () => {
    await signIn(page, hotel.url, 'carol', PASSWORDS.carol);
    expect(await cardStrength(page)).toEqual({ acr: ACR.password, amr: ['pwd'] });
    expect(await tapDoor(page, 'office')).toBe('denied (ERR_GUARD_STEP_UP_REQUIRED)');
    const prompt = page.getByTestId('door-office-step-up');
    expect(await prompt.textContent()).toContain('This door needs a stronger sign-in');
    expect(await prompt.getAttribute('data-acr-values')).toBe(ACR.mfa);
    // The refusal came from the card she holds: a password-only office card.
    expect(await page.getByTestId('door-office-result').getAttribute('data-card-acr')).toBe(ACR.password);
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutAtBothSizes(page, 'mfa-office-step-up')).toEqual([]);
    await screenshot(page, 'mfa-01-office-step-up');
  });

  it('she sets up an authenticator app at the front desk, keeps her recovery codes, and the office opens by itself', async () => {
    await page.getByTestId('door-office-step-up-start').click();
    // She is still signed in at the desk; having no factor yet, she confirms her password first.
    await confirmPassword(page, PASSWORDS.carol);
    await page.locator('[data-testid="authorize-enrol"][data-stage="choose"]').waitFor();
    await screenshot(page, 'mfa-02-enrol-choose');
    // The QR code is an image the browser decoded (an SVG data: URL), never markup in the page.
    await page.getByTestId('authorize-enrol-totp').click();
    const qr = page.getByTestId('totp-qr');
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(await page.locator('.totp-setup svg').count()).toBe(0);
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutAtBothSizes(page, 'mfa-enrol-totp')).toEqual([]);
    await screenshot(page, 'mfa-03-enrol-totp');
    const secret = (await page.getByTestId('totp-secret').getAttribute('data-secret')) ?? '';
    app = new TotpApp(secret);
    await page.getByLabel('Code from your authenticator app').fill(await app.next());
    await page.getByTestId('authorize-enrol-confirm').click();
    await page.getByTestId('recovery-codes').waitFor();
    // Shown once, to be saved before going on.
    expect(await page.getByTestId('recovery-codes-continue').isDisabled()).toBe(true);
    expect(await layoutAtBothSizes(page, 'mfa-recovery-codes')).toEqual([]);
    await screenshot(page, 'mfa-04-recovery-codes');
    recoveryCodes = await saveRecoveryCodes(page);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-km-np-z2-9]{5}-[a-km-np-z2-9]{5}$/);

    // Back at the front desk with a new card; the office is tried again without a tap, and opens.
    expect(await waitForDoor(page, 'office')).toBe('opened');
    expect(await cardStrength(page)).toEqual({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'] });
    expect(await page.getByTestId('door-office-result').getAttribute('data-card-acr')).toBe(ACR.mfa);
    expect(await page.getByTestId('door-office-step-up').count()).toBe(0);
    // One session: the one the step-up replaced was ended.
    await page.getByTestId('nav-account').click();
    await page.getByTestId('sessions-list').waitFor();
    await expect.poll(() => page.locator('[data-testid^="session-"][data-current]').count()).toBe(1);
    await page.getByTestId('nav-desk').click();
    await screenshot(page, 'mfa-05-office-open');
  });

  it('signed in again: her password, then a code; a code already used is refused on the page', async () => {
    await checkOut(page);
    await typePassword(page, hotel.url, 'carol', PASSWORDS.carol);
    const step = page.getByTestId('authorize-mfa');
    await step.waitFor();
    expect((await step.getAttribute('data-methods'))?.split(' ')).toEqual(
      expect.arrayContaining(['totp', 'recovery_code']),
    );
    const field = page.getByLabel('Code from your authenticator app');
    expect(await field.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await field.getAttribute('inputmode')).toBe('numeric');
    await screenshot(page, 'mfa-06-second-factor');
    await answerTotp(page, app.used());
    const error = page.getByTestId('authorize-mfa-error');
    await expect.poll(() => error.getAttribute('data-code')).toBe('ERR_MFA_INVALID');
    expect(await error.textContent()).toContain('did not work');
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutAtBothSizes(page, 'mfa-second-factor')).toEqual([]);
    await answerTotp(page, await app.next());
    await page.getByTestId('card').waitFor();
    expect(await cardStrength(page)).toEqual({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'] });
    expect(await tapDoor(page, 'office')).toBe('opened');
  });

  it('a recovery code signs her in once; the same code again is refused', async () => {
    const withRecoveryCode = async (code: string) => {
      await typePassword(page, hotel.url, 'carol', PASSWORDS.carol);
      await page.getByTestId('authorize-mfa-use-recovery').click();
      await page.getByLabel('Recovery code').fill(code);
      await page.getByTestId('authorize-mfa-submit').click();
    };
    await checkOut(page);
    await withRecoveryCode(recoveryCodes[0]!);
    await page.getByTestId('card').waitFor();
    expect(await cardStrength(page)).toEqual({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'] });

    await checkOut(page);
    await withRecoveryCode(recoveryCodes[0]!);
    const error = page.getByTestId('authorize-mfa-error');
    await expect.poll(() => error.getAttribute('data-code')).toBe('ERR_MFA_INVALID');
    expect(await error.textContent()).toContain('Each one works once');
    await screenshot(page, 'mfa-07-recovery-code-used');
    // Another code still works.
    await page.getByLabel('Recovery code').fill(recoveryCodes[1]!);
    await page.getByTestId('authorize-mfa-submit').click();
    await page.getByTestId('card').waitFor();
    expect(await tapDoor(page, 'office')).toBe('opened');
  });
});
