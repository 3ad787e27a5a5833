import { ACR } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailSink } from '../../../test/support/mail-sink.js';
import { type Body, getJson, postJson, type Running } from './helpers.js';
import { passwordStep } from './support/attack-mfa.js';
import { PASSWORD } from './support/authorize-flow.js';
import { startMailHotel, verifiedPerson } from './support/email-attack.js';
import { lastMailId, nextMail, RESET_SUBJECT, tokenOf, VERIFY_SUBJECT } from './support/email-flow.js';
import { call, login } from './support/mfa-account.js';
import { enrolTotp, totpCode } from './support/mfa-fixtures.js';

const NEW_PASSWORD = 'a brand new password';
let sink: MailSink;
let r: Running;
let clock: Awaited<ReturnType<typeof startMailHotel>>['clock'];

beforeAll(async () => {
  ({ sink, running: r, clock } = await startMailHotel({ loginPerIp: { limit: 10_000 } }));
});
afterAll(async () => {
  await r?.close();
  await sink?.close();
});

/** A person with a verified address. */
async function person(name: string, opts: { totp?: boolean } = {}) {
  const { user, address } = await verifiedPerson(r, clock, name);
  const secret = opts.totp === true ? await enrolTotp(r, user.id) : undefined;
  return { user, secret: secret as string, address };
}

/** Asks for a reset link for `login` and reads it out of the mail to `to`. */
async function resetLink(login: string, to: string): Promise<string> {
  const seen = lastMailId(sink);
  expect((await postJson(`${r.url}/api/password/forgot`, { login })).status).toBe(202);
  return tokenOf(await nextMail(sink, to, RESET_SUBJECT, seen), 'reset');
}

const reset = (token: string, password = NEW_PASSWORD) =>
  postJson(`${r.url}/api/password/reset`, { token, password });

describe('a reset link', () => {
  it('sent ten times at once sets one password; the loser’s password never applies', async () => {
    const { user, address } = await person('ava');
    const token = await resetLink('ava', address);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => reset(token, `${NEW_PASSWORD} number ${i}`)),
    );
    const won = answers.findIndex((a) => a.status === 204);
    expect(answers.filter((a) => a.status === 204)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 204))
      expect(a.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    const loser = (won + 1) % 10;
    const lost = await postJson(`${r.url}/api/login`, {
      username: 'ava',
      password: `${NEW_PASSWORD} number ${loser}`,
    });
    expect(lost.body.error.code).toBe('ERR_INVALID_CREDENTIALS');
    const winner = await postJson(`${r.url}/api/login`, {
      username: 'ava',
      password: `${NEW_PASSWORD} number ${won}`,
    });
    expect(winner.status).toBe(200);
    expect(winner.body.user.id).toBe(user.id);
  });

  it('works until the last millisecond of accounts.resetTtl, not at it', async () => {
    const { address } = await person('ben');
    const early = await resetLink('ben', address);
    clock.advance(1800_000 - 1);
    expect((await reset(early)).status).toBe(204);
    const late = await resetLink('ben', address);
    clock.advance(1800_000);
    const res = await reset(late, 'another new password');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
  });

  it('spelt differently (case, padding, a character less or more) is no link at all, and does not use up the real one', async () => {
    const { address } = await person('cai');
    const token = await resetLink('cai', address);
    const flip = (c: string) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
    const i = [...token].findIndex((c) => /[A-Za-z]/.test(c));
    for (const spelling of [
      `${token.slice(0, i)}${flip(token[i] as string)}${token.slice(i + 1)}`,
      `${token}=`,
      token.slice(0, -1),
      `${token}A`,
      ` ${token}`,
    ]) {
      const res = await reset(spelling);
      expect(res.status, spelling).toBe(400);
      expect(res.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    }
    expect((await reset(token)).status).toBe(204);
  });

  it('a verification link is no reset link and a reset link verifies nothing; neither is used up by the try', async () => {
    clock.advance(61_000);
    const seen = lastMailId(sink);
    const signup = { username: 'dot', email: 'dot@hotel.example', password: PASSWORD };
    expect((await postJson(`${r.url}/api/signup`, signup)).status).toBe(202);
    const verify = tokenOf(await nextMail(sink, 'dot@hotel.example', VERIFY_SUBJECT, seen), 'verify-email');
    const asReset = await reset(verify);
    expect(asReset.status).toBe(400);
    expect(asReset.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect((await postJson(`${r.url}/api/email/verify`, { token: verify })).status).toBe(204);

    const { address } = await person('eda');
    const resetToken = await resetLink('eda', address);
    const asVerify = await postJson(`${r.url}/api/email/verify`, { token: resetToken });
    expect(asVerify.status).toBe(400);
    expect(asVerify.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect((await reset(resetToken)).status).toBe(204);
  });
});

describe('what a reset ends, and what it does not', () => {
  it('every session: refresh tokens refused, cards refused and on the revocation feed', async () => {
    const { address } = await person('fox');
    const sessions = [await login(r, 'fox'), await login(r, 'fox')];
    const cursor = (await getJson(`${r.url}/revocations`)).body.cursor as number;
    expect((await reset(await resetLink('fox', address))).status).toBe(204);
    for (const s of sessions) {
      const refreshed = await postJson(`${r.url}/api/refresh`, { refresh_token: s.refresh });
      expect(refreshed.body.error.code).toBe('ERR_INVALID_GRANT');
      expect((await call(r, 'GET', '/api/me', { card: s.card })).status).toBe(401);
    }
    const feed = (await getJson(`${r.url}/revocations?after=${cursor}`)).body as Body;
    const sids = feed.events.filter((e: Body) => e.type === 'session').map((e: Body) => e.sid);
    expect(sids).toEqual(expect.arrayContaining(sessions.map((s) => s.sessionId)));
  });

  it('not the second factor: the new password alone is ERR_MFA_REQUIRED, with the code it signs in at acr mfa', async () => {
    const { secret, address } = await person('gia', { totp: true });
    expect((await reset(await resetLink('gia', address))).status).toBe(204);
    const alone = await postJson(`${r.url}/api/login`, { username: 'gia', password: NEW_PASSWORD });
    expect(alone.status).toBe(401);
    expect(alone.body.error.code).toBe('ERR_MFA_REQUIRED');
    const grant = await postJson(`${r.url}/api/login`, {
      username: 'gia',
      password: NEW_PASSWORD,
      totp: totpCode(secret, clock()),
    });
    expect(grant.status).toBe(200);
    expect(JSON.parse(Buffer.from(grant.body.access_token.split('.')[1], 'base64url').toString()).acr).toBe(
      ACR.mfa,
    );
  });

  // A pending sign-in seals a fingerprint of the password hash: a reset voids it (mfa/pending.ts).
  it('nor does a pending sign-in taken with the old password survive it', async () => {
    const { user, address } = await person('hal');
    const attacker = await passwordStep(r, 'hal', { extra: { acr_values: ACR.mfa } });
    expect(attacker.login.body.mfa).toMatchObject({ enrol: true });
    expect((await reset(await resetLink('hal', address))).status).toBe(204);
    const planted = await postJson(`${r.url}/api/mfa/totp/start`, {
      mfa_token: attacker.login.body.mfa.token,
      interaction: attacker.interaction,
    });
    expect(planted.body.error?.code).toBe('ERR_LOGIN_REQUIRED');
    expect(await r.server.services.storage.totp.get(user.id)).toBeUndefined();
  });
});
