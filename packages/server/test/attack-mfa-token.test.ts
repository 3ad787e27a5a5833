// An outside attacker against the pending sign-in (`mfa_token`) of the sign-in pages, over real
// HTTP on a frozen clock: replaying a token after it completed (also re-encoded, also 20 at once),
// using it for another request or person, after it expired, to add a factor to an account that has
// one with only its password, and after the owner changed the password.
import { ACR } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, postJson, type Running } from './helpers.js';
import { browserSessionsOf, enrolTotpDuringSignIn, passwordStep } from './support/attack-mfa.js';
import { answerOf, Browser, PASSWORD } from './support/authorize-flow.js';
import { call, login, stepOf, totpAt } from './support/mfa-account.js';
import { enrolTotp } from './support/mfa-fixtures.js';
import { exchangeRedirect, startMfaAuthorizeServer } from './support/mfa-flow.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer({ mfa: { maxFailures: 50 } }));
});
afterAll(async () => {
  await r?.close();
});

/** A new person (a fresh per-IP sign-in window first), with TOTP unless `totp` is false. */
async function person(name: string, opts: { totp?: boolean; roles?: string[] } = {}) {
  clock.advance(61_000);
  const user = await addUser(r, name, PASSWORD, opts.roles ?? ['guest']);
  const secret = opts.totp === false ? undefined : await enrolTotp(r, user.id);
  return { user, secret: secret as string };
}

/** The proven token of an enrolment during the sign-in of a `staff` member (role requires MFA). */
async function provenSignIn(name: string) {
  const { user } = await person(name, { totp: false, roles: ['staff'] });
  const step = await passwordStep(r, name);
  expect(step.login.body.mfa).toMatchObject({ enrol: true, methods: [] });
  const enrolled = await enrolTotpDuringSignIn(r, clock, step.login.body.mfa.token, step.interaction);
  return { user, ...step, ...enrolled };
}

describe('an mfa_token completes one sign-in', () => {
  it('after it completed, the same token with a fresh right code starts nothing', async () => {
    const { user, secret } = await person('ann');
    const { browser, interaction, login: pw } = await passwordStep(r, 'ann');
    const token = pw.body.mfa.token as string;
    const done = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: token,
      totp: totpAt(secret, stepOf(clock()) - 1),
    });
    expect(answerOf(done.body.redirect).code).toBeDefined();
    const thief = new Browser();
    const again = await thief.call(r.url, 'mfa', {
      interaction,
      mfa_token: token,
      totp: totpAt(secret, stepOf(clock())),
    });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    expect(thief.cookie).toBeUndefined();
    expect(await browserSessionsOf(r, user.id)).toBe(1);
  });

  it('the proven token of a real enrolment: 20 copies sent at once start exactly one session', async () => {
    const { user, interaction, proven } = await provenSignIn('bob');
    const browsers = Array.from({ length: 20 }, () => new Browser());
    const answers = await Promise.all(
      browsers.map((b) => b.call(r.url, 'mfa', { interaction, mfa_token: proven })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200))
      expect(a.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    expect(browsers.filter((b) => b.cookie !== undefined)).toHaveLength(1);
    expect(await browserSessionsOf(r, user.id)).toBe(1);
  });

  // The one-use claim of an mfa_token is keyed on its text; the sealer (crypto/seal.ts) opens only
  // the one canonical spelling (four parts, canonical base64url), so `token.x`, `token=` or a twin
  // last character is no new token.
  it('a re-encoded copy of a used token is the same token: it starts nothing', async () => {
    const { user, interaction, proven } = await provenSignIn('cid');
    const first = await new Browser().call(r.url, 'mfa', { interaction, mfa_token: proven });
    expect(first.status).toBe(200);
    const last = proven.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The tag is 16 bytes: 22 characters whose last one carries 2 bits; this one differs in the rest.
    const twin = alphabet[alphabet.indexOf(last) ^ 1] as string;
    const copies = [`${proven}.x`, `${proven}=`, `${proven.slice(0, -1)}${twin}`];
    for (const copy of copies) {
      const b = new Browser();
      const res = await b.call(r.url, 'mfa', { interaction, mfa_token: copy });
      expect(res.status, `copy ${copies.indexOf(copy)}`).toBe(401);
      expect(res.body.error.code).toBe('ERR_LOGIN_REQUIRED');
      expect(b.cookie).toBeUndefined();
    }
    expect(await browserSessionsOf(r, user.id)).toBe(1);
  });
});

