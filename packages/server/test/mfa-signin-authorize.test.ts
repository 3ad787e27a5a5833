// The sign-in pages with a second factor, over real HTTP: the password answers an mfa_token and
// signs no one in; /api/authorize/mfa completes it; role policy and enrolment; what a pending token
// can and cannot do; the failure throttle; and no hint for someone without the password.
import { ACR } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealPending } from '../src/mfa/index.js';
import { pendingPurpose } from '../src/mfa/pending-purpose.js';
import { addUser, type Running } from './helpers.js';
import { answerOf, Browser, PASSWORD } from './support/authorize-flow.js';
import { enrolTotp, giveRecoveryCodes, totpCode } from './support/mfa-fixtures.js';
import { exchangeRedirect, mfaRequest, openRequest, startMfaAuthorizeServer } from './support/mfa-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer({ mfa: { maxFailures: 3 } }));
});
afterAll(async () => {
  await r?.close();
});

/** A new person with TOTP set up (and a fresh per-IP login window). */
async function withTotp(name: string, roles = ['guest']) {
  clock.advance(61_000);
  const user = await addUser(r, name, PASSWORD, roles);
  return { user, secret: await enrolTotp(r, user.id) };
}

/** The password step of a fresh request: the browser, the interaction and the login answer. */
async function passwordStep(username: string, extra: Record<string, string> = {}) {
  const browser = new Browser();
  const { params, verifier } = mfaRequest('desk', extra);
  const interaction = await openRequest(r, browser, params);
  const login = await browser.call(r.url, 'login', { interaction, username, password: PASSWORD });
  return { browser, interaction, verifier, login };
}

const liveBrowserSessions = async (userId: string) =>
  (await r.server.services.storage.browserSessions.listByUser(userId)).length;

describe('password, then the second factor', () => {
  it('the password answers an mfa_token and starts no session; TOTP completes it into a card of acr mfa', async () => {
    const { user, secret } = await withTotp('ted');
    await giveRecoveryCodes(r, user.id);
    const { browser, interaction, verifier, login } = await passwordStep('ted');
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.body).toEqual({
      mfa: {
        token: expect.any(String),
        methods: ['totp', 'recovery_code'],
        enrol: false,
        acr: ACR.mfa,
        expiresAt: Math.floor(clock() / 1000) + 300,
      },
    });
    expect(browser.cookie).toBeUndefined();
    expect(await liveBrowserSessions(user.id)).toBe(0);

    const done = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: login.body.mfa.token,
      totp: totpCode(secret, clock()),
    });
    expect(done.status).toBe(200);
    expect(browser.cookie).toBeDefined();
    const { card, idToken } = await exchangeRedirect(r, done.body.redirect, verifier);
    expect(card).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: ACR.mfa, sub: user.id });
    expect(idToken).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: ACR.mfa });
    const [session] = await r.server.services.storage.browserSessions.listByUser(user.id);
    expect(session).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], authTime: clock() });
    expect(idToken?.sid).toBe(session?.id);
  });

  it('a recovery code completes it too, once', async () => {
    const { user } = await withTotp('una');
    const [code] = await giveRecoveryCodes(r, user.id);
    const first = await passwordStep('una');
    const done = await first.browser.call(r.url, 'mfa', {
      interaction: first.interaction,
      mfa_token: first.login.body.mfa.token,
      recovery_code: code,
    });
    expect(answerOf(done.body.redirect).code).toBeDefined();
    const second = await passwordStep('una');
    const again = await second.browser.call(r.url, 'mfa', {
      interaction: second.interaction,
      mfa_token: second.login.body.mfa.token,
      recovery_code: code,
    });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('ERR_MFA_INVALID');
  });
});

