// Second factors in Chromium: an authenticator app (TOTP codes computed here with otpauth from the
// secret the page shows), a virtual WebAuthn authenticator (Chrome DevTools Protocol), and the steps
// the sign-in pages ask for, as the person would take them.
import { Secret, TOTP } from 'otpauth';
import type { CDPSession, Page } from 'playwright-core';
import { layoutOffenders, layoutShot, VIEWPORTS } from './layout.js';

/** The authenticator app on the person's phone: one TOTP secret, each code used once. */
export class TotpApp {
  private readonly totp: TOTP;
  private lastStep = Number.NEGATIVE_INFINITY;

  constructor(readonly secret: string) {
    this.totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  }

  /**
   * A code the server has not seen yet: the current 30-second step, or the next one when the
   * current one was used (the server accepts one step either side and refuses a step used before).
   * Only a third code within one step waits for the clock (at most one step).
   */
  async next(): Promise<string> {
    const now = Math.floor(Date.now() / 30_000);
    const step = Math.max(this.lastStep + 1, now);
    if (step > now + 1) await new Promise((r) => setTimeout(r, (step - 1) * 30_000 - Date.now() + 50));
    this.lastStep = step;
    return this.totp.generate({ timestamp: step * 30_000 });
  }

  /** A code of a step already used (a replay). */
  used(): string {
    return this.totp.generate({ timestamp: this.lastStep * 30_000 });
  }
}

/** A platform authenticator with user verification (a phone or laptop with a fingerprint reader). */
export interface VirtualAuthenticator {
  cdp: CDPSession;
  id: string;
  credentials(): Promise<{ credentialId: string; isResidentCredential: boolean; signCount: number }[]>;
  /**
   * Takes the passkeys out of the authenticator (as if the phone were in another room) and returns
   * the call that puts them back. A virtual authenticator answers the username field's passkey
   * offer (conditional UI) at once, as if the person picked one; without a passkey the offer waits
   * while they type a password or press a button.
   */
  withhold(): Promise<() => Promise<void>>;
}

/**
 * Gives the page's browser context a virtual passkey authenticator (CTAP2, internal, resident keys,
 * user verification that always succeeds), as the Chrome DevTools Protocol offers for tests.
 */
export async function addPasskeyAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return {
    cdp,
    id: authenticatorId,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
    async withhold() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      for (const { credentialId } of credentials)
        await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId });
      return async () => {
        for (const credential of credentials)
          await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
      };
    },
  };
}

/** Types the password at the sign-in pages (`#/signin` hands over to them) and submits. */
export async function typePassword(
  page: Page,
  url: string,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(`${url}/#/signin`);
  const form = page.getByTestId('authorize-signin-form');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByLabel('Password').press('Enter');
}

/** Answers the second-factor step with a code from the app (TOTP) and waits for the key card. */
export async function answerTotp(page: Page, code: string): Promise<void> {
  const step = page.getByTestId('authorize-mfa');
  await step.getByLabel('Code from your authenticator app').fill(code);
  await page.getByTestId('authorize-mfa-submit').click();
}

/** The acr and amr of the API card, as the key card shows them. */
export async function cardStrength(page: Page): Promise<{ acr: string | null; amr: string[] }> {
  const shown = page.getByTestId('card-acr');
  await shown.waitFor();
  const amr = (await shown.getAttribute('data-amr')) ?? '';
  return { acr: await shown.getAttribute('data-acr'), amr: amr === '' ? [] : amr.split(' ') };
}

/** Checks out at the front desk and waits until the card is void. */
export async function checkOut(page: Page): Promise<void> {
  await page.getByTestId('checkout').click();
  await page.locator('[data-testid="card"][data-state="checked-out"]').waitFor();
}

/**
 * At the enrolment step of the sign-in pages: chooses the authenticator app (unless `chosen`),
 * reads the secret the page shows beside its QR code, confirms with the first code, and saves the
 * recovery codes.
 */
export async function enrolTotp(
  page: Page,
  opts: { chosen?: boolean } = {},
): Promise<{ app: TotpApp; recoveryCodes: string[] }> {
  if (opts.chosen !== true) {
    await page.locator('[data-testid="authorize-enrol"][data-stage="choose"]').waitFor();
    await page.getByTestId('authorize-enrol-totp').click();
  }
  const secret = await page.getByTestId('totp-secret').getAttribute('data-secret');
  if (secret === null) throw new Error('the page shows no TOTP secret');
  const app = new TotpApp(secret);
  await page.getByLabel('Code from your authenticator app').fill(await app.next());
  await page.getByTestId('authorize-enrol-confirm').click();
  const recoveryCodes = await saveRecoveryCodes(page);
  return { app, recoveryCodes };
}

/**
 * A step-up that needs a first factor: the sign-in pages ask the signed-in person for their
 * password again (the username is filled in) before the enrolment.
 */
export async function confirmPassword(page: Page, password: string): Promise<void> {
  await page.getByTestId('authorize-enrol-reauth').waitFor();
  const form = page.getByTestId('authorize-signin-form');
  await form.getByLabel('Password').fill(password);
  await form.getByLabel('Password').press('Enter');
}

/** Waits until a door shows an answer the page got by itself (no tap): `opened`, or `denied (CODE)`. */
export async function waitForDoor(page: Page, id: string): Promise<string> {
  const result = page.locator(
    `[data-testid="door-${id}-result"]:not([data-result="none"]):not([data-result="pending"])`,
  );
  await result.waitFor();
  const outcome = (await result.getAttribute('data-result')) ?? '';
  const code = await result.getAttribute('data-code');
  return outcome === 'opened' || code === null ? outcome : `${outcome} (${code})`;
}

/** Reads the recovery codes shown once, ticks "I saved them" and goes on. */
export async function saveRecoveryCodes(page: Page): Promise<string[]> {
  await page.getByTestId('recovery-codes').waitFor();
  const codes = await page.getByTestId('recovery-code').allTextContents();
  await page.getByTestId('recovery-codes-saved').check();
  await page.getByTestId('recovery-codes-continue').click();
  return codes;
}

/**
 * The manager's office wants two factors: taps it, follows its step-up to the sign-in pages,
 * confirms the password, sets up an authenticator app there, and waits for the office to be tried
 * again. Returns the office's answer and the app (for codes at later sign-ins).
 */
export async function openOfficeWithTotp(
  page: Page,
  password: string,
): Promise<{ office: string; app: TotpApp }> {
  await page.getByTestId('door-office').click();
  await page.getByTestId('door-office-step-up-start').click();
  await confirmPassword(page, password);
  const { app } = await enrolTotp(page);
  return { office: await waitForDoor(page, 'office'), app };
}

/**
 * The layout offenders of the page as it is now, at both viewports of the layout test (laptop and
 * phone), with a screenshot of each in test-results/screenshots/layout/; the page's size is put back.
 */
export async function layoutAtBothSizes(page: Page, name: string): Promise<string[]> {
  const before = page.viewportSize();
  const out: string[] = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await layoutShot(page, `${viewport.name}-${name}`);
    out.push(...(await layoutOffenders(page)).map((line) => `${viewport.name}-${name}: ${line}`));
  }
  if (before) await page.setViewportSize(before);
  return out;
}