describe('an mfa_token is for its own request, person and five minutes', () => {
  it('at another request (even the same person’s) it is ERR_LOGIN_REQUIRED; with another person’s code ERR_MFA_INVALID', async () => {
    const { user, secret } = await person('dan');
    const other = await person('eve');
    const mine = await passwordStep(r, 'dan');
    const second = await passwordStep(r, 'dan');
    const token = mine.login.body.mfa.token as string;
    const elsewhere = await second.browser.call(r.url, 'mfa', {
      interaction: second.interaction,
      mfa_token: token,
      totp: totpAt(secret, stepOf(clock())),
    });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    // Eve's token at Eve's request is Eve's sign-in: Dan's code never completes it.
    const eve = await passwordStep(r, 'eve');
    const crossed = await eve.browser.call(r.url, 'mfa', {
      interaction: eve.interaction,
      mfa_token: eve.login.body.mfa.token,
      totp: totpAt(secret, stepOf(clock())),
    });
    expect(crossed.status).toBe(401);
    expect(crossed.body.error.code).toBe('ERR_MFA_INVALID');
    // A token of /api/login's purpose does not open at the pages, nor the pages' at enrolment without it.
    const noInteraction = await postJson(`${r.url}/api/mfa/totp/start`, { mfa_token: token });
    expect(noInteraction.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    expect(await browserSessionsOf(r, user.id)).toBe(0);
    expect(await browserSessionsOf(r, other.user.id)).toBe(0);
  });

  it('expires after five minutes: a right code then starts nothing, and the code stays unused', async () => {
    const { user, secret } = await person('fio');
    const { browser, interaction, login: pw } = await passwordStep(r, 'fio');
    clock.advance(300_001);
    const late = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: pw.body.mfa.token,
      totp: totpAt(secret, stepOf(clock())),
    });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    expect(browser.cookie).toBeUndefined();
    expect(await browserSessionsOf(r, user.id)).toBe(0);
    // The refusal came before the code was checked: its step was not burnt.
    expect((await r.server.services.storage.totp.get(user.id))?.lastUsedStep).toBeNull();
  });

  it('an edited token (one byte of its ciphertext flipped) is ERR_LOGIN_REQUIRED', async () => {
    const { secret } = await person('gus');
    const { browser, interaction, login: pw } = await passwordStep(r, 'gus');
    const parts = (pw.body.mfa.token as string).split('.');
    const body = Buffer.from(parts[2] as string, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    parts[2] = body.toString('base64url');
    const res = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: parts.join('.'),
      totp: totpAt(secret, stepOf(clock())),
    });
    expect(res.body.error.code).toBe('ERR_LOGIN_REQUIRED');
  });
});

