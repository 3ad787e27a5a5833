// The links the server seals for its own pages (`#/authorize?i=…`, `#/logout?l=…`): the largest
// request each endpoint takes makes a link the pages' API takes back, and the way to the app works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INTERACTION_LENGTH, sealInteraction } from '../src/authorize/interaction.js';
import { MAX_LOGOUT_LINK_LENGTH } from '../src/authorize/logout-request.js';
import { parseAuthorizationRequest } from '../src/authorize/request.js';
import { addUser, postJson, type Running } from './helpers.js';
import { addCodeClient, Browser, PASSWORD, pkce, startAuthorizeServer } from './support/authorize-flow.js';
import { addBrowserSession } from './support/sign-out-fixtures.js';

/** A canonical private-use-scheme URI of the longest registrable length (2000), each `\` two bytes in JSON. */
const LONGEST_URI = `com.example.app:/${'\\'.repeat(2000 - 'com.example.app:/'.length)}`;
/** The longest client id (100 characters). */
const LONGEST_CLIENT_ID = 'c'.repeat(100);
/** A control character: six bytes in JSON. */
const WIDE = '\u0000';

let r: Running;

beforeAll(async () => {
  ({ running: r } = await startAuthorizeServer());
  const { storage } = r.server.services;
  // Ten doors with the longest ids, each character two bytes in JSON.
  const doors = Array.from({ length: 10 }, (_, i) => `${i}${'"'.repeat(199)}`);
  for (const id of doors)
    await storage.audiences.upsert({ id, name: `door ${id[0]}`, scopes: [], uri: null, createdAt: 0 });
  // A hundred scopes filling the 2048-character scope parameter.
  const scopes = [
    'openid',
    ...Array.from({ length: 99 }, (_, i) => `s${String(i).padStart(2, '0')}${'x'.repeat(16)}`),
  ];
  expect(scopes.join(' ').length).toBeLessThanOrEqual(2048);
  await addCodeClient(r, {
    id: LONGEST_CLIENT_ID,
    redirectUris: [LONGEST_URI],
    postLogoutRedirectUris: [LONGEST_URI],
    audiences: doors,
    scopes,
  });
  await addUser(r, 'alice', PASSWORD);
});
afterAll(async () => {
  await r?.close();
});

describe('sealed links of the largest requests', () => {
  it('sign-in: every parameter at its limit still makes a link the pages can use', async () => {
    const client = r.server.services;
    const stored = await client.storage.clients.get(LONGEST_CLIENT_ID);
    const state = WIDE.repeat(1024);
    const form = new URLSearchParams({
      response_type: 'code',
      client_id: LONGEST_CLIENT_ID,
      redirect_uri: LONGEST_URI,
      scope: stored!.scopes.join(' '),
      state,
      nonce: WIDE.repeat(512),
      login_hint: WIDE.repeat(256),
      prompt: 'login consent',
      max_age: String(10 * 365 * 24 * 3600),
      dpop_jkt: 'A'.repeat(43),
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    for (const id of stored!.audiences) form.append('resource', id);
    // Such a request is longer than a GET may be (a posted one is answered 303 to its GET, so a form
    // over 8 KiB is refused): the link is sealed from it directly, as /oauth/authorize would.
    const parsed = await parseAuthorizationRequest(form, (id) => client.storage.clients.get(id));
    if (parsed.kind !== 'ok') throw new Error(`not a valid request: ${JSON.stringify(parsed)}`);
    const interaction = sealInteraction(client, parsed.request, stored!.audiences);
    expect(interaction.length).toBeLessThanOrEqual(MAX_INTERACTION_LENGTH);

    const browser = new Browser();
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.status).toBe(200);
    expect(details.body.audiences).toHaveLength(10);
    expect(details.body.loginHint).toBe(WIDE.repeat(256));
    // The longest username and password next to it still fit in the body.
    const longest = await browser.call(r.url, 'login', {
      interaction,
      username: WIDE.repeat(1024),
      password: WIDE.repeat(4096),
    });
    expect(longest.body.error.code).toBe('ERR_INVALID_CREDENTIALS');
    const login = await browser.call(r.url, 'login', { interaction, username: 'alice', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.details.step).toBe('consent');
    const consent = await browser.call(
      r.url,
      'consent',
      { interaction, allow: true },
      { 'x-csrf-token': login.body.details.csrf },
    );
    expect(consent.status).toBe(200);
    const answer = new URL(consent.body.redirect);
    expect(`${answer.protocol}${answer.pathname}`).toBe(LONGEST_URI);
    expect(answer.searchParams.get('state')).toBe(state);
    expect(answer.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('sign-out: every parameter at its limit still makes a link the confirmation page can use', async () => {
    const alice = await r.server.services.storage.users.getByUsername('alice');
    const browser = await addBrowserSession(r, alice!.id);
    const state = WIDE.repeat(1024);
    const res = await fetch(
      `${r.url}/oauth/logout?${new URLSearchParams({ client_id: LONGEST_CLIENT_ID, post_logout_redirect_uri: LONGEST_URI, state })}`,
      { redirect: 'manual', headers: { cookie: browser.cookie } },
    );
    expect(res.status).toBe(303);
    const l = /^\/#\/logout\?l=([A-Za-z0-9_.-]+)$/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
    expect(l.length).toBeGreaterThan(4096);
    expect(l.length).toBeLessThanOrEqual(MAX_LOGOUT_LINK_LENGTH);
    const details = await postJson(
      `${r.url}/api/authorize/logout/details`,
      { logout: l },
      { cookie: browser.cookie },
    );
    expect(details.status).toBe(200);
    const done = await postJson(
      `${r.url}/api/authorize/logout`,
      { logout: l, confirm: true },
      { cookie: browser.cookie, 'x-csrf-token': details.body.csrf },
    );
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ redirect: `${LONGEST_URI}?${new URLSearchParams({ state })}` });
  });

  it('the caps are exactly what the largest requests need, within the default body limit', () => {
    expect(MAX_LOGOUT_LINK_LENGTH).toBeLessThan(MAX_INTERACTION_LENGTH);
    // The sign-in call: the link, the longest username and password (six bytes each in JSON).
    expect(MAX_INTERACTION_LENGTH + 6 * (1024 + 4096) + 100).toBeLessThanOrEqual(65_536);
  });
});
