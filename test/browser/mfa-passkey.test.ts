// Passkeys in a real Chromium (a virtual WebAuthn authenticator over the Chrome DevTools Protocol)
// against the real `keycard demo` stack, whose front desk is http://localhost:PORT (browsers refuse
// an IP address as the passkey's RP ID): carol creates a passkey when the office asks for a stronger
// sign-in, signs in with it alone (no password typed), and uses it as her second factor after a
// password. On http://127.0.0.1 the sign-in page offers no passkey and says why.
import { ACR } from '@keycard/protocol';
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
import {
  addPasskeyAuthenticator,
  cardStrength,
  checkOut,
  confirmPassword,
  saveRecoveryCodes,
  typePassword,
  type VirtualAuthenticator,
  waitForDoor,
} from './support/mfa.js';

const skip = browserSkipReason('test/browser/mfa-passkey.test.ts');

describe.skipIf(skip !== '')('passkeys at the front desk', () => {
  let hotel: RunningHotel;
  let browser: Browser;
  let carol: BrowserContext;
  let page: Page;
  let authenticator: VirtualAuthenticator;

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser());
    carol = await newPerson(browser);
    page = await carol.newPage();
    authenticator = await addPasskeyAuthenticator(page);
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  it('the office asks for more than her password; she creates a passkey, and the office opens', async () => {
    expect(new URL(hotel.url).hostname).toBe('localhost');
    await signIn(page, hotel.url, 'carol', PASSWORDS.carol);
    expect(await tapDoor(page, 'office')).toBe('denied (ERR_GUARD_STEP_UP_REQUIRED)');
    await page.getByTestId('door-office-step-up-start').click();
    await confirmPassword(page, PASSWORDS.carol);
    await page.getByTestId('authorize-enrol-passkey').click();
    await saveRecoveryCodes(page);
    expect(await waitForDoor(page, 'office')).toBe('opened');
    // A password and a passkey: two factors, one of them phishing-resistant.
    expect(await cardStrength(page)).toEqual({ acr: ACR.phishingResistant, amr: ['pwd', 'hwk', 'mfa'] });
    const [credential, ...others] = await authenticator.credentials();
    expect(others).toHaveLength(0);
    expect(credential?.isResidentCredential).toBe(true);
    await screenshot(page, 'mfa-passkey-01-office-open');
  });

  it('signs her in alone from the username field (conditional UI): no password typed', async () => {
    await checkOut(page);
    const before = (await authenticator.credentials())[0]?.signCount ?? 0;
    // The browser offers her passkey in the username field's autofill; this authenticator answers
    // at once, as if she picked it.
    await page.goto(`${hotel.url}/#/signin`);
    await page.getByTestId('card').waitFor();
    expect(await cardStrength(page)).toEqual({ acr: ACR.phishingResistant, amr: ['hwk', 'mfa'] });
    expect(await page.getByTestId('card-username').textContent()).toContain('carol');
    expect((await authenticator.credentials())[0]?.signCount).toBeGreaterThan(before);
    // It meets the office's requirement (two factors): no step-up.
    expect(await tapDoor(page, 'office')).toBe('opened');
    expect(await page.getByTestId('door-office-result').getAttribute('data-card-acr')).toBe(
      ACR.phishingResistant,
    );
  });

  it('signs her in alone with the button too', async () => {
    await checkOut(page);
    const putBack = await authenticator.withhold();
    await page.goto(`${hotel.url}/#/signin`);
    const form = page.getByTestId('authorize-signin-form');
    await form.waitFor();
    expect(await form.getByLabel('Username').getAttribute('autocomplete')).toBe('username webauthn');
    await screenshot(page, 'mfa-passkey-02-signin');
    await putBack();
    // The button asks for a challenge of its own (the autofill's offer is cancelled).
    const challenge = page.waitForRequest((r) => r.url().endsWith('/api/authorize/passkey/options'));
    await page.getByTestId('authorize-passkey-signin').click();
    await challenge;
    await page.getByTestId('card').waitFor();
    expect(await cardStrength(page)).toEqual({ acr: ACR.phishingResistant, amr: ['hwk', 'mfa'] });
  });

  it('is her second factor after a password', async () => {
    await checkOut(page);
    // While she types her password, the autofill's passkey offer is not taken.
    const putBack = await authenticator.withhold();
    await typePassword(page, hotel.url, 'carol', PASSWORDS.carol);
    const step = page.getByTestId('authorize-mfa');
    await step.waitFor();
    expect(await step.getAttribute('data-methods')).toContain('passkey');
    await putBack();
    await page.getByTestId('authorize-mfa-passkey').click();
    await page.getByTestId('card').waitFor();
    expect(await cardStrength(page)).toEqual({ acr: ACR.phishingResistant, amr: ['pwd', 'hwk', 'mfa'] });
    expect(await tapDoor(page, 'office')).toBe('opened');
  });

  it('on http://127.0.0.1 the sign-in pages offer no passkey, and say why', async () => {
    await checkOut(page);
    await authenticator.withhold();
    await page.goto(`${hotel.url}/#/signin`);
    await page.getByTestId('authorize-signin-form').waitFor();
    const ip = new URL(page.url());
    ip.hostname = '127.0.0.1';
    await page.goto(ip.href);
    await page.getByTestId('authorize-signin-form').waitFor();
    expect(await page.getByTestId('authorize-passkey-signin').count()).toBe(0);
    expect(await page.getByTestId('authorize-passkey-unavailable').textContent()).toContain('IP address');
    expect(await page.getByLabel('Username').getAttribute('autocomplete')).toBe('username');
  });
});