describe('a password alone never adds a factor to an account that has one', () => {
  it('the pending token of a TOTP user does not open the enrolment endpoints', async () => {
    const { user } = await person('hal');
    const { interaction, login: pw } = await passwordStep(r, 'hal');
    expect(pw.body.mfa).toMatchObject({ enrol: false, methods: ['totp'] });
    const auth = { mfa_token: pw.body.mfa.token, interaction };
    for (const path of ['/api/mfa/totp/start', '/api/mfa/passkeys/options']) {
      const res = await postJson(`${r.url}${path}`, auth);
      expect(res.status, path).toBe(409);
      expect(res.body.error.code).toBe('ERR_MFA_ALREADY_ENROLLED');
    }
    const confirm = await postJson(`${r.url}/api/mfa/totp/confirm`, { ...auth, code: '123456' });
    expect(confirm.body.error.code).toBe('ERR_MFA_ALREADY_ENROLLED');
    expect(await r.server.services.storage.passkeys.listByUser(user.id)).toEqual([]);
  });

  it('an enrolment token whose person set up a factor meanwhile (another tab) sets up nothing more', async () => {
    const { user } = await person('ida', { totp: false, roles: ['staff'] });
    const tabA = await passwordStep(r, 'ida');
    const tabB = await passwordStep(r, 'ida');
    await enrolTotpDuringSignIn(r, clock, tabA.login.body.mfa.token, tabA.interaction);
    const planted = await postJson(`${r.url}/api/mfa/totp/start`, {
      mfa_token: tabB.login.body.mfa.token,
      interaction: tabB.interaction,
    });
    expect(planted.status).toBe(409);
    expect(planted.body.error.code).toBe('ERR_MFA_ALREADY_ENROLLED');
    // The enrolment's token, reused, cannot complete tab B's request either.
    expect((await r.server.services.storage.totp.get(user.id))?.confirmedAt).not.toBeNull();
    const noFactor = await tabB.browser.call(r.url, 'mfa', {
      interaction: tabB.interaction,
      mfa_token: tabB.login.body.mfa.token,
    });
    expect(noFactor.body.error.code).toBe('ERR_MFA_REQUIRED');
  });

  it('the proven token of an enrolment completes the sign-in with amr otp: the card says so', async () => {
    const { user, interaction, verifier, proven, browser } = await provenSignIn('jay');
    const done = await browser.call(r.url, 'mfa', { interaction, mfa_token: proven });
    const { card, idToken } = await exchangeRedirect(r, done.body.redirect, verifier);
    expect(card).toMatchObject({ sub: user.id, amr: ['pwd', 'otp', 'mfa'], acr: ACR.mfa });
    expect(idToken).toMatchObject({ acr: ACR.mfa });
  });
});

describe('a pending sign-in and the owner changing the password', () => {
  // A pending sign-in (`mfa_token`) seals a fingerprint of the password hash it proved: once the
  // owner changes or resets the password, it neither enrols a factor nor completes (ERR_LOGIN_REQUIRED).
  it('a token taken before the change neither enrols a factor nor signs in after it', async () => {
    const { user } = await person('kai', { totp: false });
    const attacker = await passwordStep(r, 'kai', { extra: { acr_values: ACR.mfa } });
    expect(attacker.login.body.mfa).toMatchObject({ enrol: true });
    // The owner notices and changes the password (a fresh password sign-in: no factor yet).
    const owner = await login(r, 'kai');
    const changed = await call(r, 'POST', '/api/password', {
      card: owner.card,
      json: { currentPassword: PASSWORD, newPassword: 'a brand new password 42' },
    });
    expect(changed.status).toBe(204);
    const planted = await postJson(`${r.url}/api/mfa/totp/start`, {
      mfa_token: attacker.login.body.mfa.token,
      interaction: attacker.interaction,
    });
    expect(planted.status).toBe(401);
    expect(planted.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    expect(await r.server.services.storage.totp.get(user.id)).toBeUndefined();
    expect(await browserSessionsOf(r, user.id)).toBe(0);
  });
});

describe('what the card of an interaction without acr_values says', () => {
  it('a password-only person gets acr password: a door that needs mfa sees it; the sealed request cannot be edited', async () => {
    const { user } = await person('lea', { totp: false });
    const { browser, interaction, verifier, login: pw } = await passwordStep(r, 'lea');
    const { card } = await exchangeRedirect(r, pw.body.redirect, verifier);
    expect(card).toMatchObject({ sub: user.id, amr: ['pwd'], acr: ACR.password });
    // Asking for more afterwards is a new request: the same browser is sent to the mfa step.
    const stronger = await passwordStep(r, 'lea', { browser, extra: { acr_values: ACR.mfa } });
    expect(stronger.login.body.mfa).toMatchObject({ enrol: true, acr: ACR.mfa });
    // The interaction is sealed: editing one character of it is a refused interaction, not a request.
    const edited = `${interaction.slice(0, 10)}${interaction[10] === 'A' ? 'B' : 'A'}${interaction.slice(11)}`;
    const res = await new Browser().call(r.url, 'login', {
      interaction: edited,
      username: 'lea',
      password: PASSWORD,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ERR_INTERACTION_EXPIRED');
  });
});
