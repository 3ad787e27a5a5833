// One card, one door, one holder — in a real Chromium against the real `keycard demo` stack.
// carol's office card is captured as the office door received it and replayed at the admin API,
// the account API and every other door: all refuse, and no account appears. alice's pool card does
// not open her room even with a fresh proof of her own key. A DPoP-bound card without a proof, with
// another key's proof or with a replayed proof is refused at every door. The minibar charges the
// bill on alice's behalf and the front desk draws the chain.
import { createDpopProof, generateKeyPair } from '@keycard/jwt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserSkipReason,
  newPerson,
  openHotelAndBrowser,
  screenshot,
  signIn,
  tapDoor,
} from './support/browser.js';
import { type DpopClient, dpopLogin } from './support/dpop-client.js';
import { PASSWORDS, type RunningHotel } from './support/hotel.js';
import { openOfficeWithTotp } from './support/mfa.js';
import { captureAtDoor, pageKeyFacts, proofInPage } from './support/page-dpop.js';

const skip = browserSkipReason('test/browser/cards.test.ts');

async function codeOf(res: Response): Promise<string | undefined> {
  const body = (await res.json().catch(() => undefined)) as
    | { error?: { code?: string } | string }
    | undefined;
  return typeof body?.error === 'string' ? body.error : body?.error?.code;
}

