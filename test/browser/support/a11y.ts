// Accessibility checks on a live page: every form control has an accessible name (Chromium's
// accessibility tree, through playwright's ARIA snapshot), and the keyboard reaches a control.
import type { Page } from 'playwright-core';

const CONTROL_ROLES = [
  'textbox',
  'searchbox',
  'combobox',
  'listbox',
  'checkbox',
  'radio',
  'spinbutton',
  'button',
  'switch',
];

/**
 * The controls in the page's ARIA snapshot that have no accessible name (an empty list is good).
 * A named control appears as `- textbox "Username"`; an unnamed one as `- textbox` alone.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  const snapshot = await page.locator('body').ariaSnapshot();
  const unnamed = new RegExp(`^\\s*- (${CONTROL_ROLES.join('|')})(?:\\s*\\[[^\\]]*\\])*\\s*(?::.*)?$`);
  return snapshot.split('\n').filter((line) => unnamed.test(line));
}

/** Presses Tab until the element with this id (or data-testid) has focus; the number of presses, or -1. */
export async function tabTo(page: Page, id: string, maxPresses = 40): Promise<number> {
  for (let i = 1; i <= maxPresses; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(
      (want) =>
        document.activeElement?.id === want || document.activeElement?.getAttribute('data-testid') === want,
      id,
    );
    if (focused) return i;
  }
  return -1;
}
