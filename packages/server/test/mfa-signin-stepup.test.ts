// Step-up at the front desk, over real HTTP: a request whose acr_values (or the person's policy)
// the browser session does not meet shows step 'mfa', the factor raises that session in place (same
// sid, same auth_time), prompt=none answers interaction_required, and a request the person cannot
// meet answers unmet_authentication_requirements.
import { ACR } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Running } from './helpers.js';
import { answerOf, Browser, PASSWORD, requestParams, signInThroughPages } from './support/authorize-flow.js';
import { enrolTotp, totpCode } from './support/mfa-fixtures.js';
import { exchangeRedirect, mfaRequest, openRequest, startMfaAuthorizeServer } from './support/mfa-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer());
});
afterAll(async () => {
  await r?.close();
});

/** A person signed in with the password alone in a new browser, then (optionally) given TOTP. */
async function passwordSession(name: string, opts: { totp?: boolean; roles?: string[] } = {}) {
  clock.advance(61_000);
  const user = await addUser(r, name, PASSWORD, opts.roles ?? ['guest']);
  const browser = new Browser();
  const first = await signInThroughPages(r.url, browser, requestParams('desk'), name, PASSWORD);
  if (first.redirect === undefined) throw new Error('expected a password-only sign-in');
  const [session] = await r.server.services.storage.browserSessions.listByUser(user.id);
  if (session === undefined) throw new Error('no browser session');
  const secret = opts.totp === false ? undefined : await enrolTotp(r, user.id);
  clock.advance(1000);
  return { user, browser, session, secret };
}

describe('step-up of a signed-in browser session', () => {
  it('acr_values=mfa: step mfa, then the TOTP code steps the session up in place (same sid and auth_time)', async () => {
    const { user, browser, session, secret } = await passwordSession('fay');
    const cookie = browser.cookie;
    const { params, verifier } = mfaRequest('desk', { acr_values: ACR.mfa });
    const start = await browser.authorize(r.url, params);
    expect(start.location?.startsWith(`${r.url}/#/authorize?i=`)).toBe(true);
    const interaction = new URL(start.location as string).hash.split('i=')[1] as string;
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.body).toMatchObject({
      step: 'mfa',
      user: { id: user.id },
      mfa: { methods: ['totp'], enrol: false, acr: ACR.mfa },
      csrf: expect.any(String),
    });

    const noCsrf = await browser.call(r.url, 'mfa', {
      interaction,
      totp: totpCode(secret as string, clock()),
    });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('ERR_CSRF');
    const stranger = await new Browser().call(
      r.url,
      'mfa',
      { interaction, totp: totpCode(secret as string, clock()) },
      { 'x-csrf-token': details.body.csrf },
    );
    expect(stranger.body.error.code).toBe('ERR_LOGIN_REQUIRED');

    const done = await browser.call(
      r.url,
      'mfa',
      { interaction, totp: totpCode(secret as string, clock()) },
      { 'x-csrf-token': details.body.csrf },
    );
    expect(done.status).toBe(200);
    const { card, idToken } = await exchangeRedirect(r, done.body.redirect, verifier);
    expect(card).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: ACR.mfa });
    expect(idToken).toMatchObject({
      sid: session.id,
      acr: ACR.mfa,
      auth_time: Math.floor(session.authTime / 1000),
    });
    expect(browser.cookie).toBe(cookie);
    const after = await r.server.services.storage.browserSessions.get(session.id);
    expect(after).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], authTime: session.authTime, endedAt: null });

    // Strong enough now: prompt=none gets its code at once.
    const silent = await browser.authorize(
      r.url,
      requestParams('desk', { acr_values: ACR.mfa, prompt: 'none' }),
    );
    expect(answerOf(silent.location).code).toBeDefined();
  });

  it('a factor set up after signing in is asked for by the next request, acr_values or not', async () => {
    const { browser } = await passwordSession('gil');
    const interaction = await openRequest(r, browser, mfaRequest('desk').params);
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.body.step).toBe('mfa');
    // Continue cannot skip it: the answer is the mfa step again.
    const skipped = await browser.call(
      r.url,
      'continue',
      { interaction },
      { 'x-csrf-token': details.body.csrf },
    );
    expect(skipped.body.details).toMatchObject({ step: 'mfa' });
  });

  it('prompt=none with an unmet acr: interaction_required at the client', async () => {
    const { browser } = await passwordSession('hal', { totp: false });
    const res = await browser.authorize(
      r.url,
      requestParams('desk', { acr_values: ACR.mfa, prompt: 'none' }),
    );
    expect(answerOf(res.location)).toMatchObject({ error: 'interaction_required', state: 'st-123' });
    // A password request still passes silently.
    const plain = await browser.authorize(r.url, requestParams('desk', { prompt: 'none' }));
    expect(answerOf(plain.location).code).toBeDefined();
  });

  it('a role that requires MFA, given after the sign-in, asks for enrolment', async () => {
    const { user, browser } = await passwordSession('ida', { totp: false });
    await r.server.services.storage.users.update(user.id, { roles: ['staff'], updatedAt: clock() });
    const interaction = await openRequest(r, browser, mfaRequest('desk').params);
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.body).toMatchObject({ step: 'mfa', mfa: { methods: [], enrol: true, acr: ACR.mfa } });
  });

  it('consent waits for the factor: ERR_MFA_REQUIRED', async () => {
    const { browser } = await passwordSession('jon');
    const interaction = await openRequest(r, browser, mfaRequest('spa').params);
    const details = await browser.call(r.url, 'details', { interaction });
    expect(details.body.step).toBe('mfa');
    const consent = await browser.call(
      r.url,
      'consent',
      { interaction, allow: true },
      { 'x-csrf-token': details.body.csrf },
    );
    expect(consent.status).toBe(401);
    expect(consent.body.error.code).toBe('ERR_MFA_REQUIRED');
  });

  it('max_age still asks for the password first, then the factor (a new pending sign-in)', async () => {
    const { browser } = await passwordSession('kim');
    clock.advance(120_000);
    const interaction = await openRequest(r, browser, mfaRequest('desk', { max_age: '60' }).params);
    expect((await browser.call(r.url, 'details', { interaction })).body.step).toBe('login');
    const login = await browser.call(r.url, 'login', { interaction, username: 'kim', password: PASSWORD });
    expect(login.body.mfa).toMatchObject({ methods: ['totp'], enrol: false });
  });
});

describe('a request the person cannot meet', () => {
  it('acr_values=phr for someone with TOTP but no passkey: unmet_authentication_requirements, no session', async () => {
    const { browser } = await passwordSession('lou');
    const signedIn = await browser.authorize(
      r.url,
      requestParams('desk', { acr_values: ACR.phishingResistant }),
    );
    expect(answerOf(signedIn.location)).toMatchObject({ error: 'unmet_authentication_requirements' });

    clock.advance(61_000);
    const fresh = new Browser();
    const interaction = await openRequest(
      r,
      fresh,
      mfaRequest('desk', { acr_values: ACR.phishingResistant }).params,
    );
    const login = await fresh.call(r.url, 'login', { interaction, username: 'lou', password: PASSWORD });
    expect(answerOf(login.body.redirect)).toMatchObject({ error: 'unmet_authentication_requirements' });
    expect(fresh.cookie).toBeUndefined();
  });
});
