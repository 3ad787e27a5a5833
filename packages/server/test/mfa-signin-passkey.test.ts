// Passkeys at the sign-in pages, over real HTTP with a software authenticator making real ES256
// assertions: a passkey alone (discoverable, user verification required: amr hwk+mfa, acr phr), a
// passkey as the second factor after the password, and every way one must be refused.
import { ACR } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Running } from './helpers.js';
import { Browser, PASSWORD } from './support/authorize-flow.js';
import { authenticatorFor, enrolPasskey, enrolTotp } from './support/mfa-fixtures.js';
import { exchangeRedirect, mfaRequest, openRequest, startMfaAuthorizeServer } from './support/mfa-flow.js';
import type { SoftwareAuthenticator } from './support/webauthn-authenticator.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer());
});
afterAll(async () => {
  await r?.close();
});

/** A new person with a passkey on a new authenticator. */
async function withPasskey(name: string, opts: { counterStep?: number } = {}) {
  clock.advance(61_000);
  const user = await addUser(r, name, PASSWORD);
  const authenticator = authenticatorFor(r, opts);
  const passkey = await enrolPasskey(r, user, authenticator);
  return { user, authenticator, passkey };
}

/** Options for a passkey sign-in at a fresh request. */
async function passkeyOptions(extra: Record<string, string> = {}) {
  const browser = new Browser();
  const { params, verifier } = mfaRequest('desk', extra);
  const interaction = await openRequest(r, browser, params);
  const res = await browser.call(r.url, 'passkey/options', { interaction });
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return { browser, interaction, verifier, options: res.body.options, challenge: res.body.challenge };
}

async function signInWith(
  authenticator: SoftwareAuthenticator,
  o: Parameters<SoftwareAuthenticator['get']>[1] = {},
) {
  const started = await passkeyOptions();
  const response = authenticator.get(started.options, o);
  const res = await started.browser.call(r.url, 'passkey', {
    interaction: started.interaction,
    challenge: started.challenge,
    response,
  });
  return { ...started, response, res };
}

