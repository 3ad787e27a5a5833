// An outside attacker against passkeys, over real HTTP with a software authenticator making real
// ES256 answers: a challenge used twice or for the other ceremony, another person's credential or
// user handle, a counter that goes back, a passwordless answer without user verification, answers
// made for another origin or RP ID, and a stranger locking a person's second factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, postJson, type Running } from './helpers.js';
import { passwordStep } from './support/attack-mfa.js';
import { Browser, PASSWORD } from './support/authorize-flow.js';
import { call, login } from './support/mfa-account.js';
import { authenticatorFor, enrolPasskey, enrolTotp, totpCode } from './support/mfa-fixtures.js';
import { mfaRequest, openRequest, startMfaAuthorizeServer } from './support/mfa-flow.js';
import type { CeremonyOverrides, SoftwareAuthenticator } from './support/webauthn-authenticator.js';

let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer({
    mfa: { maxFailures: 5 },
    throttle: { loginPerIp: { limit: 10_000 } },
  }));
});
afterAll(async () => {
  await r?.close();
});

/** A new person with a passkey on a new authenticator (past any failure window). */
async function withPasskey(name: string, opts: { counterStep?: number } = {}) {
  clock.advance(301_000);
  const user = await addUser(r, name, PASSWORD);
  const authenticator = authenticatorFor(r, opts);
  const passkey = await enrolPasskey(r, user, authenticator);
  return { user, authenticator, passkey };
}

/** Options of a passkey sign-in (no account named) at a fresh request. */
async function signInOptions() {
  const browser = new Browser();
  const interaction = await openRequest(r, browser, mfaRequest('desk').params);
  const res = await browser.call(r.url, 'passkey/options', { interaction });
  return { browser, interaction, options: res.body.options, challenge: res.body.challenge as string };
}

/** A passkey sign-in answered by `authenticator` with `o` changed. */
async function passkeySignIn(
  authenticator: SoftwareAuthenticator,
  o: Parameters<SoftwareAuthenticator['get']>[1] = {},
) {
  const started = await signInOptions();
  const res = await started.browser.call(r.url, 'passkey', {
    interaction: started.interaction,
    challenge: started.challenge,
    response: authenticator.get(started.options, o),
  });
  return { ...started, res };
}

