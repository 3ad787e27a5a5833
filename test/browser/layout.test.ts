// Every page of the web app in a real Chromium, at 1280x800 and at 390x844, against the real
// `keycard demo` stack: a full-page screenshot of each (test-results/screenshots/layout/) and a
// check in the page that every visible element lies inside the viewport's width and inside its
// card or scrolling container (support/layout.ts). Offenders are reported by selector.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, openHotelAndBrowser, signIn, tapDoor } from './support/browser.js';
import { apiLogin, PASSWORDS, type RunningHotel } from './support/hotel.js';
import { layoutOffenders, layoutShot, VIEWPORTS } from './support/layout.js';

const skip = browserSkipReason('test/browser/layout.test.ts');

const ADMIN_SECTIONS = ['users', 'clients', 'audiences', 'roles', 'keys', 'sessions', 'audit'] as const;

describe.skipIf(skip !== '')('every page fits its screen', () => {
  let hotel: RunningHotel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser());
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  async function person(width: number, height: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context.newPage();
  }

  /** Screenshot, then the offenders of the page as it is now. */
  async function check(page: Page, name: string): Promise<string[]> {
    // Fonts and layout settle before measuring.
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await layoutShot(page, name);
    return (await layoutOffenders(page)).map((line) => `${name}: ${line}`);
  }

  for (const viewport of VIEWPORTS) {
    it(`at ${viewport.width}x${viewport.height} (${viewport.name})`, async () => {
      const offenders: string[] = [];
      const tag = (page: string) => `${viewport.name}-${page}`;

      // Signed out: the front desk's sign-in page (where `#/signin` leads) and the inspector with a bad token.
      const guest = await person(viewport.width, viewport.height);
      await guest.goto(`${hotel.url}/#/signin`);
      await guest.getByTestId('authorize-signin-form').waitFor();
      offenders.push(...(await check(guest, tag('signin'))));
      await guest.goto(`${hotel.url}/#/inspector`);
      await guest.getByLabel('Token (JWS compact)').fill('not.a.token');
      await guest.getByTestId('inspector-error').waitFor();
      offenders.push(...(await check(guest, tag('inspector-malformed'))));
      await guest.getByLabel('Token (JWS compact)').fill(await apiLogin(hotel.url, 'bob'));
      await guest.getByTestId('inspector-verify').click();
      await guest.getByTestId('inspector-valid').waitFor();
      offenders.push(...(await check(guest, tag('inspector-verified'))));

      // alice: the front desk with door answers, her account, then checked out.
      const alice = await person(viewport.width, viewport.height);
      await signIn(alice, hotel.url, 'alice', PASSWORDS.alice);
      await alice.getByTestId('doors-list').waitFor();
      await tapDoor(alice, 'room-101');
      await tapDoor(alice, 'office');
      offenders.push(...(await check(alice, tag('front-desk'))));
      await alice.goto(`${hotel.url}/#/account`);
      await alice.getByTestId('sessions-list').locator('[data-current="true"]').waitFor();
      offenders.push(...(await check(alice, tag('account'))));
      await alice.goto(`${hotel.url}/#/`);
      await alice.getByTestId('checkout').click();
      await alice.locator('[data-testid="card"][data-state="checked-out"]').waitFor();
      await alice.getByTestId('try-old-card').click();
      await alice.locator('[data-testid="door-room-101-result"][data-result="denied"]').waitFor();
      await alice.waitForFunction(() => document.querySelector('[data-result="pending"]') === null);
      offenders.push(...(await check(alice, tag('front-desk-checked-out'))));

      // carol: every admin section, and a confirmation dialog.
      const carol = await person(viewport.width, viewport.height);
      await signIn(carol, hotel.url, 'carol', PASSWORDS.carol);
      for (const section of ADMIN_SECTIONS) {
        await carol.goto(`${hotel.url}/#/admin/${section}`);
        await carol.getByTestId(`admin-${section}-list`).waitFor();
        await carol.waitForFunction(
          (id) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('aria-busy') !== 'true',
          `admin-${section}-list`,
        );
        offenders.push(...(await check(carol, tag(`admin-${section}`))));
      }
      // A code-flow client with long URIs, and the form with its code-flow and key fields open.
      await carol.goto(`${hotel.url}/#/admin/clients`);
      await carol.getByTestId('admin-client-create-id').fill(`layout-${viewport.name}`);
      await carol.getByTestId('admin-client-create-grant-client_credentials').uncheck();
      await carol.getByTestId('admin-client-create-grant-authorization_code').check();
      const long = `https://photos.example.com/${'callback/'.repeat(8)}done?tenant=layout`;
      await carol.getByTestId('admin-client-create-redirect-uris').fill(`${long}\nhttp://127.0.0.1/cb`);
      await carol.getByTestId('admin-client-create-post-logout-uris').fill(long);
      await carol.getByTestId('admin-client-create-backchannel-uri').fill(`${long}/backchannel`);
      await carol.getByTestId('admin-client-create-submit').click();
      await carol.getByTestId(`admin-client-layout-${viewport.name}-uris`).waitFor();
      await carol.getByTestId('admin-client-create-grant-authorization_code').check();
      offenders.push(...(await check(carol, tag('admin-clients-code-flow'))));
      await carol.goto(`${hotel.url}/#/admin/keys`);
      await carol.getByTestId('admin-keys-rotate').click();
      await carol.getByRole('dialog').waitFor();
      offenders.push(...(await check(carol, tag('admin-keys-confirm'))));
      await carol.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      expect(offenders).toEqual([]);
    });
  }
});
