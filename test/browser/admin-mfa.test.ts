// Second factors in the admin console, in a real Chromium: carol (the manager) sees bob's factors and
// resets them (audited), a role's "Requires MFA" switch round-trips through the roles API, and an
// admin change made with a sign-in that is too old asks carol to confirm it's you, signs her in
// again through the front desk and brings her back to the same section to repeat it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unnamedControls } from './support/a11y.js';
import {
  type AccountHotel,
  type AccountLobby,
  openAccountHotelAndBrowser,
  RECENT_AUTH_SECONDS,
} from './support/account-hotel.js';
import { enrolTotpOverApi, signInAgain } from './support/account-pages.js';
import { browserSkipReason, screenshot, signIn } from './support/browser.js';
import { PASSWORDS } from './support/hotel.js';
import { layoutOffenders } from './support/layout.js';

const skip = browserSkipReason('test/browser/admin-mfa.test.ts');

describe.skipIf(skip !== '')('second factors in the admin console', () => {
  let hotel: AccountHotel;
  let close: AccountLobby['close'] | undefined;
  let page: Page;

  beforeAll(async () => {
    let person: AccountLobby['person'];
    ({ hotel, person, close } = await openAccountHotelAndBrowser());
    page = await person();
    await signIn(page, hotel.url, 'carol', PASSWORDS.carol);
  });
  afterAll(async () => {
    await close?.();
  });

  /** bob's factors as bob's own account API sees them. */
  const bobFactors = async (card: string) => {
    const res = await fetch(`${hotel.url}/api/account/mfa`, { headers: { authorization: `Bearer ${card}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { totp: { enabled: boolean }; recovery_codes: { remaining: number } };
  };

  it("carol sees bob's factors and resets them; the reset is in the audit log", async () => {
    const bobCard = await enrolTotpOverApi(hotel, 'bob', PASSWORDS.bob);
    expect((await bobFactors(bobCard)).totp.enabled).toBe(true);

    await page.goto(`${hotel.url}/#/admin/users`);
    // The list says who enrolled what.
    expect(await page.getByTestId('admin-user-bob-mfa').textContent()).toBe('app');
    expect(await page.getByTestId('admin-user-alice-mfa').textContent()).toBe('none');
    await page.getByTestId('admin-user-bob-factors').click();
    const panel = page.locator('[data-testid="admin-user-factors"][data-user="bob"]');
    await panel.and(page.locator('[data-count="1"]')).waitFor();
    expect(await panel.getByTestId('admin-user-factors-totp').getAttribute('data-enabled')).toBe('true');
    expect(await panel.getByTestId('admin-user-factors-codes').textContent()).toContain('10');
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutOffenders(page)).toEqual([]);
    await screenshot(page, 'admin-mfa-01-bob-factors');

    await panel.getByTestId('admin-user-factors-reset').click();
    // Nothing is sent before the dialog is confirmed.
    await page
      .getByRole('dialog')
      .getByRole('heading', { name: 'Reset the second factors of bob?' })
      .waitFor();
    expect((await bobFactors(bobCard)).totp.enabled).toBe(true);
    await page.getByTestId('confirm-ok').click();
    await panel
      .getByTestId('admin-user-factors-status')
      .filter({ hasText: 'Second factors of bob reset.' })
      .waitFor();
    await panel.and(page.locator('[data-count="0"]')).waitFor();
    await page
      .getByTestId('admin-user-bob-mfa')
      .filter({ hasText: /^none$/ })
      .waitFor();
    const after = await bobFactors(bobCard);
    expect(after.totp.enabled).toBe(false);
    expect(after.recovery_codes.remaining).toBe(0);

    await page.goto(`${hotel.url}/#/admin/audit`);
    await page.getByTestId('admin-audit-type').fill('mfa.reset');
    await page.getByTestId('admin-audit-apply').click();
    await page.locator('[data-testid="admin-audit-entry"][data-type="mfa.reset"]').first().waitFor();
  });

  it("a role's Requires MFA switch round-trips", async () => {
    const requireMfaOf = async (name: string) => {
      const res = await fetch(`${hotel.url}/api/admin/roles`, {
        headers: { authorization: `Bearer ${await adminCard()}` },
      });
      const body = (await res.json()) as { roles: { name: string; require_mfa?: boolean }[] };
      return body.roles.find((r) => r.name === name)?.require_mfa;
    };
    await page.goto(`${hotel.url}/#/admin/roles`);
    const toggle = page.getByTestId('admin-role-guest-require-mfa');
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    await page
      .getByTestId('admin-roles-status')
      .filter({ hasText: /Requires MFA: on/ })
      .waitFor();
    expect(await requireMfaOf('guest')).toBe(true);
    await page.reload();
    await page.locator('[data-testid="admin-role-guest-require-mfa"][aria-checked="true"]').waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    expect(await layoutOffenders(page)).toEqual([]);
    await screenshot(page, 'admin-mfa-02-roles');

    await page.getByTestId('admin-role-guest-require-mfa').click();
    await page
      .getByTestId('admin-roles-status')
      .filter({ hasText: /Requires MFA: off/ })
      .waitFor();
    expect(await requireMfaOf('guest')).toBe(false);
  });

  it("an admin change with an old sign-in asks to confirm it's you, then works", async () => {
    hotel.advance(RECENT_AUTH_SECONDS + 30);
    await page.goto(`${hotel.url}/#/admin/roles`);
    await page.getByTestId('admin-role-guest-require-mfa').click();
    const prompt = page.getByTestId('step-up');
    await prompt.waitFor();
    expect(await prompt.getByTestId('step-up-action').textContent()).toContain(
      'Turn “Requires MFA” on for the role guest',
    );
    expect(await page.getByTestId('admin-roles-status').getAttribute('data-code')).toBe(
      'ERR_STEP_UP_REQUIRED',
    );
    await page.reload();
    await page.locator('[data-testid="admin-role-guest-require-mfa"][aria-checked="false"]').waitFor();
    await page.getByTestId('admin-role-guest-require-mfa').click();
    await prompt.waitFor();
    await screenshot(page, 'admin-mfa-03-confirm-its-you');

    await prompt.getByTestId('step-up-start').click();
    // max_age=0: the front desk asks for the password again although carol is signed in there.
    await signInAgain(page, 'carol', PASSWORDS.carol);
    await page.waitForURL(`${hotel.url}/#/admin/roles`);
    await page
      .getByTestId('app-notice')
      .filter({ hasText: /You can now: Turn “Requires MFA” on/ })
      .waitFor();
    await page.getByTestId('admin-role-guest-require-mfa').click();
    await page
      .getByTestId('admin-roles-status')
      .filter({ hasText: /Requires MFA: on/ })
      .waitFor();
    expect(await page.getByTestId('step-up').count()).toBe(0);
  });

  async function adminCard(): Promise<string> {
    const res = await fetch(`${hotel.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: PASSWORDS.carol, client_id: 'keycard-cli' }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }
});