describe('challenges', () => {
  it('a sign-in challenge used once is used: not again as a sign-in, nor as a second factor', async () => {
    const { authenticator } = await withPasskey('amy');
    const first = await passkeySignIn(authenticator);
    expect(first.res.status).toBe(200);
    // The same challenge, a new answer of the same key, at the second-factor step of a password sign-in.
    const { user: bob, authenticator: bobs } = await withPasskey('bob');
    const step = await passwordStep(r, 'bob');
    expect(step.login.body.mfa.methods).toContain('passkey');
    const reused = await step.browser.call(r.url, 'mfa', {
      interaction: step.interaction,
      mfa_token: step.login.body.mfa.token,
      passkey: { challenge: first.challenge, response: bobs.get(first.options) },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('ERR_PASSKEY_INVALID');
    expect(await r.server.services.storage.browserSessions.listByUser(bob.id)).toHaveLength(0);
  });

  it('a registration challenge never signs in, and a sign-in challenge never registers', async () => {
    clock.advance(301_000);
    const user = await addUser(r, 'cal', PASSWORD);
    const { card } = await login(r, 'cal');
    const authenticator = authenticatorFor(r);
    await enrolPasskey(r, user, authenticator);
    const reg = await call(r, 'POST', '/api/mfa/passkeys/options', { card, json: {} });
    expect(reg.status).toBe(200);
    // An assertion of cal's own passkey over the registration challenge.
    const assertion = authenticator.get({
      challenge: reg.body.options.challenge,
      rpId: reg.body.options.rp.id,
    });
    const browser = new Browser();
    const interaction = await openRequest(r, browser, mfaRequest('desk').params);
    const alone = await browser.call(r.url, 'passkey', {
      interaction,
      challenge: reg.body.challenge,
      response: assertion,
    });
    expect(alone.status).toBe(401);
    expect(alone.body.error.code).toBe('ERR_PASSKEY_INVALID');
    const step = await passwordStep(r, 'cal');
    const second = await step.browser.call(r.url, 'mfa', {
      interaction: step.interaction,
      mfa_token: step.login.body.mfa.token,
      passkey: { challenge: reg.body.challenge, response: assertion },
    });
    expect(second.body.error.code).toBe('ERR_PASSKEY_INVALID');
    expect(browser.cookie).toBeUndefined();
    expect(step.browser.cookie).toBeUndefined();

    // A sign-in challenge made into creation options registers nothing.
    const auth = await signInOptions();
    const other = authenticatorFor(r);
    const planted = await call(r, 'POST', '/api/mfa/passkeys', {
      card,
      json: {
        challenge: auth.challenge,
        response: other.create({
          ...reg.body.options,
          challenge: auth.options.challenge,
          excludeCredentials: [],
        }),
      },
    });
    expect(planted.status).toBe(401);
    expect(planted.body.error.code).toBe('ERR_PASSKEY_INVALID');
    expect(await r.server.services.storage.passkeys.listByUser(user.id)).toHaveLength(1);
    // The refusals came before the registration challenge was claimed: it still registers, once.
    const ok = await call(r, 'POST', '/api/mfa/passkeys', {
      card,
      json: { challenge: reg.body.challenge, response: other.create(reg.body.options) },
    });
    expect(ok.status).toBe(201);
  });

  it('a registration challenge of one person does not register a passkey for another', async () => {
    clock.advance(301_000);
    await addUser(r, 'cay', PASSWORD);
    await addUser(r, 'cob', PASSWORD);
    const victim = await login(r, 'cay');
    const attacker = await login(r, 'cob');
    const reg = await call(r, 'POST', '/api/mfa/passkeys/options', { card: attacker.card, json: {} });
    const res = await call(r, 'POST', '/api/mfa/passkeys', {
      card: victim.card,
      json: { challenge: reg.body.challenge, response: authenticatorFor(r).create(reg.body.options) },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('ERR_PASSKEY_INVALID');
  });

  it('an answer for one challenge does not pass with another challenge token', async () => {
    const { authenticator } = await withPasskey('dee');
    const a = await signInOptions();
    const b = await signInOptions();
    const res = await b.browser.call(r.url, 'passkey', {
      interaction: b.interaction,
      challenge: b.challenge,
      response: authenticator.get(a.options),
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('ERR_PASSKEY_INVALID');
  });
});

describe('answers made for somewhere else', () => {
  it('another origin, another port, another RP ID, a cross-origin frame, a create answer: refused, nothing recorded', async () => {
    const { passkey, authenticator } = await withPasskey('eva');
    const url = new URL(r.url);
    const overrides: CeremonyOverrides[] = [
      { origin: 'https://evil.example' },
      { origin: `http://${url.hostname}:${Number(url.port) + 1}` },
      { origin: `https://${url.host}` },
      { rpId: 'evil.example' },
      { crossOrigin: true },
      { type: 'webauthn.create' },
      { up: false },
    ];
    for (const o of overrides) {
      clock.advance(301_000);
      const { res, browser } = await passkeySignIn(authenticator, o);
      expect(res.status, JSON.stringify(o)).toBe(401);
      expect(res.body.error.code).toBe('ERR_PASSKEY_INVALID');
      expect(browser.cookie).toBeUndefined();
    }
    expect((await r.server.services.storage.passkeys.get(passkey.id))?.lastUsedAt).toBeNull();
  });

  it('a passwordless answer without user verification is refused; with it, it signs in', async () => {
    const { authenticator } = await withPasskey('fin');
    expect((await passkeySignIn(authenticator, { uv: false })).res.body.error.code).toBe(
      'ERR_PASSKEY_INVALID',
    );
    expect((await passkeySignIn(authenticator)).res.status).toBe(200);
  });
});

describe('whose passkey', () => {
  it('my credential with a victim’s user handle signs in neither of us', async () => {
    const { user: victim, authenticator: theirs } = await withPasskey('gus');
    const { authenticator: mine } = await withPasskey('hal');
    const victimHandle = [...theirs.credentials.values()][0]?.userHandle as string;
    const { res, browser } = await passkeySignIn(mine, { userHandle: victimHandle });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('ERR_PASSKEY_INVALID');
    expect(browser.cookie).toBeUndefined();
    expect(await r.server.services.storage.browserSessions.listByUser(victim.id)).toHaveLength(0);
  });

  it('my passkey does not complete a victim’s pending sign-in (with the victim’s options)', async () => {
    const { user: victim } = await withPasskey('ivy');
    const { authenticator: mine } = await withPasskey('jon');
    const step = await passwordStep(r, 'ivy');
    const opts = await step.browser.call(r.url, 'passkey/options', {
      interaction: step.interaction,
      mfa_token: step.login.body.mfa.token,
    });
    expect(opts.body.options.allowCredentials).toHaveLength(1);
    // The attacker's authenticator answers with its own credential, whatever the allow list says.
    const credentialId = [...mine.credentials.keys()][0] as string;
    const res = await step.browser.call(r.url, 'mfa', {
      interaction: step.interaction,
      mfa_token: step.login.body.mfa.token,
      passkey: {
        challenge: opts.body.challenge,
        response: mine.get({ ...opts.body.options, allowCredentials: [] }, { credentialId }),
      },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('ERR_PASSKEY_INVALID');
    expect(await r.server.services.storage.browserSessions.listByUser(victim.id)).toHaveLength(0);
  });
});

describe('counters', () => {
  it('a counter that goes back is refused and audited; the stored counter stays, the real key goes on', async () => {
    const { passkey, authenticator } = await withPasskey('kim');
    for (let i = 0; i < 3; i++) expect((await passkeySignIn(authenticator)).res.status).toBe(200);
    const rolledBack = await passkeySignIn(authenticator, { counter: 2 });
    expect(rolledBack.res.body.error.code).toBe('ERR_PASSKEY_INVALID');
    const same = await passkeySignIn(authenticator, { counter: 3 });
    expect(same.res.body.error.code).toBe('ERR_PASSKEY_INVALID');
    expect((await r.server.services.storage.passkeys.get(passkey.id))?.counter).toBe(3);
    await r.server.services.audit.flush();
    const events = await r.server.services.storage.audit.list({ type: 'passkey.clone_suspected', limit: 10 });
    expect(events.filter((e) => e.subject === passkey.id)).toHaveLength(2);
    expect((await passkeySignIn(authenticator, { counter: 4 })).res.status).toBe(200);
  });

  it('an authenticator without a counter (always 0): a captured answer does not sign in twice', async () => {
    const { authenticator } = await withPasskey('lee', { counterStep: 0 });
    const first = await passkeySignIn(authenticator);
    expect(first.res.status).toBe(200);
    const captured = authenticator.get(first.options);
    const replay = await new Browser().call(r.url, 'passkey', {
      interaction: first.interaction,
      challenge: first.challenge,
      response: captured,
    });
    expect(replay.body.error.code).toBe('ERR_PASSKEY_INVALID');
  });
});

describe('the failure budget and a stranger', () => {
  // DESIGN.md: "A throttle protects the account without handing its owner's lock to an attacker".
  // Refused passkey answers count per source and account, never in the account's code budget: a
  // signature cannot be guessed, and a credential id is no secret.
  it('made-up passkey answers naming a person’s credential do not lock their second factor', async () => {
    const { user, passkey } = await withPasskey('max');
    const secret = await enrolTotp(r, user.id);
    for (let i = 0; i < 6; i++) {
      const started = await signInOptions();
      const res = await started.browser.call(r.url, 'passkey', {
        interaction: started.interaction,
        challenge: started.challenge,
        response: {
          id: passkey.credentialId,
          rawId: passkey.credentialId,
          type: 'public-key',
          clientExtensionResults: {},
          response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
        },
      });
      expect([401, 429]).toContain(res.status);
    }
    const owner = await postJson(`${r.url}/api/login`, {
      username: 'max',
      password: PASSWORD,
      totp: totpCode(secret, clock()),
    });
    expect(owner.status).toBe(200);
  });
});
