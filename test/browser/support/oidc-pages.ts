// What the relying-party browser tests do on keycard's pages and read from the guide's app.
import type { Frame, Page } from 'playwright-core';

/** What the guide's app asks for (its `server.mjs`). */
export const THIRD_PARTY_SCOPE = 'openid profile email offline_access rooms:open';

/** Fills keycard's sign-in form for an app (`#/authorize?i=…`) and submits it with Enter. */
export async function signInAtKeycard(page: Page, username: string, password: string): Promise<void> {
  await page.locator('#authorize-username').fill(username);
  await page.locator('#authorize-password').fill(password);
  await page.locator('#authorize-password').press('Enter');
}

/** The ID token claims the guide's app shows on its home page. */
export async function appClaims(page: Page): Promise<Record<string, unknown>> {
  return JSON.parse((await page.locator('#claims pre').textContent()) ?? '{}');
}

/**
 * The keycard web-app pages (`{issuer}/#/…`) the page's main frame showed while `action` ran:
 * empty when keycard answered with redirects only.
 */
export async function keycardPagesDuring(
  page: Page,
  issuer: string,
  action: () => Promise<void>,
): Promise<string[]> {
  const shown: string[] = [];
  const seen = (frame: Frame) => {
    if (frame === page.mainFrame() && frame.url().startsWith(`${issuer}/`)) shown.push(frame.url());
  };
  page.on('framenavigated', seen);
  try {
    await action();
  } finally {
    page.off('framenavigated', seen);
  }
  return shown;
}
