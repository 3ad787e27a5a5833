// Setting up a TOTP authenticator over HTTP: from the account page with a card, and during a
// sign-in with the pending mfa_token; the confirming code, recovery codes and what is refused.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../src/index.js';
import { hashRecoveryCode, openPending, sealPending } from '../src/mfa/index.js';
import { addUser, type Running, startServer, testClock } from './helpers.js';
import { auditOf, call, login, PASSWORD, refreshed, stepOf, totpAt } from './support/mfa-account.js';

describe('TOTP enrolment (/api/mfa/totp/*)', () => {
  const clock = testClock();
  let r: Running;
  let alice: UserRecord;
  let bob: UserRecord;
  let carol: UserRecord;

  beforeAll(async () => {
    r = await startServer({}, { clock });
    alice = await addUser(r, 'alice', PASSWORD);
    bob = await addUser(r, 'bob', PASSWORD);
    carol = await addUser(r, 'carol', PASSWORD);
  });
  afterAll(() => r.close());

  it('start answers a secret, its otpauth URI and a QR code, never cached; the secret is stored sealed', async () => {
    const { card } = await login(r, 'alice');
    const started = await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} });
    expect(started.status).toBe(200);
    expect(started.headers.get('cache-control')).toBe('no-store');
    const { secret, otpauth_uri, qr_svg } = started.body;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/keycard:alice');
    expect(uri.searchParams.get('issuer')).toBe('keycard');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const stored = await r.server.services.storage.totp.get(alice.id);
    expect(stored).toMatchObject({ confirmedAt: null, lastUsedStep: null });
    expect(stored?.secretSealed).not.toContain(secret);
    // Not confirmed yet: no factor.
    const mfa = await call(r, 'GET', '/api/account/mfa', { card });
    expect(mfa.body.totp).toEqual({ enabled: false, confirmed_at: null });
  });

  it('confirm refuses a wrong code, takes the right one once and returns ten distinct recovery codes', async () => {
    const { card } = await login(r, 'bob');
    const { secret } = (await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} })).body;
    const step = stepOf(clock());
    const right = totpAt(secret, step);
    const wrong = right === '000000' ? '000001' : '000000';
    const refused = await call(r, 'POST', '/api/mfa/totp/confirm', { card, json: { code: wrong } });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ERR_MFA_INVALID');
    const malformed = await call(r, 'POST', '/api/mfa/totp/confirm', { card, json: { code: 'abcdef' } });
    expect(malformed.body.error.code).toBe('ERR_MFA_INVALID');

    const confirmed = await call(r, 'POST', '/api/mfa/totp/confirm', { card, json: { code: right } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get('cache-control')).toBe('no-store');
    expect(confirmed.body.mfa_token).toBeUndefined();
    const codes: string[] = confirmed.body.recovery_codes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(await r.server.services.storage.recoveryCodes.countUnused(bob.id)).toBe(10);
    // Stored as keyed hashes: one consumes.
    expect(
      await r.server.services.storage.recoveryCodes.consume(
        bob.id,
        hashRecoveryCode(r.server.services, codes[0]!),
        clock(),
      ),
    ).toBe(true);

    // The confirming step is used up: that code (and any earlier step) never signs in.
    const stored = await r.server.services.storage.totp.get(bob.id);
    expect(stored?.confirmedAt).toBe(clock());
    expect(stored?.lastUsedStep).toBe(step);
    expect(await r.server.services.storage.totp.useStep(bob.id, step)).toBe(false);
    expect(await r.server.services.storage.totp.useStep(bob.id, step - 1)).toBe(false);

    // Confirmed: a second confirm or a new start is refused.
    clock.advance(30_000);
    const again = await call(r, 'POST', '/api/mfa/totp/confirm', {
      card,
      json: { code: totpAt(secret, stepOf(clock())) },
    });
    expect(again.body.error.code).toBe('ERR_MFA_ALREADY_ENROLLED');
    const restart = await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} });
    expect(restart.status).toBe(409);
    expect(restart.body.error.code).toBe('ERR_MFA_ALREADY_ENROLLED');

    const mfa = await call(r, 'GET', '/api/account/mfa', { card });
    expect(mfa.body.totp).toEqual({ enabled: true, confirmed_at: Math.floor(stored!.confirmedAt! / 1000) });
    expect(mfa.body.recovery_codes).toEqual({ remaining: 9 });

    const enrolled = await auditOf(r, 'mfa.totp_enrolled', bob.id);
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0]).toMatchObject({ actor: bob.id, subject: bob.id });
    const generated = await auditOf(r, 'mfa.recovery_codes_generated', bob.id);
    expect(generated[0]?.detail).toEqual({ count: 10, reason: 'first_factor' });
    const everything = JSON.stringify([...enrolled, ...generated]);
    expect(everything).not.toContain(secret);
    for (const code of codes) expect(everything).not.toContain(code);
  });

  it('a code of the next or previous step confirms too (±1); a code two steps away does not', async () => {
    const { card } = await login(r, 'carol');
    const { secret } = (await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} })).body;
    const step = stepOf(clock());
    const far = await call(r, 'POST', '/api/mfa/totp/confirm', {
      card,
      json: { code: totpAt(secret, step + 2) },
    });
    expect(far.body.error.code).toBe('ERR_MFA_INVALID');
    const next = await call(r, 'POST', '/api/mfa/totp/confirm', {
      card,
      json: { code: totpAt(secret, step + 1) },
    });
    expect(next.status).toBe(200);
    expect((await r.server.services.storage.totp.get(carol.id))?.lastUsedStep).toBe(step + 1);
  });

  it('starting again replaces an unconfirmed secret: a code of the old one no longer confirms', async () => {
    const dan = await addUser(r, 'dan', PASSWORD);
    const { card } = await login(r, 'dan');
    const first = (await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} })).body.secret;
    const second = (await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} })).body.secret;
    expect(second).not.toBe(first);
    const step = stepOf(clock());
    const old = await call(r, 'POST', '/api/mfa/totp/confirm', { card, json: { code: totpAt(first, step) } });
    expect(old.body.error.code).toBe('ERR_MFA_INVALID');
    const ok = await call(r, 'POST', '/api/mfa/totp/confirm', { card, json: { code: totpAt(second, step) } });
    expect(ok.status).toBe(200);
    expect((await r.server.services.storage.totp.get(dan.id))?.confirmedAt).not.toBeNull();
  });

  it('confirm without a started enrolment is ERR_MFA_NOT_ENROLLED', async () => {
    await addUser(r, 'erin', PASSWORD);
    const { card } = await login(r, 'erin');
    const res = await call(r, 'POST', '/api/mfa/totp/confirm', { card, json: { code: '123456' } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ERR_MFA_NOT_ENROLLED');
  });

  it('needs a card, JSON, and a recent sign-in', async () => {
    const none = await call(r, 'POST', '/api/mfa/totp/start', { json: {} });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('ERR_UNAUTHENTICATED');
    const form = await fetch(`${r.url}/api/mfa/totp/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'mfa_token=x',
    });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { error: { code: string } }).error.code).toBe(
      'ERR_UNSUPPORTED_MEDIA_TYPE',
    );

    await addUser(r, 'frank', PASSWORD);
    const session = await login(r, 'frank');
    clock.advance(601_000);
    const { card } = await refreshed(r, session.refresh);
    const stale = await call(r, 'POST', '/api/mfa/totp/start', { card, json: {} });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('ERR_STEP_UP_REQUIRED');
    expect(stale.headers.get('www-authenticate')).toMatch(
      /^Bearer error="insufficient_user_authentication", error_description="[^"]+", max_age="600"$/,
    );
  });
});

describe('TOTP enrolment during a sign-in (mfa_token with enrol)', () => {
  const clock = testClock();
  let r: Running;
  let gina: UserRecord;

  beforeAll(async () => {
    r = await startServer({}, { clock });
    gina = await addUser(r, 'gina', PASSWORD);
  });
  afterAll(() => r.close());

  const pendingFor = (user: UserRecord, purpose: string, enrol = true) =>
    sealPending(r.server.services, {
      userId: user.id,
      passwordHash: user.passwordHash,
      amr: ['pwd'],
      passwordAt: clock(),
      purpose,
      enrol,
    });

  it('sets up TOTP with the token and answers a new token with the factor proven, for the same purpose', async () => {
    const interaction = 'sealed-interaction-of-the-page';
    const token = pendingFor(gina, `authorize:${interaction}`);
    const started = await call(r, 'POST', '/api/mfa/totp/start', { json: { mfa_token: token, interaction } });
    expect(started.status).toBe(200);
    const code = totpAt(started.body.secret, stepOf(clock()));
    const confirmed = await call(r, 'POST', '/api/mfa/totp/confirm', {
      json: { mfa_token: token, interaction, code },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recovery_codes).toHaveLength(10);
    const next = openPending(
      r.server.services,
      confirmed.body.mfa_token,
      `authorize:${interaction}`,
      gina.id,
    );
    expect(next).toMatchObject({ userId: gina.id, amr: ['pwd'], proven: ['totp'], enrol: false });
    expect(next.passwordAt).toBe(clock());
    // The new token is for this sign-in only.
    expect(() => openPending(r.server.services, confirmed.body.mfa_token, 'api-login')).toThrow(
      expect.objectContaining({ code: 'ERR_LOGIN_REQUIRED' }),
    );
    // Neither token sets up another factor: the person has one now.
    for (const again of [token, confirmed.body.mfa_token]) {
      const res = await call(r, 'POST', '/api/mfa/passkeys/options', {
        json: { mfa_token: again, interaction },
      });
      expect(res.body.error.code).toBe('ERR_MFA_ALREADY_ENROLLED');
    }
  });

  it('refuses a token that is forged, expired, for another purpose, or not for enrolment', async () => {
    const hank = await addUser(r, 'hank', PASSWORD);
    const forged = await call(r, 'POST', '/api/mfa/totp/start', { json: { mfa_token: 'x.y.z' } });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    const otherPurpose = await call(r, 'POST', '/api/mfa/totp/start', {
      json: { mfa_token: pendingFor(hank, 'authorize:one'), interaction: 'two' },
    });
    expect(otherPurpose.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    const loginToken = pendingFor(hank, 'api-login');
    clock.advance(301_000);
    const expired = await call(r, 'POST', '/api/mfa/totp/start', { json: { mfa_token: loginToken } });
    expect(expired.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    const notEnrol = await call(r, 'POST', '/api/mfa/totp/start', {
      json: { mfa_token: pendingFor(hank, 'api-login', false) },
    });
    expect(notEnrol.status).toBe(409);
    expect(notEnrol.body.error.code).toBe('ERR_MFA_ALREADY_ENROLLED');
    expect(await r.server.services.storage.totp.get(hank.id)).toBeUndefined();

    // A token from /api/login (no interaction) works without one.
    const ok = await call(r, 'POST', '/api/mfa/totp/start', {
      json: { mfa_token: pendingFor(hank, 'api-login') },
    });
    expect(ok.status).toBe(200);
  });

  it('refuses a card and a token together, and a disabled user’s token', async () => {
    const ivy = await addUser(r, 'ivy', PASSWORD);
    const { card } = await login(r, 'ivy');
    const both = await call(r, 'POST', '/api/mfa/totp/start', {
      card,
      json: { mfa_token: pendingFor(ivy, 'api-login') },
    });
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe('ERR_VALIDATION');
    await r.server.services.storage.users.update(ivy.id, { disabled: true, updatedAt: clock() });
    const disabled = await call(r, 'POST', '/api/mfa/totp/start', {
      json: { mfa_token: pendingFor(ivy, 'api-login') },
    });
    expect(disabled.body.error.code).toBe('ERR_LOGIN_REQUIRED');
  });

  it('an authenticator app reads the otpauth URI as issued', async () => {
    const jo = await addUser(r, 'jo', PASSWORD);
    const started = await call(r, 'POST', '/api/mfa/totp/start', {
      json: { mfa_token: pendingFor(jo, 'api-login') },
    });
    const uri = new URL(started.body.otpauth_uri);
    const app = new TOTP({
      secret: Secret.fromBase32(uri.searchParams.get('secret')!),
      period: 30,
      digits: 6,
    });
    const code = app.generate({ timestamp: clock() });
    const confirmed = await call(r, 'POST', '/api/mfa/totp/confirm', {
      json: { mfa_token: pendingFor(jo, 'api-login'), code },
    });
    expect(confirmed.status).toBe(200);
    expect(openPending(r.server.services, confirmed.body.mfa_token, 'api-login').proven).toEqual(['totp']);
  });
});
