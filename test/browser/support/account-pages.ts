// What the account, admin and email browser tests do in the page, in one place: read a mail in the
// web app's Mailbox page and follow its link, compute a TOTP code as an authenticator app would at
// the server's (movable) time, and sign in again after "Confirm it's you".
import * as OTPAuth from 'otpauth';
import type { Locator, Page } from 'playwright-core';
import type { AccountHotel } from './account-hotel.js';

/** The six-digit code an authenticator app shows for `secret` (base32) at `atMs`. */
export function totpCode(secret: string, atMs: number): string {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
  return totp.generate({ timestamp: atMs });
}

/**
 * Opens the Mailbox page, waits for the newest mail to `to` whose subject matches (the page polls),
 * opens it and answers its text's first link (`mail-link`). `after` skips mails with an id at or
 * below it (an earlier mail of the same kind).
 */
export async function openMailLink(
  page: Page,
  url: string,
  to: string,
  subject: RegExp,
  after = 0,
): Promise<{ link: Locator; href: string; id: number }> {
  if (!page.url().endsWith('#/mailbox')) await page.goto(`${url}/#/mailbox`);
  const rows = page.getByTestId('mail-row');
  const handle = await page.waitForFunction(
    ({ to, source, flags, after }) => {
      const re = new RegExp(source, flags);
      const found = Array.from(document.querySelectorAll('[data-testid="mail-row"]')).find(
        (row) =>
          (row.getAttribute('data-to') ?? '').split(' ').includes(to) &&
          re.test(row.getAttribute('data-subject') ?? '') &&
          Number(row.getAttribute('data-id')) > after,
      );
      return found?.getAttribute('data-id') ?? false;
    },
    { to, source: subject.source, flags: subject.flags, after },
    { timeout: 15_000 },
  );
  const id = Number(await handle.jsonValue());
  await rows
    .and(page.locator(`[data-id="${id}"]`))
    .getByTestId('mail-open')
    .click();
  await page.locator(`[data-testid="mail-view"][data-id="${id}"]`).waitFor();
  const link = page.getByTestId('mail-view').getByTestId('mail-link').first();
  return { link, href: (await link.getAttribute('href')) ?? '', id };
}

/** The status line's `data-code`, once it has text. */
export async function codeOf(status: Locator): Promise<string | null> {
  await status.filter({ hasText: /\S/ }).waitFor();
  return status.getAttribute('data-code');
}

async function postJson(url: string, body: unknown, card?: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(card ? { authorization: `Bearer ${card}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * Gives `username` a confirmed authenticator app through the account API (a script's Bearer card,
 * the code computed at the server's time), as set-up for the admin tests; answers the card.
 */
export async function enrolTotpOverApi(
  hotel: AccountHotel,
  username: string,
  password: string,
): Promise<string> {
  const login = await postJson(`${hotel.url}/api/login`, { username, password, client_id: 'keycard-cli' });
  const card = String(login['access_token']);
  const { secret } = await postJson(`${hotel.url}/api/mfa/totp/start`, {}, card);
  await postJson(`${hotel.url}/api/mfa/totp/confirm`, { code: totpCode(String(secret), hotel.now()) }, card);
  return card;
}

/**
 * At the front desk's sign-in pages after "Confirm it's you" (`max_age=0`): the password again
 * (the username is prefilled when the desk knows it), then the second factor when the account has
 * one: the authenticator app's code (computed when asked, at the server's time) or the passkey of
 * the page's virtual authenticator.
 */
export async function signInAgain(
  page: Page,
  username: string,
  password: string,
  second?: { totp: () => string } | { passkey: true },
): Promise<void> {
  const form = page.getByTestId('authorize-signin-form');
  await form.waitFor();
  const name = form.getByLabel('Username');
  if ((await name.inputValue()) !== username) await name.fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByLabel('Password').press('Enter');
  if (second === undefined) return;
  const step = page.getByTestId('authorize-mfa');
  await step.waitFor();
  if ('passkey' in second) {
    await step.getByTestId('authorize-mfa-passkey').click();
    return;
  }
  const mode = await step.getByTestId('authorize-mfa-form').getAttribute('data-mode');
  if (mode !== 'totp') await step.getByTestId('authorize-mfa-use-totp').click();
  await step.getByLabel('Code from your authenticator app').fill(second.totp());
  await step.getByTestId('authorize-mfa-submit').click();
}