describe('a passkey alone', () => {
  it('offers no allow list and requires user verification; signs in with amr hwk+mfa, acr phr', async () => {
    const { user, authenticator, passkey } = await withPasskey('mia');
    const { options, res, browser, verifier } = await signInWith(authenticator);
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe('required');
    expect(options.rpId).toBe(new URL(r.url).hostname);
    expect(res.status).toBe(200);
    expect(browser.cookie).toBeDefined();
    const { card, idToken } = await exchangeRedirect(r, res.body.redirect, verifier);
    expect(card).toMatchObject({ sub: user.id, amr: ['hwk', 'mfa'], acr: ACR.phishingResistant });
    expect(idToken).toMatchObject({ amr: ['hwk', 'mfa'], acr: ACR.phishingResistant });
    const stored = await r.server.services.storage.passkeys.get(passkey.id);
    expect(stored).toMatchObject({ counter: 1, lastUsedAt: clock() });
  });

  it('meets acr_values=phr', async () => {
    const { authenticator } = await withPasskey('ned');
    const started = await passkeyOptions({ acr_values: ACR.phishingResistant });
    const res = await started.browser.call(r.url, 'passkey', {
      interaction: started.interaction,
      challenge: started.challenge,
      response: authenticator.get(started.options),
    });
    const { card } = await exchangeRedirect(r, res.body.redirect, started.verifier);
    expect(card.acr).toBe(ACR.phishingResistant);
  });

  it('refuses the same challenge twice, and an answer without user verification', async () => {
    const { authenticator } = await withPasskey('ora');
    const first = await signInWith(authenticator);
    expect(first.res.status).toBe(200);
    const replay = await first.browser.call(r.url, 'passkey', {
      interaction: first.interaction,
      challenge: first.challenge,
      response: authenticator.get(first.options),
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('ERR_PASSKEY_INVALID');
    const noUv = await signInWith(authenticator, { uv: false });
    expect(noUv.res.body.error.code).toBe('ERR_PASSKEY_INVALID');
  });

  it('a counter that does not move is a suspected clone: refused and audited', async () => {
    const { authenticator, passkey } = await withPasskey('pia');
    expect((await signInWith(authenticator)).res.status).toBe(200);
    expect((await signInWith(authenticator)).res.status).toBe(200);
    const clone = await signInWith(authenticator, { counter: 1 });
    expect(clone.res.body.error.code).toBe('ERR_PASSKEY_INVALID');
    expect(clone.browser.cookie).toBeUndefined();
    await r.server.services.audit.flush();
    const [event] = await r.server.services.storage.audit.list({ type: 'passkey.clone_suspected', limit: 1 });
    expect(event).toMatchObject({ subject: passkey.id, detail: { storedCounter: 2, presentedCounter: 1 } });
  });

  it('a disabled account, an unknown credential: the same refusal', async () => {
    const { user, authenticator } = await withPasskey('quin');
    await r.server.services.storage.users.update(user.id, { disabled: true, updatedAt: clock() });
    const disabled = await signInWith(authenticator);
    const stranger = authenticatorFor(r);
    stranger.create({
      rp: { id: new URL(r.url).hostname, name: 'x' },
      user: { id: 'eA', name: 'x', displayName: 'x' },
      challenge: 'AAAA',
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    const unknown = await signInWith(stranger);
    for (const { res } of [disabled, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'ERR_PASSKEY_INVALID', message: expect.any(String) } });
    }
  });
});

describe('a passkey as the second factor', () => {
  it('after the password: options for the person’s passkeys from the mfa_token, amr pwd+hwk+mfa', async () => {
    const { user, authenticator, passkey } = await withPasskey('rex');
    const browser = new Browser();
    const { params, verifier } = mfaRequest('desk');
    const interaction = await openRequest(r, browser, params);
    const login = await browser.call(r.url, 'login', { interaction, username: 'rex', password: PASSWORD });
    expect(login.body.mfa).toMatchObject({ methods: ['passkey'], enrol: false, acr: ACR.mfa });
    const token = login.body.mfa.token;
    const opts = await browser.call(r.url, 'passkey/options', { interaction, mfa_token: token });
    expect(opts.body.options.allowCredentials).toEqual([
      expect.objectContaining({ id: passkey.credentialId, type: 'public-key' }),
    ]);
    const done = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: token,
      passkey: { challenge: opts.body.challenge, response: authenticator.get(opts.body.options) },
    });
    expect(done.status).toBe(200);
    const { card } = await exchangeRedirect(r, done.body.redirect, verifier);
    expect(card).toMatchObject({ sub: user.id, amr: ['pwd', 'hwk', 'mfa'], acr: ACR.phishingResistant });
  });

  it('steps up a password session: options for the signed-in person (X-CSRF-Token), same sid', async () => {
    clock.advance(61_000);
    const user = await addUser(r, 'uma', PASSWORD);
    const browser = new Browser();
    const first = await browser.call(r.url, 'login', {
      interaction: await openRequest(r, browser, mfaRequest('desk').params),
      username: 'uma',
      password: PASSWORD,
    });
    expect(first.body.redirect).toBeDefined();
    const [session] = await r.server.services.storage.browserSessions.listByUser(user.id);
    const authenticator = authenticatorFor(r);
    const passkey = await enrolPasskey(r, user, authenticator);
    const { params, verifier } = mfaRequest('desk', { acr_values: ACR.phishingResistant });
    const interaction = await openRequest(r, browser, params);
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.body).toMatchObject({
      step: 'mfa',
      mfa: { methods: ['passkey'], acr: ACR.phishingResistant },
    });
    const csrf = { 'x-csrf-token': details.body.csrf };
    const opts = await browser.call(r.url, 'passkey/options', { interaction }, csrf);
    expect(opts.body.options.allowCredentials).toEqual([
      expect.objectContaining({ id: passkey.credentialId }),
    ]);
    const wrongCsrf = await browser.call(
      r.url,
      'passkey/options',
      { interaction },
      { 'x-csrf-token': 'nope' },
    );
    expect(wrongCsrf.body.error.code).toBe('ERR_CSRF');
    const done = await browser.call(
      r.url,
      'mfa',
      {
        interaction,
        passkey: { challenge: opts.body.challenge, response: authenticator.get(opts.body.options) },
      },
      csrf,
    );
    const { card, idToken } = await exchangeRedirect(r, done.body.redirect, verifier);
    expect(card).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], acr: ACR.phishingResistant });
    expect(idToken?.sid).toBe(session?.id);
  });

  it('someone else’s passkey is refused, and phr takes only a passkey', async () => {
    const { authenticator: theirs } = await withPasskey('sal');
    clock.advance(61_000);
    const me = await addUser(r, 'tom', PASSWORD);
    const mine = authenticatorFor(r);
    await enrolPasskey(r, me, mine);
    await enrolTotp(r, me.id);
    const browser = new Browser();
    const interaction = await openRequest(
      r,
      browser,
      mfaRequest('desk', { acr_values: ACR.phishingResistant }).params,
    );
    const login = await browser.call(r.url, 'login', { interaction, username: 'tom', password: PASSWORD });
    expect(login.body.mfa).toMatchObject({ methods: ['passkey'], acr: ACR.phishingResistant });
    const token = login.body.mfa.token;
    const totp = await browser.call(r.url, 'mfa', { interaction, mfa_token: token, totp: '123456' });
    expect(totp.body.error.code).toBe('ERR_MFA_INVALID');
    const opts = await browser.call(r.url, 'passkey/options', { interaction });
    const foreign = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: token,
      passkey: { challenge: opts.body.challenge, response: theirs.get(opts.body.options) },
    });
    expect(foreign.status).toBe(401);
    expect(foreign.body.error.code).toBe('ERR_PASSKEY_INVALID');
    expect(browser.cookie).toBeUndefined();
  });
});
