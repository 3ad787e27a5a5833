// Self-service sign-up and email verification in a real Chromium, on a front desk with
// `accounts.signup` on: "Create an account" on the sign-in page, the same answer for a new and a
// taken address, the verification mail read in the Mailbox page, its link verifying the address
// once (refused the second time, on the page), the new account signing in with its email shown
// verified, and a change of address from the account page taking effect once its link is opened.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unnamedControls } from './support/a11y.js';
import { type AccountHotel, type AccountLobby, openAccountHotelAndBrowser } from './support/account-hotel.js';
import { codeOf, openMailLink } from './support/account-pages.js';
import { browserSkipReason, screenshot, signIn } from './support/browser.js';
import { layoutOffenders } from './support/layout.js';

const skip = browserSkipReason('test/browser/email-signup.test.ts');
const DORA = { username: 'dora', email: 'dora@guests.example', password: 'dora likes the pool at dawn' };
const CHECK_MAIL = /Check your mail at/;
const VERIFY_SUBJECT = /Confirm your email/i;

describe.skipIf(skip !== '')('sign-up and email verification in Chromium', () => {
  let hotel: AccountHotel;
  let person: AccountLobby['person'];
  let close: AccountLobby['close'] | undefined;

  async function fillSignUp(page: Page, input: { username: string; email: string; password: string }) {
    const form = page.getByTestId('signup-form');
    await form.getByLabel('Username').fill(input.username);
    await form.getByLabel('Email').fill(input.email);
    await form.getByLabel('Password', { exact: true }).fill(input.password);
    await form.getByLabel('Repeat the password').fill(input.password);
    await page.getByTestId('signup-submit').click();
  }

  beforeAll(async () => {
    ({ hotel, person, close } = await openAccountHotelAndBrowser({ signup: true }));
  });
  afterAll(async () => {
    await close?.();
  });

  it('a new guest signs up, verifies the address once, and signs in', async () => {
    const page = await person();
    await page.goto(`${hotel.url}/#/signin`);
    await page.getByTestId('authorize-signin-form').waitFor();
    await page.getByTestId('link-signup').click();
    await page.getByTestId('page-signup').waitFor();
    await page.getByTestId('signup-form').waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutOffenders(page)).toEqual([]);
    await fillSignUp(page, DORA);
    const answer = await page.getByTestId('signup-status').filter({ hasText: CHECK_MAIL }).textContent();
    expect(answer).toContain(DORA.email);
    await screenshot(page, 'signup-01-check-mail');

    const { link, href } = await openMailLink(page, hotel.url, DORA.email, VERIFY_SUBJECT);
    expect(href).toMatch(new RegExp(`^${hotel.url}/#/verify-email\\?token=[A-Za-z0-9_-]{43,}$`));
    await link.click();
    await page.getByTestId('verify-status').filter({ hasText: 'Your email is verified.' }).waitFor();
    expect(page.url()).toBe(`${hotel.url}/#/verify-email`);
    expect(await layoutOffenders(page)).toEqual([]);
    await screenshot(page, 'signup-02-verified');

    // The link works once: opened again, the page says it is used.
    const again = await person();
    await again.goto(href);
    expect(await codeOf(again.getByTestId('verify-error'))).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect(await again.getByTestId('verify-error').textContent()).toBe(
      'This link is used or expired; ask for a new one.',
    );

    const dora = await person();
    await signIn(dora, hotel.url, DORA.username, DORA.password);
    await dora.goto(`${hotel.url}/#/account`);
    const shown = dora.getByTestId('account-email');
    await shown.and(dora.locator('[data-verified="true"]')).waitFor();
    expect(await shown.getAttribute('data-email')).toBe(DORA.email);
  });

  it('a taken address gets the same answer on the page, and its owner a mail', async () => {
    const page = await person();
    await page.goto(`${hotel.url}/#/signup`);
    await page.getByTestId('signup-form').waitFor();
    const since = Date.now();
    await fillSignUp(page, {
      username: 'dora-again',
      email: DORA.email,
      password: 'another long passphrase',
    });
    const answer = await page.getByTestId('signup-status').filter({ hasText: CHECK_MAIL }).textContent();
    expect(answer).toBe(
      `Check your mail at ${DORA.email}: open the link we sent to verify the address, then sign in.`,
    );
    await hotel.mailTo(DORA.email, /already exists/i, since);
    expect(await hotel.ctx.storage.users.getByUsername('dora-again')).toBeUndefined();
  });

  it('a new address from the account page replaces the old one once its link is opened', async () => {
    const dora = await person();
    await signIn(dora, hotel.url, DORA.username, DORA.password);
    await dora.goto(`${hotel.url}/#/account`);
    await dora.getByTestId('account-email').waitFor();
    const next = 'dora@new-home.example';
    await dora.getByLabel('New email').fill(next);
    await dora.getByTestId('email-submit').click();
    await dora
      .getByTestId('email-status')
      .filter({ hasText: `We sent a link to ${next}` })
      .waitFor();
    // Until the link is opened the verified address stays (a typo never loses it).
    await dora.reload();
    await dora
      .locator(`[data-testid="account-email"][data-email="${DORA.email}"][data-verified="true"]`)
      .waitFor();
    expect(await layoutOffenders(dora)).toEqual([]);

    const { link } = await openMailLink(dora, hotel.url, next, VERIFY_SUBJECT);
    await link.click();
    await dora.getByTestId('verify-status').filter({ hasText: 'Your email is verified.' }).waitFor();
    await dora.getByTestId('verify-account').click();
    await dora.locator(`[data-testid="account-email"][data-email="${next}"][data-verified="true"]`).waitFor();
  });
});
