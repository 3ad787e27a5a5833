// Layout checks on a live page: every visible element lies inside the viewport's width and inside
// its card or scrolling container, and nothing is clipped by an `overflow: hidden` box.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS } from './browser.js';

export const LAYOUT_SHOTS = join(SCREENSHOTS, 'layout');

/** The two viewports every page is checked at: a laptop and a phone. */
export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'mobile', width: 390, height: 844 },
] as const;

/**
 * Elements that break the layout, one line each: `<selector>: <what>`. Empty when the page fits.
 * Runs in the page; a "card" is `.panel`, `.keycard`, `.door`, `dialog` or `.secret-once`, a
 * container is the nearest card or the nearest ancestor whose `overflow-x` is not `visible`.
 */
export function layoutOffenders(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const TOLERANCE = 1;
    const CARDS = '.panel, .keycard, .door, dialog, .secret-once';
    const out: string[] = [];
    // The outermost offender is reported; what it contains moves with it.
    const offending = new Set<Element>();
    const ignored = new Set<Element>();
    const flag = (el: Element, what: string) => {
      offending.add(el);
      out.push(`${describe(el)}: ${what}`);
    };
    const describe = (el: Element): string => {
      const testId = el.getAttribute('data-testid');
      if (testId) return `${el.tagName.toLowerCase()}[data-testid="${testId}"]`;
      if (el.id) return `${el.tagName.toLowerCase()}#${el.id}`;
      const cls = Array.from(el.classList).slice(0, 2).join('.');
      const parent = el.parentElement ? describe(el.parentElement) : '';
      return `${parent} > ${el.tagName.toLowerCase()}${cls ? `.${cls}` : ''}`;
    };
    const hidden = (el: Element): boolean =>
      el.closest('.visually-hidden, .skip-link, [hidden], head, script, style') !== null;
    const vw = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > vw + TOLERANCE) {
      out.push(`html: page is ${document.documentElement.scrollWidth}px wide in a ${vw}px viewport`);
    }
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      if (hidden(el)) continue;
      let inside = false;
      for (let a = el.parentElement; a && !inside; a = a.parentElement)
        inside = offending.has(a) || ignored.has(a);
      if (inside) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const rect = el.getBoundingClientRect();
      // Visually hidden (a 1px clipped box kept for screen readers), with everything in it.
      if (rect.width <= 1 && rect.height <= 1 && style.overflow !== 'visible') {
        ignored.add(el);
        continue;
      }
      if (rect.width === 0 && rect.height === 0) continue;
      if (el.closest('dialog') && !(el.closest('dialog') as HTMLDialogElement).open) continue;
      if (rect.left < -TOLERANCE || rect.right > vw + TOLERANCE) {
        flag(el, `${Math.round(rect.left)}..${Math.round(rect.right)} outside the viewport 0..${vw}`);
        continue;
      }
      // Nearest card or clipping/scrolling ancestor.
      let container: Element | null = el.parentElement;
      while (container && container !== document.body) {
        const ox = getComputedStyle(container).overflowX;
        if (container.matches(CARDS) || ox !== 'visible') break;
        container = container.parentElement;
      }
      if (container && container !== document.body) {
        const c = container.getBoundingClientRect();
        if (rect.left < c.left - TOLERANCE || rect.right > c.right + TOLERANCE) {
          flag(
            el,
            `${Math.round(rect.left)}..${Math.round(rect.right)} outside its container ${describe(container)} ${Math.round(c.left)}..${Math.round(c.right)}`,
          );
          continue;
        }
      }
      // A box that clips or scrolls its content sideways hides part of it.
      if (
        style.overflowX !== 'visible' &&
        el.tagName !== 'HTML' &&
        el.tagName !== 'BODY' &&
        el.scrollWidth > el.clientWidth + TOLERANCE
      ) {
        flag(el, `content ${el.scrollWidth}px wide in a ${el.clientWidth}px box (clipped or scrolls)`);
      }
      // Text running out of its own box (a long word or id that does not wrap).
      const ownText = Array.from(el.childNodes).some(
        (n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '',
      );
      if (
        ownText &&
        style.overflowX === 'visible' &&
        el.clientWidth > 0 &&
        el.scrollWidth > el.clientWidth + TOLERANCE
      ) {
        flag(el, `text ${el.scrollWidth}px wide runs out of its ${el.clientWidth}px box`);
      }
      // A select narrower than its chosen option's text cuts the text off.
      if (el instanceof HTMLSelectElement && el.selectedOptions[0]) {
        const probe = document.createElement('span');
        probe.style.font = style.font;
        probe.style.position = 'absolute';
        probe.style.whiteSpace = 'pre';
        probe.textContent = el.selectedOptions[0].text;
        document.body.append(probe);
        const textWidth = probe.getBoundingClientRect().width;
        probe.remove();
        const room =
          el.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
        // The arrow takes about 1.25rem on the right.
        if (textWidth > room - 16)
          flag(el, `option text ${Math.round(textWidth)}px in a ${Math.round(room)}px select`);
      }
    }
    return out;
  });
}

/** Screenshot into test-results/screenshots/layout/<name>.png (gitignored). */
export async function layoutShot(page: Page, name: string): Promise<void> {
  mkdirSync(LAYOUT_SHOTS, { recursive: true });
  await page.screenshot({ path: join(LAYOUT_SHOTS, `${name}.png`), fullPage: true });
}
