// The token inspector in a real Chromium against the real `keycard demo` stack: a genuine card
// verifies, a forged signature and an expired card are flagged with the check that fails.
//
// Expired: the server signs with keys only it holds, so this stack issues 30 s cards
// (KEYCARD_ACCESS_TOKEN_TTL=30, the minimum) and the test waits for a real card to expire; the
// inspector's exp check has no leeway.
import { decodeJWT, generateKeyPair, signJWT } from '@keycard/jwt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unnamedControls } from './support/a11y.js';
import { browserSkipReason, newPerson, openHotelAndBrowser, screenshot } from './support/browser.js';
import { apiLogin, type RunningHotel } from './support/hotel.js';

const skip = browserSkipReason('test/browser/inspector.test.ts');

async function inspect(page: Page, token: string) {
  await page.getByLabel('Token (JWS compact)').fill(token);
  await page.getByTestId('inspector-verify').click();
  await page.getByTestId('inspector-valid').waitFor();
  const check = async (name: string) => {
    const el = page.getByTestId(`inspector-check-${name}`);
    return { ok: await el.getAttribute('data-ok'), code: await el.getAttribute('data-code') };
  };
  return { valid: await page.getByTestId('inspector-valid').getAttribute('data-valid'), check };
}

describe.skipIf(skip !== '')('the token inspector in Chromium', () => {
  let hotel: RunningHotel;
  let browser: Browser;
  let page: Page;
  let earlyCard: string;

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser({ KEYCARD_ACCESS_TOKEN_TTL: '30' }));
    earlyCard = await apiLogin(hotel.url, 'alice'); // expires 30 s from now
    page = await (await newPerson(browser)).newPage();
    await page.goto(`${hotel.url}/#/inspector`);
    await page.getByTestId('page-inspector').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  it('verifies a genuine card, every check passing', async () => {
    const result = await inspect(page, await apiLogin(hotel.url, 'bob'));
    expect(result.valid).toBe('true');
    for (const name of ['format', 'alg', 'signature', 'typ', 'iss', 'aud', 'exp', 'nbf', 'iat', 'revoked']) {
      expect((await result.check(name)).ok, name).toBe('true');
    }
    expect(await page.getByTestId('inspector-claims-username').textContent()).toContain('bob');
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, '11-inspector-valid');
  });

  it('flags a forged signature: same header and claims, signed with a key the server does not have', async () => {
    const { header, payload } = decodeJWT(earlyCard);
    const forger = await generateKeyPair('ES256');
    const forged = signJWT({ ...payload, room: '102' }, forger, { typ: 'at+jwt', kid: header.kid });
    const result = await inspect(page, forged);
    expect(result.valid).toBe('false');
    expect(await result.check('signature')).toEqual({ ok: 'false', code: 'ERR_JWS_SIGNATURE_INVALID' });
    expect((await result.check('iss')).ok).toBe('true'); // only the signature is wrong
    expect(await page.getByTestId('inspector-claims-room').textContent()).toContain('102');
    await screenshot(page, '12-inspector-forged');

    // The same forged card at a door: refused.
    const res = await fetch(`${hotel.doors.rooms}/rooms/102/open`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_GUARD_TOKEN_INVALID');
  });

  it('flags an expired card', async () => {
    const { payload } = decodeJWT(earlyCard);
    const wait = (payload.exp as number) * 1000 + 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const result = await inspect(page, earlyCard);
    expect(result.valid).toBe('false');
    expect(await result.check('exp')).toEqual({ ok: 'false', code: 'ERR_JWT_EXPIRED' });
    expect((await result.check('signature')).ok).toBe('true');
    await screenshot(page, '13-inspector-expired');
  }, 60_000);
});
