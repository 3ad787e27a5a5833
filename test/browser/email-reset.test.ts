// Account recovery by email in a real Chromium: "Forgot password?" on the front desk's sign-in page,
// the same confirmation whoever is asked for, the mail arriving at the local SMTP sink and read in
// the web app's Mailbox page (text only, links clickable), its link opening the reset page, the new
// password working and the old one not, the old session signed out, and the link refused the
// second time. The Mailbox never renders a mail's HTML.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unnamedControls } from './support/a11y.js';
import { type AccountHotel, type AccountLobby, openAccountHotelAndBrowser } from './support/account-hotel.js';
import { codeOf, openMailLink } from './support/account-pages.js';
import { browserSkipReason, screenshot, signIn } from './support/browser.js';
import { PASSWORDS } from './support/hotel.js';
import { layoutOffenders } from './support/layout.js';

const skip = browserSkipReason('test/browser/email-reset.test.ts');
// The demo's guests have verified addresses at hotel.example (seedHotel).
const ALICE_MAIL = 'alice@hotel.example';
const NEW_PASSWORD = 'a brand new passphrase for alice';
const SENT = /If an account with a verified email matches, a link to choose a new password is on its way/;

describe.skipIf(skip !== '')('password reset by email in Chromium', () => {
  let hotel: AccountHotel;
  let person: AccountLobby['person'];
  let close: AccountLobby['close'] | undefined;

  beforeAll(async () => {
    ({ hotel, person, close } = await openAccountHotelAndBrowser());
  });
  afterAll(async () => {
    await close?.();
  });

  it('the Mailbox lists mail newest first and shows only its text, links clickable', async () => {
    const marker = 'html-body-marker';
    hotel.ctx.mailer.send({
      to: 'guest@hotel.example',
      subject: 'First note',
      text: 'The first one.',
      html: `<p id="${marker}">html</p>`,
    });
    await hotel.sink.waitFor((m) => m.subject === 'First note', 10_000);
    hotel.ctx.mailer.send({
      to: 'guest@hotel.example',
      subject: 'Second note',
      text: `Open ${hotel.url}/#/inspector. Or <img src=x onerror=alert(1)> javascript:alert(1)`,
      html: `<p id="${marker}">html</p><script>window.pwned = true</script>`,
    });
    await hotel.sink.waitFor((m) => m.subject === 'Second note', 10_000);

    const page = await person();
    await page.goto(`${hotel.url}/#/mailbox`);
    await page.getByTestId('mail-row').nth(1).waitFor();
    const subjects = await page
      .getByTestId('mail-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-subject')));
    expect(subjects.slice(0, 2)).toEqual(['Second note', 'First note']);
    const { link, href } = await openMailLink(page, hotel.url, 'guest@hotel.example', /^Second note$/);
    // Only http(s) addresses become links; the markup in the text stays text; the HTML part is never shown.
    expect(href).toBe(`${hotel.url}/#/inspector`);
    expect(await page.getByTestId('mail-view').getByTestId('mail-link').count()).toBe(1);
    expect(await page.getByTestId('mail-text').textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator(`#${marker}`).count()).toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutOffenders(page)).toEqual([]);
    await link.click();
    await page.getByTestId('page-inspector').waitFor();
  });

  it('a reset link works once: new password in, old one out, the old session signed out', async () => {
    // alice is signed in somewhere: that session must end with the reset.
    const old = await person();
    await signIn(old, hotel.url, 'alice', PASSWORDS.alice);

    const page = await person();
    await page.goto(`${hotel.url}/#/signin`);
    await page.getByTestId('authorize-signin-form').waitFor();
    // Sign-up is off at this desk: only "Forgot password?" is offered.
    expect(await page.getByTestId('link-signup').count()).toBe(0);
    await page.getByTestId('link-forgot').click();
    await page.getByTestId('page-forgot').waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutOffenders(page)).toEqual([]);

    // The page says the same for an unknown login as for alice: it never tells who has an account.
    await page.getByLabel('Username or email').fill('nobody-here');
    await page.getByTestId('forgot-submit').click();
    const unknownAnswer = await page.getByTestId('forgot-status').filter({ hasText: SENT }).textContent();
    await page.reload();
    const since = Date.now();
    await page.getByLabel('Username or email').fill('alice');
    await page.getByTestId('forgot-submit').click();
    expect(await page.getByTestId('forgot-status').filter({ hasText: SENT }).textContent()).toBe(
      unknownAnswer,
    );
    await screenshot(page, 'email-01-forgot-sent');

    await hotel.mailTo(ALICE_MAIL, /reset/i, since);
    await page.getByTestId('forgot-mailbox').click();
    const { link, href } = await openMailLink(page, hotel.url, ALICE_MAIL, /reset/i);
    expect(href).toMatch(new RegExp(`^${hotel.url}/#/reset\\?token=[A-Za-z0-9_-]{43,}$`));
    await screenshot(page, 'email-02-mailbox');
    await link.click();
    await page.getByTestId('reset-form').waitFor();
    // The token leaves the address bar (and the history entry) at once.
    expect(page.url()).toBe(`${hotel.url}/#/reset`);
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutOffenders(page)).toEqual([]);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.getByTestId('reset-submit').click();
    await page
      .getByTestId('reset-done')
      .filter({ hasText: /signed out everywhere/ })
      .waitFor();
    await screenshot(page, 'email-03-reset-done');

    // The session that was open is over: its page, reloaded, has no card and goes to sign in.
    await old.reload();
    await old.getByTestId('authorize-signin-form').waitFor();
    expect(await old.getByTestId('nav-user').count()).toBe(0);

    // The old password is refused, the new one signs in.
    const other = await person();
    await other.goto(`${hotel.url}/#/signin`);
    const form = other.getByTestId('authorize-signin-form');
    await form.getByLabel('Username').fill('alice');
    await form.getByLabel('Password').fill(PASSWORDS.alice);
    await form.getByLabel('Password').press('Enter');
    expect(await codeOf(other.getByTestId('authorize-signin-error'))).toBe('ERR_INVALID_CREDENTIALS');
    await page.getByTestId('reset-signin').click();
    const fresh = await person();
    await signIn(fresh, hotel.url, 'alice', NEW_PASSWORD);
    expect(await fresh.getByTestId('card-username').textContent()).toContain('alice');

    // The same link a second time is refused, on the page, with the one answer for a dead link.
    const again = await person();
    await again.goto(href);
    await again.getByLabel('New password', { exact: true }).fill('yet another passphrase here');
    await again.getByLabel('Repeat the new password').fill('yet another passphrase here');
    await again.getByTestId('reset-submit').click();
    expect(await codeOf(again.getByTestId('reset-error'))).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect(await again.getByTestId('reset-error').textContent()).toBe(
      'This link is used or expired; ask for a new one.',
    );
    await again.getByTestId('reset-ask-again').waitFor();
    await screenshot(again, 'email-04-reset-link-used');
  });

  it('sign-up is not offered while it is off', async () => {
    const page = await person();
    await page.goto(`${hotel.url}/#/signup`);
    await page.getByTestId('signup-off').waitFor();
    expect(await page.getByTestId('signup-form').count()).toBe(0);
  });
});