describe.skipIf(skip !== '')('one card per door, bound to its holder, in Chromium', () => {
  let hotel: RunningHotel;
  let browser: Browser;
  let carol: BrowserContext;
  let carolPage: Page;
  let alice: BrowserContext;
  let alicePage: Page;
  /** carol signed in from Node (DPoP, password and TOTP). */
  let carolApi: DpopClient;
  /** Every door URL a card could be replayed at. */
  let doors: { url: string; method: string }[];

  beforeAll(async () => {
    ({ hotel, browser } = await openHotelAndBrowser());
    [carol, alice] = await Promise.all([newPerson(browser), newPerson(browser)]);
    [carolPage, alicePage] = await Promise.all([carol.newPage(), alice.newPage()]);
    await signIn(carolPage, hotel.url, 'carol', PASSWORDS.carol);
    // The office wants two factors: carol sets one up, so her cards open it; from Node she signs in
    // with a code of the same app.
    const { app } = await openOfficeWithTotp(carolPage, PASSWORDS.carol);
    carolApi = await dpopLogin(hotel.url, 'carol', { totp: await app.next() });
    await signIn(alicePage, hotel.url, 'alice', PASSWORDS.alice);
    doors = [
      { url: `${hotel.doors.rooms}/rooms/101/open`, method: 'GET' },
      { url: `${hotel.doors.rooms}/rooms/101/minibar`, method: 'POST' },
      { url: `${hotel.doors.amenities}/pool/open`, method: 'GET' },
      { url: `${hotel.doors.amenities}/garage/open`, method: 'GET' },
      { url: `${hotel.doors.office}/office/open`, method: 'GET' },
      { url: `${hotel.doors.billing}/billing/bill`, method: 'GET' },
    ];
  });
  afterAll(async () => {
    await browser?.close();
    await hotel?.dispose();
  });

  it('keeps a non-extractable P-256 key in IndexedDB; the API card and each door card are bound to it', async () => {
    expect(await pageKeyFacts(carolPage)).toEqual({ stored: true, extractable: false });
    const jkt = await carolPage.getByTestId('card-jkt').getAttribute('data-jkt');
    expect(jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await tapDoor(carolPage, 'office')).toBe('opened');
    const row = carolPage.getByTestId('desk-card-office');
    expect(await row.getAttribute('data-aud')).toBe('office');
    expect(await row.getAttribute('data-jkt')).toBe(jkt);
    expect(await row.getAttribute('data-token-type')).toBe('DPoP');
    const apiRow = carolPage.getByTestId('desk-card-keycard');
    expect(await apiRow.getAttribute('data-jkt')).toBe(jkt);
    expect(await carolPage.getByTestId('door-office-result').getAttribute('data-card-aud')).toBe('office');
    await screenshot(carolPage, '20-front-desk-cards-by-door');
  });

  it("carol's office card, captured at the office door, is refused at the admin API, the account API and every other door; no account is created", async () => {
    const stolen = await captureAtDoor(carolPage, 'office', '/office/open');
    expect(stolen.authorization).toMatch(/^DPoP /);
    expect(stolen.dpop).not.toBe('');
    const card = stolen.authorization.slice('DPoP '.length);
    const thief = await generateKeyPair('ES256');
    const attempts: { where: string; res: Response }[] = [];
    const create = JSON.stringify({
      username: 'mallory',
      password: 'mallory-is-manager',
      roles: ['manager'],
    });
    const api = [
      { path: '/api/admin/users', method: 'POST', body: create },
      { path: '/api/admin/users', method: 'GET' },
      { path: '/api/me', method: 'GET' },
    ];
    for (const { path, method, body } of api) {
      const url = `${hotel.url}${path}`;
      const headerSets: Record<string, string>[] = [
        { authorization: stolen.authorization, dpop: stolen.dpop }, // as captured
        { authorization: `Bearer ${card}` }, // as a bearer card
        {
          authorization: stolen.authorization,
          dpop: createDpopProof(thief, { method, url, accessToken: card }),
        }, // with the thief's own fresh proof
      ];
      for (const headers of headerSets) {
        const res = await fetch(url, {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body }),
        });
        attempts.push({ where: `${method} ${path}`, res });
      }
    }
    for (const door of doors.filter((d) => !d.url.includes('/office/'))) {
      for (const dpop of [
        stolen.dpop,
        createDpopProof(thief, { method: door.method, url: door.url, accessToken: card }),
      ]) {
        const res = await fetch(door.url, {
          method: door.method,
          headers: { authorization: stolen.authorization, dpop },
        });
        attempts.push({ where: `${door.method} ${door.url}`, res });
      }
    }
    for (const { where, res } of attempts) {
      expect([401, 403], where).toContain(res.status);
    }
    // The office door itself: the captured proof was used once already.
    const replay = await fetch(`${hotel.doors.office}/office/open`, {
      headers: { authorization: stolen.authorization, dpop: stolen.dpop },
    });
    expect(replay.status).toBe(401);

    // carol's own API card (DPoP, from Node) lists the users: no mallory.
    const usersUrl = `${hotel.url}/api/admin/users`;
    const list = await carolApi.call(usersUrl, carolApi.apiCard);
    expect(list.status).toBe(200);
    expect(JSON.stringify(await list.json())).not.toContain('mallory');
  });

  it("alice's pool card does not open room 101, even with a fresh proof of her own key", async () => {
    const pool = await captureAtDoor(alicePage, 'pool', '/pool/open');
    expect(await alicePage.getByTestId('door-pool-result').getAttribute('data-result')).toBe('opened');
    const card = pool.authorization.slice('DPoP '.length);
    const room = `${hotel.doors.rooms}/rooms/101/open`;
    const proof = await proofInPage(alicePage, 'GET', room, card);
    const res = await fetch(room, { headers: { authorization: `DPoP ${card}`, dpop: proof } });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('ERR_GUARD_TOKEN_INVALID');
    // Her rooms card, presented by the page, does.
    expect(await tapDoor(alicePage, 'room-101')).toBe('opened');
  });

  it('a DPoP-bound card is refused at every door without a proof, with another key, with a replayed proof, or as Bearer', async () => {
    const aliceApi = await dpopLogin(hotel.url, 'alice');
    const other = await generateKeyPair('ES256');
    const cases = [
      { who: aliceApi, aud: 'rooms', door: doors[0]! },
      { who: aliceApi, aud: 'amenities', door: doors[2]! },
      { who: carolApi, aud: 'office', door: doors[4]! },
      { who: aliceApi, aud: 'billing', door: doors[5]! },
    ];
    for (const { who, aud, door } of cases) {
      const minted = await who.mint(aud);
      expect(minted.token_type, aud).toBe('DPoP');
      const card = minted.access_token;
      const good = who.proof(door.method, door.url, card);
      const ok = await who.call(door.url, card, { method: door.method, proof: good });
      expect(ok.status, `${aud} with a fresh proof`).toBe(200);
      const refusals = {
        'no proof': await who.call(door.url, card, { method: door.method, proof: null }),
        'another key': await who.call(door.url, card, { method: door.method, key: other }),
        'replayed proof': await who.call(door.url, card, { method: door.method, proof: good }),
        bearer: await fetch(door.url, { method: door.method, headers: { authorization: `Bearer ${card}` } }),
      };
      for (const [how, res] of Object.entries(refusals)) {
        expect(res.status, `${aud}: ${how}`).toBe(401);
      }
      // RFC 9449 §7.1: the challenge names the DPoP scheme and the proof error.
      expect(refusals['another key'].headers.get('www-authenticate') ?? '').toMatch(
        /\bDPoP\b[\s\S]*error="invalid_dpop_proof"/,
      );
    }
  });

  it('the minibar charges alice’s bill on her behalf and the front desk draws guest → rooms-service → billing', async () => {
    expect(await tapDoor(alicePage, 'minibar-101')).toBe('opened');
    const chain = alicePage.getByTestId('door-minibar-101-chain');
    expect(await chain.getAttribute('data-chain')).toBe('alice > rooms-service > billing');
    expect(await tapDoor(alicePage, 'bill')).toBe('opened');
    const bill = JSON.parse((await alicePage.getByTestId('door-bill-body').textContent()) ?? '{}');
    expect(bill).toMatchObject({ guest: 'alice' });
    expect(bill.total).toBeGreaterThan(0);
    await screenshot(alicePage, '21-front-desk-minibar-chain');
  });

  it('the inspector shows the single audience, cnf and why a stolen card is useless elsewhere', async () => {
    await alicePage.goto(`${hotel.url}/#/inspector`);
    await alicePage.getByTestId('page-inspector').waitFor();
    await alicePage.getByTestId('inspector-use-rooms').click();
    await alicePage.getByTestId('inspector-valid').waitFor();
    expect(await alicePage.getByTestId('inspector-aud').getAttribute('data-count')).toBe('1');
    expect(await alicePage.getByTestId('inspector-aud').textContent()).toContain('rooms');
    expect(await alicePage.getByTestId('inspector-cnf').getAttribute('data-jkt')).toMatch(
      /^[A-Za-z0-9_-]{43}$/,
    );
    expect(await alicePage.getByTestId('inspector-why').textContent()).toMatch(/single audience.*key/s);
    await screenshot(alicePage, '22-inspector-bound-card');
  });
});
