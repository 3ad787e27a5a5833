// A step-up that asks only the missing factor, in a real Chromium against the real `keycard demo`
// stack: carol is signed in with her password when she sets up an authenticator app elsewhere (from
// Node, with a card of hers, as the account page would); her sign-in at the front desk is still a
// password-only one, so the office's challenge brings her to the sign-in pages, which ask for a code
// and nothing else (no password), and the office opens by itself.
import { ACR, MFA_API } from '@keycard/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, newPerson, openHotelAndBrowser, signIn, tapDoor } from './support/browser.js';
import { dpopLogin } from './support/dpop-client.js';
import { PASSWORDS, type RunningHotel } from './support/hotel.js';
import { answerTotp, cardStrength, TotpApp, waitForDoor } from './support/mfa.js';

const skip = browserSkipReason('test/browser/mfa-step-up.test.ts');

/** Sets up TOTP for carol with a card of hers (a fresh sign-in: recent enough), as the account page does. */
async function enrolFromNode(url: string): Promise<TotpApp> {
  const carol = await dpopLogin(url, 'carol');
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `DPoP ${carol.apiCard}`,
        dpop: carol.proof('POST', `${url}${path}`, carol.apiCard),
      },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const { secret } = (await post(MFA_API.totpStart, {})) as { secret: string };
  const app = new TotpApp(secret);
  await post(MFA_API.totpConfirm, { code: await app.next() });
  return app;
}

describe.skipIf(skip !== '')('a step-up of a signed-in session', () => {
  let hotel: RunningHotel;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser());
    page = await (await newPerson(browser)).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  it('asks only for the code carol now has, then opens the office by itself', async () => {
    await signIn(page, hotel.url, 'carol', PASSWORDS.carol);
    const app = await enrolFromNode(hotel.url);
    expect(await tapDoor(page, 'office')).toBe('denied (ERR_GUARD_STEP_UP_REQUIRED)');
    await page.getByTestId('door-office-step-up-start').click();
    const step = page.getByTestId('authorize-mfa');
    await step.waitFor();
    // Signed in at the desk already: no password form, the code only.
    expect(await page.getByTestId('authorize-signin-form').count()).toBe(0);
    expect(await step.textContent()).toContain('stronger sign-in than your password');
    expect(await step.getAttribute('data-methods')).toContain('totp');
    await answerTotp(page, app.used());
    await expect
      .poll(() => page.getByTestId('authorize-mfa-error').getAttribute('data-code'))
      .toBe('ERR_MFA_INVALID');
    await answerTotp(page, await app.next());
    expect(await waitForDoor(page, 'office')).toBe('opened');
    expect(await cardStrength(page)).toEqual({ acr: ACR.mfa, amr: ['pwd', 'otp', 'mfa'] });
  });
});