describe('a pending sign-in', () => {
  it('never creates a session by itself: no factor, a wrong one, another person’s code', async () => {
    const { user } = await withTotp('vic');
    const other = await withTotp('wes');
    const { browser, interaction, login } = await passwordStep('vic');
    const token = login.body.mfa.token;
    const none = await browser.call(r.url, 'mfa', { interaction, mfa_token: token });
    expect(none.body.error.code).toBe('ERR_MFA_REQUIRED');
    const wrong = await browser.call(r.url, 'mfa', { interaction, mfa_token: token, totp: '000000' });
    expect(wrong.body.error.code).toBe('ERR_MFA_INVALID');
    const foreign = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: token,
      totp: totpCode(other.secret, clock()),
    });
    expect(foreign.body.error.code).toBe('ERR_MFA_INVALID');
    expect(browser.cookie).toBeUndefined();
    expect(await liveBrowserSessions(user.id)).toBe(0);
  });

  it('opens for its own request only, and not once expired or forged: ERR_LOGIN_REQUIRED', async () => {
    const { secret } = await withTotp('xia');
    const first = await passwordStep('xia');
    const token = first.login.body.mfa.token as string;
    const elsewhere = await openRequest(r, new Browser(), mfaRequest('desk').params);
    const wrongRequest = await first.browser.call(r.url, 'mfa', {
      interaction: elsewhere,
      mfa_token: token,
      totp: totpCode(secret, clock()),
    });
    expect(wrongRequest.status).toBe(401);
    expect(wrongRequest.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    const forged = await first.browser.call(r.url, 'mfa', {
      interaction: first.interaction,
      mfa_token: `${token.slice(0, -4)}AAAA`,
      totp: totpCode(secret, clock()),
    });
    expect(forged.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    clock.advance(301_000);
    const expired = await first.browser.call(r.url, 'mfa', {
      interaction: first.interaction,
      mfa_token: token,
      totp: totpCode(secret, clock()),
    });
    expect(expired.body.error.code).toBe('ERR_LOGIN_REQUIRED');
  });

  it('a token sealed for another purpose (not this request) is refused', async () => {
    const { user, secret } = await withTotp('yan');
    const { browser, interaction } = await passwordStep('yan');
    const ctx = r.server.services;
    const token = sealPending(ctx, {
      userId: user.id,
      passwordHash: user.passwordHash,
      amr: ['pwd'],
      passwordAt: clock(),
      purpose: 'api-login',
      enrol: false,
    });
    const res = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: token,
      totp: totpCode(secret, clock()),
    });
    expect(res.body.error.code).toBe('ERR_LOGIN_REQUIRED');
  });
});

describe('who must give a second factor at the pages', () => {
  it('a role with requireMfa and no factor yet: enrol; the enrolment’s proven token completes it', async () => {
    clock.advance(61_000);
    const staff = await addUser(r, 'zack', PASSWORD, ['staff']);
    const { browser, interaction, verifier, login } = await passwordStep('zack');
    expect(login.body.mfa).toMatchObject({ methods: [], enrol: true, acr: ACR.mfa });
    expect(browser.cookie).toBeUndefined();
    // What /api/mfa/totp/confirm answers after an enrolment during this sign-in.
    const proven = sealPending(r.server.services, {
      userId: staff.id,
      passwordHash: staff.passwordHash,
      amr: ['pwd'],
      passwordAt: clock(),
      purpose: pendingPurpose(interaction),
      proven: ['totp'],
      enrol: false,
    });
    const done = await browser.call(r.url, 'mfa', { interaction, mfa_token: proven });
    const { card } = await exchangeRedirect(r, done.body.redirect, verifier);
    expect(card).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: ACR.mfa });
    // One sign-in per token: a copy of it (it needs no further factor) starts nothing more.
    const copy = new Browser();
    const again = await copy.call(r.url, 'mfa', { interaction, mfa_token: proven });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    expect(copy.cookie).toBeUndefined();
    expect(await liveBrowserSessions(staff.id)).toBe(1);
  });

  it('acr_values=mfa for someone without a factor: enrol as well', async () => {
    clock.advance(61_000);
    await addUser(r, 'abe', PASSWORD);
    const { login } = await passwordStep('abe', { acr_values: ACR.mfa });
    expect(login.body.mfa).toMatchObject({ methods: [], enrol: true, acr: ACR.mfa });
  });

  it('nobody else: a password-only person signs in with the password as before', async () => {
    clock.advance(61_000);
    await addUser(r, 'bea', PASSWORD);
    const { browser, verifier, login } = await passwordStep('bea');
    expect(browser.cookie).toBeDefined();
    const { card } = await exchangeRedirect(r, login.body.redirect, verifier);
    expect(card).toMatchObject({ amr: ['pwd'], acr: ACR.password });
  });
});

describe('abuse', () => {
  it('after mfa.maxFailures wrong codes the account answers 429 with Retry-After', async () => {
    const { secret } = await withTotp('cy');
    const { browser, interaction, login } = await passwordStep('cy');
    const token = login.body.mfa.token;
    for (let i = 0; i < 3; i++) {
      const res = await browser.call(r.url, 'mfa', {
        interaction,
        mfa_token: token,
        totp: totpCode(secret, clock(), 9),
      });
      expect(res.body.error.code).toBe('ERR_MFA_INVALID');
    }
    const blocked = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: token,
      totp: totpCode(secret, clock()),
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('ERR_RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    await r.server.services.audit.flush();
    const failed = await r.server.services.storage.audit.list({ type: 'mfa.failed', limit: 100 });
    expect(JSON.stringify(failed)).not.toContain(totpCode(secret, clock(), 9));
  });

  it('without the password nothing hints at a factor: unknown user and wrong password answer alike', async () => {
    await withTotp('dee');
    const browser = new Browser();
    const interaction = await openRequest(r, browser, mfaRequest().params);
    const wrong = await browser.call(r.url, 'login', {
      interaction,
      username: 'dee',
      password: 'nope nope nope',
    });
    const unknown = await browser.call(r.url, 'login', {
      interaction,
      username: 'no-such',
      password: 'nope nope nope',
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'ERR_INVALID_CREDENTIALS', message: expect.any(String) } });
    }
  });
});
