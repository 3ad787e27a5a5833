// An outside attacker with a person's browser (a password-only single sign-on session) or their
// TOTP code but not their password, over real HTTP: single sign-on into another app after the
// person enrolled, re-authentication requests (max_age=0, prompt=login) met with a factor alone, a
// step-up that would make an old sign-in look recent, and the pages' second factor without a
// pending sign-in.
import { ACR } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Running } from './helpers.js';
import { browserSessionsOf } from './support/attack-mfa.js';
import { answerOf, Browser, PASSWORD, requestParams, signInThroughPages } from './support/authorize-flow.js';
import { authenticatorFor, enrolPasskey, enrolTotp, totpCode } from './support/mfa-fixtures.js';
import { exchangeRedirect, mfaRequest, openRequest, startMfaAuthorizeServer } from './support/mfa-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer({ mfa: { maxFailures: 50 } }));
});
afterAll(async () => {
  await r?.close();
});

/** A new person (and a fresh per-IP sign-in window). */
async function person(name: string, roles = ['guest']) {
  clock.advance(61_000);
  return addUser(r, name, PASSWORD, roles);
}

describe('single sign-on with a password-only browser session', () => {
  /** A person signed in with the password in a new browser, then given TOTP. */
  async function weakSession(name: string) {
    const u = await person(name);
    const browser = new Browser();
    const answer = await signInThroughPages(r.url, browser, requestParams('desk'), name, PASSWORD);
    expect(answerOf(answer.redirect).code).toBeDefined();
    const [session] = await r.server.services.storage.browserSessions.listByUser(u.id);
    const secret = await enrolTotp(r, u.id);
    clock.advance(1000);
    return { u, browser, secret, session: session! };
  }

  it('into a second app after the person enrolled: no code, not with prompt=none, not through continue or consent', async () => {
    const { browser } = await weakSession('zed');
    for (const clientId of ['spa', 'desk']) {
      const silent = await browser.authorize(r.url, requestParams(clientId, { prompt: 'none' }));
      expect(answerOf(silent.location), clientId).toMatchObject({ error: 'interaction_required' });
      const interaction = await openRequest(r, browser, mfaRequest(clientId).params);
      const details = await browser.call(r.url, 'details', { interaction });
      expect(details.body.step).toBe('mfa');
      const csrf = { 'x-csrf-token': details.body.csrf };
      const cont = await browser.call(r.url, 'continue', { interaction }, csrf);
      expect(cont.body.redirect).toBeUndefined();
      expect(cont.body.details).toMatchObject({ step: 'mfa' });
      const consent = await browser.call(r.url, 'consent', { interaction, allow: true }, csrf);
      expect(consent.status).toBe(401);
      expect(consent.body.error.code).toBe('ERR_MFA_REQUIRED');
    }
  });

  it('a request that wants a new sign-in (max_age=0, prompt=login) is not met by a factor on top of the old one', async () => {
    const { browser, secret, u } = await weakSession('abe');
    for (const extra of [{ max_age: '0' }, { prompt: 'login' }] as Record<string, string>[]) {
      const interaction = await openRequest(r, browser, mfaRequest('desk', extra).params);
      const details = await browser.call(r.url, 'details', { interaction });
      expect(details.body.step).toBe('login');
      const res = await browser.call(
        r.url,
        'mfa',
        { interaction, totp: totpCode(secret, clock()) },
        { 'x-csrf-token': details.body.csrf },
      );
      expect(res.status, JSON.stringify(extra)).toBe(401);
      expect(res.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    }
    // Refused before the code was looked at: it was not used up.
    expect((await r.server.services.storage.totp.get(u.id))?.lastUsedStep).toBeNull();
  });

  it('a step-up keeps the sign-in’s auth_time: an old browser session stepped up yields no recent card', async () => {
    const { browser, secret, session } = await weakSession('bo');
    clock.advance(900_000);
    const { params, verifier } = mfaRequest('desk');
    const interaction = await openRequest(r, browser, params);
    const details = await browser.call(r.url, 'details', { interaction });
    const done = await browser.call(
      r.url,
      'mfa',
      { interaction, totp: totpCode(secret, clock()) },
      { 'x-csrf-token': details.body.csrf },
    );
    expect(done.status).toBe(200);
    const { card } = await exchangeRedirect(r, done.body.redirect, verifier);
    expect(card).toMatchObject({ acr: ACR.mfa, auth_time: Math.floor(session.authTime / 1000) });
    expect(Math.floor(clock() / 1000) - card.auth_time).toBeGreaterThan(600);
  });
});

describe('the pages’ second factor without a pending sign-in', () => {
  it('someone who knows a person’s TOTP code but not the password signs nobody in, and uses no code', async () => {
    const victim = await person('cat');
    const secret = await enrolTotp(r, victim.id);
    const stranger = new Browser();
    const interaction = await openRequest(r, stranger, mfaRequest('desk').params);
    const bare = await stranger.call(r.url, 'mfa', { interaction, totp: totpCode(secret, clock()) });
    expect(bare.status).toBe(401);
    expect(bare.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    // With a session of their own (another person, no TOTP): the victim's code steps up nothing.
    await person('mal');
    const own = await signInThroughPages(r.url, stranger, requestParams('desk'), 'mal', PASSWORD);
    expect(answerOf(own.redirect).code).toBeDefined();
    const next = await openRequest(r, stranger, mfaRequest('desk', { acr_values: ACR.mfa }).params);
    const details = await stranger.call(r.url, 'details', { interaction: next });
    expect(details.body).toMatchObject({ step: 'mfa', mfa: { enrol: true } });
    const crossed = await stranger.call(
      r.url,
      'mfa',
      { interaction: next, totp: totpCode(secret, clock()) },
      { 'x-csrf-token': details.body.csrf },
    );
    expect(crossed.status).toBe(401);
    expect(crossed.body.error.code).toBe('ERR_MFA_INVALID');
    expect((await r.server.services.storage.totp.get(victim.id))?.lastUsedStep).toBeNull();
    expect(await browserSessionsOf(r, victim.id)).toBe(0);
  });

  it('passkey options name a person’s credentials only for their pending sign-in or their session', async () => {
    const u = await person('dot');
    await enrolPasskey(r, u, authenticatorFor(r));
    const browser = new Browser();
    const interaction = await openRequest(r, browser, mfaRequest('desk').params);
    const anonymous = await browser.call(r.url, 'passkey/options', { interaction });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.options.allowCredentials ?? []).toEqual([]);
    const forged = await browser.call(r.url, 'passkey/options', { interaction, mfa_token: 'v1.a.b.c' });
    expect(forged.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    const noSession = await browser.call(r.url, 'passkey/options', { interaction }, { 'x-csrf-token': 'x' });
    expect(noSession.status).toBe(401);
    expect(noSession.body.error.code).toBe('ERR_LOGIN_REQUIRED');
  });
});
