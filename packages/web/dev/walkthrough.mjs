// Dev-only: drives the built app against dev/mock-server.mjs in headless Chromium, takes
// screenshots and prints every CSP violation and console error (manual check, not a test).
//   node packages/web/dev/mock-server.mjs 4300 &  node packages/web/dev/walkthrough.mjs [outDir]
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE ?? 'http://127.0.0.1:4300';
const OUT = process.argv[2] ?? '/tmp/keycard-web-shots';
await mkdir(OUT, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
const problems = [];
function watch(page, name) {
  page.on('console', (m) => {
    // Refused doors and the first refresh without a cookie log 4xx loads: expected here.
    if (m.text().startsWith('Failed to load resource')) return;
    if (m.type() === 'error' || m.type() === 'warning')
      problems.push(`[${name}] console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`[${name}] pageerror: ${e.message}`));
}
await context.addInitScript(() => {
  document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
  );
});

const page = await context.newPage();
watch(page, 'tab1');
const shot = (name) => page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });

await page.goto(`${BASE}/`);
// The app hands over to the front desk's sign-in pages (the code flow), which send it back with a code.
await page.getByTestId('authorize-signin-form').waitFor();
await shot('01-signin');
await page.getByLabel('Username').fill('alice');
await page.getByLabel('Password').fill('wrong');
await page.getByLabel('Password').press('Enter');
await page.getByTestId('authorize-signin-error').filter({ hasText: 'Wrong' }).waitFor();
await shot('02-signin-wrong');
await page.getByLabel('Password').fill('alice');
await page.getByTestId('authorize-signin-submit').click();
await page.getByTestId('card').waitFor();
console.log('room:', await page.getByTestId('card-room').textContent());
for (const id of ['room-101', 'room-102', 'pool', 'garage', 'office'])
  await page.getByTestId(`door-${id}`).click();
await page.waitForFunction(() => document.querySelectorAll('[data-result="pending"]').length === 0);
for (const id of ['room-101', 'room-102', 'pool', 'garage', 'office']) {
  console.log(id, await page.getByTestId(`door-${id}-result`).getAttribute('data-result'));
}
await shot('03-front-desk');

// A second tab shares the session, and checking out in the first signs it out.
const page2 = await context.newPage();
watch(page2, 'tab2');
await page2.goto(`${BASE}/#/account`);
await page2.getByTestId('sessions-list').waitFor();
await page2.waitForSelector('[data-testid="session-current"]');
await page2.screenshot({ path: `${OUT}/04-account.png`, fullPage: true });

await page.bringToFront();
await page.getByTestId('checkout').click();
await page.getByTestId('try-old-card').click();
await page.waitForFunction(() => document.querySelectorAll('[data-result="pending"]').length === 0);
console.log(
  'after checkout room-101:',
  await page.getByTestId('door-room-101-result').getAttribute('data-result'),
);
await shot('05-checked-out');
await page2.getByTestId('page-signin').waitFor({ timeout: 5000 });
console.log('tab2 notice:', await page2.getByTestId('app-notice').textContent());

// Inspector with a forged signature.
await page.goto(`${BASE}/#/signin`);
await page.getByLabel('Username').fill('carol');
await page.getByLabel('Password').fill('carol');
await page.getByTestId('authorize-signin-submit').click();
await page.getByTestId('card').waitFor();
await page.getByTestId('nav-inspector').click();
await page.getByTestId('inspector-use-mine').click();
await page.getByTestId('inspector-check-signature').waitFor();
const token = await page.getByTestId('inspector-input').inputValue();
await page.getByTestId('inspector-input').fill(token.replace(/\.[^.]+$/, '.forged'));
await page.getByTestId('inspector-verify').click();
await page.locator('[data-testid="inspector-check-signature"][data-ok="false"]').waitFor();
await shot('06-inspector');

await page.getByTestId('nav-admin').click();
await page.getByTestId('admin-users-list').waitFor();
await shot('07-admin-users');
await page.getByTestId('admin-tab-keys').click();
await page.getByTestId('admin-keys-rotate').click();
await page.getByTestId('confirm-ok').click();
await page.getByTestId('admin-keys-status').filter({ hasText: 'Rotated' }).waitFor();
await shot('08-admin-keys');
await page.getByTestId('admin-tab-sessions').click();
await page.getByTestId('admin-sessions-list').waitFor();
await shot('09-admin-sessions');
await page.getByTestId('admin-tab-clients').click();
await page.getByTestId('admin-client-create-id').fill('reports');
await page.getByTestId('admin-client-create-submit').click();
await page.getByTestId('admin-client-secret').waitFor();
await shot('10-admin-clients');
await page.getByTestId('admin-tab-audit').click();
await page.getByTestId('admin-audit-list').waitFor();
await shot('11-admin-audit');

await browser.close();
console.log(problems.length === 0 ? 'no console errors, no CSP violations' : problems.join('\n'));
process.exitCode = problems.length === 0 ? 0 : 1;
